"""allauth's pages in the site frame: errors are listed on top and tied to their inputs."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_signup_invalid_email_error_is_described_by_input(client: Client) -> None:
    response = client.post(
        reverse("account_signup"),
        {"email": "keine-adresse", "password1": "korrekt-Pferd-Batterie-42", "password2": "x"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    email_input = re.search(r'<input[^>]*name="email"[^>]*>', html)
    assert email_input is not None
    assert 'aria-invalid="true"' in email_input.group(0)
    assert 'aria-describedby="id_email_error"' in email_input.group(0)
    assert 'id="id_email_error"' in html
    assert 'role="alert"' in html
    assert "data-og-error-summary" in html
    assert '<a href="#id_email">' in html


@pytest.mark.django_db
def test_login_wrong_password_shows_error_summary(client: Client) -> None:
    response = client.post(
        reverse("account_login"), {"login": "niemand@example.org", "password": "falsch-falsch-falsch"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert 'class="kern-alert kern-alert--danger og-error-summary"' in html


@pytest.mark.django_db
def test_login_page_uses_kern_fields(client: Client) -> None:
    html = client.get(reverse("account_login")).content.decode()

    assert re.search(r'<label class="kern-label" for="id_login">', html)
    assert re.search(r'<input[^>]*name="login"[^>]*class="kern-form-input__input"', html)
    assert 'class="kern-btn kern-btn--primary"' in html
