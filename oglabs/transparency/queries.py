"""Reads of what may be published. The only way other apps get a published free text.

``public_texts`` returns confirmed texts only, and only while the reason they were made from is
still the decision entry's reason: a text that was not reviewed by a second staff member — or
whose reason changed after that — never leaves this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet

from oglabs.accounts.models import User
from oglabs.calls.models import Call, Phase
from oglabs.calls.timeline import DEADLINE, DEADLINE_KINDS
from oglabs.selection.models import Decision, DecisionEntry
from oglabs.support.models import Question, Registration
from oglabs.transparency import merkle
from oglabs.transparency.models import (
    DeadlineCommitment,
    PublicationAllowList,
    PublicText,
    PublishedField,
    TextStatus,
)


def _current(texts: QuerySet[PublicText]) -> QuerySet[PublicText]:
    """Only texts whose ``original`` is still their decision entry's reason."""
    return texts.filter(
        Exists(
            DecisionEntry.objects.filter(
                decision_id=OuterRef("decision_id"),
                proposal_id=OuterRef("proposal_id"),
                reason=OuterRef("original"),
            )
        )
    )


def public_texts(decision: Decision, proposal_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Proposal id → the published (redacted, second-staff-confirmed) reason. One query.

    Proposals whose reason is not confirmed (or changed since) are absent; show nothing for them.
    With ``proposal_ids`` only those proposals are read (a page of the decision table).
    """
    texts = PublicText.objects.filter(
        decision=decision, field=PublishedField.REASON, status=TextStatus.CONFIRMED
    )
    if proposal_ids is not None:
        texts = texts.filter(proposal_id__in=list(proposal_ids))
    return dict(_current(texts).values_list("proposal_id", "redacted"))


def _count(number: int, one: str, many: str) -> str:
    return one if number == 1 else many.format(n=number)


def publication_ready(decision: Decision) -> tuple[bool, list[str]]:
    """Whether ``decision`` may be published, and in German what is still missing. Three queries."""
    entry_ids = set(DecisionEntry.objects.filter(decision=decision).values_list("proposal_id", flat=True))
    texts = PublicText.objects.filter(decision=decision, field=PublishedField.REASON)
    status = dict(texts.values_list("proposal_id", "status"))
    current = set(_current(texts).values_list("proposal_id", flat=True))
    missing: list[str] = []
    if decision.published_at is not None:
        missing.append("Die Entscheidung ist bereits veröffentlicht.")
    if not entry_ids:
        missing.append("Die Entscheidung enthält keine Interessenbekundung.")
    unprepared = len(entry_ids - status.keys())
    if unprepared:
        missing.append(
            _count(
                unprepared,
                "1 Begründung ist noch nicht zur Schwärzung vorbereitet.",
                "{n} Begründungen sind noch nicht zur Schwärzung vorbereitet.",
            )
        )
    changed = len((entry_ids & status.keys()) - current)
    if changed:
        missing.append(
            _count(
                changed,
                "1 Begründung wurde nach der Vorbereitung geändert und muss neu vorbereitet werden.",
                "{n} Begründungen wurden nach der Vorbereitung geändert und müssen neu vorbereitet werden.",
            )
        )
    ids = entry_ids & current
    waiting = sum(1 for pk in ids if status[pk] == TextStatus.MARKED)
    if waiting:
        missing.append(
            _count(
                waiting,
                "1 Begründung wartet auf die Bestätigung der Schwärzungen durch eine zweite Person.",
                "{n} Begründungen warten auf die Bestätigung der Schwärzungen durch eine zweite Person.",
            )
        )
    returned = sum(1 for pk in ids if status[pk] == TextStatus.RETURNED)
    if returned:
        missing.append(
            _count(
                returned,
                "1 Begründung wurde zur Überarbeitung der Schwärzungen zurückgegeben.",
                "{n} Begründungen wurden zur Überarbeitung der Schwärzungen zurückgegeben.",
            )
        )
    return (not missing, missing)


def is_published(call: Call) -> bool:
    """Whether the call's decision is published (one query)."""
    return Decision.objects.filter(call=call, published_at__isnull=False).exists()


# ------------------------------------------------------------------------------------------------
# What the detector is given


def person_names() -> list[str]:
    """Every person name the system holds, sorted: users (applicants, jurors, staff), workshop
    attendees, people who asked a question. Over-inclusive on purpose: a name from another call
    is marked too. E-mail addresses and phone numbers are found by their patterns."""
    names: set[str] = set()
    for first, last in User.objects.values_list("first_name", "last_name"):
        full = f"{first} {last}".strip()
        if full:
            names.add(full)
    names.update(Registration.objects.exclude(attendee_name="").values_list("attendee_name", flat=True))
    names.update(Question.objects.exclude(asker_name="").values_list("asker_name", flat=True))
    return sorted(name.strip() for name in names if name.strip())


def allowed_phrases(call: Call) -> list[str]:
    """What may stay in the call's published texts: the allow list, and the call's own public
    contact address (it is on the call page anyway)."""
    phrases = [call.contact_email] if call.contact_email else []
    entries = PublicationAllowList.objects.filter(call=call).values_list("entries", flat=True).first()
    if entries:
        phrases.extend(line.strip() for line in entries.splitlines() if line.strip())
    return phrases


def allow_list_of(call: Call) -> PublicationAllowList | None:
    return PublicationAllowList.objects.filter(call=call).order_by("pk").first()


# ------------------------------------------------------------------------------------------------
# Redaction screens


def decision_of(call: Call) -> Decision | None:
    """The call's decision (there is at most one), with its call."""
    return Decision.objects.filter(call=call).select_related("call").order_by("pk").first()


def texts_of(decision: Decision) -> list[PublicText]:
    """The decision's public texts with their proposal and the people involved, by rank."""
    ranks = dict(DecisionEntry.objects.filter(decision=decision).values_list("proposal_id", "rank"))
    texts = list(
        PublicText.objects.filter(decision=decision)
        .select_related("proposal", "prepared_by", "marked_by", "confirmed_by")
        .order_by("proposal__reference", "field")
    )
    return sorted(texts, key=lambda t: (ranks.get(t.proposal_id, 0), t.proposal.reference, t.field))


def get_text(decision: Decision, pk: int) -> PublicText:
    return PublicText.objects.select_related("proposal", "prepared_by", "marked_by", "confirmed_by").get(
        decision=decision, pk=pk
    )


# ------------------------------------------------------------------------------------------------
# Deadline commitments


def commitment_for(call: Call, kind: str = DEADLINE) -> DeadlineCommitment | None:
    """The call's deadline commitment of ``kind`` (``deadline`` or ``revision_deadline``), if made."""
    return DeadlineCommitment.objects.filter(call=call, kind=kind).order_by("pk").first()


def commitments_of(call: Call) -> list[DeadlineCommitment]:
    """The call's commitments in deadline order (for the public call page). One query, without
    the leaves."""
    return list(DeadlineCommitment.objects.filter(call=call).defer("leaves").order_by("deadline_at", "kind"))


def due_deadlines(*, now: datetime) -> list[tuple[int, str]]:
    """``(call id, kind)`` of every deadline that has passed at ``now`` without a commitment."""
    made = set(DeadlineCommitment.objects.values_list("call_id", "kind"))
    rows = (
        Phase.objects.filter(kind__in=sorted(DEADLINE_KINDS), ends_at__lt=now)
        .order_by("ends_at", "call_id", "kind")
        .values_list("call_id", "kind")
    )
    return [(call_id, kind) for call_id, kind in rows if (call_id, kind) not in made]


@dataclass(frozen=True)
class InclusionProof:
    """What a published proposal needs to be checked against the commitment."""

    reference: str
    version_sha256: str
    leaf: str
    index: int
    steps: list[merkle.ProofStep]
    root: str

    def as_dict(self) -> dict[str, object]:
        return {
            "reference": self.reference,
            "version_sha256": self.version_sha256,
            "leaf": self.leaf,
            "index": self.index,
            "proof": [step.as_dict() for step in self.steps],
            "root": self.root,
        }


def inclusion_proofs(
    commitment: DeadlineCommitment, references: set[str] | None = None
) -> dict[str, InclusionProof]:
    """Reference → inclusion proof, for every leaf (or only those in ``references``)."""
    leaves = commitment.leaves
    tree = merkle.levels([item["leaf"] for item in leaves])
    result: dict[str, InclusionProof] = {}
    for index, item in enumerate(leaves):
        if references is not None and item["reference"] not in references:
            continue
        result[item["reference"]] = InclusionProof(
            reference=item["reference"],
            version_sha256=item["version_sha256"],
            leaf=item["leaf"],
            index=index,
            steps=merkle.proof_from_levels(tree, index),
            root=commitment.root,
        )
    return result


def next_uncommitted_deadline(*, now: datetime) -> datetime | None:
    """The earliest deadline at or after ``now`` that has no commitment yet (for the sweep)."""
    made = set(DeadlineCommitment.objects.values_list("call_id", "kind"))
    rows = (
        Phase.objects.filter(kind__in=sorted(DEADLINE_KINDS), ends_at__gte=now)
        .order_by("ends_at", "call_id", "kind")
        .values_list("call_id", "kind", "ends_at")
    )
    return next((ends_at for call_id, kind, ends_at in rows if (call_id, kind) not in made), None)
