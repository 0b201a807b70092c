"""Forms of the formal check and of messages to consortia: they validate; services act."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oglabs.proposals.models import EligibilityDecision
from oglabs.proposals.states import ProposalState

REASON_REQUIRED = _("Bitte begründen Sie, warum die Interessenbekundung nicht förderfähig ist.")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Ergebnis der formalen Prüfung"),
        choices=EligibilityDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Bitte wählen Sie ein Ergebnis.")},
    )
    reason = forms.CharField(
        label=_("Begründung"),
        help_text=_(
            "Die Begründung geht mit dem Ergebnis per E-Mail an das Konsortium. Bei „nicht förderfähig“ "
            "ist sie erforderlich."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("decision") == EligibilityDecision.INELIGIBLE
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error("reason", REASON_REQUIRED)
        return cleaned


class RejectForm(forms.Form):
    rejection_reason = forms.CharField(
        label=_("Grund der Zurückweisung"),
        help_text=_("Nur für das Programmteam sichtbar; das Konsortium erhält keine E-Mail."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        error_messages={"required": _("Bitte geben Sie an, warum Sie das Prüfergebnis zurückweisen.")},
    )


class MessageForm(forms.Form):
    subject = forms.CharField(
        label=_("Betreff"),
        max_length=200,
        error_messages={"required": _("Bitte geben Sie einen Betreff an.")},
    )
    body = forms.CharField(
        label=_("Text"),
        help_text=_(
            "Anrede und Schluss schreiben Sie selbst. Jede E-Mail nennt oben den Aufruf und die "
            "Interessenbekundung des Konsortiums und unten die Adresse für Rückfragen."
        ),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20000,
        error_messages={"required": _("Bitte geben Sie einen Text an.")},
    )
    states = forms.MultipleChoiceField(
        label=_("An die Konsortien mit diesem Status"),
        choices=ProposalState.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Bitte wählen Sie mindestens einen Status.")},
    )

    def clean_body(self) -> str:
        # Browsers send line breaks as CRLF; mails and previews use LF.
        return str(self.cleaned_data["body"]).replace("\r\n", "\n").replace("\r", "\n")


class SendForm(MessageForm):
    """The preview's form: the same message, the count that was shown, and a confirmation."""

    expected_consortia = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    expected_recipients = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    confirmed = forms.BooleanField(
        label=_(
            "Ich habe die Vorschau und die Zahl der Empfänger geprüft: Die Nachricht soll jetzt versendet werden."
        ),
        error_messages={"required": _("Bitte bestätigen Sie, dass die Nachricht versendet werden soll.")},
    )
