"""The exchange format: export, all-or-nothing import with errors per record and field, round trip."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from jsonschema import Draft202012Validator

from oglabs.audit.models import AuditEvent
from oglabs.calls.models import Call
from oglabs.proposals import queries, services
from oglabs.proposals.exchange import export_proposals, import_proposals, load_schema
from oglabs.proposals.exchange.export import exportable_proposals
from oglabs.proposals.exchange.format import SCHEMA_PATH
from oglabs.proposals.hashing import version_hash
from oglabs.proposals.models import (
    BudgetLine,
    ConsortiumMember,
    CostCategory,
    LabTask,
    MemberRole,
    Partner,
    PartnerKind,
    Proposal,
    ProposalVersion,
)
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.proposals import BERLIN, NOW, CallFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=20)  # the import runs after the deadline
FALKENSEE = "120630080080"
NAUEN = "120630000208"


@pytest.fixture
def call() -> Call:
    call = CallFactory(slug="aufruf-2019")
    MunicipalityFactory(ars=FALKENSEE, name="Falkensee", kind="stadt")
    MunicipalityFactory(ars=NAUEN, name="Nauen", kind="stadt")
    return call


def _record(**overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "reference": "OGL-2019-0001",
        "title": "Offenes Havelland",
        "state": "submitted",
        "submitted_at": "2019-10-30T14:05:00+01:00",
        "lead_municipality": FALKENSEE,
        "further_municipalities": [NAUEN],
        "region": "Ländlicher Raum westlich von Berlin.",
        "challenges": ["digitalisierung", "strukturwandel"],
        "lab_form": "both",
        "moderation": "Eine neutrale Moderation und ein Schlichtungsverfahren.",
        "partners": [
            {
                "kind": "civil_society",
                "name": "Bürgerverein Havelland e. V.",
                "role_in_lab": "Beteiligung",
                "cooperation_exists": True,
                "contact_email": "vorstand@buergerverein.example",
            },
            {
                "kind": "science",
                "name": "Fachhochschule Potsdam",
                "role_in_lab": "Evaluation",
                "cooperation_exists": False,
                "contact_email": "",
            },
        ],
        "tasks": [
            {
                "title": "Beteiligungsplattform",
                "description": "Eine Plattform für alle Gemeinden.",
                "indicator": "Beteiligte Personen",
                "target_value": "500",
                "due_on": "2021-06-30",
                "verification": "Auswertung der Plattform",
            }
        ],
        "budget": [
            {"year": 2020, "category": "events", "amount": "12500.25"},
            {"year": 2020, "category": "staff", "amount": "40000.00"},
        ],
        "own_contribution": "10000.00",
        "state_contribution": "0.00",
        "contacts": [],
    }
    record.update(overrides)
    return record


def _document(*records: dict[str, Any], call: str = "aufruf-2019") -> dict[str, Any]:
    return {"format": "oglabs-proposals", "version": 1, "call": call, "proposals": list(records)}


def _row_counts() -> dict[str, int]:
    models = (Proposal, Partner, LabTask, BudgetLine, AuditEvent, ProposalVersion, ConsortiumMember)
    return {model.__name__: model.objects.count() for model in models}


# --- a good file -------------------------------------------------------------------------------


def test_import_good_file_creates_proposals_with_frozen_version_and_one_event(call: Call) -> None:
    staff = StaffFactory()
    lead = UserFactory(email="buergermeisterin@falkensee.example")
    draft = _record(
        reference="OGL-2019-0002",
        title="Netzwerk Nauen",
        state="draft",
        submitted_at=None,
        partners=[],
        tasks=[],
        budget=[],
        lab_form="",
    )
    submitted = _record(contacts=["Buergermeisterin@Falkensee.example", "niemand@example.org"])

    report = import_proposals(_document(submitted, draft), call=call, actor=staff, now=LATER)

    assert report.errors == []
    assert [(item.record, item.reference, item.state) for item in report.imported] == [
        (1, "OGL-2019-0001", "submitted"),
        (2, "OGL-2019-0002", "draft"),
    ]
    assert [(item.record, item.email) for item in report.unlinked_contacts] == [(1, "niemand@example.org")]
    proposal = queries.proposals_of_call(call).get(reference="OGL-2019-0001")
    assert proposal.state == "submitted"
    assert proposal.submitted_at == dt.datetime(2019, 10, 30, 14, 5, tzinfo=BERLIN)
    assert proposal.lead_municipality_id == FALKENSEE
    assert [item.municipality_id for item in proposal.further_municipalities.all()] == [NAUEN]
    assert sorted(c.key for c in proposal.challenges.all()) == ["digitalisierung", "strukturwandel"]
    assert [(p.kind, p.name, p.cooperation_exists) for p in proposal.partners.all()] == [
        ("civil_society", "Bürgerverein Havelland e. V.", True),
        ("science", "Fachhochschule Potsdam", False),
    ]
    assert [(t.title, t.due_on) for t in proposal.tasks.all()] == [
        ("Beteiligungsplattform", dt.date(2021, 6, 30))
    ]
    assert [(b.year, b.category, b.amount) for b in proposal.budget_lines.all()] == [
        (2020, "events", Decimal("12500.25")),
        (2020, "staff", Decimal("40000.00")),
    ]
    assert proposal.own_contribution == Decimal("10000.00")
    assert list(proposal.members.values_list("user__email", "role")) == [(lead.email, MemberRole.LEAD)]
    version = proposal.versions.get()
    assert (version.number, version.kind, version.created_at, version.created_by) == (
        1,
        "submitted",
        proposal.submitted_at,
        staff,
    )
    assert version.sha256 == version_hash(version.content)
    assert version.content["public"]["reference"] == "OGL-2019-0001"
    assert report.imported[0].sha256 == version.sha256
    events = list(AuditEvent.objects.order_by("sequence").values_list("action", "target_id", "actor_id"))
    draft_pk = Proposal.objects.get(reference="OGL-2019-0002").pk
    assert events == [
        ("proposal.imported", str(proposal.pk), staff.pk),
        ("proposal.imported", str(draft_pk), staff.pk),
    ]
    assert Proposal.objects.get(pk=draft_pk).versions.count() == 0


def test_import_assigns_a_free_reference_and_resolves_ags_and_kreis_keys(call: Call) -> None:
    kreis = MunicipalityFactory(ars="12063", ags="", name="Havelland", kind="landkreis")
    record = _record(lead_municipality="12063080", further_municipalities=["12063"])
    del record["reference"]

    report = import_proposals(_document(record), call=call, actor=None, now=LATER)

    assert report.errors == []
    proposal = Proposal.objects.get()
    assert proposal.reference == "OGL-2019-0001"
    assert proposal.lead_municipality_id == FALKENSEE
    assert [item.municipality_id for item in proposal.further_municipalities.all()] == [kreis.ars]
    assert AuditEvent.objects.get().actor_label == "System"


def test_import_dry_run_checks_everything_and_writes_nothing(call: Call) -> None:
    before = _row_counts()

    report = import_proposals(_document(_record()), call=call, actor=None, now=LATER, dry_run=True)

    assert (report.ok, report.saved, [item.reference for item in report.imported]) == (
        True,
        False,
        ["OGL-2019-0001"],
    )
    assert _row_counts() == before


# --- a bad file ----------------------------------------------------------------------------------


def test_import_bad_file_is_refused_completely_and_names_each_error(call: Call) -> None:
    import_proposals(_document(_record(reference="OGL-2019-0100")), call=call, actor=None, now=LATER)
    before = _row_counts()
    schema_error = _record(
        reference="OGL-2019-0001", budget=[{"year": 2020, "category": "staff", "amount": 1200.5}]
    )
    unknown_key = _record(reference="OGL-2019-0002", further_municipalities=["120639999999"])
    late_task = _record(reference="OGL-2019-0003")
    late_task["tasks"][0]["due_on"] = "2023-03-01"
    three_decimals = _record(
        reference="OGL-2019-0004", budget=[{"year": 2021, "category": "fees", "amount": "100.005"}]
    )
    no_civil_society = _record(
        reference="OGL-2019-0005", partners=[{"kind": "science", "name": "Fachhochschule Potsdam"}]
    )
    good = _record(reference="OGL-2019-0006")

    report = import_proposals(
        _document(schema_error, unknown_key, late_task, three_decimals, no_civil_society, good),
        call=call,
        actor=None,
        now=LATER,
    )

    assert [(e.record, e.reference, e.field, e.message) for e in report.errors] == [
        (1, "OGL-2019-0001", "budget.1.amount", "Erwartet wird ein Text."),
        (2, "OGL-2019-0002", "further_municipalities.1", "Unbekannter Gemeindeschlüssel: 120639999999"),
        (
            3,
            "OGL-2019-0003",
            "tasks.1",
            "Der Termin muss im Förderzeitraum liegen (01.01.2020 bis 31.12.2022).",
        ),
        (4, "OGL-2019-0004", "budget.1", "Beträge werden auf den Cent genau angegeben."),
        (
            5,
            "OGL-2019-0005",
            "partners",
            "Es sind 0 zivilgesellschaftliche(r) Partner angegeben; erforderlich sind mindestens 1.",
        ),
    ]
    assert (report.ok, report.saved, report.imported) == (False, False, [])
    assert _row_counts() == before


def test_import_refuses_schema_errors_in_german_with_field_paths(call: Call) -> None:
    record = _record(state="eingereicht", submitted_at=None, lab_form="Ort", extra="x")
    del record["title"]
    record["partners"][0]["kind"] = "verein"
    record["tasks"][0]["due_on"] = "30.06.2021"
    record["lead_municipality"] = "1206308"

    report = import_proposals(_document(record), call=call, actor=None, now=LATER)

    assert sorted((e.record, e.field, e.message) for e in report.errors) == [
        (1, "extra", "Dieses Feld ist im Format nicht vorgesehen."),
        (1, "lab_form", "Unzulässiger Wert „Ort“; erlaubt: „“, „place“, „network“, „both“."),
        (
            1,
            "lead_municipality",
            "Erwartet wird ein Gemeindeschlüssel aus 12 (ARS), 8 (AGS) oder 5 (Kreis) Ziffern.",
        ),
        (
            1,
            "partners.1.kind",
            "Unzulässiger Wert „verein“; erlaubt: „civil_society“, „science“, „arts“, „business“, „other“.",
        ),
        (1, "state", "Unzulässiger Wert „eingereicht“; erlaubt: „draft“, „submitted“."),
        (1, "tasks.1.due_on", "Erwartet wird ein Datum der Form JJJJ-MM-TT."),
        (1, "title", "Diese Angabe fehlt."),
    ]
    assert Proposal.objects.count() == 0


def test_import_refuses_another_call_and_a_taken_reference(call: Call) -> None:
    other = import_proposals(_document(_record(), call="aufruf-2020"), call=call, actor=None, now=LATER)
    assert [(e.record, e.field, e.message) for e in other.errors] == [
        (None, "call", "Die Datei gehört zum Aufruf „aufruf-2020“, importiert wird in „aufruf-2019“.")
    ]
    assert import_proposals(_document(_record()), call=call, actor=None, now=LATER).ok

    again = import_proposals(_document(_record()), call=call, actor=None, now=LATER)

    assert [(e.record, e.field, e.message) for e in again.errors] == [
        (1, "reference", "Die Kennung „OGL-2019-0001“ ist bereits vergeben.")
    ]
    assert Proposal.objects.count() == 1


def test_import_refuses_a_submission_instant_outside_the_window_or_in_the_future(call: Call) -> None:
    late = _record(reference="OGL-2019-0001", submitted_at="2019-11-01T00:00:00+01:00")
    future = _record(reference="OGL-2019-0002", submitted_at="2019-10-31T12:00:00+01:00")
    missing = _record(reference="OGL-2019-0003")
    del missing["submitted_at"]

    report = import_proposals(_document(late, future, missing), call=call, actor=None, now=NOW)

    assert [(e.record, e.field, e.message) for e in report.errors] == [
        (
            1,
            "submitted_at",
            "Der Eingangszeitpunkt liegt in der Zukunft.",
        ),
        (
            1,
            "submitted_at",
            "Der Eingangszeitpunkt liegt außerhalb der Einreichungsfrist "
            "(15.09.2019, 10:00 Uhr bis 31.10.2019, 23:59:59 Uhr, Berliner Zeit).",
        ),
        (2, "submitted_at", "Der Eingangszeitpunkt liegt in der Zukunft."),
        (3, "submitted_at", "Diese Angabe fehlt."),
    ]


# --- the round trip ------------------------------------------------------------------------------


def _applicant_proposals(call: Call) -> None:
    """One proposal submitted through the applicant's services, one draft started there."""
    lead, colleague = UserFactory(email="lead@falkensee.example"), UserFactory(email="kollege@nauen.example")
    proposal = services.start_proposal(
        call=call, actor=lead, title="Offenes Havelland", lead_municipality=None, now=NOW
    )
    record = _record()
    tasks = [{**task, "due_on": dt.date.fromisoformat(task["due_on"])} for task in record["tasks"]]
    general = {name: record[name] for name in ("title", "region", "lab_form", "moderation", "challenges")}
    sections: list[tuple[str, Any]] = [
        ("general", {**general, "own_contribution": "10000.00", "state_contribution": "2500.50"}),
        ("municipalities", {"lead": FALKENSEE, "further": [NAUEN]}),
        ("partners", record["partners"]),
        ("tasks", tasks),
        ("budget", record["budget"]),
    ]
    for section, data in sections:
        proposal = services.save_section(
            proposal, section=section, data=data, expected_version=proposal.lock_version, actor=lead, now=NOW
        )
    _invitation, token = services.invite_member(proposal, email=colleague.email, actor=lead, now=NOW)
    services.accept_invitation(token=token, actor=colleague, now=NOW + dt.timedelta(minutes=1))
    services.submit_proposal(proposal, actor=lead, now=NOW + dt.timedelta(hours=1, microseconds=250))
    services.start_proposal(
        call=call, actor=colleague, title="Nur ein Entwurf", lead_municipality=None, now=NOW
    )


