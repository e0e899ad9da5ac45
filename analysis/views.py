"""Researcher pages of the analysis app: study results, exports, plots, report jobs, DNN tables."""

from __future__ import annotations

import io

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from analysis import exports, plots, selectors, services
from analysis.dnn_tables import dnn_table, paper_comparisons
from analysis.forms import PlanForm
from analysis.models import ReportJob
from analysis.report_tables import table_html
from contests.models import Study
from core.decorators import researcher_required

EXPORTS = exports.EXPORTS
PAGE_TABLES = (
    "table4",
    "comparisons",
    "mrmc_figures",
    "crossover",
    "by_sequence",
    "tpr_change",
    "ai_follow",
    "mrmc",
    "timing",
    "per_class",
)
# Shown open on the page; the others are folded under their titles.
HEADLINE_TABLES = ("table4", "comparisons", "mrmc_figures", "crossover")


def _simulated(request: HttpRequest) -> bool:
    return request.GET.get("simulated") == "1"


def csv_response(filename: str) -> HttpResponse:
    """An empty CSV download for an export to be written into."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


TABLE_TITLES = {
    "table4": _("Readers and the model on the same images (Table 4 layout)"),
    "comparisons": _("Without vs with the AI hint: per-reader paired tests and MRMC"),
    "mrmc_figures": _(
        "MRMC of each figure, with the cases and the design it needs (random readers and cases)"
    ),
    "crossover": _("Crossover: the AI's effect, the period effect and the carry-over"),
    "by_sequence": _("Accuracy per arm (sequence) and phase"),
    "tpr_change": _("True positive rate per class, without vs with the hint"),
    "ai_follow": _("Following the AI: answers equal to the hint's top class"),
    "mrmc": _("MRMC (Obuchowski-Rockette, Hillis ddf): estimates and covariances"),
    "timing": _("Time per case and timeouts"),
    "per_class": _("Per class: readers (pooled) and the model"),
}


@researcher_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "analysis/index.html", {"studies": selectors.studies_with_readings()})


@researcher_required
def study_results(request: HttpRequest, pk: int) -> HttpResponse:
    """The study's report, tables and figures: computed once per change in its readings."""
    study = get_object_or_404(Study, pk=pk)
    include_simulated = _simulated(request)
    page = services.study_results_page(
        study=study, include_simulated=include_simulated, tables=PAGE_TABLES
    )
    figures = {
        name: mark_safe(svg)  # noqa: S308 - matplotlib's own escaped SVG
        for name, svg in page.figures.items()
    }
    context = {
        "study": study,
        "report": page,
        "include_simulated": include_simulated,
        "query": "?simulated=1" if include_simulated else "",
        "tables": page.tables,
        "figures": figures,
        "exports": EXPORTS,
        "titles": TABLE_TITLES,
        "headline_tables": HEADLINE_TABLES,
        "jobs": study.report_jobs.all()[:5],
    }
    return render(request, "analysis/results.html", context)


@researcher_required
def study_export(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    study = get_object_or_404(Study, pk=pk)
    include_simulated = _simulated(request)
    if name not in EXPORTS:
        raise Http404("no such export")
    frame, report = services.study_report_build(study=study, include_simulated=include_simulated)
    response = csv_response(f"study-{study.pk}-{name}.csv")
    exports.write_export(name, frame, report, response, include_simulated=include_simulated)
    return response


@researcher_required
def study_plot(request: HttpRequest, pk: int, name: str, ext: str) -> HttpResponse:
    study = get_object_or_404(Study, pk=pk)
    if ext not in ("svg", "png"):
        raise Http404("plots come as svg or png")
    data = services.study_plot_file(
        study=study, name=name, ext=ext, include_simulated=_simulated(request)
    )
    if data is None:
        raise Http404("no such plot")
    content_type = "image/svg+xml" if ext == "svg" else "image/png"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="study-{study.pk}-{name}.{ext}"'
    return response


@researcher_required
@require_POST
def report_create(request: HttpRequest, pk: int) -> HttpResponse:
    study = get_object_or_404(Study, pk=pk)
    include_simulated = request.POST.get("include_simulated") == "1"
    services.report_job_create(study=study, include_simulated=include_simulated, user=request.user)
    target = reverse("analysis:study", args=[study.pk])
    return redirect(target + ("?simulated=1" if include_simulated else ""))


@researcher_required
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ReportJob, pk=pk)
    return render(request, "core/_job_progress.html", {"job": job, "status_url": job.status_url})


@researcher_required
def report_file(request: HttpRequest, pk: int, filename: str) -> FileResponse:
    job = get_object_or_404(ReportJob, pk=pk)
    if filename not in job.files:  # only the job's own files, never a path of the caller's
        raise Http404("no such file")
    name = f"{job.folder}/{filename}"
    if not default_storage.exists(name):
        raise Http404("the file is gone")
    return FileResponse(
        default_storage.open(name, "rb"), as_attachment=filename != "index.html", filename=filename
    )


@researcher_required
def dnn_tables(request: HttpRequest) -> HttpResponse:
    evaluations = selectors.evaluations_frame()
    context: dict[str, object] = {"has_evaluations": not evaluations.empty}
    if not evaluations.empty:
        context["table2"] = table_html(dnn_table(evaluations, use_clinical=False).reset_index())
        context["table3"] = table_html(dnn_table(evaluations, use_clinical=True).reset_index())
        if evaluations["architecture"].nunique() >= 2:
            context["wilcoxon"] = table_html(paper_comparisons(evaluations))
            context["mann_whitney"] = table_html(
                paper_comparisons(
                    evaluations, test="mann-whitney", alternative="less", method="asymptotic"
                )
            )
    histories = selectors.training_histories()
    if histories:
        buffer = io.StringIO(plots.to_svg(plots.training_curves(histories)))
        context["curves"] = mark_safe(buffer.getvalue())  # noqa: S308 - matplotlib's SVG
    return render(request, "analysis/dnn_tables.html", context)


@researcher_required
def plan(request: HttpRequest) -> HttpResponse:
    """Plan a study: power by readers and cases from a pilot, for an effect to detect."""
    form = PlanForm(request.GET if request.GET else PlanForm.defaults())
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        made = selectors.study_plan(**form.plan_arguments())
        if made is None:
            context["problem"] = _(
                "This study has no finished comparison without vs with the AI yet."
            )
        else:
            percent = made.table.map(lambda p: f"{100 * p:.0f}%")
            context.update(
                {
                    "plan": made,
                    "table": table_html(percent.reset_index()),
                    "sizes": table_html(made.sizes),
                    "curve": mark_safe(  # noqa: S308 - matplotlib's own escaped SVG
                        plots.to_svg(
                            plots.power_curve(
                                list(made.curve_cases),
                                made.curves,
                                target=made.target,
                                title=f"{made.analysis}, effect {made.effect:+.3f}",
                            )
                        )
                    ),
                }
            )
    return render(request, "analysis/plan.html", context)
