"""The call (Aufruf): its phases, budget, eligibility rules and challenges.

Writes go through :mod:`oglabs.calls.services`; reads through :mod:`oglabs.calls.queries`.
The semantics of the phases (inclusive deadlines, instants in UTC) are defined in the pure
module :mod:`oglabs.calls.timeline`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oglabs.calls import timeline


class Currency(models.TextChoices):
    EUR = "EUR", _("Euro")


class PhaseKind(models.TextChoices):
    OPEN = timeline.OPEN, _("Einreichungsphase")
    DEADLINE = timeline.DEADLINE, _("Einreichungsfrist")
    WORKSHOP = timeline.WORKSHOP, _("Workshop")
    REVISION_DEADLINE = timeline.REVISION_DEADLINE, _("Frist für überarbeitete Projektvorschläge")
    SELECTION = timeline.SELECTION, _("Auswahl")


#: Kinds of local authority that may apply. The values are those of
#: ``oglabs.places.models.MunicipalityKind`` (a sibling app this one must not import; a test
#: keeps the two in step).
APPLICANT_KINDS: tuple[str, ...] = ("stadt", "gemeinde", "landkreis")


def default_applicant_kinds() -> list[str]:
    return list(APPLICANT_KINDS)


class Call(models.Model):
    """One funding call (Förderaufruf / Interessenbekundungsverfahren)."""

    slug = models.SlugField(_("Kurzbezeichnung"), max_length=100, unique=True)
    title = models.CharField(_("Titel"), max_length=300)
    description = models.TextField(_("Beschreibung"), blank=True)
    sponsor = models.CharField(_("Zuwendungsgeber"), max_length=300)
    programme = models.CharField(_("Förderprogramm"), max_length=300)
    budget = models.DecimalField(_("Fördervolumen"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("Währung"), max_length=3, choices=Currency.choices, default=Currency.EUR)
    #: Haushaltsvorbehalt: the funds are subject to the federal budget.
    budget_reservation = models.BooleanField(_("Haushaltsvorbehalt"), default=False)
    max_labs = models.PositiveSmallIntegerField(_("Höchstzahl geförderter Labore"))
    funding_starts_on = models.DateField(_("Förderbeginn"))
    funding_ends_on = models.DateField(_("Förderende"))
    contact_email = models.EmailField(_("E-Mail-Adresse für Rückfragen"))
    #: Organisations that accompany the call (e.g. the umbrella associations), one per line.
    partner_organisations = models.TextField(_("Partnerorganisationen"), blank=True)
    is_published = models.BooleanField(_("veröffentlicht"), default=False)
    #: Four-eyes principle for the formal check: a second staff member confirms each decision.
    eligibility_four_eyes = models.BooleanField(
        _("Vier-Augen-Prinzip bei der formalen Prüfung"), default=False
    )
    created_at = models.DateTimeField(_("angelegt am"))
    updated_at = models.DateTimeField(_("geändert am"))
    #: Counts the changes of the call (fields, schedule, eligibility rules; ``update_call``):
    #: what was worked out from the call as it stood names the count (a prepared submission).
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("Aufruf")
        verbose_name_plural = _("Aufrufe")
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="call_budget_non_negative"),
            models.CheckConstraint(condition=Q(max_labs__gte=1), name="call_max_labs_at_least_one"),
            models.CheckConstraint(
                condition=Q(funding_ends_on__gte=F("funding_starts_on")), name="call_funding_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(currency__in=[c.value for c in Currency]), name="call_currency_valid"
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="call_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def partner_organisation_list(self) -> list[str]:
        return [line.strip() for line in self.partner_organisations.splitlines() if line.strip()]

    def phase_spans(self) -> list[timeline.PhaseSpan]:
        """The phases as plain data for :mod:`oglabs.calls.timeline` (uses prefetched phases)."""
        return [phase.as_span() for phase in self.phases.all()]


class Phase(models.Model):
    """A dated phase of a call: an interval, or an instant for the deadline kinds.

    ``starts_at`` and ``ends_at`` are both inclusive. A deadline's ``starts_at == ends_at`` is
    the last instant at which a submission is accepted (e.g. 31.10.2019 23:59:59.999999
    Europe/Berlin). The ``open`` phase ends at the deadline.
    """

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("Phase"), max_length=20, choices=PhaseKind.choices)
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))

    class Meta:
        verbose_name = _("Phase")
        verbose_name_plural = _("Phasen")
        constraints = [
            models.UniqueConstraint(fields=["call", "kind"], name="phase_one_per_kind_and_call"),
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")), name="phase_ends_not_before_start"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in PhaseKind]), name="phase_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(timeline.DEADLINE_KINDS)) | Q(ends_at=F("starts_at")),
                name="phase_deadline_is_instant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call_id}: {self.get_kind_display()}"

    def as_span(self) -> timeline.PhaseSpan:
        return timeline.PhaseSpan(kind=self.kind, starts_at=self.starts_at, ends_at=self.ends_at)


class EligibilityRules(models.Model):
    """Who may apply and what an expression of interest must contain (section 4 of the call)."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, primary_key=True, related_name="eligibility")
    #: Subset of :data:`APPLICANT_KINDS`; checked by the service.
    applicant_kinds = models.JSONField(_("Teilnahmeberechtigte Kommunen"), default=default_applicant_kinds)
    min_municipalities = models.PositiveSmallIntegerField(_("Mindestzahl Kommunen"), default=1)
    min_civil_society_partners = models.PositiveSmallIntegerField(
        _("Mindestzahl zivilgesellschaftlicher Partner"), default=1
    )
    requires_tasks = models.BooleanField(_("Laboraufgaben erforderlich"), default=True)
    requires_cost_estimate = models.BooleanField(_("Schätzung des Mittelbedarfs erforderlich"), default=True)
    #: Eigenanteil: welcome, but not a condition in the 2019 call.
    requires_own_contribution = models.BooleanField(_("Eigenanteil erforderlich"), default=False)

    class Meta:
        verbose_name = _("Teilnahmevoraussetzungen")
        verbose_name_plural = _("Teilnahmevoraussetzungen")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_municipalities__gte=1), name="eligibility_min_municipalities_at_least_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call_id}"


class Challenge(models.Model):
    """A regional challenge a lab may address (e.g. "Bewältigung des regionalen Strukturwandels")."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="challenges")
    key = models.SlugField(_("Schlüssel"), max_length=60)
    label = models.CharField(_("Bezeichnung"), max_length=200)
    position = models.PositiveSmallIntegerField(_("Position"))

    class Meta:
        verbose_name = _("Herausforderung")
        verbose_name_plural = _("Herausforderungen")
        constraints = [
            models.UniqueConstraint(fields=["call", "key"], name="challenge_key_unique_per_call"),
            models.UniqueConstraint(fields=["call", "position"], name="challenge_position_unique_per_call"),
        ]

    def __str__(self) -> str:
        return self.label
