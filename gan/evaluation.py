"""How good are synthetic images? Measured with a classifier, as the paper did, and in its
feature space: FID, KID and the precision/recall of the feature distributions.

A judge is any callable (a torch module, typically) mapping a batch of uint8 images
(N, 3, H, W) to ``(logits over the seven diagnoses, features)``; the classifier app's trained
networks are wrapped into one. FID and KID come from torchmetrics with the judge's features as
the feature extractor, so nothing is downloaded. Precision and recall follow Kynkäänniemi et al.
(2019): a sample is inside a distribution's manifold when it lies within the k-th nearest
neighbour distance of some sample of it. No Django here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torchmetrics.image.fid import FrechetInceptionDistance
from torchmetrics.image.kid import KernelInceptionDistance

from lesions.codes import DIAGNOSES

Judge = Callable[[Tensor], tuple[Tensor, Tensor]]


class JudgeFeatures(nn.Module):
    """The judge's features alone, as torchmetrics wants its feature extractor."""

    def __init__(self, judge: Judge, num_features: int) -> None:
        super().__init__()
        self.judge = judge
        self.num_features = num_features

    def forward(self, images: Tensor) -> Tensor:
        return self.judge(images)[1].float()


@torch.no_grad()
def judge_outputs(judge: Judge, images: np.ndarray, batch_size: int = 64) -> tuple[Tensor, Tensor]:
    """Logits and features for uint8 NHWC images, batch by batch."""
    logits, features = [], []
    for start in range(0, len(images), batch_size):
        batch = torch.from_numpy(np.ascontiguousarray(images[start : start + batch_size]))
        out_logits, out_features = judge(batch.permute(0, 3, 1, 2).contiguous())
        logits.append(out_logits.float().cpu())
        features.append(out_features.float().cpu())
    return torch.cat(logits), torch.cat(features)


def label_check(judge: Judge, images: np.ndarray, codes: np.ndarray) -> dict[str, Any]:
    """The paper's check: the judge labels the synthetic images; accuracy and confusion matrix
    (rows = the code asked for, columns = the judge's label)."""
    logits, _ = judge_outputs(judge, images)
    predicted = logits.argmax(1).numpy()
    confusion = np.zeros((len(DIAGNOSES), len(DIAGNOSES)), np.int64)
    np.add.at(confusion, (codes, predicted), 1)
    return {
        "n_images": len(codes),
        "accuracy": float((predicted == codes).mean()) if len(codes) else 0.0,
        "confusion": confusion.tolist(),
    }


def frechet_and_kernel(
    features: nn.Module, real: np.ndarray, fake: np.ndarray, subset_size: int = 50
) -> tuple[float, float]:
    """FID and KID (mean) between two sets of uint8 NHWC images, in ``features``' space."""
    if len(real) < 2 or len(fake) < 2:
        raise ValueError("FID needs at least two real and two synthetic images")
    fid = FrechetInceptionDistance(feature=features, normalize=False, reset_real_features=True)
    kid = KernelInceptionDistance(
        feature=features, subset_size=min(subset_size, len(real), len(fake)), normalize=False
    )
    for metric in (fid, kid):
        for images, is_real in ((real, True), (fake, False)):
            for start in range(0, len(images), 64):
                batch = torch.from_numpy(np.ascontiguousarray(images[start : start + 64]))
                metric.update(batch.permute(0, 3, 1, 2).contiguous(), real=is_real)
    kid_mean, _ = kid.compute()
    return float(fid.compute()), float(kid_mean)


def _radii(features: Tensor, k: int) -> Tensor:
    distances = torch.cdist(features, features)
    # The k-th neighbour other than the point itself (column 0 of the sorted row is the point).
    return distances.sort(dim=1).values[:, min(k, len(features) - 1)]


def _coverage(manifold: Tensor, radii: Tensor, probes: Tensor) -> float:
    inside = torch.cdist(probes, manifold) <= radii.unsqueeze(0)
    return float(inside.any(dim=1).float().mean())


def precision_recall(real: Tensor, fake: Tensor, k: int = 3) -> tuple[float, float]:
    """Precision: share of fakes inside the real manifold; recall: share of reals inside the
    fake manifold."""
    real, fake = real.double(), fake.double()
    precision = _coverage(real, _radii(real, k), fake)
    recall = _coverage(fake, _radii(fake, k), real)
    return precision, recall


@dataclass
class Evaluation:
    n_images: int
    accuracy: float
    confusion: list[list[int]]
    fid: dict[str, float] = field(default_factory=dict)
    kid: dict[str, float] = field(default_factory=dict)
    precision: float | None = None
    recall: float | None = None
    n_real: int = 0
    n_fake: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate(
    judge: Judge,
    *,
    fake: np.ndarray,
    fake_codes: np.ndarray,
    real: np.ndarray,
    real_labels: np.ndarray,
    n_label_check: int = 40,
    min_per_class: int = 10,
) -> Evaluation:
    """All of it: the label check on the first ``n_label_check`` fakes (spread over the classes
    by the caller), then FID/KID overall and per class with at least ``min_per_class`` images on
    both sides, and the precision/recall of the feature distributions."""
    check = label_check(judge, fake[:n_label_check], fake_codes[:n_label_check])
    _, real_features = judge_outputs(judge, real)
    _, fake_features = judge_outputs(judge, fake[:1])
    features = JudgeFeatures(judge, int(fake_features.shape[1]))
    result = Evaluation(**check, n_real=len(real), n_fake=len(fake))
    fid, kid = frechet_and_kernel(features, real, fake)
    result.fid["overall"], result.kid["overall"] = fid, kid
    for index, code in enumerate(DIAGNOSES):
        real_k, fake_k = real[real_labels == index], fake[fake_codes == index]
        if min(len(real_k), len(fake_k)) >= min_per_class:
            result.fid[code], result.kid[code] = frechet_and_kernel(features, real_k, fake_k)
    _, fake_features = judge_outputs(judge, fake)
    result.precision, result.recall = precision_recall(real_features, fake_features)
    return result
