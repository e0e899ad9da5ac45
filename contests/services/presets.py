"""Building the ready-made studies of ``contests.presets`` through the builder's services."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from classifier.models import TrainingRun
from contests.models import HintStyle, Phase, Study, StudyDesign, StudyStatus
from contests.presets import (
    CROSSOVER_CONSENT,
    CROSSOVER_DESCRIPTION,
    CROSSOVER_PHASES,
    CROSSOVER_TITLE,
    CROSSOVER_WASHOUT_DAYS,
    PAPER_CONSENT,
    PAPER_COUNTERBALANCED,
    PAPER_DESCRIPTION,
    PAPER_PHASES,
    PAPER_TITLE,
    PhaseSpec,
)
from contests.selectors.designs import study_design_problem
from contests.selectors.hints import phase_images_without_hint
from contests.services.builder import (
    phase_cases_draw,
    phase_create,
    study_create,
    study_phases_with_cases,
)
from contests.services.designs import phase_cases_share, phases_counterbalance
from contests.services.errors import BuilderError
from lesions.models import Dataset


def _spanish(
    *, title: str, default_title: dict[str, str], description: str, consent: dict[str, str]
) -> dict[str, dict[str, str]]:
    """The preset's texts in Spanish (its title too, unless the researcher named the study)."""
    texts = {"description": description, "consent_text": consent["es"]}
    if title == default_title["en"]:
        texts["title"] = default_title["es"]
    return {"es": texts}


@transaction.atomic
def study_create_paper(
    *,
    dataset: Dataset,
    hint_run: TrainingRun,
    hint_style: str = HintStyle.ALL,
    seed: int = 0,
    title: str = PAPER_TITLE["en"],
    scale: float = 1.0,
    counterbalanced: bool = False,
    asks_confidence: bool = False,
    block_size: int = 4,
) -> Study:
    """The paper's study over the data set's held-out split; ``scale`` shrinks every phase
    (at least one case each) for small catalogues and tests. ``counterbalanced``: contest 2's
    two image sets swap between its phases for half the readers (randomised in blocks)."""
    _check_preset(hint_style, scale)
    description = dict(PAPER_DESCRIPTION)
    if counterbalanced:
        description = {
            code: text + PAPER_COUNTERBALANCED[code] for code, text in description.items()
        }
    study = study_create(
        title=title,
        description=description["en"],
        consent_text=PAPER_CONSENT["en"],
        texts=_spanish(
            title=title,
            default_title=PAPER_TITLE,
            description=description["es"],
            consent=PAPER_CONSENT,
        ),
        dataset=dataset,
        design=StudyDesign.COUNTERBALANCED if counterbalanced else StudyDesign.SEQUENTIAL,
        asks_confidence=asks_confidence,
        block_size=block_size,
    )
    phases = _build_phases(study, PAPER_PHASES, dataset, hint_run, hint_style, seed, scale)
    if counterbalanced:
        phases_counterbalance(first=phases[1], second=phases[2])
    return study


def _check_preset(hint_style: str, scale: float) -> None:
    if hint_style not in (HintStyle.ALL, HintStyle.TOP):
        raise BuilderError(
            _("The AI phase shows 'all' or 'top', not %(style)r.") % {"style": hint_style}
        )
    if not 0 < scale <= 1:
        raise BuilderError(_("The scale must be in (0, 1], not %(scale)s.") % {"scale": scale})


def _build_phases(
    study: Study,
    specs: tuple[PhaseSpec, ...],
    dataset: Dataset,
    hint_run: TrainingRun,
    hint_style: str,
    seed: int,
    scale: float,
    *,
    draw: int | None = None,
) -> list[Phase]:
    """The phases of a preset; the first ``draw`` of them (all by default) with drawn cases."""
    phases = []
    for i, spec in enumerate(specs):
        phase = phase_create(
            study=study,
            title=spec.title,
            time_limit_seconds=spec.time_limit_seconds,
            hint_style=hint_style if spec.hint else HintStyle.NONE,
            hint_run_id=hint_run.pk if spec.hint else None,
            gated=spec.gated,
            instructions=spec.instructions,
            texts={"es": spec.texts()["es"]},
        )
        if draw is None or i < draw:
            phase_cases_draw(
                phase=phase, dataset=dataset, n=max(1, round(spec.cases * scale)), seed=seed + i
            )
        phases.append(phase)
    return phases


