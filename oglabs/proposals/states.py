"""The proposal lifecycle on one screen: states, the allowed transitions, and nothing else.

``services.transition_proposal`` is the only code that writes ``Proposal.state``, but for the
prepared submission's one conditional UPDATE (``services/submission.py``, ADR 0009), which makes
the transition ``draft → submitted`` of this table with the same audit event. The diagram is in
``docs/workflows.md``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalState(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    SUBMITTED = "submitted", _("eingereicht")
    ELIGIBLE = "eligible", _("förderfähig")
    INELIGIBLE = "ineligible", _("nicht förderfähig")
    INVITED = "invited", _("zum Workshop eingeladen")
    IN_REVISION = "in_revision", _("in Überarbeitung")
    REVISED = "revised", _("überarbeitet eingereicht")
    IN_COMPETITION = "in_competition", _("im Teilnahmewettbewerb")
    SELECTED = "selected", _("ausgewählt")
    WAITLISTED = "waitlisted", _("Nachrückliste")
    NOT_SELECTED = "not_selected", _("nicht ausgewählt")
    WITHDRAWN = "withdrawn", _("zurückgezogen")
    MERGED = "merged", _("zusammengelegt")


S = ProposalState

#: Allowed transitions: from-state → the states it may move to.
TRANSITIONS: dict[ProposalState, frozenset[ProposalState]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.ELIGIBLE, S.INELIGIBLE, S.WITHDRAWN}),
    S.ELIGIBLE: frozenset({S.INVITED, S.IN_REVISION, S.IN_COMPETITION, S.SELECTED, S.WITHDRAWN, S.MERGED}),
    S.INELIGIBLE: frozenset({S.ELIGIBLE}),
    S.INVITED: frozenset({S.IN_REVISION, S.IN_COMPETITION, S.SELECTED, S.WITHDRAWN, S.MERGED}),
    # An un-revised proposal continues with its sketch when the revision phase closes.
    S.IN_REVISION: frozenset({S.REVISED, S.IN_COMPETITION, S.SELECTED, S.WITHDRAWN, S.MERGED}),
    S.REVISED: frozenset({S.IN_REVISION, S.IN_COMPETITION, S.SELECTED, S.WITHDRAWN, S.MERGED}),
    S.IN_COMPETITION: frozenset({S.SELECTED, S.WAITLISTED, S.NOT_SELECTED, S.WITHDRAWN}),
    S.WAITLISTED: frozenset({S.SELECTED, S.NOT_SELECTED, S.WITHDRAWN}),
    S.SELECTED: frozenset({S.WITHDRAWN}),
    S.NOT_SELECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.MERGED: frozenset(),
}

#: States in which the consortium may change the content.
EDITABLE_STATES = frozenset({S.DRAFT, S.IN_REVISION})
#: States that count as "handed in" (sketch or revision).
HANDED_IN_STATES = frozenset(set(ProposalState) - {S.DRAFT})


def can_transition(source: str, target: str) -> bool:
    return ProposalState(target) in TRANSITIONS[ProposalState(source)]
