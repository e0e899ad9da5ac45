"""Participants: pseudonyms, consent and the short profile."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from contests.models import ConsentRefusal, DermoscopyTraining, Participant, Specialty, Study
from contests.services.designs import participant_arm_draw
from contests.services.errors import ConsentError, ContestError
from contests.services.locking import lock_row

REAL_PREFIX = "R"
SIMULATED_PREFIX = "S"


def _next_pseudonym(*, study: Study, prefix: str) -> str:
    taken = set(
        Participant.objects.filter(study=study, pseudonym__startswith=prefix).values_list(
            "pseudonym", flat=True
        )
    )
    n = len(taken) + 1
    while f"{prefix}{n:03d}" in taken:
        n += 1
    return f"{prefix}{n:03d}"


def consent_version_check(*, study: Study, consent_version: str, declined: bool = False) -> None:
    """Refuse (``ConsentError``) consent given or declined to another text than the study's
    current one, the version the page showed: a stale or forged version counts for nothing."""
    if consent_version == study.consent_version:
        return
    if declined:
        raise ConsentError(
            f"Declined version {consent_version[:40]!r}; "
            f"the study's text is version {study.consent_version!r}."
        )
    raise ConsentError(
        _("Consent was given to version %(given)r; the study's text is version %(current)r.")
        % {"given": consent_version[:40], "current": study.consent_version}
    )


@transaction.atomic
def participant_create(
    *,
    study: Study,
    consent_version: str,
    now: datetime,
    language: str = "en",
    is_simulated: bool = False,
) -> Participant:
    """A new pseudonymous reader (R001, ...; simulated readers S001, ...) who has consented,
    randomised to an arm where the study's design has two."""
    consent_version_check(study=study, consent_version=consent_version)
    # Lock the study so that two readers arriving together get different pseudonyms.
    lock_row(Study, study.pk, "consent_version")
    prefix = SIMULATED_PREFIX if is_simulated else REAL_PREFIX
    return Participant.objects.create(
        study=study,
        pseudonym=_next_pseudonym(study=study, prefix=prefix),
        is_simulated=is_simulated,
        language=language,
        consent_version=consent_version,
        consented_at=now,
        created_at=now,
        last_seen_at=now,
        arm=participant_arm_draw(study=study, is_simulated=is_simulated),
    )


@transaction.atomic
def consent_refuse(*, study: Study, consent_version: str, now: datetime) -> ConsentRefusal:
    """Somebody declined: store that and the text's version, nothing that says who."""
    return ConsentRefusal.objects.create(
        study=study, consent_version=consent_version, refused_at=now
    )


@transaction.atomic
def participant_profile_update(
    *,
    participant: Participant,
    years_in_practice: int,
    specialty: str,
    dermoscopy_training: str,
    country: str,
    now: datetime,
    language: str | None = None,
) -> Participant:
    if years_in_practice < 0 or years_in_practice > 80:
        raise ContestError(
            _("Years in practice must be between 0 and 80, not %(years)s.")
            % {"years": years_in_practice}
        )
    if specialty not in Specialty.values:
        raise ContestError(_("Unknown specialty %(specialty)r.") % {"specialty": specialty})
    if dermoscopy_training not in DermoscopyTraining.values:
        raise ContestError(
            _("Unknown dermoscopy training %(training)r.") % {"training": dermoscopy_training}
        )
    participant.years_in_practice = years_in_practice
    participant.specialty = specialty
    participant.dermoscopy_training = dermoscopy_training
    participant.country = country.strip()[:80]
    if language is not None:
        participant.language = language
    participant.profile_completed_at = participant.profile_completed_at or now
    participant.save(
        update_fields=[
            "years_in_practice",
            "specialty",
            "dermoscopy_training",
            "country",
            "language",
            "profile_completed_at",
        ]
    )
    return participant


def participant_touch(*, participant: Participant, now: datetime) -> None:
    """Note when the reader was last seen (one UPDATE; never races with the services above)."""
    Participant.objects.filter(pk=participant.pk).update(last_seen_at=now)
    participant.last_seen_at = now
