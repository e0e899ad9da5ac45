"""Admin of the gan app."""

from __future__ import annotations

from django.contrib import admin

from gan.models import GanEvaluation, GanRun, GeneratedImage


@admin.register(GanRun)
class GanRunAdmin(admin.ModelAdmin):
    list_display = ("name", "dataset", "preset", "final_size", "status", "progress", "phase")
    list_filter = ("status", "preset", "final_size")
    search_fields = ("name",)
    readonly_fields = ("history", "grids", "losses", "checkpoint", "celery_task_id")


@admin.register(GeneratedImage)
class GeneratedImageAdmin(admin.ModelAdmin):
    list_display = ("image", "run", "diagnosis", "seed")
    list_filter = ("diagnosis", "run")
    raw_id_fields = ("image",)


@admin.register(GanEvaluation)
class GanEvaluationAdmin(admin.ModelAdmin):
    list_display = ("run", "classifier_run", "n_images", "accuracy", "precision", "recall")
