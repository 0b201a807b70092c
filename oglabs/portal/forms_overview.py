"""Forms of the portal's overview pages: they validate input; the services act."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oglabs.proposals.models import Attachment, Partner


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund für den Rückzug"),
        help_text=_("Der Grund wird dem Programmteam angezeigt."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": _("Bitte geben Sie einen Grund für den Rückzug an.")},
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("Bitte geben Sie einen Grund für den Rückzug an."))
        return reason


class AttachmentForm(forms.Form):
    """An upload: a partner's letter of intent, or another attachment. PDF only (checked by content
    in the service; ``accept`` only helps the file picker)."""

    kind = forms.ChoiceField(
        label=_("Art der Anlage"),
        choices=Attachment.Kind.choices,
        # KERN draws a radio only with its class; the shared field include renders choice.tag as is.
        widget=forms.RadioSelect(attrs={"class": "kern-form-check__radio"}),
        initial=Attachment.Kind.LETTER_OF_INTENT,
        error_messages={"required": _("Bitte wählen Sie die Art der Anlage.")},
    )
    partner = forms.ModelChoiceField(
        label=_("Partner (nur bei einer Absichtserklärung)"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("– bitte wählen –"),
    )
    file = forms.FileField(
        label=_("PDF-Datei"),
        help_text=_("Nur PDF-Dateien, höchstens %(size)s."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={
            "required": _("Bitte wählen Sie eine PDF-Datei aus."),
            "empty": _("Die Datei ist leer."),
            "invalid": _("Bitte wählen Sie eine PDF-Datei aus."),
        },
    )

    def __init__(self, *args: Any, partners: Any, size_label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partner_field = self.fields["partner"]
        assert isinstance(partner_field, forms.ModelChoiceField)
        partner_field.queryset = partners
        self.fields["file"].help_text = str(self.fields["file"].help_text) % {"size": size_label}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Attachment.Kind.LETTER_OF_INTENT and not data.get("partner"):
            self.add_error("partner", _("Bitte wählen Sie den Partner, dessen Absichtserklärung dies ist."))
        if data.get("kind") == Attachment.Kind.OTHER:
            data["partner"] = None
        return data


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-Mail-Adresse der Kollegin oder des Kollegen"),
        help_text=_("Wir senden einen Einladungslink an diese Adresse."),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Bitte geben Sie eine E-Mail-Adresse an."),
            "invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse an."),
        },
    )
