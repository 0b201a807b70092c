"""What the public may see: redacted texts (four-eyes reviewed) and the deadline commitments.

Writes go through :mod:`oglabs.transparency.services`; reads through
:mod:`oglabs.transparency.queries`. The pure parts live in :mod:`oglabs.transparency.redaction`
(the detector) and :mod:`oglabs.transparency.merkle` (the commitment tree).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oglabs.transparency.states import TextStatus

__all__ = [
    "DeadlineCommitment",
    "MarkKind",
    "PublicText",
    "PublicationAllowList",
    "PublishedField",
    "SealedDisclosure",
    "TextStatus",
]


class PublishedField(models.TextChoices):
    """Which text of a decision entry is published."""

    REASON = "reason", _("Begründung")


class MarkKind(models.TextChoices):
    """What a mark stands for (``redaction.KINDS``), as shown to staff next to the marked words."""

    EMAIL = "email", _("E-Mail-Adresse")
    PHONE = "phone", _("Telefonnummer")
    IBAN = "iban", _("IBAN")
    ADDRESS = "address", _("Anschrift")
    NAME = "name", _("Name einer Person")
    MANUAL = "manual", _("von Hand geschwärzt")


class PublicText(models.Model):
    """One text meant for publication, its marks and the review by a second staff member.

    ``auto_marks`` is what the detector found; ``marks`` what is applied (the detector's marks as
    adjusted by staff). Both are lists of ``{"start", "end", "kind", "text"}`` over
    ``original``. ``redacted`` is ``original`` with ``marks`` applied; only a ``confirmed`` text
    is ever published.
    """

    decision = models.ForeignKey("selection.Decision", on_delete=models.CASCADE, related_name="public_texts")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="+")
    field = models.CharField(max_length=20, choices=PublishedField.choices, default=PublishedField.REASON)
    original = models.TextField()
    auto_marks = models.JSONField(default=list)
    marks = models.JSONField(default=list)
    redacted = models.TextField()
    status = models.CharField(max_length=10, choices=TextStatus.choices, default=TextStatus.MARKED)
    #: The last person who set the marks (``None``: the detector alone, when prepared).
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField()
    #: Who prepared the text for publication (the detector ran on their behalf).
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    returned_note = models.TextField(_("Hinweis zur Rückgabe"), blank=True)

    class Meta:
        verbose_name = _("zu veröffentlichender Text")
        verbose_name_plural = _("zu veröffentlichende Texte")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "proposal", "field"], name="public_text_once_per_entry_field"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in TextStatus]), name="public_text_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(field__in=[f.value for f in PublishedField]), name="public_text_field_valid"
            ),
            # Confirmed exactly when a confirmer and a time are recorded.
            models.CheckConstraint(
                condition=(
                    Q(status="confirmed", confirmed_by__isnull=False, confirmed_at__isnull=False)
                    | (~Q(status="confirmed") & Q(confirmed_by__isnull=True, confirmed_at__isnull=True))
                ),
                name="public_text_confirmed_has_confirmer",
            ),
            # Four eyes in the database too: the confirmer is neither who prepared nor who marked.
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True)
                | (~Q(confirmed_by=models.F("prepared_by")) & ~Q(confirmed_by=models.F("marked_by"))),
                name="public_text_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.field} ({self.status})"


class PublicationAllowList(models.Model):
    """Names that may stay in published texts for one call: public office holders, institutions.

    One entry per line; compared case-insensitively as whole words.
    """

    call = models.OneToOneField("calls.Call", on_delete=models.CASCADE, related_name="publication_allow_list")
    entries = models.TextField(
        _("Erlaubte Namen (Amtsträger:innen, Institutionen), einer je Zeile"), blank=True
    )
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("Erlaubnisliste für Veröffentlichungen")
        verbose_name_plural = _("Erlaubnislisten für Veröffentlichungen")

    def __str__(self) -> str:
        return f"allow list {self.call_id}"

    @property
    def entry_list(self) -> list[str]:
        return [line.strip() for line in self.entries.splitlines() if line.strip()]


class DeadlineCommitment(models.Model):
    """The Merkle root over every proposal's handed-in version at one deadline of a call.

    ``leaves`` holds ``{"reference", "version_sha256", "leaf"}`` in leaf order (by reference), so
    that an inclusion proof for any proposal can be given later. See ``merkle`` for the format.
    """

    call = models.ForeignKey("calls.Call", on_delete=models.PROTECT, related_name="deadline_commitments")
    #: ``deadline`` or ``revision_deadline`` (``calls.PhaseKind``).
    kind = models.CharField(max_length=20)
    deadline_at = models.DateTimeField()
    root = models.CharField(max_length=64)
    leaf_count = models.PositiveIntegerField()
    leaves = models.JSONField()
    #: The format of leaves and nodes (``merkle.FORMAT``), so a verifier knows what to compute.
    tree_format = models.CharField(max_length=40)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("Fristsiegel")
        verbose_name_plural = _("Fristsiegel")
        constraints = [
            models.UniqueConstraint(fields=["call", "kind"], name="deadline_commitment_once_per_kind"),
            models.CheckConstraint(
                condition=Q(kind__in=["deadline", "revision_deadline"]), name="deadline_commitment_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(created_at__gte=models.F("deadline_at")),
                name="deadline_commitment_after_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.kind} {self.root[:12]}"


class SealedDisclosure(models.Model):
    """One leaf's committed version of content format 2 as ``committed.json`` shows it, made once
    when the deadline is sealed (``services.commit_deadline``): the public part as a disclosure
    (``disclosure.disclosure_of``, the free texts as hashes) and the private part's hash.

    The export checks it against the leaf's version hash with ``hashing.disclosed_hash`` (cheap:
    a withheld subtree is one hash) instead of hashing the stored content again. Commitments made
    before this table existed have no rows; the export then computes the disclosure from the
    version's content. Versions of content format 1 have no row either.
    """

    commitment = models.ForeignKey(DeadlineCommitment, on_delete=models.CASCADE, related_name="disclosures")
    reference = models.CharField(max_length=32)
    version_sha256 = models.CharField(max_length=64)
    public = models.JSONField()
    private_sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("Offenlegung einer gesiegelten Fassung")
        verbose_name_plural = _("Offenlegungen gesiegelter Fassungen")
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "reference"], name="sealed_disclosure_once_per_leaf"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.reference}"
