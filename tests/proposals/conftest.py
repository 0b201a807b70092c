"""Fixtures for receipts, uploads and partner confirmations: a complete draft, private storage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from oglabs.accounts.models import User
from oglabs.proposals import services
from oglabs.proposals.models import Proposal
from tests.factories.accounts import UserFactory
from tests.factories.proposals import NOW, CallFactory, MunicipalityFactory

PARTNER_NAMES = ("Bürgerverein Havelland e. V.", "Fachhochschule Potsdam")


def complete_draft(user: User | None = None) -> tuple[Proposal, User]:
    """A draft that meets every eligibility rule: two partners, three tasks, a budget."""
    user = user or UserFactory()
    proposal = services.start_proposal(
        call=CallFactory(),
        actor=user,
        title="Offenes Havelland",
        lead_municipality=MunicipalityFactory(name="Falkensee", ars="120630080080"),
        now=NOW,
    )
    further = MunicipalityFactory(name="Nauen", ars="120630000208")
    steps: list[tuple[str, Any]] = [
        (
            "general",
            {
                "title": "Offenes Havelland",
                "region": "Ländlicher Raum westlich von Berlin.\nZwei Städte, viele Dörfer.",
                "lab_form": "both",
                "moderation": "Eine neutrale Moderation, ein Beirat, ein Schlichtungsverfahren.",
                "challenges": ["strukturwandel", "digitalisierung"],
                "own_contribution": "10000.00",
                "state_contribution": "5000.50",
            },
        ),
        ("municipalities", {"lead": proposal.lead_municipality.ars, "further": [further.ars]}),
        (
            "partners",
            [
                {
                    "kind": "civil_society",
                    "name": PARTNER_NAMES[0],
                    "role_in_lab": "Beteiligung",
                    "contact_email": "vorstand@buergerverein.example",
                },
                {
                    "kind": "science",
                    "name": PARTNER_NAMES[1],
                    "role_in_lab": "Evaluation",
                    "cooperation_exists": True,
                    "contact_email": "labor@fh-potsdam.example",
                },
            ],
        ),
        (
            "tasks",
            [
                {
                    "title": f"Aufgabe {n}",
                    "description": "Beschreibung der Aufgabe.",
                    "indicator": "Beteiligte Personen",
                    "target_value": "100",
                    "due_on": dt.date(2021, 6, 30),
                    "verification": "Teilnahmelisten",
                }
                for n in (1, 2, 3)
            ],
        ),
        (
            "budget",
            [
                {"year": 2020, "category": "staff", "amount": "40000.00"},
                {"year": 2021, "category": "staff", "amount": "40000.00"},
                {"year": 2021, "category": "events", "amount": "12500.25"},
            ],
        ),
    ]
    for section, data in steps:
        proposal = services.save_section(
            proposal, section=section, data=data, expected_version=proposal.lock_version, actor=user, now=NOW
        )
    return proposal, user


@pytest.fixture
def private_media(settings: Any, tmp_path: Path) -> Path:
    """Uploads go to a fresh directory outside the static root."""
    root = tmp_path / "private-media"
    root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    settings.STATIC_ROOT = tmp_path / "static"
    return root
