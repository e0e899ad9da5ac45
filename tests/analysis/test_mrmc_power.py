"""Study sizing from a pilot against RJafroc's worked Van Dyke examples.

RJafroc (github.com/dpc10ster/RJafroc) implements Hillis, Obuchowski & Berbaum (2011) Acad Radiol
18:129-142 in ``SsPowerGivenJK`` and ``SsSampleSizeKGivenJ``; its data set ``dataset02`` is the
Van Dyke data (analysis/data/VanDyke.csv) with the empirical AUC ("Wilcoxon") as FOM. Sources of
the numbers below:

- goodValues361: RJafroc's stored test values, tests/testthat/goodValues361/SsPower/
  dataset02-RRRC.rds, dataset02-FRRC.rds and dataset02-FRFC.rds (which holds the RRFC case),
  checked by tests/testthat/test-SsSampleSizeRoc.R (powers 0.80541995, 0.80091813, 0.80496663).
- Vig3, Vig4: the package's rendered sample-size articles Ch11Vig3SampleSize.html and
  Ch11Vig4SampleSize.html (pkgdown site of RJafroc 1.3.2.9000, docs/articles at commit
  fdeb6320), with SsPowerGivenJK / SsSampleSizeKGivenJ / SsPowerTable on dataset02.
- The pilot's components equal RJafroc's stored UtilORVarComp(dataset02) values
  (goodValues361/UtilVarComponents/JackknifeDataset02.rds; also man/SsPowerGivenJK.Rd example 4A).

R's non-central beta is accurate to about 1e-9 (its own tests compare to 1e-8), hence rel=1e-8.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import mrmc, mrmc_power

DATA = Path(mrmc.__file__).parent / "data" / "VanDyke.csv"
INF = float("inf")


@pytest.fixture(scope="module")
def pilot() -> mrmc.MRMCResult:
    van_dyke = pd.read_csv(DATA).rename(columns={"treatment": "modality", "rating": "score"})
    return mrmc.or_hillis(van_dyke, mrmc.auc, design="crossed")


@pytest.fixture(scope="module")
def observed(pilot: mrmc.MRMCResult) -> float:
    return pilot.differences[0].estimate


def test_the_pilots_components_are_rjafrocs(pilot: mrmc.MRMCResult) -> None:
    c = mrmc_power.pilot_components(pilot)
    # UtilORVarComp(dataset02, FOM = "Wilcoxon"), JackknifeDataset02.rds, full precision.
    assert c.var_tr == pytest.approx(0.0002004025235814581, rel=1e-12)
    assert c.var == pytest.approx(0.0008022882655720672, rel=1e-12)
    assert c.cov1 == pytest.approx(0.00034661370944073203, rel=1e-12)
    assert c.cov2 == pytest.approx(0.00034407482886088904, rel=1e-12)
    assert c.cov3 == pytest.approx(0.00023902837089215376, rel=1e-12)
    assert c.pilot_cases == 114
    assert c.effect == pytest.approx(-0.043800322, abs=1e-9)


@pytest.mark.parametrize(
    ("analysis", "readers", "cases", "expected"),
    [
        # goodValues361 dataset02-RRRC.rds: power, ncp, ddf, F critical.
        (
            "RRRC",
            10,
            165,
            (0.805419947001519, 8.209597032753834, 62.70727971495668, 3.994094655560882),
        ),
        # goodValues361 dataset02-FRRC.rds: chi-square, so ddf is infinite.
        ("FRRC", 10, 131, (0.80091813050382, 7.8672724738442215, INF, 3.841458820694124)),
        # goodValues361 dataset02-FRFC.rds (RRFC): ddf = J - 1.
        ("RRFC", 10, 53, (0.8049666336825623, 10.048716395627425, 9.0, 5.117355029199221)),
    ],
)
def test_power_reproduces_rjafrocs_stored_test_values(
    pilot: mrmc.MRMCResult,
    analysis: str,
    readers: int,
    cases: int,
    expected: tuple[float, float, float, float],
) -> None:
    # RJafroc's tests type the effect as -0.043800322.
    got = mrmc_power.power_details(
        pilot, readers=readers, cases=cases, effect=-0.043800322, analysis=analysis
    )
    power, ncp, ddf, critical = expected
    assert got.power == pytest.approx(power, rel=1e-8)
    assert got.ncp == pytest.approx(ncp, rel=1e-12)
    assert got.ddf == pytest.approx(ddf, rel=1e-12)
    assert got.critical == pytest.approx(critical, rel=1e-12)
    assert mrmc.or_power(
        pilot, readers=readers, cases=cases, effect=-0.043800322, analysis=analysis
    ) == pytest.approx(power, rel=1e-8)


@pytest.mark.parametrize(
    ("cases", "power", "ncp", "ddf", "critical"),
    [
        (112, 0.55557885, 4.8, 23.1, 4.28),  # Vig3: SsPowerGivenJK(dataset02, J = 6, K = 112)
        (251, 0.80054026, 8.91, 16.1, 4.49),  # Vig4: SsPowerGivenJK(dataset02, J = 6, K = 251)
    ],
)
def test_power_with_the_observed_effect_reproduces_the_vignettes(
    pilot: mrmc.MRMCResult,
    observed: float,
    cases: int,
    power: float,
    ncp: float,
    ddf: float,
    critical: float,
) -> None:
    got = mrmc_power.power_details(pilot, readers=6, cases=cases, effect=observed)
    assert round(got.power, 8) == power
    assert (round(got.ncp, 2), round(got.ddf, 1), round(got.critical, 2)) == (ncp, ddf, critical)


@pytest.mark.parametrize(
    ("analysis", "readers", "target", "cases", "power"),
    [
        ("RRRC", 10, 0.8, 163, 0.80156249),  # Vig3 and Vig4: SsSampleSizeKGivenJ(dataset02, J=10)
        ("RRRC", 10, 0.9, 236, 0.90035007),  # Vig3: the same with desiredPower = 0.9
        ("FRRC", 10, 0.8, 131, 0.80091813),  # Vig3 and Vig4
        ("RRFC", 10, 0.8, 53, 0.80496663),  # Vig3 and Vig4
        ("RRRC", 6, 0.8, 251, 0.80054026),  # test-SsSampleSizeRoc.R: KRRRC == 251; Vig4 table
    ],
)
def test_sample_size_reproduces_rjafrocs_worked_examples(
    pilot: mrmc.MRMCResult,
    observed: float,
    analysis: str,
    readers: int,
    target: float,
    cases: int,
    power: float,
) -> None:
    got_cases, got_power = mrmc.or_sample_size(
        pilot, readers=readers, effect=observed, power=target, analysis=analysis
    )
    assert (got_cases, round(got_power, 8)) == (cases, power)


# Vig4: SsPowerTable(dataset02, FOM = "Wilcoxon"), random readers and cases: J, K, power.
POWER_TABLE = [
    (4, 1089, 0.8), (5, 344, 0.801), (6, 251, 0.801), (7, 211, 0.801), (8, 188, 0.801),
    (9, 173, 0.801), (10, 163, 0.802), (11, 155, 0.801), (12, 149, 0.802), (13, 144, 0.801),
    (14, 140, 0.802), (15, 137, 0.802), (20, 126, 0.802), (30, 116, 0.802), (40, 111, 0.801),
    (50, 109, 0.803), (100, 103, 0.8),
]  # fmt: skip


def test_the_readers_by_cases_table_reproduces_rjafrocs_power_table(
    pilot: mrmc.MRMCResult, observed: float
) -> None:
    ours = []
    for readers, _, _ in POWER_TABLE:
        cases, power = mrmc.or_sample_size(pilot, readers=readers, effect=observed)
        ours.append((readers, cases, round(power, 3)))
    assert ours == POWER_TABLE


def test_three_readers_never_reach_the_power_as_rjafroc_prints_more_than_2000(
    pilot: mrmc.MRMCResult, observed: float
) -> None:
    with pytest.raises(mrmc_power.SampleSizeNotReached, match="2000 cases"):
        mrmc.or_sample_size(pilot, readers=3, effect=observed)


def test_power_grows_with_cases_and_the_bad_arguments_are_refused(
    pilot: mrmc.MRMCResult,
) -> None:
    powers = mrmc_power.power_by_cases(pilot, readers=6, cases=[50, 100, 200, 400], effect=0.05)
    assert list(powers) == sorted(powers)
    assert mrmc.or_power(pilot, readers=6, cases=100, effect=0.0) == pytest.approx(0.05)
    with pytest.raises(ValueError, match="analysis must be one of"):
        mrmc.or_power(pilot, readers=6, cases=100, effect=0.05, analysis="DBM")
    with pytest.raises(ValueError, match="at least two readers"):
        mrmc.or_power(pilot, readers=1, cases=100, effect=0.05)
