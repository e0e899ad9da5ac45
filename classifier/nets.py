"""The networks: a timm backbone, an optional clinical-data branch, dropout and a 7-way classifier.

No Django here: this module takes names, tensors and paths and returns modules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import numpy as np
import timm
import torch
from torch import nn

from lesions.codes import DIAGNOSES, LOCALIZATIONS, SEXES

# The paper's eight networks, by the timm names used here.
# MobileNet: mobilenetv2_100. The paper describes a 54-layer network of depth-wise separable
# convolutions; MobileNetV2 (53 convolutions plus the classifier) is that depth, while V1 has 28
# layers. V2 is also the MobileNet whose ImageNet weights are most widely published for timm,
# so a researcher can bring a local weights file for it.
PAPER_ARCHITECTURES: tuple[str, ...] = (
    "resnet34",
    "resnet50",
    "resnet101",
    "seresnet50",
    "vgg16",
    "vgg19",
    "efficientnet_b5",
    "mobilenetv2_100",
)
# Short names researchers type, mapped to timm names; any other timm name is used as given.
ALIASES: dict[str, str] = {"mobilenet": "mobilenetv2_100", "efficientnetb5": "efficientnet_b5"}

NUM_CLASSES = len(DIAGNOSES)
# Age is divided by this so that it lies near 0..1 like the one-hot parts.
AGE_SCALE = 100.0
# age, age-missing flag, sex one-hot (incl. unknown), site one-hot (incl. unknown)
CLINICAL_FEATURES = 2 + len(SEXES) + len(LOCALIZATIONS)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def timm_name(architecture: str) -> str:
    """The timm model name for an architecture; raises ValueError for a name timm does not know."""
    name = ALIASES.get(architecture.lower(), architecture)
    if not timm.is_model(name):
        raise ValueError(f"Unknown architecture {architecture!r}: not a timm model name")
    return name


def clinical_vector(age: float | None, sex: str, site: str) -> np.ndarray:
    """One image's clinical features; a missing age is 0 with its flag set, never guessed."""
    vector = np.zeros(CLINICAL_FEATURES, dtype=np.float32)
    if age is None or math.isnan(age):
        vector[1] = 1.0
    else:
        vector[0] = float(age) / AGE_SCALE
    sex_index = SEXES.index(sex) if sex in SEXES else SEXES.index("unknown")
    site_index = (
        LOCALIZATIONS.index(site) if site in LOCALIZATIONS else LOCALIZATIONS.index("unknown")
    )
    vector[2 + sex_index] = 1.0
    vector[2 + len(SEXES) + site_index] = 1.0
    return vector


def clinical_matrix(
    ages: Sequence[float | None], sexes: Sequence[str], sites: Sequence[str]
) -> np.ndarray:
    if not len(ages) == len(sexes) == len(sites):
        raise ValueError("ages, sexes and sites must have the same length")
    if not len(ages):
        return np.zeros((0, CLINICAL_FEATURES), dtype=np.float32)
    return np.stack([clinical_vector(a, s, p) for a, s, p in zip(ages, sexes, sites, strict=True)])


def create_backbone(architecture: str, pretrained_file: str | Path | None = None) -> nn.Module:
    """A timm backbone without its classifier, returning pooled features.

    With ``pretrained_file`` the weights come from that local file (timm drops the file's
    ImageNet classifier); without it the weights are random. Nothing is ever downloaded.
    """
    name = timm_name(architecture)
    if pretrained_file:
        path = Path(pretrained_file)
        if not path.is_file():
            raise FileNotFoundError(f"Pretrained weights file not found: {path}")
        return timm.create_model(
            name, pretrained=True, num_classes=0, pretrained_cfg_overlay={"file": str(path)}
        )
    return timm.create_model(name, pretrained=False, num_classes=0)


def feature_size(backbone: nn.Module) -> int:
    # VGG's pooled output comes after its 4096-wide pre-logits block, not its 512 channels.
    # timm sets both as ints; nn.Module's typing says every attribute is a tensor or a module.
    hidden = getattr(backbone, "head_hidden_size", None)
    return int(hidden or cast(int, backbone.num_features))


class LesionNet(nn.Module):
    """Backbone features, optionally fused with clinical data, then dropout and a linear layer.

    Fusion ``concat``: [image features, clinical embedding]. Fusion ``gated``: the clinical
    embedding also scales each image feature through a sigmoid gate before the concatenation,
    so the clinical data can weigh which image features matter for this patient.
    """

    def __init__(
        self,
        architecture: str,
        *,
        use_clinical: bool = False,
        fusion: str = "concat",
        dropout: float = 0.5,
        pretrained_file: str | Path | None = None,
        clinical_hidden: int = 32,
        num_classes: int = NUM_CLASSES,
        backbone: nn.Module | None = None,
    ) -> None:
        super().__init__()
        if fusion not in ("concat", "gated"):
            raise ValueError(f"Unknown fusion {fusion!r}: use 'concat' or 'gated'")
        self.architecture = timm_name(architecture)
        self.use_clinical = use_clinical
        self.fusion = fusion
        # A given backbone (e.g. one shared by two heads) is used as it is.
        self.backbone = backbone or create_backbone(self.architecture, pretrained_file)
        width = feature_size(self.backbone)
        fused = width
        self.clinical: nn.Module | None = None
        self.gate: nn.Module | None = None
        if use_clinical:
            self.clinical = nn.Sequential(
                nn.Linear(CLINICAL_FEATURES, clinical_hidden),
                nn.ReLU(inplace=True),
                nn.Linear(clinical_hidden, clinical_hidden),
                nn.ReLU(inplace=True),
            )
            if fusion == "gated":
                self.gate = nn.Linear(clinical_hidden, width)
            fused = width + clinical_hidden
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(fused, num_classes)

    def forward(self, images: torch.Tensor, clinical: torch.Tensor | None = None) -> torch.Tensor:
        features = self.backbone(images)
        if self.clinical is not None:
            if clinical is None:
                raise ValueError("This network was built with clinical data: pass it")
            embedding = self.clinical(clinical.to(features.dtype))
            if self.gate is not None:
                features = features * torch.sigmoid(self.gate(embedding))
            features = torch.cat([features, embedding], dim=1)
        logits: torch.Tensor = self.classifier(self.dropout(features))
        return logits


def build_model(
    architecture: str,
    *,
    use_clinical: bool = False,
    fusion: str = "concat",
    dropout: float = 0.5,
    pretrained_file: str | Path | None = None,
) -> LesionNet:
    return LesionNet(
        architecture,
        use_clinical=use_clinical,
        fusion=fusion,
        dropout=dropout,
        pretrained_file=pretrained_file,
    )
