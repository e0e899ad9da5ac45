"""A study's content in each of its languages, and the consent versions it makes.

A study speaks the languages in ``Study.languages``, the first being its own: its title is
required in that one, and every other text falls back to it (contests/translation.py). A change
to the consent text of a study that has opened makes a new consent version: readers who agreed
to an older one are asked again before their next case, and their readings stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from contests.models import (
    ConsentText,
    Event,
    EventKind,
    Participant,
    Phase,
    Study,
    StudyStatus,
)
from contests.services.errors import BuilderError, ConsentError
from contests.services.locking import lock_row
from contests.services.participants import consent_refuse, consent_version_check
from contests.translation import PHASE_TEXT_FIELDS, STUDY_TEXT_FIELDS

# {"es": {"title": "...", "consent_text": "..."}}: a language's texts, each field optional.
Texts = Mapping[str, Mapping[str, str]]

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
TEXT_LIMITS = {"title": 200, "description": 20_000, "consent_text": 50_000, "instructions": 20_000}


def first_language(study: Study) -> str:
    """The study's own language: its first, where its title must be."""
    return next((code for code in study.languages if code in LANGUAGE_CODES), LANGUAGE_CODES[0])


def localized(field: str, language: str) -> str:
    """The column of ``field`` in ``language`` (modeltranslation's naming)."""
    return f"{field}_{language}"


def texts_of(obj: Study | Phase) -> dict[str, dict[str, str]]:
    """Every language's stored text of a study or phase, "" where it has none."""
    fields = STUDY_TEXT_FIELDS if isinstance(obj, Study) else PHASE_TEXT_FIELDS
    return {
        language: {field: getattr(obj, localized(field, language)) or "" for field in fields}
        for language in LANGUAGE_CODES
    }


def texts_columns(texts: Texts, *, fields: tuple[str, ...], languages: list[str]) -> dict[str, str]:
    """``texts`` as {column: text}, refused with a message naming what is wrong."""
    columns: dict[str, str] = {}
    for language, by_field in texts.items():
        if language not in languages:
            raise BuilderError(
                _("The study is in %(languages)s: it takes no text in %(language)r.")
                % {"languages": ", ".join(languages), "language": language}
            )
        for field, text in by_field.items():
            if field not in fields:
                raise BuilderError(
                    _("%(field)r is not a text of its own; the texts are %(fields)s.")
                    % {"field": field, "fields": ", ".join(fields)}
                )
            if not isinstance(text, str):
                raise BuilderError(_("The %(field)s must be text.") % {"field": field})
            if len(text) > TEXT_LIMITS[field]:
                raise BuilderError(
                    _("The %(field)s in %(language)s is longer than %(limit)s characters.")
                    % {"field": field, "language": language, "limit": TEXT_LIMITS[field]}
                )
            columns[localized(field, language)] = text.strip() if field == "title" else text
    return columns


def _apply(obj: Study | Phase, columns: Mapping[str, str], study: Study) -> list[str]:
    """Set the columns that change; refuse to leave the title empty in the first language."""
    changed = [name for name, text in columns.items() if (getattr(obj, name) or "") != text]
    for name in changed:
        setattr(obj, name, columns[name])
    title = localized("title", first_language(study))
    if not (getattr(obj, title) or "").strip():
        raise BuilderError(
            _("The title in the study's first language (%(language)s) cannot be empty.")
            % {"language": first_language(study)}
        )
    return changed


def consent_version_next(version: str) -> str:
    """ "3" -> "4"; "2026-03" -> "2026-03.2"; "2026-03.2" -> "2026-03.3"."""
    if version.isdigit():
        return str(int(version) + 1)
    match = re.fullmatch(r"(.*)\.(\d+)", version)
    if match:
        return f"{match.group(1)}.{int(match.group(2)) + 1}"
    return f"{version}.2"[:40]


