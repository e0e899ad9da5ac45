"""A progressive InfoGAN: generator and critic that grow from 4x4, doubling up to a final size.

Phase ``p`` works at ``4 * 2**p`` pixels; while a phase fades in (``alpha`` from 0 to 1) its new
block is blended with the previous phase's output, so at ``alpha == 0`` the grown network gives
exactly the previous phase's output, upsampled (generator) or seen through a downsampled image
(critic). Equalised learning rate (weights drawn N(0, 1) and scaled at run time by He's
constant), pixel norm in the generator, minibatch standard deviation in the critic and no batch
norm anywhere, as in Karras et al. (2018).

The InfoGAN code is a categorical diagnosis (7 values, lesions.codes order) plus continuous codes
in [-1, 1]. It is split into parts, one per generator block: every block gets the diagnosis and
its own slice of the continuous codes, mixed with the mapped noise into the scale and shift of an
adaptive normalisation after each convolution. The diagnosis, embedded, also enters the mapping
of the noise (as in StyleGAN2-ADA's conditioning) so that it shapes the whole image.
The critic's auxiliary head predicts the codes.

No Django here: plain torch modules.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

N_CLASSES = 7
# Small initial styles and colour outputs: with unit gains a fresh generator's pixels spread
# about five times wider than real images' and short runs never recover from the saturated
# colours; at these gains the first hundred steps already match the real colour distribution.
MOD_GAIN = 0.2
RGB_GAIN = 0.3


@dataclass(frozen=True)
class NetConfig:
    final_size: int = 64
    z_dim: int = 128
    n_continuous: int = 4
    n_classes: int = N_CLASSES
    channel_base: int = 4096
    max_channels: int = 256
    w_dim: int = 128

    def __post_init__(self) -> None:
        size = self.final_size
        if size < 4 or size & (size - 1):
            raise ValueError(f"final_size must be a power of two >= 4, not {size}")

    @property
    def n_phases(self) -> int:
        return int(math.log2(self.final_size)) - 1

    def resolution(self, phase: int) -> int:
        return 4 * int(2**phase)

    def channels(self, phase: int) -> int:
        return max(1, min(self.max_channels, self.channel_base // int(2**phase)))

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


# --- Layers with an equalised learning rate ---------------------------------------------------


class EqualLinear(nn.Module):
    def __init__(self, in_features: int, out_features: int, gain: float = math.sqrt(2)) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features))
        self.bias = nn.Parameter(torch.zeros(out_features))
        self.scale = gain / math.sqrt(max(1, in_features))

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight * self.scale, self.bias)


class EqualConv2d(nn.Module):
    def __init__(
        self, in_channels: int, out_channels: int, kernel: int, gain: float = math.sqrt(2)
    ) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.scale = gain / math.sqrt(in_channels * kernel * kernel)
        self.padding = kernel // 2

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.padding)


def pixel_norm(x: Tensor, eps: float = 1e-8) -> Tensor:
    return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + eps)


def minibatch_stddev(x: Tensor) -> Tensor:
    """Append one feature map: the mean over features of the standard deviation over the batch.

    It lets the critic see the variety of a batch and so punishes a generator that collapses.
    """
    std = torch.sqrt(x.float().var(dim=0, unbiased=False) + 1e-8).mean().to(x.dtype)
    return torch.cat([x, std.expand(x.shape[0], 1, x.shape[2], x.shape[3])], dim=1)


def _lrelu(x: Tensor) -> Tensor:
    return F.leaky_relu(x, 0.2)


# --- Generator ----------------------------------------------------------------------------------


class Modulation(nn.Module):
    """Adaptive normalisation: pixel norm, then a per-channel scale and shift from the style."""

    def __init__(self, style_dim: int, channels: int) -> None:
        super().__init__()
        self.affine = EqualLinear(style_dim, 2 * channels, gain=MOD_GAIN)

    def forward(self, x: Tensor, style: Tensor) -> Tensor:
        params: Tensor = self.affine(style)
        scale, shift = params.unsqueeze(-1).unsqueeze(-1).chunk(2, dim=1)
        return pixel_norm(x) * (1 + scale) + shift


class GeneratorBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, style_dim: int, first: bool) -> None:
        super().__init__()
        self.first = first
        if first:
            self.input = EqualLinear(style_dim, out_channels * 16, gain=math.sqrt(2) / 4)
        else:
            self.conv0 = EqualConv2d(in_channels, out_channels, 3)
        self.mod0 = Modulation(style_dim, out_channels)
        self.conv1 = EqualConv2d(out_channels, out_channels, 3)
        self.mod1 = Modulation(style_dim, out_channels)

    def forward(self, x: Tensor, style: Tensor) -> Tensor:
        if self.first:
            x = self.input(style).view(style.shape[0], -1, 4, 4)
        else:
            x = self.conv0(F.interpolate(x, scale_factor=2, mode="nearest"))
        x = self.mod0(_lrelu(x), style)
        out: Tensor = self.mod1(_lrelu(self.conv1(x)), style)
        return out


class Generator(nn.Module):
    def __init__(self, config: NetConfig) -> None:
        super().__init__()
        self.config = config
        c = config
        # The diagnosis also enters the mapping, embedded to the noise's size: as one input among
        # many in a block's style it is too weak a signal for the generator to pick up early.
        self.embed = EqualLinear(c.n_classes, c.z_dim, gain=1.0)
        self.mapping = nn.Sequential(
            EqualLinear(2 * c.z_dim, c.w_dim), nn.LeakyReLU(0.2), EqualLinear(c.w_dim, c.w_dim)
        )
        self.part_sizes = [
            len(part) for part in torch.arange(c.n_continuous).tensor_split(c.n_phases)
        ]
        blocks, to_rgb = [], []
        for phase in range(c.n_phases):
            style_dim = c.w_dim + c.n_classes + self.part_sizes[phase]
            in_ch = c.channels(max(0, phase - 1))
            blocks.append(GeneratorBlock(in_ch, c.channels(phase), style_dim, first=phase == 0))
            to_rgb.append(EqualConv2d(c.channels(phase), 3, 1, gain=RGB_GAIN))
        self.blocks = nn.ModuleList(blocks)
        self.to_rgb = nn.ModuleList(to_rgb)

    def code_parts(self, labels: Tensor, continuous: Tensor) -> list[Tensor]:
        """The structured code cut into one part per block: the diagnosis plus a slice."""
        one_hot = F.one_hot(labels, self.config.n_classes).to(continuous.dtype)
        slices = continuous.tensor_split(self.config.n_phases, dim=1)
        return [torch.cat([one_hot, part], dim=1) for part in slices]

    def forward(
        self, z: Tensor, labels: Tensor, continuous: Tensor, phase: int, alpha: float = 1.0
    ) -> Tensor:
        if not 0 <= phase < self.config.n_phases:
            raise ValueError(f"phase must be in 0..{self.config.n_phases - 1}, not {phase}")
        one_hot = F.one_hot(labels, self.config.n_classes).to(z.dtype)
        w = self.mapping(torch.cat([pixel_norm(z), pixel_norm(self.embed(one_hot))], dim=1))
        parts = self.code_parts(labels, continuous.to(w.dtype))
        x = w
        previous = x
        for index in range(phase + 1):
            previous = x
            x = self.blocks[index](x, torch.cat([w, parts[index]], dim=1))
        image: Tensor = self.to_rgb[phase](x)
        if phase > 0 and alpha < 1.0:
            skip = F.interpolate(self.to_rgb[phase - 1](previous), scale_factor=2, mode="nearest")
            image = torch.lerp(skip, image, alpha)
        return image


# --- Critic -------------------------------------------------------------------------------------


class CriticBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv0 = EqualConv2d(in_channels, in_channels, 3)
        self.conv1 = EqualConv2d(in_channels, out_channels, 3)

    def forward(self, x: Tensor) -> Tensor:
        x = _lrelu(self.conv1(_lrelu(self.conv0(x))))
        return F.avg_pool2d(x, 2)


class Critic(nn.Module):
    """Returns the Wasserstein score, the diagnosis logits and the continuous-code estimate."""

    def __init__(self, config: NetConfig) -> None:
        super().__init__()
        self.config = config
        c = config
        self.from_rgb = nn.ModuleList(
            [EqualConv2d(3, c.channels(phase), 1) for phase in range(c.n_phases)]
        )
        self.blocks = nn.ModuleList(
            [CriticBlock(c.channels(p), c.channels(p - 1)) for p in range(1, c.n_phases)]
        )
        ch = c.channels(0)
        self.final_conv = EqualConv2d(ch + 1, ch, 3)
        self.final_linear = EqualLinear(ch * 16, ch)
        self.score = EqualLinear(ch, 1, gain=1.0)
        self.aux_class = EqualLinear(ch, c.n_classes, gain=1.0)
        self.aux_continuous = EqualLinear(ch, c.n_continuous, gain=1.0)

    def forward(
        self, image: Tensor, phase: int, alpha: float = 1.0
    ) -> tuple[Tensor, Tensor, Tensor]:
        if not 0 <= phase < self.config.n_phases:
            raise ValueError(f"phase must be in 0..{self.config.n_phases - 1}, not {phase}")
        x = _lrelu(self.from_rgb[phase](image))
        if phase > 0:
            x = self.blocks[phase - 1](x)
            if alpha < 1.0:
                skip = _lrelu(self.from_rgb[phase - 1](F.avg_pool2d(image, 2)))
                x = torch.lerp(skip, x, alpha)
            for index in range(phase - 2, -1, -1):
                x = self.blocks[index](x)
        x = _lrelu(self.final_conv(minibatch_stddev(x)))
        x = _lrelu(self.final_linear(x.flatten(1)))
        return self.score(x).squeeze(1), self.aux_class(x), self.aux_continuous(x)
