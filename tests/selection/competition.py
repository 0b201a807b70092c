"""A call in the competition, built for the selection tests: proposals *im Teilnahmewettbewerb*
with a lead municipality (Land, rural or not), budget lines (the requested amount), a member, and
submitted reviews whose scores give the wanted aggregated score exactly.

One criterion (weight 1, scale 0–100) and one juror per review: the aggregated score of a proposal
is the mean of its review values, so ``scores=(70, 71)`` gives 70.5.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from oglabs.calls.models import Call
from oglabs.proposals.models import BudgetLine, ConsortiumMember, MemberRole, Proposal
from oglabs.proposals.states import ProposalState
from oglabs.reviews.models import Criterion, Juror, ReviewState
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.proposals import NOW, CallFactory, DistrictFactory, MunicipalityFactory, StateFactory
from tests.factories.reviews import JurySeatFactory, ReviewFactory, ScoreFactory

STATES = {
    "12": ("Brandenburg", "12063"),
    "13": ("Mecklenburg-Vorpommern", "13071"),
    "14": ("Sachsen", "14521"),
    "15": ("Sachsen-Anhalt", "15081"),
}
CODES = {"12": "BB", "13": "MV", "14": "SN", "15": "ST"}


@dataclass(frozen=True)
class Spec:
    name: str
    scores: tuple[int, ...]
    requested: int
    state: str = "12"
    rural: bool = True


def spec(
    name: str, score: int | Sequence[int], requested: int, state: str = "12", rural: bool = True
) -> Spec:
    scores = (score,) if isinstance(score, int) else tuple(score)
    return Spec(name, scores, requested, state, rural)


def _municipality(item: Spec, number: int):  # type: ignore[no-untyped-def]
    name, district_ars = STATES[item.state]
    state = StateFactory(ars=item.state, code=CODES[item.state], name=name)
    district = DistrictFactory(ars=district_ars, state=state, name=f"Kreis {item.state}")
    return MunicipalityFactory(
        ars=f"{district_ars}{number:07d}",
        name=f"Gemeinde {item.name}",
        district=district,
        urbanisation=3 if item.rural else 2,
    )


def competition(
    specs: Sequence[Spec], *, call: Call | None = None, submitted_from: dt.datetime = NOW
) -> tuple[Call, list[Proposal]]:
    """``call`` (or a new one) with one proposal per spec in the competition, in the order given
    (which is also the published tie-break order: they were submitted one minute apart)."""
    call = call or CallFactory()
    criterion = Criterion.objects.filter(call=call).first() or Criterion.objects.create(
        call=call,
        key="gesamt",
        position=1,
        name="Gesamteindruck",
        weight=Decimal("1.00"),
        scale_min=0,
        scale_max=100,
    )
    jurors: list[Juror] = list(Juror.objects.filter(call=call).order_by("pk"))
    needed = max((len(item.scores) for item in specs), default=0)
    while len(jurors) < needed:
        jurors.append(JurySeatFactory(call=call))
    proposals = []
    offset = Proposal.objects.filter(call=call).count()
    for index, item in enumerate(specs):
        number = offset + index + 1
        proposal = Proposal.objects.create(
            call=call,
            reference=f"OGL-{call.pk:03d}-{number:04d}",
            title=f"Labor {item.name}",
            state=ProposalState.IN_COMPETITION,
            lead_municipality=_municipality(item, call.pk * 1000 + number),
            created_at=submitted_from,
            updated_at=submitted_from,
            submitted_at=submitted_from + dt.timedelta(minutes=number),
        )
        BudgetLine.objects.create(
            proposal=proposal, year=2020, category="staff", amount=Decimal(item.requested)
        )
        ConsortiumMember.objects.create(
            proposal=proposal, user=UserFactory(), role=MemberRole.LEAD, joined_at=submitted_from
        )
        for juror, value in zip(jurors, item.scores, strict=False):
            review = ReviewFactory(
                juror=juror, proposal=proposal, state=ReviewState.SUBMITTED, submitted_at=submitted_from
            )
            ScoreFactory(review=review, criterion=criterion, value=value)
        proposals.append(proposal)
    return call, proposals


def staff():  # type: ignore[no-untyped-def]
    return StaffFactory()
