"""Spanish for every string the platform can show, GPs' and researchers' alike: makemessages is
run over every template and Python source into a copy of the catalogue, which must come back with
no untranslated and no fuzzy entry; and a compiled catalogue that matches its source."""

from __future__ import annotations

import gettext
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from lesions.models import Diagnosis, Localization, Sex

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale" / "es" / "LC_MESSAGES"
# What makemessages leaves out, as `make messages` does (the Makefile's MESSAGES_IGNORE).
IGNORE = (".venv", "var", "tests", "bench", "docs", "static", "scripts", "docker")
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq", "msgattrib")


@dataclass
class Entry:
    msgid: str = ""
    msgstr: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    fuzzy: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr) and not self.fuzzy


def _entries(po: Path) -> list[Entry]:
    entries, current, target = [], Entry(), ""
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current.msgid:
                entries.append(current)
            current, target = Entry(), ""
        elif line.startswith("#~"):
            continue  # an obsolete entry: not in the sources any more
        elif line.startswith("#:"):
            current.references += line[2:].split()
        elif line.startswith("#,") and "fuzzy" in line:
            current.fuzzy = True
        elif line.startswith("msgid "):
            current.msgid, target = json.loads(line[6:]), "msgid"
        elif line.startswith("msgid_plural "):
            target = "plural"
        elif line.startswith("msgstr"):
            current.msgstr.append(json.loads(line.split(" ", 1)[1]))
            target = "msgstr"
        elif line.startswith('"') and target == "msgid":
            current.msgid += json.loads(line)
        elif line.startswith('"') and target == "msgstr":
            current.msgstr[-1] += json.loads(line)
    return entries


@pytest.fixture(scope="module")
def fresh_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogue as `make messages` would leave it now: makemessages run over the whole
    project into a copy of locale/, leaving the repository's files alone.

    makemessages writes to the first of LOCALE_PATHS, but also adopts any folder named
    ``locale`` under the working directory (and the files below it write there). So it runs in
    a folder of links to the project's top-level entries without locale/, and the copy is the
    only catalogue it can find."""
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(
            f"makemessages needs GNU gettext ({', '.join(missing)} not found): "
            "apt-get install -y gettext (scripts/test.sh does it when it runs as root)"
        )
    tmp = tmp_path_factory.mktemp("messages")
    shutil.copytree(ROOT / "locale", tmp / "locale")
    tree = tmp / "tree"
    tree.mkdir()
    for entry in ROOT.iterdir():
        if entry.name != "locale" and not entry.name.startswith(".") and entry.name not in IGNORE:
            (tree / entry.name).symlink_to(entry)
    before = os.getcwd()
    os.chdir(tree)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(settings, "LOCALE_PATHS", [tmp / "locale"])
            call_command(
                "makemessages",
                locale=["es"],
                symlinks=True,
                no_obsolete=True,
                ignore_patterns=list(IGNORE),
                verbosity=0,
            )
    finally:
        os.chdir(before)
    return tmp / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_makemessages_finds_every_source_and_leaves_the_repository_alone(
    fresh_catalogue: Path,
) -> None:
    entries = _entries(fresh_catalogue)
    files = {ref.rsplit(":", 1)[0] for entry in entries for ref in entry.references}
    # GP pages and views, researcher pages, forms, services and models all feed the catalogue.
    assert {
        "contests/views/gp.py",
        "contests/views/researcher.py",
        "contests/templates/contests/study_detail.html",
        "contests/templates/contests/gp/_case.html",
        "analysis/views.py",
        "classifier/forms.py",
        "contests/services/builder.py",
        "lesions/models.py",
        "templates/base.html",
    } <= files
    assert not any(name.startswith(IGNORE) for name in files)
    assert not (ROOT / "locale" / "django.pot").exists()


def test_every_string_of_every_page_has_a_spanish_translation(fresh_catalogue: Path) -> None:
    entries = _entries(fresh_catalogue)
    assert len(entries) > 500
    untranslated = [e.msgid for e in entries if not all(e.msgstr) and not e.fuzzy]
    fuzzy = [e.msgid for e in entries if e.fuzzy]
    assert untranslated == [], "untranslated: run `make messages` and translate these"
    assert fuzzy == [], "fuzzy: check these translations and remove their fuzzy flag"


def test_the_catalogue_in_the_repository_is_up_to_date(fresh_catalogue: Path) -> None:
    def strings(po: Path) -> set[tuple[str, tuple[str, ...]]]:
        return {(e.msgid, tuple(e.msgstr)) for e in _entries(po)}

    assert strings(LOCALE / "django.po") == strings(fresh_catalogue), "run `make messages`"


def test_the_compiled_catalogue_matches_its_source() -> None:
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    entries = [e for e in _entries(LOCALE / "django.po") if e.translated]
    assert entries
    stale = [e.msgid for e in entries if compiled.gettext(e.msgid) != e.msgstr[0]]
    assert stale == []


def test_the_makefile_ignores_what_the_test_ignores() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^MESSAGES_IGNORE := (.*)$", makefile, re.MULTILINE)
    assert match is not None
    assert set(match.group(1).split()) == set(IGNORE)


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


@pytest.mark.django_db
def test_a_researchers_studies_page_reads_in_spanish(researcher_client: Client) -> None:
    english = researcher_client.get("/contests/").content.decode()
    assert "New study" in english
    spanish = researcher_client.get("/contests/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Nuevo estudio" in spanish
    assert "Todavía no hay ningún estudio" in spanish
    assert "New study" not in spanish


@pytest.mark.django_db
def test_a_researchers_analysis_page_reads_in_spanish(researcher_client: Any) -> None:
    response = researcher_client.get("/analysis/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Planificar un estudio" in page
    assert "Plan a study" not in page
