from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image as PILImage

from classifier import data as D
from tests.classifier.conftest import class_pixels


def write_images(folder: Path, count: int, seed: int = 0) -> list[tuple[str, Path]]:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    items = []
    for i in range(count):
        path = folder / f"img{seed}-{i}.png"
        PILImage.fromarray(class_pixels(i % 7, rng, 80, 60)).save(path)
        items.append((f"k{seed}-{i}", path))
    return items


def test_the_cache_decodes_each_image_once_at_the_run_size_and_is_reused(tmp_path: Path) -> None:
    items = write_images(tmp_path / "img", 5)
    decoded: list[int] = []
    cache = D.build_cache(
        root=tmp_path / "cache", name="toy", size=(40, 30), items=items,
        progress=lambda done, total: decoded.append(total),
    )  # fmt: skip
    assert cache.array.shape == (5, 30, 40, 3)
    assert cache.array.dtype == np.uint8
    expected = np.asarray(PILImage.open(items[3][1]).convert("RGB").resize((40, 30)))
    assert np.abs(cache.array[cache.rows(["k0-3"])[0]].astype(int) - expected).mean() < 3
    assert decoded == [5]

    again: list[int] = []
    reused = D.build_cache(
        root=tmp_path / "cache", name="toy", size=(40, 30), items=items[:3],
        progress=lambda done, total: again.append(total),
    )  # fmt: skip
    assert again == []
    assert reused.keys == cache.keys


def test_adding_images_decodes_only_the_new_ones_and_keeps_the_old_rows(tmp_path: Path) -> None:
    first = write_images(tmp_path / "img", 3, seed=0)
    cache = D.build_cache(root=tmp_path / "c", name="toy", size=(40, 30), items=first)
    before = np.array(cache.array)
    more = write_images(tmp_path / "img", 2, seed=1)
    counted: list[int] = []
    bigger = D.build_cache(
        root=tmp_path / "c", name="toy", size=(40, 30), items=first + more,
        progress=lambda done, total: counted.append(total),
    )  # fmt: skip
    assert counted == [2]
    assert len(bigger.keys) == 5
    assert np.array_equal(bigger.array[:3], before)
    assert D.open_cache(bigger.folder) == bigger


def test_a_key_not_in_the_cache_is_named(tmp_path: Path) -> None:
    cache = D.build_cache(
        root=tmp_path, name="toy", size=(20, 15), items=write_images(tmp_path / "i", 1)
    )
    with pytest.raises(KeyError, match="nope"):
        cache.rows(["nope"])


def test_device_images_batch_as_uint8_channels_first() -> None:
    array = np.random.default_rng(0).integers(0, 255, (6, 12, 16, 3), dtype=np.uint8)
    images = D.DeviceImages(array, np.array([5, 1, 3]), torch.device("cpu"))
    batch = images.batch(torch.tensor([2, 0]))
    assert batch.dtype == torch.uint8
    assert batch.shape == (2, 3, 12, 16)
    assert torch.equal(batch[0], torch.from_numpy(array[3]).permute(2, 0, 1))
    assert torch.equal(batch[1], torch.from_numpy(array[5]).permute(2, 0, 1))


def test_augmentation_changes_images_reproducibly_and_without_it_they_are_only_normalised() -> None:
    images = torch.from_numpy(
        np.random.default_rng(0).integers(0, 255, (4, 3, 24, 32), dtype=np.uint8)
    )
    a = D.augment(images, torch.Generator().manual_seed(3))
    b = D.augment(images, torch.Generator().manual_seed(3))
    c = D.augment(images, torch.Generator().manual_seed(4))
    plain = D.normalise(images)
    assert a.shape == plain.shape == (4, 3, 24, 32)
    assert torch.equal(a, b)
    assert not torch.allclose(a, c)
    assert not torch.allclose(a, plain)
    still = D.AugmentConfig(
        rotation_degrees=0, zoom=(1, 1), shear_degrees=0, hflip=False, vflip=False,
        brightness=0, contrast=0, saturation=0,
    )  # fmt: skip
    assert torch.allclose(D.augment(images, torch.Generator(), still), plain, atol=1e-3)


def test_a_horizontal_flip_alone_mirrors_the_image() -> None:
    images = torch.arange(2 * 3 * 4 * 6, dtype=torch.uint8).view(2, 3, 4, 6)
    flip = D.AugmentConfig(
        rotation_degrees=0, zoom=(1, 1), shear_degrees=0, hflip=True, vflip=False,
        brightness=0, contrast=0, saturation=0,
    )  # fmt: skip
    out = D.augment(images, torch.Generator().manual_seed(0), flip)
    plain = D.normalise(images)
    for i in range(2):
        assert torch.allclose(out[i], plain[i], atol=1e-3) or torch.allclose(
            out[i], plain[i].flip(-1), atol=1e-3
        )


def test_class_weights_rise_for_rare_classes_and_balanced_sampling_evens_them_out() -> None:
    labels = np.array([0] * 90 + [1] * 10)
    weights = D.class_weights(labels, 3)
    assert weights[1] == pytest.approx(9 * weights[0])
    assert weights[2] == 0.0
    order = D.epoch_order(labels, balanced=True, generator=torch.Generator().manual_seed(0))
    share = float((labels[order.numpy()] == 1).mean())
    assert 0.35 < share < 0.65
    plain = D.epoch_order(labels, balanced=False, generator=torch.Generator().manual_seed(0))
    assert sorted(plain.tolist()) == list(range(100))
