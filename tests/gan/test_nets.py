"""The progressive generator and critic: shapes at every phase and a seamless fade-in."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from gan.nets import Critic, Generator, NetConfig

CONFIG = NetConfig(
    final_size=32, z_dim=16, w_dim=16, n_continuous=3, channel_base=32, max_channels=16
)


@pytest.fixture(autouse=True)
def _few_threads() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)


def codes(n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    return torch.randn(n, CONFIG.z_dim), torch.arange(n) % 7, torch.rand(n, 3) * 2 - 1


def test_the_networks_grow_from_4x4_to_the_final_size() -> None:
    assert [CONFIG.resolution(p) for p in range(CONFIG.n_phases)] == [4, 8, 16, 32]
    assert NetConfig(final_size=512).n_phases == 8  # the paper's eight blocks


@pytest.mark.parametrize("phase", range(CONFIG.n_phases))
@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0])
def test_outputs_have_the_right_shape_at_every_phase(phase: int, alpha: float) -> None:
    generator, critic = Generator(CONFIG), Critic(CONFIG)
    size = CONFIG.resolution(phase)
    images = generator(*codes(5), phase, alpha)
    assert images.shape == (5, 3, size, size)
    score, class_logits, continuous = critic(images, phase, alpha)
    assert score.shape == (5,)
    assert class_logits.shape == (5, 7)
    assert continuous.shape == (5, 3)


@pytest.mark.parametrize("phase", range(1, CONFIG.n_phases))
def test_at_alpha_0_the_grown_generator_gives_the_previous_phase_upsampled(phase: int) -> None:
    generator = Generator(CONFIG)
    z, labels, cont = codes(4)
    grown = generator(z, labels, cont, phase, alpha=0.0)
    previous = generator(z, labels, cont, phase - 1, alpha=1.0)
    torch.testing.assert_close(grown, F.interpolate(previous, scale_factor=2, mode="nearest"))
    # and the new block does change the output once it fades in
    assert not torch.allclose(generator(z, labels, cont, phase, alpha=0.5), grown)


@pytest.mark.parametrize("phase", range(1, CONFIG.n_phases))
def test_at_alpha_0_the_grown_critic_judges_the_downsampled_image(phase: int) -> None:
    critic = Critic(CONFIG)
    size = CONFIG.resolution(phase)
    images = torch.randn(4, 3, size, size)
    grown = critic(images, phase, alpha=0.0)
    previous = critic(F.avg_pool2d(images, 2), phase - 1, alpha=1.0)
    for a, b in zip(grown, previous, strict=True):
        torch.testing.assert_close(a, b)


def test_the_diagnosis_code_reaches_every_generator_block() -> None:
    generator = Generator(CONFIG)
    z, _, cont = codes(2)
    parts = generator.code_parts(torch.tensor([4, 4]), cont)
    assert len(parts) == CONFIG.n_phases
    assert all(part[:, 4].eq(1).all() and part[:, :7].sum() == 2 for part in parts)
    # the continuous codes are cut into disjoint slices, one per block, in order
    assert torch.equal(torch.cat([part[:, 7:] for part in parts], dim=1), cont)
    mel = generator(z, torch.tensor([4, 4]), cont, CONFIG.n_phases - 1)
    nv = generator(z, torch.tensor([5, 5]), cont, CONFIG.n_phases - 1)
    assert not torch.allclose(mel, nv)


def test_the_critic_has_no_batch_norm() -> None:
    modules = list(Critic(NetConfig(final_size=64)).modules())
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in modules)


def test_a_final_size_that_is_not_a_power_of_two_is_refused() -> None:
    with pytest.raises(ValueError, match="power of two"):
        NetConfig(final_size=48)
