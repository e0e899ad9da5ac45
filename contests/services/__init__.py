"""Writes of the contests app. Every function is keyword-only and takes ``now`` where time matters.

Builder (``contests.services.builder``)
    study_create(*, title, description="", consent_text="", consent_version="1",
                 languages=("en", "es"), grace_seconds=2.0, show_score_after_close=False,
                 dataset=None) -> Study
    phase_create(*, study, title, order=None, time_limit_seconds=None, hint_style="none",
                 hint_run_id=None, case_order="shuffled", gated=False, instructions="",
                 opens_at=None, closes_at=None) -> Phase
    phase_cases_draw(*, phase, dataset, n, seed=0, proportions=None) -> list[Case]
    phase_cases_set(*, phase, images) -> list[Case]
    study_open(*, study) -> Study            # refuses phases without cases or missing hints
    study_close(*, study, now=None) -> Study

Invitations (``contests.services.invitations``)
    invitation_create_batch(*, study, n, now, expires_at=None, label="")
        -> list[tuple[Invitation, str]]   # the tokens exist only in this return value
    invitation_revoke(*, invitation, now) -> Invitation
    invitation_redeem(*, token, now) -> Invitation          # validates, writes nothing
    invitation_accept(*, invitation, consent_version, language, now) -> Participant
    invitation_decline(*, invitation, consent_version, now) -> ConsentRefusal
    token_hash(token) -> str

Participants (``contests.services.participants``)
    participant_create(*, study, consent_version, now, language="en", is_simulated=False)
        -> Participant                    # R001... real, S001... simulated
    consent_refuse(*, study, consent_version, now) -> ConsentRefusal
    participant_profile_update(*, participant, years_in_practice, specialty,
                               dermoscopy_training, country, now, language=None) -> Participant
    participant_touch(*, participant, now) -> None

Readings (``contests.services.readings``)
    reading_serve_next(*, participant, phase, now) -> Reading | None   # None: phase done
    reading_submit(*, reading, diagnosis, now) -> Reading
    reading_time_out(*, reading, now) -> Reading
    phase_expire_readings(*, participant, phase, now) -> int

Refusals raise subclasses of ``contests.services.errors.ContestError``: InvitationInvalid,
ConsentError, PhaseLocked, ReadingClosed, NotYetDue, BuilderError.
Reads (progress, lock reasons, orders, hints) live in ``contests.selectors``.
"""

from contests.services.builder import (
    phase_cases_draw,
    phase_cases_set,
    phase_create,
    study_close,
    study_create,
    study_open,
)
from contests.services.errors import (
    BuilderError,
    ConsentError,
    ContestError,
    InvitationInvalid,
    NotYetDue,
    PhaseLocked,
    ReadingClosed,
)
from contests.services.invitations import (
    invitation_accept,
    invitation_create_batch,
    invitation_decline,
    invitation_redeem,
    invitation_revoke,
    token_hash,
)
from contests.services.participants import (
    consent_refuse,
    participant_create,
    participant_profile_update,
    participant_touch,
)
from contests.services.readings import (
    phase_expire_readings,
    reading_serve_next,
    reading_submit,
    reading_time_out,
)

__all__ = [
    "BuilderError",
    "ConsentError",
    "ContestError",
    "InvitationInvalid",
    "NotYetDue",
    "PhaseLocked",
    "ReadingClosed",
    "consent_refuse",
    "invitation_accept",
    "invitation_create_batch",
    "invitation_decline",
    "invitation_redeem",
    "invitation_revoke",
    "participant_create",
    "participant_profile_update",
    "participant_touch",
    "phase_cases_draw",
    "phase_cases_set",
    "phase_create",
    "phase_expire_readings",
    "reading_serve_next",
    "reading_submit",
    "reading_time_out",
    "study_close",
    "study_create",
    "study_open",
    "token_hash",
]
