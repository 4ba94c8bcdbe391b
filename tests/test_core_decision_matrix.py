"""The decision matrix of DESIGN.md ("The decision matrix"), on the core alone: no CLI, no files.

Weights User Demand 30%, Cost/Benefit 25%, Technical Feasibility 20%, Strategic Fit 15%,
Risk Assessment 10%; scores 1-5; >= 4.0 approve (high priority), 3.0-3.99 approve
(medium priority), 2.0-2.99 on hold, < 2.0 reject; the total is shown to two decimals
and the band is decided on the exact value.
"""

from __future__ import annotations

import copy
import math
from decimal import Decimal

import pytest

from govtool.decision_matrix import MatrixSettings, band_for, check_score, score_if_complete, score_matrix
from govtool.settings import DEFAULT_SETTINGS

FACTORS = ("user_demand", "cost_benefit", "technical_feasibility", "strategic_fit", "risk_assessment")
HIGH, MEDIUM, ON_HOLD, REJECT = "approve (high priority)", "approve (medium priority)", "on hold", "reject"


def scores(*values) -> dict:
    return dict(zip(FACTORS, values, strict=True))


def matrix_of(settings: dict) -> MatrixSettings:
    return MatrixSettings.from_dict(settings["decision_matrix"])


DEFAULT_MATRIX = matrix_of(DEFAULT_SETTINGS)


def settings_with(weights: dict | None = None, thresholds: dict | None = None) -> MatrixSettings:
    settings = copy.deepcopy(DEFAULT_SETTINGS)
    if weights is not None:
        settings["decision_matrix"]["weights"] = weights
    if thresholds is not None:
        settings["decision_matrix"]["thresholds"] = thresholds
    return matrix_of(settings)


def test_the_default_weights_and_thresholds():
    matrix = DEFAULT_SETTINGS["decision_matrix"]
    assert {f: Decimal(str(w)) for f, w in matrix["weights"].items()} == {
        "user_demand": Decimal("0.30"),
        "cost_benefit": Decimal("0.25"),
        "technical_feasibility": Decimal("0.20"),
        "strategic_fit": Decimal("0.15"),
        "risk_assessment": Decimal("0.10"),
    }
    assert sum(Decimal(str(w)) for w in matrix["weights"].values()) == 1
    assert {k: Decimal(str(v)) for k, v in matrix["thresholds"].items()} == {
        "approve_high": 4,
        "approve_medium": 3,
        "on_hold": 2,
    }


def test_each_factor_is_weighted_in_the_process_documents_order():
    result = score_matrix(scores(5, 4.5, 4, 3, 1), DEFAULT_MATRIX)
    assert [(f, w, s, ws) for f, w, s, ws in result.rows] == [
        ("user_demand", Decimal("0.3"), Decimal("5"), Decimal("1.5")),
        ("cost_benefit", Decimal("0.25"), Decimal("4.5"), Decimal("1.125")),
        ("technical_feasibility", Decimal("0.2"), Decimal("4"), Decimal("0.8")),
        ("strategic_fit", Decimal("0.15"), Decimal("3"), Decimal("0.45")),
        ("risk_assessment", Decimal("0.1"), Decimal("1"), Decimal("0.1")),
    ]
    assert result.total == Decimal("3.975")
    assert (result.total_shown, result.band) == ("3.98", MEDIUM)
    data = result.to_dict()
    assert [f["label"] for f in data["factors"]] == [
        "User Demand",
        "Cost/Benefit",
        "Technical Feasibility",
        "Strategic Fit",
        "Risk Assessment",
    ]
    assert data["factors"][1] == {
        "factor": "cost_benefit",
        "label": "Cost/Benefit",
        "weight": 0.25,
        "score": 4.5,
        "weighted": 1.125,
        "weighted_shown": "1.125",
    }
    assert (data["total"], data["total_shown"], data["band"]) == (3.975, "3.98", MEDIUM)


@pytest.mark.parametrize(
    ("values", "total", "band"),
    [
        ((5, 5, 5, 5, 5), "5.00", HIGH),
        ((4, 4, 4, 4, 4.5), "4.05", HIGH),
        ((4, 4, 4, 4, 4), "4.00", HIGH),  # on the threshold: the higher band
        ((4, 4, 4, 4, 3.5), "3.95", MEDIUM),
        ((3, 3, 3, 3, 3.5), "3.05", MEDIUM),
        ((3, 4.5, 4.5, 4.5, 4), "4.00", HIGH),  # 3.9999999999999996 in floats
        ((3, 3, 3, 3, 3), "3.00", MEDIUM),
        ((1, 4, 5, 2, 4), "3.00", MEDIUM),  # 2.9999999999999996 in floats
        ((3, 3, 3, 3, 2.5), "2.95", ON_HOLD),
        ((2, 2, 2, 2, 2.5), "2.05", ON_HOLD),
        ((2, 2, 2, 2, 2), "2.00", ON_HOLD),
        ((1, 1.5, 1, 4.5, 4.5), "2.00", ON_HOLD),  # 1.9999999999999998 in floats
        ((2, 2, 2, 2, 1.5), "1.95", REJECT),
        ((1, 1, 1, 1, 1), "1.00", REJECT),
    ],
)
def test_the_four_bands_at_and_around_each_threshold(values, total, band):
    result = score_matrix(scores(*values), DEFAULT_MATRIX)
    assert (result.total_shown, result.band) == (total, band)
    assert result.total == Decimal(total)  # exact, not a float near it


