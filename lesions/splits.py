"""A held-out test partition and k training folds, grouped by lesion, stratified by diagnosis.

Plain module (no Django). Every image of a lesion lands in the same part, and each part's class
proportions match the whole set's. scikit-learn's ``StratifiedGroupKFold`` does this with a
greedy pass over every group that takes minutes on HAM10000's 7,470 lesions on a small machine;
this module does the same kind of greedy pass in two cheaper steps:

1. lesions with several images, largest first (ties in seeded random order), each to the part
   furthest below its share of that lesion's class;
2. single-image lesions, class by class in seeded random order, each to the part furthest below
   its target count for the class (water-filling), which evens out what step 1 left uneven.

The test partition takes ``test_size`` of every class; the rest is cut into ``folds`` equal
folds the same way. Same inputs and seed, same split: it takes well under a second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TRAIN, TEST = "train", "test"


@dataclass(frozen=True)
class Split:
    partitions: list[str]  # "train" or "test", one per image
    folds: list[int | None]  # 0..k-1 for training images, None for test images

    def part_of(self, index: int) -> str:
        fold = self.folds[index]
        return TEST if fold is None else f"fold {fold}"


def assign_parts(
    groups: Sequence[str], labels: Sequence[str], weights: Sequence[float], seed: int
) -> list[int]:
    """The part (index into ``weights``) of every image; weights are the parts' shares."""
    rng = np.random.default_rng(seed)
    classes = sorted(set(labels))
    class_index = {c: i for i, c in enumerate(classes)}
    share = np.asarray(weights, dtype=float) / sum(weights)
    totals = np.zeros(len(classes))
    members: dict[str, list[int]] = {}
    for i, (group, label) in enumerate(zip(groups, labels, strict=True)):
        members.setdefault(group, []).append(i)
        totals[class_index[label]] += 1
    target = np.outer(share, totals)  # parts x classes
    counts = np.zeros_like(target)
    part_of = [0] * len(labels)

    names = sorted(members)
    order = rng.permutation(len(names))
    multi = [names[j] for j in order if len(members[names[j]]) > 1]
    multi.sort(key=lambda g: -len(members[g]))  # stable: random order among equal sizes
    for group in multi:
        vector = np.zeros(len(classes))
        for i in members[group]:
            vector[class_index[labels[i]]] += 1
        # Relative room left in each part for this lesion's classes.
        room = ((target - counts) / np.maximum(target, 1.0)) @ vector
        part = int(np.argmax(room + rng.uniform(0, 1e-9, len(share))))
        counts[part] += vector
        for i in members[group]:
            part_of[i] = part

    singles = [members[names[j]][0] for j in order if len(members[names[j]]) == 1]
    for i in singles:
        c = class_index[labels[i]]
        part = int(np.argmax(target[:, c] - counts[:, c] + rng.uniform(0, 1e-9, len(share))))
        counts[part, c] += 1
        part_of[i] = part
    return part_of


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
    if len(set(groups)) < folds + 1:
        raise ValueError(
            f"{len(set(groups))} lesions are too few for a test split and {folds} folds"
        )
    outer = assign_parts(groups, labels, [test_size, 1 - test_size], seed)
    rest = [i for i, part in enumerate(outer) if part == 1]
    inner = assign_parts(
        [groups[i] for i in rest], [labels[i] for i in rest], [1.0] * folds, seed + 1
    )
    partitions = [TEST if part == 0 else TRAIN for part in outer]
    fold_of: list[int | None] = [None] * len(labels)
    for i, fold in zip(rest, inner, strict=True):
        fold_of[i] = fold
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
