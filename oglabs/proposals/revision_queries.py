"""Reads of the revision window: counts for staff, handed-in versions and their diff, merge requests."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from oglabs.calls.models import Call
from oglabs.proposals.diff import ContentDiff, diff_contents
from oglabs.proposals.models import (
    LabForm,
    MemberRole,
    MergeRequest,
    MergeStatus,
    Proposal,
    ProposalVersion,
    VersionKind,
)
from oglabs.proposals.services.revision import MERGEABLE_STATES, OPENABLE_STATES
from oglabs.proposals.states import ProposalState

S = ProposalState
#: Versions a consortium handed in (a refused concurrent edit is kept, but has another shape).
HANDED_IN_KINDS = (VersionKind.SUBMITTED, VersionKind.REVISED)


def revision_counts(call: Call) -> dict[str, int]:
    """How many of the call's proposals are in each state that matters for the revision window."""
    states = [S.ELIGIBLE, S.INVITED, S.IN_REVISION, S.REVISED, S.WITHDRAWN, S.MERGED]
    counts = Proposal.objects.filter(call=call).aggregate(
        **{state.value: Count("pk", filter=Q(state=state)) for state in states}
    )
    result = {state.value: int(counts[state.value]) for state in states}
    result["openable"] = sum(result[state.value] for state in OPENABLE_STATES)
    return result


def proposal_for_staff(pk: int) -> Proposal | None:
    """Any proposal with its call (staff and jurors read it in the back office)."""
    return Proposal.objects.select_related("call", "lead_municipality").filter(pk=pk).first()


def handed_in_versions(proposal: Proposal) -> list[ProposalVersion]:
    """The submitted and revised versions, oldest first."""
    return list(
        proposal.versions.filter(kind__in=HANDED_IN_KINDS).select_related("created_by").order_by("number")
    )


def sketch_and_revision(
    versions: list[ProposalVersion],
) -> tuple[ProposalVersion | None, ProposalVersion | None]:
    """The sketch (the first version of kind ``submitted``) and the latest revision (``revised``)."""
    sketch = next((v for v in versions if v.kind == VersionKind.SUBMITTED), None)
    revision = next((v for v in reversed(versions) if v.kind == VersionKind.REVISED), None)
    return sketch, revision


def value_labels(call: Call) -> dict[str, str]:
    """What the diff shows for stored keys: the lab's form and the call's challenges."""
    labels = {str(value): str(label) for value, label in LabForm.choices}
    labels.update({challenge.key: challenge.label for challenge in call.challenges.all()})
    return labels


def version_diff(old: ProposalVersion, new: ProposalVersion, *, call: Call) -> ContentDiff:
    return diff_contents(old.content["public"], new.content["public"], labels=value_labels(call))


def lead_proposals_of(user: Any) -> QuerySet[Proposal]:
    """The proposals the person leads (only a lead can request or consent to a merge)."""
    if not getattr(user, "is_authenticated", False):
        return Proposal.objects.none()
    return Proposal.objects.filter(members__user=user, members__role=MemberRole.LEAD)


def mergeable_by_reference(call: Call, reference: str, *, exclude: Proposal) -> Proposal | None:
    """Another proposal of the call in the revision window, found by its reference."""
    return (
        Proposal.objects.filter(
            call=call, reference=reference.strip().upper(), state__in=sorted(MERGEABLE_STATES)
        )
        .exclude(pk=exclude.pk)
        .first()
    )


def merge_requests_of(proposal: Proposal) -> dict[str, list[MergeRequest]]:
    """Pending requests: ``incoming`` (others ask to merge into this one), ``outgoing``; and
    ``decided`` ones involving this proposal, newest first."""
    base = MergeRequest.objects.select_related("source", "target", "requested_by", "consented_by")
    involving = base.filter(Q(source=proposal) | Q(target=proposal))
    pending = involving.filter(status=MergeStatus.PENDING).order_by("requested_at", "pk")
    return {
        "incoming": [r for r in pending if r.target_id == proposal.pk],
        "outgoing": [r for r in pending if r.source_id == proposal.pk],
        "decided": list(involving.exclude(status=MergeStatus.PENDING).order_by("-requested_at", "-pk")),
    }


def merge_request_for_member(user: Any, pk: int) -> MergeRequest | None:
    """A merge request, if ``user`` is a member of its source or its target; otherwise ``None``."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        MergeRequest.objects.filter(pk=pk)
        .filter(Q(source__members__user=user) | Q(target__members__user=user))
        .select_related("source", "target", "source__call", "requested_by")
        .distinct()
        .first()
    )
