"""Spanish for every string a GP can see, and a compiled catalogue that matches its source."""

from __future__ import annotations

import gettext
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from lesions.models import Diagnosis, Localization, Sex

LOCALE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
# Where the strings a GP sees come from: their pages, forms and refusals, the vocabularies.
GP_SOURCES = (
    "contests/templates/contests/gp/",
    "contests/forms/gp.py",
    "contests/selectors/",
    "contests/services/",
    "contests/models.py",
    "lesions/models.py",
)


@dataclass
class Entry:
    msgid: str = ""
    msgstr: str = ""
    references: list[str] = field(default_factory=list)
    fuzzy: bool = False


def _entries() -> list[Entry]:
    entries, current, target = [], Entry(), None
    for line in [*(LOCALE / "django.po").read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current.msgid:
                entries.append(current)
            current, target = Entry(), None
        elif line.startswith("#:"):
            current.references += line[2:].split()
        elif line.startswith("#,") and "fuzzy" in line:
            current.fuzzy = True
        elif line.startswith("msgid "):
            current.msgid, target = json.loads(line[6:]), "msgid"
        elif line.startswith("msgstr "):
            current.msgstr, target = json.loads(line[7:]), "msgstr"
        elif line.startswith('"') and target:
            setattr(current, target, getattr(current, target) + json.loads(line))
    return entries


def test_every_string_a_gp_can_see_has_a_spanish_translation() -> None:
    gp = [e for e in _entries() if any(ref.startswith(GP_SOURCES) for ref in e.references)]
    assert len(gp) > 100
    missing = [e.msgid for e in gp if not e.msgstr or e.fuzzy]
    assert missing == []


def test_the_compiled_catalogue_matches_its_source() -> None:
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        e.msgid
        for e in _entries()
        if e.msgstr and not e.fuzzy and compiled.gettext(e.msgid) != e.msgstr
    ]
    assert stale == []


@pytest.mark.parametrize(
    ("label", "spanish"),
    [
        (Diagnosis.NV.label, "Nevo melanocítico"),
        (Diagnosis.BCC.label, "Carcinoma basocelular"),
        (Sex.FEMALE.label, "femenino"),
        (Localization.LOWER_EXTREMITY.label, "miembro inferior"),
    ],
)
def test_diagnosis_sex_and_site_names_read_in_spanish(label: str, spanish: str) -> None:
    with translation.override("es"):
        assert str(label) == spanish
