"""The demo's 2019 call, decided: formal check, competition, jury, reviews, selection, decision.

Everything goes through the domain services, in the order and at the dates of the real procedure
(the call: "bis Februar 2020 ausgewählt"), so the demo leaves the audit trail real use would:

1. formal check (Formale Prüfung) on 08.11.2019: three consortia are not eligible, with a reason;
2. 02.12.2019: more than 16 eligible consortia remain, so all go into the competition
   (Teilnahmewettbewerb) — ``transition_proposal``, one audit event each;
3. the default criteria, five jurors of the municipal umbrella associations, a university and a
   foundation (the demo juror ``jury@…`` is one of them), three reviews per proposal and at most
   22 per juror; every juror declares their conflicts (one declares one), then the automatic
   assignment;
4. every juror scores and submits every review in January 2020; the points are pseudo-random but
   deterministic (derived from the reference, the juror and the criterion with SHA-256), with a
   quality per proposal and a harshness per juror so that the ranking is meaningful;
5. 03.02.2020 one selection run with the call's rules (3.000.000 €, at most 16 labs), and
   10.02.2020 the decision on it with the optimiser's plain German explanation as each reason.

Idempotent: every step looks at what is already there and does only what is missing; a second
load changes nothing. Needs the 36 consortia (``loading.load_consortia``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from oglabs.accounts.models import User
from oglabs.calls.models import Call
from oglabs.proposals import services as proposal_services
from oglabs.proposals.models import EligibilityDecision, Proposal
from oglabs.proposals.states import ProposalState
from oglabs.reviews import services as review_services
from oglabs.reviews.models import Criterion, Juror, Review, ReviewState
from oglabs.selection import queries as selection_queries
from oglabs.selection import run_queries
from oglabs.selection import services as selection_services
from oglabs.selection.models import SelectionRun

BERLIN = ZoneInfo("Europe/Berlin")
FORMAL_CHECK_AT = datetime(2019, 11, 8, 10, 0, tzinfo=BERLIN)
COMPETITION_AT = datetime(2019, 12, 2, 9, 0, tzinfo=BERLIN)
JURY_AT = datetime(2019, 12, 3, 9, 0, tzinfo=BERLIN)
DECLARED_AT = datetime(2019, 12, 5, 14, 0, tzinfo=BERLIN)
ASSIGNED_AT = datetime(2019, 12, 9, 9, 0, tzinfo=BERLIN)
REVIEWS_FROM = datetime(2020, 1, 6, 9, 0, tzinfo=BERLIN)
RUN_AT = datetime(2020, 2, 3, 10, 0, tzinfo=BERLIN)
DECIDED_AT = datetime(2020, 2, 10, 11, 0, tzinfo=BERLIN)

REVIEWS_PER_PROPOSAL = 3
MAX_LOAD = 22
SEED = "oglabs-demo-2019"

#: Consortia the formal check finds not eligible (the generated data meets every rule the
#: system checks; these are the judgements staff make on top).
INELIGIBLE: dict[str, str] = {
    "OGL-2019-0011": (
        "Die Absichtserklärung des zivilgesellschaftlichen Partners ist nicht unterschrieben und wurde "
        "auch auf Nachfrage nicht nachgereicht."
    ),
    "OGL-2019-0023": (
        "Die Laboraufgaben beschreiben Vorhaben der Verwaltung ohne Beteiligung von Kommunalpolitik und "
        "Zivilgesellschaft; ein Open Government Labor im Sinne des Aufrufs ist nicht erkennbar."
    ),
    "OGL-2019-0035": (
        "Der Mittelbedarf umfasst überwiegend Investitionen in Gebäude, die nach dem Aufruf nicht "
        "gefördert werden."
    ),
}
ELIGIBLE_REASON = "Alle formalen Voraussetzungen des Aufrufs sind erfüllt."
COMPETITION_REASON = (
    "Nach dem Workshop sind mehr als 16 förderfähige Bewerber vorhanden; es wird ein "
    "Teilnahmewettbewerb durchgeführt."
)


@dataclass(frozen=True)
class JurySeat:
    email: str
    organisation: str
    expertise: str
    #: How harsh (negative) or lenient (positive) the juror scores, in points.
    leniency: int


JURY: tuple[JurySeat, ...] = (
    JurySeat(
        "jury@demo.oglabs.de",
        "Deutscher Landkreistag",
        "Landkreise, ländlicher Raum, Daseinsvorsorge, Strukturwandel, interkommunale Zusammenarbeit",
        0,
    ),
    JurySeat(
        "jury-staedtetag@demo.oglabs.de",
        "Deutscher Städtetag",
        "Stadtentwicklung, Digitalisierung, Bürgerbeteiligung, Infrastruktur, Bauprojekte",
        1,
    ),
    JurySeat(
        "jury-gemeindebund@demo.oglabs.de",
        "Deutscher Städte- und Gemeindebund",
        "kleine Gemeinden, Ehrenamt, demografischer Wandel, Zusammenhalt, Dorfentwicklung",
        -1,
    ),
    JurySeat(
        "jury-hochschule@demo.oglabs.de",
        "Deutsche Universität für Verwaltungswissenschaften Speyer",
        "Open Government, Verwaltungsmodernisierung, Evaluation, Wirkungsmessung, Nachhaltigkeitsziele",
        -2,
    ),
    JurySeat(
        "jury-stiftung@demo.oglabs.de",
        "Stiftung Mitarbeit",
        "Zivilgesellschaft, Beteiligung, Moderation, Konfliktmanagement, Demokratie",
        1,
    ),
)
#: The one declared conflict: the juror of the Städte- und Gemeindebund on a Gemeinde's proposal.
CONFLICTED_SEAT = 2
CONFLICT_REASON = "Ich war bis 2018 Mitglied des Gemeinderats der federführenden Gemeinde."


def _unit(*parts: str) -> float:
    """A deterministic number in [0, 1) from the parts (SHA-256, not ``random``: independent of
    the order in which reviews are written, so a partly loaded demo completes identically)."""
    digest = hashlib.sha256(":".join((SEED, *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def demo_points(reference: str, seat: JurySeat, criterion: Criterion) -> int:
    """The points ``seat`` gives ``reference`` on ``criterion``: the proposal's quality (3–9), the
    juror's leniency, a criterion-specific deviation of up to ±2, within the scale."""
    quality = 3 + 6 * _unit("quality", reference)
    noise = 4 * _unit("noise", reference, seat.email, criterion.key) - 2
    value = round(quality + seat.leniency + noise)
    return max(criterion.scale_min, min(criterion.scale_max, value))


