"""Import proposals from the exchange format: validate everything, then all or nothing.

Order of checks, all inside one transaction that is rolled back on any error (and always in a
dry run):

1. the JSON Schema (a record with schema errors is reported and not checked further);
2. the form's rules, by applying each section with ``services.apply_section`` — the very code
   the form saves through (titles, keys of places, challenges, partners, task dates inside the
   funding period, cent-precise non-negative amounts, budget years);
3. for submitted records whose content passed: the submission instant (not in the future, inside
   the call's submission window) and the call's eligibility rules
   (``eligibility.check_eligibility``), as ``submit_proposal`` checks them.

A created proposal starts in the state of its record (``draft`` or ``submitted``) — it is created,
not moved, so no transition is written; it leaves exactly one audit event ``proposal.imported``.
A submitted record gets a frozen version with its SHA-256 from ``services.freeze_version``, dated
at its ``submitted_at``. Contacts with an account become consortium members (the first one the
lead); the others are listed in the report, and no account is created.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction

from oglabs.accounts.models import User
from oglabs.audit.services import record_event
from oglabs.calls import timeline
from oglabs.calls.models import Call
from oglabs.places.queries import MunicipalityLookupError, get_municipality
from oglabs.proposals import queries
from oglabs.proposals.eligibility import check_eligibility
from oglabs.proposals.exchange.format import FORMAT, VERSION, parse_day, parse_instant, schema_errors
from oglabs.proposals.exchange.report import ImportedProposal, ImportIssue, ImportReport, UnlinkedContact
from oglabs.proposals.models import ConsortiumMember, MemberRole, Proposal, VersionKind
from oglabs.proposals.services import apply_section, freeze_version, next_reference
from oglabs.proposals.states import ProposalState

#: Where an unmet eligibility rule points in a record.
_FINDING_FIELDS = {
    "lead": "lead_municipality",
    "municipalities": "further_municipalities",
    "civil_society": "partners",
    "tasks": "tasks",
    "cost_estimate": "budget",
    "texts": "",
}


class _Record:
    """One record being imported: its number, its reference and the errors found in it."""

    def __init__(self, number: int, data: Mapping[str, Any], report: ImportReport) -> None:
        self.number = number
        self.data = data
        self.report = report
        given = data.get("reference")
        self.reference = given if isinstance(given, str) else ""
        self.failed = False

    def error(self, field: str, message: str) -> None:
        self.failed = True
        self.report.errors.append(ImportIssue(self.number, self.reference, field, message))


def _resolve_key(key: str) -> str:
    """The ARS for an official key; an unknown key is passed on unchanged for the form's rule."""
    try:
        return get_municipality(key).ars
    except MunicipalityLookupError:
        return key


def _municipality_field(message: str, lead: str | None, further: Sequence[str]) -> str:
    if lead and message.endswith(f": {lead}"):
        return "lead_municipality"
    for position, key in enumerate(further, 1):
        if message.endswith(f": {key}"):
            return f"further_municipalities.{position}"
    return "further_municipalities"


def _apply_content(record: _Record, proposal: Proposal) -> None:
    """Every section through the form's code path; errors mapped to the record's field paths."""
    data = record.data
    general = {
        name: data[name]
        for name in (
            "title",
            "region",
            "lab_form",
            "moderation",
            "challenges",
            "own_contribution",
            "state_contribution",
        )
        if name in data
    }
    for field, messages in apply_section(proposal, section="general", data=general).items():
        for message in messages:
            record.error(field, message)

    lead = data.get("lead_municipality")
    further = list(data.get("further_municipalities", []))
    keys = {
        "lead": _resolve_key(lead) if lead else None,
        "further": [_resolve_key(key) for key in further],
    }
    for field, messages in apply_section(proposal, section="municipalities", data=keys).items():
        for message in messages:
            where = "lead_municipality" if field == "lead" else _municipality_field(message, lead, further)
            record.error(where, message)

    for field, messages in apply_section(proposal, section="partners", data=data.get("partners", [])).items():
        for message in messages:
            record.error(field, message)
    for position, partner in enumerate(data.get("partners", []), 1):
        if partner.get("contact_email") and not _is_email(partner["contact_email"]):
            record.error(
                f"partners.{position}.contact_email", "Bitte geben Sie eine gültige E-Mail-Adresse an."
            )

    tasks = []
    for position, task in enumerate(data.get("tasks", []), 1):
        due_on = None
        if task.get("due_on") is not None:
            try:
                due_on = parse_day(task["due_on"])
            except ValueError:
                record.error(f"tasks.{position}.due_on", f"Ungültiges Datum: {task['due_on']}")
        tasks.append({**task, "due_on": due_on})
    for field, messages in apply_section(proposal, section="tasks", data=tasks).items():
        for message in messages:
            record.error(field, message)

    lines = list(data.get("budget", []))
    for field, messages in apply_section(proposal, section="budget", data=lines).items():
        for message in messages:
            record.error(_budget_field(field, lines), message)


