"""An expression of interest (Interessenbekundung) and its consortium, partners, tasks and budget.

The content a consortium edits lives in ordinary rows; every submission freezes a
``ProposalVersion`` holding the canonical JSON of that content and its SHA-256.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oglabs.proposals.states import ProposalState


class Stage(models.TextChoices):
    SKETCH = "sketch", _("Interessenbekundung")
    FULL = "full", _("Projektvorschlag")


class LabForm(models.TextChoices):
    PLACE = "place", _("an einem Ort")
    NETWORK = "network", _("als Netzwerk")
    BOTH = "both", _("Ort und Netzwerk")


class Proposal(models.Model):
    call = models.ForeignKey("calls.Call", on_delete=models.PROTECT, related_name="proposals")
    #: Public reference such as ``OGL-2019-007``; assigned at creation, never reused.
    reference = models.CharField(_("Kennung"), max_length=32, unique=True)
    title = models.CharField(_("Titel des Labors"), max_length=200)
    state = models.CharField(
        _("Status"), max_length=20, choices=ProposalState.choices, default=ProposalState.DRAFT
    )
    stage = models.CharField(_("Stufe"), max_length=10, choices=Stage.choices, default=Stage.SKETCH)
    lead_municipality = models.ForeignKey(
        "places.Municipality",
        verbose_name=_("federführende Kommune (Träger)"),
        on_delete=models.PROTECT,
        related_name="led_proposals",
        null=True,
        blank=True,
    )
    region = models.TextField(_("Region und Ausgangslage"), blank=True)
    challenges = models.ManyToManyField("calls.Challenge", verbose_name=_("Herausforderungen"), blank=True)
    lab_form = models.CharField(_("Form des Labors"), max_length=10, choices=LabForm.choices, blank=True)
    moderation = models.TextField(_("Moderation, Interessenausgleich und Konfliktmanagement"), blank=True)
    own_contribution = models.DecimalField(_("Eigenanteil (EUR)"), max_digits=12, decimal_places=2, default=0)
    state_contribution = models.DecimalField(
        _("Finanzierungsbeteiligung des Landes (EUR)"), max_digits=12, decimal_places=2, default=0
    )
    #: Optimistic lock: every content save must name the version it started from.
    lock_version = models.PositiveIntegerField(default=0)
    #: Counts every change of what a submission would freeze: each save (with ``lock_version``),
    #: and the changes that are no edit of the form (a partner's confirmation, a letter of
    #: intent, a merge). A prepared submission is used only for the count it was worked out from.
    content_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    #: Set when two proposals were merged into this one, or this one into another.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )

    class Meta:
        verbose_name = _("Interessenbekundung")
        verbose_name_plural = _("Interessenbekundungen")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in ProposalState]), name="proposal_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(own_contribution__gte=0), name="proposal_own_contribution_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(state_contribution__gte=0), name="proposal_state_contribution_gte_0"
            ),
        ]
        # No index holds ``state``: the key of the call (its foreign key's index) finds a call's
        # proposals, and a change of state rewrites no index (on PostgreSQL a HOT update;
        # migration 0007).

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class MemberRole(models.TextChoices):
    LEAD = "lead", _("federführend")
    EDITOR = "editor", _("bearbeitet mit")


class ConsortiumMember(models.Model):
    """A person who may edit the proposal on behalf of the consortium."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.EDITOR)
    joined_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="member_unique_per_proposal"),
            models.UniqueConstraint(
                fields=["proposal"], condition=Q(role="lead"), name="member_one_lead_per_proposal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.proposal_id}"


class Invitation(models.Model):
    """The lead invites a colleague by e-mail; the link carries a token whose hash is stored."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"invitation {self.pk} to {self.proposal_id}"


class ConsortiumMunicipality(models.Model):
    """A further municipality of the consortium (the lead is ``Proposal.lead_municipality``)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="further_municipalities")
    municipality = models.ForeignKey("places.Municipality", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "municipality"], name="consortium_municipality_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} in {self.proposal_id}"


class PartnerKind(models.TextChoices):
    CIVIL_SOCIETY = "civil_society", _("Zivilgesellschaft")
    SCIENCE = "science", _("Wissenschaft")
    ARTS = "arts", _("Kunst und Kultur")
    BUSINESS = "business", _("Wirtschaft")
    OTHER = "other", _("Sonstige")


class Confirmation(models.TextChoices):
    PENDING = "pending", _("Bestätigung ausstehend")
    CONFIRMED = "confirmed", _("online bestätigt")
    LETTER = "letter", _("Absichtserklärung hochgeladen")


