"""Researcher pages: experiments, runs with live progress, curves, the paper's tables, and
trying a model on one image."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from classifier import runner, selectors, services
from classifier.charts import training_curves_svg
from classifier.forms import ExperimentForm, TryForm
from classifier.models import Experiment, TrainingRun
from core.decorators import researcher_required
from core.models import JobStatus
from lesions.codes import DIAGNOSES, DIAGNOSIS_NAMES


@researcher_required
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "classifier/index.html",
        {
            "experiments": selectors.experiment_list(),
            "table2": selectors.results_table(use_clinical=False),
            "table3": selectors.results_table(use_clinical=True),
        },
    )


@researcher_required
def experiment_new(request: HttpRequest) -> HttpResponse:
    form = ExperimentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        queue = data.pop("queue")
        try:
            experiment = services.experiment_create(
                created_by=request.user,
                queue=queue,
                early_stopping_patience=data.pop("early_stopping_patience"),
                **{k: v for k, v in data.items() if v is not None},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Experiment %(name)s created.") % {"name": experiment.name})
            return redirect("classifier:experiment", pk=experiment.pk)
    return render(request, "classifier/experiment_new.html", {"form": form})


@researcher_required
def experiment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    experiment = get_object_or_404(Experiment.objects.select_related("dataset"), pk=pk)
    return render(
        request,
        "classifier/experiment_detail.html",
        {"experiment": experiment, "runs": selectors.runs_of(experiment)},
    )


@researcher_required
@require_POST
def experiment_queue(request: HttpRequest, pk: int) -> HttpResponse:
    experiment = get_object_or_404(Experiment, pk=pk)
    count = services.experiment_queue(experiment=experiment)
    messages.success(request, _("%(n)d runs queued.") % {"n": count})
    return redirect("classifier:experiment", pk=pk)


@researcher_required
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's progress bar alone: htmx polls this while the run trains."""
    run = get_object_or_404(TrainingRun, pk=pk)
    return render(
        request,
        "core/_job_progress.html",
        {"job": run, "status_url": reverse("classifier:run-status", args=[pk])},
    )


@researcher_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(TrainingRun.objects.select_related("experiment__dataset"), pk=pk)
    evaluation = run.evaluations.filter(split="test").first()
    per_class = []
    confusion = []
    if evaluation:
        per_class = [
            (code, DIAGNOSIS_NAMES[code], evaluation.per_class[code]) for code in DIAGNOSES
        ]
        confusion = list(zip(DIAGNOSES, evaluation.confusion, strict=True))
    return render(
        request,
        "classifier/run_detail.html",
        {
            "run": run,
            "evaluation": evaluation,
            "per_class": per_class,
            "confusion": confusion,
            "codes": DIAGNOSES,
            "finished": run.status == JobStatus.SUCCEEDED,
        },
    )


@researcher_required
def run_curves(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(TrainingRun, pk=pk)
    if not run.history:
        return HttpResponse(status=404)
    svg = training_curves_svg(run.history, title=run.name)
    return HttpResponse(svg, content_type="image/svg+xml")


@researcher_required
def try_model(request: HttpRequest) -> HttpResponse:
    form = TryForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            probabilities = runner.predict_upload(
                run=data["run"],
                image_file=data["image"],
                age=data["age"],
                sex=data["sex"],
                site=data["site"],
            )
        except (ValueError, FileNotFoundError) as error:
            form.add_error(None, str(error))
        else:
            result = sorted(
                ((code, DIAGNOSIS_NAMES[code], p) for code, p in probabilities.items()),
                key=lambda row: -row[2],
            )
    return render(request, "classifier/try.html", {"form": form, "result": result})
