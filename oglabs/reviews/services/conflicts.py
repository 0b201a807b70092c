"""Conflicts of interest: declared by the juror, detected by rules, overridden by staff.

**Declared** (``declare_conflicts``): before seeing any proposal the juror names those they are
conflicted on, each with a reason; that finishes the declaration. Declaring more later is
possible (e.g. when an assigned proposal turns out to concern them); a declared conflict stands —
the juror cannot take it back and staff can never override it.

**Detected** (``detect_conflicts``, also run by ``add_juror`` and ``assign_reviews``), for every
juror × competing proposal, the first rule that applies (``rule``):

1. ``same_municipality`` — the juror's home municipality is the lead or a further municipality
   of the consortium (always on);
2. ``same_organisation`` — the juror's organisation equals a partner organisation's name
   (case-insensitive, whitespace normalised; setting ``conflict_same_organisation``);
3. ``same_district`` — the home municipality lies in the Kreis of a consortium municipality
   (setting ``conflict_same_district``);
4. ``same_state`` — the juror's Land (home Land, else that of the home municipality) is the Land
   of a consortium municipality (setting ``conflict_same_state``).

Detection is idempotent: pairs that already have a conflict (declared, detected or overridden)
are left alone. Staff may **override** a detected conflict with a written reason.

A new conflict removes the juror's unsubmitted review of that proposal; a submitted one stays on
record but is void (see ``queries``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from oglabs.audit.services import record_event
from oglabs.calls.models import Call
from oglabs.proposals.models import Proposal
from oglabs.reviews import queries
from oglabs.reviews.exceptions import (
    ConflictReasonMissing,
    NotYourSeat,
    OverrideNotAllowed,
    OverrideReasonMissing,
    ProposalNotInCompetition,
)
from oglabs.reviews.models import (
    ConflictOfInterest,
    ConflictSource,
    Juror,
    Review,
    ReviewSettings,
    ReviewState,
)
from oglabs.reviews.services.common import lock_call, require_staff

RULES = ("same_municipality", "same_organisation", "same_district", "same_state")


def normalise_name(name: str) -> str:
    """Organisation names compared case-insensitively with whitespace collapsed."""
    return " ".join(name.casefold().split())


@dataclass(frozen=True)
class Consortium:
    """What the rules compare: the consortium's places and partner names."""

    proposal: Proposal
    municipalities: dict[str, str]  # ars → name
    districts: dict[str, str]  # Kreis ars → name
    states: dict[str, str]  # Land ars → name
    partners: frozenset[str]  # normalised names


def consortia(call: Call, proposals: Iterable[Proposal] | None = None) -> list[Consortium]:
    """The consortia of the call's competing proposals (or of ``proposals``), in 3 queries."""
    queryset = (
        queries.competing_proposals(call)
        .select_related("lead_municipality__district", "lead_municipality__state")
        .prefetch_related(
            "further_municipalities__municipality__district",
            "further_municipalities__municipality__state",
            "partners",
        )
    )
    if proposals is not None:
        queryset = queryset.filter(pk__in=[p.pk for p in proposals])
    result = []
    for proposal in queryset:
        places = [m.municipality for m in proposal.further_municipalities.all()]
        if proposal.lead_municipality is not None:
            places.insert(0, proposal.lead_municipality)
        result.append(
            Consortium(
                proposal=proposal,
                municipalities={m.ars: m.name for m in places},
                districts={m.district_id: m.district.name for m in places},
                states={m.state_id: m.state.name for m in places},
                partners=frozenset(normalise_name(p.name) for p in proposal.partners.all()),
            )
        )
    return result


