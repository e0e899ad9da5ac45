"""Researcher pages of the gan app: the runs, a run's gallery and live progress, its files."""

from __future__ import annotations

from django import forms
from django.core.files.storage import Storage, default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from core.decorators import researcher_required
from gan import charts
from gan.models import GanRun, GeneratedImage, Preset
from gan.selectors import generated_by_diagnosis, grid_name
from gan.services import gan_run_queue
from lesions.codes import DIAGNOSIS_NAMES
from lesions.models import Dataset


class RunForm(forms.Form):
    dataset = forms.ModelChoiceField(
        queryset=Dataset.objects.filter(is_synthetic=False), label=_("Data set")
    )
    preset = forms.ChoiceField(choices=Preset.choices, initial=Preset.DEFAULT, label=_("Preset"))
    final_size = forms.TypedChoiceField(
        choices=[(s, f"{s}x{s}") for s in (32, 64, 128, 256, 512)],
        coerce=int,
        initial=64,
        label=_("Final size"),
    )


@researcher_required
def index(request: HttpRequest) -> HttpResponse:
    form = RunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = gan_run_queue(
                dataset=form.cleaned_data["dataset"],
                preset_name=form.cleaned_data["preset"],
                final_size=form.cleaned_data["final_size"],
            )
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            return redirect("gan:run", pk=run.pk)
    runs = GanRun.objects.select_related("dataset")
    return render(request, "gan/index.html", {"runs": runs, "form": form})


@researcher_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(GanRun.objects.select_related("dataset"), pk=pk)
    groups = [
        (code, DIAGNOSIS_NAMES[code], items)
        for code, items in generated_by_diagnosis(run=run).items()
    ]
    return render(
        request,
        "gan/run.html",
        {
            "run": run,
            "groups": groups,
            "evaluations": run.evaluations.select_related("classifier_run"),
        },
    )


@researcher_required
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(GanRun, pk=pk)
    return render(request, "gan/_status.html", {"run": run})


def _file(storage: Storage, name: str, content_type: str) -> FileResponse:
    """A stored file (disk, NFS or S3) streamed back; 404 when it is not there."""
    if not name or not storage.exists(name):
        raise Http404("no such file")
    return FileResponse(storage.open(name, "rb"), content_type=content_type)


@researcher_required
def grid(request: HttpRequest, pk: int, name: str) -> FileResponse:
    run = get_object_or_404(GanRun, pk=pk)
    if name not in run.grids:  # only the names the run itself recorded, never a path
        raise Http404("no such grid")
    return _file(default_storage, grid_name(run, name), "image/png")


@researcher_required
def generated_image(request: HttpRequest, pk: int) -> FileResponse:
    item = get_object_or_404(GeneratedImage.objects.select_related("image"), pk=pk)
    return _file(item.image.file.storage, item.image.file.name or "", "image/jpeg")


@researcher_required
def loss_plot(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(GanRun, pk=pk)
    return HttpResponse(charts.to_png(charts.loss_curves(run.history)), content_type="image/png")
