"""``manage.py export_proposals --call SLUG [--out FILE]``: drafts and submitted proposals as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oglabs.calls.models import Call
from oglabs.proposals.exchange import export_proposals
from oglabs.proposals.exchange.export import exportable_proposals
from oglabs.proposals.models import Proposal


class Command(BaseCommand):
    help = "Exportiert die Interessenbekundungen eines Aufrufs (Entwürfe und eingereichte) als JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--call", required=True, help="Kurzbezeichnung (slug) des Aufrufs")
        parser.add_argument("--out", help="Zieldatei; ohne Angabe die Standardausgabe")

    def handle(self, *args: Any, **options: Any) -> None:
        call = Call.objects.filter(slug=options["call"]).first()
        if call is None:
            raise CommandError(f"Einen Aufruf „{options['call']}“ gibt es nicht.")
        proposals = exportable_proposals(call)
        document = export_proposals(call, proposals)
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        skipped = Proposal.objects.filter(call=call).count() - len(proposals)
        if options["out"]:
            Path(options["out"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"{len(proposals)} Interessenbekundungen nach {options['out']} exportiert.")
        else:
            self.stdout.write(text, ending="")
        if skipped:
            self.stderr.write(
                f"{skipped} Interessenbekundungen in einem späteren Status (geprüft, zurückgezogen …) "
                "wurden nicht exportiert: Das Format (Version 1) kennt nur Entwurf und eingereicht."
            )
