"""Selection runs (what-if), the decision, and the waitlist move-ups after it.

A run stores everything its result depends on — the candidates with their aggregated scores,
the rules, the code and solver versions — so ``optimiser.optimise`` can recompute it exactly.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SelectionRun(models.Model):
    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="selection_runs")
    number = models.PositiveIntegerField()
    label = models.CharField(_("Bezeichnung"), max_length=200, blank=True)
    #: ``optimiser.Rules`` as JSON (amounts, scores and shares as decimal strings, ``"0.5"`` is
    #: 50 %) plus ``explain_top`` and ``time_limit``; see ``serialise.rules_to_json``.
    parameters = models.JSONField()
    #: ``candidates``: the ``optimiser.Candidate`` JSON in the published order; ``excluded``: the
    #: proposals left out before solving, with their reason; ``proposals``: what the screens show
    #: per proposal (reference, title, Land …) as it was at the run. See ``queries.Inputs``.
    inputs = models.JSONField()
    #: How the scores were aggregated (method, normalisation, criteria and weights).
    aggregation = models.JSONField(default=dict)
    #: The optimal result and the greedy result (CONSUL's rule), both as JSON.
    result = models.JSONField()
    greedy_result = models.JSONField()
    status = models.CharField(max_length=30)
    code_version = models.CharField(max_length=80)
    solver_version = models.CharField(max_length=80)
    duration_ms = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("Auswahllauf")
        verbose_name_plural = _("Auswahlläufe")
        constraints = [models.UniqueConstraint(fields=["call", "number"], name="selection_run_number_unique")]

    def __str__(self) -> str:
        return f"Lauf {self.number}"


class Outcome(models.TextChoices):
    SELECTED = "selected", _("ausgewählt")
    WAITLISTED = "waitlisted", _("Nachrückliste")
    NOT_SELECTED = "not_selected", _("nicht ausgewählt")


class Decision(models.Model):
    """The call's decision: one run turned into outcomes with a reason per proposal."""

    call = models.OneToOneField("calls.Call", on_delete=models.PROTECT, related_name="decision")
    run = models.ForeignKey(SelectionRun, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Förderentscheidung")
        verbose_name_plural = _("Förderentscheidungen")

    def __str__(self) -> str:
        return f"Entscheidung {self.call_id}"


class DecisionEntry(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="entries")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    #: 1 = best; the published ranking (score descending, then the published tie-break order).
    rank = models.PositiveIntegerField()
    score = models.DecimalField(max_digits=14, decimal_places=4)
    requested_amount = models.DecimalField(max_digits=14, decimal_places=2)
    granted_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    #: Position on the waitlist (1 = next to move up), else null.
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    #: The optimiser's plain-German explanation, and the reason staff give (published after redaction).
    explanation = models.TextField(blank=True)
    reason = models.TextField(_("Begründung"))

    class Meta:
        verbose_name = _("Ergebnis je Interessenbekundung")
        constraints = [
            models.UniqueConstraint(fields=["decision", "proposal"], name="decision_entry_once_per_proposal"),
            models.CheckConstraint(
                condition=Q(granted_amount__gte=0), name="decision_entry_granted_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(outcome="selected") | Q(granted_amount=0),
                name="decision_entry_only_selected_granted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.outcome}"


class MoveUp(models.Model):
    """A selected lab withdrew; the next fitting proposal on the waitlist moved up."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="move_ups")
    withdrawn = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="+")
    moved_up = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, null=True, related_name="+")
    granted_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    #: Plain German: who moved up and why the ones before them did not fit.
    explanation = models.TextField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.withdrawn_id} → {self.moved_up_id}"
