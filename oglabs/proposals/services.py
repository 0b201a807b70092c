"""Writes of proposals: start, edit by section, submit, withdraw, transition, members.

Each function is one transaction and leaves one audit event. ``now`` and the acting user are
arguments. Content arrives as clean Python data (forms validate; services act).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F

from oglabs.accounts.models import User
from oglabs.audit.services import record_event
from oglabs.calls import timeline
from oglabs.calls.models import Call, Challenge
from oglabs.core.canonical import normalise
from oglabs.places.models import Municipality
from oglabs.proposals import mails, queries, uploads
from oglabs.proposals.eligibility import check_eligibility, is_eligible
from oglabs.proposals.exceptions import (
    AttachmentNotFound,
    CallClosed,
    ConfirmationInvalid,
    EditConflict,
    InvalidContent,
    InvitationInvalid,
    NotEditable,
    ProposalError,
    ProposalNotFound,
    SubmissionRefused,
    TransitionNotAllowed,
)
from oglabs.proposals.hashing import version_hash
from oglabs.proposals.models import (
    Attachment,
    BudgetLine,
    Confirmation,
    ConsortiumMember,
    ConsortiumMunicipality,
    CostCategory,
    Invitation,
    LabForm,
    LabTask,
    MemberRole,
    Partner,
    PartnerKind,
    Proposal,
    ProposalVersion,
    Stage,
    VersionKind,
)
from oglabs.proposals.receipt import render_receipt
from oglabs.proposals.states import EDITABLE_STATES, ProposalState, can_transition

SECTIONS = ("general", "municipalities", "partners", "tasks", "budget")


# --- lifecycle ---------------------------------------------------------------------------------


def transition_proposal(
    proposal: Proposal,
    *,
    to: ProposalState,
    actor: User | None,
    now: datetime,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
) -> Proposal:
    """The only code that writes ``Proposal.state``. Refuses a transition the table does not allow."""
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        source = ProposalState(locked.state)
        if not can_transition(source, to):
            raise TransitionNotAllowed(str(source.label), str(ProposalState(to).label))
        locked.state = to
        locked.updated_at = now
        locked.save(update_fields=["state", "updated_at"])
        record_event(
            actor=actor,
            action=f"proposal.{to}",
            target=locked,
            data={"from": source.value, "to": str(to), "reason": reason, **(data or {})},
            now=now,
        )
    proposal.state = locked.state
    proposal.updated_at = now
    return proposal


def _submission_deadline(call: Call) -> datetime | None:
    window = timeline.submission_window(call.phase_spans())
    return window[1] if window else None


def _revision_deadline(call: Call) -> datetime | None:
    for span in call.phase_spans():
        if span.kind == timeline.REVISION_DEADLINE:
            return span.ends_at
    return None


def _ensure_open_for_editing(proposal: Proposal, now: datetime) -> None:
    state = ProposalState(proposal.state)
    if state not in EDITABLE_STATES:
        raise NotEditable(str(state.label))
    if state == ProposalState.DRAFT and not timeline.is_open(proposal.call.phase_spans(), now):
        raise CallClosed(_submission_deadline(proposal.call))
    if state == ProposalState.IN_REVISION:
        deadline = _revision_deadline(proposal.call)
        if deadline is not None and now > deadline:
            raise CallClosed(deadline)


def next_reference(call: Call) -> str:
    """The next free reference of the call, such as ``OGL-2019-0007``."""
    prefix = f"OGL-{call.funding_starts_on.year - 1}-"
    count = Proposal.objects.filter(call=call).count()
    candidate = count + 1
    while Proposal.objects.filter(reference=f"{prefix}{candidate:04d}").exists():
        candidate += 1
    return f"{prefix}{candidate:04d}"


def start_proposal(
    *, call: Call, actor: User, title: str, lead_municipality: Municipality | None, now: datetime
) -> Proposal:
    """A new draft; ``actor`` becomes the lead member of the consortium."""
    title = title.strip()
    if not title:
        raise InvalidContent({"title": ["Bitte geben Sie einen Titel an."]})
    if not timeline.is_open(call.phase_spans(), now):
        raise CallClosed(_submission_deadline(call))
    with transaction.atomic():
        proposal = Proposal.objects.create(
            call=call,
            reference=next_reference(call),
            title=title,
            lead_municipality=lead_municipality,
            created_at=now,
            updated_at=now,
        )
        ConsortiumMember.objects.create(proposal=proposal, user=actor, role=MemberRole.LEAD, joined_at=now)
        record_event(
            actor=actor,
            action="proposal.created",
            target=proposal,
            data={"reference": proposal.reference, "call": call.slug},
            now=now,
        )
    return proposal


# --- content -------------------------------------------------------------------------------------


def _money(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal:
    """A euro amount with cent precision (Decimal, never float)."""
    try:
        amount = Decimal(str(value).strip() or "0")
    except ArithmeticError:
        errors.setdefault(field, []).append("Bitte geben Sie einen Betrag in Euro an.")
        return Decimal("0.00")
    if not amount.is_finite():
        errors.setdefault(field, []).append("Bitte geben Sie einen Betrag in Euro an.")
        return Decimal("0.00")
    if amount != amount.quantize(Decimal("0.01")):
        errors.setdefault(field, []).append("Beträge werden auf den Cent genau angegeben.")
    if amount < 0:
        errors.setdefault(field, []).append("Der Betrag darf nicht negativ sein.")
    if amount >= Decimal("10000000000"):
        errors.setdefault(field, []).append("Der Betrag ist zu groß.")
    return amount.quantize(Decimal("0.01"))


def _apply_general(proposal: Proposal, data: Mapping[str, Any], errors: dict[str, list[str]]) -> None:
    title = str(data.get("title", proposal.title)).strip()
    if not title:
        errors.setdefault("title", []).append("Bitte geben Sie einen Titel an.")
    lab_form = str(data.get("lab_form", proposal.lab_form) or "")
    if lab_form and lab_form not in LabForm.values:
        errors.setdefault("lab_form", []).append("Bitte wählen Sie eine Form des Labors aus der Liste.")
    keys = list(data.get("challenges", [c.key for c in proposal.challenges.all()]))
    challenges = list(Challenge.objects.filter(call=proposal.call, key__in=keys))
    if len(challenges) != len(set(keys)):
        errors.setdefault("challenges", []).append("Unbekannte Herausforderung.")
    own = _money(data.get("own_contribution", proposal.own_contribution), "own_contribution", errors)
    land = _money(data.get("state_contribution", proposal.state_contribution), "state_contribution", errors)
    if errors:
        return
    proposal.title = title
    proposal.region = str(data.get("region", proposal.region))
    proposal.lab_form = lab_form
    proposal.moderation = str(data.get("moderation", proposal.moderation))
    proposal.own_contribution = own
    proposal.state_contribution = land
    proposal.save()
    proposal.challenges.set(challenges)


def _apply_municipalities(proposal: Proposal, data: Mapping[str, Any], errors: dict[str, list[str]]) -> None:
    allowed = set(proposal.call.eligibility.applicant_kinds)
    lead_key = data.get("lead")
    further_keys = [str(key) for key in data.get("further", [])]
    wanted = ([str(lead_key)] if lead_key else []) + further_keys
    found = {m.ars: m for m in Municipality.objects.filter(ars__in=wanted)}
    for key in wanted:
        if key not in found:
            errors.setdefault("municipalities", []).append(f"Unbekannter Gemeindeschlüssel: {key}")
    if lead_key and str(lead_key) in found and found[str(lead_key)].kind not in allowed:
        errors.setdefault("lead", []).append("Diese Kommune ist für diesen Aufruf nicht antragsberechtigt.")
    if len(set(wanted)) != len(wanted):
        errors.setdefault("municipalities", []).append("Jede Kommune darf nur einmal genannt werden.")
    if errors:
        return
    proposal.lead_municipality = found.get(str(lead_key)) if lead_key else None
    proposal.save()
    proposal.further_municipalities.all().delete()
    ConsortiumMunicipality.objects.bulk_create(
        ConsortiumMunicipality(proposal=proposal, municipality=found[key]) for key in further_keys
    )


def _apply_partners(
    proposal: Proposal, items: Sequence[Mapping[str, Any]], errors: dict[str, list[str]]
) -> None:
    existing = {partner.pk: partner for partner in proposal.partners.all()}
    keep: list[Partner] = []
    for position, item in enumerate(items, 1):
        field = f"partners.{position}"
        name = str(item.get("name", "")).strip()
        kind = str(item.get("kind", ""))
        if not name:
            errors.setdefault(field, []).append("Bitte geben Sie den Namen der Organisation an.")
        if kind not in PartnerKind.values:
            errors.setdefault(field, []).append("Bitte wählen Sie die Art des Partners.")
        partner = existing.get(int(item["id"])) if item.get("id") else None
        if item.get("id") and partner is None:
            errors.setdefault(field, []).append("Dieser Partner gehört nicht zu dieser Interessenbekundung.")
        if partner is None:
            partner = Partner(proposal=proposal)
        elif (partner.name, partner.kind) != (name, kind):
            partner.confirmation = "pending"
            partner.confirmed_at = None
        contact_email = str(item.get("contact_email", "")).strip()
        if (partner.name, partner.kind, partner.contact_email) != (name, kind, contact_email):
            partner.confirm_token_hash = ""  # a link sent earlier named other details: void it
        partner.position = position
        partner.name = name
        partner.kind = kind
        partner.role_in_lab = str(item.get("role_in_lab", ""))
        partner.cooperation_exists = bool(item.get("cooperation_exists", False))
        partner.contact_email = contact_email
        keep.append(partner)
    if errors:
        return
    kept_ids = {partner.pk for partner in keep if partner.pk}
    proposal.partners.exclude(pk__in=kept_ids).delete()
    for partner in keep:
        partner.save()


def _apply_tasks(
    proposal: Proposal, items: Sequence[Mapping[str, Any]], errors: dict[str, list[str]]
) -> None:
    call = proposal.call
    rows = []
    for position, item in enumerate(items, 1):
        title = str(item.get("title", "")).strip()
        if not title:
            errors.setdefault(f"tasks.{position}", []).append("Bitte geben Sie einen Titel der Aufgabe an.")
        due_on = item.get("due_on")
        if due_on is not None and not (call.funding_starts_on <= due_on <= call.funding_ends_on):
            errors.setdefault(f"tasks.{position}", []).append(
                f"Der Termin muss im Förderzeitraum liegen "
                f"({call.funding_starts_on:%d.%m.%Y} bis {call.funding_ends_on:%d.%m.%Y})."
            )
        rows.append(
            LabTask(
                proposal=proposal,
                position=position,
                title=title,
                description=str(item.get("description", "")),
                indicator=str(item.get("indicator", "")),
                target_value=str(item.get("target_value", "")),
                due_on=due_on,
                verification=str(item.get("verification", "")),
            )
        )
    if errors:
        return
    proposal.tasks.all().delete()
    LabTask.objects.bulk_create(rows)


def _apply_budget(
    proposal: Proposal, items: Sequence[Mapping[str, Any]], errors: dict[str, list[str]]
) -> None:
    call = proposal.call
    years = range(call.funding_starts_on.year, call.funding_ends_on.year + 1)
    rows: dict[tuple[int, str], BudgetLine] = {}
    for item in items:
        year, category = int(item["year"]), str(item["category"])
        field = f"budget.{year}.{category}"
        if year not in years:
            errors.setdefault(field, []).append(
                f"Das Jahr muss im Förderzeitraum liegen ({years.start}–{years.stop - 1})."
            )
        if category not in CostCategory.values:
            errors.setdefault(field, []).append("Unbekannte Kostenart.")
        amount = _money(item.get("amount", 0), field, errors)
        if (year, category) in rows:
            errors.setdefault(field, []).append("Dieses Feld ist doppelt angegeben.")
        if amount > 0:
            rows[(year, category)] = BudgetLine(
                proposal=proposal, year=year, category=category, amount=amount
            )
    if errors:
        return
    proposal.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(rows.values())


_APPLY: dict[str, Callable[[Proposal, Any, dict[str, list[str]]], None]] = {
    "general": _apply_general,
    "municipalities": _apply_municipalities,
    "partners": _apply_partners,
    "tasks": _apply_tasks,
    "budget": _apply_budget,
}


def apply_section(proposal: Proposal, *, section: str, data: Any) -> dict[str, list[str]]:
    """Validate one section with the form's rules and write it; returns the errors by field.

    On errors nothing of the section is written (a savepoint). No lock, deadline or audit
    event: ``save_section`` adds those; the import (``exchange``) holds its own transaction.
    """
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        _APPLY[section](proposal, data, errors)
        if errors:
            transaction.set_rollback(True)
    return errors


def _next_version_number(proposal: Proposal) -> int:
    last = proposal.versions.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


def save_section(
    proposal: Proposal,
    *,
    section: str,
    data: Any,
    expected_version: int,
    actor: User,
    now: datetime,
) -> Proposal:
    """Save one section of the content, if nobody saved since ``expected_version``.

    A stale save is refused with ``EditConflict``; the refused content is kept as a version
    of kind ``conflict`` so that nothing typed is lost.
    """
    if section not in _APPLY:
        raise ValueError(f"unknown section {section!r}")
    conflict: ProposalVersion | None = None
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        locked = (
            Proposal.objects.select_for_update(of=("self",))
            .select_related("call", "call__eligibility")
            .get(pk=proposal.pk)
        )
        _ensure_open_for_editing(locked, now)
        if locked.lock_version != expected_version:
            conflict = ProposalVersion.objects.create(
                proposal=locked,
                number=_next_version_number(locked),
                kind=VersionKind.CONFLICT,
                stage=locked.stage,
                content=normalise({"section": section, "data": data, "based_on": expected_version}),
                sha256="",
                created_at=now,
                created_by=actor,
            )
            record_event(
                actor=actor,
                action="proposal.edit_conflict",
                target=locked,
                data={"section": section, "expected": expected_version, "current": locked.lock_version},
                now=now,
            )
        else:
            errors = apply_section(locked, section=section, data=data)
            if not errors:
                Proposal.objects.filter(pk=locked.pk).update(
                    lock_version=F("lock_version") + 1, updated_at=now
                )
                record_event(
                    actor=actor,
                    action="proposal.edited",
                    target=locked,
                    data={"section": section, "version": expected_version + 1},
                    now=now,
                )
    if conflict is not None:
        raise EditConflict(conflict)
    if errors:
        raise InvalidContent(errors)
    proposal.refresh_from_db()
    return proposal


# --- submission ------------------------------------------------------------------------------------


def freeze_version(
    proposal: Proposal, *, kind: VersionKind, actor: User | None, now: datetime
) -> ProposalVersion:
    """A frozen copy of the content with its SHA-256; ``proposal`` must have its content loaded."""
    content = normalise(queries.proposal_content(proposal))
    assert isinstance(content, dict)
    return ProposalVersion.objects.create(
        proposal=proposal,
        number=_next_version_number(proposal),
        kind=kind,
        stage=proposal.stage,
        content=content,
        sha256=version_hash(content),
        created_at=now,
        created_by=actor,
    )


def _prepare_receipt(
    proposal: Proposal, *, actor: User, now: datetime
) -> tuple[ProposalVersion, bytes] | None:
    """Render the receipt of the version a submission is expected to freeze, before the lock.

    Rendering takes a tenth of a second or more; spent inside the transaction it would hold the
    write lock (SQLite has one writer at a time) during a deadline rush. The expected version is
    built from the same content without saving anything; ``submit_proposal`` uses the PDF only if
    the frozen version turns out identical (rendering is deterministic). ``None`` when the
    submission is going to be refused anyway.
    """
    try:
        draft = queries.get_proposal_for_member(actor, proposal.pk)
        _ensure_open_for_editing(draft, now)
    except ProposalError:
        return None
    if not is_eligible(check_eligibility(*queries.eligibility_inputs(draft))):
        return None
    revision = draft.state == ProposalState.IN_REVISION
    if revision:
        draft.stage = Stage.FULL  # as the submission will set it; not saved here
    content = normalise(queries.proposal_content(draft))
    assert isinstance(content, dict)
    expected = ProposalVersion(
        proposal=draft,
        number=_next_version_number(draft),
        kind=VersionKind.REVISED if revision else VersionKind.SUBMITTED,
        stage=draft.stage,
        content=content,
        sha256=version_hash(content),
        created_at=now,
        created_by=actor,
    )
    return expected, render_receipt(expected)


def _receipt_pdf(version: ProposalVersion, prepared: tuple[ProposalVersion, bytes] | None) -> bytes:
    if prepared is not None:
        expected, pdf = prepared
        fields = ("number", "kind", "stage", "sha256", "created_at")
        if all(getattr(expected, name) == getattr(version, name) for name in fields):
            return pdf
    return render_receipt(version)  # the content changed in between: render what was frozen


def submit_proposal(proposal: Proposal, *, actor: User, now: datetime) -> ProposalVersion:
    """Check the rules, freeze a version with its SHA-256, record the instant, queue the receipt.

    Refused with ``CallClosed`` after the deadline (server time, Europe/Berlin) and with
    ``SubmissionRefused`` listing every unmet rule. The receipt mail (Eingangsbestätigung, with
    the PDF of the frozen version) goes to every member through the outbox in the same
    transaction, so it is sent after commit, and never for a refused submission.
    """
    prepared = _prepare_receipt(proposal, actor=actor, now=now)
    with transaction.atomic():
        Proposal.objects.select_for_update().filter(pk=proposal.pk).values_list("pk", flat=True).get()
        locked = queries.get_proposal_for_member(actor, proposal.pk)
        _ensure_open_for_editing(locked, now)
        findings = check_eligibility(*queries.eligibility_inputs(locked))
        if not is_eligible(findings):
            raise SubmissionRefused(findings)
        revision = locked.state == ProposalState.IN_REVISION
        if revision:
            locked.stage = Stage.FULL
            locked.save(update_fields=["stage"])
        version = freeze_version(
            locked, kind=VersionKind.REVISED if revision else VersionKind.SUBMITTED, actor=actor, now=now
        )
        Proposal.objects.filter(pk=locked.pk).update(submitted_at=now)
        transition_proposal(
            locked,
            to=ProposalState.REVISED if revision else ProposalState.SUBMITTED,
            actor=actor,
            now=now,
            data={"version": version.number, "sha256": version.sha256},
        )
        mails.queue_receipt_mail(
            locked, version, to=queries.member_emails(locked), pdf=_receipt_pdf(version, prepared), now=now
        )
    proposal.refresh_from_db()
    return version


def withdraw_proposal(proposal: Proposal, *, actor: User, reason: str, now: datetime) -> Proposal:
    reason = reason.strip()
    if not reason:
        raise InvalidContent({"reason": ["Bitte geben Sie einen Grund für den Rückzug an."]})
    with transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(withdrawn_reason=reason)
        transition_proposal(proposal, to=ProposalState.WITHDRAWN, actor=actor, now=now, reason=reason)
    proposal.refresh_from_db()
    return proposal


# --- members -----------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invite_member(proposal: Proposal, *, email: str, actor: User, now: datetime) -> tuple[Invitation, str]:
    """Create an invitation; returns it with the secret token for the link (only its hash is stored)."""
    email = email.strip().lower()
    if not email:
        raise InvalidContent({"email": ["Bitte geben Sie eine E-Mail-Adresse an."]})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            proposal=proposal, email=email, token_hash=_token_hash(token), invited_by=actor, created_at=now
        )
        record_event(
            actor=actor,
            action="proposal.member_invited",
            target=proposal,
            data={"invitation": invitation.pk},
            now=now,
        )
    return invitation, token


def accept_invitation(*, token: str, actor: User, now: datetime) -> Proposal:
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .filter(token_hash=_token_hash(token), accepted_at__isnull=True)
            .select_related("proposal")
            .first()
        )
        if invitation is None:
            raise InvitationInvalid
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
        ConsortiumMember.objects.get_or_create(
            proposal=invitation.proposal, user=actor, defaults={"role": MemberRole.EDITOR, "joined_at": now}
        )
        record_event(
            actor=actor,
            action="proposal.member_joined",
            target=invitation.proposal,
            data={"invitation": invitation.pk},
            now=now,
        )
    return invitation.proposal


# --- attachments -------------------------------------------------------------------------------------


def add_attachment(
    proposal: Proposal,
    *,
    actor: User,
    kind: str,
    partner: Partner | None = None,
    uploaded_file: File,
    now: datetime,
) -> Attachment:
    """Store an uploaded PDF for the proposal (a partner's letter of intent, or another attachment).

    The file is checked by its content and stored under a random name (see ``uploads``);
    a letter of intent marks its partner's confirmation as ``letter``. Refused with
    ``InvalidContent`` (and nothing stored) for a file that is not a PDF, too large or empty,
    ``ProposalNotFound`` for a non-member, ``NotEditable``/``CallClosed`` outside editing.
    """
    if kind not in Attachment.Kind.values:
        raise InvalidContent({"kind": ["Bitte wählen Sie die Art der Anlage."]})
    if kind == Attachment.Kind.LETTER_OF_INTENT and partner is None:
        raise InvalidContent(
            {"partner": ["Bitte wählen Sie den Partner, dessen Absichtserklärung dies ist."]}
        )
    if kind != Attachment.Kind.LETTER_OF_INTENT and partner is not None:
        raise InvalidContent({"partner": ["Nur eine Absichtserklärung gehört zu einem Partner."]})
    checked = uploads.read_pdf(uploaded_file, max_bytes=uploads.max_upload_bytes())
    with transaction.atomic():
        locked = _lock_for_member(proposal.pk, actor)
        _ensure_open_for_editing(locked, now)
        if partner is not None and not locked.partners.filter(pk=partner.pk).exists():
            raise InvalidContent({"partner": ["Dieser Partner gehört nicht zu dieser Interessenbekundung."]})
        name = uploads.store_pdf(checked.data)
        try:
            with transaction.atomic():
                attachment = Attachment.objects.create(
                    proposal=locked,
                    partner=partner,
                    kind=kind,
                    file=name,
                    original_name=checked.original_name,
                    size=len(checked.data),
                    sha256=checked.sha256,
                    uploaded_at=now,
                    uploaded_by=actor,
                )
                if partner is not None:
                    Partner.objects.filter(pk=partner.pk).update(confirmation=Confirmation.LETTER)
                    partner.refresh_from_db(fields=["confirmation"])
                record_event(
                    actor=actor,
                    action="proposal.attachment_added",
                    target=locked,
                    data={
                        "attachment": attachment.pk,
                        "kind": kind,
                        "partner": partner.pk if partner is not None else None,
                        "size": attachment.size,
                        "sha256": attachment.sha256,
                    },
                    now=now,
                )
        except BaseException:
            uploads.delete_stored(name)  # no row, no file
            raise
    return attachment


def remove_attachment(attachment: Attachment, *, actor: User, now: datetime) -> None:
    """Delete an attachment; its file is deleted once the transaction commits.

    Removing the last letter of intent of a partner who did not confirm online sets the
    partner's confirmation back to ``pending``.
    """
    with transaction.atomic():
        locked = _lock_for_member(attachment.proposal_id, actor)
        _ensure_open_for_editing(locked, now)
        row = Attachment.objects.filter(pk=attachment.pk, proposal=locked).first()
        if row is None:
            raise AttachmentNotFound
        name, partner_id = row.file.name, row.partner_id
        data = {"attachment": row.pk, "kind": row.kind, "partner": partner_id, "sha256": row.sha256}
        row.delete()
        if partner_id is not None and not Attachment.objects.filter(partner_id=partner_id).exists():
            Partner.objects.filter(pk=partner_id, confirmation=Confirmation.LETTER).update(
                confirmation=Confirmation.PENDING
            )
        record_event(actor=actor, action="proposal.attachment_removed", target=locked, data=data, now=now)
        if name:
            transaction.on_commit(partial(uploads.delete_stored, name))


def _lock_for_member(proposal_id: int, actor: User) -> Proposal:
    """Lock the proposal row and load it if ``actor`` is a member; else ``ProposalNotFound``."""
    if (
        Proposal.objects.select_for_update().filter(pk=proposal_id).values_list("pk", flat=True).first()
        is None
    ):
        raise ProposalNotFound
    return queries.get_proposal_for_member(actor, proposal_id)


# --- partner confirmation by e-mailed link -------------------------------------------------------------

#: The public page where a partner confirms (built by the interface; the token is the path's end).
PARTNER_CONFIRMATION_PATH = "/bestaetigung/{token}/"


def partner_confirmation_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + PARTNER_CONFIRMATION_PATH.format(token=token)


def request_partner_confirmation(partner: Partner, *, actor: User, now: datetime) -> str:
    """Mail a one-time confirmation link to the partner's contact; returns the link's secret token.

    Only the token's SHA-256 is stored; a new request voids the link sent before.
    """
    with transaction.atomic():
        locked = _lock_for_member(partner.proposal_id, actor)
        _ensure_open_for_editing(locked, now)
        row = Partner.objects.select_related("proposal__call", "proposal__lead_municipality").get(
            pk=partner.pk, proposal=locked
        )
        if not row.contact_email:
            raise InvalidContent(
                {"contact_email": ["Bitte geben Sie zuerst eine E-Mail-Adresse für die Bestätigung an."]}
            )
        if row.confirmation == Confirmation.CONFIRMED:
            raise InvalidContent({"confirmation": ["Dieser Partner hat die Teilnahme bereits bestätigt."]})
        token = secrets.token_urlsafe(32)
        row.confirm_token_hash = _token_hash(token)
        row.save(update_fields=["confirm_token_hash"])
        mails.queue_partner_confirmation_mail(row, url=partner_confirmation_url(token), now=now)
        record_event(
            actor=actor,
            action="proposal.partner_confirmation_requested",
            target=locked,
            data={"partner": row.pk},
            now=now,
        )
    partner.confirm_token_hash = row.confirm_token_hash
    return token


def confirm_partner(*, token: str, now: datetime) -> Partner:
    """The partner confirms participation through the link (no login; the token is the proof).

    Refused with ``ConfirmationInvalid`` for an unknown or already used token.
    """
    if not token:
        raise ConfirmationInvalid
    with transaction.atomic():
        partner = (
            Partner.objects.select_for_update(of=("self",))
            .select_related("proposal")
            .filter(confirm_token_hash=_token_hash(token))
            .first()
        )
        if partner is None:
            raise ConfirmationInvalid
        partner.confirmation = Confirmation.CONFIRMED
        partner.confirmed_at = now
        partner.confirm_token_hash = ""
        partner.save(update_fields=["confirmation", "confirmed_at", "confirm_token_hash"])
        record_event(
            actor=None,
            action="proposal.partner_confirmed",
            target=partner.proposal,
            data={"partner": partner.pk},
            now=now,
        )
    return partner
