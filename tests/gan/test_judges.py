"""Classifier networks as judges: resized, normalised input; logits and features out."""

from __future__ import annotations

import pytest
import torch
from torch import Tensor, nn

from gan.judges import IMAGENET_MEAN, NetJudge


class Backbone(nn.Module):
    """Pooled per-channel means as features; remembers what it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: Tensor | None = None

    def forward(self, x: Tensor) -> Tensor:
        self.seen = x
        return x.mean((2, 3))


class Net(nn.Module):
    def __init__(self, clinical_features: int = 0) -> None:
        super().__init__()
        self.backbone = Backbone()
        self.clinical = nn.Linear(clinical_features, 2) if clinical_features else None
        self.classifier = nn.Linear(3 + (2 if clinical_features else 0), 7)

    def forward(self, images: Tensor, clinical: Tensor | None = None) -> Tensor:
        features = self.backbone(images)
        if self.clinical is not None:
            features = torch.cat([features, self.clinical(clinical)], dim=1)
        return self.classifier(features)


def test_a_judge_feeds_the_classifier_its_own_input_size_normalised() -> None:
    net = Net()
    judge = NetJudge(net, size=(30, 20))  # width x height, as the classifier's sizes are given
    mean_colour = torch.tensor(IMAGENET_MEAN).mul(255).view(1, 3, 1, 1)
    images = mean_colour.expand(4, 3, 8, 8).round().to(torch.uint8)
    logits, features = judge(images)
    assert net.backbone.seen is not None
    assert net.backbone.seen.shape == (4, 3, 20, 30)
    assert features.abs().max() < 0.02  # the ImageNet mean colour normalises to about zero
    assert logits.shape == (4, 7)
    assert features.shape == (4, 3)


def test_a_network_with_clinical_data_is_given_the_missing_data_vector() -> None:
    net = Net(clinical_features=5)
    given: list[Tensor] = []
    net.clinical.register_forward_hook(lambda m, inputs, out: given.append(inputs[0]))
    missing = torch.tensor([0.0, 1.0, 0.0, 0.0, 1.0])  # the classifier's own encoding
    judge = NetJudge(net, size=(16, 16), missing_clinical=missing)
    logits, _ = judge(torch.zeros(2, 3, 8, 8, dtype=torch.uint8))
    assert logits.shape == (2, 7)
    assert given[0].tolist() == [missing.tolist()] * 2
    with_nothing = NetJudge(Net(clinical_features=5), size=(16, 16))
    with pytest.raises(ValueError, match="missing_clinical"):
        with_nothing(torch.zeros(1, 3, 8, 8, dtype=torch.uint8))
