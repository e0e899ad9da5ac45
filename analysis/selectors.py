"""Reads: a study's readings as the long table of ``analysis.frames``, and the DNN evaluations.

Only closed readings enter (answered or timed out); a reading still pending is a case in
progress, not a result. The AI columns hold the study's hint model's prediction for every
image, in every phase, so that the phase without hint can be compared with the same model.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import Count, Max

from analysis import frames as F
from analysis import planning, readings_report
from classifier.models import Evaluation, Prediction, TrainingRun
from contests.designs import CROSSOVER, paired_phase_order, sequence_label, session_of
from contests.models import Outcome, Phase, Reading, Study
from contests.selectors.designs import study_paired_phases
from lesions.codes import DIAGNOSES

PROFILE_FIELDS: dict[str, str] = {
    "participant__years_in_practice": F.YEARS_IN_PRACTICE,
    "participant__specialty": "profile_specialty",
    "participant__dermoscopy_training": "profile_dermoscopy_training",
    "participant__country": "profile_country",
    "participant__language": "profile_language",
}


def phase_kind(phase: Phase) -> str:
    if phase.has_hint:
        return F.HINT
    return F.TIMED if phase.is_timed else F.UNTIMED


def phase_label(phase: Phase) -> str:
    return f"{phase.order}. {phase.title}"


def study_model_run(study: Study) -> TrainingRun | None:
    """The model compared with the readers: the hint model of the study's first hint phase."""
    phase = (
        study.phases.exclude(hint_run__isnull=True).select_related("hint_run").order_by("order")
    ).first()
    return phase.hint_run if phase is not None else None


def _predictions(run: TrainingRun | None, image_ids: list[int]) -> dict[int, dict[str, Any]]:
    if run is None or not image_ids:
        return {}
    rows = Prediction.objects.filter(run=run, image_id__in=image_ids).values_list(
        "image_id", "probabilities", "predicted"
    )
    return {image: {"p": probs, "top": top} for image, probs, top in rows}


def _design_labels(
    study: Study, phases: dict[int, Phase]
) -> dict[tuple[object, int], tuple[int, int]]:
    """(session, period) of every (arm, phase): the order each arm takes the study's phases."""
    ordered = sorted(phases.values(), key=lambda phase: phase.order)
    pair = study_paired_phases(study=study)
    labels: dict[tuple[object, int], tuple[int, int]] = {}
    for arm in (None, 0, 1):
        order = [phase.pk for phase in ordered]
        second_paired = None
        if pair is not None:
            first, second = paired_phase_order(arm=arm, design=study.design)
            mine = (pair[first].pk, pair[second].pk)
            second_paired = mine[1]
            if study.design == CROSSOVER and first == 1:
                a, b = order.index(pair[0].pk), order.index(pair[1].pk)
                order[a], order[b] = order[b], order[a]
        for period, phase_id in enumerate(order, start=1):
            session = session_of(design=study.design, is_second_paired=phase_id == second_paired)
            labels[(arm, phase_id)] = (session, period)
    return labels


def study_readings(
    study: Study, *, include_simulated: bool = False, run: TrainingRun | None = None
) -> pd.DataFrame:
    """One row per closed reading of the study (columns of ``analysis.frames``)."""
    phases = {p.pk: p for p in study.phases.all()}
    readings = Reading.objects.filter(
        case__phase__study=study, outcome__in=[Outcome.ANSWERED, Outcome.TIMED_OUT]
    )
    if not include_simulated:
        readings = readings.filter(participant__is_simulated=False)
    fields = [
        "case__phase_id",
        "participant__pseudonym",
        "participant__is_simulated",
        *PROFILE_FIELDS,
        "case_id",
        "case__image_id",
        "case__image__public_id",
        "case__image__lesion__diagnosis",
        "diagnosis",
        "outcome",
        "served_at",
        "answered_at",
        "elapsed_ms",
        "hint",
        "participant__arm",
        "case__image_set",
        "confidence",
    ]
    rows = list(
        readings.order_by("case__phase__order", "participant__pseudonym", "position").values_list(
            *fields
        )
    )
    if not rows:
        return F.empty()
    raw = pd.DataFrame(rows, columns=fields)
    model = run if run is not None else study_model_run(study)
    predictions = _predictions(model, sorted(set(raw["case__image_id"])))

    frame = pd.DataFrame(
        {
            F.STUDY: study.pk,
            F.PHASE: [phase_label(phases[p]) for p in raw["case__phase_id"]],
            F.PHASE_KIND: [phase_kind(phases[p]) for p in raw["case__phase_id"]],
            F.READER: raw["participant__pseudonym"],
            F.SIMULATED: raw["participant__is_simulated"].astype(bool),
        }
    )
    for field, column in PROFILE_FIELDS.items():
        values = raw[field]
        frame[column] = values.replace("", None) if values.dtype == object else values
    answered = raw["outcome"] == Outcome.ANSWERED
    frame[F.CASE] = raw["case_id"]
    frame[F.IMAGE] = raw["case__image__public_id"]
    frame[F.TRUTH] = raw["case__image__lesion__diagnosis"]
    frame[F.ANSWER] = raw["diagnosis"].where(answered & (raw["diagnosis"] != ""), None)
    frame[F.OUTCOME] = np.where(answered, F.ANSWERED, F.TIMED_OUT)
    frame[F.SERVED_AT] = pd.to_datetime(raw["served_at"], utc=True)
    frame[F.ANSWERED_AT] = pd.to_datetime(raw["answered_at"], utc=True)
    frame[F.ELAPSED_MS] = pd.to_numeric(raw["elapsed_ms"], errors="coerce").astype(float)
    hints = raw["hint"]
    frame[F.HINT_TOP] = [h.get("top") if isinstance(h, dict) else None for h in hints]
    for code in DIAGNOSES:
        frame[F.HINT_PREFIX + code] = [
            float(h["probabilities"][code])
            if isinstance(h, dict) and isinstance(h.get("probabilities"), dict)
            else np.nan
            for h in hints
        ]
    ai = [predictions.get(i) for i in raw["case__image_id"]]
    frame[F.AI_TOP] = [p["top"] if p else None for p in ai]
    for code in DIAGNOSES:
        frame[F.AI_PREFIX + code] = [float(p["p"][code]) if p else np.nan for p in ai]
    labels = _design_labels(study, phases)
    arms = [None if pd.isna(arm) else int(arm) for arm in raw["participant__arm"]]
    places = [labels[(arm, p)] for arm, p in zip(arms, raw["case__phase_id"], strict=True)]
    frame[F.SESSION] = [session for session, _ in places]
    frame[F.PERIOD] = [period for _, period in places]
    frame[F.SEQUENCE] = [sequence_label(arm=arm, design=study.design) for arm in arms]
    frame[F.IMAGE_SET] = raw["case__image_set"]
    frame[F.CONFIDENCE] = pd.to_numeric(raw["confidence"], errors="coerce").astype(float)
    return frame


