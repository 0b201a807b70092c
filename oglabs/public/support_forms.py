"""The public question form: name, e-mail, question, and a honeypot field for bots."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PublicQuestionForm(forms.Form):
    name = forms.CharField(
        label=_("Ihr Name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Bitte geben Sie Ihren Namen an.")},
    )
    email = forms.EmailField(
        label=_("Ihre E-Mail-Adresse"),
        help_text=_("Wir schicken Ihnen die Antwort, sobald sie veröffentlicht ist."),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Bitte geben Sie Ihre E-Mail-Adresse an, damit wir antworten können."),
            "invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse an."),
        },
    )
    text = forms.CharField(
        label=_("Ihre Frage"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={
            "required": _("Bitte schreiben Sie Ihre Frage."),
            "max_length": _("Die Frage darf höchstens %(limit_value)d Zeichen lang sein."),
        },
    )
    #: Honeypot: hidden from people (and assistive technology); bots fill it in.
    website = forms.CharField(label=_("Bitte leer lassen"), required=False)