def rule_for(juror: Juror, consortium: Consortium, settings: ReviewSettings) -> tuple[str, str] | None:
    """The first rule that makes ``juror`` conflicted on the consortium's proposal, with a German
    reason, or ``None``. ``juror`` needs ``home_municipality`` (with Kreis and Land) and
    ``home_state`` loaded."""
    home = juror.home_municipality
    if home is not None and home.ars in consortium.municipalities:
        return "same_municipality", f"Die Heimatkommune {home.name} gehört zum Konsortium."
    organisation = normalise_name(juror.organisation)
    if settings.conflict_same_organisation and organisation and organisation in consortium.partners:
        return (
            "same_organisation",
            f"Die Organisation „{juror.organisation.strip()}“ ist Partner des Konsortiums.",
        )
    if settings.conflict_same_district and home is not None and home.district_id in consortium.districts:
        return (
            "same_district",
            f"Die Heimatkommune {home.name} liegt im selben Kreis ({consortium.districts[home.district_id]}) "
            "wie eine Kommune des Konsortiums.",
        )
    state_id = juror.home_state_id or (home.state_id if home is not None else None)
    if settings.conflict_same_state and state_id is not None and state_id in consortium.states:
        return (
            "same_state",
            f"Das Jurymitglied kommt aus demselben Land ({consortium.states[state_id]}) wie eine Kommune "
            "des Konsortiums.",
        )
    return None


def _remove_unsubmitted(pairs: Iterable[tuple[int, int]]) -> list[int]:
    """Delete the unsubmitted reviews of (juror id, proposal id) pairs; their ids."""
    removed: list[int] = []
    for juror_id, proposal_id in pairs:
        review = (
            Review.objects.filter(juror_id=juror_id, proposal_id=proposal_id)
            .exclude(state=ReviewState.SUBMITTED)
            .order_by("pk")
            .first()
        )
        if review is not None:
            removed.append(review.pk)
            review.delete()
    return removed


def detect_for(
    call: Call, jurors: Iterable[Juror], *, now: datetime, proposals: Iterable[Proposal] | None = None
) -> tuple[list[ConflictOfInterest], list[int]]:
    """Apply the rules (no audit event: the calling service records one). Returns the new conflicts
    and the ids of the unsubmitted reviews they removed."""
    settings = queries.review_settings(call)
    jurors = list(jurors)
    existing = set(ConflictOfInterest.objects.filter(juror__in=jurors).values_list("juror_id", "proposal_id"))
    new = []
    for consortium in consortia(call, proposals):
        for juror in jurors:
            if (juror.pk, consortium.proposal.pk) in existing:
                continue
            found = rule_for(juror, consortium, settings)
            if found is None:
                continue
            rule, reason = found
            new.append(
                ConflictOfInterest(
                    juror=juror,
                    proposal=consortium.proposal,
                    source=ConflictSource.DETECTED,
                    rule=rule,
                    reason=reason,
                    created_at=now,
                )
            )
    created = ConflictOfInterest.objects.bulk_create(new)
    removed = _remove_unsubmitted((c.juror_id, c.proposal_id) for c in created)
    return created, removed


def _jurors_with_homes(call: Call) -> list[Juror]:
    return list(
        Juror.objects.filter(call=call)
        .select_related("home_municipality", "home_state", "user")
        .order_by("pk")
    )


def conflict_summary(conflicts: Iterable[ConflictOfInterest]) -> list[dict[str, Any]]:
    return [
        {"juror": c.juror_id, "proposal": c.proposal_id, "rule": c.rule, "source": c.source}
        for c in conflicts
    ]


def detect_conflicts(call: Call, *, actor: Any, now: datetime) -> int:
    """Apply the detection rules to every juror × competing proposal; the number of new conflicts.
    Idempotent: a second run finds nothing new and records nothing. Audit (only when something was
    found): ``reviews.conflicts_detected`` with the pairs and the removed reviews."""
    require_staff(actor)
    with transaction.atomic():
        lock_call(call)
        created, removed = detect_for(call, _jurors_with_homes(call), now=now)
        if created:
            record_event(
                actor=actor,
                action="reviews.conflicts_detected",
                target=call,
                data={"conflicts": conflict_summary(created), "removed_reviews": removed},
                now=now,
            )
    return len(created)


