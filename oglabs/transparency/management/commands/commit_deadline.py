"""``manage.py commit_deadline``: seal a call's content at its deadline (the Merkle root).

    manage.py commit_deadline --call SLUG [--kind deadline|revision_deadline]
    manage.py commit_deadline --due [--schedule]

``--due`` seals every passed deadline that has no commitment yet (for cron); ``--schedule`` also
enqueues the background sweep for the next deadline (``make run`` does this for its worker).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from oglabs.calls.models import Call
from oglabs.calls.timeline import BERLIN, DEADLINE, REVISION_DEADLINE
from oglabs.transparency import services
from oglabs.transparency.exceptions import TransparencyError
from oglabs.transparency.models import DeadlineCommitment
from oglabs.transparency.tasks import schedule_next_sweep


class Command(BaseCommand):
    help = (
        "Berechnet das Fristsiegel (Merkle-Wurzel über alle eingereichten Fassungen) eines Aufrufs "
        "nach Ablauf der Frist. / Commits a call's submissions at its deadline."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--call", metavar="SLUG", help="Kurzbezeichnung des Aufrufs.")
        which.add_argument("--due", action="store_true", help="Alle abgelaufenen Fristen ohne Fristsiegel.")
        parser.add_argument("--kind", choices=[DEADLINE, REVISION_DEADLINE], default=DEADLINE)
        parser.add_argument(
            "--schedule", action="store_true", help="Die Hintergrundaufgabe für die nächste Frist einplanen."
        )

    def _line(self, commitment: DeadlineCommitment, slug: str) -> str:
        local = commitment.deadline_at.astimezone(BERLIN)
        return (
            f"{slug} {commitment.kind} {local:%d.%m.%Y %H:%M:%S} "
            f"{commitment.root} ({commitment.leaf_count} Fassungen)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        try:
            if options["call"]:
                call = Call.objects.filter(slug=options["call"]).first()
                if call is None:
                    raise CommandError(f"Aufruf nicht gefunden: {options['call']}")
                commitment = services.commit_deadline(call, kind=options["kind"], now=now)
                self.stdout.write(self._line(commitment, call.slug))
            else:
                made = services.commit_due_deadlines(now=now)
                slugs = dict(Call.objects.filter(pk__in={c.call_id for c in made}).values_list("pk", "slug"))
                for commitment in made:
                    self.stdout.write(self._line(commitment, slugs[commitment.call_id]))
                if not made:
                    self.stdout.write("Keine abgelaufene Frist ohne Fristsiegel.")
        except TransparencyError as error:
            raise CommandError(str(error)) from error
        if options["schedule"]:
            scheduled = schedule_next_sweep(now=now)
            if scheduled is not None:
                self.stdout.write(f"Nächste Prüfung nach {scheduled.astimezone(BERLIN):%d.%m.%Y %H:%M:%S}.")
