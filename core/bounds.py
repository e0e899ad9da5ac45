"""Bounds on the numbers a researcher types, one definition for forms, API and admin alike.

A ``Bounds`` gives the model field's validators (which ModelForms, the admin and DRF's
ModelSerializers inherit), the limits of a plain form field (``low``, ``high``), the test a
service applies (``contains``), and the database check constraint that keeps a value that would
break pages out of the table, whatever wrote it. Floats must also be finite: ``inf`` and
``nan`` pass a plain range check in surprising ways.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_finite(value: float | None) -> None:
    if value is not None and not math.isfinite(value):
        raise ValidationError(_("Enter a finite number."), code="not_finite")


@dataclass(frozen=True)
class Bounds:
    low: float
    high: float

    def contains(self, value: float | None) -> bool:
        return value is not None and math.isfinite(value) and self.low <= value <= self.high

    def validators(self) -> list[Any]:
        return [validate_finite, MinValueValidator(self.low), MaxValueValidator(self.high)]

    def constraint(
        self, field: str, name: str, *, nullable: bool = False
    ) -> models.CheckConstraint:
        inside = models.Q(**{f"{field}__gte": self.low, f"{field}__lte": self.high})
        if nullable:
            inside |= models.Q(**{f"{field}__isnull": True})
        return models.CheckConstraint(condition=inside, name=name)


# contests
GRACE_SECONDS = Bounds(0, 30)
TIME_LIMIT_SECONDS = Bounds(5, 3600)
INVITATION_EXPIRY_DAYS = Bounds(1, 365)
SHARE = Bounds(0, 1)
SEED = Bounds(0, 2**31 - 1)
# classifier
EPOCHS = Bounds(1, 1000)
BATCH_SIZE = Bounds(1, 4096)
LEARNING_RATE = Bounds(1e-8, 10)
WEIGHT_DECAY = Bounds(0, 1)
DROPOUT = Bounds(0, 0.99)
PATIENCE = Bounds(1, 1000)
INPUT_SIDE = Bounds(16, 2048)
SYNTHETIC_PER_CLASS = Bounds(0, 100_000)
