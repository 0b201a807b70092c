"""Support fixtures: a call with consortia (proposals with members), staff, a workshop."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from oglabs.accounts.models import User
from oglabs.calls.models import Call
from oglabs.proposals.models import ConsortiumMember, MemberRole, Proposal
from oglabs.support import services
from oglabs.support.models import Workshop
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.proposals import NOW, CallFactory, ProposalFactory

WORKSHOP_STARTS_AT = NOW + dt.timedelta(days=30)


def consortium(
    call: Call, *emails: str, state: str = "eligible", title: str = "Offenes Havelland"
) -> Proposal:
    """A proposal of ``call`` in ``state`` whose members have the given addresses (the first leads)."""
    proposal = ProposalFactory(call=call, state=state, title=title)
    for position, email in enumerate(emails):
        user = User.objects.filter(email=email).first() or UserFactory(email=email)
        ConsortiumMember.objects.create(
            proposal=proposal,
            user=user,
            role=MemberRole.LEAD if position == 0 else MemberRole.EDITOR,
            joined_at=NOW,
        )
    return proposal


def workshop_data(**overrides: Any) -> services.WorkshopData:
    values: dict[str, Any] = {
        "title": "Ideen schärfen – Workshop in Berlin",
        "starts_at": WORKSHOP_STARTS_AT,
        "ends_at": WORKSHOP_STARTS_AT + dt.timedelta(hours=7),
        "capacity": 2,
        "place": "Bundesministerium des Innern\nAlt-Moabit 140, 10557 Berlin",
        "online_url": "",
        "agenda": "10:00 Begrüßung\n\n11:00 Arbeit in Gruppen",
        "documentation": "",
    }
    values.update(overrides)
    return services.WorkshopData(**values)


@pytest.fixture
def call(db: Any) -> Call:
    return CallFactory()


@pytest.fixture
def staff(db: Any) -> User:
    return StaffFactory(email="team@example.org")


@pytest.fixture
def workshop(call: Call, staff: User) -> Workshop:
    return services.create_workshop(call, actor=staff, data=workshop_data(), now=NOW)


@pytest.fixture
def private_media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "private-media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root
