"""``manage.py demo_logins``: how to log in as each demo role (German and English)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from oglabs.accounts.models import Role
from oglabs.demo.loading import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS, seconds_left, totp_code

_ROLE_NAMES = {
    Role.APPLICANT: ("Antragstellende Kommune", "applicant (municipality)"),
    Role.STAFF: ("Programmteam", "programme staff"),
    Role.JUROR: ("Jury", "juror"),
    Role.ADMIN: ("Administration", "administrator"),
}


class Command(BaseCommand):
    help = "Zeigt die Demo-Anmeldedaten. / Prints the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        with override("de"):
            login_url = settings.SITE_URL.rstrip("/") + reverse("account_login")
        code = totp_code(DEMO_TOTP_SECRET, now)
        write = self.stdout.write
        write("Demo-Anmeldung / Demo logins")
        write("=" * 28)
        write(f"Anmeldung / Login: {login_url}")
        write(f"Passwort für alle / password for all: {DEMO_PASSWORD}")
        write("")
        for spec in DEMO_USERS:
            german, english = _ROLE_NAMES[spec.role]
            write(f"{german} / {english}")
            write(f"  E-Mail / e-mail:     {spec.email}")
            write(f"  Passwort / password: {DEMO_PASSWORD}")
            if spec.has_totp:
                write(f"  TOTP-Schlüssel / TOTP secret: {DEMO_TOTP_SECRET}")
                write(
                    f"  aktueller Code / current code: {code} "
                    f"(noch {seconds_left(now)} s gültig / valid for {seconds_left(now)} s)"
                )
            write("")
        write(
            "Kommunen des Aufrufs 2019 (je eine eingereichte Interessenbekundung, nach load_places) / "
            "municipalities of the 2019 call: kommune01@demo.oglabs.de … kommune06@demo.oglabs.de, "
            "Passwort wie oben / same password"
        )
        write("")
        write(
            "Zweiter Faktor: den Schlüssel in eine Authenticator-App eintragen oder "
            "`python manage.py demo_totp` gibt einen frischen Code aus."
        )
        write(
            "Second factor: add the secret to an authenticator app, or "
            "`python manage.py demo_totp` prints a fresh code."
        )
