"""The decision matrix of the process document ("Decision Criteria", "Decision Matrix").

Five factors, each scored 1-5 in steps of 0.5, weighted by the settings' weights
(default User Demand 30%, Cost/Benefit 25%, Technical Feasibility 20%, Strategic Fit
15%, Risk Assessment 10%). The weighted total decides the band on its exact value
(decimal arithmetic, so 4.0 is 4.0 and lands in the higher band). Each row's weighted
score is shown exactly (``0.625``, ``0.75``: :func:`format_weighted`) and the total,
their exact sum, as the process document writes it, two decimals half up (``2.875`` is
``2.88``: :func:`format_score`). Default thresholds: >= 4.0 approve (high priority), 3.0-3.99 approve
(medium priority), 2.0-2.99 on hold, < 2.0 reject.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from govtool.errors import InputError
from govtool.lifecycle import APPROVED, ON_HOLD, REJECTED

if TYPE_CHECKING:
    from decimal import Decimal

#: The decision-matrix factors of the process document, in its order.
MATRIX_FACTORS: tuple[str, ...] = (
    "user_demand",
    "cost_benefit",
    "technical_feasibility",
    "strategic_fit",
    "risk_assessment",
)

#: Factor labels, as the process document writes them.
FACTOR_LABELS: dict[str, str] = {
    "user_demand": "User Demand",
    "cost_benefit": "Cost/Benefit",
    "technical_feasibility": "Technical Feasibility",
    "strategic_fit": "Strategic Fit",
    "risk_assessment": "Risk Assessment",
}

BAND_APPROVE_HIGH = "approve (high priority)"
BAND_APPROVE_MEDIUM = "approve (medium priority)"
BAND_ON_HOLD = "on hold"
BAND_REJECT = "reject"


class MatrixSettings(NamedTuple):
    """The decision matrix's policy (``settings.decision_matrix``), validated.

    Attributes:
        weights: factor -> weight as a fraction (0.30 for 30%); they sum to 1.
        approve_high, approve_medium, on_hold: the lower bounds (inclusive) of the
            bands "approve (high priority)", "approve (medium priority)" and "on hold";
            below ``on_hold`` is "reject".
    """

    weights: dict[str, float]
    approve_high: float
    approve_medium: float
    on_hold: float

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MatrixSettings:
        """From the validated ``settings.decision_matrix`` mapping (``weights``, ``thresholds``)."""
        thresholds = data["thresholds"]
        return cls(
            weights=dict(data["weights"]),
            approve_high=thresholds["approve_high"],
            approve_medium=thresholds["approve_medium"],
            on_hold=thresholds["on_hold"],
        )


def _decimal(value: Any) -> Decimal:
    # decimal is imported here, not at the top: `status` and `list` load this module
    # for the settings and never weigh a matrix.
    from decimal import Decimal

    return Decimal(str(value))


def check_score(factor: str, value: Any) -> Decimal:
    """Validate one factor's score.

    Args:
        factor: a key of :data:`FACTOR_LABELS`.
        value: the score; 1-5 in steps of 0.5.

    Returns:
        The score as a Decimal.

    Raises:
        InputError: not a number, out of range, or not a multiple of 0.5.
    """
    from decimal import Decimal

    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise InputError(f"{factor}: a score is a number 1-5 in steps of 0.5 (got {value!r})")
    try:
        score = _decimal(value)
    except ArithmeticError:
        raise InputError(f"{factor}: a score is a number 1-5 in steps of 0.5 (got {value!r})") from None
    if not score.is_finite() or not (1 <= score <= 5) or (score * 2) % 1 != 0:
        raise InputError(
            f"{factor}: a score is a number 1-5 in steps of 0.5 (got {value})",
            hint="use 1, 1.5, 2, ... 5",
        )
    return score


class MatrixResult(NamedTuple):
    """A scored decision matrix.

    Attributes:
        rows: ``(factor, weight, score, weighted score)`` per factor, in the process
            document's order; weights as fractions (0.30), all Decimals.
        total: the exact weighted total (1-5).
        band: one of the four bands.
    """

    rows: tuple[tuple[str, Decimal, Decimal, Decimal], ...]
    total: Decimal
    band: str

    @property
    def weighted_shown(self) -> tuple[str, ...]:
        """Each row's weighted score, exactly (:func:`format_weighted`), in row order."""
        return tuple(format_weighted(weighted) for *_, weighted in self.rows)

    @property
    def total_shown(self) -> str:
        """The total as the process document shows it: two decimals, half up (``3.50``)."""
        return format_score(self.total)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{factors: [{factor, label, weight, score, weighted, weighted_shown}],
        total, total_shown, band}``."""
        return {
            "factors": [
                {
                    "factor": factor,
                    "label": FACTOR_LABELS[factor],
                    "weight": float(weight),
                    "score": float(score),
                    "weighted": float(weighted),
                    "weighted_shown": format_weighted(weighted),
                }
                for factor, weight, score, weighted in self.rows
            ],
            "total": float(self.total),
            "total_shown": self.total_shown,
            "band": self.band,
        }


def format_score(value: Any) -> str:
    """A weighted score as the process document writes it: two decimals, rounded half up
    on its decimal value (1.775 is ``1.78``, though the float 1.775 is a shade below it).

    Args:
        value: a Decimal, float or int.
    """
    from decimal import ROUND_HALF_UP

    return str(_decimal(value).quantize(_decimal("0.01"), rounding=ROUND_HALF_UP))


def format_weighted(value: Any) -> str:
    """One row's weighted score, exactly: at least two decimals, more where the exact
    value has them (``0.625``, ``0.75``, ``1.20``), so the rows add up to the exact total.

    Args:
        value: a Decimal, float or int.
    """
    exact = _decimal(value).normalize()
    decimals = max(2, -exact.as_tuple().exponent)
    return f"{exact:.{decimals}f}"


def format_weight(weight: Any) -> str:
    """A weight (a fraction, 0.30) as a percentage: ``30%``, ``12.5%``."""
    percent = _decimal(weight) * 100
    return f"{percent.normalize():f}%" if percent != percent.to_integral_value() else f"{int(percent)}%"


def band_decision(band: str) -> str:
    """The PM decision a band points to: ``approved``, ``on_hold`` or ``rejected``."""
    if band in (BAND_APPROVE_HIGH, BAND_APPROVE_MEDIUM):
        return APPROVED
    return ON_HOLD if band == BAND_ON_HOLD else REJECTED


def band_for(total: Decimal, matrix: MatrixSettings) -> str:
    """The band of an exact weighted total.

    Args:
        total: the weighted total.
        matrix: the thresholds (lower bounds, inclusive).
    """
    if total >= _decimal(matrix.approve_high):
        return BAND_APPROVE_HIGH
    if total >= _decimal(matrix.approve_medium):
        return BAND_APPROVE_MEDIUM
    if total >= _decimal(matrix.on_hold):
        return BAND_ON_HOLD
    return BAND_REJECT


def score_matrix(scores: dict[str, Any], matrix: MatrixSettings) -> MatrixResult:
    """Weigh the five scores with the settings' weights and find the band.

    Args:
        scores: factor -> score (1-5, steps of 0.5); all five factors required.
        matrix: the weights and thresholds (``tracker.settings.decision_matrix``).

    Returns:
        The matrix, its exact total and its band.

    Raises:
        InputError: a missing factor or a score out of range.
    """
    missing = [FACTOR_LABELS[f] for f in MATRIX_FACTORS if scores.get(f) is None]
    if missing:
        raise InputError(
            f"decision matrix: no score for {', '.join(missing)}",
            hint="score every factor, e.g. govtool score BROKER --user-demand 4 --cost-benefit 3 ...",
        )
    rows = []
    total = _decimal(0)
    for factor in MATRIX_FACTORS:
        weight = _decimal(matrix.weights[factor])
        score = check_score(factor, scores[factor])
        weighted = weight * score
        total += weighted
        rows.append((factor, weight, score, weighted))
    return MatrixResult(rows=tuple(rows), total=total, band=band_for(total, matrix))


def score_if_complete(scores: Any, matrix: MatrixSettings) -> MatrixResult | None:
    """The matrix of a research doc's ``scores`` front matter, or None while it is
    missing, incomplete or out of range (a notification or decision then shows no score)."""
    if not isinstance(scores, dict):
        return None
    try:
        return score_matrix(scores, matrix)
    except InputError:
        return None
