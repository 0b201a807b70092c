"""The revision window: open it, merge two consortia with the consent of both leads, close it.

Rules (also in ``docs/workflows.md``):

* ``open_revision`` sets the call's revision deadline (through ``calls.services.update_call``) and
  moves every eligible or invited proposal to ``in_revision``; each consortium is mailed.
* Consortia revise in the normal form and submit: ``submit_proposal`` freezes a version of kind
  ``revised`` (stage ``full``) and moves the proposal to ``revised``; after the revision deadline
  the submission is refused with ``CallClosed``.
* Merging is possible while both proposals are ``in_revision`` or ``revised`` and the revision
  deadline has not passed (the merged proposal must still be revisable). Before the window is
  opened there is nothing to merge into: the consortia first get the chance to revise.
  The lead of the source requests (that is the source's consent); the lead of the target consents.
  The target gains the source's municipalities, partners, tasks, budget (summed per year × cost
  category), contributions (summed), challenges (union) and members (as editors); its own texts
  stay. The source moves to ``merged`` (``merged_into`` = target) and keeps its versions; the
  target returns to ``in_revision`` so the merged content can be revised and submitted.
* ``close_revision`` (after the revision deadline): proposals still ``in_revision`` continue with
  the content they have (their sketch). If more proposals remain than the call has places, all go
  to the competition (the seed's rule). Otherwise they are selected — unless their requested total
  exceeds the call's budget: the budget still binds, so they go to the competition too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.template.loader import render_to_string
from django.utils import translation

from oglabs.accounts.models import User
from oglabs.audit.models import AuditEvent
from oglabs.audit.services import record_event
from oglabs.calls.models import Call
from oglabs.calls.services import CallValidationError, update_call
from oglabs.mail.services import queue_mail
from oglabs.proposals import queries
from oglabs.proposals.exceptions import ProposalError, ProposalNotFound
from oglabs.proposals.formatting import format_euro, format_instant
from oglabs.proposals.models import (
    BudgetLine,
    ConsortiumMember,
    ConsortiumMunicipality,
    LabTask,
    MemberRole,
    MergeRequest,
    MergeStatus,
    Partner,
    Proposal,
)
from oglabs.proposals.services.lifecycle import _revision_deadline, transition_proposal
from oglabs.proposals.states import ProposalState

S = ProposalState
#: States a proposal is in when the revision window opens for it.
OPENABLE_STATES = frozenset({S.ELIGIBLE, S.INVITED})
#: States in which two proposals may merge (see the module docstring).
MERGEABLE_STATES = frozenset({S.IN_REVISION, S.REVISED})
#: States that remain in the procedure when the revision phase closes.
REMAINING_STATES = frozenset({S.IN_REVISION, S.REVISED})

REVISION_OPENED_KIND = "proposal:revision_opened"
MERGE_REQUESTED_KIND = "proposal:merge_requested"
CLOSED_ACTION = "call.revision_closed"

#: The paths ``close_revision`` can take.
PATH_COMPETITION = "competition"
PATH_SELECTION = "selection"


class RevisionError(ProposalError):
    """The revision window refuses the action; ``str(error)`` is the German message."""


class RevisionDeadlineInvalid(RevisionError):
    def __init__(self, message: str) -> None:
        super().__init__(message)


class MergeNotAllowed(RevisionError):
    pass


class RevisionNotOver(RevisionError):
    def __init__(self, deadline_at: datetime | None) -> None:
        self.deadline_at = deadline_at
        if deadline_at is None:
            message = "Für diesen Aufruf wurde keine Überarbeitungsphase geöffnet."
        else:
            message = (
                "Die Überarbeitungsphase läuft noch bis "
                f"{format_instant(deadline_at)} (Berliner Zeit); sie kann erst danach abgeschlossen werden."
            )
        super().__init__(message)


class RevisionAlreadyClosed(RevisionError):
    def __init__(self) -> None:
        super().__init__("Die Überarbeitungsphase dieses Aufrufs wurde bereits abgeschlossen.")


@dataclass(frozen=True)
class RevisionOpened:
    deadline_at: datetime
    opened: list[str]  # references, in order


@dataclass(frozen=True)
class RevisionClosed:
    path: str  # PATH_COMPETITION | PATH_SELECTION
    reason: str  # German, shown to staff
    remaining: int
    requested_total: Decimal
    moved: list[str]  # references, in order


def revision_deadline(call: Call) -> datetime | None:
    """The last instant at which a revised proposal is accepted, or ``None`` if none is set."""
    return _revision_deadline(call)


def _render(name: str, context: dict[str, object]) -> tuple[str, str]:
    with translation.override("de"):
        subject = render_to_string(f"mail/proposals/{name}_subject.txt", context)
        body = render_to_string(f"mail/proposals/{name}_body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


# --- opening -------------------------------------------------------------------------------------


def open_revision(call: Call, *, actor: User, deadline_at: datetime, now: datetime) -> RevisionOpened:
    """Set the revision deadline and move every eligible or invited proposal to ``in_revision``.

    One audit event per proposal (``proposal.in_revision``), the call's ``call.updated`` for the
    deadline, one mail per consortium (sent after commit). Raises ``RevisionDeadlineInvalid`` for
    a deadline not in the future or out of order with the call's schedule; then nothing changes.
    Calling it again with a later deadline extends the window (and opens any proposal that has
    become eligible since).
    """
    if deadline_at <= now:
        raise RevisionDeadlineInvalid("Die Frist für die Überarbeitung muss in der Zukunft liegen.")
    with transaction.atomic():
        try:
            call = update_call(call, actor=actor, changes={"revision_deadline_at": deadline_at}, now=now)
        except CallValidationError as error:
            messages = [message for items in error.message_dict.values() for message in items]
            raise RevisionDeadlineInvalid(" ".join(messages)) from None
        proposals = list(
            Proposal.objects.filter(call=call, state__in=sorted(OPENABLE_STATES))
            .select_related("call", "lead_municipality")
            .order_by("reference", "pk")
        )
        for proposal in proposals:
            transition_proposal(
                proposal,
                to=S.IN_REVISION,
                actor=actor,
                now=now,
                data={"revision_deadline_at": deadline_at},
            )
            to = queries.member_emails(proposal)
            if to:
                subject, body = _render(
                    "revision_opened",
                    {
                        "title": proposal.title,
                        "reference": proposal.reference,
                        "call_title": call.title,
                        "deadline": format_instant(deadline_at),
                        "contact_email": call.contact_email,
                    },
                )
                queue_mail(to=to, subject=subject, body=body, kind=REVISION_OPENED_KIND, now=now)
    return RevisionOpened(deadline_at=deadline_at, opened=[p.reference for p in proposals])


# --- merging -------------------------------------------------------------------------------------


def _lead_user_id(proposal: Proposal) -> int | None:
    return (
        ConsortiumMember.objects.filter(proposal=proposal, role=MemberRole.LEAD)
        .values_list("user_id", flat=True)
        .first()
    )


def _check_mergeable(source: Proposal, target: Proposal, now: datetime) -> None:
    if source.pk == target.pk:
        raise MergeNotAllowed("Eine Interessenbekundung kann nicht mit sich selbst zusammengelegt werden.")
    if source.call_id != target.call_id:
        raise MergeNotAllowed("Zusammenlegen ist nur innerhalb desselben Aufrufs möglich.")
    for proposal in (source, target):
        if proposal.state not in MERGEABLE_STATES:
            raise MergeNotAllowed(
                f"{proposal.reference} ist im Status „{S(proposal.state).label}“; zusammengelegt werden "
                "können nur Vorschläge in der Überarbeitungsphase."
            )
    deadline = _revision_deadline(source.call)
    if deadline is None or now > deadline:
        raise MergeNotAllowed(
            "Die Überarbeitungsphase ist vorbei; Vorschläge können nicht mehr zusammengelegt werden."
        )


def request_merge(source: Proposal, target: Proposal, *, actor: User, now: datetime) -> MergeRequest:
    """The lead of ``source`` asks to merge ``source`` into ``target`` (this is the source's consent).

    ``ProposalNotFound`` unless ``actor`` is the lead member of ``source``; ``MergeNotAllowed`` for
    proposals of different calls, outside the revision window, or a request already pending.
    The target's members are mailed. One audit event (``proposal.merge_requested`` on the source).
    """
    with transaction.atomic():
        locked = {
            p.pk: p
            for p in Proposal.objects.select_for_update()
            .filter(pk__in=[source.pk, target.pk])
            .select_related("call")
            .order_by("pk")
        }
        if source.pk not in locked or target.pk not in locked:
            raise ProposalNotFound
        source, target = locked[source.pk], locked[target.pk]
        if _lead_user_id(source) != actor.pk:
            raise ProposalNotFound
        _check_mergeable(source, target, now)
        pending = MergeRequest.objects.filter(status=MergeStatus.PENDING)
        if (
            pending.filter(source=source, target=target).exists()
            or pending.filter(source=target, target=source).exists()
        ):
            raise MergeNotAllowed(
                "Zwischen diesen beiden Vorschlägen wartet bereits eine Anfrage auf Zustimmung."
            )
        request = MergeRequest.objects.create(
            source=source, target=target, requested_by=actor, requested_at=now
        )
        record_event(
            actor=actor,
            action="proposal.merge_requested",
            target=source,
            data={"request": request.pk, "source": source.reference, "target": target.reference},
            now=now,
        )
        to = queries.member_emails(target)
        if to:
            subject, body = _render(
                "merge_requested",
                {
                    "source_title": source.title,
                    "source_reference": source.reference,
                    "title": target.title,
                    "reference": target.reference,
                    "call_title": source.call.title,
                    "contact_email": source.call.contact_email,
                },
            )
            queue_mail(to=to, subject=subject, body=body, kind=MERGE_REQUESTED_KIND, now=now)
    return request


def _lock_request(request: MergeRequest) -> tuple[MergeRequest, Proposal, Proposal]:
    locked_request = MergeRequest.objects.select_for_update().get(pk=request.pk)
    proposals = {
        p.pk: p
        for p in Proposal.objects.select_for_update()
        .filter(pk__in=[locked_request.source_id, locked_request.target_id])
        .select_related("call")
        .order_by("pk")
    }
    return locked_request, proposals[locked_request.source_id], proposals[locked_request.target_id]


def _renumber(items: Sequence[Partner | LabTask]) -> None:
    for position, item in enumerate(items, 1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


def _merge_content(source: Proposal, target: Proposal, now: datetime) -> dict[str, int]:
    """Copy the source's content into the target; the source's rows stay as they are."""
    have = {
        target.lead_municipality_id,
        *target.further_municipalities.values_list("municipality_id", flat=True),
    }
    wanted = [
        source.lead_municipality_id,
        *source.further_municipalities.order_by("municipality_id").values_list("municipality_id", flat=True),
    ]
    added_places = 0
    for municipality_id in wanted:
        if municipality_id is not None and municipality_id not in have:
            ConsortiumMunicipality.objects.create(proposal=target, municipality_id=municipality_id)
            have.add(municipality_id)
            added_places += 1

    partners = list(target.partners.order_by("position", "pk"))
    for partner in source.partners.order_by("position", "pk"):
        partners.append(
            Partner.objects.create(
                proposal=target,
                position=0,
                kind=partner.kind,
                name=partner.name,
                role_in_lab=partner.role_in_lab,
                cooperation_exists=partner.cooperation_exists,
                contact_email=partner.contact_email,
                confirmation=partner.confirmation,
                confirmed_at=partner.confirmed_at,
            )
        )
    _renumber(partners)

    tasks = list(target.tasks.order_by("position", "pk"))
    for task in source.tasks.order_by("position", "pk"):
        tasks.append(
            LabTask.objects.create(
                proposal=target,
                position=0,
                title=task.title,
                description=task.description,
                indicator=task.indicator,
                target_value=task.target_value,
                due_on=task.due_on,
                verification=task.verification,
            )
        )
    _renumber(tasks)

    for line in source.budget_lines.order_by("year", "category"):
        existing = BudgetLine.objects.filter(proposal=target, year=line.year, category=line.category).first()
        if existing is None:
            BudgetLine.objects.create(
                proposal=target, year=line.year, category=line.category, amount=line.amount
            )
        else:
            existing.amount += line.amount
            existing.save(update_fields=["amount"])

    target.challenges.add(*source.challenges.all())
    Proposal.objects.filter(pk=target.pk).update(
        own_contribution=F("own_contribution") + source.own_contribution,
        state_contribution=F("state_contribution") + source.state_contribution,
        lock_version=F("lock_version") + 1,
        content_version=F("content_version") + 1,
        updated_at=now,
    )

    members = set(target.members.values_list("user_id", flat=True))
    new_members = [m for m in source.members.order_by("joined_at", "pk") if m.user_id not in members]
    ConsortiumMember.objects.bulk_create(
        ConsortiumMember(proposal=target, user_id=m.user_id, role=MemberRole.EDITOR, joined_at=now)
        for m in new_members
    )
    return {
        "municipalities": added_places,
        "partners": source.partners.count(),
        "tasks": source.tasks.count(),
        "members": len(new_members),
    }


def consent_merge(request: MergeRequest, *, actor: User, now: datetime) -> Proposal:
    """The lead of the target consents: the merge happens. Returns the target.

    Refused (``MergeNotAllowed``) if ``actor`` is not the target's lead — in particular the person
    who requested cannot consent to their own request — or the request is no longer pending, or
    a proposal has left the revision window. Audit: ``proposal.merge_received`` on the target, the
    source's transition to ``merged`` and, for a ``revised`` target, its return to ``in_revision``.
    """
    with transaction.atomic():
        request, source, target = _lock_request(request)
        if request.status != MergeStatus.PENDING:
            raise MergeNotAllowed("Über diese Anfrage wurde bereits entschieden.")
        if actor.pk == request.requested_by_id:
            raise MergeNotAllowed(
                "Der Zusammenlegung muss die federführende Person des anderen Konsortiums zustimmen."
            )
        if _lead_user_id(target) != actor.pk:
            raise MergeNotAllowed("Zustimmen kann nur die federführende Person des aufnehmenden Konsortiums.")
        _check_mergeable(source, target, now)
        counts = _merge_content(source, target, now)
        request.status = MergeStatus.MERGED
        request.consented_by = actor
        request.consented_at = now
        request.save(update_fields=["status", "consented_by", "consented_at"])
        record_event(
            actor=actor,
            action="proposal.merge_received",
            target=target,
            data={"request": request.pk, "source": source.reference, **counts},
            now=now,
        )
        Proposal.objects.filter(pk=source.pk).update(merged_into=target)
        transition_proposal(
            source,
            to=S.MERGED,
            actor=actor,
            now=now,
            data={"merged_into": target.reference, "request": request.pk},
        )
        if target.state == S.REVISED:
            transition_proposal(
                target, to=S.IN_REVISION, actor=actor, now=now, reason="merged", data={"request": request.pk}
            )
    target.refresh_from_db()
    return target


def decline_merge(request: MergeRequest, *, actor: User, now: datetime) -> MergeRequest:
    """The target's lead declines, or the requester takes the request back. One audit event."""
    with transaction.atomic():
        request, source, target = _lock_request(request)
        if request.status != MergeStatus.PENDING:
            raise MergeNotAllowed("Über diese Anfrage wurde bereits entschieden.")
        if actor.pk not in {_lead_user_id(target), request.requested_by_id}:
            raise MergeNotAllowed("Ablehnen kann nur die federführende Person eines der beiden Konsortien.")
        request.status = MergeStatus.DECLINED
        request.declined_at = now
        request.save(update_fields=["status", "declined_at"])
        record_event(
            actor=actor,
            action="proposal.merge_declined",
            target=target,
            data={"request": request.pk, "source": source.reference, "target": target.reference},
            now=now,
        )
    return request


# --- closing -------------------------------------------------------------------------------------


def close_revision(call: Call, *, actor: User, now: datetime) -> RevisionClosed:
    """After the revision deadline: every remaining proposal moves to the competition or to selection.

    ``RevisionNotOver`` before the deadline (or without one), ``RevisionAlreadyClosed`` the second
    time. One audit event per transition plus ``call.revision_closed``.
    """
    deadline = _revision_deadline(call)
    if deadline is None or now <= deadline:
        raise RevisionNotOver(deadline)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        closed = AuditEvent.objects.filter(
            action=CLOSED_ACTION, target_type=call._meta.label_lower, target_id=str(call.pk)
        )
        if closed.exists():
            raise RevisionAlreadyClosed
        remaining = list(
            Proposal.objects.select_for_update()
            .filter(call=call, state__in=sorted(REMAINING_STATES))
            .order_by("reference", "pk")
        )
        total = BudgetLine.objects.filter(proposal__in=remaining).aggregate(total=Sum("amount"))["total"]
        requested_total = (total or Decimal("0")).quantize(Decimal("0.01"))
        count = len(remaining)
        if count > call.max_labs:
            path = PATH_COMPETITION
            reason = (
                f"Es sind {count} Vorschläge verblieben, mehr als die {call.max_labs} Plätze des Aufrufs: "
                "Alle nehmen am Teilnahmewettbewerb teil."
            )
        elif requested_total > call.budget:
            path = PATH_COMPETITION
            reason = (
                f"Es sind {count} Vorschläge verblieben, nicht mehr als die {call.max_labs} Plätze, aber sie "
                f"beantragen zusammen {format_euro(requested_total)} und damit mehr als das Fördervolumen von "
                f"{format_euro(call.budget)}: Das Budget bindet, deshalb entscheidet der Teilnahmewettbewerb."
            )
        else:
            path = PATH_SELECTION
            reason = (
                f"Es sind {count} Vorschläge verblieben, nicht mehr als die {call.max_labs} Plätze, und sie "
                f"beantragen zusammen {format_euro(requested_total)}, nicht mehr als das Fördervolumen von "
                f"{format_euro(call.budget)}: Alle werden ohne Teilnahmewettbewerb ausgewählt."
            )
        to = S.IN_COMPETITION if path == PATH_COMPETITION else S.SELECTED
        for proposal in remaining:
            transition_proposal(
                proposal,
                to=to,
                actor=actor,
                now=now,
                reason="revision_closed",
                data={"revised": proposal.state == S.REVISED},
            )
        record_event(
            actor=actor,
            action=CLOSED_ACTION,
            target=call,
            data={
                "path": path,
                "remaining": count,
                "max_labs": call.max_labs,
                "requested_total": requested_total,
                "budget": call.budget,
                "moved": [p.reference for p in remaining],
                "reason": reason,
            },
            now=now,
        )
    return RevisionClosed(
        path=path,
        reason=reason,
        remaining=count,
        requested_total=requested_total,
        moved=[p.reference for p in remaining],
    )


def is_revision_closed(call: Call) -> bool:
    return AuditEvent.objects.filter(
        action=CLOSED_ACTION, target_type=call._meta.label_lower, target_id=str(call.pk)
    ).exists()
