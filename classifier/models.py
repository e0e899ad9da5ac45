"""Experiments, training runs (one per fold), predictions and evaluations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.bounds import (
    BATCH_SIZE,
    DROPOUT,
    EPOCHS,
    INPUT_SIDE,
    LEARNING_RATE,
    PATIENCE,
    SEED,
    SYNTHETIC_PER_CLASS,
    WEIGHT_DECAY,
)
from core.models import Job
from lesions.codes import RESOLUTIONS
from lesions.models import Dataset, Diagnosis, Image


class Resolution(models.TextChoices):
    LOW = "low", _("low (300x224)")
    HIGH = "high", _("high (600x450)")


class Optimizer(models.TextChoices):
    ADAMW = "adamw", "AdamW"
    SGD = "sgd", "SGD"


class Schedule(models.TextChoices):
    COSINE = "cosine", _("cosine")
    STEP = "step", _("step")
    CONSTANT = "constant", _("constant")


class Imbalance(models.TextChoices):
    NONE = "none", _("none")
    WEIGHTED_LOSS = "weighted_loss", _("class-weighted loss")
    BALANCED_SAMPLER = "balanced_sampler", _("balanced sampling")


class Fusion(models.TextChoices):
    CONCAT = "concat", _("concatenation")
    GATED = "gated", _("gated")


class Experiment(models.Model):
    """One configuration of the grid: trained once per fold, each fold a ``TrainingRun``."""

    name = models.CharField(max_length=200, unique=True)
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="experiments")
    architecture = models.CharField(max_length=100, help_text=_("Any timm model name"))
    resolution = models.CharField(max_length=8, choices=Resolution.choices, default=Resolution.LOW)
    use_clinical = models.BooleanField(default=False)
    fusion = models.CharField(max_length=8, choices=Fusion.choices, default=Fusion.CONCAT)
    epochs = models.PositiveIntegerField(default=90, validators=EPOCHS.validators())
    batch_size = models.PositiveIntegerField(default=64, validators=BATCH_SIZE.validators())
    lr = models.FloatField(default=3e-4, validators=LEARNING_RATE.validators())
    weight_decay = models.FloatField(default=1e-4, validators=WEIGHT_DECAY.validators())
    optimizer = models.CharField(max_length=8, choices=Optimizer.choices, default=Optimizer.ADAMW)
    schedule = models.CharField(max_length=10, choices=Schedule.choices, default=Schedule.COSINE)
    augmentation = models.BooleanField(default=True)
    imbalance = models.CharField(
        max_length=20, choices=Imbalance.choices, default=Imbalance.WEIGHTED_LOSS
    )
    dropout = models.FloatField(default=0.5, validators=DROPOUT.validators())
    early_stopping_patience = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=PATIENCE.validators(),
        help_text=_("Epochs without improvement; empty: train all epochs"),
    )
    folds = models.JSONField(default=list, blank=True, help_text=_("Folds to train; [] = all"))
    seed = models.IntegerField(default=0, validators=SEED.validators())
    pretrained_file = models.CharField(
        max_length=500, blank=True, help_text=_("Local weights file for the backbone")
    )
    synthetic_per_class = models.PositiveIntegerField(
        default=0,
        validators=SYNTHETIC_PER_CLASS.validators(),
        help_text=_("Synthetic images per class added to each training fold"),
    )
    synthetic_dataset = models.ForeignKey(
        Dataset,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"is_synthetic": True},
        help_text=_("The generated images to take them from (a GAN run's data set)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    notes = models.TextField(blank=True)
    # A size other than the paper's two (e.g. the CPU demo's); both empty: the resolution's size.
    input_width = models.PositiveIntegerField(
        null=True, blank=True, validators=INPUT_SIDE.validators()
    )
    input_height = models.PositiveIntegerField(
        null=True, blank=True, validators=INPUT_SIDE.validators()
    )
    preset = models.CharField(max_length=40, blank=True, help_text=_("Preset it was made from"))

    class Meta:
        ordering = ["-created_at"]
        # The values a training run could not survive, refused whatever wrote them.
        constraints = [
            EPOCHS.constraint("epochs", "experiment_epochs_in_bounds"),
            BATCH_SIZE.constraint("batch_size", "experiment_batch_size_in_bounds"),
            LEARNING_RATE.constraint("lr", "experiment_lr_in_bounds"),
            WEIGHT_DECAY.constraint("weight_decay", "experiment_weight_decay_in_bounds"),
            DROPOUT.constraint("dropout", "experiment_dropout_in_bounds"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def size(self) -> tuple[int, int]:
        """Input size (width, height)."""
        if self.input_width and self.input_height:
            return (self.input_width, self.input_height)
        return RESOLUTIONS[self.resolution]


class RunSource(models.TextChoices):
    TRAINED = "trained", _("trained here")
    IMPORTED = "imported", _("imported predictions")


class TrainingRun(Job):
    """A model: one fold of an experiment trained here, or predictions brought from elsewhere."""

    name = models.CharField(max_length=200, unique=True)
    source = models.CharField(max_length=10, choices=RunSource.choices, default=RunSource.TRAINED)
    experiment = models.ForeignKey(
        Experiment, null=True, blank=True, on_delete=models.CASCADE, related_name="runs"
    )
    fold = models.PositiveSmallIntegerField(null=True, blank=True)
    epoch = models.PositiveIntegerField(default=0)
    history = models.JSONField(
        default=list, blank=True, help_text=_("Per epoch: losses and validation metrics")
    )
    best_score = models.FloatField(null=True, blank=True)
    device = models.CharField(max_length=100, blank=True)
    # The latest epoch's checkpoint in the media store (best.pt beside it, when there is one).
    checkpoint = models.CharField(max_length=500, blank=True)

    task_name = "classifier.tasks.train_run"
    task_argument = "run_id"

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "fold"],
                condition=models.Q(experiment__isnull=False),
                name="one_run_per_experiment_fold",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def storage_folder(self) -> str:
        """Where the run's checkpoints are kept in the media store, shared by every worker."""
        return f"classifier/runs/{self.pk}"


