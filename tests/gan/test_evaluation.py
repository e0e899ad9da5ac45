"""Evaluation of synthetic images: the label check, FID/KID and precision/recall."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import Tensor, nn

from gan.evaluation import (
    JudgeFeatures,
    evaluate,
    frechet_and_kernel,
    label_check,
    precision_recall,
)
from tests.gan.synthetic import two_class_images


@pytest.fixture(autouse=True)
def _few_threads() -> None:
    torch.set_num_threads(1)


class ColourJudge(nn.Module):
    """Features: per-channel mean and spread plus a fixed random convolution's pooled responses.
    Labels: class 1 (akiec=0, bcc=1) when the picture is redder than it is brown."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(3, 10, 3)

    def forward(self, images: Tensor) -> tuple[Tensor, Tensor]:
        x = images.float() / 255
        features = torch.cat(
            [x.mean((2, 3)), x.std((2, 3)), torch.relu(self.conv(x)).mean((2, 3))], dim=1
        )
        redness = x[:, 0].mean((1, 2)) - x[:, 1].mean((1, 2))
        logits = torch.full((len(x), 7), -10.0)
        logits[:, 0] = 0.0
        logits[:, 1] = (redness - 0.2) * 100
        return logits, features


def test_the_label_check_counts_right_and_wrong_labels_against_the_codes() -> None:
    images, labels = two_class_images(30, 16, seed=4)
    codes = labels.copy()
    codes[:5] = 1 - codes[:5]  # five images asked for the other class
    result = label_check(ColourJudge(), images, codes)
    assert result["n_images"] == 30
    assert result["accuracy"] == pytest.approx(25 / 30)
    confusion = np.array(result["confusion"])
    assert confusion.sum() == 30
    assert np.trace(confusion) == 25
    assert confusion[2:].sum() == 0  # no codes beyond the two used


def test_fid_of_a_set_against_itself_is_about_zero_and_against_noise_large() -> None:
    images, _ = two_class_images(120, 16, seed=5)
    features = JudgeFeatures(ColourJudge(), 16)
    same_fid, same_kid = frechet_and_kernel(features, images, images)
    noise = np.random.default_rng(0).integers(0, 256, images.shape, dtype=np.uint8)
    noise_fid, noise_kid = frechet_and_kernel(features, images, noise)
    others, _ = two_class_images(120, 16, seed=6)  # the same kind of images, drawn anew
    other_fid, other_kid = frechet_and_kernel(features, images, others)
    print(f"FID self {same_fid:.1e}, same kind {other_fid:.4f}, noise {noise_fid:.4f}")
    print(f"KID self {same_kid:.1e}, same kind {other_kid:.4f}, noise {noise_kid:.4f}")
    assert abs(same_fid) < 1e-6
    assert abs(same_kid) < 1e-3
    assert noise_fid > 20 * other_fid
    assert noise_kid > 20 * max(other_kid, 1e-4)


def test_precision_and_recall_are_full_for_the_same_set_and_nil_for_a_far_one() -> None:
    real = torch.randn(50, 4)
    assert precision_recall(real, real.clone()) == (1.0, 1.0)
    assert precision_recall(real, real + 100) == (0.0, 0.0)
    # half of the fakes on the real data, half far away: precision one half
    precision, _ = precision_recall(real, torch.cat([real[:25], real[:25] + 100]))
    assert precision == 0.5


def test_evaluate_reports_fid_per_class_where_both_sides_have_enough_images() -> None:
    real, real_labels = two_class_images(60, 16, seed=6)
    fake, fake_codes = two_class_images(40, 16, seed=7)
    result = evaluate(
        ColourJudge(), fake=fake, fake_codes=fake_codes, real=real, real_labels=real_labels
    )
    assert result.n_images == 40
    assert result.accuracy > 0.9
    assert set(result.fid) == {"overall", "akiec", "bcc"}
    assert result.fid["overall"] >= 0
    assert result.precision is not None
    assert result.recall is not None
    assert result.precision > 0.5
