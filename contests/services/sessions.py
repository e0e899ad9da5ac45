"""A crossover's sessions: the optional e-mail that tells a reader their next session is open.

The address is the only personal datum the platform ever keeps, so it is optional, used for one
message, and erased as soon as that message is sent. The message goes through Django's e-mail
backend (``EMAIL_URL``); ``session_reminders_send`` runs as a periodic job and as a command.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from contests.designs import CROSSOVER
from contests.models import Participant, StudyStatus
from contests.selectors.designs import second_session_opening, study_paired_phases
from contests.services.errors import ContestError
from contests.services.locking import lock_row


@transaction.atomic
def participant_reminder_set(*, participant: Participant, email: str, now: datetime) -> Participant:
    """Keep ``email`` until the reader's next session opens; an empty one cancels the reminder."""
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise ContestError(_("This is not an e-mail address.")) from error
    if participant.study.design != CROSSOVER:
        raise ContestError(_("This study has no second session to be reminded of."))
    participant.reminder_email = email
    participant.reminder_sent_at = None
    participant.save(update_fields=["reminder_email", "reminder_sent_at"])
    return participant


def _message(participant: Participant) -> tuple[str, str]:
    with translation.override(participant.language or "en"):
        subject = _("Your second session is open: %(study)s") % {"study": participant.study.title}
        body = _(
            "Hello,\n\nthe second session of the study “%(study)s” is open for you now. Please "
            "use the same invitation link as for your first session.\n\nYou asked for this one "
            "reminder; your address has now been erased.\n"
        ) % {"study": participant.study.title}
    return str(subject), str(body)


def session_reminders_send(*, now: datetime) -> int:
    """E-mail every reader whose second session has opened and who asked to be reminded; the
    address is erased in the same transaction as the sending. Returns the number sent."""
    waiting = Participant.objects.filter(
        study__design=CROSSOVER,
        study__status=StudyStatus.OPEN,
        reminder_sent_at__isnull=True,
    ).exclude(reminder_email="")
    sent = 0
    for participant in waiting.select_related("study"):
        pair = study_paired_phases(study=participant.study)
        if pair is None:
            continue
        with transaction.atomic():
            lock_row(Participant, participant.pk, "order_seed")
            fresh = Participant.objects.select_related("study").get(pk=participant.pk)
            if not fresh.reminder_email or fresh.reminder_sent_at is not None:
                continue  # another run sent it meanwhile
            opening = next(
                (
                    found
                    for phase in pair
                    if (found := second_session_opening(participant=fresh, phase=phase, now=now))
                ),
                None,
            )
            if opening is None or opening.opens_at is None or now < opening.opens_at:
                continue
            subject, body = _message(fresh)
            address = fresh.reminder_email
            fresh.reminder_email = ""
            fresh.reminder_sent_at = now
            fresh.save(update_fields=["reminder_email", "reminder_sent_at"])
            # Sent last: if the backend fails, the transaction rolls back and the next run retries.
            send_mail(subject, body, None, [address])
        sent += 1
    return sent
