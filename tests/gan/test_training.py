"""The WGAN-GP + InfoGAN training loop: penalty, resume, and a code that means a class."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from gan import training
from gan.nets import NetConfig
from gan.training import (
    Progress,
    TrainConfig,
    Trainer,
    generate,
    gradient_penalty,
    load_generator,
    preset,
)
from tests.gan.synthetic import two_class_images

TINY = TrainConfig(
    net=NetConfig(final_size=8, z_dim=8, w_dim=8, n_continuous=2, channel_base=16, max_channels=8),
    batch_sizes=(8,),
    fade_images=64,
    stable_images=64,
    log_every=1,
    checkpoint_every=5,
    seed=3,
)


@pytest.fixture(autouse=True)
def _few_threads() -> None:
    torch.set_num_threads(1)  # more threads only fight over a shared CPU


def test_the_gradient_penalty_of_a_linear_critic_is_its_slope_norm_minus_one_squared() -> None:
    weights = torch.tensor([[[2.0, 0.0], [1.0, 2.0]]])  # norm 3 -> penalty (3 - 1)^2 = 4

    def critic(x: torch.Tensor) -> torch.Tensor:
        return (x * weights).flatten(1).sum(1)

    real, fake = torch.randn(5, 1, 2, 2), torch.randn(5, 1, 2, 2)
    penalty = gradient_penalty(critic, real, fake, torch.rand(5))
    torch.testing.assert_close(penalty, torch.tensor(4.0))


def test_the_gradient_penalty_is_taken_at_the_mix_of_real_and_fake() -> None:
    # critic(x) = |x|^2 / 2 has gradient x; at eps = 0.25 the mix of 2s and 0s is all 0.5,
    # of norm 0.5 * sqrt(12) over 12 values.
    def critic(x: torch.Tensor) -> torch.Tensor:
        return x.pow(2).flatten(1).sum(1) / 2

    real, fake = torch.full((2, 3, 2, 2), 2.0), torch.zeros(2, 3, 2, 2)
    penalty = gradient_penalty(critic, real, fake, torch.full((2,), 0.25))
    expected = (0.5 * 12**0.5 - 1) ** 2
    torch.testing.assert_close(penalty, torch.tensor(expected))


def test_the_presets_keep_the_papers_settings() -> None:
    paper = preset("paper", final_size=512)
    assert paper.lr == 0.0075
    assert paper.lr_decay == 0.99
    assert [paper.batch_size(p) for p in range(8)] == [128, 64, 32, 16, 8, 4, 2, 2]
    assert (paper.gp_weight, paper.drift_weight) == (10.0, 0.001)
    assert paper.net.n_phases == 8
    with pytest.raises(ValueError, match="unknown preset"):
        preset("fast", final_size=32)


def test_bad_training_images_are_refused_with_a_clear_error(tmp_path: Path) -> None:
    images, labels = two_class_images(10, 16)
    with pytest.raises(ValueError, match=r"uint8 \(N, 8, 8, 3\)"):
        Trainer(TINY, images, labels, tmp_path)


def test_training_reports_progress_and_writes_a_grid_per_phase(tmp_path: Path) -> None:
    images, labels = two_class_images(40, 8)
    seen: list[Progress] = []
    trainer = Trainer(TINY, images, labels, tmp_path)
    assert trainer.train(on_progress=seen.append)
    assert trainer.images_seen == TINY.total_images == 64 + 128
    assert [p.resolution for p in seen if p.phase_done] == [4, 8]
    assert sorted(p.name for p in (tmp_path / "grids").iterdir()) == trainer.grids
    assert trainer.grids == ["phase0_4px.png", "phase1_8px.png"]
    fading = [p.alpha for p in seen if p.phase == 1 and not p.phase_done]
    assert fading[0] < 0.5
    assert fading[-1] == 1.0
    assert fading == sorted(fading)
    assert set(seen[-1].losses) == {"critic", "generator", "wasserstein", "gp", "info"}


def test_a_run_resumed_after_a_crash_ends_exactly_like_an_uninterrupted_one(
    tmp_path: Path,
) -> None:
    images, labels = two_class_images(40, 8)
    straight = Trainer(TINY, images, labels, tmp_path / "straight")
    straight.train()

    class Crash(Exception):
        pass

    def crash_at_step_13(progress: Progress) -> None:
        if progress.step == 13:
            raise Crash

    crashed = Trainer(TINY, images, labels, tmp_path / "crashed")
    with pytest.raises(Crash):
        crashed.train(on_progress=crash_at_step_13)
    # A new process: fresh networks, then the last checkpoint (step 10; steps 11-13 are redone).
    resumed = Trainer(TINY, images, labels, tmp_path / "crashed")
    assert resumed.load_checkpoint()
    assert resumed.step == 10
    assert resumed.train()

    assert resumed.step == straight.step == 24
    for net in ("generator", "critic"):
        ours, theirs = getattr(resumed, net).state_dict(), getattr(straight, net).state_dict()
        assert all(torch.equal(ours[k], theirs[k]) for k in theirs)
    assert resumed.history == straight.history


def test_a_checkpoint_of_other_settings_is_not_resumed(tmp_path: Path) -> None:
    images, labels = two_class_images(20, 8)
    Trainer(TINY, images, labels, tmp_path).train(max_steps=2)
    other = Trainer(replace(TINY, lr=0.01), images, labels, tmp_path)
    with pytest.raises(ValueError, match="other settings"):
        other.load_checkpoint()


@pytest.mark.slow
def test_after_a_short_training_the_categorical_code_decides_the_class(tmp_path: Path) -> None:
    size = 8
    config = TrainConfig(
        net=NetConfig(
            final_size=size, z_dim=16, w_dim=16, n_continuous=2, channel_base=64, max_channels=32
        ),
        lr=0.002,
        batch_sizes=(32,),
        fade_images=2500,
        stable_images=2500,
        seed=1,
    )
    images, labels = two_class_images(600, size, seed=1)
    Trainer(config, images, labels, tmp_path).train()

    # A classifier trained on the real images only...
    test_images, test_labels = two_class_images(200, size, seed=2)
    judge = LogisticRegression(max_iter=2000).fit(features(images), labels)
    assert judge.score(features(test_images), test_labels) > 0.95
    # ...recognises the class of the code in generated images.
    generator, _ = load_generator(tmp_path / "checkpoint.pt")
    codes = np.repeat([0, 1], 100)
    fakes, _ = generate(generator, codes, seed=5)
    accuracy = (judge.predict(features(fakes)) == codes).mean()
    print(f"code -> class accuracy on 200 generated images: {accuracy:.3f}")
    assert accuracy >= 0.9  # chance is 0.5


def features(images: np.ndarray) -> np.ndarray:
    return images.reshape(len(images), -1).astype(np.float32) / 255


def test_the_bf16_path_trains_with_the_penalty_in_fp32(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The GPU's bf16 autocast, run with the CPU's: the same casts through the same code.
    images, labels = two_class_images(20, 8)
    trainer = Trainer(TINY, images, labels, tmp_path)
    trainer.autocast = True
    scores: list[torch.dtype] = []
    trainer.critic.score.register_forward_hook(lambda m, i, out: scores.append(out.dtype))
    in_penalty: list[torch.dtype] = []
    penalty = training.gradient_penalty

    def watched_penalty(critic, real, fake, epsilon):  # type: ignore[no-untyped-def]
        def watched(x: torch.Tensor) -> torch.Tensor:
            out = critic(x)
            in_penalty.append(out.dtype)
            return out

        return penalty(watched, real, fake, epsilon)

    monkeypatch.setattr(training, "gradient_penalty", watched_penalty)
    assert trainer.train()
    assert torch.bfloat16 in scores  # the losses' forward passes ran in bf16
    assert set(in_penalty) == {torch.float32}  # the penalty never did
    assert all(np.isfinite(point["critic"]) for point in trainer.history)
