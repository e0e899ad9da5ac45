"""The image catalogue: data sets, lesions, images with their clinical data, splits and folds."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lesions import codes


class Diagnosis(models.TextChoices):
    AKIEC = "akiec", _("Actinic keratosis / intraepithelial carcinoma")
    BCC = "bcc", _("Basal cell carcinoma")
    BKL = "bkl", _("Benign keratosis")
    DF = "df", _("Dermatofibroma")
    MEL = "mel", _("Melanoma")
    NV = "nv", _("Melanocytic nevus")
    VASC = "vasc", _("Vascular lesion")


class Sex(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")
    UNKNOWN = "unknown", _("unknown")


class Localization(models.TextChoices):
    ABDOMEN = "abdomen", _("abdomen")
    ACRAL = "acral", _("acral")
    BACK = "back", _("back")
    CHEST = "chest", _("chest")
    EAR = "ear", _("ear")
    FACE = "face", _("face")
    FOOT = "foot", _("foot")
    GENITAL = "genital", _("genital")
    HAND = "hand", _("hand")
    LOWER_EXTREMITY = "lower extremity", _("lower extremity")
    NECK = "neck", _("neck")
    SCALP = "scalp", _("scalp")
    TRUNK = "trunk", _("trunk")
    UNKNOWN = "unknown", _("unknown")
    UPPER_EXTREMITY = "upper extremity", _("upper extremity")


class DxType(models.TextChoices):
    HISTO = "histo", _("histopathology")
    FOLLOW_UP = "follow_up", _("follow-up")
    CONSENSUS = "consensus", _("expert consensus")
    CONFOCAL = "confocal", _("confocal microscopy")


class Partition(models.TextChoices):
    TRAIN = "train", _("training (cross-validation folds)")
    TEST = "test", _("held-out test")


assert tuple(Diagnosis.values) == codes.DIAGNOSES
assert tuple(Localization.values) == codes.LOCALIZATIONS


def new_public_id() -> str:
    """An unguessable, meaningless id: the only name of an image a GP's browser ever sees."""
    return secrets.token_urlsafe(18)


class Dataset(models.Model):
    name = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=500, blank=True, help_text=_("Where the images came from"))
    credit = models.TextField(blank=True, help_text=_("Citation and licence to show with the data"))
    licence = models.CharField(max_length=100, blank=True)
    # Made by a generative model here (the GAN). Stand-in renderings of real metadata play the
    # part of the photographs and are not synthetic in this sense.
    is_synthetic = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The split actually stored on the images; empty until make_splits ran.
    split_seed = models.IntegerField(null=True, blank=True)
    split_test_size = models.FloatField(null=True, blank=True)
    split_folds = models.PositiveSmallIntegerField(null=True, blank=True)
    split_made_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Lesion(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="lesions")
    lesion_id = models.CharField(max_length=64)
    diagnosis = models.CharField(max_length=8, choices=Diagnosis.choices, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "lesion_id"], name="unique_lesion_per_dataset"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lesion_id} ({self.diagnosis})"


def image_upload_to(instance: Image, filename: str) -> str:
    # The stored name is the public id: the file system never names the ISIC id or diagnosis.
    return f"lesions/{instance.dataset_id}/{instance.public_id}.jpg"


class Image(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="images")
    lesion = models.ForeignKey(Lesion, on_delete=models.CASCADE, related_name="images")
    image_id = models.CharField(max_length=64, help_text=_("ISIC id or the source's own id"))
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    file = models.FileField(upload_to=image_upload_to, max_length=300)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    # Clinical data as published; missing stays missing (age NULL, sex/site "unknown").
    age = models.FloatField(null=True, blank=True)
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    localization = models.CharField(
        max_length=20, choices=Localization.choices, default=Localization.UNKNOWN
    )
    # How the diagnosis was confirmed. It gives the label away: stored, never a model input.
    dx_type = models.CharField(max_length=12, choices=DxType.choices, blank=True)
    source_dataset = models.CharField(
        max_length=40, blank=True, help_text=_("HAM10000's optional eighth column")
    )
    is_synthetic = models.BooleanField(default=False)
    source_run = models.CharField(
        max_length=100, blank=True, help_text=_("The generator run that made a synthetic image")
    )
    partition = models.CharField(
        max_length=8, choices=Partition.choices, null=True, blank=True, db_index=True
    )
    fold = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["dataset_id", "image_id"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "image_id"], name="unique_image_per_dataset")
        ]
        indexes = [models.Index(fields=["dataset", "partition", "fold"])]

    def __str__(self) -> str:
        return self.image_id

    @property
    def diagnosis(self) -> str:
        return self.lesion.diagnosis
