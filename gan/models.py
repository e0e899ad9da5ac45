"""GAN runs, the synthetic images they generated and their evaluations."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classifier.models import TrainingRun
from core.models import Job
from lesions.models import Dataset, Diagnosis, Image


class Preset(models.TextChoices):
    PAPER = "paper", _("paper (lr 0.0075, batch 128 falling to 2)")
    DEFAULT = "default", _("default (stable)")
    CPU_DEMO = "cpu-demo", _("CPU demo (minutes)")


class GanRun(Job):
    """One progressive InfoGAN trained on a data set's training images."""

    name = models.CharField(max_length=200, unique=True)
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="gan_runs")
    preset = models.CharField(max_length=10, choices=Preset.choices, default=Preset.DEFAULT)
    final_size = models.PositiveIntegerField(default=64)
    # The full training settings (gan.training.TrainConfig), fixed when the run is created.
    config = models.JSONField(default=dict, blank=True)
    # Images generated per diagnosis for the gallery once training ends.
    gallery_per_class = models.PositiveIntegerField(default=8)
    # Live state, written by the task as it trains.
    phase = models.PositiveSmallIntegerField(default=0)
    resolution = models.PositiveIntegerField(default=4)
    alpha = models.FloatField(default=0.0)
    images_seen = models.PositiveBigIntegerField(default=0)
    total_images = models.PositiveBigIntegerField(default=0)
    losses = models.JSONField(default=dict, blank=True)
    history = models.JSONField(default=list, blank=True, help_text=_("Losses as training went"))
    grids = models.JSONField(default=list, blank=True, help_text=_("Sample grid file per phase"))
    checkpoint = models.CharField(max_length=500, blank=True)
    device = models.CharField(max_length=100, blank=True)

    task_name = "gan.tasks.train_gan_run"
    task_argument = "run_id"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def source_tag(self) -> str:
        """What synthetic images of this run carry in ``lesions.Image.source_run``."""
        return f"gan:{self.pk}"


class GeneratedImage(models.Model):
    """Links a synthetic ``lesions.Image`` to the run and the code that generated it."""

    run = models.ForeignKey(GanRun, on_delete=models.CASCADE, related_name="generated")
    image = models.OneToOneField(Image, on_delete=models.CASCADE, related_name="gan_origin")
    diagnosis = models.CharField(max_length=8, choices=Diagnosis.choices, db_index=True)
    continuous = models.JSONField(default=list, help_text=_("The continuous codes"))
    seed = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["run_id", "diagnosis", "id"]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.image_id} ({self.diagnosis})"


class GanEvaluation(models.Model):
    """How a classifier labels a run's images, and how far their features lie from real ones."""

    run = models.ForeignKey(GanRun, on_delete=models.CASCADE, related_name="evaluations")
    classifier_run = models.ForeignKey(
        TrainingRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    n_images = models.PositiveIntegerField()
    accuracy = models.FloatField()
    # 7x7 counts, rows = code, columns = the classifier's label, in lesions.codes order.
    confusion = models.JSONField()
    # {"overall": value, code: value, ...}; a class with too few images is left out.
    fid = models.JSONField(default=dict)
    kid = models.JSONField(default=dict)
    precision = models.FloatField(null=True, blank=True)
    recall = models.FloatField(null=True, blank=True)
    n_real = models.PositiveIntegerField(default=0)
    n_fake = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.run} judged by {self.classifier_run}: {self.accuracy:.3f}"
