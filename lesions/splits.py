"""A held-out test partition and k training folds, grouped by lesion, stratified by diagnosis.

Plain module (no Django). scikit-learn's ``StratifiedGroupKFold`` keeps every image of a lesion
on one side and the class proportions of each side close to the whole set's. The test partition
is the one fold, of ``round(1 / test_size)``, whose size is nearest to ``test_size``; the rest
is cut into ``folds`` folds the same way. Same inputs and seed, same split.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

TRAIN, TEST = "train", "test"


@dataclass(frozen=True)
class Split:
    partitions: list[str]  # "train" or "test", one per image
    folds: list[int | None]  # 0..k-1 for training images, None for test images

    def part_of(self, index: int) -> str:
        fold = self.folds[index]
        return TEST if fold is None else f"fold {fold}"


def make_split(
    *,
    groups: Sequence[str],
    labels: Sequence[str],
    test_size: float = 0.17,
    folds: int = 5,
    seed: int = 0,
) -> Split:
    if not 0 < test_size < 0.5:
        raise ValueError(f"test size {test_size} must be between 0 and 0.5")
    if folds < 2:
        raise ValueError(f"at least 2 folds are needed, not {folds}")
    if len(groups) != len(labels):
        raise ValueError("one group and one label per image")
    n_groups = len(set(groups))
    pieces = max(2, round(1 / test_size))
    if n_groups < pieces + folds:
        raise ValueError(f"{n_groups} lesions are too few for a test split and {folds} folds")
    y = np.asarray(labels)
    g = np.asarray(groups)
    index = np.arange(len(y))

    outer = StratifiedGroupKFold(n_splits=pieces, shuffle=True, random_state=seed)
    candidates = [test for _, test in outer.split(index, y, g)]
    wanted = test_size * len(y)
    test = min(candidates, key=lambda t: abs(len(t) - wanted))

    partitions = [TRAIN] * len(y)
    fold_of: list[int | None] = [None] * len(y)
    for i in test:
        partitions[i] = TEST
    rest = np.setdiff1d(index, test)
    inner = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for k, (_, held) in enumerate(inner.split(rest, y[rest], g[rest])):
        for i in rest[held]:
            fold_of[i] = k
    return Split(partitions=partitions, folds=fold_of)


def class_counts(split: Split, labels: Sequence[str]) -> dict[str, Counter[str]]:
    """Images per diagnosis in each part: ``{"test": Counter, "fold 0": Counter, ...}``."""
    table: dict[str, Counter[str]] = {}
    for i, label in enumerate(labels):
        table.setdefault(split.part_of(i), Counter())[label] += 1
    return dict(sorted(table.items(), key=lambda kv: (kv[0] != TEST, kv[0])))


def format_counts(split: Split, labels: Sequence[str], classes: Sequence[str]) -> str:
    """A plain-text table of the class counts per part, with each part's share of the set."""
    table = class_counts(split, labels)
    total = len(labels)
    head = f"{'part':<8}" + "".join(f"{c:>7}" for c in classes) + f"{'total':>8}{'share':>8}"
    lines = [head]
    for part, counts in table.items():
        n = sum(counts.values())
        cells = "".join(f"{counts.get(c, 0):>7}" for c in classes)
        lines.append(f"{part:<8}{cells}{n:>8}{n / total:>8.1%}")
    everything = Counter(labels)
    cells = "".join(f"{everything.get(c, 0):>7}" for c in classes)
    lines.append(f"{'all':<8}{cells}{total:>8}{1:>8.0%}")
    return "\n".join(lines)
