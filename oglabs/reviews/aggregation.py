"""Scores: the weighted sum per review, the aggregate per proposal, per-juror normalisation, and
Krippendorff's alpha. Pure: no Django.

- :func:`weighted_sum`: ``Σ weight · score`` over the call's criteria, exact in ``Decimal``; a
  missing, unknown or out-of-scale criterion is an error.
- :func:`aggregate`: per proposal the mean or the median of its reviews' totals, optionally after
  :func:`normalise` (z-scores per juror, mapped back onto the scale).
- :func:`krippendorff_alpha_interval`: agreement between jurors over the proposal × juror matrix
  with missing values (interval metric).

Aggregates are rounded to :data:`PLACES` decimal places (half to even) so that the selection
optimiser gets exact decimals.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Literal

#: Decimal places of aggregated scores.
PLACES = 4


class ScoringError(ValueError):
    """A review's scores do not match the criteria."""


@dataclass(frozen=True)
class Criterion:
    key: str
    weight: Decimal
    scale_min: Decimal = Decimal(0)
    scale_max: Decimal = Decimal(10)


@dataclass(frozen=True)
class Review:
    """One juror's total for one proposal (the weighted sum)."""

    proposal: str
    juror: str
    total: Decimal


def weighted_sum(scores: Mapping[str, Decimal | int], criteria: Sequence[Criterion]) -> Decimal:
    """``Σ weight · score``; every criterion must be scored, within its scale, and nothing else."""
    keys = {c.key for c in criteria}
    missing = [c.key for c in criteria if c.key not in scores]
    if missing:
        raise ScoringError(f"Kriterium nicht bewertet: {', '.join(missing)}")
    unknown = sorted(set(scores) - keys)
    if unknown:
        raise ScoringError(f"Unbekanntes Kriterium: {', '.join(unknown)}")
    total = Decimal(0)
    for c in criteria:
        score = Decimal(scores[c.key])
        if not c.scale_min <= score <= c.scale_max:
            raise ScoringError(
                f"{c.key}: {score} liegt außerhalb der Skala von {c.scale_min} bis {c.scale_max}"
            )
        total += Decimal(c.weight) * score
    return total


def _quantise(value: Decimal | float | Fraction) -> Decimal:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(Decimal(1).scaleb(-PLACES), rounding=ROUND_HALF_EVEN)


def normalise(reviews: Sequence[Review]) -> list[Review]:
    """Per-juror z-scores, mapped back onto the scale: ``μ + σ · (x − μ_j) / σ_j``.

    ``μ_j, σ_j`` are the juror's mean and population standard deviation over their own reviews,
    ``μ, σ`` those of all reviews. This removes a juror's harshness (mean) and spread (σ_j) while
    keeping the scores on the familiar scale. Edge case: a juror with a single review, or who
    gave every proposal the same total (σ_j = 0), expressed no ranking; their reviews become the
    overall mean ``μ`` (z = 0) — they neither lift nor sink a proposal.
    """
    if not reviews:
        return []
    values = [float(r.total) for r in reviews]
    mean_all = statistics.fmean(values)
    std_all = statistics.pstdev(values)
    by_juror: dict[str, list[float]] = {}
    for r in reviews:
        by_juror.setdefault(r.juror, []).append(float(r.total))
    stats = {j: (statistics.fmean(v), statistics.pstdev(v)) for j, v in by_juror.items()}
    result = []
    for r in reviews:
        mean_j, std_j = stats[r.juror]
        z = 0.0 if std_j == 0 else (float(r.total) - mean_j) / std_j
        result.append(Review(r.proposal, r.juror, _quantise(mean_all + std_all * z)))
    return result


def aggregate(
    reviews: Sequence[Review],
    *,
    method: Literal["mean", "median"] = "mean",
    normalised: bool = False,
) -> dict[str, Decimal]:
    """Per proposal: the mean or median of its reviews' totals (after :func:`normalise` if asked),
    rounded to :data:`PLACES` places. Proposals without reviews are absent."""
    if method not in ("mean", "median"):
        raise ValueError("method must be 'mean' or 'median'")
    used = normalise(reviews) if normalised else list(reviews)
    by_proposal: dict[str, list[Decimal]] = {}
    for r in used:
        by_proposal.setdefault(r.proposal, []).append(Decimal(r.total))
    result = {}
    for proposal, totals in by_proposal.items():
        if method == "mean":
            value = sum(totals, Decimal(0)) / len(totals)
        else:
            value = statistics.median(sorted(totals))
        result[proposal] = _quantise(value)
    return result


def krippendorff_alpha_interval(
    data: Mapping[str, Mapping[str, Decimal | float | int | None]] | Iterable[Review],
) -> float | None:
    """Krippendorff's alpha with the interval metric, ``α = 1 − D_o / D_e``.

    ``data``: ``{proposal: {juror: value or None}}`` or reviews. Only units (proposals) with at
    least two values are pairable. With ``n`` pairable values, ``m_u`` values in unit ``u``:
    ``D_o = 1/n · Σ_u 1/(m_u − 1) · Σ_{i≠j in u} (v_i − v_j)²`` and
    ``D_e = 1/(n(n − 1)) · Σ_{i≠j over all pairable values} (v_i − v_j)²`` (ordered pairs),
    computed exactly with fractions. Returns ``None`` when undefined (fewer than two pairable
    values, or no variation at all: ``D_e = 0``).
    """
    units: dict[str, list[Fraction]] = {}
    if isinstance(data, Mapping):
        for unit, row in data.items():
            units[unit] = [
                Fraction(Decimal(str(v)) if isinstance(v, float) else v)
                for v in row.values()
                if v is not None
            ]
    else:
        for r in data:
            units.setdefault(r.proposal, []).append(Fraction(r.total))
    pairable = [values for values in units.values() if len(values) >= 2]
    n = sum(len(values) for values in pairable)
    if n < 2:
        return None

    def squared_differences(values: list[Fraction]) -> Fraction:
        # Σ over ordered pairs i ≠ j of (v_i − v_j)² = 2 (m Σv² − (Σv)²)
        total = sum(values, Fraction(0))
        squares = sum((v * v for v in values), Fraction(0))
        return 2 * (len(values) * squares - total * total)

    observed = sum((squared_differences(values) / (len(values) - 1) for values in pairable), Fraction(0)) / n
    everything = [v for values in pairable for v in values]
    expected = squared_differences(everything) / (n * (n - 1))
    if expected == 0:
        return None
    alpha = 1 - observed / expected
    return float(alpha) if not math.isnan(float(alpha)) else None
