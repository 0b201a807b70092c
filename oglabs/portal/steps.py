"""The steps of the multi-step proposal form and which eligibility findings each step fixes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oglabs.calls import timeline
from oglabs.proposals.eligibility import Finding
from oglabs.proposals.models import Proposal
from oglabs.proposals.states import ProposalState


@dataclass(frozen=True)
class Step:
    slug: str  # in the URL
    section: str | None  # the section of ``services.save_section``; None for the overview
    label: str | Promise


STEPS: tuple[Step, ...] = (
    Step("allgemeines", "general", _("Allgemeines")),
    Step("kommunen", "municipalities", _("Kommunen")),
    Step("partner", "partners", _("Partner")),
    Step("aufgaben", "tasks", _("Laboraufgaben")),
    Step("mittelbedarf", "budget", _("Mittelbedarf")),
    Step("uebersicht", None, _("Übersicht")),
)
STEP_BY_SLUG = {step.slug: step for step in STEPS}
OVERVIEW = STEPS[-1]

#: The step on which an unmet eligibility finding (by its code) is fixed.
FINDING_STEP: dict[str, str] = {
    "lead": "kommunen",
    "municipalities": "kommunen",
    "civil_society": "partner",
    "tasks": "aufgaben",
    "cost_estimate": "mittelbedarf",
    "texts": "allgemeines",
}


@dataclass(frozen=True)
class StepState:
    step: Step
    number: int
    missing: tuple[Finding, ...] = field(default=())

    @property
    def done(self) -> bool:
        return not self.missing


def next_step(step: Step) -> Step:
    index = STEPS.index(step)
    return STEPS[min(index + 1, len(STEPS) - 1)]


def step_states(findings: Sequence[Finding]) -> list[StepState]:
    """Every step with the unmet findings it fixes; the overview collects all of them."""
    unmet = [finding for finding in findings if not finding.met]
    states = []
    for number, step in enumerate(STEPS, 1):
        if step is OVERVIEW:
            missing = tuple(unmet)
        else:
            missing = tuple(f for f in unmet if FINDING_STEP.get(f.code, OVERVIEW.slug) == step.slug)
        states.append(StepState(step=step, number=number, missing=missing))
    return states


def editing_deadline(proposal: Proposal) -> datetime | None:
    """The last instant at which the consortium may save: the submission deadline for a draft,
    the revision deadline during a revision."""
    spans = proposal.call.phase_spans()
    if proposal.state == ProposalState.IN_REVISION:
        for span in spans:
            if span.kind == timeline.REVISION_DEADLINE:
                return timeline.as_utc(span.ends_at)
        return None
    window = timeline.submission_window(spans)
    return window[1] if window else None
