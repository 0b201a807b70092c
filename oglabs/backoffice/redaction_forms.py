"""Forms of the redaction review: they validate; services act."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oglabs.transparency.models import MarkKind
from oglabs.transparency.redaction import Mark, merge, phrase_marks


def mark_key(mark: Mark) -> str:
    return f"{mark.start}-{mark.end}"


def _label(mark: Mark) -> str:
    kind = MarkKind(mark.kind).label if mark.kind in MarkKind.values else mark.kind
    return f"„{mark.text}“ ({kind})"


class MarksForm(forms.Form):
    """Which marks to keep (the current ones checked; the detector's removed ones unchecked, to
    restore them) and a phrase to redact everywhere in the text."""

    keep = forms.MultipleChoiceField(
        label=_("Geschwärzte Stellen"),
        help_text=_(
            "Abgewählte Stellen werden veröffentlicht. Nur Namen von Personen, Kontaktdaten und Anschriften schwärzen."
        ),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    phrase = forms.CharField(
        label=_("Weiteren Ausdruck schwärzen"),
        help_text=_("Jedes Vorkommen als ganzes Wort, unabhängig von Groß- und Kleinschreibung."),
        max_length=200,
        required=False,
    )

    def __init__(
        self, *args: Any, original: str, marks: Sequence[Mark], auto_marks: Sequence[Mark], **kwargs: Any
    ) -> None:
        self.original = original
        current = {mark_key(mark) for mark in marks}
        offered = {mark_key(mark): mark for mark in [*marks, *auto_marks]}
        # A removed automatic mark may overlap a kept one; only the disjoint ones can come back.
        self.choices_by_key = {
            key: mark
            for key, mark in sorted(offered.items(), key=lambda item: (item[1].start, item[1].end))
            if key in current or not any(m.start < mark.end and mark.start < m.end for m in marks)
        }
        kwargs.setdefault("initial", {"keep": sorted(current)})
        super().__init__(*args, **kwargs)
        keep = self.fields["keep"]
        assert isinstance(keep, forms.MultipleChoiceField)
        keep.choices = [(key, _label(mark)) for key, mark in self.choices_by_key.items()]

    def clean_phrase(self) -> str:
        phrase = " ".join(str(self.cleaned_data.get("phrase", "")).split())
        if phrase and not phrase_marks(self.original, phrase):
            raise forms.ValidationError(_("Dieser Ausdruck kommt im Text nicht als ganzes Wort vor."))
        return phrase

    def marks(self) -> list[Mark]:
        """The marks to set: the kept ones and every occurrence of the phrase, joined."""
        kept = [self.choices_by_key[key] for key in self.cleaned_data["keep"]]
        added = (
            phrase_marks(self.original, self.cleaned_data["phrase"]) if self.cleaned_data["phrase"] else []
        )
        return merge(self.original, [*kept, *added])


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("Was soll geändert werden?"),
        help_text=_("Nur für das Programmteam sichtbar."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": _("Bitte schreiben Sie dazu, was an den Schwärzungen geändert werden soll.")
        },
    )


class AllowListForm(forms.Form):
    entries = forms.CharField(
        label=_("Erlaubte Namen"),
        help_text=_(
            "Amtsträgerinnen und Amtsträger in ihrer öffentlichen Funktion (z. B. „Bürgermeisterin Erika "
            "Muster“) und Institutionen, je Zeile ein Eintrag. Diese Namen werden nicht geschwärzt; "
            "sie gelten beim nächsten Vorbereiten."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
        required=False,
    )
