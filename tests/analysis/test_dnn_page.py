"""The classifiers' Tables 2 and 3 page, from Evaluation rows carrying the paper's numbers."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from analysis import dnn_tables, selectors
from classifier.models import Evaluation, Experiment, TrainingRun
from tests.analysis.test_dnn_tables import ARCHITECTURES, PAPER
from tests.lesions.factories import DatasetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated() -> None:
    dataset = DatasetFactory(name="ham")
    for (resolution, clinical), (accuracies, errors) in PAPER.items():
        for arch, acc, err in zip(ARCHITECTURES, accuracies, errors, strict=True):
            experiment = Experiment.objects.create(
                name=f"{arch}-{resolution}-{clinical}",
                dataset=dataset,
                architecture=arch,
                resolution=resolution,
                use_clinical=clinical,
            )
            run = TrainingRun.objects.create(
                name=f"{experiment.name}-f0",
                experiment=experiment,
                fold=0,
                history=[{"epoch": 1, "train_loss": 1.0}, {"epoch": 2, "train_loss": 0.8}],
            )
            Evaluation.objects.create(
                run=run,
                n_images=1702,
                accuracy=acc / 100,
                error_rate=err / 100,
                balanced_accuracy=0.5,
                per_class={},
                confusion=[],
            )


def test_the_evaluations_become_the_papers_tables(evaluated: None) -> None:
    frame = selectors.evaluations_frame()
    assert len(frame) == 32
    table2 = dnn_tables.dnn_table(frame, use_clinical=False)
    assert round(table2.loc["mobilenetv2_100", "high_accuracy_mean"] * 100, 2) == 83.88
    table3 = dnn_tables.dnn_table(frame, use_clinical=True)
    assert round(table3.loc["vgg19", "low_error_rate_mean"] * 100, 2) == 20.57


def test_the_dnn_page_shows_both_tables_the_tests_and_the_curves(
    evaluated: None, researcher_client: Client
) -> None:
    page = researcher_client.get(reverse("analysis:dnn_tables")).content.decode()
    assert "Table 2" in page
    assert "Table 3" in page
    assert "EfficientNetB5" in page
    assert "Wilcoxon signed-rank" in page
    assert "Mann-Whitney U" in page
    assert "<svg" in page
