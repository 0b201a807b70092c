"""``manage.py load_places``: load Länder, Kreise and local authorities from the shipped reference data."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import ProtectedError

from oglabs.places.models import MunicipalityKind
from oglabs.places.reference import DATA_DIR, read_reference
from oglabs.places.services import load_reference_data


class Command(BaseCommand):
    help = (
        "Lädt Länder, Kreise und Kommunen (Gemeinden, Städte, Landkreise) aus dem Gemeindeverzeichnis "
        "(Destatis, Gebietsstand 31.12.2019). Mehrfach ausführbar: vorhandene Zeilen werden aktualisiert."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DATA_DIR,
            help="Verzeichnis mit den CSV-Dateien (Standard: oglabs/places/data).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            data = read_reference(options["data_dir"])
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"Referenzdaten nicht lesbar: {error}") from error
        try:
            result = load_reference_data(data)
        except ProtectedError as error:
            raise CommandError(
                "Eine nicht mehr vorhandene Kommune wird noch verwendet; nichts geändert."
            ) from error
        seconds = time.perf_counter() - started
        kinds = result.by_kind
        self.stdout.write(
            f"Länder: {result.states}, Kreise: {result.districts}, Kommunen: {result.municipalities} "
            f"(Städte: {kinds.get(MunicipalityKind.CITY, 0)}, "
            f"Gemeinden: {kinds.get(MunicipalityKind.MUNICIPALITY, 0)}, "
            f"Landkreise: {kinds.get(MunicipalityKind.COUNTY, 0)}); "
            f"geschrieben: {result.written}, entfernt: {result.removed}; {seconds:.1f} s"
        )
