"""``manage.py import_proposals FILE --call SLUG [--dry-run]``: all records of the file, or none."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from oglabs.calls.models import Call
from oglabs.proposals.exchange import format_report, import_proposals


class Command(BaseCommand):
    help = "Importiert Interessenbekundungen aus einer JSON-Datei (Format oglabs-proposals, Version 1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="JSON-Datei, siehe docs/import-format.md")
        parser.add_argument("--call", required=True, help="Kurzbezeichnung (slug) des Aufrufs")
        parser.add_argument("--dry-run", action="store_true", help="nur prüfen, nichts speichern")

    def handle(self, *args: Any, **options: Any) -> None:
        call = Call.objects.filter(slug=options["call"]).first()
        if call is None:
            raise CommandError(f"Einen Aufruf „{options['call']}“ gibt es nicht.")
        path = Path(options["file"])
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Die Datei {path} kann nicht gelesen werden: {error.strerror}.") from error
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"Die Datei {path} ist kein gültiges JSON (UTF-8): {error}.") from error
        report = import_proposals(
            document, call=call, actor=None, now=timezone.now(), dry_run=options["dry_run"]
        )
        text = format_report(report)
        if not report.ok:
            self.stderr.write(text, ending="")
            raise CommandError("Import abgebrochen: Die Datei enthält Fehler; nichts wurde importiert.")
        self.stdout.write(text, ending="")
