"""Images for training: a decoded uint8 cache on disk, moved to the device, augmented there.

Decoding a JPEG and resizing it costs about 4 ms per image per core: far slower than a GPU
trains. So each image is decoded once per size into ``images.u8`` (a raw N x H x W x 3 uint8
memmap) with ``index.json`` naming its rows, and every run at that size reads that cache. A
cache's folder is named by its content and appears whole, in one rename (``build_cache``).
Augmentation (random affine, flips, colour jitter) runs on whole batches on the training device.

No Django here: this module takes paths, arrays and tensors.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import os
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image as PILImage

from classifier.nets import IMAGENET_MEAN, IMAGENET_STD
from lesions.imaging import DEFAULT_MAX_PIXELS, ImageTooLarge, open_checked

Progress = Callable[[int, int], None]
# An image to decode: a path, or a function that opens it (e.g. from Django's media store).
ImageSource = str | Path | Callable[[], AbstractContextManager[IO[bytes]]]
INDEX_FILE = "index.json"
DATA_FILE = "images.u8"
# A hidden build folder older than this was left by a worker that died while building.
ABANDONED_BUILD_S = 6 * 3600


def decode(
    path: str | Path | IO[bytes], size: tuple[int, int], *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> np.ndarray:
    """One image (a path or an open file) as uint8 H x W x 3 at ``size`` (width, height).

    Refuses (``ImageTooLarge``) an image declaring more than ``max_pixels`` before decoding it.
    """
    with open_checked(path, max_pixels=max_pixels) as image:
        image.draft("RGB", size)  # lets libjpeg decode at a reduced scale when it can
        rgb = image.convert("RGB")
        if rgb.size != size:
            rgb = rgb.resize(size, PILImage.Resampling.BILINEAR, reducing_gap=2.0)
        return np.asarray(rgb, dtype=np.uint8)


@dataclass(frozen=True)
class ImageCache:
    """A decoded cache: ``array[i]`` is the image of ``keys[i]``, uint8 H x W x 3."""

    folder: Path
    keys: tuple[str, ...]
    size: tuple[int, int]

    @property
    def array(self) -> np.ndarray:
        width, height = self.size
        return np.memmap(
            self.folder / DATA_FILE,
            dtype=np.uint8,
            mode="r",
            shape=(len(self.keys), height, width, 3),
        )

    def rows(self, keys: Sequence[str]) -> np.ndarray:
        where = {key: i for i, key in enumerate(self.keys)}
        missing = [key for key in keys if key not in where]
        if missing:
            raise KeyError(f"{len(missing)} images are not in the cache, e.g. {missing[0]!r}")
        return np.array([where[key] for key in keys], dtype=np.int64)


def cache_folder(root: str | Path, name: str, size: tuple[int, int]) -> Path:
    """The folder holding a data set's caches at ``size``, one sub-folder per content."""
    return Path(root) / name / f"{size[0]}x{size[1]}"


def content_key(keys: Sequence[str], size: tuple[int, int]) -> str:
    """A cache's name from what it holds: its images' keys (id and hash), in order, and size."""
    return hashlib.sha256(json.dumps([list(size), list(keys)]).encode()).hexdigest()[:24]


def open_cache(folder: Path) -> ImageCache | None:
    index = folder / INDEX_FILE
    if not index.exists():
        return None
    meta = json.loads(index.read_text())
    width, height = meta["size"]
    return ImageCache(folder=folder, keys=tuple(meta["keys"]), size=(int(width), int(height)))


def find_caches(parent: Path) -> list[ImageCache]:
    """The finished caches under ``parent`` (a build in progress is hidden in a dot-folder)."""
    if not parent.is_dir():
        return []
    found = (open_cache(sub) for sub in sorted(parent.iterdir()) if not sub.name.startswith("."))
    return [cache for cache in found if cache is not None]


def _sweep_abandoned_builds(parent: Path) -> None:
    # A worker killed mid-build leaves its dot-folder behind; nobody will finish it.
    cutoff = time.time() - ABANDONED_BUILD_S
    for sub in parent.glob(".building-*"):
        with contextlib.suppress(OSError):
            if sub.stat().st_mtime < cutoff:
                shutil.rmtree(sub)


def _read(source: ImageSource, size: tuple[int, int], max_pixels: int) -> np.ndarray:
    if callable(source):
        with source() as handle:
            return decode(handle, size, max_pixels=max_pixels)
    return decode(source, size, max_pixels=max_pixels)


