"""``manage.py assign_jurors --call SLUG [--actor EMAIL]``: place the missing reviews of a call.

Runs ``reviews.services.assign_reviews`` (existing reviews are kept) as the given staff member,
by default the first staff member or admin by id. Prints per proposal its jurors with the fit,
then per juror the load; an impossible request prints the explanation and exits with code 1.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from oglabs.accounts.models import Role, User
from oglabs.accounts.rules import is_staff_member
from oglabs.calls.models import Call
from oglabs.reviews import queries, services
from oglabs.reviews.exceptions import AssignmentImpossible, ReviewError
from oglabs.reviews.fit import SCALE


def _fit(value: int) -> str:
    return f"{value / SCALE:.3f}".replace(".", ",")


class Command(BaseCommand):
    help = "Ordnet den Interessenbekundungen im Teilnahmewettbewerb die fehlenden Gutachten zu."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--call", required=True, help="Kurzbezeichnung (slug) des Aufrufs")
        parser.add_argument("--actor", help="E-Mail-Adresse des handelnden Mitglieds des Programmteams")

    def _actor(self, email: str | None) -> User:
        if email:
            actor = User.objects.filter(email=email.strip().lower()).order_by("pk").first()
            if actor is None or not is_staff_member(actor):
                raise CommandError(f"„{email}“ ist kein aktives Mitglied des Programmteams.")
            return actor
        actor = User.objects.filter(role__in=[Role.STAFF, Role.ADMIN], is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError(
                "Es gibt kein aktives Mitglied des Programmteams, das die Zuordnung vornehmen kann."
            )
        return actor

    def handle(self, *args: Any, **options: Any) -> None:
        call = Call.objects.filter(slug=options["call"]).order_by("pk").first()
        if call is None:
            raise CommandError(f"Einen Aufruf „{options['call']}“ gibt es nicht.")
        actor = self._actor(options.get("actor"))
        try:
            outcome = services.assign_reviews(call, actor=actor, now=timezone.now())
        except AssignmentImpossible as error:
            self.stderr.write("Die Zuordnung ist so nicht möglich:")
            for message in error.messages:
                self.stderr.write(f"- {message}")
            raise CommandError("Keine Gutachten zugeordnet.", returncode=1) from None
        except ReviewError as error:
            raise CommandError(str(error), returncode=1) from None
        created = {review.pk for review in outcome.created}
        self.stdout.write(f"Aufruf: {call.title} ({call.slug})")
        self.stdout.write(outcome.summary)
        if outcome.detected:
            self.stdout.write(f"Vorab automatisch erkannte Befangenheiten: {outcome.detected}")
        self.stdout.write("")
        self.stdout.write("Gutachten je Interessenbekundung (Passung 0 bis 1):")
        for row in queries.assignment_overview(call):
            self.stdout.write(f"{row.proposal.reference} {row.proposal.title}")
            for review in row.reviews:
                mark = "neu" if review.pk in created else "bestehend"
                self.stdout.write(
                    f"  - {review.juror.user.email} ({review.juror.organisation}): Passung {_fit(review.fit)}, {mark}"
                )
        self.stdout.write("")
        self.stdout.write("Auslastung je Jurymitglied:")
        for juror in queries.jurors_for_call(call):
            load = outcome.loads.get(juror.pk, 0)
            note = "" if juror.conflicts_declared_at is not None else " (Befangenheiten nicht erklärt)"
            self.stdout.write(f"  {juror.user.email}: {load}{note}")
