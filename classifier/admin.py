"""Admin of the classifier app."""

from django.contrib import admin

from classifier.models import Evaluation, Experiment, Prediction, TrainingRun


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ("name", "architecture", "resolution", "use_clinical", "epochs", "dataset")
    list_filter = ("architecture", "resolution", "use_clinical", "dataset")
    search_fields = ("name", "architecture")


@admin.register(TrainingRun)
class TrainingRunAdmin(admin.ModelAdmin):
    list_display = ("name", "source", "experiment", "fold", "status", "progress", "epoch", "device")
    list_filter = ("status", "source")
    search_fields = ("name",)


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ("run", "split", "n_images", "accuracy", "balanced_accuracy", "device")


@admin.register(Prediction)
class PredictionAdmin(admin.ModelAdmin):
    list_display = ("run", "image", "predicted")
    raw_id_fields = ("run", "image")