def build_cache(
    *,
    root: str | Path,
    name: str,
    size: tuple[int, int],
    items: Sequence[tuple[str, ImageSource]],
    progress: Progress | None = None,
    workers: int | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> ImageCache:
    """A cache holding ``items`` (key, image path or opener) at ``size``, decoding only what no
    cache has yet.

    Each cache is named by its content (``content_key``) and never changes once made: it is
    written whole into a hidden folder, then renamed into place in one step, so no reader (in
    this process, another worker, or a worker sharing the folder) ever sees a half-written
    cache, and two workers building the same cache at once both end up with one whole copy.
    Rows of an existing cache are copied rather than decoded again. A cache that a bigger one
    now holds is left in place (another worker may be reading it); delete such folders while no
    worker runs to free their space. An image above ``max_pixels`` stops the build with
    ``ImageTooLarge`` naming it.
    """
    parent = cache_folder(root, name, size)
    wanted: dict[str, ImageSource] = {}
    for key, source in items:
        wanted.setdefault(key, source)
    existing = find_caches(parent)
    for cache in existing:
        if set(wanted) <= set(cache.keys):
            return cache
    base = max(existing, key=lambda c: len(set(c.keys) & set(wanted)), default=None)
    kept = tuple(k for k in base.keys if k in wanted) if base else ()
    keys = kept + tuple(k for k in wanted if k not in set(kept))
    parent.mkdir(parents=True, exist_ok=True)
    _sweep_abandoned_builds(parent)
    building = parent / f".building-{uuid.uuid4().hex}"
    building.mkdir()
    try:
        width, height = size
        out = np.memmap(
            building / DATA_FILE, dtype=np.uint8, mode="w+", shape=(len(keys), height, width, 3)
        )
        if base is not None and kept:
            out[: len(kept)] = base.array[base.rows(kept)]
        todo = list(range(len(kept), len(keys)))
        done = 0

        def work(row: int) -> int:
            try:
                out[row] = _read(wanted[keys[row]], size, max_pixels)
            except ImageTooLarge as error:
                raise ImageTooLarge(f"{keys[row]}: {error}") from error
            return row

        # PIL releases the GIL while decoding and resizing, so threads use every core.
        with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            for _ in pool.map(work, todo):
                done += 1
                if progress and (done % 64 == 0 or done == len(todo)):
                    progress(done, len(todo))
        out.flush()
        (building / INDEX_FILE).write_text(json.dumps({"size": list(size), "keys": list(keys)}))
        final = parent / content_key(keys, size)
        try:
            os.rename(building, final)
        except OSError:
            if not (final / INDEX_FILE).exists():
                raise
            # Another worker finished the same cache first: use that one.
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return ImageCache(folder=final, keys=keys, size=size)


def fits_on_device(nbytes: int, device: torch.device, reserve: float = 0.5) -> bool:
    """Whether ``nbytes`` take at most ``1 - reserve`` of the device's free memory."""
    if device.type != "cuda":
        return True  # on the CPU the "device" is host memory, where the memmap lives anyway
    free, _ = torch.cuda.mem_get_info(device)
    return nbytes <= free * (1.0 - reserve)


class DeviceImages:
    """A set of cached images ready to batch on a device: moved there whole when they fit.

    ``batch(indices)`` returns uint8 B x 3 x H x W on the device; ``indices`` index the
    ``rows`` given at construction.
    """

    def __init__(self, array: np.ndarray, rows: np.ndarray, device: torch.device) -> None:
        self.device = device
        self.count = len(rows)
        host = torch.from_numpy(np.ascontiguousarray(array[rows]))
        self.on_device = fits_on_device(host.numel(), device)
        if self.on_device:
            self.data = host.to(device)
        else:
            self.data = host.pin_memory() if device.type == "cuda" else host

    def batch(self, indices: torch.Tensor) -> torch.Tensor:
        if self.on_device:
            chosen = self.data[indices.to(self.device)]
        else:
            chosen = self.data[indices.cpu()].to(self.device, non_blocking=True)
        return chosen.permute(0, 3, 1, 2)


@dataclass(frozen=True)
class AugmentConfig:
    rotation_degrees: float = 30.0
    zoom: tuple[float, float] = (0.9, 1.15)
    shear_degrees: float = 10.0
    hflip: bool = True
    vflip: bool = True
    brightness: float = 0.1
    contrast: float = 0.1
    saturation: float = 0.1


def _uniform(
    n: int, low: float, high: float, generator: torch.Generator, device: torch.device
) -> torch.Tensor:
    return torch.rand(n, generator=generator, device=device) * (high - low) + low


def _layout(x: torch.Tensor) -> torch.Tensor:
    # channels_last speeds convolutions up on CUDA tensor cores but slows the CPU's
    # depth-wise convolutions about tenfold, so only GPU batches get it.
    return x.contiguous(memory_format=torch.channels_last) if x.is_cuda else x


@functools.cache
def _scale_shift(device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """(x - mean) / std as x * scale - shift, kept on the device: a tensor built from Python
    numbers for every batch would be a blocking host-to-device copy in every training step."""
    std = torch.tensor(IMAGENET_STD, dtype=torch.float32).view(1, 3, 1, 1)
    mean = torch.tensor(IMAGENET_MEAN, dtype=torch.float32).view(1, 3, 1, 1)
    return (1.0 / std).to(device), (mean / std).to(device)


def _standardise(x: torch.Tensor, pixel_scale: float) -> torch.Tensor:
    scale, shift = _scale_shift(x.device)
    return _layout(torch.addcmul(-shift, x, scale * pixel_scale))


def normalise(images: torch.Tensor) -> torch.Tensor:
    """uint8 B x 3 x H x W -> float, ImageNet-normalised (channels_last on CUDA)."""
    return _standardise(images.float(), 1.0 / 255.0)


def augment(
    images: torch.Tensor, generator: torch.Generator, config: AugmentConfig = AugmentConfig()
) -> torch.Tensor:
    """Random rotation, zoom, shear, flips and mild colour jitter of a uint8 batch, on its device.

    One batched ``affine_grid``/``grid_sample`` does all geometry; returns normalised floats.
    """
    n, _, height, width = images.shape
    device = images.device
    x = images.float() / 255.0
    angle = torch.deg2rad(
        _uniform(n, -config.rotation_degrees, config.rotation_degrees, generator, device)
    )
    shear = torch.deg2rad(
        _uniform(n, -config.shear_degrees, config.shear_degrees, generator, device)
    )
    zoom = _uniform(n, config.zoom[0], config.zoom[1], generator, device)
    sx = torch.ones(n, device=device)
    sy = torch.ones(n, device=device)
    if config.hflip:
        sx = torch.where(torch.rand(n, generator=generator, device=device) < 0.5, -sx, sx)
    if config.vflip:
        sy = torch.where(torch.rand(n, generator=generator, device=device) < 0.5, -sy, sy)
    # Output-to-input map in pixel units (rotation @ shear @ zoom @ flips), then carried into
    # affine_grid's [-1, 1] coordinates, where x spans the width and y the height.
    cos, sin = torch.cos(angle), torch.sin(angle)
    rotation = torch.stack([cos, -sin, sin, cos], dim=1).view(n, 2, 2)
    shearing = torch.eye(2, device=device).repeat(n, 1, 1)
    shearing[:, 0, 1] = torch.tan(shear)
    scaling = torch.diag_embed(torch.stack([sx, sy], dim=1) / zoom.unsqueeze(1))
    pixel = rotation @ shearing @ scaling
    # diag(2/W, 2/H) @ pixel @ diag(W/2, H/2), written out so no constant leaves the host.
    theta = torch.zeros(n, 2, 3, device=device)
    theta[:, 0, 0] = pixel[:, 0, 0]
    theta[:, 0, 1] = pixel[:, 0, 1] * (height / width)
    theta[:, 1, 0] = pixel[:, 1, 0] * (width / height)
    theta[:, 1, 1] = pixel[:, 1, 1]
    grid = F.affine_grid(theta, [n, 3, height, width], align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    # Mild colour jitter: brightness, contrast and saturation factors per image.
    b = _uniform(n, 1 - config.brightness, 1 + config.brightness, generator, device).view(
        n, 1, 1, 1
    )
    c = _uniform(n, 1 - config.contrast, 1 + config.contrast, generator, device).view(n, 1, 1, 1)
    s = _uniform(n, 1 - config.saturation, 1 + config.saturation, generator, device).view(
        n, 1, 1, 1
    )
    x = x * b
    grey = x.mean(dim=1, keepdim=True)
    x = (x - grey.mean(dim=(2, 3), keepdim=True)) * c + grey.mean(dim=(2, 3), keepdim=True)
    grey = x.mean(dim=1, keepdim=True)
    x = ((x - grey) * s + grey).clamp_(0.0, 1.0)
    return _standardise(x, 1.0)


def class_weights(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Inverse-frequency weights, mean 1 over the classes present; absent classes weigh 0."""
    counts = np.bincount(labels, minlength=num_classes).astype(np.float64)
    weights = np.zeros(num_classes, dtype=np.float64)
    present = counts > 0
    weights[present] = counts[present].sum() / (present.sum() * counts[present])
    return weights.astype(np.float32)


def epoch_order(labels: np.ndarray, *, balanced: bool, generator: torch.Generator) -> torch.Tensor:
    """The order of one epoch's training images: a permutation, or a class-balanced draw."""
    n = len(labels)
    if not balanced:
        return torch.randperm(n, generator=generator)
    weights = torch.from_numpy(class_weights(labels, int(labels.max()) + 1)[labels]).double()
    return torch.multinomial(weights, n, replacement=True, generator=generator)


def batches(order: torch.Tensor, batch_size: int, *, drop_last: bool) -> list[torch.Tensor]:
    if drop_last and len(order) >= batch_size:
        count = len(order) // batch_size
    else:
        count = math.ceil(len(order) / batch_size)
    return [order[i * batch_size : (i + 1) * batch_size] for i in range(count)]
