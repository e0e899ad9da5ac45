"""Building the ready-made studies of ``contests.presets`` through the builder's services."""

from __future__ import annotations

from django.db import transaction

from classifier.models import TrainingRun
from contests.models import HintStyle, Phase, Study, StudyStatus
from contests.presets import PAPER_CONSENT, PAPER_PHASES
from contests.selectors.hints import phase_images_without_hint
from contests.services.builder import (
    phase_cases_draw,
    phase_create,
    study_create,
    study_phases_with_cases,
)
from contests.services.errors import BuilderError
from lesions.models import Dataset


@transaction.atomic
def study_create_paper(
    *,
    dataset: Dataset,
    hint_run: TrainingRun,
    hint_style: str = HintStyle.ALL,
    seed: int = 0,
    title: str = "Pigmented skin lesions: GPs, GPs with AI, and the AI",
    scale: float = 1.0,
) -> Study:
    """The paper's study over the data set's held-out split; ``scale`` shrinks every phase
    (at least one case each) for small catalogues and tests."""
    if hint_style not in (HintStyle.ALL, HintStyle.TOP):
        raise BuilderError(f"The AI phase shows 'all' or 'top', not {hint_style!r}.")
    if not 0 < scale <= 1:
        raise BuilderError(f"The scale must be in (0, 1], not {scale}.")
    study = study_create(
        title=title,
        description="Contest 1 untimed; contest 2 timed, without and then with the AI's answer.",
        consent_text=PAPER_CONSENT,
        dataset=dataset,
    )
    for i, spec in enumerate(PAPER_PHASES):
        phase = phase_create(
            study=study,
            title=spec.title,
            time_limit_seconds=spec.time_limit_seconds,
            hint_style=hint_style if spec.hint else HintStyle.NONE,
            hint_run_id=hint_run.pk if spec.hint else None,
            gated=spec.gated,
            instructions=spec.instructions,
        )
        phase_cases_draw(
            phase=phase, dataset=dataset, n=max(1, round(spec.cases * scale)), seed=seed + i
        )
    return study


@transaction.atomic
def study_open_waiting_for_hints(*, study: Study) -> list[Phase]:
    """Open a study whose hint phases may still lack predictions; returns those phases.

    Readers can start the other phases at once; a waiting hint phase stays locked for them
    ("being prepared") until its model's predictions exist for all its images.
    """
    phases = study_phases_with_cases(study=study)
    study.status = StudyStatus.OPEN
    study.save(update_fields=["status"])
    return [phase for phase in phases if phase_images_without_hint(phase=phase)]