def test_round_trip_export_import_export_is_identical(call: Call) -> None:
    _applicant_proposals(call)
    first = export_proposals(call, exportable_proposals(call))
    original_hash = ProposalVersion.objects.get().sha256
    Proposal.objects.filter(call=call).delete()

    report = import_proposals(copy.deepcopy(first), call=call, actor=None, now=LATER)
    second = export_proposals(call, exportable_proposals(call))

    assert report.errors == [] and report.unlinked_contacts == []
    assert second == first
    assert ProposalVersion.objects.get().sha256 == original_hash
    assert [record["reference"] for record in first["proposals"]] == ["OGL-2019-0001", "OGL-2019-0002"]
    assert first["proposals"][0]["submitted_at"] == "2019-10-15T11:00:00.000250+02:00"
    assert first["proposals"][0]["contacts"] == ["lead@falkensee.example", "kollege@nauen.example"]
    assert first["proposals"][0]["budget"][0] == {"year": 2020, "category": "events", "amount": "12500.25"}
    assert Draft202012Validator(load_schema()).is_valid(first)


# --- the commands --------------------------------------------------------------------------------


def test_import_command_prints_german_report_and_imports(call: Call, tmp_path: Path) -> None:
    UserFactory(email="lead@falkensee.example")
    path = tmp_path / "eingang.json"
    document = _document(_record(contacts=["lead@falkensee.example", "extern@example.org"]))
    path.write_text(json.dumps(document), encoding="utf-8")
    out = StringIO()

    call_command("import_proposals", str(path), "--call", "aufruf-2019", stdout=out)

    sha = ProposalVersion.objects.get().sha256
    assert out.getvalue() == (
        "Import in den Aufruf „aufruf-2019“: 1 Datensätze gelesen.\n"
        "1 Interessenbekundungen importiert:\n"
        f"  Datensatz 1: OGL-2019-0001 „Offenes Havelland“ (eingereicht, Version 1, SHA-256 {sha})\n"
        "Kontakte ohne Benutzerkonto (nicht verknüpft, kein Konto angelegt):\n"
        "  Datensatz 1 (OGL-2019-0001): extern@example.org\n"
    )


