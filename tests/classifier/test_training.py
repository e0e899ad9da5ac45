from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from classifier.inference import predict
from classifier.metrics import evaluate
from classifier.nets import clinical_matrix
from classifier.train_config import TrainConfig
from classifier.training import TrainData, train
from tests.classifier.conftest import class_pixels

TINY = TrainConfig(
    architecture="test_efficientnet",
    size=(32, 24),
    epochs=3,
    batch_size=16,
    lr=3e-3,
    seed=7,
)


def toy_data(per_class: int, val_per_class: int, seed: int = 0) -> TrainData:
    rng = np.random.default_rng(seed)
    total = per_class + val_per_class
    labels = np.repeat(np.arange(7), total)
    array = np.stack([class_pixels(int(y), rng, 32, 24) for y in labels])
    clinical = clinical_matrix([40.0] * len(labels), ["male"] * len(labels), ["back"] * len(labels))
    is_val = np.tile(np.arange(total) >= per_class, 7)
    train_rows, val_rows = np.flatnonzero(~is_val), np.flatnonzero(is_val)
    return TrainData(
        array=array,
        train_rows=train_rows,
        train_labels=labels[train_rows],
        train_clinical=clinical[train_rows],
        val_rows=val_rows,
        val_labels=labels[val_rows],
        val_clinical=clinical[val_rows],
    )


@pytest.mark.slow
def test_a_short_run_learns_to_tell_the_classes_apart(tmp_path: Path) -> None:
    data = toy_data(per_class=16, val_per_class=6)
    config = replace(TINY, epochs=5, use_clinical=True)
    reports = []
    result = train(config, data, tmp_path / "run" / "checkpoint.pt", callback=reports.append)
    probabilities = predict(result.model, data.array, data.val_rows, data.val_clinical)
    numbers = evaluate(data.val_labels, probabilities)
    # Chance is 1/7 = 0.14.
    assert numbers["balanced_accuracy"] > 0.6, numbers["balanced_accuracy"]
    assert result.epochs_run == 5
    assert [r.epoch for r in reports if r.train_loss is not None] == [1, 2, 3, 4, 5]
    assert reports[-1].fraction == 1.0
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]


def test_a_resumed_run_ends_with_the_same_weights_as_an_uninterrupted_one(tmp_path: Path) -> None:
    data = toy_data(per_class=6, val_per_class=2)
    whole = train(TINY, data, tmp_path / "whole" / "checkpoint.pt")
    first = train(TINY, data, tmp_path / "split" / "checkpoint.pt", stop_after_epoch=2)
    assert first.epochs_run == 2
    resumed = train(TINY, data, tmp_path / "split" / "checkpoint.pt")
    assert resumed.epochs_run == 3
    state_a = torch.load(tmp_path / "whole" / "checkpoint.pt", weights_only=False)
    state_b = torch.load(tmp_path / "split" / "checkpoint.pt", weights_only=False)
    assert state_a["epoch"] == state_b["epoch"] == 3
    assert set(state_a["model"]) == set(state_b["model"])
    for key, value in state_a["model"].items():
        assert torch.equal(value, state_b["model"][key]), key
    assert state_a["history"][-1]["train_loss"] == state_b["history"][-1]["train_loss"]
    assert whole.best_score == resumed.best_score


def test_a_checkpoint_holds_everything_a_resume_needs(tmp_path: Path) -> None:
    data = toy_data(per_class=3, val_per_class=1)
    train(replace(TINY, epochs=1), data, tmp_path / "checkpoint.pt")
    state = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    for key in ("model", "optimizer", "scheduler", "rng", "epoch", "best_score", "config"):
        assert key in state
    assert state["epoch"] == 1
    assert (tmp_path / "best.pt").exists()


def test_early_stopping_ends_the_run_when_validation_stops_improving(tmp_path: Path) -> None:
    data = toy_data(per_class=3, val_per_class=1)
    # With no learning the score soon stops improving (only batch-norm statistics move).
    config = replace(TINY, epochs=12, lr=0.0, early_stopping_patience=2)
    result = train(config, data, tmp_path / "checkpoint.pt")
    scores = [h["val_balanced_accuracy"] for h in result.history]
    assert result.stopped_early
    assert result.epochs_run < 12
    assert max(scores[-2:]) <= max(scores[:-2])
    assert result.best_score == max(scores)


@pytest.mark.parametrize("imbalance", ["balanced_sampler", "none"])
def test_other_optimisers_schedules_and_imbalance_options_train(
    tmp_path: Path, imbalance: str
) -> None:
    data = toy_data(per_class=3, val_per_class=1)
    config = replace(
        TINY, epochs=2, optimizer="sgd", schedule="step", imbalance=imbalance, augmentation=False
    )
    result = train(config, data, tmp_path / "checkpoint.pt")
    assert result.epochs_run == 2
    assert all(np.isfinite(h["train_loss"]) for h in result.history)


def test_unknown_optimiser_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rmsprop"):
        train(replace(TINY, optimizer="rmsprop"), toy_data(2, 1), tmp_path / "c.pt")


@pytest.mark.slow
def test_a_short_run_on_stand_in_images_learns_well_above_chance(tmp_path: Path) -> None:
    from PIL import Image as PILImage

    from lesions.codes import DIAGNOSES
    from lesions.standin.render import render

    per_class, val_per_class = 30, 10
    rows = [
        {
            "image_id": f"ISIC_{code}_{i}",
            "dx": code,
            "age": 50,
            "sex": "male",
            "localization": "back",
        }
        for code in DIAGNOSES
        for i in range(per_class + val_per_class)
    ]
    array = np.stack(
        [np.asarray(render(row).resize((96, 72), PILImage.Resampling.BILINEAR)) for row in rows]
    )
    labels = np.repeat(np.arange(7), per_class + val_per_class)
    is_val = np.tile(np.arange(per_class + val_per_class) >= per_class, 7)
    train_rows, val_rows = np.flatnonzero(~is_val), np.flatnonzero(is_val)
    clinical = clinical_matrix([50.0] * len(rows), ["male"] * len(rows), ["back"] * len(rows))
    data = TrainData(
        array, train_rows, labels[train_rows], clinical[train_rows],
        val_rows, labels[val_rows], clinical[val_rows],
    )  # fmt: skip
    config = TrainConfig(
        architecture="resnet10t", size=(96, 72), epochs=8, batch_size=32, lr=2e-3, seed=0
    )
    result = train(config, data, tmp_path / "checkpoint.pt")
    probabilities = predict(result.model, array, val_rows, clinical[val_rows])
    # Chance is 1/7; 210 training images and 8 epochs from random weights reached 0.51 here.
    assert evaluate(labels[val_rows], probabilities)["balanced_accuracy"] > 2 / 7
