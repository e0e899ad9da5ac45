"""The catalogue's API filters (lesions.filters) narrow the lists."""

from __future__ import annotations

from typing import Any

import pytest

from tests.lesions.factories import DatasetFactory, ImageFactory

pytestmark = pytest.mark.django_db


def test_images_filter_by_data_set_diagnosis_split_and_fold(token_client: Any) -> None:
    ham, other = DatasetFactory(name="ham"), DatasetFactory(name="other")
    ImageFactory(lesion__dataset=ham, lesion__diagnosis="mel", partition="test")
    ImageFactory(lesion__dataset=ham, lesion__diagnosis="nv", partition="train", fold=1)
    ImageFactory(lesion__dataset=other, lesion__diagnosis="mel", partition="train", fold=0)
    url = "/api/lesions/images/"
    assert token_client.get(url).json()["count"] == 3
    assert token_client.get(url, {"dataset": "ham"}).json()["count"] == 2
    mel = token_client.get(url, {"diagnosis": "mel", "partition": "train"}).json()["results"]
    assert [(i["dataset"], i["fold"]) for i in mel] == [("other", 0)]
    assert token_client.get(url, {"fold": 1}).json()["count"] == 1
    assert token_client.get(url, {"diagnosis": "xx"}).status_code == 400


def test_data_sets_filter_by_synthetic_and_creation_date(token_client: Any) -> None:
    DatasetFactory(name="real")
    DatasetFactory(name="fake", is_synthetic=True)
    url = "/api/lesions/datasets/"
    names = [d["name"] for d in token_client.get(url, {"is_synthetic": "true"}).json()["results"]]
    assert names == ["fake"]
    assert token_client.get(url, {"created_before": "2000-01-01T00:00:00Z"}).json()["count"] == 0
