"""The main navigation offers what the user's role may reach."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories.accounts import JurorFactory, StaffFactory, UserFactory


def _nav(client: Client) -> str:
    html = client.get(reverse("public:impressum")).content.decode()
    start = html.index('class="og-nav"')
    return html[start : html.index("</nav>", start)]


@pytest.mark.django_db
def test_nav_anonymous_offers_login(client: Client) -> None:
    nav = _nav(client)

    assert reverse("account_login") in nav
    assert reverse("portal:home") not in nav
    assert reverse("backoffice:home") not in nav


@pytest.mark.django_db
def test_nav_applicant_offers_portal_and_logout(client: Client) -> None:
    client.force_login(UserFactory())

    nav = _nav(client)

    assert reverse("portal:home") in nav
    assert reverse("backoffice:home") not in nav
    assert re.search(rf'<form[^>]*action="{reverse("account_logout")}"\s+method="post"', nav)


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [StaffFactory, JurorFactory])
def test_nav_staff_and_juror_offer_backoffice(client: Client, factory) -> None:  # type: ignore[no-untyped-def]
    client.force_login(factory())

    nav = _nav(client)

    assert reverse("backoffice:home") in nav
