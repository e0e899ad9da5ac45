"""Study content stored once per language (django-modeltranslation): ``title_en``, ``title_es``...

Reading ``study.title`` gives the text in the active language, or, where that language has
none, in the other language (``MODELTRANSLATION_FALLBACK_LANGUAGES``). A study's content in its
first language is required, so with the two languages the platform speaks, the fallback is the
study's first language whenever the reader's own language has no text.
"""

from __future__ import annotations

from modeltranslation.translator import TranslationOptions, register

from contests.models import Phase, Study

STUDY_TEXT_FIELDS = ("title", "description", "consent_text")
PHASE_TEXT_FIELDS = ("title", "instructions")


@register(Study)
class StudyTranslation(TranslationOptions):
    fields = STUDY_TEXT_FIELDS


@register(Phase)
class PhaseTranslation(TranslationOptions):
    fields = PHASE_TEXT_FIELDS