def _budget_field(field: str, lines: Sequence[Mapping[str, Any]]) -> str:
    """The form names a budget cell ``budget.<year>.<category>``; the file a line by position."""
    for position, line in enumerate(lines, 1):
        if field == f"budget.{line['year']}.{line['category']}":
            return f"budget.{position}"
    return field


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except DjangoValidationError:
        return False
    return True


def _submitted_at(record: _Record, call: Call, now: datetime) -> datetime | None:
    text = record.data.get("submitted_at")
    if record.data["state"] != ProposalState.SUBMITTED or not text:
        return None
    try:
        instant = parse_instant(text)
    except ValueError:
        record.error("submitted_at", f"Ungültiger Zeitpunkt: {text}")
        return None
    if instant > now:
        record.error("submitted_at", "Der Eingangszeitpunkt liegt in der Zukunft.")
    window = timeline.submission_window(call.phase_spans())
    if window is None:
        record.error("submitted_at", "Für diesen Aufruf gibt es keine Einreichungsfrist.")
    elif not timeline.is_open(call.phase_spans(), instant):
        first, last = (moment.astimezone(timeline.BERLIN) for moment in window)
        record.error(
            "submitted_at",
            f"Der Eingangszeitpunkt liegt außerhalb der Einreichungsfrist "
            f"({first:%d.%m.%Y, %H:%M} Uhr bis {last:%d.%m.%Y, %H:%M:%S} Uhr, Berliner Zeit).",
        )
    return instant


def _contacts(record: _Record) -> tuple[list[User], list[str]]:
    """Users with an active account for the contacts, and the addresses without one."""
    emails = [str(email).strip() for email in record.data.get("contacts", [])]
    seen: set[str] = set()
    for position, email in enumerate(emails, 1):
        if not _is_email(email):
            record.error(f"contacts.{position}", "Bitte geben Sie eine gültige E-Mail-Adresse an.")
        elif email.lower() in seen:
            record.error(f"contacts.{position}", "Jede Person darf nur einmal genannt werden.")
        seen.add(email.lower())
    by_email = {
        user.email.lower(): user
        for user in User.objects.filter(email__in=[email.lower() for email in emails], is_active=True)
    }
    linked = [by_email[email.lower()] for email in emails if email.lower() in by_email]
    unlinked = [email for email in emails if email.lower() not in by_email]
    return linked, unlinked


def _import_record(
    record: _Record, *, call: Call, reference: str, actor: User | None, now: datetime
) -> ImportedProposal | None:
    state = ProposalState(record.data["state"])
    submitted_at = _submitted_at(record, call, now)
    linked, unlinked = _contacts(record)
    proposal = Proposal.objects.create(
        call=call,
        reference=reference,
        title=str(record.data["title"]).strip(),
        state=state,
        submitted_at=submitted_at,
        created_at=now,
        updated_at=now,
    )
    proposal.call = call  # the appliers read the call's rules from the instance already loaded
    _apply_content(record, proposal)
    version = None
    if state == ProposalState.SUBMITTED and not record.failed and submitted_at is not None:
        loaded = queries.proposals_of_call(call).get(pk=proposal.pk)
        for finding in check_eligibility(*queries.eligibility_inputs(loaded)):
            if not finding.met:
                record.error(_FINDING_FIELDS.get(finding.code, ""), finding.message)
        if not record.failed:
            version = freeze_version(loaded, kind=VersionKind.SUBMITTED, actor=actor, now=submitted_at)
    if record.failed:
        return None
    ConsortiumMember.objects.bulk_create(
        ConsortiumMember(
            proposal=proposal,
            user=user,
            role=MemberRole.LEAD if position == 0 else MemberRole.EDITOR,
            joined_at=now,
        )
        for position, user in enumerate(linked)
    )
    record.report.unlinked_contacts.extend(
        UnlinkedContact(record.number, reference, email) for email in unlinked
    )
    record_event(
        actor=actor,
        action="proposal.imported",
        target=proposal,
        data={
            "reference": reference,
            "call": call.slug,
            "state": state.value,
            "submitted_at": submitted_at,
            "version": version.number if version else None,
            "sha256": version.sha256 if version else "",
            "members": len(linked),
            "unlinked_contacts": len(unlinked),
        },
        now=now,
    )
    return ImportedProposal(
        record=record.number,
        reference=reference,
        title=proposal.title,
        state=state.value,
        version=version.number if version else None,
        sha256=version.sha256 if version else "",
        linked_contacts=tuple(user.email for user in linked),
    )


