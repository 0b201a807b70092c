"""The jury: criteria, jurors, conflicts of interest, assignments, reviews and scores.

Writes go through ``reviews.services``; reads that hide conflicted proposals live in
``reviews.queries``. The pure parts (assignment, aggregation) import none of this.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Aggregation(models.TextChoices):
    MEAN = "mean", _("Mittelwert")
    MEDIAN = "median", _("Median")


class ReviewSettings(models.Model):
    """How a call's competition is reviewed (one row per call, created with defaults on first use)."""

    call = models.OneToOneField(
        "calls.Call", on_delete=models.CASCADE, primary_key=True, related_name="review_settings"
    )
    reviews_per_proposal = models.PositiveSmallIntegerField(_("Gutachten je Interessenbekundung"), default=3)
    max_load = models.PositiveSmallIntegerField(_("Höchstzahl Gutachten je Jurymitglied"), default=12)
    blind_until_submitted = models.BooleanField(
        _("Bewertungen anderer erst nach Abgabe der eigenen sichtbar"), default=True
    )
    aggregation = models.CharField(
        _("Zusammenfassung je Interessenbekundung"),
        max_length=10,
        choices=Aggregation.choices,
        default=Aggregation.MEAN,
    )
    normalise = models.BooleanField(_("Strenge und milde Bewertungen ausgleichen (z-Werte)"), default=False)
    conflict_same_district = models.BooleanField(
        _("Befangenheit bei gleichem Landkreis automatisch annehmen"), default=True
    )
    conflict_same_organisation = models.BooleanField(
        _("Befangenheit bei gleicher Organisation automatisch annehmen"), default=True
    )
    conflict_same_state = models.BooleanField(
        _("Befangenheit bei gleichem Land automatisch annehmen"), default=False
    )
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("Einstellungen der Begutachtung")
        constraints = [
            models.CheckConstraint(
                condition=Q(reviews_per_proposal__gte=1), name="review_settings_k_positive"
            ),
            models.CheckConstraint(condition=Q(max_load__gte=1), name="review_settings_load_positive"),
        ]

    def __str__(self) -> str:
        return f"Begutachtung {self.call_id}"


class Criterion(models.Model):
    """A weighted criterion of a call, scored on an integer scale."""

    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(_("Schlüssel"), max_length=60)
    position = models.PositiveSmallIntegerField(_("Position"))
    name = models.CharField(_("Bezeichnung"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    weight = models.DecimalField(_("Gewicht"), max_digits=6, decimal_places=2)
    scale_min = models.PositiveSmallIntegerField(_("Skala von"), default=0)
    scale_max = models.PositiveSmallIntegerField(_("Skala bis"), default=10)
    min_score = models.DecimalField(
        _("Mindestpunktzahl"), max_digits=6, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("Kriterium")
        verbose_name_plural = _("Kriterien")
        constraints = [
            models.UniqueConstraint(fields=["call", "key"], name="criterion_key_unique_per_call"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(scale_max__gt=F("scale_min")), name="criterion_scale_ordered"),
        ]

    def __str__(self) -> str:
        return self.name


class Juror(models.Model):
    """A member of a call's jury: a user with the juror role, their organisation and home."""

    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="jurors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="juror_seats")
    organisation = models.CharField(_("Organisation"), max_length=200)
    home_municipality = models.ForeignKey(
        "places.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Heimatkommune"),
    )
    home_state = models.ForeignKey(
        "places.State",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Land"),
    )
    expertise = models.TextField(_("Fachgebiete (Stichworte)"), blank=True)
    added_at = models.DateTimeField()
    #: When the juror finished declaring conflicts; before that they see no proposal.
    conflicts_declared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Jurymitglied")
        verbose_name_plural = _("Jurymitglieder")
        constraints = [models.UniqueConstraint(fields=["call", "user"], name="juror_once_per_call")]

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"


class ConflictSource(models.TextChoices):
    DECLARED = "declared", _("selbst erklärt")
    DETECTED = "detected", _("automatisch erkannt")


class ConflictOfInterest(models.Model):
    """A juror is conflicted on a proposal unless a detected conflict was overridden with a reason."""

    juror = models.ForeignKey(Juror, on_delete=models.CASCADE, related_name="conflicts")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="conflicts")
    source = models.CharField(_("Herkunft"), max_length=10, choices=ConflictSource.choices)
    #: Machine rule for detected conflicts (``same_municipality``, ``same_district`` …).
    rule = models.CharField(_("Regel"), max_length=40, blank=True)
    reason = models.TextField(_("Begründung"), blank=True)
    created_at = models.DateTimeField()
    overridden_at = models.DateTimeField(null=True, blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_reason = models.TextField(_("Begründung der Aufhebung"), blank=True)

    class Meta:
        verbose_name = _("Befangenheit")
        verbose_name_plural = _("Befangenheiten")
        constraints = [
            models.UniqueConstraint(
                fields=["juror", "proposal"], name="conflict_once_per_juror_and_proposal"
            ),
            models.CheckConstraint(
                condition=Q(overridden_at__isnull=True) | (Q(source="detected") & ~Q(override_reason="")),
                name="conflict_override_detected_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.juror_id} × {self.proposal_id} ({self.source})"


class AssignmentSource(models.TextChoices):
    AUTOMATIC = "automatic", _("automatisch")
    MANUAL = "manual", _("manuell")


class ReviewState(models.TextChoices):
    OPEN = "open", _("offen")
    DRAFT = "draft", _("Entwurf")
    SUBMITTED = "submitted", _("abgegeben")


class Review(models.Model):
    """One juror's review of one proposal; created by the assignment, filled in by the juror."""

    juror = models.ForeignKey(Juror, on_delete=models.PROTECT, related_name="reviews")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="reviews")
    source = models.CharField(max_length=10, choices=AssignmentSource.choices)
    #: Topical fit used by the assignment (0–1000), for the record.
    fit = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=ReviewState.choices, default=ReviewState.OPEN)
    comment = models.TextField(_("Gesamtkommentar"), blank=True)
    assigned_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Gutachten")
        verbose_name_plural = _("Gutachten")
        constraints = [
            models.UniqueConstraint(fields=["juror", "proposal"], name="one_review_per_juror_and_proposal"),
            models.CheckConstraint(
                condition=Q(state="submitted", submitted_at__isnull=False) | ~Q(state="submitted"),
                name="review_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Gutachten {self.juror_id} × {self.proposal_id}"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    #: Empty only in a draft (a comment written before the points); a submitted review has every value.
    value = models.PositiveSmallIntegerField(_("Punkte"), null=True, blank=True)
    comment = models.TextField(_("Kommentar"), blank=True)

    class Meta:
        verbose_name = _("Bewertung")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="one_score_per_review_and_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"
