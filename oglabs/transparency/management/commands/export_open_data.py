"""``manage.py export_open_data --call SLUG --out DIR``: the open data of a published decision.

Writes the CSV and JSON files, the 360Giving grants, the DCAT-AP.de catalogue, the stand-alone
``verify_decision.py``, a README, ``manifest.json`` and ``SHA256SUMS`` (see docs/open-data.md).
Only for a published decision; ``--allow-unpublished`` (staff tests) exports an unpublished one
without any reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oglabs.calls.models import Call
from oglabs.transparency.opendata import NotPublished, write_export


class Command(BaseCommand):
    help = "Schreibt die offenen Daten einer veröffentlichten Förderentscheidung in ein Verzeichnis."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--call", required=True, help="Kurzbezeichnung (slug) des Aufrufs")
        parser.add_argument("--out", required=True, type=Path, help="Zielverzeichnis")
        parser.add_argument(
            "--allow-unpublished",
            action="store_true",
            help="auch eine nicht veröffentlichte Entscheidung exportieren (zum Testen; ohne Begründungen)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            call = Call.objects.get(slug=options["call"])
        except Call.DoesNotExist:
            raise CommandError(f"Kein Aufruf mit der Kurzbezeichnung „{options['call']}“.") from None
        try:
            export = write_export(call, options["out"], allow_unpublished=options["allow_unpublished"])
        except NotPublished as error:
            raise CommandError(str(error)) from None
        note = "" if export.published else " (nicht veröffentlicht: ohne Begründungen)"
        self.stdout.write(
            f"{len(export.files) + 1} Dateien in {export.directory}{note}: {export.proposals} "
            f"Interessenbekundungen, {export.reviews} Gutachten, {export.grants} Förderungen."
        )
