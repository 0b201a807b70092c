#!/usr/bin/env python3
"""Nachrechnen einer veröffentlichten Förderentscheidung / Recompute a published funding decision.

Aufruf / usage::

    python3 verify_decision.py [VERZEICHNIS/DIRECTORY]

Braucht nur Python (3.11 oder neuer), numpy und scipy. / Needs only Python (3.11 or newer), numpy
and scipy.

What it does, reading only the published files of the export directory:

1. **Hashes.** Every file named in ``manifest.json`` must have the SHA-256 and size given there,
   and ``SHA256SUMS`` must agree with the files (it also covers ``manifest.json``).
2. **Aggregation.** From ``scores.csv`` (one row per review, jurors as pseudonyms J1…Jn) it
   recomputes each review's weighted sum ``Σ weight · score`` with the criteria of
   ``decision.json``, the per-juror normalisation if the call used it, the mean or median per
   proposal (rounded half to even to 4 places) and the mean of the raw scores per criterion —
   the same arithmetic as ``oglabs/reviews/aggregation.py``.
3. **Selection.** With the recomputed scores and the published rules it solves the same
   lexicographic MILP as ``oglabs/selection/optimiser.py`` with scipy's HiGHS (maximise the
   total score, then the granted total, then prefer earlier positions in the published order,
   then the lexicographically smallest set), distributes the amounts the same way and compares
   the selected labs, amounts, ranks and the waitlist with ``proposals.csv`` and
   ``decision.json``.
4. **Twins.** ``proposals.json`` and ``scores.json`` must say the same as their CSV twins.
5. **Deadline commitments.** Each Merkle root in ``decision.json`` is recomputed from its leaves.
6. **Committed versions.** Each version in ``committed.json`` — the public part with the free texts
   withheld as hashes, the private part as its hash — must give the version hash of its leaf in
   the deadline commitment, and its title, municipalities, partners and amounts must be those of
   ``proposals.json``.

It prints "identisch / identical" and exits with 0, or names every difference (file, proposal,
field, published and recomputed value) and exits with 1.

This file is pure: it imports nothing of the oglabs application, and numpy and scipy only where
the selection is solved. It is one file on purpose — it is copied into every export — and so
longer than the house's usual ~500 lines. The application's own
``manage.py verify_decision`` imports this very file, so both always agree; a test checks that the
copy in every export is byte-identical to the source in the repository.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import json
import math
import statistics
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

#: The format of the export this script understands (``decision.json`` → ``format``).
FORMAT = "oglabs-open-data/1"
#: Decimal places of aggregated scores (``oglabs.reviews.aggregation.PLACES``).
PLACES = 4
#: The canonical check looks at most at this many alternative optimal sets (as the optimiser).
MAX_ALTERNATIVES = 20
_INTEGRALITY = 1e-6
#: Column prefix of the per-criterion columns in ``scores.csv``.
CRITERION_PREFIX = "criterion:"
#: Files the manifest does not list (the manifest itself; the checksum list covers it).
UNLISTED = ("manifest.json", "SHA256SUMS")

IDENTICAL = "identisch / identical"


# ==================================================================================================
# Differences


@dataclass(frozen=True)
class Difference:
    """One thing that does not agree. ``subject``: a proposal reference, a juror pseudonym, a file."""

    file: str
    subject: str
    field: str
    published: str
    recomputed: str

    def text(self) -> str:
        where = f"{self.file}: {self.subject}" if self.subject else self.file
        return (
            f"{where}, {self.field}: veröffentlicht/published {self.published or '—'}, "
            f"nachgerechnet/recomputed {self.recomputed or '—'}"
        )


@dataclass
class Report:
    differences: list[Difference] = field(default_factory=list)
    #: Plain remarks that are not differences (e.g. the solver could not prove uniqueness).
    notes: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not self.differences

    def add(self, file: str, subject: str, name: str, published: Any, recomputed: Any) -> None:
        self.differences.append(Difference(file, subject, name, _text(published), _text(recomputed)))

    def lines(self) -> list[str]:
        if self.identical:
            return [*self.notes, IDENTICAL]
        count = len(self.differences)
        head = (
            "1 Abweichung / 1 difference:" if count == 1 else f"{count} Abweichungen / {count} differences:"
        )
        return [*self.notes, head, *("- " + d.text() for d in self.differences)]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class ExportError(Exception):
    """The directory is not a readable export (a file is missing or malformed)."""


# ==================================================================================================
# Aggregation — the same arithmetic as oglabs/reviews/aggregation.py


class ScoringError(ValueError):
    pass


@dataclass(frozen=True)
class Criterion:
    key: str
    weight: Decimal
    scale_min: Decimal = Decimal(0)
    scale_max: Decimal = Decimal(10)


@dataclass(frozen=True)
class Review:
    proposal: str
    juror: str
    total: Decimal


def weighted_sum(scores: Mapping[str, Decimal | int], criteria: Sequence[Criterion]) -> Decimal:
    """``Σ weight · score``; every criterion must be scored, within its scale, and nothing else."""
    missing = [c.key for c in criteria if c.key not in scores]
    if missing:
        raise ScoringError(f"Kriterium nicht bewertet: {', '.join(missing)}")
    unknown = sorted(set(scores) - {c.key for c in criteria})
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


def quantise(value: Decimal | float | Fraction) -> Decimal:
    """Round half to even to :data:`PLACES` places."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(Decimal(1).scaleb(-PLACES), rounding=ROUND_HALF_EVEN)


def normalise(reviews: Sequence[Review]) -> list[Review]:
    """Per-juror z-scores mapped back onto the scale: ``μ + σ · (x − μ_j) / σ_j`` (population
    statistics); a juror with one review or no spread gets the overall mean."""
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
        result.append(Review(r.proposal, r.juror, quantise(mean_all + std_all * z)))
    return result


def aggregate(
    reviews: Sequence[Review], *, method: str = "mean", normalised: bool = False
) -> dict[str, Decimal]:
    """Per proposal the mean or median of its reviews' totals (after :func:`normalise` if asked)."""
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
        result[proposal] = quantise(value)
    return result


