"""Clinical data for synthetic images: age, sex and site drawn from the real data of a diagnosis.

Each synthetic image takes the clinical triple of a real image of its diagnosis picked at random,
so that the joint distribution (a 70-year-old man's back, say) is kept, and a missing age or an
unknown sex or site stays missing as often as in the real data. No Django here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Clinical:
    age: float | None
    sex: str
    localization: str


class ClinicalSampler:
    def __init__(self, records: Iterable[tuple[str, Clinical]]) -> None:
        self.by_diagnosis: dict[str, list[Clinical]] = defaultdict(list)
        self.all: list[Clinical] = []
        for diagnosis, clinical in records:
            self.by_diagnosis[diagnosis].append(clinical)
            self.all.append(clinical)
        if not self.all:
            raise ValueError("no real images to draw clinical data from")

    def sample(self, diagnosis: str, n: int, rng: np.random.Generator) -> list[Clinical]:
        # A diagnosis absent from the real data borrows from all of it rather than inventing.
        pool = self.by_diagnosis.get(diagnosis) or self.all
        return [pool[i] for i in rng.integers(0, len(pool), n)]