def studies_with_readings() -> list[dict[str, Any]]:
    """Every study with its number of closed readings, real and simulated."""
    out = []
    for study in Study.objects.order_by("-created_at"):
        closed = Reading.objects.filter(
            case__phase__study=study, outcome__in=[Outcome.ANSWERED, Outcome.TIMED_OUT]
        )
        out.append(
            {
                "study": study,
                "real": closed.filter(participant__is_simulated=False).count(),
                "simulated": closed.filter(participant__is_simulated=True).count(),
            }
        )
    return out


def evaluations_frame(split: str = "test") -> pd.DataFrame:
    """One row per evaluated run of an experiment, for the DNN tables."""
    rows = Evaluation.objects.filter(split=split, run__experiment__isnull=False).values_list(
        "run__experiment__architecture",
        "run__experiment__resolution",
        "run__experiment__use_clinical",
        "run__fold",
        "accuracy",
        "error_rate",
        "balanced_accuracy",
        "run__name",
    )
    columns = [
        "architecture",
        "resolution",
        "use_clinical",
        "fold",
        "accuracy",
        "error_rate",
        "balanced_accuracy",
        "run",
    ]
    return pd.DataFrame(list(rows), columns=columns)


def training_histories(run_ids: list[int] | None = None) -> dict[str, list[dict[str, Any]]]:
    runs = TrainingRun.objects.exclude(history=[])
    if run_ids is not None:
        runs = runs.filter(pk__in=run_ids)
    return {run.name: list(run.history) for run in runs.order_by("name")[:12]}


def study_pilot(study: Study) -> planning.Pilot | None:
    """The study's comparison without vs with the AI as a pilot (accuracy, real readers)."""
    frame = study_readings(study)
    report = readings_report.study_report(frame)
    return planning.pilot_from_report(report, title=study.title)


def study_plan(
    *,
    study: Study | None,
    effect: float | None,
    alpha: float,
    analysis: str,
    target: float,
    readers: tuple[int, ...],
    cases: tuple[int, ...],
) -> planning.Plan | None:
    """A study planned from ``study``'s comparison (the Van Dyke example when None); None when
    the study has no finished comparison to serve as a pilot."""
    pilot = planning.van_dyke_pilot() if study is None else study_pilot(study)
    if pilot is None:
        return None
    return planning.plan_study(
        pilot,
        effect=effect,
        alpha=alpha,
        analysis=analysis,
        target=target,
        readers=readers,
        cases=cases,
    )


def study_results_fingerprint(study: Study, *, include_simulated: bool = False) -> str:
    """A short digest that changes whenever the study's report would: its closed readings
    (count, last id, last answer or late answer), the model's predictions and the phases.

    A few aggregate queries, milliseconds: what the results page's cache is keyed by.
    """
    closed = Reading.objects.filter(
        case__phase__study=study, outcome__in=[Outcome.ANSWERED, Outcome.TIMED_OUT]
    )
    if not include_simulated:
        closed = closed.filter(participant__is_simulated=False)
    readings = closed.aggregate(
        n=Count("id"), last=Max("id"), answered=Max("answered_at"), late=Max("late_at")
    )
    run = study_model_run(study)
    predictions = (
        Prediction.objects.filter(run=run).aggregate(n=Count("id"), last=Max("id"))
        if run is not None
        else {}
    )
    phases = list(
        study.phases.order_by("order").values_list(
            "id", "order", "title", "time_limit_seconds", "hint_style", "hint_run_id"
        )
    )
    parts = (study.pk, include_simulated, sorted(readings.items()), sorted(predictions.items()))
    return hashlib.sha256(repr((parts, phases)).encode()).hexdigest()[:32]
