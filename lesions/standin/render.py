"""Stand-in dermoscopy images: one 600x450 RGB picture per HAM10000 metadata row.

The real photographs cannot be shipped, so each row gets a drawn image whose look is driven by
its diagnosis: colours, border regularity and the dermoscopic structures a reader looks for
(pigment network, dots and globules, vessels, a white scar-like centre, a blue-white veil,
lacunae, scale, cerebriform ridges). Each class is a profile of probabilities and ranges; a
quarter of the images blend their profile with a look-alike class and every parameter is drawn
from a range that overlaps the neighbours', so a classifier has to learn and cannot be perfect.
Age and site move the skin and the lesion size a little, as they do in real photographs.

Everything is drawn from one generator seeded by ``image_id`` and ``seed``: the same row always
gives the same pixels. Plain numpy + Pillow; no Django.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from lesions.codes import FULL_SIZE
from lesions.standin.looks import BLEND_PROBABILITY, LOOK_ALIKES, LOOKS, Look, blend

WIDTH, HEIGHT = FULL_SIZE
# Drawn at half size and enlarged: four times cheaper, and the enlargement smooths like optics.
# Every distance below is in full-size pixels; only the canvas is smaller.
SCALE = 2
W, H = WIDTH // SCALE, HEIGHT // SCALE
Array = np.ndarray


_SUN_EXPOSED = frozenset({"face", "scalp", "ear", "neck", "hand", "upper extremity"})
_PALE_SITES = frozenset({"acral", "foot", "hand"})


def rng_for(image_id: str, seed: int) -> np.random.Generator:
    digest = hashlib.sha256(f"{seed}:{image_id}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def _grid() -> tuple[Array, Array]:
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float32) * SCALE
    return xs, ys


_XS, _YS = _grid()


def _smooth_noise(rng: np.random.Generator, cells: tuple[int, int]) -> Array:
    """A low-frequency field in [-1, 1]: random cells upsampled smoothly to the full size."""
    small = rng.uniform(0, 255, size=cells).astype(np.uint8)
    big = Image.fromarray(small, "L").resize((W, H), Image.Resampling.BICUBIC)
    return np.asarray(big, dtype=np.float32) / 127.5 - 1.0


def _mix(image: Array, colour: Array | tuple[float, ...], alpha: Array) -> Array:
    a = np.clip(alpha, 0.0, 1.0, dtype=np.float32)[..., None]
    mixed: Array = image + (np.asarray(colour, dtype=np.float32) - image) * a
    return mixed


def _skin(rng: np.random.Generator, age: float | None, site: str) -> Array:
    tone = rng.uniform(0.0, 1.0)
    light = np.array([236, 196, 176], np.float32)
    dark = np.array([196, 146, 118], np.float32)
    base = light * (1 - tone) + dark * tone
    years = 50.0 if age is None else age
    if site in _SUN_EXPOSED:
        base += np.array([6, -4, -6], np.float32) * (0.5 + years / 80)
    if site in _PALE_SITES:
        base += np.array([4, 6, 2], np.float32)
    skin = np.empty((H, W, 3), np.float32)
    skin[:] = base
    mottle = _smooth_noise(rng, (6, 8)) * (4 + 6 * years / 90)
    skin += mottle[..., None] * np.array([1.0, 1.2, 1.2], np.float32)
    return skin


def _polar(rng: np.random.Generator, radius: float, irregular: float) -> tuple[Array, Array]:
    """Normalised radius (1 on the border) and angle of every pixel around a drawn centre."""
    cx = WIDTH / 2 + rng.normal(0, 25)
    cy = HEIGHT / 2 + rng.normal(0, 20)
    stretch = rng.uniform(0.72, 1.0)
    tilt = rng.uniform(0, np.pi)
    dx, dy = _XS - cx, _YS - cy
    u = dx * np.cos(tilt) + dy * np.sin(tilt)
    v = (-dx * np.sin(tilt) + dy * np.cos(tilt)) / stretch
    rho = np.hypot(u, v)
    theta = np.arctan2(v, u)
    # Border: a Fourier series of the angle, tabulated and looked up (cheaper than per pixel).
    angles = np.linspace(-np.pi, np.pi, 721, dtype=np.float32)
    border = np.ones_like(angles)
    for k in range(2, 9):
        amplitude = irregular * rng.uniform(0.2, 1.0) * 0.35 / (k**0.8)
        border += amplitude * np.cos(k * angles + rng.uniform(0, 2 * np.pi))
    edge = np.maximum(border, 0.35) * radius
    index = ((theta + np.pi) / (2 * np.pi) * 720).astype(np.int32)
    return rho / edge[index], theta


def _dots(
    rng: np.random.Generator, d: Array, theta: Array, count: int, edge: float, size: float
) -> Array:
    """A mask of dots and globules placed inside the lesion, towards its edge when ``edge``."""
    layer = Image.new("L", (W, H), 0)
    draw = ImageDraw.Draw(layer)
    inside = np.flatnonzero((d.ravel() < 0.95) & (d.ravel() > 0.95 * edge * 0.7))
    if inside.size == 0:
        return np.zeros((H, W), np.float32)
    for flat in rng.choice(inside, size=count):
        y, x = divmod(int(flat), W)
        r = rng.uniform(0.5, 1.6) * size / SCALE
        draw.ellipse((x - r, y - r, x + r, y + r), fill=int(rng.uniform(150, 255)))
    return np.asarray(layer, np.float32) / 255.0


def _branches(
    rng: np.random.Generator, centre: tuple[float, float], reach: float, count: int
) -> Array:
    """Branching, narrowing red lines (arborising vessels)."""
    layer = Image.new("L", (W, H), 0)
    draw = ImageDraw.Draw(layer)
    stack = [
        (
            centre[0] + rng.normal(0, reach / 3),
            centre[1] + rng.normal(0, reach / 3),
            rng.uniform(0, 2 * np.pi),
            rng.uniform(3.0, 5.0),
            0,
        )
        for _ in range(count)
    ]
    while stack:
        x, y, angle, width, depth = stack.pop()
        points = [(x, y)]
        for _ in range(int(rng.integers(5, 12))):
            angle += rng.normal(0, 0.35)
            x, y = x + 7 * np.cos(angle), y + 7 * np.sin(angle)
            points.append((x, y))
        draw.line(
            [(px / SCALE, py / SCALE) for px, py in points],
            fill=int(rng.uniform(170, 255)),
            width=max(1, round(width / SCALE)),
        )
        if depth < 3:
            for turn in (-1, 1):
                if rng.random() < 0.7:
                    stack.append(
                        (x, y, angle + turn * rng.uniform(0.4, 1.0), width * 0.65, depth + 1)
                    )
    return np.asarray(layer.filter(ImageFilter.GaussianBlur(0.5)), np.float32) / 255.0


def _hairs(rng: np.random.Generator, count: int) -> Array:
    layer = Image.new("L", (W, H), 0)
    draw = ImageDraw.Draw(layer)
    for _ in range(count):
        x, y = rng.uniform(-50, WIDTH + 50), rng.uniform(-50, HEIGHT + 50)
        angle, bend = rng.uniform(0, 2 * np.pi), rng.normal(0, 0.04)
        points = []
        for _ in range(40):
            points.append((x, y))
            angle += bend
            x, y = x + 9 * np.cos(angle), y + 9 * np.sin(angle)
        draw.line(
            [(px / SCALE, py / SCALE) for px, py in points],
            fill=int(rng.uniform(150, 230)),
            width=int(rng.integers(1, 3)),
        )
    return np.asarray(layer, np.float32) / 255.0


def pick_look(diagnosis: str, rng: np.random.Generator) -> Look:
    look = LOOKS[diagnosis]
    if rng.random() < BLEND_PROBABILITY:
        other = LOOKS[str(rng.choice(LOOK_ALIKES[diagnosis]))]
        look = blend(look, other, rng.uniform(0.35, 0.75))
    return look


def render(row: Mapping[str, object], seed: int = 0) -> Image.Image:
    """Draw the stand-in image of one metadata row (needs ``image_id`` and ``dx``)."""
    image_id = str(row["image_id"])
    diagnosis = str(row["dx"])
    rng = rng_for(image_id, seed)
    age = _age(row.get("age"))
    site = str(row.get("localization") or "unknown")
    look = pick_look(diagnosis, rng)

    img = _skin(rng, age, site)
    years = 50.0 if age is None else age
    # Older skin carries larger lesions; face and scalp lesions are photographed closer.
    radius = look.radius * HEIGHT * rng.uniform(0.7, 1.3) * (0.9 + years / 500)
    if site in {"face", "ear", "scalp", "neck"}:
        radius *= 0.9
    d, theta = _polar(rng, radius, look.irregular * rng.uniform(0.5, 1.5))
    soft = max(0.02, look.soft * rng.uniform(0.5, 1.6))
    body = np.clip((1.0 - d) / soft + 0.5, 0.0, 1.0)

    # Pigment: main colour, a second colour where a low-frequency field says so, some redness.
    # Brightness varies freely, hue only a little (free hue jitter turns brown into olive).
    colour = np.asarray(look.colour, np.float32) * rng.uniform(0.8, 1.15) + rng.normal(0, 6, 3)
    colour2 = np.asarray(look.colour2, np.float32) * rng.uniform(0.75, 1.2) + rng.normal(0, 6, 3)
    colour, colour2 = colour.astype(np.float32), colour2.astype(np.float32)
    field = _smooth_noise(rng, (5, 6))
    mix2 = np.clip(0.5 + field * 1.6 * look.multicolour * rng.uniform(0.5, 1.5), 0, 1)
    mix2 *= np.clip(look.multicolour * 1.5, 0, 1)
    lesion = np.empty_like(img)
    lesion[:] = colour
    lesion = _mix(lesion, colour2, mix2)
    # A radial gradient: darker centre for most pigmented lesions.
    lesion *= (0.85 + 0.25 * np.clip(d, 0, 1) ** 1.5)[..., None]
    if rng.random() < look.redness:
        red = np.clip(_smooth_noise(rng, (4, 5)) * 0.5 + 0.5, 0, 1) * look.redness
        lesion = _mix(lesion, (200, 80, 85), red * 0.55)
    opacity = rng.uniform(0.75, 1.0)
    img = _mix(img, lesion, body * opacity)

    if rng.random() < look.network:
        img = _network(rng, img, d, look, body)
    if rng.random() < look.ridges:
        img = _ridges(rng, img, body)
    if rng.random() < look.dots:
        count = int(rng.integers(10, 60))
        dots = _dots(rng, d, theta, count, look.dots_edge, rng.uniform(2.5, 6.0))
        img = _mix(img, colour2 * 0.55, dots * body * 0.85)
    if rng.random() < look.blue_nests:
        nests = _dots(rng, d, theta, int(rng.integers(3, 10)), 0.4, rng.uniform(8, 16))
        nests = (
            np.asarray(
                Image.fromarray((nests * 255).astype(np.uint8)).filter(ImageFilter.BoxBlur(2)),
                np.float32,
            )
            / 255.0
        )
        img = _mix(img, (95, 105, 125), nests * 0.8)
    if rng.random() < look.veil:
        patch = np.clip(_smooth_noise(rng, (3, 4)) * 1.5 - 0.1, 0, 1)
        img = _mix(img, (120, 135, 165), patch * body * rng.uniform(0.35, 0.7))
    if rng.random() < look.white_centre:
        centre = np.clip((rng.uniform(0.35, 0.6) - d) / 0.2, 0, 1)
        centre *= np.clip(_smooth_noise(rng, (7, 9)) * 0.6 + 0.8, 0, 1)
        img = _mix(img, (235, 225, 220), centre * rng.uniform(0.55, 0.9))
    if rng.random() < look.lacunae:
        size = rng.uniform(6, 14)
        lacunae = _dots(rng, d, theta, int(rng.integers(12, 45)), 0.0, size)
        img = _mix(img, np.asarray((140, 30, 60), np.float32) + rng.normal(0, 15, 3), lacunae)
    if rng.random() < look.arbor:
        vessels = _branches(rng, (WIDTH / 2, HEIGHT / 2), radius * 0.6, int(rng.integers(2, 6)))
        img = _mix(img, (175, 35, 45), vessels * np.clip(body * 1.3, 0, 1))
    if rng.random() < look.dotted_vessels:
        dotted = _dots(rng, d, theta, int(rng.integers(30, 110)), 0.2, rng.uniform(1.5, 3.0))
        img = _mix(img, (185, 45, 55), dotted * 0.9)
    if rng.random() < look.scale:
        flakes = np.clip(_smooth_noise(rng, (14, 18)) * 2.2 - 0.9, 0, 1)
        img = _mix(img, (230, 220, 190), flakes * body * rng.uniform(0.5, 0.9))

    hair_count = int(rng.poisson(4 if site == "scalp" else 1.2))
    if str(row.get("sex")) == "male":
        hair_count += int(rng.poisson(0.8))
    if hair_count:
        img = _mix(img, (40, 30, 25), _hairs(rng, hair_count) * 0.9)
    img = _illuminate(rng, img)
    small = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    if rng.random() < 0.5:
        small = small.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))
    return small.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC)


def _network(rng: np.random.Generator, img: Array, d: Array, look: Look, body: Array) -> Array:
    """A honeycomb of dark lines (three plane waves at 60 degrees), warped when irregular."""
    period = rng.uniform(11, 18)
    k = 2 * np.pi / period
    # Irregular networks bend at the scale of a few meshes, not just across the whole lesion.
    warp = _smooth_noise(rng, (6, 8)) * look.network_warp * period * 0.8
    warp += _smooth_noise(rng, (16, 20)) * look.network_warp * period * 0.5
    xs, ys = _XS + warp, _YS - warp
    turn = rng.uniform(0, np.pi / 3)
    wave = sum(
        np.cos(k * (xs * np.cos(turn + j * np.pi / 3) + ys * np.sin(turn + j * np.pi / 3)))
        for j in range(3)
    )
    thickness = rng.uniform(0.4, 1.0) + _smooth_noise(rng, (8, 10)) * look.network_warp * 0.8
    lines = np.clip((wave + thickness) / -1.2 + 1.0, 0, 1)
    # Regular networks fade towards the periphery; irregular ones end abruptly.
    fade = np.clip(1.3 - d, 0, 1) if look.network_warp < 0.4 else np.ones_like(d)
    darker = img * np.float32(0.6)
    return _mix(img, darker, lines * body * fade * rng.uniform(0.45, 0.8))


def _ridges(rng: np.random.Generator, img: Array, body: Array) -> Array:
    """Cerebriform ridges and fissures with a few milia-like cysts (seborrhoeic keratosis)."""
    warp = _smooth_noise(rng, (5, 7)) * 25
    period = rng.uniform(14, 24)
    stripes = np.sin((_XS * 0.8 + _YS * 0.6 + warp) * 2 * np.pi / period)
    img = _mix(img, img * np.float32(0.7), np.clip(stripes - 0.3, 0, 1) * body * 0.8)
    cysts = _dots(rng, 1.0 - body * 0.99, np.zeros_like(body), int(rng.integers(3, 15)), 0.0, 3.0)
    return _mix(img, (240, 235, 205), cysts * 0.9)


def _illuminate(rng: np.random.Generator, img: Array) -> Array:
    """The dermoscope's round field of view, uneven lighting and colour balance."""
    cx = WIDTH / 2 + rng.normal(0, 20)
    cy = HEIGHT / 2 + rng.normal(0, 15)
    reach = rng.uniform(0.55, 0.85) * np.hypot(WIDTH, HEIGHT) / 2
    r = np.hypot(_XS - cx, _YS - cy) / reach
    vignette = np.clip(1.0 - np.clip(r - 0.75, 0, None) * 2.5, 0.05, 1.0)
    gain = rng.normal(1.0, 0.05, 3).astype(np.float32)
    lit: Array = img * vignette[..., None] * gain * np.float32(rng.uniform(0.9, 1.08))
    return lit


def _age(value: object) -> float | None:
    if value is None or value == "":
        return None
    try:
        age = float(str(value))
    except ValueError:
        return None
    return None if np.isnan(age) else age


def render_jpeg(row: Mapping[str, object], seed: int = 0, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    render(row, seed).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()
