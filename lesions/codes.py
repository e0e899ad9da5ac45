"""The fixed vocabularies of HAM10000, importable without Django.

Class order is alphabetical by code, as in HAM10000's own tables; every array of seven
probabilities, every confusion matrix and every per-class table in the project uses this order.
"""

from __future__ import annotations

DIAGNOSES: tuple[str, ...] = ("akiec", "bcc", "bkl", "df", "mel", "nv", "vasc")
DIAGNOSIS_INDEX: dict[str, int] = {code: i for i, code in enumerate(DIAGNOSES)}
MALIGNANT: frozenset[str] = frozenset({"mel", "bcc", "akiec"})

DIAGNOSIS_NAMES: dict[str, str] = {
    "akiec": "Actinic keratosis / intraepithelial carcinoma",
    "bcc": "Basal cell carcinoma",
    "bkl": "Benign keratosis",
    "df": "Dermatofibroma",
    "mel": "Melanoma",
    "nv": "Melanocytic nevus",
    "vasc": "Vascular lesion",
}

SEXES: tuple[str, ...] = ("male", "female", "unknown")
LOCALIZATIONS: tuple[str, ...] = (
    "abdomen",
    "acral",
    "back",
    "chest",
    "ear",
    "face",
    "foot",
    "genital",
    "hand",
    "lower extremity",
    "neck",
    "scalp",
    "trunk",
    "unknown",
    "upper extremity",
)
DX_TYPES: tuple[str, ...] = ("histo", "follow_up", "consensus", "confocal")

# The published image size (width x height) and the two input sizes of the paper.
FULL_SIZE: tuple[int, int] = (600, 450)
RESOLUTIONS: dict[str, tuple[int, int]] = {"low": (300, 224), "high": (600, 450)}