def criterion_means(rows: Iterable[Mapping[str, int]], keys: Sequence[str]) -> dict[str, Decimal]:
    """The mean of the raw scores per criterion over a proposal's reviews (4 places)."""
    values: dict[str, list[int]] = {key: [] for key in keys}
    for row in rows:
        for key in keys:
            if key in row:
                values[key].append(row[key])
    return {key: quantise(Decimal(sum(v)) / len(v)) for key, v in values.items() if v}


# ==================================================================================================
# Selection — a compact copy of the lexicographic MILP of oglabs/selection/optimiser.py


@dataclass(frozen=True)
class Candidate:
    id: str
    score: Decimal
    requested: Decimal
    state_key: str
    rural: bool
    tie_rank: int


@dataclass(frozen=True)
class Rules:
    budget: Decimal
    max_labs: int
    max_per_state: int | None = None
    min_rural_share: Decimal | None = None
    min_score: Decimal | None = None
    min_funding_share: Decimal | None = None


@dataclass(frozen=True)
class Selection:
    status: str  # optimal | not_proven | no_eligible | rural_share_unattainable
    proven_optimal: bool
    selected: tuple[tuple[str, Decimal], ...]  # (id, granted) in the published ranking
    waitlist: tuple[str, ...]  # eligible, not selected: score descending, then position
    ineligible: dict[str, str]  # id → below_min_score | exceeds_budget_alone
    total_score: Decimal
    total_granted: Decimal
    unique: bool | None
    ranking: tuple[str, ...]  # every candidate: score descending, then the published order


def candidate_from_json(data: Mapping[str, Any]) -> Candidate:
    return Candidate(
        id=str(data["id"]),
        score=Decimal(str(data["score"])),
        requested=Decimal(str(data["requested"])),
        state_key=str(data["state_key"]),
        rural=bool(data["rural"]),
        tie_rank=int(data["tie_rank"]),
    )


def rules_from_json(data: Mapping[str, Any]) -> Rules:
    def decimal(name: str) -> Decimal | None:
        value = data.get(name)
        return None if value is None else Decimal(str(value))

    max_per_state = data.get("max_per_state")
    return Rules(
        budget=Decimal(str(data["budget"])),
        max_labs=int(data["max_labs"]),
        max_per_state=None if max_per_state is None else int(max_per_state),
        min_rural_share=decimal("min_rural_share"),
        min_score=decimal("min_score"),
        min_funding_share=decimal("min_funding_share"),
    )


def _cents(amount: Decimal, what: str) -> int:
    cents = Decimal(amount) * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{what}: {amount} has more than two decimal places")
    return int(cents)


def _scaled(value: Decimal, scale: int) -> int:
    scaled = Decimal(value) * scale
    if scaled != scaled.to_integral_value():
        raise ValueError(f"score {value} is not exact at scale {scale}")
    return int(scaled)


def _share(value: Decimal | None) -> Fraction | None:
    if value is None:
        return None
    share = Fraction(Decimal(value))
    if not 0 <= share <= 1:
        raise ValueError("shares must lie between 0 and 1")
    return share


@dataclass
class _Problem:
    ids: list[str]
    score: list[int]
    requested: list[int]
    minimum: list[int]
    position: list[int]
    state: list[str]
    rural: list[bool]
    budget: int
    max_labs: int
    max_per_state: int | None
    rural_share: Fraction | None
    scale: int


def _prepare(
    candidates: Sequence[Candidate], rules: Rules
) -> tuple[_Problem, dict[str, str], list[Candidate]]:
    ids = [c.id for c in candidates]
    if len(set(ids)) != len(ids):
        raise ValueError("candidate ids must be unique")
    if any(c.score < 0 or c.requested <= 0 for c in candidates):
        raise ValueError("scores must not be negative and requests must be positive")
    ordered = sorted(candidates, key=lambda c: (c.tie_rank, c.id))
    decimals = 0
    for value in [c.score for c in ordered] + ([rules.min_score] if rules.min_score is not None else []):
        exponent = Decimal(value).normalize().as_tuple().exponent
        decimals = max(decimals, -int(exponent))
    if decimals > 6:
        raise ValueError("scores may have at most 6 decimal places")
    scale = 10**decimals
    budget = _cents(rules.budget, "budget")
    funding_share = _share(rules.min_funding_share)
    min_score = None if rules.min_score is None else _scaled(rules.min_score, scale)
    problem = _Problem(
        ids=[],
        score=[],
        requested=[],
        minimum=[],
        position=[],
        state=[],
        rural=[],
        budget=budget,
        max_labs=rules.max_labs,
        max_per_state=rules.max_per_state,
        rural_share=_share(rules.min_rural_share),
        scale=scale,
    )
    ineligible: dict[str, str] = {}
    for position, c in enumerate(ordered, start=1):
        requested = _cents(c.requested, c.id)
        scaled = _scaled(c.score, scale)
        minimum = requested if funding_share is None else math.ceil(funding_share * requested)
        if min_score is not None and scaled < min_score:
            ineligible[c.id] = "below_min_score"
        elif minimum > budget:
            ineligible[c.id] = "exceeds_budget_alone"
        else:
            problem.ids.append(c.id)
            problem.score.append(scaled)
            problem.requested.append(requested)
            problem.minimum.append(minimum)
            problem.position.append(position)
            problem.state.append(c.state_key)
            problem.rural.append(c.rural)
    if sum(problem.score) >= 2**52 or sum(problem.position) >= 2**52 or budget >= 2**52:
        raise ValueError("the instance is too large for exact double-precision coefficients")
    return problem, ineligible, ordered


