"""Ready-made studies, as data (plain Python). ``paper``: the two contests of the 2020 study.

Contest 1: 163 held-out images, untimed, free to leave and come back. Contest 2: 35 images at 45 s
each without a hint, then a new set of 35 at 45 s with the AI's output shown, opening only when
the first half is done. No lesion appears in two phases. Optionally counterbalanced: the two
35-image sets of contest 2 swap between its phases for half the readers.

``crossover``: the 70 images of contest 2 read twice, at 45 s each, in two sessions, once without
and once with the AI's output; half the readers start with the AI; the second session opens 28
days (the washout, per study) after the reader finished the first.

``contests.services.presets`` builds a study from them.
"""

from __future__ import annotations

from dataclasses import dataclass

PAPER_CONSENT = (
    "You are invited to take part in a study on how general practitioners classify "
    "dermoscopic images of pigmented skin lesions, with and without the help of an AI model. "
    "You will see images with the patient's age, sex and the lesion's site, and choose one of "
    "seven diagnoses. Some parts are timed. Your answers are stored under a pseudonym; your "
    "name is never asked. You may stop at any time.\n\n"
    # Study texts are stored once, not per language: the consent is given in both.
    "Le invitamos a participar en un estudio sobre cómo los médicos generalistas clasifican "
    "imágenes dermatoscópicas de lesiones cutáneas pigmentadas, con y sin la ayuda de un modelo "
    "de inteligencia artificial. Verá imágenes con la edad y el sexo del paciente y la "
    "localización de la lesión, y elegirá uno de siete diagnósticos. Algunas partes tienen "
    "tiempo limitado. Sus respuestas se guardan bajo un seudónimo; nunca se le pide su nombre. "
    "Puede abandonar el estudio en cualquier momento."
)


@dataclass(frozen=True)
class PhaseSpec:
    title: str
    cases: int
    time_limit_seconds: int | None = None
    hint: bool = False
    gated: bool = False
    instructions: str = ""


PAPER_PHASES = (
    PhaseSpec(
        title="Contest 1: untimed",
        cases=163,
        instructions="Take your time. You can leave and come back to where you were.",
    ),
    PhaseSpec(
        title="Contest 2: 45 seconds per image",
        cases=35,
        time_limit_seconds=45,
        instructions="You have 45 seconds for each image; the page moves on by itself.",
    ),
    PhaseSpec(
        title="Contest 2: 45 seconds, with the AI's answer",
        cases=35,
        time_limit_seconds=45,
        hint=True,
        gated=True,
        instructions="The AI's answer is shown beside each image. You decide.",
    ),
)


CROSSOVER_CONSENT = (
    "You are invited to take part in a study on how general practitioners classify "
    "dermoscopic images of pigmented skin lesions, with and without the help of an AI model. "
    "The study has two sessions with the same images, one without and one with the AI's "
    "answer, a few weeks apart; which comes first is drawn at random. You will see images with "
    "the patient's age, sex and the lesion's site, and choose one of seven diagnoses, 45 seconds "
    "per image. Your answers are stored under a pseudonym; your name is never asked. You may "
    "stop at any time.\n\n"
    "Le invitamos a participar en un estudio sobre cómo los médicos generalistas clasifican "
    "imágenes dermatoscópicas de lesiones cutáneas pigmentadas, con y sin la ayuda de un modelo "
    "de inteligencia artificial. El estudio tiene dos sesiones con las mismas imágenes, una sin "
    "y otra con la respuesta de la IA, separadas por algunas semanas; cuál va primero se sortea. "
    "Verá imágenes con la edad y el sexo del paciente y la localización de la lesión, y elegirá "
    "uno de siete diagnósticos, 45 segundos por imagen. Sus respuestas se guardan bajo un "
    "seudónimo; nunca se le pide su nombre. Puede abandonar el estudio en cualquier momento."
)

CROSSOVER_WASHOUT_DAYS = 28

CROSSOVER_PHASES = (
    PhaseSpec(
        title="Session without the AI's answer",
        cases=70,
        time_limit_seconds=45,
        instructions="You have 45 seconds for each image; the page moves on by itself.",
    ),
    PhaseSpec(
        title="Session with the AI's answer",
        cases=70,
        time_limit_seconds=45,
        hint=True,
        instructions="The AI's answer is shown beside each image. You decide.",
    ),
)
