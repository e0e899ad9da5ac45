"""The looks of the seven diagnoses, and how a look is blended with a look-alike's."""

from __future__ import annotations

import pytest

from lesions.codes import DIAGNOSES
from lesions.standin.looks import LOOK_ALIKES, LOOKS, blend


def test_every_diagnosis_has_a_look_and_look_alikes_among_the_others() -> None:
    assert set(LOOKS) == set(DIAGNOSES) == set(LOOK_ALIKES)
    for dx, alikes in LOOK_ALIKES.items():
        assert alikes
        assert dx not in alikes
        assert set(alikes) <= set(DIAGNOSES)


def test_a_blend_mixes_every_parameter_and_colour_by_its_weight() -> None:
    nv, mel = LOOKS["nv"], LOOKS["mel"]
    assert blend(nv, mel, 1.0) == nv
    half = blend(nv, mel, 0.5)
    assert half.radius == pytest.approx((nv.radius + mel.radius) / 2)
    middle = tuple((a + b) / 2 for a, b in zip(nv.colour, mel.colour, strict=True))
    assert half.colour == pytest.approx(middle)