def _formal_check(call: Call, staff: User) -> int:
    done = 0
    submitted = Proposal.objects.filter(call=call, state=ProposalState.SUBMITTED).order_by("reference")
    for proposal in submitted:
        reason = INELIGIBLE.get(proposal.reference)
        decision = EligibilityDecision.INELIGIBLE if reason else EligibilityDecision.ELIGIBLE
        proposal_services.decide_eligibility(
            proposal, actor=staff, decision=decision, reason=reason or ELIGIBLE_REASON, now=FORMAL_CHECK_AT
        )
        done += 1
    return done


def _into_competition(call: Call, staff: User) -> int:
    eligible = list(Proposal.objects.filter(call=call, state=ProposalState.ELIGIBLE).order_by("reference"))
    for proposal in eligible:
        proposal_services.transition_proposal(
            proposal,
            to=ProposalState.IN_COMPETITION,
            actor=staff,
            now=COMPETITION_AT,
            reason=COMPETITION_REASON,
        )
    return len(eligible)


def _jury(call: Call, staff: User, users: dict[str, User]) -> list[tuple[Juror, JurySeat]]:
    if not Criterion.objects.filter(call=call).exists():
        review_services.create_default_criteria(call, actor=staff, now=JURY_AT)
    settings = review_services.review_settings(call)
    if (settings.reviews_per_proposal, settings.max_load) != (REVIEWS_PER_PROPOSAL, MAX_LOAD):
        review_services.update_review_settings(
            call,
            reviews_per_proposal=REVIEWS_PER_PROPOSAL,
            max_load=MAX_LOAD,
            blind_until_submitted=settings.blind_until_submitted,
            aggregation=settings.aggregation,
            normalise=settings.normalise,
            conflict_same_district=settings.conflict_same_district,
            conflict_same_organisation=settings.conflict_same_organisation,
            conflict_same_state=settings.conflict_same_state,
            actor=staff,
            now=JURY_AT,
        )
    seats = []
    for seat in JURY:
        user = users[seat.email]
        juror = Juror.objects.filter(call=call, user=user).first()
        if juror is None:
            juror = review_services.add_juror(
                call,
                user=user,
                organisation=seat.organisation,
                expertise=seat.expertise,
                actor=staff,
                now=JURY_AT,
            )
        seats.append((juror, seat))
    competing = list(
        Proposal.objects.filter(call=call, state=ProposalState.IN_COMPETITION).order_by("reference")
    )
    conflicted = next(
        (p for p in competing if p.lead_municipality and p.lead_municipality.kind == "gemeinde"), None
    )
    for index, (juror, _seat) in enumerate(seats):
        if juror.conflicts_declared_at is not None:
            continue
        conflicts = {conflicted: CONFLICT_REASON} if index == CONFLICTED_SEAT and conflicted else {}
        review_services.declare_conflicts(juror, conflicts=conflicts, actor=juror.user, now=DECLARED_AT)
    return seats


