"""``manage.py demo_totp [email]``: the current TOTP code of the demo accounts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from oglabs.accounts.models import User
from oglabs.demo.loading import DEMO_USERS, demo_totp_secret, seconds_left, totp_code


class Command(BaseCommand):
    help = "Zeigt den aktuellen TOTP-Code der Demo-Konten. / Prints the current TOTP code of demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", nargs="?", help="nur dieses Demo-Konto / only this demo account")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["email"]:
            emails = [options["email"].strip().lower()]
        else:
            emails = [spec.email for spec in DEMO_USERS if spec.has_totp]
        for email in emails:
            user = User.objects.filter(email=email).first()
            secret = demo_totp_secret(user) if user is not None else None
            if secret is None:
                raise CommandError(
                    f"{email}: kein Demo-Konto mit Demo-TOTP (zuerst python manage.py load_demo). "
                    f"/ not a demo account with the demo TOTP secret."
                )
            self.stdout.write(
                f"{email}: {totp_code(secret, now)} "
                f"(noch {seconds_left(now)} s gültig / valid for {seconds_left(now)} s)"
            )
