"""Planning a study from a pilot: the Van Dyke example gives RJafroc's numbers (the sources are
in tests/analysis/test_mrmc_power.py), and any effect can be planned for."""

from __future__ import annotations

import pytest

from analysis import mrmc, planning


@pytest.fixture(scope="module")
def van_dyke() -> planning.Pilot:
    return planning.van_dyke_pilot()


def test_the_van_dyke_pilot_shows_its_observed_effect_with_its_interval(
    van_dyke: planning.Pilot,
) -> None:
    difference = van_dyke.difference
    assert van_dyke.figure == "AUC"
    assert round(difference.estimate, 5) == -0.04380
    assert (round(difference.ci_low, 5), round(difference.ci_high, 5)) == (-0.08796, 0.00036)


def test_the_plan_defaults_to_the_observed_effect_and_gives_rjafrocs_sample_sizes(
    van_dyke: planning.Pilot,
) -> None:
    plan = planning.plan_study(van_dyke, readers=(6, 10), cases=(112, 163))
    assert plan.effect == van_dyke.difference.estimate
    # RJafroc Ch11Vig3/Ch11Vig4: SsPowerGivenJK(dataset02, J=6, K=112) = 0.55557885 and
    # SsSampleSizeKGivenJ(dataset02, J=10) = 163 cases, power 0.80156249; J=6: 251 cases.
    assert round(plan.table.loc[6, "112"], 8) == 0.55557885
    assert round(plan.table.loc[10, "163"], 8) == 0.80156249
    sizes = plan.sizes.set_index("readers")
    assert sizes.loc[10, "cases"] == 163
    assert sizes.loc[6, "cases"] == 251
    assert list(plan.curves) == [6, 10]
    assert len(plan.curves[6]) == len(plan.curve_cases)


def test_a_chosen_effect_fixed_readers_and_unreachable_sizes(van_dyke: planning.Pilot) -> None:
    plan = planning.plan_study(
        van_dyke, effect=0.05, analysis="FRRC", readers=(3, 6), cases=(251,), target=0.8
    )
    assert plan.table.loc[6, "251"] == pytest.approx(
        mrmc.or_power(van_dyke.result, readers=6, cases=251, effect=0.05, analysis="FRRC")
    )
    small = planning.plan_study(van_dyke, effect=0.001, readers=(3,), cases=(100,))
    (row,) = small.sizes.to_dict(orient="records")
    assert row["cases"] is None  # not reached with 2,000 cases
