"""Building the study designs of ``contests.designs``: paired phases, image sets, reader arms.

The builder's rule "no lesion appears in two phases of a study" has one exception, and it is
modelled here explicitly: a phase may show another phase's images when it is linked to it by
``Phase.shares_cases_with``. A crossover's two sessions show the same images (one phase copies
the other's cases); counterbalanced phases each hold both image sets A and B. Between any other
two phases the rule holds as before (``contests.services.builder``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from contests.designs import PAIRED_DESIGNS, SET_A, SET_B, arm_for
from contests.models import Case, Participant, Phase, Reading, Study
from contests.services.errors import BuilderError


def _check_pairable(phase: Phase, other: Phase) -> None:
    if phase.pk == other.pk or phase.study_id != other.study_id:
        raise BuilderError(_("Pair two different phases of the same study."))
    if phase.study.design not in PAIRED_DESIGNS:
        raise BuilderError(
            _("A %(design)s study pairs no phases.") % {"design": phase.study.get_design_display()}
        )
    if Phase.objects.filter(study=phase.study_id, shares_cases_with__isnull=False).exists():
        raise BuilderError(_("The study's two phases are already paired."))
    if Reading.objects.filter(case__phase__in=[phase, other]).exists():
        raise BuilderError(_("These phases have readings: their cases can no longer change."))
    if not other.cases.exists():
        raise BuilderError(
            _("Phase %(order)s (%(title)s) has no cases.")
            % {"order": other.order, "title": other.title}
        )


@transaction.atomic
def phase_cases_share(*, phase: Phase, source: Phase) -> list[Case]:
    """A crossover's other session: ``phase`` shows exactly ``source``'s images, in the same
    places (new opaque keys), and is linked to it as the phase that shares its cases."""
    _check_pairable(phase, source)
    phase.cases.all().delete()
    cases = Case.objects.bulk_create(
        [
            Case(phase=phase, image_id=case.image_id, position=case.position)
            for case in source.cases.order_by("position")
        ]
    )
    phase.shares_cases_with = source
    phase.save(update_fields=["shares_cases_with"])
    return cases


@transaction.atomic
def phases_counterbalance(*, first: Phase, second: Phase) -> None:
    """Counterbalanced image sets: ``first``'s cases become set A and ``second``'s set B, and
    each phase also gets the other's set, so that a reader can read either set in either."""
    _check_pairable(second, first)
    if not second.cases.exists():
        raise BuilderError(
            _("Phase %(order)s (%(title)s) has no cases.")
            % {"order": second.order, "title": second.title}
        )
    set_a = list(first.cases.order_by("position"))
    set_b = list(second.cases.order_by("position"))
    if len(set_a) != len(set_b):
        raise BuilderError(
            _("Counterbalanced image sets need the same size: %(a)s and %(b)s.")
            % {"a": len(set_a), "b": len(set_b)}
        )
    first.cases.update(image_set=SET_A)
    second.cases.update(image_set=SET_B)
    for phase, own, other_set, label in (
        (first, set_a, set_b, SET_B),
        (second, set_b, set_a, SET_A),
    ):
        start = max(case.position for case in own)
        Case.objects.bulk_create(
            [
                Case(phase=phase, image_id=case.image_id, position=start + i + 1, image_set=label)
                for i, case in enumerate(other_set)
            ]
        )
    second.shares_cases_with = first
    second.save(update_fields=["shares_cases_with"])


def participant_arm_draw(*, study: Study, is_simulated: bool) -> int | None:
    """The arm of the study's next reader of this kind, from the study's blocked randomisation.

    Real and simulated readers are randomised in separate streams, so simulated readers never
    unbalance the real ones' blocks. The caller holds the study's row lock.
    """
    if study.design not in PAIRED_DESIGNS:
        return None
    index = Participant.objects.filter(study=study, is_simulated=is_simulated).count()
    return arm_for(
        seed=study.randomisation_seed,
        stream="simulated" if is_simulated else "real",
        index=index,
        size=study.block_size,
    )
