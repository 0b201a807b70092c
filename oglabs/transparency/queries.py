"""Reads of what may be published. The only way other apps get a published free text.

``public_texts`` returns confirmed texts only: a text that was not reviewed by a second staff
member — or was changed after that — never leaves this module.
"""

from __future__ import annotations

from oglabs.calls.models import Call
from oglabs.selection.models import Decision
from oglabs.transparency.models import DeadlineCommitment, PublicText, PublishedField, TextStatus


def public_texts(decision: Decision) -> dict[int, str]:
    """Proposal id → the published (redacted, second-staff-confirmed) reason. One query.

    Proposals whose reason is not confirmed are absent; callers show nothing for them.
    """
    rows = PublicText.objects.filter(
        decision=decision, field=PublishedField.REASON, status=TextStatus.CONFIRMED
    ).values_list("proposal_id", "redacted")
    return dict(rows)


def publication_ready(decision: Decision) -> tuple[bool, list[str]]:
    """Whether ``decision`` may be published, and in German what is still missing."""
    entry_ids = set(decision.entries.values_list("proposal_id", flat=True))
    texts = dict(
        PublicText.objects.filter(decision=decision, field=PublishedField.REASON).values_list(
            "proposal_id", "status"
        )
    )
    missing: list[str] = []
    if decision.published_at is not None:
        missing.append("Die Entscheidung ist bereits veröffentlicht.")
    if not entry_ids:
        missing.append("Die Entscheidung enthält keine Interessenbekundung.")
    unprepared = len(entry_ids - texts.keys())
    if unprepared:
        missing.append(
            f"{unprepared} Begründung(en) sind noch nicht zur Schwärzung vorbereitet."
            if unprepared != 1
            else "1 Begründung ist noch nicht zur Schwärzung vorbereitet."
        )
    waiting = sum(1 for pk in entry_ids if texts.get(pk) == TextStatus.MARKED)
    if waiting:
        missing.append(
            f"{waiting} Begründungen warten auf die Bestätigung durch eine zweite Person."
            if waiting != 1
            else "1 Begründung wartet auf die Bestätigung durch eine zweite Person."
        )
    returned = sum(1 for pk in entry_ids if texts.get(pk) == TextStatus.RETURNED)
    if returned:
        missing.append(
            f"{returned} Begründungen wurden zur Überarbeitung der Schwärzungen zurückgegeben."
            if returned != 1
            else "1 Begründung wurde zur Überarbeitung der Schwärzungen zurückgegeben."
        )
    return (not missing, missing)


def is_published(call: Call) -> bool:
    """Whether the call's decision is published (one query)."""
    return Decision.objects.filter(call=call, published_at__isnull=False).exists()


def commitment_for(call: Call, kind: str = "deadline") -> DeadlineCommitment | None:
    """The call's deadline commitment of ``kind`` (``deadline`` or ``revision_deadline``), if made."""
    return DeadlineCommitment.objects.filter(call=call, kind=kind).order_by("pk").first()