def _dominated(p: _Problem) -> set[int]:
    """Candidates in no optimal set: ``L = min(max_per_state, max_labs)`` others of their class
    have a strictly higher score and a minimum amount no larger (see ADR 0005)."""
    limit = p.max_labs if p.max_per_state is None else min(p.max_per_state, p.max_labs)
    if limit <= 0:
        return set()
    by_score = sorted(range(len(p.ids)), key=lambda i: -p.score[i])
    seen_all: dict[str, list[int]] = {}
    seen_rural: dict[str, list[int]] = {}
    removed: set[int] = set()
    start = 0
    while start < len(by_score):
        end = start
        while end < len(by_score) and p.score[by_score[end]] == p.score[by_score[start]]:
            end += 1
        group = by_score[start:end]
        for i in group:
            key = p.state[i] if p.max_per_state is not None else ""
            pool = seen_rural if p.rural[i] else seen_all
            if bisect.bisect_right(pool.get(key, []), p.minimum[i]) >= limit:
                removed.add(i)
        for i in group:
            key = p.state[i] if p.max_per_state is not None else ""
            bisect.insort(seen_all.setdefault(key, []), p.minimum[i])
            if p.rural[i]:
                bisect.insort(seen_rural.setdefault(key, []), p.minimum[i])
        start = end
    return removed


class _Model:
    """x_i binary for the kept candidates, G continuous (0 ≤ G ≤ budget, G ≤ Σ requested·x)."""

    def __init__(self, p: _Problem, time_limit: float) -> None:
        import numpy as np

        self.np = np
        self.p = p
        self.time_limit = time_limit
        n = len(p.ids)
        self.n = n
        removed = _dominated(p)
        self.active = [i for i in range(n) if i not in removed]
        rows: list[Any] = []
        self.lower: list[float] = []
        self.upper: list[float] = []

        def add(coefficients: Any, g: float, lo: float, hi: float) -> None:
            rows.append(np.append(coefficients, g))
            self.lower.append(lo)
            self.upper.append(hi)

        add(np.array(p.minimum, dtype=float), 0.0, -np.inf, p.budget)
        add(-np.array(p.requested, dtype=float), 1.0, -np.inf, 0.0)
        add(np.ones(n), 0.0, -np.inf, p.max_labs)
        if p.max_per_state is not None:
            states = np.array(p.state)
            for state in sorted(set(p.state)):
                members = (states == state).astype(float)
                if members.sum() > p.max_per_state:
                    add(members, 0.0, -np.inf, p.max_per_state)
        if p.rural_share:
            num, den = p.rural_share.numerator, p.rural_share.denominator
            add(np.where(np.array(p.rural, dtype=bool), den - num, -num).astype(float), 0.0, 0.0, np.inf)
        self.base = np.vstack(rows)

    def solve(
        self, objective: Any, extra: Sequence[tuple[Any, float, float]] = ()
    ) -> tuple[list[int], bool, int]:
        np = self.np
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import csr_array

        columns = self.active
        k = len(columns)
        index = np.array([*columns, self.n], dtype=np.intp)
        matrix = self.base[:, index]
        lower, upper = list(self.lower), list(self.upper)
        if extra:
            matrix = np.vstack([matrix, *[row[index] for row, _, _ in extra]])
            lower += [lo for _, lo, _ in extra]
            upper += [hi for _, _, hi in extra]
        result = milp(
            objective[index],
            integrality=np.append(np.ones(k), 0.0),
            bounds=Bounds(np.zeros(k + 1), np.append(np.ones(k), float(self.p.budget))),
            constraints=LinearConstraint(csr_array(matrix), lower, upper),
            options={"mip_rel_gap": 0.0, "time_limit": self.time_limit, "presolve": True},
        )
        if result.x is None:
            return [], False, int(result.status)
        x = result.x[:k]
        rounded = np.rint(x)
        if np.max(np.abs(x - rounded), initial=0.0) > _INTEGRALITY:
            raise RuntimeError("the solver returned a fractional selection")
        chosen = [columns[int(j)] for j in np.flatnonzero(rounded > 0.5)]
        gap = float(getattr(result, "mip_gap", 0.0) or 0.0)
        proven = result.status == 0 and gap * max(1.0, abs(float(result.fun))) < 1.0
        return chosen, proven, int(result.status)


def _key(p: _Problem, chosen: Sequence[int]) -> tuple[int, int, int, tuple[int, ...]]:
    """Smaller is better: (−score, −granted total, position sum, sorted positions)."""
    return (
        -sum(p.score[i] for i in chosen),
        -min(p.budget, sum(p.requested[i] for i in chosen)),
        sum(p.position[i] for i in chosen),
        tuple(sorted(p.position[i] for i in chosen)),
    )


def _violations(p: _Problem, chosen: Sequence[int]) -> list[str]:
    broken = []
    if sum(p.minimum[i] for i in chosen) > p.budget:
        broken.append("budget")
    if len(chosen) > p.max_labs:
        broken.append("max_labs")
    if p.max_per_state is not None:
        counts: dict[str, int] = {}
        for i in chosen:
            counts[p.state[i]] = counts.get(p.state[i], 0) + 1
        if any(count > p.max_per_state for count in counts.values()):
            broken.append("max_per_state")
    if p.rural_share is not None:
        rural = sum(1 for i in chosen if p.rural[i])
        if rural * p.rural_share.denominator < p.rural_share.numerator * len(chosen):
            broken.append("min_rural_share")
    return broken


