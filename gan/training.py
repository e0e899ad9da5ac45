"""Training the progressive InfoGAN: WGAN-GP plus the InfoGAN mutual-information term.

Losses, per step (critic D with score s, class logits q and continuous estimate m):
  critic:    s(fake) - s(real) + 10 * GP + 0.001 * s(real)^2
             + info * [CE(q(real), label) + CE(q(fake), code) + MSE(m(fake), continuous)]
  generator: -s(fake) + info * [CE(q(fake), code) + MSE(m(fake), continuous)]
The categorical code is supervised with the real images' labels, so code k means diagnosis k.

The gradient penalty runs in fp32 outside autocast and any compiled graph (second-order
gradients in bf16 are too coarse); the rest runs under bf16 autocast on CUDA.

Every random draw comes from one seeded ``torch.Generator`` kept in the checkpoint, so that a run
resumed from a checkpoint continues exactly as if it had never stopped. No Django here.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from gan.nets import Critic, Generator, NetConfig

PRESETS = ("paper", "default", "cpu-demo")
LOSS_NAMES = ("critic", "generator", "wasserstein", "gp", "info")


@dataclass(frozen=True)
class TrainConfig:
    net: NetConfig = field(default_factory=NetConfig)
    lr: float = 0.001
    betas: tuple[float, float] = (0.0, 0.99)
    # The learning rate is multiplied by lr_decay once every lr_decay_images images seen.
    lr_decay: float = 1.0
    lr_decay_images: int = 10_000
    # Batch size per phase (4x4 first); the last value repeats for any further phase.
    batch_sizes: tuple[int, ...] = (64, 64, 32, 32, 16, 16, 8, 4)
    # Images shown per phase while the new block fades in, then with it fully in.
    fade_images: int = 200_000
    stable_images: int = 200_000
    gp_weight: float = 10.0
    drift_weight: float = 0.001
    # At 1.0 the code decided the class in some seeds only (two-class check: 0.52 to 0.9 by
    # seed); at 2.0 in every seed tried (0.995 to 1.0).
    info_weight: float = 2.0
    seed: int = 0
    log_every: int = 10
    checkpoint_every: int = 200
    grid_columns: int = 8

    def batch_size(self, phase: int) -> int:
        return self.batch_sizes[min(phase, len(self.batch_sizes) - 1)]

    def phase_images(self, phase: int) -> int:
        return self.stable_images + (self.fade_images if phase > 0 else 0)

    @property
    def total_images(self) -> int:
        return sum(self.phase_images(p) for p in range(self.net.n_phases))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        data = dict(data)
        net = NetConfig(**data.pop("net"))
        data["betas"] = tuple(data["betas"])
        data["batch_sizes"] = tuple(data["batch_sizes"])
        return cls(net=net, **data)


def preset(name: str, *, final_size: int, **overrides: Any) -> TrainConfig:
    """The named settings: ``paper`` (the publication's), ``default`` (stable) and ``cpu-demo``."""
    if name == "paper":
        # lr 0.0075 with exponential decay 0.99, batch 128 at 4x4 halving to 2 at 512x512.
        config = TrainConfig(
            net=NetConfig(final_size=final_size, channel_base=8192, max_channels=512, z_dim=256),
            lr=0.0075,
            lr_decay=0.99,
            batch_sizes=(128, 64, 32, 16, 8, 4, 2, 2),
            fade_images=800_000,
            stable_images=800_000,
        )
    elif name == "default":
        config = TrainConfig(net=NetConfig(final_size=final_size))
    elif name == "cpu-demo":
        # A few minutes on two CPU cores at 32x32: narrow networks, few images per phase.
        config = TrainConfig(
            net=NetConfig(
                final_size=final_size, channel_base=128, max_channels=64, z_dim=32, w_dim=32
            ),
            lr=0.002,
            batch_sizes=(32,),
            fade_images=2_500,
            stable_images=2_500,
            checkpoint_every=50,
        )
    else:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return replace(config, **overrides) if overrides else config


# --- Pieces -------------------------------------------------------------------------------------


def gradient_penalty(
    critic: Callable[[Tensor], Tensor], real: Tensor, fake: Tensor, epsilon: Tensor
) -> Tensor:
    """Mean of (||grad_x critic(x)||_2 - 1)^2 at x = eps * real + (1 - eps) * fake, in fp32."""
    with torch.autocast(device_type=real.device.type, enabled=False):
        eps = epsilon.to(real.dtype).view(-1, *([1] * (real.dim() - 1)))
        mixed = (eps * real.float() + (1 - eps) * fake.float()).requires_grad_(True)
        scores = critic(mixed).float()
        (grad,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
        penalty: Tensor = (grad.flatten(1).norm(2, dim=1) - 1).pow(2).mean()
        return penalty


def to_float_images(batch: Tensor) -> Tensor:
    """uint8 NHWC in [0, 255] -> float NCHW in [-1, 1]."""
    return batch.permute(0, 3, 1, 2).float().div(127.5).sub(1.0)


def to_uint8_images(images: Tensor) -> np.ndarray:
    """float NCHW in [-1, 1] -> uint8 NHWC."""
    scaled = images.detach().float().clamp(-1, 1).add(1).mul(127.5).round()
    return scaled.to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()


def real_at(images: Tensor, size: int, alpha: float) -> Tensor:
    """Real images at ``size``; while a phase fades in they are blended with their blurrier
    half-size version, as the generator's own output is."""
    if images.shape[-1] != size:
        images = F.adaptive_avg_pool2d(images, size)
    if alpha < 1.0 and size > 4:
        coarse = F.interpolate(F.avg_pool2d(images, 2), scale_factor=2, mode="nearest")
        images = torch.lerp(coarse, images, alpha)
    return images


@dataclass
class Progress:
    phase: int
    resolution: int
    alpha: float
    images_seen: int
    total_images: int
    step: int
    losses: dict[str, float]
    phase_done: bool = False
    grid: str = ""

    @property
    def fraction(self) -> float:
        return self.images_seen / max(1, self.total_images)


# --- The trainer --------------------------------------------------------------------------------


class Trainer:
    """Trains from a uint8 array of square real images (N, S, S, 3) and their labels (N,)."""

    def __init__(
        self,
        config: TrainConfig,
        images: np.ndarray,
        labels: np.ndarray,
        out_dir: Path,
        device: str | torch.device = "cpu",
        on_checkpoint: Callable[[Path], None] | None = None,
    ) -> None:
        size = config.net.final_size
        if images.ndim != 4 or images.shape[1:] != (size, size, 3) or images.dtype != np.uint8:
            raise ValueError(f"images must be uint8 (N, {size}, {size}, 3), not {images.shape}")
        if len(images) != len(labels) or len(images) == 0:
            raise ValueError("images and labels must be non-empty and of the same length")
        if labels.min() < 0 or labels.max() >= config.net.n_classes:
            raise ValueError(f"labels must lie in 0..{config.net.n_classes - 1}")
        self.config = config
        self.device = torch.device(device)
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        # Told of each checkpoint once it is whole on disk (a service copies it to shared storage).
        self.on_checkpoint = on_checkpoint
        self.images = torch.from_numpy(np.ascontiguousarray(images))
        self.labels = torch.from_numpy(labels.astype(np.int64))
        # Codes are drawn with the real data's class frequencies: with uniform codes the critic
        # could tell fakes by their class mix alone and push rare classes towards common ones.
        counts = torch.bincount(self.labels, minlength=config.net.n_classes).double()
        self.class_probs = counts / counts.sum()
        self.autocast = self.device.type == "cuda"
        torch.manual_seed(config.seed)  # the networks' initial weights
        self.generator = Generator(config.net).to(self.device)
        self.critic = Critic(config.net).to(self.device)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=config.lr, betas=config.betas)
        self.opt_d = torch.optim.Adam(self.critic.parameters(), lr=config.lr, betas=config.betas)
        self.rng = torch.Generator().manual_seed(config.seed)
        self.phase = 0
        self.images_in_phase = 0
        self.images_seen = 0
        self.step = 0
        self.history: list[dict[str, float]] = []
        self.grids: list[str] = []
        self.fixed = self._fixed_codes()

    @property
    def checkpoint_path(self) -> Path:
        return self.out_dir / "checkpoint.pt"

    @property
    def finished(self) -> bool:
        return self.phase >= self.config.net.n_phases

    def alpha(self) -> float:
        if self.phase == 0 or self.config.fade_images == 0:
            return 1.0
        return min(1.0, self.images_in_phase / self.config.fade_images)

    def lr(self) -> float:
        c = self.config
        return c.lr * c.lr_decay ** (self.images_seen // max(1, c.lr_decay_images))

    def _fixed_codes(self) -> tuple[Tensor, Tensor, Tensor]:
        """One grid row per diagnosis, the same noise down each column."""
        c = self.config.net
        rng = torch.Generator().manual_seed(self.config.seed + 1)
        cols = self.config.grid_columns
        z = torch.randn(cols, c.z_dim, generator=rng).repeat(c.n_classes, 1)
        cont = (torch.rand(cols, c.n_continuous, generator=rng) * 2 - 1).repeat(c.n_classes, 1)
        labels = torch.arange(c.n_classes).repeat_interleave(cols)
        return z, labels, cont

    def _codes(self, n: int) -> tuple[Tensor, Tensor, Tensor]:
        c = self.config.net
        z = torch.randn(n, c.z_dim, generator=self.rng)
        labels = torch.multinomial(self.class_probs, n, replacement=True, generator=self.rng)
        cont = torch.rand(n, c.n_continuous, generator=self.rng) * 2 - 1
        return z.to(self.device), labels.to(self.device), cont.to(self.device)

    def _info_loss(self, logits: Tensor, cont_pred: Tensor, labels: Tensor, cont: Tensor) -> Tensor:
        return F.cross_entropy(logits.float(), labels) + F.mse_loss(cont_pred.float(), cont)

    def _autocast(self) -> torch.autocast:
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.autocast)

    def _set_lr(self) -> None:
        for group in (*self.opt_g.param_groups, *self.opt_d.param_groups):
            group["lr"] = self.lr()

    def critic_step(self, phase: int, alpha: float, n: int) -> list[Tensor]:
        """One critic update on a real batch and a fake one; returns its loss terms."""
        c = self.config
        size = c.net.resolution(phase)
        index = torch.randint(0, len(self.images), (n,), generator=self.rng)
        real = real_at(to_float_images(self.images[index].to(self.device)), size, alpha)
        labels = self.labels[index].to(self.device)
        z, codes, cont = self._codes(n)
        epsilon = torch.rand(n, generator=self.rng).to(self.device)
        self.opt_d.zero_grad(set_to_none=True)
        with self._autocast():
            fake = self.generator(z, codes, cont, phase, alpha).detach()
            s_real, q_real, _ = self.critic(real, phase, alpha)
            s_fake, q_fake, m_fake = self.critic(fake, phase, alpha)
            s_real, s_fake = s_real.float(), s_fake.float()
            wasserstein = s_fake.mean() - s_real.mean()
            drift = s_real.pow(2).mean()
            info_d = F.cross_entropy(q_real.float(), labels) + self._info_loss(
                q_fake, m_fake, codes, cont
            )
        penalty = gradient_penalty(
            lambda x: self.critic(x, phase, alpha)[0], real, fake.float(), epsilon
        )
        loss_d = wasserstein + c.gp_weight * penalty + c.drift_weight * drift
        loss_d = loss_d + c.info_weight * info_d
        loss_d.backward()
        self.opt_d.step()
        return [loss_d, -wasserstein, penalty]

    def generator_step(self, phase: int, alpha: float, n: int) -> list[Tensor]:
        """One generator update on fresh codes; returns its loss terms."""
        z, codes, cont = self._codes(n)
        self.opt_g.zero_grad(set_to_none=True)
        with self._autocast():
            fake = self.generator(z, codes, cont, phase, alpha)
            s_fake, q_fake, m_fake = self.critic(fake, phase, alpha)
            adversarial = -s_fake.float().mean()
            info_g = self._info_loss(q_fake, m_fake, codes, cont)
        loss_g = adversarial + self.config.info_weight * info_g
        loss_g.backward()
        self.opt_g.step()
        return [loss_g, info_g]

    def train_step(self) -> dict[str, float]:
        phase, alpha = self.phase, self.alpha()
        n = self.config.batch_size(phase)
        self._set_lr()
        loss_d, wasserstein, penalty = self.critic_step(phase, alpha, n)
        loss_g, info_g = self.generator_step(phase, alpha, n)
        self.step += 1
        self.images_in_phase += n
        self.images_seen += n
        values = torch.stack([loss_d, loss_g, wasserstein, penalty, info_g]).detach().cpu()
        return dict(zip(LOSS_NAMES, values.tolist(), strict=True))

    # --- Samples and checkpoints ---------------------------------------------------------------

    @torch.no_grad()
    def sample_grid(self, phase: int) -> Path:
        from torchvision.utils import save_image

        z, labels, cont = (t.to(self.device) for t in self.fixed)
        self.generator.eval()
        images = self.generator(z, labels, cont, phase, 1.0).float()
        self.generator.train()
        size = self.config.net.resolution(phase)
        path = self.out_dir / "grids" / f"phase{phase}_{size}px.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if size < 64:  # small phases are hard to see: enlarge without smoothing
            images = F.interpolate(images, size=64, mode="nearest")
        save_image(images.add(1).div(2).clamp(0, 1), path, nrow=self.config.grid_columns)
        return path

    def state(self) -> dict[str, Any]:
        return {
            "config": self.config.to_dict(),
            "generator": self.generator.state_dict(),
            "critic": self.critic.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "rng": self.rng.get_state(),
            "phase": self.phase,
            "images_in_phase": self.images_in_phase,
            "images_seen": self.images_seen,
            "step": self.step,
            "history": self.history,
            "grids": self.grids,
        }

    def save_checkpoint(self) -> Path:
        # Write then rename: a crash mid-write leaves the previous checkpoint intact.
        tmp = self.checkpoint_path.with_suffix(".tmp")
        torch.save(self.state(), tmp)
        os.replace(tmp, self.checkpoint_path)
        if self.on_checkpoint:
            self.on_checkpoint(self.checkpoint_path)
        return self.checkpoint_path

    def load_checkpoint(self, path: Path | None = None) -> bool:
        path = path or self.checkpoint_path
        if not path.exists():
            return False
        state = torch.load(path, map_location=self.device, weights_only=False)
        if state["config"] != self.config.to_dict():
            raise ValueError(f"{path} was written by a run with other settings")
        self.generator.load_state_dict(state["generator"])
        self.critic.load_state_dict(state["critic"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.rng.set_state(state["rng"])
        self.phase = state["phase"]
        self.images_in_phase = state["images_in_phase"]
        self.images_seen = state["images_seen"]
        self.step = state["step"]
        self.history = state["history"]
        self.grids = state["grids"]
        return True

    def progress(self, losses: dict[str, float], **extra: Any) -> Progress:
        phase = min(self.phase, self.config.net.n_phases - 1)
        return Progress(
            phase=phase,
            resolution=self.config.net.resolution(phase),
            alpha=self.alpha() if not self.finished else 1.0,
            images_seen=self.images_seen,
            total_images=self.config.total_images,
            step=self.step,
            losses=losses,
            **extra,
        )

    def train(
        self,
        on_progress: Callable[[Progress], None] | None = None,
        max_steps: int | None = None,
    ) -> bool:
        """Train until done (True) or until ``max_steps`` more steps (False), checkpointing as it
        goes and at the end. Call ``load_checkpoint`` first to resume."""
        c = self.config
        steps = 0
        losses: dict[str, float] = {}
        while not self.finished:
            if max_steps is not None and steps >= max_steps:
                self.save_checkpoint()
                return False
            losses = self.train_step()
            steps += 1
            if not all(math.isfinite(v) for v in losses.values()):
                raise FloatingPointError(f"losses diverged at step {self.step}: {losses}")
            if self.step % c.log_every == 0:
                self.history.append(
                    {"step": self.step, "images": self.images_seen, "phase": self.phase, **losses}
                )
                if on_progress:
                    on_progress(self.progress(losses))
            if self.images_in_phase >= c.phase_images(self.phase):
                grid = self.sample_grid(self.phase)
                self.grids.append(grid.name)
                done = self.progress(losses, phase_done=True, grid=grid.name)
                self.phase += 1
                self.images_in_phase = 0
                self.save_checkpoint()
                if on_progress:
                    on_progress(done)
            elif self.step % c.checkpoint_every == 0:
                self.save_checkpoint()
        self.save_checkpoint()
        return True


def load_generator(path: Path, device: str | torch.device = "cpu") -> tuple[Generator, TrainConfig]:
    state = torch.load(path, map_location=device, weights_only=False)
    config = TrainConfig.from_dict(state["config"])
    generator = Generator(config.net).to(device)
    generator.load_state_dict(state["generator"])
    generator.eval()
    return generator, config


@torch.no_grad()
def generate(
    generator: Generator,
    labels: np.ndarray,
    *,
    seed: int,
    batch_size: int = 64,
    device: str | torch.device = "cpu",
) -> tuple[np.ndarray, np.ndarray]:
    """Images (uint8 NHWC at the final size) for the given diagnosis indices, and their
    continuous codes."""
    c = generator.config
    rng = torch.Generator().manual_seed(seed)
    z = torch.randn(len(labels), c.z_dim, generator=rng)
    cont = torch.rand(len(labels), c.n_continuous, generator=rng) * 2 - 1
    codes = torch.as_tensor(labels, dtype=torch.long)
    out = []
    for start in range(0, len(labels), batch_size):
        part = slice(start, start + batch_size)
        images = generator(
            z[part].to(device), codes[part].to(device), cont[part].to(device), c.n_phases - 1
        )
        out.append(to_uint8_images(images))
    empty = np.zeros((0, c.final_size, c.final_size, 3), np.uint8)
    return (np.concatenate(out) if out else empty), cont.numpy()