@pytest.mark.parametrize(
    ("total", "band"),
    [
        ("4.0001", HIGH),
        ("4", HIGH),
        ("3.9999", MEDIUM),
        ("3.0000", MEDIUM),
        ("2.99999999", ON_HOLD),
        ("2.0", ON_HOLD),
        ("1.9999", REJECT),
    ],
)
def test_the_band_is_decided_on_the_exact_value(total, band):
    assert band_for(Decimal(total), DEFAULT_MATRIX) == band


@pytest.mark.parametrize(
    ("values", "shown", "band"),
    [
        ((4, 4, 3.5, 1, 1), "4.00", MEDIUM),  # 3.995 is shown 4.00, and is below 4.0
        ((3, 3, 2.5, 1, 1), "3.00", ON_HOLD),  # 2.995
        ((2, 2, 1.5, 1, 1), "2.00", REJECT),  # 1.995
    ],
)
def test_the_total_shown_is_rounded_but_the_band_is_not(values, shown, band):
    weights = {"user_demand": 0.5, "cost_benefit": 0.49, "technical_feasibility": 0.01}
    result = score_matrix(scores(*values), settings_with({**weights, "strategic_fit": 0, "risk_assessment": 0}))
    assert result.total == Decimal(shown) - Decimal("0.005")
    assert (result.total_shown, result.band) == (shown, band)


def test_weights_and_thresholds_come_from_the_settings():
    equal = {f: 0.2 for f in FACTORS}
    result = score_matrix(scores(5, 1, 1, 1, 1), settings_with(equal))
    assert (result.total_shown, result.band) == ("1.80", REJECT)
    strict = settings_with(thresholds={"approve_high": 4.5, "approve_medium": 3.5, "on_hold": 2.5})
    assert score_matrix(scores(4, 4, 4, 4, 4), strict).band == MEDIUM
    assert score_matrix(scores(3, 3, 3, 3, 3), strict).band == ON_HOLD
    assert score_matrix(scores(2.5, 2.5, 2.5, 2.5, 2), strict).band == REJECT


@pytest.mark.parametrize("value", [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, Decimal("3.5"), 4.0])
def test_scores_from_1_to_5_in_steps_of_a_half(value):
    assert check_score("user_demand", value) == Decimal(str(value))


@pytest.mark.parametrize(
    "value",
    [0, 0.5, 5.5, 6, -1, 1.25, 3.3, 4.75, 4.999, "abc", "", True, False, math.nan, math.inf, -math.inf, [4], {}],
    ids=repr,
)
def test_bad_scores_are_refused(value):
    with pytest.raises(Exception) as refused:
        check_score("user_demand", value)
    assert getattr(refused.value, "exit_code", None) == 2, refused.value  # bad input
    assert "user_demand" in str(refused.value) and "1-5" in str(refused.value)
    with pytest.raises(Exception) as refused:
        score_matrix({**scores(3, 3, 3, 3, 3), "cost_benefit": value}, DEFAULT_MATRIX)
    assert getattr(refused.value, "exit_code", None) == 2, refused.value
    assert score_if_complete({**scores(3, 3, 3, 3, 3), "cost_benefit": value}, DEFAULT_MATRIX) is None


def test_a_missing_score_names_every_missing_factor():
    with pytest.raises(Exception) as refused:
        score_matrix({"user_demand": 4, "cost_benefit": None, "strategic_fit": 3}, DEFAULT_MATRIX)
    assert getattr(refused.value, "exit_code", None) == 2
    assert "Cost/Benefit, Technical Feasibility, Risk Assessment" in str(refused.value)
    assert "User Demand" not in str(refused.value).split("\n")[0]


@pytest.mark.parametrize("front_matter_scores", [None, "4", [4, 4, 4, 4, 4], {}, {"user_demand": 4}])
def test_no_matrix_until_the_scores_are_complete(front_matter_scores):
    assert score_if_complete(front_matter_scores, DEFAULT_MATRIX) is None


def test_a_complete_score_set_gives_its_matrix():
    result = score_if_complete(scores(4, 4, 4, 4, 4), DEFAULT_MATRIX)
    assert result is not None and (result.total_shown, result.band) == ("4.00", HIGH)
