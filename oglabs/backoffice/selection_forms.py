"""Forms of the selection screens: they validate; ``selection.services`` acts.

Shares are entered in percent and handed to the services as fractions (50 → 0.5).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oglabs.calls.models import Call

HUNDRED = Decimal(100)


def _percent(value: Decimal | None) -> Decimal | None:
    return None if value is None else value / HUNDRED


class RunForm(forms.Form):
    label = forms.CharField(
        label=_("Bezeichnung des Laufs"),
        help_text=_("Zum Wiederfinden, z. B. „höchstens zwei je Land“."),
        max_length=200,
        required=False,
    )
    budget = forms.DecimalField(
        label=_("Budget (EUR)"),
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        error_messages={"required": _("Bitte geben Sie das Budget an.")},
    )
    max_labs = forms.IntegerField(
        label=_("Höchstzahl der Labore"),
        min_value=1,
        max_value=10000,
        error_messages={"required": _("Bitte geben Sie die Höchstzahl der Labore an.")},
    )
    max_per_state = forms.IntegerField(
        label=_("Höchstzahl der Labore je Land"),
        help_text=_("Leer: keine Obergrenze je Land."),
        min_value=1,
        max_value=10000,
        required=False,
    )
    rural_min_share = forms.DecimalField(
        label=_("Mindestanteil ländlicher Labore (%)"),
        help_text=_(
            "Ländlich: Die federführende Kommune ist nach dem EU-Verstädterungsgrad (DEGURBA) gering "
            "besiedelt. Leer: kein Mindestanteil."
        ),
        min_value=Decimal(0),
        max_value=HUNDRED,
        max_digits=7,
        decimal_places=4,
        required=False,
    )
    min_score = forms.DecimalField(
        label=_("Mindestpunktzahl"),
        help_text=_("Interessenbekundungen mit weniger Punkten werden nicht ausgewählt. Leer: keine."),
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=4,
        required=False,
    )
    partial_min_share = forms.DecimalField(
        label=_("Teilförderung bis hinunter zu (%)"),
        help_text=_(
            "Erlaubt, ein Labor mit weniger als dem beantragten Betrag zu fördern, aber mindestens mit "
            "diesem Anteil. Leer: nur volle Förderung."
        ),
        min_value=Decimal("0.0001"),
        max_value=HUNDRED,
        max_digits=7,
        decimal_places=4,
        required=False,
    )

    @classmethod
    def for_call(cls, call: Call, data: Any = None) -> RunForm:
        return cls(data, initial={"budget": call.budget, "max_labs": call.max_labs})

    def parameters(self) -> dict[str, Any]:
        """The keyword arguments of ``selection.services.run_selection``."""
        data = self.cleaned_data
        return {
            "label": data["label"],
            "budget": data["budget"],
            "max_labs": data["max_labs"],
            "max_per_state": data["max_per_state"],
            "rural_min_share": _percent(data["rural_min_share"]),
            "min_score": data["min_score"],
            "partial_min_share": _percent(data["partial_min_share"]),
        }


class CompareForm(forms.Form):
    a = forms.TypedChoiceField(label=_("Lauf A"), coerce=int)
    b = forms.TypedChoiceField(label=_("Lauf B"), coerce=int)

    def __init__(self, *args: Any, runs: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(number, label) for number, label in runs]
        for name in ("a", "b"):
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("a") is not None and cleaned.get("a") == cleaned.get("b"):
            self.add_error("b", _("Bitte wählen Sie zwei verschiedene Läufe."))
        return cleaned


REASON_REQUIRED = _("Bitte geben Sie eine Begründung an.")


class DecideForm(forms.Form):
    """A reason per proposal (prefilled with the optimiser's explanation) and a confirmation."""

    confirmed = forms.BooleanField(
        label=_(
            "Ich habe Ergebnis und Begründungen geprüft. Die Entscheidung ist endgültig: Die "
            "Interessenbekundungen wechseln ihren Status und alle Konsortien erhalten eine E-Mail."
        ),
        error_messages={"required": _("Bitte bestätigen Sie die Entscheidung.")},
    )

    def __init__(self, *args: Any, proposals: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proposal_ids = [pid for pid, _label in proposals]
        for pid, label in proposals:
            self.fields[self.field_name(pid)] = forms.CharField(
                label=label,
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=10000,
                error_messages={"required": REASON_REQUIRED},
            )
        # The confirmation comes last, after every reason.
        self.order_fields([self.field_name(pid) for pid in self.proposal_ids] + ["confirmed"])

    @staticmethod
    def field_name(proposal_id: int) -> str:
        return f"reason_{proposal_id}"

    def reason_field(self, proposal_id: int) -> forms.BoundField:
        return self[self.field_name(proposal_id)]

    def reasons(self) -> dict[int, str]:
        return {pid: self.cleaned_data[self.field_name(pid)] for pid in self.proposal_ids}


class WithdrawLabForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund des Rückzugs"),
        help_text=_(
            "Wie vom Konsortium mitgeteilt. Das Konsortium erhält eine Bestätigung, das nachrückende "
            "Konsortium eine Benachrichtigung."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        error_messages={"required": _("Bitte geben Sie einen Grund für den Rückzug an.")},
    )
    confirmed = forms.BooleanField(
        label=_("Das Labor ist zurückgetreten; die Nachrückliste soll jetzt angewendet werden."),
        error_messages={"required": _("Bitte bestätigen Sie den Rückzug.")},
    )
