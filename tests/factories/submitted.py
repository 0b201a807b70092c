"""Submitted proposals built through the services (start, edit by section, submit), so they are
exactly what an applicant produces: members, a frozen version, a receipt mail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from oglabs.accounts.models import User
from oglabs.calls.models import Call
from oglabs.proposals import services
from oglabs.proposals.models import Proposal
from tests.factories.accounts import UserFactory
from tests.factories.proposals import NOW, MunicipalityFactory


def draft_meeting_every_rule(call: Call, user: User | None = None, *, name: str = "Falkensee") -> Proposal:
    """A draft of ``call`` that meets every eligibility rule; ``user`` (or a new applicant) leads it."""
    user = user or UserFactory()
    lead = MunicipalityFactory(name=name)
    proposal = services.start_proposal(
        call=call, actor=user, title=f"Labor {name}", lead_municipality=lead, now=NOW
    )
    further = MunicipalityFactory(name=f"Nachbar von {name}")
    steps: list[tuple[str, Any]] = [
        (
            "general",
            {
                "title": f"Labor {name}",
                "region": "Ländlicher Raum westlich von Berlin.",
                "lab_form": "place",
                "moderation": "Eine neutrale Moderation.",
                "challenges": ["strukturwandel"],
                "own_contribution": "1000.00",
            },
        ),
        ("municipalities", {"lead": lead.ars, "further": [further.ars]}),
        (
            "partners",
            [
                {"kind": "civil_society", "name": f"Bürgerverein {name}", "role_in_lab": "Beteiligung"},
                {"kind": "science", "name": "FH Potsdam", "role_in_lab": "Evaluation"},
            ],
        ),
        (
            "tasks",
            [
                {
                    "title": "Beteiligungswerkstatt",
                    "indicator": "Beteiligte Personen",
                    "target_value": "100",
                    "due_on": dt.date(2021, 6, 30),
                    "verification": "Teilnahmelisten",
                }
            ],
        ),
        ("budget", [{"year": 2020, "category": "staff", "amount": "40000.00"}]),
    ]
    for section, data in steps:
        proposal = services.save_section(
            proposal, section=section, data=data, expected_version=proposal.lock_version, actor=user, now=NOW
        )
    return proposal


def submitted_proposal(call: Call, user: User | None = None, *, name: str = "Falkensee") -> Proposal:
    """A proposal of ``call`` submitted through ``submit_proposal`` (state *eingereicht*)."""
    user = user or UserFactory()
    proposal = draft_meeting_every_rule(call, user, name=name)
    services.submit_proposal(proposal, actor=user, now=NOW)
    proposal.refresh_from_db()
    return proposal
