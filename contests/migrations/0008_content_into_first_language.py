"""Each study's and phase's existing text becomes its text in the study's first language, and
each study's consent text is kept under its current version."""

from django.db import migrations

STUDY_FIELDS = ("title", "description", "consent_text")
PHASE_FIELDS = ("title", "instructions")


def _first_language(study) -> str:
    languages = [code for code in (study.languages or []) if code in ("en", "es")]
    return languages[0] if languages else "en"


def forwards(apps, schema_editor):
    Study = apps.get_model("contests", "Study")
    Phase = apps.get_model("contests", "Phase")
    ConsentText = apps.get_model("contests", "ConsentText")
    for study in Study.objects.all():
        language = _first_language(study)
        for field in STUDY_FIELDS:
            setattr(study, f"{field}_{language}", getattr(study, field))
        study.save(update_fields=[f"{field}_{language}" for field in STUDY_FIELDS])
        ConsentText.objects.get_or_create(
            study=study,
            version=study.consent_version,
            defaults={"texts": {language: study.consent_text}},
        )
        for phase in Phase.objects.filter(study=study):
            for field in PHASE_FIELDS:
                setattr(phase, f"{field}_{language}", getattr(phase, field))
            phase.save(update_fields=[f"{field}_{language}" for field in PHASE_FIELDS])


class Migration(migrations.Migration):
    dependencies = [("contests", "0007_consent_versions")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