def _reviews(call: Call, staff: User, seats: Sequence[tuple[Juror, JurySeat]]) -> int:
    if not Review.objects.filter(juror__call=call).exists():
        review_services.assign_reviews(call, actor=staff, now=ASSIGNED_AT)
    criteria = list(Criterion.objects.filter(call=call).order_by("position", "pk"))
    by_juror = {juror.pk: (juror, seat) for juror, seat in seats}
    open_reviews = (
        Review.objects.filter(juror__call=call)
        .exclude(state=ReviewState.SUBMITTED)
        .select_related("proposal")
        .order_by("proposal__reference", "juror_id")
    )
    submitted = 0
    for number, review in enumerate(open_reviews):
        juror, seat = by_juror[review.juror_id]
        review_services.save_review(
            review,
            scores={c.pk: demo_points(review.proposal.reference, seat, c) for c in criteria},
            comments={},
            comment="Bewertet nach den Kriterien des Aufrufs.",
            submit=True,
            actor=juror.user,
            now=REVIEWS_FROM + timedelta(minutes=47 * number),
        )
        submitted += 1
    return submitted


def _decide(call: Call, staff: User) -> None:
    run = SelectionRun.objects.filter(call=call).order_by("number").first()
    if run is None:
        run = selection_services.run_selection(
            call,
            label="Regeln des Aufrufs",
            budget=call.budget,
            max_labs=call.max_labs,
            actor=staff,
            now=RUN_AT,
        )
    view = selection_queries.view_of(run)
    reasons = {row.proposal_id: run_queries.suggested_reason(row) for row in view.rows}
    selection_services.decide(run, reasons=reasons, actor=staff, now=DECIDED_AT)


def decide_2019_call(call: Call, *, staff: User, jurors: dict[str, User], now: datetime) -> str:
    """Take the 2019 call from its submitted consortia to the decision (what is missing of it).
    ``jurors`` maps the e-mail of every seat in :data:`JURY` to its user (role juror). Returns
    ``decided`` or ``unchanged``, or why it was skipped."""
    if now <= DECIDED_AT:
        return "skipped: the 2019 decision lies after --now"
    if selection_queries.decision_of(call) is not None:
        return "unchanged"
    if not Proposal.objects.filter(call=call).exists():
        return "skipped: no consortia"
    _formal_check(call, staff)
    _into_competition(call, staff)
    seats = _jury(call, staff, jurors)
    _reviews(call, staff, seats)
    _decide(call, staff)
    return "decided"