def select(candidates: Sequence[Candidate], rules: Rules, *, time_limit: float = 60.0) -> Selection:
    """The exact lexicographic optimum, as ``oglabs.selection.optimiser.optimise`` computes it."""
    p, ineligible, ordered = _prepare(candidates, rules)
    n = len(p.ids)
    chosen: list[int] = []
    proven = True
    unique: bool | None = True
    if n:
        import numpy as np

        model = _Model(p, time_limit)
        score = np.array(p.score, dtype=float)
        position = np.array(p.position, dtype=float)

        def run(objective: Any, extra: Sequence[tuple[Any, float, float]]) -> list[int]:
            nonlocal proven
            found, ok, status = model.solve(objective, extra)
            if status not in (0, 1):
                raise RuntimeError(f"HiGHS status {status}")
            proven = proven and ok
            if _violations(p, found):
                raise RuntimeError(f"the solution breaks {_violations(p, found)}")
            return found

        weight = p.budget + 1
        if sum(p.score) * weight + p.budget < 2**53:
            chosen = run(np.append(-score * weight, -1.0), [])
            best = _key(p, chosen)
            keep = [(np.append(score, 0.0), -best[0] - 0.5, np.inf)]
        else:
            chosen = run(np.append(-score, 0.0), [])
            keep = [(np.append(score, 0.0), -_key(p, chosen)[0] - 0.5, np.inf)]
            chosen = run(np.append(np.zeros(n), -1.0), keep)
            best = _key(p, chosen)
        keep.append((np.append(np.zeros(n), 1.0), -best[1] - 0.5, np.inf))
        chosen = run(np.append(position, 0.0), keep)
        best = _key(p, chosen)
        keep.append((np.append(position, 0.0), -np.inf, best[2] + 0.5))
        found_sets = [set(chosen)]
        for _ in range(MAX_ALTERNATIVES):
            cuts = []
            for s in found_sets:
                row = -np.ones(n + 1)
                row[n] = 0.0
                for i in s:
                    row[i] = 1.0
                cuts.append((row, -np.inf, len(s) - 1 + 0.5))
            other, _ok, solved = model.solve(np.append(position, 0.0), keep + cuts)
            if solved != 0:
                unique = unique if solved == 2 else None
                break
            if _violations(p, other) or _key(p, other)[:3] != best[:3]:
                break
            unique = False
            found_sets.append(set(other))
            if _key(p, other) < _key(p, chosen):
                chosen = other
        else:
            unique = None
    if _violations(p, chosen):
        raise RuntimeError("the selection breaks a rule")
    # Amounts: everyone the minimum, the rest in the published ranking up to the request.
    grants = {i: p.minimum[i] for i in chosen}
    rest = min(p.budget, sum(p.requested[i] for i in chosen)) - sum(grants.values())
    ranking = sorted(range(n), key=lambda i: (-p.score[i], p.position[i]))
    for i in ranking:
        if i in grants:
            extra_cents = min(p.requested[i] - grants[i], rest)
            grants[i] += extra_cents
            rest -= extra_cents
    if n == 0:
        status = "no_eligible"
    elif not chosen and p.max_labs > 0 and p.rural_share:
        status = "rural_share_unattainable"
    else:
        status = "optimal" if proven else "not_proven"
    everyone = sorted(ordered, key=lambda c: (-c.score, c.tie_rank, c.id))
    return Selection(
        status=status,
        proven_optimal=proven,
        selected=tuple((p.ids[i], Decimal(grants[i]) / 100) for i in ranking if i in grants),
        waitlist=tuple(p.ids[i] for i in ranking if i not in grants),
        ineligible=ineligible,
        total_score=Decimal(sum(p.score[i] for i in chosen)) / p.scale,
        total_granted=Decimal(sum(grants.values())) / 100,
        unique=unique,
        ranking=tuple(c.id for c in everyone),
    )


# ==================================================================================================
# Reading the export


