"""Ready-made studies. ``paper``: the two contests of the 2020 study, as three phases.

Contest 1: 163 held-out images, untimed, free to leave and come back. Contest 2: 35 images at 45 s
each without a hint, then a new set of 35 at 45 s with the AI's output shown, opening only when
the first half is done. No lesion appears in two phases.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from classifier.models import TrainingRun
from contests.models import HintStyle, Phase, Study, StudyStatus
from contests.selectors.hints import phase_images_without_hint
from contests.services import BuilderError, phase_cases_draw, phase_create, study_create
from contests.services.builder import study_phases_with_cases
from lesions.models import Dataset, Partition

PAPER_CONSENT = (
    "You are invited to take part in a study on how general practitioners classify "
    "dermoscopic images of pigmented skin lesions, with and without the help of an AI model. "
    "You will see images with the patient's age, sex and the lesion's site, and choose one of "
    "seven diagnoses. Some parts are timed. Your answers are stored under a pseudonym; your "
    "name is never asked. You may stop at any time.\n\n"
    # Study texts are stored once, not per language: the consent is given in both.
    "Le invitamos a participar en un estudio sobre cómo los médicos generalistas clasifican "
    "imágenes dermatoscópicas de lesiones cutáneas pigmentadas, con y sin la ayuda de un modelo "
    "de inteligencia artificial. Verá imágenes con la edad y el sexo del paciente y la "
    "localización de la lesión, y elegirá uno de siete diagnósticos. Algunas partes tienen "
    "tiempo limitado. Sus respuestas se guardan bajo un seudónimo; nunca se le pide su nombre. "
    "Puede abandonar el estudio en cualquier momento."
)


@dataclass(frozen=True)
class PhaseSpec:
    title: str
    cases: int
    time_limit_seconds: int | None = None
    hint: bool = False
    gated: bool = False
    instructions: str = ""


PAPER_PHASES = (
    PhaseSpec(
        title="Contest 1: untimed",
        cases=163,
        instructions="Take your time. You can leave and come back to where you were.",
    ),
    PhaseSpec(
        title="Contest 2: 45 seconds per image",
        cases=35,
        time_limit_seconds=45,
        instructions="You have 45 seconds for each image; the page moves on by itself.",
    ),
    PhaseSpec(
        title="Contest 2: 45 seconds, with the AI's answer",
        cases=35,
        time_limit_seconds=45,
        hint=True,
        gated=True,
        instructions="The AI's answer is shown beside each image. You decide.",
    ),
)


def hint_run_for(*, dataset: Dataset) -> TrainingRun | None:
    """The model to show as hints: the run with predictions for most held-out images of the set,
    else the newest run trained on the set (its predictions may still be on their way)."""
    held_out = Q(predictions__image__dataset=dataset, predictions__image__partition=Partition.TEST)
    best = (
        TrainingRun.objects.annotate(n=Count("predictions", filter=held_out))
        .filter(n__gt=0)
        .order_by("-n", "-created_at")
        .first()
    )
    if best is not None:
        return best
    return TrainingRun.objects.filter(experiment__dataset=dataset).order_by("-created_at").first()


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