class Prediction(models.Model):
    run = models.ForeignKey(TrainingRun, on_delete=models.CASCADE, related_name="predictions")
    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="predictions")
    # {code: probability} for the seven codes of lesions.codes.DIAGNOSES, summing to 1.
    probabilities = models.JSONField()
    predicted = models.CharField(max_length=8, choices=Diagnosis.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "image"], name="one_prediction_per_run_image")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.image_id} -> {self.predicted}"


class Evaluation(models.Model):
    """A run's numbers on a set of images (the held-out split by default)."""

    run = models.ForeignKey(TrainingRun, on_delete=models.CASCADE, related_name="evaluations")
    split = models.CharField(max_length=20, default="test")
    n_images = models.PositiveIntegerField()
    accuracy = models.FloatField()
    error_rate = models.FloatField()
    balanced_accuracy = models.FloatField()
    # {code: {"tpr", "tnr", "gmean", "auc", "n"}}
    per_class = models.JSONField()
    # 7x7 counts, rows = truth, columns = prediction, in lesions.codes.DIAGNOSES order.
    confusion = models.JSONField()
    ms_per_image_batched = models.FloatField(null=True, blank=True)
    ms_per_image_batch1 = models.FloatField(null=True, blank=True)
    device = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["run", "split"], name="one_evaluation_per_run_split")
        ]

    def __str__(self) -> str:
        return f"{self.run} on {self.split}: {self.accuracy:.4f}"


class PredictionJob(Job):
    """Predictions of one run for a chosen set of images (e.g. a contest phase's)."""

    run = models.ForeignKey(TrainingRun, on_delete=models.CASCADE, related_name="prediction_jobs")
    image_ids = models.JSONField(default=list, help_text=_("Primary keys of lesions.Image"))
    label = models.CharField(max_length=200, blank=True, help_text=_("What the images are for"))
    n_written = models.PositiveIntegerField(default=0)

    task_name = "classifier.tasks.predict_images"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.run} on {len(self.image_ids)} images"
