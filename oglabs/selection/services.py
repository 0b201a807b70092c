"""Writes of the selection: a run (what-if), the decision, and moving up from the waitlist.

- :func:`run_selection` solves the call's selection under the given rules and stores the run
  with everything it depends on (candidates, rules, aggregation, code and solver versions), both
  results (the proven optimum and CONSUL's greedy rule) and one audit event ``selection.run_created``.
  :func:`recompute_run` solves the stored inputs again and says whether the result is the same.
- :func:`decide` turns one run into the call's decision (one per call): an entry per proposal
  with a reason, the transitions *ausgewählt* / *Nachrückliste* / *nicht ausgewählt* (one audit
  event each, plus ``selection.decided``) and a mail to every consortium.
- :func:`withdraw_selected_lab`: a selected lab withdraws; the first proposal on the waitlist
  that fits the budget left and the rules of the decided run moves up (``MoveUp``, audit event
  ``selection.moved_up``, mails). The explanation names everyone skipped and why.

Every refusal raises a :class:`~oglabs.selection.exceptions.SelectionRefused` with a German
message before anything is written.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max

import oglabs
from oglabs.accounts.models import User
from oglabs.audit.services import record_event
from oglabs.calls.models import Call
from oglabs.proposals.models import Proposal
from oglabs.proposals.services import transition_proposal, withdraw_proposal
from oglabs.proposals.states import ProposalState
from oglabs.selection import mails, optimiser, queries, run_queries
from oglabs.selection.exceptions import (
    AlreadyDecided,
    InvalidParameters,
    NoCandidates,
    NoDecision,
    NotSelectedLab,
    ReasonsMissing,
    RunNotProven,
    RunOutdated,
    WithdrawalReasonMissing,
)
from oglabs.selection.models import Decision, DecisionEntry, MoveUp, Outcome, SelectionRun
from oglabs.selection.optimiser import Status, format_eur, format_percent
from oglabs.selection.serialise import comparable, result_from_json, result_to_json, rules_from_json

LABEL_MAX_LENGTH = 200


@cache
def code_version() -> str:
    """The package version and the SHA-256 of the optimiser module: the code a result depends on
    (deterministic; a ``git describe`` would change with every unrelated commit)."""
    digest = hashlib.sha256(Path(optimiser.__file__).read_bytes()).hexdigest()
    return f"oglabs {oglabs.__version__} optimiser sha256:{digest[:16]}"


# --------------------------------------------------------------------------------------------------
# Runs


def _lock_call(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


def run_selection(
    call: Call,
    *,
    label: str = "",
    budget: Decimal | str | int,
    max_labs: int,
    max_per_state: int | None = None,
    rural_min_share: Decimal | str | None = None,
    min_score: Decimal | str | None = None,
    partial_min_share: Decimal | str | None = None,
    actor: User,
    now: datetime,
) -> SelectionRun:
    """Solve and store a selection run of ``call``; shares are fractions (``Decimal("0.5")``).

    Refused (nothing stored) with ``InvalidParameters``, ``NoCandidates`` (no proposal in the
    competition) or ``AlreadyDecided``. The candidates are read and solved before the write
    transaction; :func:`decide` checks that they are still the same.
    """
    label = label.strip()
    if len(label) > LABEL_MAX_LENGTH:
        raise InvalidParameters(
            {"label": f"Die Bezeichnung darf höchstens {LABEL_MAX_LENGTH} Zeichen lang sein."}
        )
    rules = queries.selection_rules(
        budget=budget,
        max_labs=max_labs,
        max_per_state=max_per_state,
        rural_min_share=rural_min_share,
        min_score=min_score,
        partial_min_share=partial_min_share,
    )
    if Decision.objects.filter(call=call).exists():
        raise AlreadyDecided
    computation = queries.compute_selection(call, rules)
    if not computation.inputs.proposals:
        raise NoCandidates
    with transaction.atomic():
        _lock_call(call)
        if Decision.objects.filter(call=call).exists():
            raise AlreadyDecided
        number = (SelectionRun.objects.filter(call=call).aggregate(n=Max("number"))["n"] or 0) + 1
        result = computation.result
        run = SelectionRun.objects.create(
            call=call,
            number=number,
            label=label,
            parameters=computation.parameters_json(),
            inputs=computation.inputs.to_json(),
            aggregation=computation.inputs.aggregation,
            result=result_to_json(result),
            greedy_result=result_to_json(computation.greedy),
            status=result.status.value,
            code_version=code_version(),
            solver_version=optimiser.solver_version(),
            duration_ms=computation.duration_ms,
            created_at=now,
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="selection.run_created",
            target=run,
            data={
                "call": call.slug,
                "number": number,
                "label": label,
                "parameters": run.parameters,
                "status": result.status.value,
                "proven_optimal": result.proven_optimal,
                "selected": [grant.id for grant in result.selected],
                "total_score": result.total_score,
                "total_granted": result.total_granted,
                "greedy_total_score": computation.greedy.total_score,
                "code_version": run.code_version,
            },
            now=now,
        )
    return run


def recompute_run(run: SelectionRun) -> bool:
    """Solve the run's stored inputs and rules again: True when the optimal and the greedy
    result are the same as stored (apart from the time taken and the solver's reported gap)."""
    result, greedy = queries.resolve_stored(run)
    return comparable(result) == comparable(result_from_json(run.result)) and comparable(
        greedy
    ) == comparable(result_from_json(run.greedy_result))


# --------------------------------------------------------------------------------------------------
# The decision


def _stored_fingerprint(run: SelectionRun) -> dict[str, Any]:
    return {
        "candidates": list(run.inputs["candidates"]),
        "excluded": sorted((item["id"], item["code"]) for item in run.inputs["excluded"]),
    }


def _changes(stored: Mapping[str, Any], current: Mapping[str, Any]) -> str:
    before = {c["id"]: c for c in stored["candidates"]} | dict(stored["excluded"])
    after = {c["id"]: c for c in current["candidates"]} | dict(current["excluded"])
    changed = sorted(
        set(before) ^ set(after) | {key for key in set(before) & set(after) if before[key] != after[key]}
    )
    count = len(changed)
    if count == 0:  # the same proposals, but another published order
        return "die veröffentlichte Reihenfolge"
    return "eine Interessenbekundung" if count == 1 else f"{count} Interessenbekundungen"


def decide(run: SelectionRun, *, reasons: Mapping[int, str], actor: User, now: datetime) -> Decision:
    """Turn ``run`` into the call's decision. ``reasons`` maps every proposal of the run to the
    reason the consortium is told (the screens prefill the optimiser's explanation).

    Refused with ``AlreadyDecided``, ``RunNotProven`` (only a proven optimum is decided),
    ``RunOutdated`` (scores, amounts, places or the set of proposals changed since the run) or
    ``ReasonsMissing``. Writes the decision, one entry per proposal, one transition per proposal
    (its audit event carries the reason), the event ``selection.decided`` and one mail per consortium.
    """
    cleaned = {int(pid): str(text).strip() for pid, text in reasons.items()}
    with transaction.atomic():
        call = _lock_call(run.call)
        if Decision.objects.filter(call=call).exists():
            raise AlreadyDecided
        if run.status != Status.OPTIMAL:
            raise RunNotProven(_status_label(run.status))
        stored = _stored_fingerprint(run)
        current = queries.selection_inputs(call).fingerprint()
        if stored != current:
            raise RunOutdated(_changes(stored, current))
        view = run_queries.view_of(run)
        missing = [row.proposal_id for row in view.rows if not cleaned.get(row.proposal_id)]
        if missing:
            raise ReasonsMissing(missing)
        decision = Decision.objects.create(call=call, run=run, decided_at=now, decided_by=actor)
        entries = DecisionEntry.objects.bulk_create(
            DecisionEntry(
                decision=decision,
                proposal_id=row.proposal_id,
                outcome=row.outcome,
                rank=row.rank,
                score=row.score,
                requested_amount=row.requested,
                granted_amount=row.granted,
                waitlist_position=row.waitlist_position,
                explanation=row.explanation,
                reason=cleaned[row.proposal_id],
            )
            for row in view.rows
        )
        proposals = Proposal.objects.select_related("call", "lead_municipality").in_bulk(
            [row.proposal_id for row in view.rows]
        )
        for entry in entries:
            proposal = proposals[entry.proposal_id]
            transition_proposal(
                proposal,
                to=ProposalState(entry.outcome),
                actor=actor,
                now=now,
                reason=entry.reason,
                data={
                    "decision": decision.pk,
                    "run": run.number,
                    "rank": entry.rank,
                    "granted": entry.granted_amount,
                    "waitlist_position": entry.waitlist_position,
                },
            )
        record_event(
            actor=actor,
            action="selection.decided",
            target=decision,
            data={
                "call": call.slug,
                "run": run.number,
                "selected": len(view.selected),
                "waitlisted": len(view.waitlist),
                "not_selected": len(view.not_selected),
                "total_granted": view.totals.total_granted,
                "total_score": view.totals.total_score,
            },
            now=now,
        )
        for entry in entries:
            mails.queue_decision_mail(proposals[entry.proposal_id], entry, now=now)
    return decision


def _status_label(status: str) -> str:
    return {
        Status.OPTIMAL: "optimal bewiesen",
        Status.NOT_PROVEN: "nicht als optimal bewiesen (Zeitgrenze)",
        Status.NO_ELIGIBLE: "keine berechtigte Interessenbekundung",
        Status.RURAL_SHARE_UNATTAINABLE: "Mindestanteil ländlicher Labore nicht erreichbar",
        Status.HEURISTIC: "Näherung",
    }.get(Status(status), status)


# --------------------------------------------------------------------------------------------------
# Moving up from the waitlist


@dataclass(frozen=True)
class _Funded:
    state_key: str
    rural: bool


def _move_up_rules(run: SelectionRun) -> tuple[optimiser.Rules, Fraction | None, Fraction | None]:
    rules = rules_from_json(run.parameters)
    rural = None if rules.min_rural_share is None else Fraction(rules.min_rural_share)
    share = None if rules.min_funding_share is None else Fraction(rules.min_funding_share)
    return rules, rural, share


def _cents(amount: Decimal) -> int:
    return int(amount * 100)


def _why_not(
    info: Mapping[str, Any],
    requested: Decimal,
    *,
    funded: list[_Funded],
    left: int,
    rules: optimiser.Rules,
    rural_share: Fraction | None,
    funding_share: Fraction | None,
) -> tuple[list[str], int]:
    """The rules the candidate would break if it moved up now, and the cents it would get."""
    reasons: list[str] = []
    requested_cents = _cents(requested)
    minimum = requested_cents if funding_share is None else math.ceil(funding_share * requested_cents)
    if minimum > left:
        what = "beantragt" if funding_share is None else "mindestens nötig"
        reasons.append(
            f"passt nicht in das verbleibende Budget von {format_eur(left)} ({what}: {format_eur(minimum)})"
        )
    if len(funded) + 1 > rules.max_labs:
        reasons.append(f"die Höchstzahl von {rules.max_labs} Laboren wäre überschritten")
    if rules.max_per_state is not None:
        same = sum(1 for item in funded if item.state_key == info["state_key"])
        if same + 1 > rules.max_per_state:
            reasons.append(
                f"die Höchstzahl von {rules.max_per_state} Laboren je Land wäre in {info['state_name'] or '–'} überschritten"
            )
    if rural_share is not None:
        rural = sum(1 for item in funded if item.rural) + (1 if info["rural"] else 0)
        if rural * rural_share.denominator < rural_share.numerator * (len(funded) + 1):
            reasons.append(
                f"der Mindestanteil ländlicher Labore von {format_percent(rural_share)} wäre unterschritten"
            )
    return reasons, min(requested_cents, left)


def withdraw_selected_lab(proposal: Proposal, *, reason: str, actor: User, now: datetime) -> MoveUp:
    """A selected lab withdraws (``withdraw_proposal``: state *zurückgezogen*, its own audit
    event); its grant is freed and the first proposal on the waitlist (by position) that is still
    waiting and fits the budget left and the rules of the decided run moves up to *ausgewählt*
    with a granted amount (partial funding as in the run). Recorded as a ``MoveUp`` with a plain
    German explanation of who was skipped and why (``moved_up`` is empty if nobody fits), one
    audit event ``selection.moved_up``; the withdrawn and the moved-up consortium are mailed.

    Refused with ``WithdrawalReasonMissing``, ``NotSelectedLab`` (not *ausgewählt*) or
    ``NoDecision`` (the proposal is not part of a decision, e.g. selected without competition).
    """
    reason = reason.strip()
    if not reason:
        raise WithdrawalReasonMissing
    with transaction.atomic():
        _lock_call(proposal.call)
        locked = (
            Proposal.objects.select_for_update(of=("self",))
            .select_related("call", "lead_municipality")
            .get(pk=proposal.pk)
        )
        if locked.state != ProposalState.SELECTED:
            raise NotSelectedLab(str(ProposalState(locked.state).label))
        decision = queries.decision_of(locked.call)
        if decision is None:
            raise NoDecision
        grants = queries.current_grants(decision)
        if locked.pk not in grants:
            raise NoDecision
        freed = grants.pop(locked.pk)
        withdraw_proposal(locked, actor=actor, reason=reason, now=now)
        run = decision.run
        shown: dict[str, dict[str, Any]] = run.inputs["proposals"]
        rules, rural_share, funding_share = _move_up_rules(run)
        funded = [_Funded(shown[str(pid)]["state_key"], bool(shown[str(pid)]["rural"])) for pid in grants]
        left = _cents(rules.budget) - sum(_cents(amount) for amount in grants.values())
        skipped: list[str] = []
        chosen: DecisionEntry | None = None
        granted_cents = 0
        waiting = (
            DecisionEntry.objects.filter(decision=decision, outcome=Outcome.WAITLISTED)
            .select_related("proposal")
            .order_by("waitlist_position")
        )
        for entry in waiting:
            candidate = entry.proposal
            name = f"Platz {entry.waitlist_position}, {candidate.reference} „{candidate.title}“"
            if candidate.state != ProposalState.WAITLISTED:
                skipped.append(
                    f"{name}: nicht mehr auf der Nachrückliste ({ProposalState(candidate.state).label})"
                )
                continue
            broken, cents = _why_not(
                shown[str(candidate.pk)],
                entry.requested_amount,
                funded=funded,
                left=left,
                rules=rules,
                rural_share=rural_share,
                funding_share=funding_share,
            )
            if broken:
                skipped.append(f"{name}: " + "; ".join(broken))
                continue
            chosen, granted_cents = entry, cents
            break
        head = (
            f"{locked.reference} „{locked.title}“ ist zurückgetreten; frei werden {format_eur(_cents(freed))}, "
            f"verfügbar sind damit {format_eur(left)}."
        )
        if chosen is not None:
            outcome = (
                f"Nachgerückt ist Platz {chosen.waitlist_position}, {chosen.proposal.reference} "
                f"„{chosen.proposal.title}“, mit {format_eur(granted_cents)}"
                + (
                    f" (gekürzt von {format_eur(_cents(chosen.requested_amount))})."
                    if granted_cents < _cents(chosen.requested_amount)
                    else "."
                )
            )
        else:
            outcome = (
                "Niemand auf der Nachrückliste passt in das verbleibende Budget und die Regeln der Auswahl; "
                "die Mittel bleiben frei."
            )
        passed = (" Übersprungen: " + " – ".join(skipped) + ".") if skipped else ""
        explanation = f"{head} {outcome}{passed}"
        move_up = MoveUp.objects.create(
            decision=decision,
            withdrawn=locked,
            moved_up=chosen.proposal if chosen is not None else None,
            granted_amount=Decimal(granted_cents) / 100,
            explanation=explanation,
            created_at=now,
            created_by=actor,
        )
        if chosen is not None:
            transition_proposal(
                chosen.proposal,
                to=ProposalState.SELECTED,
                actor=actor,
                now=now,
                reason=explanation,
                data={"move_up": move_up.pk, "withdrawn": locked.pk, "granted": move_up.granted_amount},
            )
        record_event(
            actor=actor,
            action="selection.moved_up",
            target=move_up,
            data={
                "withdrawn": locked.reference,
                "freed": freed,
                "budget_left": Decimal(left) / 100,
                "moved_up": chosen.proposal.reference if chosen is not None else None,
                "granted": move_up.granted_amount,
                "skipped": len(skipped),
                "explanation": explanation,
            },
            now=now,
        )
        mails.queue_withdrawal_mail(locked, reason=reason, now=now)
        if chosen is not None:
            promoted = Proposal.objects.select_related("call", "lead_municipality").get(pk=chosen.proposal_id)
            mails.queue_move_up_mail(promoted, move_up, requested=chosen.requested_amount, now=now)
    proposal.refresh_from_db()
    return move_up


def withdraw_lab(proposal: Proposal, *, reason: str, actor: User, now: datetime) -> MoveUp | None:
    """The withdrawal every interface uses: a lab selected by the call's decision goes through
    :func:`withdraw_selected_lab` (its grant goes to the waitlist); any other proposal is
    withdrawn by ``proposals.services.withdraw_proposal`` (returns ``None``)."""
    if (
        proposal.state == ProposalState.SELECTED
        and Decision.objects.filter(call_id=proposal.call_id).exists()
    ):
        return withdraw_selected_lab(proposal, reason=reason, actor=actor, now=now)
    withdraw_proposal(proposal, actor=actor, reason=reason, now=now)
    return None
