"""Publishing the decision without personal data, and sealing the content at each deadline.

Redaction (four eyes): ``prepare_publication`` runs the detector over every decision entry's
reason (``PublicText``, status *marked*); staff adjust the marks (``adjust_marks``); a *different*
staff member confirms (``confirm_text``) or returns them (``return_text``). ``publish_decision``
is refused until every reason is confirmed. Only confirmed texts leave
``queries.public_texts``.

Deadline commitment: ``commit_deadline`` computes the Merkle root (``merkle``) over every
proposal's last handed-in version at or before the deadline, once, after the deadline has passed.

Audit actions: ``transparency.publication_prepared``, ``transparency.marks_adjusted``,
``transparency.text_confirmed``, ``transparency.text_returned``,
``transparency.decision_published``, ``transparency.allow_list_updated``,
``transparency.deadline_committed``. Audit data never holds
the texts or the marked words (the log is append-only; personal data must not end up in it), only
positions, kinds and counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from oglabs.accounts.models import User
from oglabs.audit.services import record_event
from oglabs.calls.models import Call, Phase
from oglabs.calls.timeline import DEADLINE, DEADLINE_KINDS, REVISION_DEADLINE
from oglabs.proposals.hashing import (
    FORMAT_HASH_TREE,
    content_format,
    disclosed_hash,
    node_hash,
    version_hash,
    version_hash_from_parts,
)
from oglabs.proposals.models import ProposalVersion, VersionKind
from oglabs.selection.models import Decision, DecisionEntry
from oglabs.transparency import merkle, queries, redaction
from oglabs.transparency.disclosure import disclosure_of
from oglabs.transparency.exceptions import (
    AlreadyPublished,
    DeadlineNotPassed,
    InvalidMarks,
    NoDeadline,
    NoteRequired,
    PublicationNotReady,
    SecondPersonRequired,
    TextNotAwaitingConfirmation,
    TextOutdated,
    VersionHashMismatch,
)
from oglabs.transparency.models import (
    DeadlineCommitment,
    PublicationAllowList,
    PublicText,
    PublishedField,
    SealedDisclosure,
)
from oglabs.transparency.redaction import Mark
from oglabs.transparency.states import TextStatus, can_transition

# ------------------------------------------------------------------------------------------------
# Redaction


def _spans(marks: Iterable[Mark]) -> list[list[Any]]:
    """Marks for the audit log: positions and kinds, never the marked words."""
    return [[mark.start, mark.end, mark.kind] for mark in marks]


def marks_of(text: PublicText) -> list[Mark]:
    return [Mark.from_dict(item) for item in text.marks]


def auto_marks_of(text: PublicText) -> list[Mark]:
    return [Mark.from_dict(item) for item in text.auto_marks]


def prepare_publication(decision: Decision, *, actor: User, now: datetime) -> list[PublicText]:
    """Create or refresh the public text of every entry's reason; returns them by proposal.

    A new reason, or one that changed since it was prepared, gets fresh automatic marks (status
    *marked*, any confirmation dropped). An unchanged reason whose marks nobody has set yet gets
    what the detector finds now (new names, a changed allow list); one that staff marked or a
    second person returned keeps their marks plus anything the detector finds that is new; a
    confirmed, unchanged reason stays as it is. Texts of proposals no longer in the decision
    are removed. Refused with ``AlreadyPublished`` after publication.
    """
    with transaction.atomic():
        locked = Decision.objects.select_for_update().select_related("call").get(pk=decision.pk)
        if locked.published_at is not None:
            raise AlreadyPublished(locked.published_at)
        detect = redaction.Detector(
            person_names=queries.person_names(), allowed=queries.allowed_phrases(locked.call)
        )
        entries = list(DecisionEntry.objects.filter(decision=locked).order_by("rank", "proposal_id"))
        existing = {
            text.proposal_id: text
            for text in PublicText.objects.select_for_update().filter(
                decision=locked, field=PublishedField.REASON
            )
        }
        counts = {"created": 0, "refreshed": 0, "redetected": 0, "extended": 0, "unchanged": 0, "removed": 0}
        result: list[PublicText] = []
        for entry in entries:
            found = detect(entry.reason)
            text = existing.get(entry.proposal_id)
            if text is None:
                text = PublicText(decision=locked, proposal_id=entry.proposal_id, field=PublishedField.REASON)
                _reset(text, entry.reason, found, actor=actor, now=now)
                text.save()
                counts["created"] += 1
            elif text.original != entry.reason:
                _reset(text, entry.reason, found, actor=actor, now=now)
                text.save()
                counts["refreshed"] += 1
            elif text.status == TextStatus.MARKED and text.marked_by_id is None:
                # Nobody has touched the marks yet: the detector's new result replaces them.
                if text.auto_marks != [mark.as_dict() for mark in found]:
                    text.auto_marks = text.marks = [mark.as_dict() for mark in found]
                    text.redacted = redaction.apply(text.original, found)
                    text.save(update_fields=["auto_marks", "marks", "redacted"])
                    counts["redetected"] += 1
                else:
                    counts["unchanged"] += 1
            elif text.status != TextStatus.CONFIRMED:
                known = set(auto_marks_of(text))
                new = [mark for mark in found if mark not in known]
                if new:
                    marks = redaction.merge(text.original, [*marks_of(text), *new])
                    text.auto_marks = [mark.as_dict() for mark in found]
                    text.marks = [mark.as_dict() for mark in marks]
                    text.redacted = redaction.apply(text.original, marks)
                    text.save(update_fields=["auto_marks", "marks", "redacted"])
                    counts["extended"] += 1
                else:
                    counts["unchanged"] += 1
            else:
                counts["unchanged"] += 1
            result.append(text)
        current = {entry.proposal_id for entry in entries}
        stale = [text.pk for proposal_id, text in existing.items() if proposal_id not in current]
        if stale:
            PublicText.objects.filter(pk__in=stale).delete()
            counts["removed"] = len(stale)
        record_event(
            actor=actor,
            action="transparency.publication_prepared",
            target=locked,
            data={"call": locked.call.slug, "field": PublishedField.REASON.value, **counts},
            now=now,
        )
    return result


def _move(text: PublicText, to: TextStatus) -> None:
    """The only place that sets ``PublicText.status`` (``states.TRANSITIONS``)."""
    if text.pk is not None and not can_transition(text.status, to):
        raise AssertionError(f"public text {text.pk}: {text.status} → {to} is not allowed")
    text.status = to


def _reset(text: PublicText, original: str, found: Sequence[Mark], *, actor: User, now: datetime) -> None:
    text.original = original
    text.auto_marks = [mark.as_dict() for mark in found]
    text.marks = [mark.as_dict() for mark in found]
    text.redacted = redaction.apply(original, found)
    _move(text, TextStatus.MARKED)
    text.prepared_by = actor
    text.marked_by = None
    text.marked_at = now
    text.confirmed_by = None
    text.confirmed_at = None
    text.returned_note = ""


def _lock_text(text: PublicText) -> PublicText:
    locked = PublicText.objects.select_for_update().select_related("decision").get(pk=text.pk)
    current = DecisionEntry.objects.filter(decision_id=locked.decision_id, proposal_id=locked.proposal_id)
    if not current.filter(reason=locked.original).exists():
        raise TextOutdated
    return locked


def adjust_marks(text: PublicText, *, marks: Sequence[Mark], actor: User, now: datetime) -> PublicText:
    """Set the marks of ``text`` (staff kept, removed or added some). Overlapping marks are joined.

    The text goes (back) to *marked*, any confirmation is dropped, and ``actor`` becomes the one
    who marked it, so a different person has to confirm. This is allowed after publication too: the
    text then disappears from the public pages until it is confirmed again. Refused with
    ``InvalidMarks`` when a mark does not fit the text, ``TextOutdated`` when the reason changed.
    """
    with transaction.atomic():
        locked = _lock_text(text)
        merged = redaction.merge(locked.original, marks)
        try:
            redacted = redaction.apply(locked.original, merged)
        except ValueError as error:
            raise InvalidMarks(str(error)) from error
        before = marks_of(locked)
        was = locked.status
        locked.marks = [mark.as_dict() for mark in merged]
        locked.redacted = redacted
        _move(locked, TextStatus.MARKED)
        locked.marked_by = actor
        locked.marked_at = now
        locked.confirmed_by = None
        locked.confirmed_at = None
        locked.save(
            update_fields=[
                "marks",
                "redacted",
                "status",
                "marked_by",
                "marked_at",
                "confirmed_by",
                "confirmed_at",
            ]
        )
        record_event(
            actor=actor,
            action="transparency.marks_adjusted",
            target=locked,
            data={
                "proposal": locked.proposal_id,
                "from_status": was,
                "before": _spans(before),
                "after": _spans(merged),
            },
            now=now,
        )
    return locked


def _check_second_person(locked: PublicText, actor: User) -> None:
    if actor.pk in {locked.prepared_by_id, locked.marked_by_id}:
        raise SecondPersonRequired


def confirm_text(text: PublicText, *, actor: User, now: datetime) -> PublicText:
    """A second staff member confirms the marks: the redacted text may now be published.

    Refused with ``SecondPersonRequired`` for whoever prepared or marked it,
    ``TextNotAwaitingConfirmation`` unless it is *marked*, ``TextOutdated`` if the reason changed.
    """
    with transaction.atomic():
        locked = _lock_text(text)
        if locked.status != TextStatus.MARKED:
            raise TextNotAwaitingConfirmation(str(TextStatus(locked.status).label))
        _check_second_person(locked, actor)
        marks = marks_of(locked)
        if redaction.apply(locked.original, marks) != locked.redacted:
            raise InvalidMarks("redacted text differs from the marks")
        _move(locked, TextStatus.CONFIRMED)
        locked.confirmed_by = actor
        locked.confirmed_at = now
        locked.returned_note = ""
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at", "returned_note"])
        record_event(
            actor=actor,
            action="transparency.text_confirmed",
            target=locked,
            data={"proposal": locked.proposal_id, "marks": _spans(marks)},
            now=now,
        )
    return locked


def return_text(text: PublicText, *, note: str, actor: User, now: datetime) -> PublicText:
    """A second staff member sends the marks back with a note (e.g. a name was missed).

    Refused like ``confirm_text``, and with ``NoteRequired`` without a note.
    """
    note = note.strip()
    if not note:
        raise NoteRequired
    with transaction.atomic():
        locked = _lock_text(text)
        if locked.status != TextStatus.MARKED:
            raise TextNotAwaitingConfirmation(str(TextStatus(locked.status).label))
        _check_second_person(locked, actor)
        _move(locked, TextStatus.RETURNED)
        locked.returned_note = note
        locked.save(update_fields=["status", "returned_note"])
        # The note may name what was missed: it stays in the text's row, not in the audit log.
        record_event(
            actor=actor,
            action="transparency.text_returned",
            target=locked,
            data={"proposal": locked.proposal_id},
            now=now,
        )
    return locked


def update_allow_list(call: Call, *, entries: str, actor: User, now: datetime) -> PublicationAllowList:
    """Set the names that may stay in the call's published texts (one per line; blank lines and
    repeated entries dropped). Takes effect the next time the publication is prepared."""
    lines: list[str] = []
    for line in entries.splitlines():
        cleaned = " ".join(line.split())
        if cleaned and cleaned.casefold() not in {seen.casefold() for seen in lines}:
            lines.append(cleaned)
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        allow_list, created = PublicationAllowList.objects.get_or_create(
            call=locked, defaults={"entries": "", "updated_at": now, "updated_by": actor}
        )
        before = len(allow_list.entry_list)
        allow_list.entries = "\n".join(lines)
        allow_list.updated_at = now
        allow_list.updated_by = actor
        allow_list.save(update_fields=["entries", "updated_at", "updated_by"])
        record_event(
            actor=actor,
            action="transparency.allow_list_updated",
            target=allow_list,
            data={"call": locked.slug, "before": 0 if created else before, "after": len(lines)},
            now=now,
        )
    return allow_list


def publish_decision(decision: Decision, *, actor: User, now: datetime) -> Decision:
    """Publish the decision: refused with ``PublicationNotReady`` (what is missing, in German)
    until every reason is confirmed and unchanged since; ``AlreadyPublished`` the second time."""
    with transaction.atomic():
        locked = Decision.objects.select_for_update().select_related("call").get(pk=decision.pk)
        if locked.published_at is not None:
            raise AlreadyPublished(locked.published_at)
        ready, missing = queries.publication_ready(locked)
        if not ready:
            raise PublicationNotReady(missing)
        locked.published_at = now
        locked.save(update_fields=["published_at"])
        record_event(
            actor=actor,
            action="transparency.decision_published",
            target=locked,
            data={"call": locked.call.slug, "texts": len(queries.public_texts(locked))},
            now=now,
        )
    return locked


# ------------------------------------------------------------------------------------------------
# Deadline commitment

_LABELS = {DEADLINE: "Einreichungsfrist", REVISION_DEADLINE: "Frist für überarbeitete Projektvorschläge"}


def deadline_leaves(call: Call, deadline_at: datetime) -> list[merkle.Leaf]:
    """Every proposal's last handed-in version (submitted or revised) at or before ``deadline_at``.

    A pure function of the stored versions: computed later, it gives the same leaves. Each stored
    hash is checked against its content first (``VersionHashMismatch``).
    """
    versions = (
        ProposalVersion.objects.filter(
            proposal__call=call,
            kind__in=[VersionKind.SUBMITTED, VersionKind.REVISED],
            created_at__lte=deadline_at,
        )
        .order_by("proposal_id", "-number")
        .values_list("proposal_id", "proposal__reference", "sha256", "content")
    )
    latest: dict[int, tuple[str, str]] = {}
    for proposal_id, reference, sha256, content in versions.iterator(chunk_size=500):
        if proposal_id in latest:
            continue
        if version_hash(content) != sha256:
            raise VersionHashMismatch(reference)
        latest[proposal_id] = (reference, sha256)
    return merkle.build_leaves(latest.values())


def _sealed_disclosures(call: Call, commitment: DeadlineCommitment) -> list[SealedDisclosure]:
    """Each leaf's version of content format 2 as the open data disclose it (``disclosure_of``),
    made once here so that the export need not hash the whole content again. Each is checked to
    give the leaf's version hash (``VersionHashMismatch``)."""
    committed = {str(leaf["reference"]): str(leaf["version_sha256"]) for leaf in commitment.leaves}
    versions = (
        ProposalVersion.objects.filter(
            proposal__call=call,
            kind__in=[VersionKind.SUBMITTED, VersionKind.REVISED],
            created_at__lte=commitment.deadline_at,
        )
        .order_by("proposal__reference", "number")
        .values_list("proposal__reference", "sha256", "content")
    )
    result: dict[str, SealedDisclosure] = {}
    for reference, sha256, content in versions.iterator(chunk_size=500):
        if committed.get(reference) != sha256 or reference in result:
            continue
        if content_format(content) != FORMAT_HASH_TREE:
            continue  # format 1: the export shows only the two part hashes, cheap to compute
        public = disclosure_of(content["public"])
        private_sha256 = node_hash(content["private"])
        if version_hash_from_parts(disclosed_hash(public), private_sha256) != sha256:
            raise VersionHashMismatch(reference)
        result[reference] = SealedDisclosure(
            commitment=commitment,
            reference=reference,
            version_sha256=sha256,
            public=public,
            private_sha256=private_sha256,
        )
    return [result[reference] for reference in sorted(result)]


