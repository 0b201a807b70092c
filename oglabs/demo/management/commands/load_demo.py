"""``manage.py load_demo``: the historical 2019 call, an open demo copy and one user per role."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from oglabs.demo import content
from oglabs.demo.loading import load_demo

_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "testserver"})


def parse_now(value: str | None) -> datetime:
    if value is None:
        return timezone.now()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--now: not an ISO 8601 instant: {value!r}") from error
    if parsed.tzinfo is None:
        raise CommandError("--now needs a time zone offset, e.g. 2019-10-15T12:00:00+02:00")
    return parsed


class Command(BaseCommand):
    help = (
        "Lädt die Demo: den Aufruf von 2019 mit 36 Interessenbekundungen bis zur Förderentscheidung "
        "(formale Prüfung, Jury, Gutachten, Auswahl; braucht load_places), eine offene Kopie und je "
        "Rolle ein Demo-Konto. "
        "Mehrfach ausführbar. / Loads the demo (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="Zeitpunkt statt der aktuellen Uhrzeit (ISO 8601 mit Offset).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Auch laden, wenn OGLABS_SITE_URL nicht auf diesen Rechner zeigt (bekannte Passwörter!).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host = urlsplit(settings.SITE_URL).hostname or ""
        if host not in _LOCAL_HOSTS and not options["force"]:
            raise CommandError(
                f"Die Demo legt Konten mit bekannten Passwörtern an und wird nur lokal geladen "
                f"(OGLABS_SITE_URL={settings.SITE_URL}). Mit --force trotzdem laden."
            )
        now = parse_now(options["now"])
        result = load_demo(now=now)
        for call, status in result["calls"]:
            self.stdout.write(f"Aufruf {call.slug}: {status}")
        for user, status in result["users"]:
            self.stdout.write(f"Konto {user.email} ({user.role}): {status}")
        consortia = result["consortia"]
        line = f"Interessenbekundungen im Aufruf {content.HISTORICAL_SLUG}: {consortia}"
        if consortia.startswith("skipped"):
            self.stderr.write(self.style.WARNING(line))
        else:
            self.stdout.write(line)
        competition = result["competition"]
        line = f"Teilnahmewettbewerb im Aufruf {content.HISTORICAL_SLUG}: {competition}"
        if competition.startswith("skipped") and not consortia.startswith("skipped"):
            self.stderr.write(self.style.WARNING(line))
        else:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Demo geladen. Anmeldung: python manage.py demo_logins"))
