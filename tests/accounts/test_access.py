"""Deny by default: who reaches which page, and the required second factor."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from oglabs.accounts.models import User
from tests.factories.accounts import PASSWORD, AdminFactory, JurorFactory, StaffFactory, UserFactory
from tests.factories.mfa import activate_totp, current_totp_code


def _iter_patterns(resolver: URLResolver, prefix: str = ""):  # type: ignore[no-untyped-def]
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _iter_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _argument_free_routes() -> list[tuple[str, URLPattern]]:
    routes = []
    for route, pattern in _iter_patterns(get_resolver()):
        if "<" in route or "(?P" in route or route.startswith("^"):
            continue  # needs arguments; covered by the owning app's tests
        routes.append((route.replace("^", "").replace("$", ""), pattern))
    return routes


def _is_public(pattern: URLPattern) -> bool:
    return getattr(pattern.callback, "login_required", True) is False


@pytest.mark.django_db
def test_anonymous_reaches_only_public_pages(client):
    routes = _argument_free_routes()
    assert len(routes) > 10
    for route, pattern in routes:
        response = client.get("/" + route)
        if _is_public(pattern):
            assert response.status_code in {200, 302, 405}, route
        else:
            assert response.status_code == 302, route
            assert response["Location"].startswith(reverse("account_login")), route


@pytest.mark.django_db
def test_every_protected_route_is_listed_as_not_public():
    protected = [route for route, pattern in _argument_free_routes() if not _is_public(pattern)]
    assert "portal/" in protected
    assert "verwaltung/" in protected


@pytest.mark.django_db
def test_portal_redirects_anonymous_to_login(client):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/portal/"


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [StaffFactory, JurorFactory, AdminFactory])
def test_backoffice_refuses_privileged_user_without_second_factor(client, factory):
    user = factory()
    assert client.login(email=user.email, password=PASSWORD)
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert not user.authenticator_set.exists()


@pytest.mark.django_db
def test_backoffice_requires_code_when_totp_exists_but_session_did_not_use_it(client):
    staff = StaffFactory()
    activate_totp(staff)
    client.force_login(staff)  # a session without any second-factor record
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_reauthenticate")


def _login_with_totp(client, user: User) -> None:  # type: ignore[no-untyped-def]
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code()})
    assert response.status_code == 302


@pytest.mark.django_db
def test_backoffice_admits_staff_after_totp_login(client):
    staff = StaffFactory()
    activate_totp(staff)
    _login_with_totp(client, staff)
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_backoffice_refuses_applicant(client):
    applicant = UserFactory()
    client.force_login(applicant)
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 403


@pytest.mark.django_db
def test_applicant_needs_no_second_factor_for_portal(client):
    applicant = UserFactory()
    client.force_login(applicant)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_inactive_staff_is_treated_as_anonymous(client):
    staff = StaffFactory(is_active=False)
    assert not client.login(email=staff.email, password=PASSWORD)
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
