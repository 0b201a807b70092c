"""``manage.py run_selection --call SLUG [rules] [--save --actor EMAIL]``: the selection of a call.

Prints the selected labs with their amounts, the waitlist, the explanation for every proposal not
selected, CONSUL's greedy result beside the optimum, the solver status and whether optimality is
proven. Without ``--save`` it computes and stores nothing; with ``--save`` it stores a run (as the
back office does) in the name of ``--actor`` (a staff account). Once the call is decided it prints
the run the decision was taken on.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from oglabs.accounts.models import User
from oglabs.accounts.rules import is_staff_member
from oglabs.calls.models import Call
from oglabs.proposals.formatting import format_instant
from oglabs.selection import queries, run_queries, services
from oglabs.selection.exceptions import SelectionRefused
from oglabs.selection.models import Outcome
from oglabs.selection.optimiser import Status, format_eur, format_number

STATUS_TEXT = {
    Status.OPTIMAL: "optimal",
    Status.NOT_PROVEN: "nicht bewiesen (Zeitgrenze erreicht)",
    Status.NO_ELIGIBLE: "keine berechtigte Interessenbekundung",
    Status.RURAL_SHARE_UNATTAINABLE: "Mindestanteil ländlicher Labore nicht erreichbar",
    Status.HEURISTIC: "Näherung",
}


def _eur(amount: Decimal) -> str:
    return format_eur(int(amount * 100))


def _percent(value: str | None, name: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value.replace(",", ".")) / 100
    except InvalidOperation:
        raise CommandError(f"{name}: „{value}“ ist keine Zahl (Prozent, z. B. 50).") from None


def _row(row: run_queries.RunRow) -> str:
    place = row.state_name + (", ländlich" if row.rural else "")
    return f"{row.reference}  {row.title} ({place}); Punkte {format_number(row.score)}; beantragt {_eur(row.requested)}"


def report(view: run_queries.RunView, call: Call) -> list[str]:
    """The run as German text lines."""
    result, greedy = view.result, view.greedy
    lines = [f"Auswahl für „{call.title}“ ({call.slug})"]
    lines.append(
        "Regeln: " + "; ".join(f"{label} {value}" for label, value in run_queries.describe_rules(view.rules))
    )
    lines.append(queries.TIE_BREAK_RULE)
    proven = "ja" if result.proven_optimal else "nein"
    unique = {
        True: "ja",
        False: "nein (Gleichstand, entschieden nach der veröffentlichten Reihenfolge)",
        None: "nicht geprüft",
    }
    lines.append(
        f"Status: {STATUS_TEXT.get(result.status, result.status)}; Optimalität bewiesen: {proven}; "
        f"eindeutig: {unique[result.unique]}; Löser: {result.solver}"
    )
    if result.message:
        lines.append(result.message)
    lines.append("")
    lines.append(
        f"Ausgewählt: {view.totals.count} Labore, {_eur(view.totals.total_granted)}, "
        f"Gesamtpunktzahl {format_number(view.totals.total_score)}"
    )
    for number, row in enumerate(view.selected, start=1):
        granted = f"bewilligt {_eur(row.granted)}"
        lines.append(f"{number:3d}. {_row(row)}; {granted}")
        if row.granted < row.requested and row.explanation:
            lines.append(f"     {row.explanation}")
    lines.append("")
    lines.append(f"Nachrückliste: {len(view.waitlist)}")
    for row in view.waitlist:
        lines.append(f"{row.waitlist_position:3d}. {_row(row)}")
        lines.append(f"     {row.explanation}")
    lines.append("")
    lines.append(f"Nicht ausgewählt: {len(view.not_selected)}")
    for row in view.not_selected:
        lines.append(f"   – {_row(row)}")
        lines.append(f"     {row.explanation}")
    lines.append("")
    lines.append(
        f"Zum Vergleich CONSULs Greedy-Regel (nach Punkten, nehmen was passt): {view.greedy_totals.count} Labore, "
        f"{_eur(greedy.total_granted)}, Gesamtpunktzahl {format_number(greedy.total_score)}; "
        f"das Optimum liegt {format_number(view.score_difference)} Punkte darüber."
    )
    for row in view.differs_from_greedy:
        if row.outcome == Outcome.SELECTED:
            lines.append(f"   nur im Optimum: {row.reference}  {row.title}")
        else:
            lines.append(f"   nur bei Greedy: {row.reference}  {row.title}")
    return lines


class Command(BaseCommand):
    help = (
        "Berechnet die Auswahl eines Aufrufs (exaktes Optimum und CONSULs Greedy-Regel) und gibt sie "
        "mit Begründungen aus; mit --save wird der Lauf gespeichert."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--call", required=True, help="Kurzbezeichnung (slug) des Aufrufs")
        parser.add_argument("--budget", help="Budget in Euro (Vorgabe: das Fördervolumen des Aufrufs)")
        parser.add_argument("--max-labs", type=int, help="Höchstzahl der Labore (Vorgabe: die des Aufrufs)")
        parser.add_argument("--max-per-state", type=int, help="Höchstzahl der Labore je Land")
        parser.add_argument("--rural-min-share", help="Mindestanteil ländlicher Labore in Prozent, z. B. 50")
        parser.add_argument("--min-score", help="Mindestpunktzahl")
        parser.add_argument(
            "--partial-min-share",
            help="Teilförderung erlaubt, bis hinunter zu diesem Anteil in Prozent, z. B. 80",
        )
        parser.add_argument("--label", default="", help="Bezeichnung des Laufs")
        parser.add_argument("--actor", help="E-Mail-Adresse des Kontos (Programmteam), für --save")
        parser.add_argument("--save", action="store_true", help="den Lauf speichern")
        parser.add_argument("--now", help="Zeitpunkt (ISO 8601) für den gespeicherten Lauf; Vorgabe: jetzt")

    def handle(self, *args: Any, **options: Any) -> None:
        call = Call.objects.filter(slug=options["call"]).first()
        if call is None:
            raise CommandError(f"Einen Aufruf „{options['call']}“ gibt es nicht.")
        parameters = {
            "budget": options["budget"] if options["budget"] is not None else call.budget,
            "max_labs": options["max_labs"] if options["max_labs"] is not None else call.max_labs,
            "max_per_state": options["max_per_state"],
            "rural_min_share": _percent(options["rural_min_share"], "--rural-min-share"),
            "min_score": options["min_score"],
            "partial_min_share": _percent(options["partial_min_share"], "--partial-min-share"),
        }
        decision = queries.decision_of(call)
        if decision is not None and not options["save"]:
            # Decided: the candidates have left the competition; show the run the decision took.
            self.stdout.write(
                f"Für diesen Aufruf ist am {format_instant(decision.decided_at)} entschieden, auf Grundlage "
                f"von Lauf {decision.run.number}:"
            )
            for line in report(queries.view_of(decision.run), call):
                self.stdout.write(line)
            return
        try:
            if options["save"]:
                actor = self._actor(options["actor"])
                now = datetime.fromisoformat(options["now"]) if options["now"] else timezone.now()
                run = services.run_selection(call, label=options["label"], actor=actor, now=now, **parameters)
                view = run_queries.view_of(run)
            else:
                computation = queries.compute_selection(call, queries.selection_rules(**parameters))
                if not computation.inputs.proposals:
                    raise CommandError("Keine Interessenbekundung dieses Aufrufs ist im Teilnahmewettbewerb.")
                view = queries.computation_view(call, computation)
        except SelectionRefused as error:
            raise CommandError(str(error)) from None
        for line in report(view, call):
            self.stdout.write(line)
        if options["save"]:
            self.stdout.write(f"\nGespeichert als Lauf {view.run.number}.")
        else:
            self.stdout.write("\nNicht gespeichert (mit --save --actor E-MAIL wird der Lauf gespeichert).")

    def _actor(self, email: str | None) -> User:
        if not email:
            raise CommandError(
                "Zum Speichern (--save) bitte mit --actor das Konto aus dem Programmteam angeben."
            )
        user = User.objects.filter(email__iexact=email).first()
        if user is None or not is_staff_member(user):
            raise CommandError(f"„{email}“ ist kein aktives Konto des Programmteams.")
        return user
