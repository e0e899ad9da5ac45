"""Factories for the contests app's tests: studies, phases with cases, readers, predictions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import factory
from django.utils import timezone

from classifier.models import Prediction, RunSource, TrainingRun
from contests.models import Case, Phase, Study, StudyStatus
from contests.services.invitations import invitation_accept, invitation_create_batch
from lesions.codes import DIAGNOSES
from lesions.models import Image
from tests.lesions.factories import DatasetFactory, ImageFactory


class StudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Study

    title = factory.Sequence(lambda n: f"Study {n}")
    consent_text = "I agree to take part."
    consent_version = "1"
    status = StudyStatus.OPEN


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    study = factory.SubFactory(StudyFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Phase {n}")


class TrainingRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRun

    name = factory.Sequence(lambda n: f"run-{n}")
    source = RunSource.IMPORTED


def add_cases(phase: Phase, n: int, *, diagnoses: Sequence[str] = DIAGNOSES) -> list[Case]:
    """``n`` held-out images, one lesion each, cycling through the diagnoses, as cases."""
    dataset = phase.study.dataset or DatasetFactory(name="contest-images")
    start = phase.cases.count()
    cases = []
    for i in range(n):
        image = ImageFactory.create(
            lesion__dataset=dataset, lesion__diagnosis=diagnoses[(start + i) % len(diagnoses)]
        )
        cases.append(Case.objects.create(phase=phase, image=image, position=start + i + 1))
    return cases


def predict(run: TrainingRun, images: Sequence[Image], *, top: str = "mel", p: float = 0.7) -> None:
    """A prediction for every image: ``top`` with probability ``p``, the rest shared equally."""
    rest = (1.0 - p) / (len(DIAGNOSES) - 1)
    probabilities = {code: (p if code == top else rest) for code in DIAGNOSES}
    Prediction.objects.bulk_create(
        [
            Prediction(run=run, image=image, probabilities=probabilities, predicted=top)
            for image in images
        ]
    )


def make_participant(study: Study, *, now: datetime | None = None, **kwargs: Any) -> Any:
    """A reader who came through a link and consented; returns (participant, token)."""
    now = now or timezone.now()
    [(invitation, token)] = invitation_create_batch(study=study, n=1, now=now)
    participant = invitation_accept(
        invitation=invitation, consent_version=study.consent_version, language="en", now=now
    )
    for name, value in kwargs.items():
        setattr(participant, name, value)
    if kwargs:
        participant.save()
    return participant, token
