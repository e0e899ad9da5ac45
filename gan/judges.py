"""Classifier runs as judges of synthetic images: uint8 images in, (logits, features) out.

``NetJudge`` wraps any network with a ``backbone`` (images -> pooled features) whose forward
gives 7 logits, the shape of the classifier app's ``LesionNet``: it resizes
the GAN's square images to the classifier's input size and normalises them as the classifier was
trained. A network built with clinical data is given the classifier's own encoding of "missing"
(no age, unknown sex and site), so that only the image speaks. No Django here except in
``judge_for_run``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class NetJudge(nn.Module):
    mean: Tensor  # buffers: registered in __init__, moved with the module
    std: Tensor

    def __init__(
        self,
        net: nn.Module,
        size: Sequence[int],  # (width, height) of the classifier's input
        device: str | torch.device = "cpu",
        missing_clinical: Tensor | None = None,
    ) -> None:
        super().__init__()
        self.net = net.eval().to(device)
        self.width, self.height = size
        self.device = torch.device(device)
        self.missing_clinical = missing_clinical
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))
        self.to(device)

    @torch.no_grad()
    def forward(self, images: Tensor) -> tuple[Tensor, Tensor]:
        x = images.to(self.device).float() / 255
        x = F.interpolate(x, size=(self.height, self.width), mode="bilinear", align_corners=False)
        x = (x - self.mean) / self.std
        # The network's own forward gives the logits; a hook on its backbone gives the
        # features, so the judge never re-implements how the network fuses them.
        captured: list[Tensor] = []
        backbone = self.net.get_submodule("backbone")
        hook = backbone.register_forward_hook(lambda m, i, out: captured.append(out))
        try:
            if getattr(self.net, "clinical", None) is not None:
                if self.missing_clinical is None:
                    raise ValueError("this network takes clinical data: give missing_clinical")
                missing = self.missing_clinical.to(self.device, torch.float32)
                logits = self.net(x, missing.expand(len(x), -1))
            else:
                logits = self.net(x)
        finally:
            hook.remove()
        return logits.float(), captured[-1].flatten(1).float()


def judge_for_run(run: Any, device: str | torch.device = "cpu") -> NetJudge:
    """The judge for a classifier ``TrainingRun`` trained here."""
    from classifier import runner
    from classifier.nets import clinical_vector

    net = runner.run_model(run, torch.device(device))
    size = runner.run_config(run).size
    missing = torch.from_numpy(clinical_vector(None, "unknown", "unknown"))
    return NetJudge(net, tuple(size), device=device, missing_clinical=missing)
