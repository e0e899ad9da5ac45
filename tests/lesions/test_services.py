"""dataset_split stores the split on every image and make_splits prints the counts."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from lesions.codes import DIAGNOSES
from lesions.models import Dataset, Image
from tests.lesions.factories import DatasetFactory, ImageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset() -> Dataset:
    dataset = DatasetFactory(name="small")
    for i in range(60):
        dx = ("nv", "mel", "bkl")[i % 3]
        lesion_images = 2 if i % 5 == 0 else 1
        first = ImageFactory(lesion__dataset=dataset, lesion__diagnosis=dx, partition=None)
        for _ in range(lesion_images - 1):
            ImageFactory(lesion=first.lesion, partition=None)
    return dataset


def test_make_splits_stores_a_part_for_every_image_and_prints_the_counts(
    dataset: Dataset,
) -> None:
    out = io.StringIO()
    call_command("make_splits", "--dataset", "small", "--folds", "3", "--seed", "4", stdout=out)
    table = out.getvalue()
    assert table.splitlines()[0].split()[:8] == ["part", *DIAGNOSES]
    assert "fold 2" in table
    images = Image.objects.filter(dataset=dataset)
    assert not images.filter(partition=None).exists()
    assert set(images.filter(partition="train").values_list("fold", flat=True)) == {0, 1, 2}
    assert not images.filter(partition="test").exclude(fold=None).exists()
    for image in images.select_related("lesion"):
        siblings = image.lesion.images.values_list("partition", "fold").distinct()
        assert siblings.count() == 1
    dataset.refresh_from_db()
    assert (dataset.split_seed, dataset.split_folds) == (4, 3)


def test_make_splits_refuses_an_unknown_data_set() -> None:
    with pytest.raises(CommandError, match="no data set named 'nope'"):
        call_command("make_splits", "--dataset", "nope")
