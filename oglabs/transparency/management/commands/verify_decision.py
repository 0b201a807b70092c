"""``manage.py verify_decision DIR``: recompute a published decision from its export files.

The same check as the ``verify_decision.py`` in the export (it is that file): hashes, weighted
sums, aggregation, who takes part, the selection (HiGHS), ranks, amounts and the waitlist. Prints
"identisch / identical" and exits with 0, or names every difference and exits with 1 (2 when the
directory is not a readable export).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from oglabs.transparency.verify import ExportError, verify_export


class Command(BaseCommand):
    help = "Rechnet eine veröffentlichte Förderentscheidung aus ihren offenen Daten nach."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="Verzeichnis mit den offenen Daten")
        parser.add_argument(
            "--time-limit", type=float, default=60.0, help="Zeitgrenze je Optimierungslauf in Sekunden"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = verify_export(options["directory"], time_limit=options["time_limit"])
        except (ExportError, ValueError, KeyError, RuntimeError) as error:
            self.stderr.write(f"Fehler / error: {error}")
            sys.exit(2)
        for line in report.lines():
            self.stdout.write(line)
        if not report.identical:
            sys.exit(1)
