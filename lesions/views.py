"""Researcher pages of the lesions app: data sets, the image browser and image bytes."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from core.decorators import researcher_required
from lesions import selectors
from lesions.codes import DIAGNOSES
from lesions.models import Dataset, Diagnosis, Image, Localization, Partition, Sex
from lesions.serving import image_response

PAGE_SIZE = 48


@researcher_required
def index(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "") for key in selectors.IMAGE_FILTERS}
    page = Paginator(selectors.image_list(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "summaries": selectors.dataset_summaries(),
        "diagnoses": DIAGNOSES,
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "selects": [
            (name, label, options, filters[name])
            for name, label, options in (
                (
                    "dataset",
                    _("data set"),
                    [(d, d) for d in Dataset.objects.values_list("name", flat=True)],
                ),
                ("diagnosis", _("diagnosis"), Diagnosis.choices),
                ("localization", _("site"), Localization.choices),
                ("sex", _("sex"), Sex.choices),
                ("partition", _("split"), Partition.choices),
            )
        ],
    }
    return render(request, "lesions/index.html", context)


@researcher_required
def image(request: HttpRequest, public_id: str) -> HttpResponse:
    return image_response(get_object_or_404(Image, public_id=public_id))
