"""``manage.py assign_jurors``: per proposal the jurors with their fit, per juror the load; an
impossible request explained on stderr with exit code 1."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from oglabs.audit.models import AuditEvent
from oglabs.reviews.models import Review, ReviewSettings
from tests.factories.accounts import AdminFactory, JurorFactory, StaffFactory
from tests.factories.proposals import NOW, CallFactory
from tests.factories.reviews import ConflictFactory, JurySeatFactory, ReviewFactory
from tests.reviews.scenario import competing

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("assign_jurors", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_assign_jurors_prints_jurors_fit_and_loads():
    call = CallFactory(slug="ogl-2019", title="Regionale Open Government Labore")
    ReviewSettings.objects.create(call=call, reviews_per_proposal=1, max_load=2, updated_at=NOW)
    p1 = competing(call, reference="OGL-C-1", title="Mobilität im Dorf")
    competing(call, reference="OGL-C-2", title="Kultur am Markt")
    anna = JurySeatFactory(
        call=call,
        user=JurorFactory(email="anna@jury.example"),
        organisation="Städtetag",
        expertise="Mobilität",
    )
    ReviewFactory(juror=anna, proposal=p1, fit=1000)
    JurySeatFactory(
        call=call,
        user=JurorFactory(email="ben@jury.example"),
        organisation="Landkreistag",
        expertise="Kultur",
    )
    JurySeatFactory(call=call, user=JurorFactory(email="cem@jury.example"), conflicts_declared_at=None)
    AdminFactory()
    staff = StaffFactory(email="team@bmi.example")

    out, err = _run("--call", "ogl-2019", "--actor", "Team@BMI.example")

    assert err == ""
    assert out.splitlines() == [
        "Aufruf: Regionale Open Government Labore (ogl-2019)",
        "1 Gutachten neu zugeordnet, 1 bestehende beibehalten. 1 Jurymitglied hat seine Befangenheiten noch "
        "nicht erklärt und wurde nicht berücksichtigt: cem@jury.example.",
        "",
        "Gutachten je Interessenbekundung (Passung 0 bis 1):",
        "OGL-C-1 Mobilität im Dorf",
        "  - anna@jury.example (Städtetag): Passung 1,000, bestehend",
        "OGL-C-2 Kultur am Markt",
        "  - ben@jury.example (Landkreistag): Passung 1,000, neu",
        "",
        "Auslastung je Jurymitglied:",
        "  anna@jury.example: 1",
        "  ben@jury.example: 1",
        "  cem@jury.example: 0 (Befangenheiten nicht erklärt)",
    ]
    assert AuditEvent.objects.filter(action="reviews.reviews_assigned").get().actor_id == staff.pk


def test_assign_jurors_defaults_to_the_first_staff_member():
    call = CallFactory(slug="ogl-x")
    ReviewSettings.objects.create(call=call, reviews_per_proposal=1, updated_at=NOW)
    competing(call)
    JurySeatFactory(call=call)
    first = AdminFactory()
    StaffFactory()
    _run("--call", "ogl-x")
    assert AuditEvent.objects.filter(action="reviews.reviews_assigned").get().actor_id == first.pk


def test_assign_jurors_explains_an_impossible_request_and_exits_1():
    call = CallFactory(slug="ogl-eng")
    ReviewSettings.objects.create(call=call, reviews_per_proposal=2, max_load=5, updated_at=NOW)
    proposal = competing(call, reference="OGL-C-7")
    juror = JurySeatFactory(call=call)
    JurySeatFactory(call=call)
    ConflictFactory(juror=juror, proposal=proposal)
    StaffFactory()
    err = StringIO()

    with pytest.raises(CommandError) as error:
        call_command("assign_jurors", "--call", "ogl-eng", stdout=StringIO(), stderr=err)

    assert error.value.returncode == 1
    assert str(error.value) == "Keine Gutachten zugeordnet."
    assert err.getvalue().splitlines() == [
        "Die Zuordnung ist so nicht möglich:",
        "- Für die Interessenbekundung OGL-C-7 gibt es nur 1 nicht befangene Jurorinnen und Juroren mit freier "
        "Kapazität; benötigt werden noch 2, es fehlen 1.",
    ]
    assert not Review.objects.exists()


def test_assign_jurors_refuses_an_unknown_call_or_actor():
    CallFactory(slug="ogl-y")
    with pytest.raises(CommandError, match=re.escape("Einen Aufruf „nix“ gibt es nicht.")):
        _run("--call", "nix")
    juror = JurorFactory(email="j@jury.example")
    with pytest.raises(
        CommandError, match=re.escape("„j@jury.example“ ist kein aktives Mitglied des Programmteams.")
    ):
        _run("--call", "ogl-y", "--actor", juror.email)
    with pytest.raises(CommandError, match="Es gibt kein aktives Mitglied des Programmteams"):
        _run("--call", "ogl-y")
