"""Importing predictions made elsewhere (``import_predictions``): all rows or none."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from classifier.models import Prediction, TrainingRun
from classifier.services import predictions_store
from lesions.codes import DIAGNOSES
from tests.lesions.factories import DatasetFactory, ImageFactory

pytestmark = pytest.mark.django_db

HEADER = "image_id," + ",".join(DIAGNOSES)


@pytest.fixture
def images() -> list:
    dataset = DatasetFactory(name="ham")
    return [ImageFactory(lesion__dataset=dataset, image_id=f"ISIC_00000{i}") for i in range(3)]


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "predictions.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _row(image_id: str, probabilities: list[float]) -> str:
    return image_id + "," + ",".join(str(p) for p in probabilities)


GOOD = [0.05, 0.05, 0.1, 0.0, 0.6, 0.15, 0.05]


def test_a_valid_file_becomes_an_imported_run_with_its_predictions(images, tmp_path) -> None:
    path = _write(tmp_path, [HEADER] + [_row(i.image_id, GOOD) for i in images])
    call_command("import_predictions", "--run-name", "effnet-outside", "--csv", str(path))
    run = TrainingRun.objects.get(name="effnet-outside")
    assert run.source == "imported"
    assert run.status == "succeeded"
    predictions = list(run.predictions.order_by("image__image_id"))
    assert [p.image for p in predictions] == images
    assert predictions[0].predicted == "mel"
    assert predictions[0].probabilities == dict(zip(DIAGNOSES, GOOD, strict=True))


def test_columns_may_come_in_any_order(images, tmp_path) -> None:
    reversed_header = ",".join(reversed(HEADER.split(",")))
    line = ",".join(reversed(_row(images[0].image_id, GOOD).split(",")))
    path = _write(tmp_path, [reversed_header, line])
    call_command("import_predictions", "--run-name", "r", "--csv", str(path))
    assert Prediction.objects.get().predicted == "mel"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["image_id,akiec,bcc", "ISIC_000000,0.5,0.5"], "Missing columns: bkl, df, mel, nv, vasc"),
        (
            [HEADER, _row("ISIC_000000", GOOD), _row("ISIC_999", GOOD)],
            "Unknown image ids: ISIC_999",
        ),
        ([HEADER, _row("ISIC_000000", [0.5] * 7)], "not summing to 1 on lines 2"),
        (
            [HEADER, _row("ISIC_000000", GOOD), _row("ISIC_000000", GOOD)],
            "listed twice: ISIC_000000",
        ),
        ([HEADER, "ISIC_000000,a,b,c,d,e,f,g"], "not numbers between 0 and 1 on lines 2"),
        ([HEADER], "no rows"),
    ],
)
def test_a_bad_file_is_refused_with_the_reason_and_nothing_is_stored(
    images, tmp_path, lines, message
) -> None:
    # Where a good row comes first, the refusal must not leave it behind.
    path = _write(tmp_path, lines)
    with pytest.raises(CommandError, match=message):
        call_command("import_predictions", "--run-name", "bad", "--csv", str(path))
    assert not TrainingRun.objects.exists()
    assert not Prediction.objects.exists()


def test_an_existing_run_name_is_refused(images, tmp_path) -> None:
    path = _write(tmp_path, [HEADER, _row(images[0].image_id, GOOD)])
    call_command("import_predictions", "--run-name", "r", "--csv", str(path))
    with pytest.raises(CommandError, match="already exists"):
        call_command("import_predictions", "--run-name", "r", "--csv", str(path))
    assert Prediction.objects.count() == 1


def test_one_tolerance_on_the_sum_for_a_file_and_for_a_trained_run(images, tmp_path) -> None:
    # Four decimals per probability can leave the sum a few 1e-4 from 1: accepted everywhere.
    near = [0.0501, 0.05, 0.1, 0.0, 0.6, 0.15, 0.0503]
    far = [0.052, 0.05, 0.1, 0.0, 0.6, 0.15, 0.05]
    path = _write(tmp_path, [HEADER, _row(images[0].image_id, near)])
    call_command("import_predictions", "--run-name", "near", "--csv", str(path))
    path = _write(tmp_path, [HEADER, _row(images[0].image_id, far)])
    with pytest.raises(CommandError, match="not summing to 1 on lines 2"):
        call_command("import_predictions", "--run-name", "far", "--csv", str(path))
    run = TrainingRun.objects.get(name="near")
    ids = [images[1].pk]
    assert predictions_store(run=run, image_ids=ids, probabilities=np.array([near])) == 1
    with pytest.raises(ValueError, match="sum to 1"):
        predictions_store(run=run, image_ids=ids, probabilities=np.array([far]))
