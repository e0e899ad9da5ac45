"""Two well separated kinds of lesion drawn as arrays, for tests that need learnable images."""

from __future__ import annotations

import numpy as np

# A dark brown lesion and a pink-red one on skin, both with a random position, size and noise.
COLOURS = {0: (70, 40, 25), 1: (220, 60, 90)}
SKIN = np.array([225, 185, 160], np.float32)


def two_class_images(n: int, size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    images = np.empty((n, size, size, 3), np.uint8)
    for i, label in enumerate(labels):
        cx, cy = rng.uniform(0.35, 0.65, 2) * size
        radius = rng.uniform(0.2, 0.35) * size
        inside = ((xx - cx) ** 2 + (yy - cy) ** 2 <= radius**2)[..., None]
        colour = np.array(COLOURS[int(label)], np.float32) + rng.normal(0, 10, 3)
        picture = np.where(inside, colour, SKIN) + rng.normal(0, 8, (size, size, 3))
        images[i] = np.clip(picture, 0, 255).astype(np.uint8)
    return images, labels
