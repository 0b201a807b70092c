"""``manage.py run_selection``: prints the result with explanations and the greedy comparison;
stores a run only with --save."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from oglabs.audit.models import AuditEvent
from oglabs.selection import services
from oglabs.selection.models import SelectionRun
from tests.factories.accounts import JurorFactory, StaffFactory
from tests.factories.proposals import NOW
from tests.selection.competition import competition, spec

pytestmark = pytest.mark.django_db

# Budget 300k. Greedy takes A (90, 200k); B (150k) and C (140k) no longer fit, D (50k) does: 120
# points. The optimum is B + C: 155 points for 290k.
SPECS = [
    spec("A", 90, 200000),
    spec("B", 80, 150000, state="13", rural=False),
    spec("C", 75, 140000, state="14"),
    spec("D", 30, 50000),
]


def _call(*args: str) -> str:
    out = StringIO()
    call_command("run_selection", *args, stdout=out)
    return out.getvalue()


def test_command_prints_the_result_and_stores_nothing_without_save():
    call, (a, b, _c, _d) = competition(SPECS)
    events = AuditEvent.objects.count()
    out = _call("--call", call.slug, "--budget", "300000")
    lines = out.splitlines()
    assert lines[0] == f"Auswahl für „{call.title}“ ({call.slug})"
    assert lines[1] == (
        "Regeln: Budget 300.000,00 €; Höchstzahl der Labore 16; Höchstzahl je Land –; "
        "Mindestanteil ländlicher Labore –; Mindestpunktzahl –; Teilförderung bis hinunter zu –"
    )
    assert lines[3].startswith("Status: optimal; Optimalität bewiesen: ja; eindeutig: ja; Löser: HiGHS ")
    # Optimum: B + C (155 points, 290k) beats greedy's A + D (120 points).
    assert "Ausgewählt: 2 Labore, 290.000,00 €, Gesamtpunktzahl 155" in out
    assert (
        f"  1. {b.reference}  Labor B (Mecklenburg-Vorpommern); Punkte 80; beantragt 150.000,00 €; "
        "bewilligt 150.000,00 €" in out
    )
    assert "Nachrückliste: 2" in out
    assert f"  1. {a.reference}  Labor A (Brandenburg, ländlich); Punkte 90; beantragt 200.000,00 €" in out
    assert "Für eine Auswahl wäre eine Punktzahl von mindestens" in out
    assert (
        "Zum Vergleich CONSULs Greedy-Regel (nach Punkten, nehmen was passt): 2 Labore, 250.000,00 €, "
        "Gesamtpunktzahl 120; das Optimum liegt 35 Punkte darüber." in out
    )
    assert f"   nur im Optimum: {b.reference}  Labor B" in out
    assert f"   nur bei Greedy: {a.reference}  Labor A" in out
    assert out.endswith("Nicht gespeichert (mit --save --actor E-MAIL wird der Lauf gespeichert).\n")
    assert SelectionRun.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_command_with_save_stores_a_run_in_the_actors_name():
    call, _ = competition(SPECS)
    staff = StaffFactory()
    out = _call(
        "--call",
        call.slug,
        "--budget",
        "300000",
        "--max-per-state",
        "1",
        "--rural-min-share",
        "50",
        "--label",
        "Kommandozeile",
        "--save",
        "--actor",
        staff.email,
        "--now",
        (NOW + dt.timedelta(days=1)).isoformat(),
    )
    run = SelectionRun.objects.get()
    assert (run.number, run.label, run.created_by, run.parameters["min_rural_share"]) == (
        1,
        "Kommandozeile",
        staff,
        "0.5",
    )
    assert out.endswith("Gespeichert als Lauf 1.\n")
    assert "Mindestanteil ländlicher Labore 50 %" in out
    assert AuditEvent.objects.filter(action="selection.run_created").count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--call", "gibt-es-nicht"], "Einen Aufruf „gibt-es-nicht“ gibt es nicht."),
        (["--budget", "-5"], "Das Budget muss ein Betrag von mindestens 0 €"),
        (["--rural-min-share", "viel"], "--rural-min-share: „viel“ ist keine Zahl"),
        (["--save"], "Zum Speichern (--save) bitte mit --actor"),
        (
            ["--save", "--actor", "jury@example.org"],
            "„jury@example.org“ ist kein aktives Konto des Programmteams.",
        ),
    ],
)
def test_command_refusals_are_german_and_store_nothing(args, message):
    call, _ = competition(SPECS)
    JurorFactory(email="jury@example.org")
    arguments = args if args[:1] == ["--call"] else ["--call", call.slug, *args]
    with pytest.raises(CommandError) as refused:
        _call(*arguments)
    assert message in str(refused.value)
    assert SelectionRun.objects.count() == 0


def test_command_on_a_decided_call_prints_the_decided_run():
    call, proposals = competition(SPECS)
    run = services.run_selection(call, budget=Decimal("300000"), max_labs=16, actor=StaffFactory(), now=NOW)
    services.decide(run, reasons={p.pk: "Begründung." for p in proposals}, actor=StaffFactory(), now=NOW)
    out = _call("--call", call.slug)
    assert out.startswith(
        "Für diesen Aufruf ist am 15.10.2019, 10:00:00 Uhr entschieden, auf Grundlage von Lauf 1:\n"
    )
    assert "Ausgewählt: 2 Labore, 290.000,00 €, Gesamtpunktzahl 155" in out
    with pytest.raises(CommandError) as refused:
        _call("--call", call.slug, "--save", "--actor", StaffFactory().email)
    assert "bereits getroffen" in str(refused.value)
    assert SelectionRun.objects.count() == 1
