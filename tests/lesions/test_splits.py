"""The split on the real HAM10000 metadata: grouped by lesion, stratified, reproducible."""

from __future__ import annotations

from collections import Counter

import pytest

from lesions.splits import TEST, Split, make_split
from lesions.standin.dataset import SHIPPED_METADATA, read_rows

ROWS = read_rows(SHIPPED_METADATA)[1]
GROUPS = [r["lesion_id"] for r in ROWS]
LABELS = [r["dx"] for r in ROWS]


@pytest.fixture(scope="module")
def split() -> Split:
    return make_split(groups=GROUPS, labels=LABELS, test_size=0.17, folds=5, seed=0)


def parts(split: Split) -> list[str]:
    return [split.part_of(i) for i in range(len(ROWS))]


def test_the_metadata_is_the_published_set() -> None:
    assert len(ROWS) == 10015
    assert len(set(GROUPS)) == 7470


def test_no_lesion_is_in_two_parts(split: Split) -> None:
    part_of_lesion: dict[str, set[str]] = {}
    for lesion, part in zip(GROUPS, parts(split), strict=True):
        part_of_lesion.setdefault(lesion, set()).add(part)
    assert all(len(p) == 1 for p in part_of_lesion.values())


def test_the_test_partition_holds_about_17_percent(split: Split) -> None:
    share = split.partitions.count(TEST) / len(ROWS)
    assert 0.16 <= share <= 0.18
    assert all(
        (p == TEST) == (f is None) for p, f in zip(split.partitions, split.folds, strict=True)
    )
    assert set(split.folds) - {None} == {0, 1, 2, 3, 4}


def test_class_proportions_stay_within_two_points_of_the_whole_set(split: Split) -> None:
    whole = Counter(LABELS)
    by_part: dict[str, Counter[str]] = {}
    for label, part in zip(LABELS, parts(split), strict=True):
        by_part.setdefault(part, Counter())[label] += 1
    assert len(by_part) == 6
    for part, counts in by_part.items():
        size = sum(counts.values())
        for dx, n in whole.items():
            if n >= 100:
                assert abs(counts[dx] / size - n / len(LABELS)) <= 0.02, (part, dx)


def test_the_same_seed_gives_the_same_split_and_another_seed_another(split: Split) -> None:
    again = make_split(groups=GROUPS, labels=LABELS, test_size=0.17, folds=5, seed=0)
    assert again == split
    other = make_split(groups=GROUPS, labels=LABELS, test_size=0.17, folds=5, seed=1)
    assert other.partitions != split.partitions


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"test_size": 0.0}, "test size"), ({"folds": 1}, "at least 2 folds")],
)
def test_bad_settings_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_split(groups=GROUPS[:50], labels=LABELS[:50], **kwargs)  # type: ignore[arg-type]
