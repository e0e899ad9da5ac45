"""Study designs beyond phases in order, in plain Python (no Django): arms, sessions, washout.

Two designs pair two phases of a study, one without and one with the AI's output, and randomise
the readers to two arms in balanced blocks:

- **crossover**: the paired phases show the same images. Arm 0 reads without the AI first, arm 1
  with the AI first; the second session opens for a reader only once the washout has passed
  since they finished the first (the server keeps it, from the readings' own times).
- **counterbalanced**: the paired phases each hold two image sets, A and B, and keep their order
  (without the AI, then with it). Arm 0 reads set A without the AI and set B with it; arm 1 the
  other way round, so that the AI's effect is not the image set's.

The randomisation is blocked: every block of ``size`` readers (an even number) holds as many of
each arm, in an order drawn from the study's stored seed, so the arms stay balanced as readers
arrive and the assignment can be rebuilt exactly.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

SEQUENTIAL = "sequential"
COUNTERBALANCED = "counterbalanced"
CROSSOVER = "crossover"
PAIRED_DESIGNS: tuple[str, ...] = (COUNTERBALANCED, CROSSOVER)
ARMS: tuple[int, ...] = (0, 1)
SET_A, SET_B = "A", "B"


def block_arms(*, seed: int, stream: str, block: int, size: int) -> list[int]:
    """The arms of one block: ``size / 2`` of each, shuffled by the seed, stream and block."""
    if size < 2 or size % 2:
        raise ValueError(f"a block holds an even number of readers, at least 2, not {size}")
    arms = [0] * (size // 2) + [1] * (size // 2)
    random.Random(f"{seed}:{stream}:{block}").shuffle(arms)
    return arms


def arm_for(*, seed: int, stream: str, index: int, size: int) -> int:
    """The arm of the ``index``-th reader (from 0) of a stream (real or simulated readers)."""
    if index < 0:
        raise ValueError("readers are counted from 0")
    return block_arms(seed=seed, stream=stream, block=index // size, size=size)[index % size]


def paired_phase_order(*, arm: int | None, design: str) -> tuple[int, int]:
    """In which order a reader takes the two paired phases: (0, 1) as built, or (1, 0)."""
    if design == CROSSOVER and arm == 1:
        return (1, 0)
    return (0, 1)


def image_set_for(*, arm: int | None, design: str, second: bool) -> str:
    """The image set a reader reads in the first or second paired phase ("" for all of them)."""
    if design != COUNTERBALANCED or arm is None:
        return ""
    first_set = SET_A if arm == 0 else SET_B
    if not second:
        return first_set
    return SET_B if first_set == SET_A else SET_A


def sequence_label(*, arm: int | None, design: str) -> str:
    """The arm in words the exports keep: the order of modalities, or of image sets."""
    if arm is None or design not in PAIRED_DESIGNS:
        return ""
    if design == CROSSOVER:
        return ("without AI, then with AI", "with AI, then without AI")[arm]
    return ("set A without AI, set B with AI", "set B without AI, set A with AI")[arm]


def session_of(*, design: str, is_second_paired: bool) -> int:
    """A crossover's second paired phase is the reader's second session; all else the first."""
    return 2 if design == CROSSOVER and is_second_paired else 1


def washout_ends(*, finished_at: datetime, days: int) -> datetime:
    """When the second session opens: the washout counted from the end of the first session."""
    return finished_at + timedelta(days=days)