class Partner(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="partners")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("Art"), max_length=16, choices=PartnerKind.choices)
    name = models.CharField(_("Name der Organisation"), max_length=200)
    role_in_lab = models.TextField(_("Rolle im Labor"), blank=True)
    cooperation_exists = models.BooleanField(_("Kooperation besteht bereits"), default=False)
    #: Personal data: never published. Used to send the confirmation link.
    contact_email = models.EmailField(_("E-Mail für die Bestätigung"), blank=True)
    confirmation = models.CharField(max_length=10, choices=Confirmation.choices, default=Confirmation.PENDING)
    confirm_token_hash = models.CharField(max_length=64, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in PartnerKind]), name="partner_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name


class LabTask(models.Model):
    """A concrete, verifiable task of the lab (Laboraufgabe)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    indicator = models.CharField(_("Indikator"), max_length=200, blank=True)
    target_value = models.CharField(_("Zielwert"), max_length=100, blank=True)
    due_on = models.DateField(_("fällig am"), null=True, blank=True)
    verification = models.TextField(_("Wie die Erfüllung geprüft wird"), blank=True)

    def __str__(self) -> str:
        return self.title


class CostCategory(models.TextChoices):
    STAFF = "staff", _("Personal")
    MATERIAL = "material", _("Sachmittel")
    EVENTS = "events", _("Veranstaltungen")
    FEES = "fees", _("Honorare")
    TRAVEL = "travel", _("Reisekosten")
    OTHER = "other", _("Sonstiges")


class BudgetLine(models.Model):
    """Requested funds for one year of the funding period and one cost category (Mittelbedarf)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(_("Jahr"))
    category = models.CharField(_("Kostenart"), max_length=10, choices=CostCategory.choices)
    amount = models.DecimalField(_("Betrag (EUR)"), max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "year", "category"], name="budget_line_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(category__in=[c.value for c in CostCategory]), name="budget_line_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.category} {self.amount}"


class VersionKind(models.TextChoices):
    SUBMITTED = "submitted", _("eingereicht")
    REVISED = "revised", _("überarbeitet eingereicht")
    CONFLICT = "conflict", _("abgelehnte gleichzeitige Änderung")


class ProposalVersion(models.Model):
    """A frozen copy of the proposal's content: canonical JSON and its SHA-256."""

    #: No index of its own: the unique index on (proposal, number) serves every lookup by proposal.
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions", db_index=False)
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=VersionKind.choices)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    content = models.JSONField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: The consortium is owed the receipt (Eingangsbestätigung) of this version: set by the
    #: submission in its transaction, cleared when the worker queues the mail (``receipts.py``).
    receipt_owed = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="proposal_version_unique")]
        indexes = [
            models.Index(fields=["id"], condition=Q(receipt_owed=True), name="version_receipt_owed_idx")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} v{self.number}"


class Attachment(models.Model):
    """An uploaded PDF (letter of intent or other attachment), stored under a random name."""

    class Kind(models.TextChoices):
        LETTER_OF_INTENT = "letter_of_intent", _("Absichtserklärung")
        OTHER = "other", _("Anlage")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="letters"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to="attachments/")
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.original_name


# --- the formal check (eligibility) and the mails of a proposal ----------------------------------------


class EligibilityDecision(models.TextChoices):
    ELIGIBLE = "eligible", _("förderfähig")
    INELIGIBLE = "ineligible", _("nicht förderfähig")


class CheckStatus(models.TextChoices):
    #: Decided by one staff member; waits for a second one (four-eyes).
    PROPOSED = "proposed", _("wartet auf Bestätigung")
    #: In force: the proposal moved to the decided state and the consortium was mailed.
    CONFIRMED = "confirmed", _("entschieden")
    #: Sent back by the second staff member; the proposal is checked again.
    REJECTED = "rejected", _("zurückgewiesen")


