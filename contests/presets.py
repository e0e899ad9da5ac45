"""Ready-made studies, as data (plain Python). ``paper``: the two contests of the 2020 study.

Contest 1: 163 held-out images, untimed, free to leave and come back. Contest 2: 35 images at 45 s
each without a hint, then a new set of 35 at 45 s with the AI's output shown, opening only when
the first half is done. No lesion appears in two phases. Optionally counterbalanced: the two
35-image sets of contest 2 swap between its phases for half the readers.

``crossover``: the 70 images of contest 2 read twice, at 45 s each, in two sessions, once without
and once with the AI's output; half the readers start with the AI; the second session opens 28
days (the washout, per study) after the reader finished the first.

Every text comes in English and Spanish. ``contests.services.presets`` builds a study from them.
"""

from __future__ import annotations

from dataclasses import dataclass

PAPER_TITLE = {
    "en": "Pigmented skin lesions: GPs, GPs with AI, and the AI",
    "es": "Lesiones cutáneas pigmentadas: médicos generalistas, con IA, y la IA",
}
PAPER_DESCRIPTION = {
    "en": "Contest 1 untimed; contest 2 timed, without and then with the AI's answer.",
    "es": "Concurso 1 sin límite de tiempo; concurso 2 cronometrado, sin y luego con la "
    "respuesta de la IA.",
}
PAPER_COUNTERBALANCED = {
    "en": " Contest 2's image sets swap between its phases for half the readers.",
    "es": " Los dos conjuntos de imágenes del concurso 2 se intercambian entre sus fases para "
    "la mitad de los lectores.",
}
PAPER_CONSENT = {
    "en": (
        "You are invited to take part in a study on how general practitioners classify "
        "dermoscopic images of pigmented skin lesions, with and without the help of an AI "
        "model. You will see images with the patient's age, sex and the lesion's site, and "
        "choose one of seven diagnoses. Some parts are timed. Your answers are stored under a "
        "pseudonym; your name is never asked. You may stop at any time."
    ),
    "es": (
        "Le invitamos a participar en un estudio sobre cómo los médicos generalistas "
        "clasifican imágenes dermatoscópicas de lesiones cutáneas pigmentadas, con y sin la "
        "ayuda de un modelo de inteligencia artificial. Verá imágenes con la edad y el sexo "
        "del paciente y la localización de la lesión, y elegirá uno de siete diagnósticos. "
        "Algunas partes tienen tiempo limitado. Sus respuestas se guardan bajo un seudónimo; "
        "nunca se le pide su nombre. Puede abandonar el estudio en cualquier momento."
    ),
}


@dataclass(frozen=True)
class PhaseSpec:
    """A preset's phase; its title and instructions in English, then in Spanish."""

    title: str
    cases: int
    time_limit_seconds: int | None = None
    hint: bool = False
    gated: bool = False
    instructions: str = ""
    title_es: str = ""
    instructions_es: str = ""

    def texts(self) -> dict[str, dict[str, str]]:
        return {
            "en": {"title": self.title, "instructions": self.instructions},
            "es": {"title": self.title_es, "instructions": self.instructions_es},
        }


UNTIMED_ES = "Tómese su tiempo. Puede salir y volver al punto donde estaba."
TIMED_ES = "Tiene 45 segundos para cada imagen; la página avanza sola."
WITH_AI_ES = "La respuesta de la IA se muestra junto a cada imagen. Usted decide."


PAPER_PHASES = (
    PhaseSpec(
        title="Contest 1: untimed",
        cases=163,
        instructions="Take your time. You can leave and come back to where you were.",
        title_es="Concurso 1: sin límite de tiempo",
        instructions_es=UNTIMED_ES,
    ),
    PhaseSpec(
        title="Contest 2: 45 seconds per image",
        cases=35,
        time_limit_seconds=45,
        instructions="You have 45 seconds for each image; the page moves on by itself.",
        title_es="Concurso 2: 45 segundos por imagen",
        instructions_es=TIMED_ES,
    ),
    PhaseSpec(
        title="Contest 2: 45 seconds, with the AI's answer",
        cases=35,
        time_limit_seconds=45,
        hint=True,
        gated=True,
        instructions="The AI's answer is shown beside each image. You decide.",
        title_es="Concurso 2: 45 segundos, con la respuesta de la IA",
        instructions_es=WITH_AI_ES,
    ),
)


CROSSOVER_TITLE = {
    "en": "Pigmented skin lesions: GPs without and with the AI, a crossover",
    "es": "Lesiones cutáneas pigmentadas: médicos generalistas sin y con la IA, cruzado",
}
CROSSOVER_DESCRIPTION = {
    "en": "Crossover: the same images without and with the AI's answer, in two sessions "
    "%(days)s days apart; half the readers start with the AI.",
    "es": "Cruzado: las mismas imágenes sin y con la respuesta de la IA, en dos sesiones "
    "separadas por %(days)s días; la mitad de los lectores empieza con la IA.",
}
CROSSOVER_CONSENT = {
    "en": (
        "You are invited to take part in a study on how general practitioners classify "
        "dermoscopic images of pigmented skin lesions, with and without the help of an AI "
        "model. The study has two sessions with the same images, one without and one with the "
        "AI's answer, a few weeks apart; which comes first is drawn at random. You will see "
        "images with the patient's age, sex and the lesion's site, and choose one of seven "
        "diagnoses, 45 seconds per image. Your answers are stored under a pseudonym; your name "
        "is never asked. You may stop at any time."
    ),
    "es": (
        "Le invitamos a participar en un estudio sobre cómo los médicos generalistas "
        "clasifican imágenes dermatoscópicas de lesiones cutáneas pigmentadas, con y sin la "
        "ayuda de un modelo de inteligencia artificial. El estudio tiene dos sesiones con las "
        "mismas imágenes, una sin y otra con la respuesta de la IA, separadas por algunas "
        "semanas; cuál va primero se sortea. Verá imágenes con la edad y el sexo del paciente "
        "y la localización de la lesión, y elegirá uno de siete diagnósticos, 45 segundos por "
        "imagen. Sus respuestas se guardan bajo un seudónimo; nunca se le pide su nombre. "
        "Puede abandonar el estudio en cualquier momento."
    ),
}

CROSSOVER_WASHOUT_DAYS = 28

CROSSOVER_PHASES = (
    PhaseSpec(
        title="Session without the AI's answer",
        cases=70,
        time_limit_seconds=45,
        instructions="You have 45 seconds for each image; the page moves on by itself.",
        title_es="Sesión sin la respuesta de la IA",
        instructions_es=TIMED_ES,
    ),
    PhaseSpec(
        title="Session with the AI's answer",
        cases=70,
        time_limit_seconds=45,
        hint=True,
        instructions="The AI's answer is shown beside each image. You decide.",
        title_es="Sesión con la respuesta de la IA",
        instructions_es=WITH_AI_ES,
    ),
)