def commit_deadline(call: Call, *, kind: str = DEADLINE, now: datetime) -> DeadlineCommitment:
    """Seal the call's content at the deadline ``kind``: the Merkle root, one audit event.

    Each leaf of content format 2 also gets its disclosure for the open data
    (``SealedDisclosure``), computed once here.

    Idempotent: once made, the commitment is returned unchanged (no second event). Refused with
    ``NoDeadline`` when the call has no such deadline and ``DeadlineNotPassed`` while
    ``now`` is at or before it (the deadline instant itself still accepts submissions).
    """
    if kind not in DEADLINE_KINDS:
        raise ValueError(f"not a deadline kind: {kind!r}")
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        existing = DeadlineCommitment.objects.filter(call=locked, kind=kind).order_by("pk").first()
        if existing is not None:
            return existing
        phase = Phase.objects.filter(call=locked, kind=kind).order_by("pk").first()
        if phase is None:
            raise NoDeadline(_LABELS[kind])
        deadline_at = phase.ends_at
        if now <= deadline_at:
            raise DeadlineNotPassed(deadline_at)
        leaves = deadline_leaves(locked, deadline_at)
        root = merkle.root([leaf.hash for leaf in leaves])
        commitment = DeadlineCommitment.objects.create(
            call=locked,
            kind=kind,
            deadline_at=deadline_at,
            root=root,
            leaf_count=len(leaves),
            leaves=[leaf.as_dict() for leaf in leaves],
            tree_format=merkle.FORMAT,
            created_at=now,
        )
        SealedDisclosure.objects.bulk_create(_sealed_disclosures(locked, commitment), batch_size=500)
        record_event(
            actor=None,
            action="transparency.deadline_committed",
            target=commitment,
            data={
                "call": locked.slug,
                "kind": kind,
                "deadline_at": deadline_at,
                "root": root,
                "leaf_count": len(leaves),
                "format": merkle.FORMAT,
            },
            now=now,
        )
    return commitment


def commit_due_deadlines(*, now: datetime) -> list[DeadlineCommitment]:
    """Make every commitment whose deadline has passed and that does not exist yet (the sweep)."""
    due = queries.due_deadlines(now=now)
    calls = Call.objects.in_bulk({call_id for call_id, _ in due})
    return [commit_deadline(calls[call_id], kind=kind, now=now) for call_id, kind in due]