def declare_conflicts(
    juror: Juror, *, conflicts: Mapping[Proposal, str], actor: Any, now: datetime
) -> list[ConflictOfInterest]:
    """The juror names the proposals they are conflicted on, each with a reason, and thereby
    finishes the declaration (an empty mapping: no conflicts). Conflicts declared earlier stay; a
    detected conflict on a named proposal becomes a declared one (and can no longer be
    overridden). Unsubmitted reviews of named proposals are removed. Only the juror themselves.
    Audit: ``reviews.conflicts_declared`` (none when a repeated declaration adds nothing)."""
    if getattr(actor, "pk", None) != juror.user_id:
        raise NotYourSeat
    missing = sorted(p.reference for p, reason in conflicts.items() if not reason.strip())
    if missing:
        raise ConflictReasonMissing(missing)
    with transaction.atomic():
        lock_call(juror.call)
        locked = Juror.objects.select_for_update().get(pk=juror.pk)
        competing = set(
            Proposal.objects.filter(
                call_id=locked.call_id, state__in=queries.COMPETING_STATES, pk__in=[p.pk for p in conflicts]
            ).values_list("pk", flat=True)
        )
        outside = sorted(p.reference for p in conflicts if p.pk not in competing)
        if outside:
            raise ProposalNotInCompetition(outside[0])
        existing = {c.proposal_id: c for c in ConflictOfInterest.objects.filter(juror=locked)}
        changed: list[ConflictOfInterest] = []
        for proposal, reason in sorted(conflicts.items(), key=lambda item: item[0].reference):
            conflict = existing.get(proposal.pk)
            if conflict is None:
                conflict = ConflictOfInterest.objects.create(
                    juror=locked,
                    proposal_id=proposal.pk,
                    source=ConflictSource.DECLARED,
                    reason=reason.strip(),
                    created_at=now,
                )
            elif conflict.source == ConflictSource.DETECTED:
                conflict.source = ConflictSource.DECLARED
                conflict.reason = reason.strip()
                conflict.overridden_at = None
                conflict.overridden_by = None
                conflict.override_reason = ""
                conflict.save(
                    update_fields=["source", "reason", "overridden_at", "overridden_by", "override_reason"]
                )
            else:
                continue
            changed.append(conflict)
        removed = _remove_unsubmitted((locked.pk, c.proposal_id) for c in changed)
        first = locked.conflicts_declared_at is None
        if first:
            locked.conflicts_declared_at = now
            locked.save(update_fields=["conflicts_declared_at"])
        if first or changed:
            record_event(
                actor=actor,
                action="reviews.conflicts_declared",
                target=locked,
                data={
                    "call": locked.call_id,
                    "first": first,
                    "proposals": [c.proposal_id for c in changed],
                    "removed_reviews": removed,
                },
                now=now,
            )
    juror.conflicts_declared_at = locked.conflicts_declared_at
    return changed


def override_conflict(
    conflict: ConflictOfInterest, *, reason: str, actor: Any, now: datetime
) -> ConflictOfInterest:
    """Staff lift a *detected* conflict with a written reason (declared ones never). The pair may
    then be assigned. Audit: ``reviews.conflict_overridden``."""
    require_staff(actor)
    reason = reason.strip()
    if not reason:
        raise OverrideReasonMissing
    with transaction.atomic():
        locked = ConflictOfInterest.objects.select_for_update().get(pk=conflict.pk)
        if locked.source != ConflictSource.DETECTED:
            raise OverrideNotAllowed(
                "Eine selbst erklärte Befangenheit kann nicht aufgehoben werden: Nur das Jurymitglied "
                "selbst weiß, ob sie besteht."
            )
        if locked.overridden_at is not None:
            raise OverrideNotAllowed("Diese Befangenheit ist bereits aufgehoben.")
        locked.overridden_at = now
        locked.overridden_by = actor
        locked.override_reason = reason
        locked.save(update_fields=["overridden_at", "overridden_by", "override_reason"])
        record_event(
            actor=actor,
            action="reviews.conflict_overridden",
            target=locked,
            data={
                "juror": locked.juror_id,
                "proposal": locked.proposal_id,
                "rule": locked.rule,
                "reason": reason,
            },
            now=now,
        )
    conflict.overridden_at, conflict.overridden_by, conflict.override_reason = now, actor, reason
    return conflict
