"""Forms of the back office's support screens (questions, workshops): they validate; services act."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oglabs.support.models import QuestionState

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class AnswerForm(forms.Form):
    topic = forms.CharField(
        label=_("Thema"),
        help_text=_("Wählen Sie ein vorhandenes Thema aus der Liste oder geben Sie ein neues ein."),
        max_length=120,
        widget=forms.TextInput(attrs={"list": "topic-options", "autocomplete": "off"}),
        error_messages={"required": _("Bitte ordnen Sie die Frage einem Thema zu.")},
    )
    public_question = forms.CharField(
        label=_("Frage, wie sie veröffentlicht wird"),
        help_text=_(
            "Formulieren Sie die Frage allgemein und ohne Namen, Orte oder andere Angaben, "
            "die erkennen lassen, wer gefragt hat."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("Bitte formulieren Sie die Frage so, wie sie veröffentlicht wird.")},
    )
    answer = forms.CharField(
        label=_("Antwort"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        error_messages={"required": _("Bitte schreiben Sie eine Antwort.")},
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund"),
        help_text=_(
            "Zum Beispiel „doppelt zu Rückfrage 12“ oder „betrifft nicht den Aufruf“. Nur intern sichtbar."
        ),
        max_length=500,
        error_messages={"required": _("Bitte geben Sie einen Grund an.")},
    )


class MailQuestionForm(forms.Form):
    """A question that arrived by e-mail or letter, typed in by staff."""

    name = forms.CharField(label=_("Name der fragenden Person"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("E-Mail-Adresse der fragenden Person"),
        help_text=_("Sie erhält die veröffentlichte Antwort per E-Mail. Wird nie veröffentlicht."),
        required=False,
        error_messages={"invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse an.")},
    )
    text = forms.CharField(
        label=_("Frage (Wortlaut)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": _("Bitte geben Sie den Wortlaut der Frage ein.")},
    )


class QuestionFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Status"), choices=[("", _("alle")), *QuestionState.choices], required=False
    )
    topic = forms.TypedChoiceField(label=_("Thema"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, topics: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic_field = self.fields["topic"]
        assert isinstance(topic_field, forms.TypedChoiceField)
        topic_field.choices = [("", _("alle")), *((topic.pk, topic.label) for topic in topics)]


class WorkshopForm(forms.Form):
    title = forms.CharField(
        label=_("Titel"), max_length=200, error_messages={"required": _("Bitte geben Sie einen Titel an.")}
    )
    starts_at = forms.DateTimeField(
        label=_("Beginn"),
        help_text=_("Datum und Uhrzeit, Berliner Zeit."),
        input_formats=[DATETIME_FORMAT, "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        error_messages={
            "required": _("Bitte geben Sie den Beginn an."),
            "invalid": _("Bitte geben Sie Datum und Uhrzeit an, z. B. 14.11.2019 10:00."),
        },
    )
    ends_at = forms.DateTimeField(
        label=_("Ende"),
        help_text=_("Datum und Uhrzeit, Berliner Zeit."),
        input_formats=[DATETIME_FORMAT, "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        error_messages={
            "required": _("Bitte geben Sie das Ende an."),
            "invalid": _("Bitte geben Sie Datum und Uhrzeit an, z. B. 14.11.2019 17:00."),
        },
    )
    place = forms.CharField(
        label=_("Ort"),
        help_text=_("Adresse des Veranstaltungsorts. Ort, Online-Link oder beides."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    online_url = forms.URLField(
        label=_("Link zur Online-Teilnahme"),
        help_text=_("Nur eingeladene Konsortien sehen den Link."),
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Bitte geben Sie einen gültigen Link an, der mit https:// beginnt.")},
    )
    capacity = forms.IntegerField(
        label=_("Plätze"),
        help_text=_("Anmeldungen darüber hinaus kommen auf die Warteliste."),
        min_value=1,
        max_value=10000,
        error_messages={
            "required": _("Bitte geben Sie die Zahl der Plätze an."),
            "min_value": _("Ein Workshop hat mindestens einen Platz."),
            "invalid": _("Bitte geben Sie eine ganze Zahl an."),
        },
    )
    agenda = forms.CharField(
        label=_("Tagesordnung"),
        help_text=_("Absätze durch Leerzeilen trennen."),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    documentation = forms.CharField(
        label=_("Dokumentation"),
        help_text=_("Ergebnisse und Hinweise nach dem Workshop; für alle eingeladenen Konsortien sichtbar."),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )


class MaterialForm(forms.Form):
    title = forms.CharField(
        label=_("Titel des Materials"),
        max_length=200,
        error_messages={"required": _("Bitte geben Sie einen Titel an.")},
    )
    file = forms.FileField(
        label=_("PDF-Datei"),
        help_text=_("Nur PDF-Dateien. Sichtbar für alle eingeladenen Konsortien."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={
            "required": _("Bitte wählen Sie eine PDF-Datei aus."),
            "empty": _("Die Datei ist leer."),
            "invalid": _("Bitte wählen Sie eine PDF-Datei aus."),
        },
    )