def _document_errors(document: Any, call: Call, report: ImportReport) -> bool:
    """File-level errors (schema errors outside records, another call); records' schema errors."""
    for number, field, message in schema_errors(document):
        reference = ""
        if number is not None:
            given = document["proposals"][number - 1]
            reference = given.get("reference", "") if isinstance(given, Mapping) else ""
            reference = reference if isinstance(reference, str) else ""
        report.errors.append(ImportIssue(number, reference, field, message))
    if any(issue.record is None for issue in report.errors):
        return True
    if document["call"] != call.slug:
        report.errors.insert(
            0,
            ImportIssue(
                None,
                "",
                "call",
                f"Die Datei gehört zum Aufruf „{document['call']}“, importiert wird in „{call.slug}“.",
            ),
        )
        return True
    return False


def import_proposals(
    document: Any, *, call: Call, actor: User | None, now: datetime, dry_run: bool = False
) -> ImportReport:
    """Import a parsed document of the format into ``call``: all records, or none.

    Returns the report; if it lists errors (``report.ok`` is false), nothing was written. A dry
    run checks everything the same way and writes nothing either.
    """
    report = ImportReport(call=call.slug, dry_run=dry_run)
    if not isinstance(document, Mapping) or document.get("format") != FORMAT:
        report.errors.append(
            ImportIssue(
                None, "", "format", f"Die Datei ist keine Datei im Format „{FORMAT}“ (Version {VERSION})."
            )
        )
        return report
    found = document.get("proposals")
    report.records = len(found) if isinstance(found, list) else 0
    if _document_errors(document, call, report):
        return report
    records: list[Mapping[str, Any]] = document["proposals"]  # the schema made it a list of objects
    schema_failed = {issue.record for issue in report.errors}
    given = [
        record.get("reference")
        for number, record in enumerate(records, 1)
        if number not in schema_failed and record.get("reference")
    ]
    with transaction.atomic():
        taken = set(Proposal.objects.filter(reference__in=given).values_list("reference", flat=True))
        pending: list[_Record] = []
        deferred: list[_Record] = []
        seen: set[str] = set()
        for number, data in enumerate(records, 1):
            if number in schema_failed:
                continue
            record = _Record(number, data, report)
            if record.reference and (record.reference in taken or record.reference in seen):
                record.error("reference", f"Die Kennung „{record.reference}“ ist bereits vergeben.")
            seen.add(record.reference)
            # Records without a usable reference get one after the given ones exist, so an
            # assigned reference never takes one that a later record names.
            (pending if record.reference and not record.failed else deferred).append(record)
        imported: list[ImportedProposal] = []
        for record in pending + deferred:
            reference = record.reference if record in pending else next_reference(call)
            result = _import_record(record, call=call, reference=reference, actor=actor, now=now)
            if result is not None:
                imported.append(result)
        report.errors.sort(key=lambda issue: -1 if issue.record is None else issue.record)
        report.imported = sorted(imported, key=lambda item: item.record)
        report.unlinked_contacts.sort(key=lambda item: item.record)
        if report.errors or dry_run:
            transaction.set_rollback(True)
    if report.errors:
        report.imported = []
        report.unlinked_contacts = []
    return report
