"""Fixtures for the portal's overview pages: complete drafts in a call open at the real now.

The views read the clock (``timezone.now()``), so the calls here are open relative to it: the
deadline is set a week ahead, or a few seconds ahead for the deadline tests.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oglabs.accounts.models import User
from oglabs.calls.models import Call
from oglabs.calls.services import update_call
from oglabs.calls.validation import SCHEDULE_FIELDS
from oglabs.proposals.models import Proposal
from oglabs.proposals.services.preparation import prepare_again
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.mfa import activate_totp, current_totp_code
from tests.proposals.conftest import complete_draft


def reopen(call: Call, *, deadline_at: dt.datetime | None = None) -> Call:
    """Move the call's submission window around the real now (deadline a week ahead by default),
    as staff do (``update_call``), and prepare the submissions of its drafts again (as their
    next save would: the call's change outdates them)."""
    now = timezone.now()
    deadline_at = deadline_at or now + dt.timedelta(days=7)
    changes = {"opens_at": now - dt.timedelta(days=30), "deadline_at": deadline_at}
    # The later phases of the 2019 schedule would now lie before the deadline: left out.
    changes |= {name: None for name in SCHEDULE_FIELDS if name not in changes}
    update_call(call, actor=None, changes=changes, now=now)
    for proposal_id in Proposal.objects.filter(call=call).values_list("pk", flat=True):
        prepare_again(proposal_id, now=now)
    call.refresh_from_db()
    return call


def open_draft(user: User | None = None) -> tuple[Proposal, User]:
    """A complete draft (two partners, three tasks, a budget) in a call that is open now."""
    proposal, user = complete_draft(user)
    reopen(proposal.call)
    proposal.refresh_from_db()
    return proposal, user


def client_for(user: User) -> Client:
    """A signed-in client; staff pass the real login with their second factor (TOTP)."""
    client = Client()
    if not user.is_privileged:
        client.force_login(user)
        return client
    activate_totp(user)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code()})
    assert response.status_code == 302
    return client


@pytest.fixture
def draft(db: Any) -> tuple[Proposal, User]:
    return open_draft()


@pytest.fixture
def stranger(db: Any) -> User:
    """An applicant of another consortium (with a proposal of its own)."""
    _proposal, user = open_draft(UserFactory(email="fremd@example.org"))
    return user


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
