"""Questions about a call and their published answers (FAQ); workshops and their registrations.

Personal data stays here and never reaches a public page: who asked a question
(``Question.asker*``) and who attends a workshop (``Registration.attendee_*``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    """A theme that groups the questions of one call in the FAQ (e.g. "Förderfähige Kosten")."""

    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="question_topics")
    label = models.CharField(_("Thema"), max_length=120)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("Thema")
        verbose_name_plural = _("Themen")
        constraints = [
            models.UniqueConstraint(fields=["call", "label"], name="topic_label_unique_per_call"),
            models.CheckConstraint(condition=~Q(label=""), name="topic_label_not_empty"),
        ]

    def __str__(self) -> str:
        return self.label


class QuestionSource(models.TextChoices):
    PORTAL = "portal", _("Portal")
    PUBLIC = "public", _("öffentliches Formular")
    MAIL = "mail", _("per E-Mail oder Post")


class QuestionState(models.TextChoices):
    OPEN = "open", _("offen")
    ANSWERED = "answered", _("beantwortet")
    PUBLISHED = "published", _("veröffentlicht")
    REJECTED = "rejected", _("abgelehnt oder doppelt")


class Question(models.Model):
    """A question (Rückfrage) about a call. Its answer is published to all, anonymised.

    ``text`` is what the person wrote and is never published; ``public_question`` is the
    staff-written rephrasing without names that appears in the FAQ next to ``answer``.
    """

    call = models.ForeignKey("calls.Call", on_delete=models.PROTECT, related_name="questions")
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("Thema"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
    )
    text = models.TextField(_("Frage"))
    source = models.CharField(_("Eingang"), max_length=10, choices=QuestionSource.choices)
    asked_at = models.DateTimeField(_("gestellt am"))
    #: Personal data, never published: the account (portal) or the name and address given.
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    asker_name = models.CharField(_("Name"), max_length=200, blank=True)
    asker_email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    state = models.CharField(
        _("Status"), max_length=10, choices=QuestionState.choices, default=QuestionState.OPEN
    )
    public_question = models.TextField(_("Frage, wie sie veröffentlicht wird"), blank=True)
    answer = models.TextField(_("Antwort"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    rejected_reason = models.TextField(_("Grund"), blank=True)

    class Meta:
        verbose_name = _("Rückfrage")
        verbose_name_plural = _("Rückfragen")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in QuestionState]), name="question_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=[s.value for s in QuestionSource]), name="question_source_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["answered", "published"])
                | (~Q(public_question="") & ~Q(answer="") & Q(answered_at__isnull=False)),
                name="question_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(published_at__isnull=False),
                name="question_published_has_date",
            ),
        ]
        indexes = [models.Index(fields=["call", "state"], name="question_call_state_idx")]

    def __str__(self) -> str:
        return f"Rückfrage {self.pk}"


class Workshop(models.Model):
    """An event for the consortia of a call, at a place, online, or both."""

    call = models.ForeignKey("calls.Call", on_delete=models.PROTECT, related_name="workshops")
    title = models.CharField(_("Titel"), max_length=200)
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))
    place = models.TextField(_("Ort"), blank=True)
    online_url = models.URLField(_("Link zur Online-Teilnahme"), max_length=500, blank=True)
    capacity = models.PositiveSmallIntegerField(_("Plätze"))
    agenda = models.TextField(_("Tagesordnung"), blank=True)
    documentation = models.TextField(_("Dokumentation"), blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("Workshop")
        verbose_name_plural = _("Workshops")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="workshop_capacity_at_least_one"),
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")), name="workshop_ends_not_before_start"
            ),
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_url=""), name="workshop_place_or_online"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class WorkshopInvitation(models.Model):
    """A consortium (its proposal) is invited to a workshop."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="invitations")
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="workshop_invitations"
    )
    invited_at = models.DateTimeField()
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workshop", "proposal"], name="workshop_invitation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} → {self.workshop_id}"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("angemeldet")
    WAITLISTED = "waitlisted", _("auf der Warteliste")
    CANCELLED = "cancelled", _("abgemeldet")


class Registration(models.Model):
    """One named attendee of a consortium at a workshop. The name is personal data: staff only."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="registrations")
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="workshop_registrations"
    )
    attendee_name = models.CharField(_("Name der teilnehmenden Person"), max_length=200)
    attendee_email = models.EmailField(_("E-Mail-Adresse der teilnehmenden Person"), blank=True)
    attendee_role = models.CharField(_("Funktion oder Organisation"), max_length=200, blank=True)
    status = models.CharField(_("Status"), max_length=12, choices=RegistrationStatus.choices)
    #: Place on the waitlist (1 = next to move up); only for waitlisted registrations.
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    registered_at = models.DateTimeField()
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    #: Recorded by staff after the workshop; ``None`` until then.
    attended = models.BooleanField(_("teilgenommen"), null=True, blank=True)

    class Meta:
        verbose_name = _("Anmeldung")
        verbose_name_plural = _("Anmeldungen")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in RegistrationStatus]),
                name="registration_status_valid",
            ),
            models.CheckConstraint(
                condition=(Q(status="waitlisted") & Q(waitlist_position__isnull=False))
                | (~Q(status="waitlisted") & Q(waitlist_position__isnull=True)),
                name="registration_waitlist_has_position",
            ),
            models.UniqueConstraint(
                fields=["workshop", "waitlist_position"],
                condition=Q(waitlist_position__isnull=False),
                name="registration_waitlist_position_unique",
            ),
        ]
        indexes = [models.Index(fields=["workshop", "status"], name="registration_workshop_idx")]

    def __str__(self) -> str:
        return f"Anmeldung {self.pk}"


class WorkshopMaterial(models.Model):
    """A PDF for the invited consortia (slides, documentation), checked by content like proposal uploads."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("Titel"), max_length=200)
    file = models.FileField(upload_to="attachments/")
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("Workshop-Material")
        verbose_name_plural = _("Workshop-Materialien")

    def __str__(self) -> str:
        return self.title