def consent_text_record(*, study: Study) -> ConsentText:
    """Keep the study's consent text, in each language, under its current version."""
    texts = {code: getattr(study, localized("consent_text", code)) or "" for code in LANGUAGE_CODES}
    record, _created = ConsentText.objects.update_or_create(
        study=study, version=study.consent_version, defaults={"texts": texts}
    )
    return record


def consent_version_new(*, study: Study) -> Study:
    """After its consent text changed: a new version, kept, that readers must agree to."""
    study.consent_version = consent_version_next(study.consent_version)
    while ConsentText.objects.filter(study=study, version=study.consent_version).exists():
        study.consent_version = consent_version_next(study.consent_version)
    study.save(update_fields=["consent_version"])
    consent_text_record(study=study)
    return study


@transaction.atomic
def study_texts_update(*, study: Study, texts: Texts) -> Study:
    """Change a study's title, description or consent text in any of its languages, at any
    time. A changed consent text of a study that has opened is a new consent version."""
    lock_row(Study, study.pk, "consent_version")
    study.refresh_from_db()
    columns = texts_columns(texts, fields=STUDY_TEXT_FIELDS, languages=list(study.languages))
    changed = _apply(study, columns, study)
    if changed:
        study.save(update_fields=changed)
    if any(name.startswith("consent_text_") for name in changed):
        if study.status == StudyStatus.DRAFT:
            consent_text_record(study=study)  # nobody has agreed yet: the same version
        else:
            consent_version_new(study=study)
    return study


@transaction.atomic
def phase_texts_update(*, phase: Phase, texts: Texts) -> Phase:
    """Change a phase's title or instructions in any of its study's languages, at any time
    (the phase's rules and cases change only before the study opens)."""
    study = phase.study
    columns = texts_columns(texts, fields=PHASE_TEXT_FIELDS, languages=list(study.languages))
    changed = _apply(phase, columns, study)
    if changed:
        phase.save(update_fields=changed)
    return phase


def participant_needs_consent(participant: Participant) -> bool:
    """Whether the reader must agree to the study's current consent text before going on."""
    return (
        not participant.is_simulated
        and participant.withdrawn_at is None
        and participant.consent_version != participant.study.consent_version
    )


@transaction.atomic
def participant_consent_renew(
    *, participant: Participant, consent_version: str, now: datetime
) -> Participant:
    """The reader agreed to the study's current consent text (``consent_version``, as shown)."""
    lock_row(Study, participant.study_id, "consent_version")
    study = Study.objects.get(pk=participant.study_id)
    consent_version_check(study=study, consent_version=consent_version)
    if participant.withdrawn_at is not None:
        raise ConsentError("This reader has withdrawn from the study.")
    if participant.consent_version != consent_version:
        Participant.objects.filter(pk=participant.pk).update(
            consent_version=consent_version, consented_at=now
        )
        Event.objects.create(
            participant=participant,
            kind=EventKind.CONSENTED,
            at=now,
            data={"version": consent_version, "previous": participant.consent_version},
        )
        participant.consent_version, participant.consented_at = consent_version, now
    return participant


@transaction.atomic
def participant_withdraw(
    *, participant: Participant, consent_version: str, now: datetime
) -> Participant:
    """The reader declined the new consent text: they read no more, their readings stay, and
    the refusal is kept as any other (with nothing that says who)."""
    lock_row(Participant, participant.pk, "withdrawn_at")
    locked = Participant.objects.select_related("study").get(pk=participant.pk)
    consent_version_check(study=locked.study, consent_version=consent_version, declined=True)
    if locked.withdrawn_at is None:
        Participant.objects.filter(pk=locked.pk).update(withdrawn_at=now)
        consent_refuse(study=locked.study, consent_version=consent_version, now=now)
        Event.objects.create(
            participant=locked, kind=EventKind.WITHDREW, at=now, data={"version": consent_version}
        )
        participant.withdrawn_at = now
    return participant
