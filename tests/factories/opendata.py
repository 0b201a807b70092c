"""A decided (and by default published) call with everything an open-data export reads, built
through the selection services: proposals in the competition with a lead municipality in one of
three Länder, a further municipality, two partners (with a contact address that must never be
published), challenges and budget lines; a jury of four from three organisations with submitted
reviews on three weighted criteria; a void review (its juror declared a conflict), a proposal
whose reviews are not all in (excluded), one below a criterion minimum (excluded); then
``services.run_selection`` and ``services.decide``, confirmed redacted reasons and publication.

Scores come from ``random.Random(seed)``, so a test is reproducible.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from oglabs.calls.models import Call, Challenge
from oglabs.places.models import Municipality
from oglabs.proposals.models import (
    BudgetLine,
    ConsortiumMember,
    ConsortiumMunicipality,
    MemberRole,
    Partner,
    Proposal,
)
from oglabs.proposals.states import ProposalState
from oglabs.reviews.models import (
    ConflictOfInterest,
    ConflictSource,
    Criterion,
    ReviewSettings,
    ReviewState,
    Score,
)
from oglabs.selection import services
from oglabs.selection.models import Decision
from oglabs.transparency.models import DeadlineCommitment, PublicText, PublishedField, TextStatus
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.proposals import NOW, CallFactory, DistrictFactory, MunicipalityFactory, StateFactory
from tests.factories.reviews import JurySeatFactory, ReviewFactory

DECIDED_AT = dt.datetime(2019, 12, 12, 10, 0, tzinfo=dt.UTC)
PUBLISHED_AT = dt.datetime(2019, 12, 16, 9, 0, tzinfo=dt.UTC)
LAENDER = {
    "12": ("BB", "Brandenburg", "12063"),
    "13": ("MV", "Mecklenburg-Vorpommern", "13071"),
    "14": ("SN", "Sachsen", "14521"),
}
CRITERIA = (
    ("relevanz", "Regionale Relevanz", Decimal("2.00"), Decimal("3.00")),
    ("beteiligung", "Beteiligung der Zivilgesellschaft", Decimal("1.50"), None),
    ("machbarkeit", "Machbarkeit", Decimal("1.00"), None),
)
ORGANISATIONS = (
    "Deutscher Landkreistag",
    "Deutscher Städtetag",
    "Bertelsmann Stiftung",
    "Deutscher Landkreistag",
)
PARTNER_CONTACT = "kontakt-{n}@verein.example"


@dataclass(frozen=True)
class Built:
    call: Call
    decision: Decision
    proposals: list[Proposal]


def _municipality(land: str, number: int, *, rural: bool, name: str) -> Municipality:
    code, state_name, district_ars = LAENDER[land]
    state = StateFactory(ars=land, code=code, name=state_name)
    district = DistrictFactory(ars=district_ars, state=state, name=f"Kreis {code}")
    return MunicipalityFactory(
        ars=f"{district_ars}{number:07d}",
        name=name,
        district=district,
        urbanisation=3 if rural else 2,
        longitude=13.0 + number / 1000,
        latitude=52.0 + number / 1000,
    )


def decided_call(
    *,
    proposals: int = 8,
    seed: int = 7,
    method: str = "mean",
    normalise: bool = False,
    published: bool = True,
    budget: Decimal = Decimal("450000"),
    max_labs: int = 3,
    max_per_state: int | None = 2,
    rural_min_share: Decimal | None = Decimal("0.5"),
) -> Built:
    rng = random.Random(seed)
    call = CallFactory()
    ReviewSettings.objects.create(
        call=call, reviews_per_proposal=3, aggregation=method, normalise=normalise, updated_at=NOW
    )
    criteria = [
        Criterion.objects.create(
            call=call,
            key=key,
            position=n,
            name=name,
            weight=weight,
            scale_min=0,
            scale_max=10,
            min_score=minimum,
        )
        for n, (key, name, weight, minimum) in enumerate(CRITERIA, start=1)
    ]
    jurors = [JurySeatFactory(call=call, organisation=organisation) for organisation in ORGANISATIONS]
    challenges = list(Challenge.objects.filter(call=call).order_by("position"))
    built: list[Proposal] = []
    for index in range(proposals):
        number = index + 1
        land = sorted(LAENDER)[index % 3]
        lead = _municipality(land, call.pk * 1000 + number, rural=index % 2 == 0, name=f"Gemeinde {number}")
        further = _municipality(
            land, call.pk * 1000 + 500 + number, rural=True, name=f"Nachbargemeinde {number}"
        )
        proposal = Proposal.objects.create(
            call=call,
            reference=f"OGL-{call.pk:03d}-{number:04d}",
            title=f"Offenes Labor {number}",
            state=ProposalState.IN_COMPETITION,
            lead_municipality=lead,
            own_contribution=Decimal(1000 * number),
            state_contribution=Decimal(500 * (index % 2)),
            created_at=NOW,
            updated_at=NOW,
            submitted_at=NOW + dt.timedelta(minutes=number),
        )
        ConsortiumMunicipality.objects.create(proposal=proposal, municipality=further)
        Partner.objects.create(
            proposal=proposal, position=1, kind="civil_society", name=f"Bürgerverein {number} e. V.",
            contact_email=PARTNER_CONTACT.format(n=number),
        )  # fmt: skip
        Partner.objects.create(proposal=proposal, position=2, kind="science", name="Hochschule Beispielstadt")
        proposal.challenges.add(challenges[index % len(challenges)])
        BudgetLine.objects.create(
            proposal=proposal,
            year=2020,
            category="staff",
            amount=Decimal(rng.randrange(80_000, 200_001, 500)),
        )
        ConsortiumMember.objects.create(
            proposal=proposal, user=UserFactory(), role=MemberRole.LEAD, joined_at=NOW
        )
        for k in range(3):
            juror = jurors[(index + k) % len(jurors)]
            last = index == proposals - 1 and k == 2
            review = ReviewFactory(
                juror=juror,
                proposal=proposal,
                state=ReviewState.DRAFT if last else ReviewState.SUBMITTED,
                submitted_at=None if last else NOW,
                comment="Interner Kommentar, nie veröffentlicht.",
            )
            if last:
                continue
            for criterion in criteria:
                low = 0 if (index == proposals - 2 and criterion.key == "relevanz") else 3
                value = rng.randint(low, 10) if low == 3 else rng.randint(0, 2)
                Score.objects.create(
                    review=review, criterion=criterion, value=value, comment="Nicht öffentlich."
                )
        built.append(proposal)
    # A fourth, submitted review on the first proposal by a juror who then declared a conflict
    # (jurors 0–2 reviewed it): void, it counts nowhere.
    void = ReviewFactory(juror=jurors[3], proposal=built[0], state=ReviewState.SUBMITTED, submitted_at=NOW)
    for criterion in criteria:
        Score.objects.create(review=void, criterion=criterion, value=0)
    ConflictOfInterest.objects.create(
        juror=jurors[3], proposal=built[0], source=ConflictSource.DECLARED, reason="Ich berate die Gemeinde.",
        created_at=NOW,
    )  # fmt: skip
    staff = StaffFactory()
    run = services.run_selection(
        call,
        budget=budget,
        max_labs=max_labs,
        max_per_state=max_per_state,
        rural_min_share=rural_min_share,
        actor=staff,
        now=DECIDED_AT,
    )
    reasons = {p.pk: f"Begründung für {p.reference}: Ansprechpartnerin Erika Musterfrau." for p in built}
    decision = services.decide(run, reasons=reasons, actor=staff, now=DECIDED_AT)
    if published:
        second, third = StaffFactory(), StaffFactory()
        for proposal in built:
            original = reasons[proposal.pk]
            start = original.index("Erika")
            redacted = original[:start] + "[geschwärzt]."
            PublicText.objects.create(
                decision=decision,
                proposal=proposal,
                field=PublishedField.REASON,
                original=original,
                marks=[
                    {"start": start, "end": len(original) - 1, "kind": "person", "text": "Erika Musterfrau"}
                ],
                redacted=redacted,
                status=TextStatus.CONFIRMED,
                marked_by=second,
                marked_at=DECIDED_AT,
                prepared_by=second,
                confirmed_by=third,
                confirmed_at=PUBLISHED_AT,
            )
        decision.published_at = PUBLISHED_AT
        decision.save(update_fields=["published_at"])
    return Built(call, decision, built)


def seal_versions(built: Built, *, content_format: int | None = None) -> DeadlineCommitment:
    """A submitted version of every proposal of ``built`` (in the current content format, or in
    ``content_format``) made before the deadline, then the call's deadline commitment over them."""
    from oglabs.core.canonical import normalise
    from oglabs.proposals import queries
    from oglabs.proposals.hashing import version_hash
    from oglabs.proposals.models import ProposalVersion, VersionKind
    from oglabs.transparency import services as transparency_services
    from tests.factories.proposals import DEADLINE

    for proposal in built.proposals:
        proposal.refresh_from_db()
        content = normalise(queries.proposal_content(proposal))
        if content_format is not None:
            content["public"]["format"] = content_format
        ProposalVersion.objects.create(
            proposal=proposal,
            number=1,
            kind=VersionKind.SUBMITTED,
            stage=proposal.stage,
            content=content,
            sha256=version_hash(content),
            created_at=NOW,
        )
    return transparency_services.commit_deadline(built.call, now=DEADLINE + dt.timedelta(microseconds=1))
