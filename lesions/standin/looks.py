"""What each diagnosis tends to look like in a stand-in image, and which classes it is mistaken for.

Each class is a profile of probabilities of dermoscopic structures and centres of parameter
ranges; the renderer draws around them, and blends a profile with a look-alike class's for a
share of the images, so that neighbouring classes overlap.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class Look:
    """What a class tends to look like: probabilities of structures and ranges of parameters."""

    radius: float  # mean lesion radius as a fraction of the image height
    irregular: float  # border irregularity, 0 round .. 1 ragged
    soft: float  # width of the fading border, as a fraction of the radius
    colour: tuple[float, float, float]  # main pigment colour
    colour2: tuple[float, float, float]  # second colour, mixed in by a low-frequency field
    multicolour: float  # how much of the second colour (and black, grey) shows
    network: float  # probability of a pigment network
    network_warp: float  # how distorted the network is
    dots: float  # probability of dots and globules
    dots_edge: float  # 0 central, 1 at the periphery
    arbor: float  # probability of arborising vessels
    dotted_vessels: float  # probability of dotted / glomerular vessels
    lacunae: float  # probability of red-purple lacunae
    white_centre: float  # probability of a white scar-like centre
    veil: float  # probability of a blue-white veil
    blue_nests: float  # probability of blue-grey ovoid nests
    scale: float  # probability of white-yellow surface scale
    ridges: float  # probability of cerebriform ridges and milia-like cysts
    redness: float  # erythema of the lesion, 0..1


def _look(**values: Any) -> Look:
    base: dict[str, Any] = {
        "radius": 0.30,
        "irregular": 0.15,
        "soft": 0.12,
        "colour": (120.0, 80.0, 55.0),
        "colour2": (90.0, 60.0, 45.0),
        "multicolour": 0.2,
        "network": 0.2,
        "network_warp": 0.3,
        "dots": 0.2,
        "dots_edge": 0.5,
        "arbor": 0.03,
        "dotted_vessels": 0.05,
        "lacunae": 0.02,
        "white_centre": 0.05,
        "veil": 0.04,
        "blue_nests": 0.04,
        "scale": 0.05,
        "ridges": 0.05,
        "redness": 0.1,
    }
    base.update(values)
    return Look(**base)


LOOKS: dict[str, Look] = {
    "nv": _look(
        radius=0.27,
        irregular=0.10,
        soft=0.10,
        colour=(125, 82, 55),
        colour2=(95, 62, 42),
        multicolour=0.15,
        network=0.65,
        network_warp=0.15,
        dots=0.45,
        dots_edge=0.3,
    ),
    "mel": _look(
        radius=0.34,
        irregular=0.42,
        soft=0.16,
        colour=(95, 60, 45),
        colour2=(45, 32, 30),
        multicolour=0.65,
        network=0.5,
        network_warp=0.7,
        dots=0.55,
        dots_edge=0.85,
        dotted_vessels=0.12,
        white_centre=0.15,
        veil=0.45,
        blue_nests=0.1,
        redness=0.2,
    ),
    "bkl": _look(
        radius=0.31,
        irregular=0.22,
        soft=0.06,
        colour=(165, 115, 88),
        colour2=(125, 88, 66),
        multicolour=0.3,
        network=0.15,
        network_warp=0.5,
        dots=0.2,
        scale=0.2,
        ridges=0.6,
    ),
    "bcc": _look(
        radius=0.27,
        irregular=0.25,
        soft=0.2,
        colour=(185, 130, 125),
        colour2=(120, 115, 130),
        multicolour=0.35,
        network=0.03,
        dots=0.15,
        arbor=0.65,
        dotted_vessels=0.1,
        white_centre=0.25,
        blue_nests=0.5,
        redness=0.5,
    ),
    "akiec": _look(
        radius=0.28,
        irregular=0.28,
        soft=0.22,
        colour=(180, 115, 100),
        colour2=(150, 95, 80),
        multicolour=0.25,
        network=0.05,
        dots=0.2,
        arbor=0.1,
        dotted_vessels=0.6,
        scale=0.55,
        redness=0.65,
    ),
    "df": _look(
        radius=0.22,
        irregular=0.12,
        soft=0.18,
        colour=(140, 95, 70),
        colour2=(165, 115, 95),
        multicolour=0.2,
        network=0.5,
        network_warp=0.2,
        dots=0.15,
        white_centre=0.7,
        dotted_vessels=0.1,
        redness=0.25,
    ),
    "vasc": _look(
        radius=0.2,
        irregular=0.15,
        soft=0.1,
        colour=(165, 55, 75),
        colour2=(95, 45, 85),
        multicolour=0.5,
        network=0.02,
        dots=0.05,
        lacunae=0.85,
        redness=0.85,
        white_centre=0.08,
    ),
}

# Which classes a lesion of each class is mistaken for: its look is blended with one of these.
LOOK_ALIKES: dict[str, tuple[str, ...]] = {
    "nv": ("mel", "bkl", "df"),
    "mel": ("nv", "bkl"),
    "bkl": ("mel", "nv", "akiec"),
    "bcc": ("akiec", "mel"),
    "akiec": ("bcc", "bkl"),
    "df": ("nv", "bkl"),
    "vasc": ("bcc", "mel"),
}
BLEND_PROBABILITY = 0.3


def blend(a: Look, b: Look, weight: float) -> Look:
    """``weight`` of ``a`` and the rest of ``b``, parameter by parameter."""
    mixed: dict[str, Any] = {}
    for field in fields(Look):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, tuple):
            mixed[field.name] = tuple(
                weight * u + (1 - weight) * v for u, v in zip(x, y, strict=True)
            )
        else:
            mixed[field.name] = weight * x + (1 - weight) * y
    return replace(a, **mixed)