class EligibilityCheck(models.Model):
    """One decision of the formal check, with the automatic findings staff saw when deciding.

    Without four-eyes the decision is in force at once (``confirmed``, no ``confirmed_by``); with
    four-eyes it is ``proposed`` until a second staff member confirms or rejects it.
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="eligibility_checks")
    decision = models.CharField(_("Ergebnis"), max_length=10, choices=EligibilityDecision.choices)
    reason = models.TextField(_("Begründung"), blank=True)
    #: The automatic findings at decision time: ``[{"code", "met", "message"}, …]``.
    findings = models.JSONField(_("Automatische Prüfung"))
    status = models.CharField(_("Stand"), max_length=10, choices=CheckStatus.choices)
    #: Whether the call required a second person when this decision was taken.
    four_eyes = models.BooleanField(_("Vier-Augen-Prinzip"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(_("Grund der Zurückweisung"), blank=True)

    class Meta:
        verbose_name = _("Formale Prüfung")
        verbose_name_plural = _("Formale Prüfungen")
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=EligibilityDecision.values), name="eligibility_check_decision_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CheckStatus.values), name="eligibility_check_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(decision=EligibilityDecision.INELIGIBLE, reason=""),
                name="eligibility_check_ineligible_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=CheckStatus.PROPOSED, four_eyes=False),
                name="eligibility_check_proposed_only_with_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(four_eyes=False)
                | ~Q(status=CheckStatus.CONFIRMED)
                | (
                    Q(confirmed_by__isnull=False, confirmed_at__isnull=False)
                    & ~Q(confirmed_by=models.F("decided_by"))
                ),
                name="eligibility_check_four_eyes_confirmed_by_another",
            ),
            models.CheckConstraint(
                condition=~Q(status=CheckStatus.REJECTED)
                | Q(rejected_by__isnull=False, rejected_at__isnull=False),
                name="eligibility_check_rejected_has_who_and_when",
            ),
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(status=CheckStatus.PROPOSED),
                name="eligibility_check_one_open_per_proposal",
            ),
        ]
        indexes = [models.Index(fields=["proposal", "status"], name="eligibility_check_status_idx")]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.decision} ({self.status})"


class ProposalMailKind(models.TextChoices):
    """What a mail about a proposal was (the outbox ``kind`` of the mail)."""

    RECEIPT = "proposal:receipt", _("Eingangsbestätigung")
    PARTNER_CONFIRMATION = "proposal:partner_confirmation", _("Bitte um Partnerbestätigung")
    INVITATION = "proposal:invitation", _("Einladung ins Konsortium")
    ELIGIBILITY_DECISION = "proposal:eligibility_decision", _("Ergebnis der formalen Prüfung")
    MESSAGE = "proposal:message", _("Nachricht des Programmteams")
    # Written by the selection app (decision, withdrawal of a selected lab, moving up).
    SELECTION_DECISION = "selection:decision", _("Förderentscheidung")
    SELECTION_WITHDRAWAL = "selection:withdrawal", _("Rückzug eines ausgewählten Labors")
    SELECTION_MOVE_UP = "selection:move_up", _("Nachrücken")


class ProposalMail(models.Model):
    """A mail the proposals app queued about a proposal: its history of correspondence."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="mails")
    mail = models.ForeignKey("mail.OutboxMail", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("Art"), max_length=40, choices=ProposalMailKind.choices)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("E-Mail zur Interessenbekundung")
        verbose_name_plural = _("E-Mails zur Interessenbekundung")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "mail"], name="proposal_mail_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=ProposalMailKind.values), name="proposal_mail_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["proposal", "created_at"], name="proposal_mail_history_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.mail_id} @ {self.proposal_id}"


class MergeStatus(models.TextChoices):
    PENDING = "pending", _("wartet auf Zustimmung")
    MERGED = "merged", _("zusammengelegt")
    DECLINED = "declined", _("abgelehnt")


class MergeRequest(models.Model):
    """The lead of ``source`` asks to merge it into ``target``; the lead of ``target`` consents.

    Requesting is the consent of the source's lead; the target's lead consents (or declines).
    Written only by ``services.revision``.
    """

    source = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="merge_requests_sent")
    target = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="merge_requests_received")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    consented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consented_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=MergeStatus.choices, default=MergeStatus.PENDING)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="merge_request_distinct"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in MergeStatus]), name="merge_request_status_valid"
            ),
            models.UniqueConstraint(
                fields=["source", "target"],
                condition=Q(status="pending"),
                name="merge_request_one_pending_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"merge {self.source_id} → {self.target_id} ({self.status})"


class PreparedSubmission(models.Model):
    """The submission of a draft as it stands, worked out when the draft was last saved.

    Everything a submission computes is a function of the draft at one ``content_version`` and of
    the call at one ``revision``: the canonical content and its SHA-256, whether every
    eligibility rule is met, the submission window. A save works it out after its commit
    (``services.preparation``), so that the submission itself only has to check that this row
    still belongs to the draft as it stands (same ``content_version``, same call ``revision``), that the
    instant lies in the window, and copy the content into a version. A row that does not match
    is simply not used: the submission then works everything out again, as before.
    """

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, primary_key=True, related_name="+")
    #: The draft's ``content_version`` this was worked out from.
    content_version = models.PositiveIntegerField()
    #: The call's ``revision`` it was worked out from (its rules and phases as they stood).
    call_revision = models.PositiveIntegerField()
    stage = models.CharField(max_length=10, choices=Stage.choices)
    content = models.JSONField()
    sha256 = models.CharField(max_length=64)
    #: Every eligibility rule met.
    eligible = models.BooleanField()
    #: The submission window (both ends inclusive), as the call's phases stood.
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    prepared_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.proposal_id} prepared at content version {self.content_version}"