def test_import_command_exits_with_1_and_imports_nothing_on_an_error(call: Call, tmp_path: Path) -> None:
    path = tmp_path / "eingang.json"
    path.write_text(
        json.dumps(_document(_record(), _record(reference="X", lead_municipality="099999999999")))
    )
    before = _row_counts()
    err = StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("import_proposals", str(path), "--call", "aufruf-2019", stderr=err)

    # ``manage.py`` turns a CommandError into its message on stderr and this exit code.
    assert refused.value.returncode == 1
    assert str(refused.value) == "Import abgebrochen: Die Datei enthält Fehler; nichts wurde importiert."
    assert err.getvalue() == (
        "Import in den Aufruf „aufruf-2019“: 2 Datensätze gelesen.\n"
        "1 Fehler – nichts wurde importiert:\n"
        "  Datensatz 2 (X), Feld „lead_municipality“: Unbekannter Gemeindeschlüssel: 099999999999\n"
    )
    assert _row_counts() == before


def test_import_command_refuses_a_file_that_is_not_json(call: Call, tmp_path: Path) -> None:
    path = tmp_path / "eingang.json"
    path.write_text("{kaputt", encoding="utf-8")

    with pytest.raises(CommandError, match="ist kein gültiges JSON"):
        call_command("import_proposals", str(path), "--call", "aufruf-2019")