@transaction.atomic
def study_create_crossover(
    *,
    dataset: Dataset,
    hint_run: TrainingRun,
    hint_style: str = HintStyle.ALL,
    seed: int = 0,
    title: str = CROSSOVER_TITLE["en"],
    scale: float = 1.0,
    washout_days: int = CROSSOVER_WASHOUT_DAYS,
    asks_confidence: bool = False,
    block_size: int = 4,
) -> Study:
    """Two sessions over the same held-out images, without and with the AI's output; readers
    randomised in blocks to start with either; the second session opens ``washout_days`` after
    the reader finished the first."""
    _check_preset(hint_style, scale)
    study = study_create(
        title=title,
        description=CROSSOVER_DESCRIPTION["en"] % {"days": washout_days},
        consent_text=CROSSOVER_CONSENT["en"],
        texts=_spanish(
            title=title,
            default_title=CROSSOVER_TITLE,
            description=CROSSOVER_DESCRIPTION["es"] % {"days": washout_days},
            consent=CROSSOVER_CONSENT,
        ),
        dataset=dataset,
        design=StudyDesign.CROSSOVER,
        washout_days=washout_days,
        asks_confidence=asks_confidence,
        block_size=block_size,
    )
    without, with_ai = _build_phases(
        study, CROSSOVER_PHASES, dataset, hint_run, hint_style, seed, scale, draw=1
    )
    phase_cases_share(phase=with_ai, source=without)
    return study


@transaction.atomic
def study_open_waiting_for_hints(*, study: Study) -> list[Phase]:
    """Open a study whose hint phases may still lack predictions; returns those phases.

    Readers can start the other phases at once; a waiting hint phase stays locked for them
    ("being prepared") until its model's predictions exist for all its images.
    """
    problem = study_design_problem(study=study)
    if problem is not None:
        raise BuilderError(problem)
    phases = study_phases_with_cases(study=study)
    study.status = StudyStatus.OPEN
    study.save(update_fields=["status"])
    return [phase for phase in phases if phase_images_without_hint(phase=phase)]


PRESETS: tuple[str, ...] = ("paper", "crossover")


def study_create_from_preset(
    *,
    preset: str,
    dataset: Dataset,
    hint_run: TrainingRun,
    hint_style: str = HintStyle.ALL,
    seed: int = 0,
    title: str = "",
    scale: float = 1.0,
    counterbalanced: bool = False,
    washout_days: int = CROSSOVER_WASHOUT_DAYS,
    asks_confidence: bool = False,
    block_size: int = 4,
) -> Study:
    """One entry for the command, the researcher's page and the API: ``paper`` (optionally
    counterbalanced) or ``crossover`` (with its washout)."""
    if preset not in PRESETS:
        raise BuilderError(
            _("Unknown preset %(preset)r; choose one of %(presets)s.")
            % {"preset": preset, "presets": ", ".join(PRESETS)}
        )
    if preset == "crossover" and counterbalanced:
        raise BuilderError(_("A crossover reads the same images twice: nothing to swap."))
    if preset == "paper":
        return study_create_paper(
            dataset=dataset,
            hint_run=hint_run,
            hint_style=hint_style,
            seed=seed,
            title=title.strip() or PAPER_TITLE["en"],
            scale=scale,
            counterbalanced=counterbalanced,
            asks_confidence=asks_confidence,
            block_size=block_size,
        )
    return study_create_crossover(
        dataset=dataset,
        hint_run=hint_run,
        hint_style=hint_style,
        seed=seed,
        title=title.strip() or CROSSOVER_TITLE["en"],
        scale=scale,
        washout_days=washout_days,
        asks_confidence=asks_confidence,
        block_size=block_size,
    )
