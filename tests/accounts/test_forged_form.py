"""A forged form (no or wrong CSRF token) is refused in German and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from oglabs.accounts.models import User
from tests.factories.accounts import PASSWORD


@pytest.mark.django_db
def test_forged_signup_is_refused_in_german_and_creates_nothing():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("account_signup"),
        {"email": "neu@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 403
    assert "Das Formular konnte nicht angenommen werden" in response.content.decode()
    assert "Es wurde nichts gespeichert oder geändert." in response.content.decode()
    assert not User.objects.filter(email="neu@example.org").exists()