def _read_json(directory: Path, name: str) -> Any:
    try:
        with open(directory / name, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError as error:
        raise ExportError(f"{name} fehlt / is missing") from error
    except json.JSONDecodeError as error:
        raise ExportError(f"{name} ist kein gültiges JSON / is not valid JSON: {error}") from error


def _read_csv(directory: Path, name: str) -> list[dict[str, str]]:
    try:
        with open(directory / name, encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    except FileNotFoundError as error:
        raise ExportError(f"{name} fehlt / is missing") from error


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def check_hashes(directory: Path, report: Report) -> None:
    """Every file in the manifest has its hash and size; SHA256SUMS agrees with the files."""
    manifest = _read_json(directory, "manifest.json")
    listed = set()
    for entry in manifest.get("files", []):
        name = str(entry["name"])
        listed.add(name)
        path = directory / name
        if not path.is_file():
            report.add("manifest.json", name, "sha256", entry.get("sha256"), "Datei fehlt / file missing")
            continue
        actual = sha256_of(path)
        if actual != entry.get("sha256"):
            report.add("manifest.json", name, "sha256", entry.get("sha256"), actual)
        if "bytes" in entry and path.stat().st_size != entry["bytes"]:
            report.add("manifest.json", name, "bytes", entry["bytes"], path.stat().st_size)
    sums = directory / "SHA256SUMS"
    if not sums.is_file():
        report.add("SHA256SUMS", "", "Datei / file", "", "fehlt / missing")
        return
    named = set()
    for line in sums.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        named.add(name)
        path = directory / name
        actual = sha256_of(path) if path.is_file() else "Datei fehlt / file missing"
        if actual != digest:
            report.add("SHA256SUMS", name, "sha256", digest, actual)
    for name in sorted(listed - named):
        report.add("SHA256SUMS", name, "Eintrag / entry", "", "fehlt / missing")


# ==================================================================================================
# Comparing


def _criteria(decision: Mapping[str, Any]) -> list[Criterion]:
    return [
        Criterion(
            key=str(c["key"]),
            weight=Decimal(str(c["weight"])),
            scale_min=Decimal(str(c["scale_min"])),
            scale_max=Decimal(str(c["scale_max"])),
        )
        for c in decision["criteria"]
    ]


def _same_decimal(a: Any, b: Any) -> bool:
    da, db = _decimal(a), _decimal(b)
    if da is None or db is None:
        return _text(a) == _text(b)
    return da == db


@dataclass(frozen=True)
class Scores:
    """Recomputed per proposal reference: the aggregate, the criterion means, the review count."""

    aggregate: dict[str, Decimal]
    means: dict[str, dict[str, Decimal]]
    counts: dict[str, int]


def recompute_scores(
    decision: Mapping[str, Any], score_rows: Sequence[Mapping[str, str]], report: Report
) -> Scores:
    """Check every review's weighted sum (and normalised total), every per-criterion mean and every
    aggregate in ``scores.csv``; return what was recomputed."""
    criteria = _criteria(decision)
    keys = [c.key for c in criteria]
    method = str(decision["aggregation"]["method"])
    normalised = bool(decision["aggregation"]["normalised"])
    reviews: list[Review] = []
    raw: dict[str, list[dict[str, int]]] = {}
    published_reviews: list[Mapping[str, str]] = []
    aggregates: dict[str, Mapping[str, str]] = {}
    for row in score_rows:
        reference = row["reference"]
        if row["row"] == "aggregate":
            aggregates[reference] = row
            continue
        label = f"{reference}, {row['juror']}"
        scores: dict[str, int] = {}
        for key in keys:
            value = _decimal(row.get(CRITERION_PREFIX + key))
            if value is None or value != value.to_integral_value():
                report.add(
                    "scores.csv",
                    label,
                    CRITERION_PREFIX + key,
                    row.get(CRITERION_PREFIX + key),
                    "eine ganze Zahl / an integer",
                )
                continue
            scores[key] = int(value)
        raw.setdefault(reference, []).append(scores)
        try:
            total = weighted_sum(scores, criteria)
        except ScoringError as error:
            report.add(
                "scores.csv", label, "weighted_sum", row.get("weighted_sum"), f"ungültig / invalid: {error}"
            )
            continue
        if not _same_decimal(row.get("weighted_sum"), total):
            report.add("scores.csv", label, "weighted_sum", row.get("weighted_sum"), total)
        reviews.append(Review(reference, row["juror"], total))
        published_reviews.append(row)
    if normalised:
        for row, review in zip(published_reviews, normalise(reviews), strict=True):
            if not _same_decimal(row.get("normalised"), review.total):
                report.add(
                    "scores.csv",
                    f"{review.proposal}, {review.juror}",
                    "normalised",
                    row.get("normalised"),
                    review.total,
                )
    result = aggregate(reviews, method=method, normalised=normalised)
    all_means = {reference: criterion_means(rows, keys) for reference, rows in raw.items()}
    for reference in sorted(set(aggregates) | set(result)):
        published = aggregates.get(reference)
        if published is None:
            report.add("scores.csv", reference, "aggregate", "", "Zeile fehlt / row missing")
            continue
        expected = result.get(reference, quantise(Decimal(0)))
        if not _same_decimal(published.get("weighted_sum"), expected):
            report.add(
                "scores.csv",
                f"{reference}, aggregate",
                "weighted_sum",
                published.get("weighted_sum"),
                expected,
            )
        means = all_means.get(reference, {})
        for key in keys:
            if not _same_decimal(published.get(CRITERION_PREFIX + key), means.get(key)):
                report.add(
                    "scores.csv",
                    f"{reference}, aggregate",
                    CRITERION_PREFIX + key,
                    published.get(CRITERION_PREFIX + key),
                    means.get(key),
                )
    return Scores(result, all_means, {reference: len(rows) for reference, rows in raw.items()})


def _scored_inputs(
    decision: Mapping[str, Any],
    scores: Mapping[str, Decimal],
    means: Mapping[str, Mapping[str, Decimal]],
    counts: Mapping[str, int],
    proposals: Sequence[Mapping[str, str]],
    report: Report,
) -> list[Candidate]:
    """Who takes part, recomputed from the published files (the rules of the selection's inputs):
    a proposal takes part when all its assigned reviews are submitted, every criterion's mean
    reaches the criterion's minimum and it requests funds. Compared with ``decision.json``."""
    inputs = decision["inputs"]
    minimum = {str(c["key"]): _decimal(c.get("min_score")) for c in decision["criteria"]}
    published = {str(item["id"]): candidate_from_json(item) for item in inputs["candidates"]}
    excluded = {str(item["id"]): str(item["code"]) for item in inputs["excluded"]}
    land = {row["reference"]: row.get("land_ars", "") for row in proposals}
    candidates = []
    for pid, info in sorted(inputs["proposals"].items(), key=lambda item: int(item[1]["position"])):
        reference = str(info["reference"])
        score = scores.get(reference, quantise(Decimal(0)))
        if not _same_decimal(info["score"], score):
            report.add("decision.json", reference, "inputs.proposals.score", info["score"], score)
        submitted = counts.get(reference, 0)
        if int(info["reviews_submitted"]) != submitted:
            report.add(
                "decision.json",
                reference,
                "inputs.proposals.reviews_submitted",
                info["reviews_submitted"],
                submitted,
            )
        if reference in land and land[reference] != info["state_key"]:
            report.add("proposals.csv", reference, "land_ars", land[reference], info["state_key"])
        requested = Decimal(str(info["requested"]))
        below = [
            key
            for key, value in means.get(reference, {}).items()
            if minimum.get(key) is not None and value < minimum[key]  # type: ignore[operator]  # checked not None
        ]
        code = None
        if submitted == 0 or submitted < int(info["reviews_assigned"]):
            code = "reviews_incomplete"
        elif below:
            code = "below_criterion_minimum"
        elif requested <= 0:
            code = "no_request"
        if code is not None:
            if excluded.get(pid) != code:
                report.add(
                    "decision.json",
                    reference,
                    "inputs.excluded",
                    excluded.get(pid, "Kandidat / candidate"),
                    code,
                )
            continue
        candidate = Candidate(
            pid, score, requested, str(info["state_key"]), bool(info["rural"]), int(info["position"])
        )
        candidates.append(candidate)
        before = published.get(pid)
        if before is None:
            report.add(
                "decision.json",
                reference,
                "inputs.candidates",
                excluded.get(pid, "fehlt / missing"),
                "Kandidat / candidate",
            )
            continue
        for name in ("score", "requested", "state_key", "rural", "tie_rank"):
            if getattr(before, name) != getattr(candidate, name):
                report.add(
                    "decision.json",
                    reference,
                    f"inputs.candidates.{name}",
                    getattr(before, name),
                    getattr(candidate, name),
                )
    return candidates


def recompute_selection(
    decision: Mapping[str, Any],
    proposals: Sequence[Mapping[str, str]],
    candidates: Sequence[Candidate],
    scores: Mapping[str, Decimal],
    report: Report,
    *,
    time_limit: float = 60.0,
) -> Selection:
    """Solve with the recomputed candidates and the published rules; compare the result with
    ``decision.json`` and every proposal's result, rank, amount and waitlist position with
    ``proposals.csv``."""
    info = decision["inputs"]["proposals"]
    reference_of = {pid: str(item["reference"]) for pid, item in info.items()}
    selection = select(candidates, rules_from_json(decision["rules"]), time_limit=time_limit)
    if selection.unique is None:
        report.notes.append(
            "Hinweis / note: mehr als 20 gleichwertige optimale Auswahlen; die Gleichstandsregel wurde "
            "nicht erschöpfend geprüft / more than 20 equally good selections; the tie-break was not "
            "checked exhaustively."
        )
    published = decision["result"]

    def names(items: Iterable[str]) -> str:
        return ", ".join(reference_of.get(i, i) for i in items)

    selected = [(str(item["id"]), Decimal(str(item["granted"]))) for item in published["selected"]]
    if selected != list(selection.selected):
        report.add(
            "decision.json",
            "",
            "result.selected",
            ", ".join(f"{reference_of.get(i, i)} {g}" for i, g in selected),
            ", ".join(f"{reference_of.get(i, i)} {g}" for i, g in selection.selected),
        )
    if [str(i) for i in published["waitlist"]] != list(selection.waitlist):
        report.add(
            "decision.json", "", "result.waitlist", names(published["waitlist"]), names(selection.waitlist)
        )
    for name, total in (("total_score", selection.total_score), ("total_granted", selection.total_granted)):
        if not _same_decimal(published.get(name), total):
            report.add("decision.json", "", f"result.{name}", published.get(name), total)
    if published.get("status") != selection.status:
        report.add("decision.json", "", "result.status", published.get("status"), selection.status)
    # Every proposal: the ranking is score descending, then the published order (position).
    zero = quantise(Decimal(0))
    order = sorted(info, key=lambda pid: (-scores.get(reference_of[pid], zero), int(info[pid]["position"])))
    granted = dict(selection.selected)
    waitlist = {pid: k for k, pid in enumerate(selection.waitlist, start=1)}
    expected: dict[str, dict[str, str]] = {}
    for rank, pid in enumerate(order, start=1):
        result = "selected" if pid in granted else "waitlisted" if pid in waitlist else "not_selected"
        expected[reference_of[pid]] = {
            "result": result,
            "rank": str(rank),
            "score": str(scores.get(reference_of[pid], zero)),
            "requested_amount": str(info[pid]["requested"]),
            "granted_amount": f"{granted.get(pid, Decimal(0)):.2f}",
            "waitlist_position": str(waitlist[pid]) if pid in waitlist else "",
        }
    seen = set()
    for row in proposals:
        reference = row["reference"]
        seen.add(reference)
        wanted = expected.get(reference)
        if wanted is None:
            report.add(
                "proposals.csv",
                reference,
                "Zeile / row",
                "vorhanden / present",
                "kein Teil der Entscheidung / not part of the decision",
            )
            continue
        for name, value in wanted.items():
            cell = row.get(name) or ""
            same = (
                _same_decimal(cell, value)
                if name in ("score", "requested_amount", "granted_amount")
                else cell == value
            )
            if not same:
                report.add("proposals.csv", reference, name, cell, value)
    for reference in sorted(set(expected) - seen):
        report.add(
            "proposals.csv",
            reference,
            "Zeile / row",
            "fehlt / missing",
            "Teil der Entscheidung / part of the decision",
        )
    return selection


MERKLE_FORMAT = "oglabs-merkle-v1"


def merkle_root(leaf_hashes: Sequence[str]) -> str:
    """RFC 6962 tree hash as ``oglabs/transparency/merkle.py`` builds it: inner node
    ``sha256(0x01 || left || right)`` over raw bytes, neighbours paired from the left, an odd last
    node promoted unchanged; the empty tree's root is ``sha256(b"")``."""
    if not leaf_hashes:
        return hashlib.sha256(b"").hexdigest()
    level = list(leaf_hashes)
    while len(level) > 1:
        paired = [
            hashlib.sha256(b"\x01" + bytes.fromhex(level[i]) + bytes.fromhex(level[i + 1])).hexdigest()
            for i in range(0, len(level) - 1, 2)
        ]
        level = paired + ([level[-1]] if len(level) % 2 else [])
    return level[0]


def check_commitments(decision: Mapping[str, Any], report: Report) -> None:
    """Each deadline commitment's leaves (``sha256(0x00 || reference "\\n" version_sha256)``, sorted
    by reference), their number and the root recomputed from them."""
    for commitment in decision.get("deadline_commitments", []):
        kind = str(commitment.get("kind", ""))
        if commitment.get("tree_format") != MERKLE_FORMAT:
            report.notes.append(
                f"Hinweis / note: Fristsiegel / commitment {kind}: Format {commitment.get('tree_format')!r} nicht geprüft / not checked."
            )
            continue
        leaves = commitment.get("leaves", [])
        hashes = []
        for leaf in leaves:
            data = f"{leaf['reference']}\n{leaf['version_sha256']}".encode()
            computed = hashlib.sha256(b"\x00" + data).hexdigest()
            if computed != leaf["leaf"]:
                report.add(
                    "decision.json",
                    str(leaf["reference"]),
                    f"deadline_commitments.{kind}.leaf",
                    leaf["leaf"],
                    computed,
                )
            hashes.append(computed)
        references = [str(leaf["reference"]) for leaf in leaves]
        if references != sorted(references):
            report.add(
                "decision.json",
                "",
                f"deadline_commitments.{kind}.leaves",
                "unsortiert / unsorted",
                "nach Kennung sortiert / sorted by reference",
            )
        if commitment.get("leaf_count") != len(leaves):
            report.add(
                "decision.json",
                "",
                f"deadline_commitments.{kind}.leaf_count",
                commitment.get("leaf_count"),
                len(leaves),
            )
        root = merkle_root(hashes)
        if commitment.get("root") != root:
            report.add("decision.json", "", f"deadline_commitments.{kind}.root", commitment.get("root"), root)


# ==================================================================================================
# Committed versions (committed.json)

#: Content formats of ``oglabs/proposals/hashing.py``: 1 one hash per part, 2 a hash tree per part.
CONTENT_WHOLE_PARTS = 1
CONTENT_HASH_TREE = 2
#: A withheld subtree in a disclosure: ``{"$sha256": "<64 hex digits>"}``.
WITHHELD = "$sha256"
_HEX = frozenset("0123456789abcdef")


def canonical_json(value: Any) -> bytes:
    """Canonical JSON as ``oglabs/core/canonical.py`` writes it: keys sorted, no whitespace, UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def disclosed_hash(value: Any) -> str:
    """The root of the hash tree over a disclosure (``oglabs/proposals/hashing.py``): object
    ``sha256(b"d" + canonical_json({key: hash}))``, array ``sha256(b"l" + canonical_json([hash…]))``,
    scalar ``sha256(b"s" + canonical_json(value))``; ``{"$sha256": h}`` stands for a withheld
    subtree whose hash is ``h``. ``ValueError`` for a malformed marker, a reserved key or a float."""
    if isinstance(value, dict):
        if WITHHELD in value:
            marker = value[WITHHELD]
            if len(value) != 1 or not isinstance(marker, str) or len(marker) != 64 or not set(marker) <= _HEX:
                raise ValueError(f"kein gültiger Hash / not a valid withheld subtree: {value!r}")
            return marker
        if any(key.startswith("$") for key in value):
            raise ValueError(f"reservierter Schlüssel / reserved key in {sorted(value)!r}")
        tree = {key: disclosed_hash(item) for key, item in value.items()}
        return hashlib.sha256(b"d" + canonical_json(tree)).hexdigest()
    if isinstance(value, list):
        return hashlib.sha256(b"l" + canonical_json([disclosed_hash(item) for item in value])).hexdigest()
    if isinstance(value, float):
        raise ValueError(f"Gleitkommazahl / float in a disclosure: {value!r}")
    return hashlib.sha256(b"s" + canonical_json(value)).hexdigest()


def version_hash_from_parts(public_sha256: str, private_sha256: str) -> str:
    """A version's SHA-256 from the hashes of its two parts (both content formats)."""
    return hashlib.sha256(canonical_json({"public": public_sha256, "private": private_sha256})).hexdigest()


def _committed_version(entry: Mapping[str, Any]) -> str:
    """The version hash an entry of ``committed.json`` gives (``ValueError`` if malformed)."""
    if entry.get("disclosure") is False:
        public, private = entry.get("public_sha256"), entry.get("private_sha256")
        if not all(isinstance(h, str) and len(h) == 64 and set(h) <= _HEX for h in (public, private)):
            raise ValueError("public_sha256/private_sha256 fehlen / missing")
        return version_hash_from_parts(str(public), str(private))
    public = entry.get("public")
    if not isinstance(public, dict) or public.get("format") != CONTENT_HASH_TREE:
        raise ValueError(f"Inhaltsformat / content format {CONTENT_HASH_TREE} erwartet / expected")
    return version_hash_from_parts(disclosed_hash(public), disclosed_hash(entry.get("private")))


def _shown(public: Mapping[str, Any]) -> dict[str, Any]:
    """What a disclosure shows of the fields ``proposals.json`` publishes, in its terms."""
    lead = public.get("lead_municipality")
    lead = lead if isinstance(lead, dict) else {}
    further = public.get("further_municipalities")
    partners = public.get("partners")
    budget = public.get("budget")
    try:
        requested: Any = sum((Decimal(str(line["amount"])) for line in budget), Decimal(0))  # type: ignore[union-attr]
    except (TypeError, KeyError, InvalidOperation):
        requested = budget
    return {
        "title": public.get("title"),
        "lead_municipality": lead.get("name", ""),
        "lead_municipality_ars": lead.get("ars", ""),
        "lead_municipality_kind": lead.get("kind", ""),
        "further_municipalities": sorted(_named(item, "ars") for item in further)
        if isinstance(further, list)
        else further,
        "partners": sorted(_named(item, "kind") for item in partners)
        if isinstance(partners, list)
        else partners,
        "requested_amount": requested,
        "own_contribution": public.get("own_contribution"),
        "state_contribution": public.get("state_contribution"),
    }


def _published(row: Mapping[str, Any]) -> dict[str, Any]:
    """The same fields of a ``proposals.json`` row."""
    return {
        "title": row.get("title"),
        "lead_municipality": row.get("lead_municipality", ""),
        "lead_municipality_ars": row.get("lead_municipality_ars", ""),
        "lead_municipality_kind": row.get("lead_municipality_kind", ""),
        "further_municipalities": sorted(
            _named(item, "ars") for item in row.get("further_municipalities", [])
        ),
        # Partners as a set, like the municipalities: their order carries no meaning.
        "partners": sorted(_named(item, "kind") for item in row.get("partners", [])),
        "requested_amount": row.get("requested_amount"),
        "own_contribution": row.get("own_contribution"),
        "state_contribution": row.get("state_contribution"),
    }


def _named(item: Any, detail: str) -> str:
    """An organisation or place as ``Name (detail)``; anything else (e.g. a withheld subtree) as JSON."""
    if isinstance(item, dict) and "name" in item:
        return f"{_text(item.get('name'))} ({_text(item.get(detail))})"
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def _pairs(value: Any) -> Any:
    return "; ".join(map(str, value)) if isinstance(value, list) else value


def check_committed(
    directory: Path, decision: Mapping[str, Any], proposals: Sequence[Mapping[str, Any]], report: Report
) -> None:
    """Each version in ``committed.json`` gives the version hash sealed in ``decision.json``'s
    commitment (recomputed from the disclosure, or from the two part hashes of an old-format
    version), and what it shows of title, municipalities, partners and amounts is what
    ``proposals.json`` publishes. Every published proposal that is a leaf has an entry."""
    if not (directory / "committed.json").is_file():
        report.notes.append(
            "Hinweis / note: committed.json fehlt / is missing — Fassungen nicht geprüft / versions not checked."
        )
        return
    leaves: dict[tuple[str, str], str] = {}
    for commitment in decision.get("deadline_commitments", []):
        for leaf in commitment.get("leaves", []):
            leaves[(str(commitment.get("kind", "")), str(leaf["reference"]))] = str(leaf["version_sha256"])
    sealed = {reference for _, reference in leaves}
    rows = {str(row.get("reference")): row for row in proposals}
    seen: set[str] = set()
    hash_only = 0
    for entry in _read_json(directory, "committed.json").get("proposals", []):
        reference, kind = str(entry.get("reference", "")), str(entry.get("commitment", ""))
        if reference in seen:
            report.add("committed.json", reference, "Eintrag / entry", "doppelt / twice", "einmal / once")
        seen.add(reference)
        try:
            recomputed = _committed_version(entry)
        except (ValueError, TypeError, AttributeError) as error:
            recomputed = f"nicht berechenbar / not computable: {error}"
        if recomputed != entry.get("version_sha256"):
            report.add("committed.json", reference, "version_sha256", entry.get("version_sha256"), recomputed)
        sealed_hash = leaves.get((kind, reference))
        if sealed_hash is None:
            report.add(
                "committed.json", reference, f"deadline_commitments.{kind}", "", "kein Blatt / no leaf"
            )
        elif entry.get("version_sha256") != sealed_hash:
            report.add(
                "committed.json",
                reference,
                f"deadline_commitments.{kind}.version_sha256",
                sealed_hash,
                entry.get("version_sha256"),
            )
        if not isinstance(entry.get("public"), dict) and entry.get("disclosure") is not False:
            continue
        if entry.get("disclosure") is False:
            hash_only += 1
            continue
        public = entry["public"]
        if public.get("reference") != reference:
            report.add("committed.json", reference, "public.reference", reference, public.get("reference"))
        row = rows.get(reference)
        if row is None:
            report.add(
                "proposals.json", reference, "Zeile / row", "fehlt / missing", "im Fristsiegel / committed"
            )
            continue
        shown, published = _shown(public), _published(row)
        for name, value in published.items():
            other = shown[name]
            if value != other and not _same_decimal(value, other):
                report.add("proposals.json", reference, name, _pairs(value), _pairs(other))
    for reference in sorted((set(rows) & sealed) - seen):
        report.add(
            "committed.json", reference, "Eintrag / entry", "fehlt / missing", "im Fristsiegel / committed"
        )
    if hash_only:
        report.notes.append(
            f"Hinweis / note: {hash_only} Fassung(en) im alten Inhaltsformat: nur der Hash geprüft, "
            f"nicht der Inhalt / version(s) in the old content format: only the hash checked, not the content."
        )


def _flatten(value: Any) -> str:
    """A JSON value as its CSV cell: lists joined with "; ", objects as "name (kind)"."""
    if isinstance(value, list):
        return "; ".join(_flatten(item) for item in value)
    if isinstance(value, dict):
        parts = [str(v) for k, v in value.items() if k not in ("name",)]
        return f"{value.get('name', '')} ({', '.join(parts)})" if "name" in value else ", ".join(parts)
    return _text(value)


def compare_twins(
    directory: Path,
    name: str,
    csv_rows: Sequence[Mapping[str, str]],
    key: Sequence[str],
    json_rows: Sequence[Mapping[str, Any]],
    report: Report,
) -> None:
    """Every CSV row has a JSON twin with the same value in every column (lists flattened)."""

    def ident(row: Mapping[str, Any]) -> tuple[str, ...]:
        return tuple(_text(row.get(k)) for k in key)

    by_key = {ident(row): row for row in json_rows}
    for row in csv_rows:
        twin = by_key.pop(ident(row), None)
        label = ", ".join(k for k in ident(row) if k)
        if twin is None:
            report.add(name, label, "Zeile / row", "", "fehlt / missing")
            continue
        for column, cell in row.items():
            other = _flatten(twin.get(column))
            if cell != other and not (_decimal(cell) is not None and _same_decimal(cell, other)):
                report.add(name, label, column, other, cell)
    for extra in by_key:
        report.add(name, ", ".join(k for k in extra if k), "Zeile / row", "überzählig / extra", "")


def _scores_json_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for proposal in data["proposals"]:
        for review in proposal["reviews"]:
            row = {"reference": proposal["reference"], "row": "review", "juror": review["juror"]}
            row.update({CRITERION_PREFIX + k: v for k, v in review["scores"].items()})
            row.update({"weighted_sum": review["weighted_sum"], "normalised": review.get("normalised")})
            rows.append(row)
        aggregate_row = {"reference": proposal["reference"], "row": "aggregate", "juror": ""}
        aggregate_row.update({CRITERION_PREFIX + k: v for k, v in proposal["criteria"].items()})
        aggregate_row.update({"weighted_sum": proposal["score"], "normalised": None})
        rows.append(aggregate_row)
    return rows


def verify(directory: Path | str, *, time_limit: float = 60.0) -> Report:
    """Everything above, on one export directory."""
    directory = Path(directory)
    report = Report()
    check_hashes(directory, report)
    decision = _read_json(directory, "decision.json")
    if decision.get("format") != FORMAT:
        raise ExportError(f"decision.json: Format {decision.get('format')!r} statt / instead of {FORMAT!r}")
    proposals = _read_csv(directory, "proposals.csv")
    score_rows = _read_csv(directory, "scores.csv")
    compare_twins(
        directory,
        "proposals.json",
        proposals,
        ("reference",),
        _read_json(directory, "proposals.json")["proposals"],
        report,
    )
    compare_twins(
        directory,
        "scores.json",
        score_rows,
        ("reference", "row", "juror"),
        _scores_json_rows(_read_json(directory, "scores.json")),
        report,
    )
    scores = recompute_scores(decision, score_rows, report)
    candidates = _scored_inputs(decision, scores.aggregate, scores.means, scores.counts, proposals, report)
    recompute_selection(decision, proposals, candidates, scores.aggregate, report, time_limit=time_limit)
    check_commitments(decision, report)
    check_committed(directory, decision, _read_json(directory, "proposals.json")["proposals"], report)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    directory = Path(args[0]) if args else Path(__file__).resolve().parent
    try:
        report = verify(directory)
    except (ExportError, ValueError, KeyError, RuntimeError) as error:
        print(f"Fehler / error: {error}")
        return 2
    for line in report.lines():
        print(line)
    return 0 if report.identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
