"""Admin of the catalogue: filters by diagnosis, site, sex, split and data set; thumbnails."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from lesions.models import Dataset, Image, Lesion


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "is_synthetic", "split_folds", "split_made_at", "created_at")
    search_fields = ("name", "title")


@admin.register(Lesion)
class LesionAdmin(admin.ModelAdmin):
    list_display = ("lesion_id", "diagnosis", "dataset")
    list_filter = ("diagnosis", "dataset")
    search_fields = ("lesion_id",)


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = (
        "thumbnail",
        "image_id",
        "lesion",
        "diagnosis",
        "age",
        "sex",
        "localization",
        "partition",
        "fold",
        "dataset",
    )
    list_filter = (
        "lesion__diagnosis",
        "localization",
        "sex",
        "partition",
        "fold",
        "is_synthetic",
        "dataset",
    )
    search_fields = ("image_id", "lesion__lesion_id")
    list_select_related = ("lesion", "dataset")
    readonly_fields = ("public_id", "sha256", "width", "height", "created_at", "preview")
    raw_id_fields = ("lesion",)

    @admin.display(description="diagnosis", ordering="lesion__diagnosis")
    def diagnosis(self, obj: Image) -> str:
        return obj.lesion.diagnosis

    @admin.display(description="image")
    def thumbnail(self, obj: Image) -> str:
        url = reverse("lesions:image", args=[obj.public_id])
        return format_html('<img src="{}" alt="" loading="lazy" width="80" height="60">', url)

    @admin.display(description="preview")
    def preview(self, obj: Image) -> str:
        url = reverse("lesions:image", args=[obj.public_id])
        return format_html('<img src="{}" alt="" width="300">', url)
