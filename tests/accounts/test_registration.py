"""Registration, password rules and login throttling through allauth's real views."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oglabs.accounts.models import Role, User
from tests.factories.accounts import PASSWORD, UserFactory


@pytest.mark.django_db
def test_signup_refuses_short_password_in_german(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "neu@example.org", "password1": "kurz-1234", "password2": "kurz-1234"},
    )
    assert response.status_code == 200
    assert (
        "Dieses Passwort ist zu kurz. Es muss mindestens 12 Zeichen enthalten." in response.content.decode()
    )
    assert not User.objects.filter(email="neu@example.org").exists()


@pytest.mark.django_db
def test_signup_refuses_common_password_in_german(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "neu@example.org", "password1": "password1234", "password2": "password1234"},
    )
    assert response.status_code == 200
    assert "Dieses Passwort ist zu üblich." in response.content.decode()
    assert not User.objects.filter(email="neu@example.org").exists()


@pytest.mark.django_db
def test_signup_creates_unverified_applicant(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "Neu@Example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="neu@example.org")
    assert user.role == Role.APPLICANT
    assert user.emailaddress_set.get().verified is False


@pytest.mark.django_db
def test_login_refused_until_email_verified(client):
    client.post(
        reverse("account_signup"),
        {"email": "neu@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    client.logout()
    response = client.post(reverse("account_login"), {"login": "neu@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(client):
    user = UserFactory()
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": "falsch-falsch-falsch"}
        )
        assert response.status_code == 200
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Zu viele gescheiterte Anmeldeversuche." in response.content.decode()
    assert "_auth_user_id" not in client.session
