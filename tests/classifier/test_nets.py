from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import timm
import torch

from classifier.nets import (
    CLINICAL_FEATURES,
    PAPER_ARCHITECTURES,
    LesionNet,
    clinical_matrix,
    clinical_vector,
    timm_name,
)
from lesions.codes import LOCALIZATIONS, RESOLUTIONS, SEXES


@pytest.mark.slow
@pytest.mark.parametrize("architecture", PAPER_ARCHITECTURES)
def test_each_paper_network_gives_seven_logits_at_both_sizes_with_and_without_clinical_data(
    architecture: str,
) -> None:
    torch.manual_seed(0)
    clinical = torch.from_numpy(clinical_matrix([45.0], ["female"], ["back"]))
    with_clinical = LesionNet(architecture, use_clinical=True).eval()
    # Both variants share one backbone: building a VGG twice costs more than it tells.
    image_only = LesionNet(architecture, backbone=with_clinical.backbone).eval()
    for model, extra in ((with_clinical, clinical), (image_only, None)):
        for width, height in RESOLUTIONS.values():
            with torch.no_grad():
                logits = model(torch.randn(1, 3, height, width), extra)
            assert logits.shape == (1, 7)
            assert torch.isfinite(logits).all()


def test_the_gated_fusion_lets_the_clinical_data_change_the_output() -> None:
    torch.manual_seed(0)
    model = LesionNet("test_efficientnet", use_clinical=True, fusion="gated").eval()
    image = torch.randn(1, 3, 48, 64)
    young = torch.from_numpy(clinical_matrix([20.0], ["male"], ["face"]))
    old = torch.from_numpy(clinical_matrix([80.0], ["female"], ["back"]))
    with torch.no_grad():
        assert not torch.allclose(model(image, young), model(image, old))


def test_a_network_built_with_clinical_data_refuses_to_run_without_it() -> None:
    model = LesionNet("test_efficientnet", use_clinical=True).eval()
    with pytest.raises(ValueError, match="clinical"):
        model(torch.randn(1, 3, 48, 64))


def test_dropout_before_the_classifier_is_one_half_by_default() -> None:
    assert LesionNet("test_efficientnet").dropout.p == 0.5


def test_clinical_features_keep_missing_age_and_unknown_sex_and_site_as_missing() -> None:
    vector = clinical_vector(None, "unknown", "unknown")
    assert vector.shape == (CLINICAL_FEATURES,)
    assert vector[0] == 0.0
    assert vector[1] == 1.0
    assert vector[2 + SEXES.index("unknown")] == 1.0
    assert vector[2 + len(SEXES) + LOCALIZATIONS.index("unknown")] == 1.0
    assert vector.sum() == 3.0
    known = clinical_vector(50.0, "female", "face")
    assert known[0] == pytest.approx(0.5)
    assert known[1] == 0.0
    assert known[2 + SEXES.index("female")] == 1.0
    assert known[2 + len(SEXES) + LOCALIZATIONS.index("face")] == 1.0


def test_unknown_architecture_names_are_refused_and_any_timm_name_is_accepted() -> None:
    with pytest.raises(ValueError, match="not-a-net"):
        timm_name("not-a-net")
    assert timm_name("mobilenet") == "mobilenetv2_100"
    assert timm_name("convnext_atto") == "convnext_atto"


def test_a_pretrained_backbone_file_made_here_is_loaded(tmp_path: Path) -> None:
    torch.manual_seed(1)
    source = timm.create_model("resnet34", num_classes=1000)
    for parameter in source.parameters():
        parameter.data.normal_(0, 0.5)
    weights = tmp_path / "resnet34-imagenet.pth"
    torch.save(source.state_dict(), weights)
    loaded = LesionNet("resnet34", pretrained_file=weights)
    random = LesionNet("resnet34")
    expected = source.state_dict()
    got = loaded.backbone.state_dict()
    assert set(got) == {k for k in expected if not k.startswith("fc.")}
    assert all(torch.equal(got[k], expected[k]) for k in got)
    assert not torch.equal(random.backbone.conv1.weight, expected["conv1.weight"])


def test_a_missing_pretrained_file_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nowhere\.pth"):
        LesionNet("resnet34", pretrained_file=tmp_path / "nowhere.pth")


def test_clinical_matrix_refuses_columns_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="same length"):
        clinical_matrix([1.0, 2.0], ["male"], ["back", "face"])
    assert clinical_matrix([], [], []).shape == (0, CLINICAL_FEATURES)
    assert np.isclose(clinical_matrix([30.0], ["male"], ["back"])[0, 0], 0.3)
