"""Back-office fixtures: a signed-in staff member whose session has used the second factor."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from oglabs.accounts.models import User
from tests.factories.accounts import StaffFactory
from tests.factories.mfa import activate_totp


def login_with_second_factor(client: Client, user: User) -> Client:
    """``force_login`` plus the session record allauth writes after a TOTP code was accepted
    (what ``RequireSecondFactorMiddleware`` checks); the user gets an authenticator first."""
    if not user.authenticator_set.exists():
        activate_totp(user)
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [{"method": "mfa", "type": "totp", "at": time.time()}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


@pytest.fixture
def staff_user(db: Any) -> User:
    return StaffFactory()


@pytest.fixture
def staff_client(client: Client, staff_user: User) -> Client:
    """A test client signed in as ``staff_user`` with the second factor recorded."""
    return login_with_second_factor(client, staff_user)
