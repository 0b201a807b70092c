"""Forms of the portal's support pages (questions, workshop registration)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class PortalQuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Ihre Frage"),
        help_text=_("Die Antwort wird ohne Ihren Namen für alle veröffentlicht und allen Bewerbern gemailt."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={
            "required": _("Bitte schreiben Sie Ihre Frage."),
            "max_length": _("Die Frage darf höchstens %(limit_value)d Zeichen lang sein."),
        },
    )


class RegistrationForm(forms.Form):
    proposal = forms.TypedChoiceField(
        label=_("Für welches Konsortium?"),
        coerce=int,
        error_messages={"required": _("Bitte wählen Sie das Konsortium.")},
    )
    name = forms.CharField(
        label=_("Name der Person, die teilnimmt"),
        max_length=200,
        error_messages={"required": _("Bitte geben Sie den Namen der Person an, die teilnimmt.")},
    )
    role = forms.CharField(label=_("Funktion oder Organisation"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("E-Mail-Adresse der Person"),
        max_length=254,
        required=False,
        error_messages={"invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse an.")},
    )

    def __init__(self, *args: Any, proposals: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["proposal"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(proposal.pk, f"{proposal.reference} – {proposal.title}") for proposal in proposals]
        if len(proposals) == 1:
            field.widget = forms.HiddenInput()
            field.initial = proposals[0].pk
