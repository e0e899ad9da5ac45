"""A run's checkpoint at work: loaded as a model, predicting, timed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from classifier.inference import autocast, load_model, predict, time_inference
from classifier.training import train
from tests.classifier.test_training import TINY, toy_data


def test_a_checkpoint_loads_as_a_model_ready_to_predict_and_be_timed(tmp_path: Path) -> None:
    data = toy_data(per_class=3, val_per_class=1)
    train(replace(TINY, epochs=1), data, tmp_path / "checkpoint.pt")
    model = load_model(tmp_path / "checkpoint.pt", torch.device("cpu"))
    assert not model.training
    batched, single = time_inference(model, (32, 24), device=torch.device("cpu"), batch_size=4)
    assert batched > 0
    assert single > 0
    probabilities = predict(model, data.array, data.val_rows, data.val_clinical, batch_size=3)
    assert probabilities.shape == (len(data.val_rows), 7)
    assert probabilities.dtype == np.float64
    assert np.allclose(probabilities.sum(axis=1), 1.0)


def test_autocast_leaves_the_cpu_in_float32() -> None:
    # bf16 on the CPU is slow and changes results; only CUDA autocasts.
    with autocast(torch.device("cpu")):
        assert torch.ones(2, 2).matmul(torch.ones(2, 2)).dtype == torch.float32