def test_import_command_dry_run_writes_nothing(call: Call, tmp_path: Path) -> None:
    path = tmp_path / "eingang.json"
    path.write_text(json.dumps(_document(_record())), encoding="utf-8")
    out = StringIO()

    call_command("import_proposals", str(path), "--call", "aufruf-2019", "--dry-run", stdout=out)

    assert "Probelauf: 1 Interessenbekundungen sind fehlerfrei; nichts wurde gespeichert." in out.getvalue()
    assert Proposal.objects.count() == 0


def test_export_command_writes_the_document(call: Call, tmp_path: Path) -> None:
    _applicant_proposals(call)
    path = tmp_path / "ausgang.json"
    out = StringIO()

    call_command("export_proposals", "--call", "aufruf-2019", "--out", str(path), stdout=out)

    assert out.getvalue() == f"2 Interessenbekundungen nach {path} exportiert.\n"
    assert json.loads(path.read_text(encoding="utf-8")) == export_proposals(call, exportable_proposals(call))


# --- the schema ----------------------------------------------------------------------------------


def test_schema_file_is_a_valid_draft_2020_12_schema() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))

    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_lists_the_same_choices_as_the_models() -> None:
    definitions = load_schema()["$defs"]

    assert definitions["partner"]["properties"]["kind"]["enum"] == list(PartnerKind.values)
    assert definitions["budget_line"]["properties"]["category"]["enum"] == list(CostCategory.values)


def test_documented_example_is_valid() -> None:
    text = (SCHEMA_PATH.parent.parent / "import-format.md").read_text(encoding="utf-8")
    example = json.loads(text.split("```json\n", 1)[1].split("```", 1)[0])

    assert list(Draft202012Validator(load_schema()).iter_errors(example)) == []
