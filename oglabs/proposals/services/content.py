"""Editing the content section by section, with optimistic locking; the same code validates imports."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from oglabs.accounts.models import User
from oglabs.audit.services import record_event
from oglabs.calls.models import Challenge
from oglabs.core.canonical import normalise
from oglabs.places.models import Municipality
from oglabs.proposals import queries
from oglabs.proposals.exceptions import (
    EditConflict,
    InvalidContent,
)
from oglabs.proposals.models import (
    BudgetLine,
    ConsortiumMunicipality,
    CostCategory,
    LabForm,
    LabTask,
    Partner,
    PartnerKind,
    Proposal,
    ProposalVersion,
    VersionKind,
)
from oglabs.proposals.services.lifecycle import _ensure_open_for_editing
from oglabs.proposals.services.preparation import prepare_submission

SECTIONS = ("general", "municipalities", "partners", "tasks", "budget")


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
    keys = list(data["challenges"] if "challenges" in data else [c.key for c in proposal.challenges.all()])
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


#: The content relations each section writes (loaded again after a save).
_SECTION_RELATIONS: dict[str, tuple[str, ...]] = {
    "general": ("challenges",),
    "municipalities": ("further_municipalities",),
    "partners": ("partners",),
    "tasks": ("tasks",),
    "budget": ("budget_lines",),
}


#: The sections whose rules save the proposal's own row (``proposal.save()``).
_ROW_SECTIONS = frozenset({"general", "municipalities"})


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

    Returns ``proposal`` holding what was saved, without reading it again: its fields as
    written, and the section's relations loaded again if the caller had them prefetched
    (``queries.reload_relations``); the other sections stay as the caller loaded them — a
    save that succeeded proves that nobody saved since ``expected_version``. Then the draft's
    submission is prepared from it (``preparation.prepare_submission``).
    """
    if section not in _APPLY:
        raise ValueError(f"unknown section {section!r}")
    conflict: ProposalVersion | None = None
    errors: dict[str, list[str]] = {}
    loaded_content_version = proposal.content_version
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
            # As ``apply_section``, without its savepoint: this transaction holds nothing else,
            # so on errors all of it is rolled back. The sections that write the proposal's own
            # row carry the version counter in that UPDATE (the row is locked: no F() needed).
            locked.lock_version = expected_version + 1
            # The caller's loaded relations are the content as it stands only if nothing
            # changed them since (a partner's confirmation does not move ``lock_version``).
            unchanged_since_loaded = locked.content_version == loaded_content_version
            locked.content_version += 1
            locked.updated_at = now
            _APPLY[section](locked, data, errors)
            if errors:
                transaction.set_rollback(True)
            else:
                if section not in _ROW_SECTIONS:
                    Proposal.objects.filter(pk=locked.pk).update(
                        lock_version=locked.lock_version,
                        content_version=locked.content_version,
                        updated_at=now,
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
    for field in Proposal._meta.concrete_fields:
        setattr(proposal, field.attname, getattr(locked, field.attname))
    queries.reload_relations(
        proposal, _SECTION_RELATIONS[section] if unchanged_since_loaded else queries.CONTENT_RELATIONS
    )
    # After the commit, so that the save's lock is not held for it: the submission of the
    # draft as saved, worked out once (preparation.py); skipped by itself if the draft changed.
    prepare_submission(proposal, now=now)
    return proposal
