"""Forms of the multi-step proposal form and of starting a proposal: they validate input and turn it
into the plain data ``proposals.services.save_section`` takes; the services act.

Amounts are typed in EUR with cents, in German ("12.500,25") or with a decimal point ("12500.25"),
and become ``Decimal`` — never ``float``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from oglabs.proposals.models import CostCategory, LabForm, PartnerKind

#: Largest amount the database holds (12 digits, 2 of them cents).
MAX_AMOUNT = Decimal("9999999999.99")
_GROUPED_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")
_AMOUNT_HINT = _("Bitte geben Sie einen Betrag in Euro an, zum Beispiel 12.500,25.")


class AmountError(ValueError):
    """The text is not an amount in euros; the message is for people."""


def parse_euro_amount(text: str) -> Decimal:
    """An amount in EUR from what a person typed; empty means 0.

    Accepts German notation ("12.500,25", "12500,25", "12.500") and a decimal point
    ("12500.25", "1,234.56"), with or without "€" and spaces. With both separators the last one
    is the decimal separator; a lone dot followed by exactly three digits groups thousands.
    Raises ``AmountError`` with a German message.
    """
    compact = re.sub(r"[\s\u00a0\u202f€]|EUR", "", text or "")
    if not compact:
        return Decimal("0.00")
    sign = "-" if compact[0] == "-" else ""
    compact = compact.lstrip("+-") if compact[0] in "+-" else compact
    if not re.fullmatch(r"\d[\d.,]*", compact):
        raise AmountError(_AMOUNT_HINT)
    if "," in compact and "." in compact:
        decimal_sep: str | None = "," if compact.rfind(",") > compact.rfind(".") else "."
    elif "," in compact:
        decimal_sep = ","
    elif compact.count(".") == 1 and not _GROUPED_THOUSANDS.match(compact):
        decimal_sep = "."
    else:
        decimal_sep = None  # only thousands separators ("12.500", "1.234.567") or none
    if decimal_sep is None:
        integer, fraction, group_sep = compact, "", "."
    else:
        integer, _sep, fraction = compact.rpartition(decimal_sep)
        group_sep = "." if decimal_sep == "," else ","
        if not fraction.isdigit() or decimal_sep in integer:
            raise AmountError(_AMOUNT_HINT)
    if group_sep in integer and not _is_grouped(integer, group_sep):
        raise AmountError(_AMOUNT_HINT)
    digits = integer.replace(group_sep, "")
    if not digits.isdigit():
        raise AmountError(_AMOUNT_HINT)
    return Decimal(f"{sign}{digits}.{fraction or '0'}")


def _is_grouped(integer: str, separator: str) -> bool:
    parts = integer.split(separator)
    return 1 <= len(parts[0]) <= 3 and all(len(part) == 3 for part in parts[1:]) and parts[0].isdigit()


def format_euro_input(amount: Decimal | None) -> str:
    """An amount as it is shown in an input: German notation with cents ("12.500,25"); 0 is empty."""
    if amount is None or amount == 0:
        return ""
    return formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)


class EuroAmountField(forms.Field):
    """A text input for an amount in EUR with cents; cleans to a ``Decimal`` with two places."""

    widget = forms.TextInput
    max_length = 30

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"inputmode": "decimal", "autocomplete": "off", "maxlength": str(self.max_length)}
        )

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return format_euro_input(value)
        return value

    def to_python(self, value: Any) -> Decimal:
        text = str(value or "").strip()
        if len(text) > self.max_length:
            raise forms.ValidationError(_AMOUNT_HINT, code="invalid")
        try:
            amount = parse_euro_amount(text)
        except AmountError as error:
            raise forms.ValidationError(str(error), code="invalid") from None
        if amount < 0:
            raise forms.ValidationError(_("Der Betrag darf nicht negativ sein."), code="negative")
        if amount != amount.quantize(Decimal("0.01")):
            raise forms.ValidationError(_("Beträge werden auf den Cent genau angegeben."), code="cents")
        if amount > MAX_AMOUNT:
            raise forms.ValidationError(_("Der Betrag ist zu groß."), code="too_large")
        return amount.quantize(Decimal("0.01"))


class _NeededForSubmission:
    """A field the submission needs (so it is not marked "optional" and is announced as required),
    which a draft may still leave empty: only a filled-in value is validated."""

    def validate(self, value: Any) -> None:
        if value in forms.Field.empty_values:
            return
        super().validate(value)  # type: ignore[misc]  # the concrete field class comes next in the MRO


class NeededCharField(_NeededForSubmission, forms.CharField):
    pass


class NeededChoiceField(_NeededForSubmission, forms.ChoiceField):
    pass


class NeededMultipleChoiceField(_NeededForSubmission, forms.MultipleChoiceField):
    pass


class NeededDateField(_NeededForSubmission, forms.DateField):
    pass


RADIO = {"class": "kern-form-check__radio"}
CHECKBOX = {"class": "kern-form-check__checkbox"}


class VersionedForm(forms.Form):
    """Every step's form names the version of the proposal it was rendered from."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


# --- starting a proposal ------------------------------------------------------------------------


class StartProposalForm(forms.Form):
    title = forms.CharField(
        label=_("Titel des Labors"),
        max_length=200,
        help_text=_("Ein Arbeitstitel genügt; Sie können ihn später ändern."),
        error_messages={"required": _("Bitte geben Sie einen Titel an.")},
    )
    q = forms.CharField(
        label=_("Federführende Kommune suchen"),
        help_text=_("Name oder amtlicher Gemeindeschlüssel (AGS, 8 Ziffern), zum Beispiel „Falkensee“."),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    lead = forms.ChoiceField(
        label=_("Treffer: bitte wählen Sie die federführende Kommune"),
        widget=forms.RadioSelect(attrs=RADIO),
        error_messages={
            "required": _("Bitte suchen Sie die federführende Kommune und wählen Sie sie aus."),
            "invalid_choice": _("Bitte wählen Sie eine Kommune aus der Trefferliste."),
        },
    )

    def __init__(self, *args: Any, candidates: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lead = self.fields["lead"]
        assert isinstance(lead, forms.ChoiceField)
        lead.choices = [(m.ars, municipality_label(m)) for m in candidates]


def municipality_label(municipality: Any) -> str:
    """ "Falkensee (Stadt, Havelland, Brandenburg) – AGS 12063080"."""
    place = [str(municipality.get_kind_display())]
    if municipality.kind != "landkreis" and not municipality.is_district_free:
        place.append(municipality.district.name)
    place.append(municipality.state.name)
    key = f"AGS {municipality.ags}" if municipality.ags else f"{_('Kreisschlüssel')} {municipality.ars}"
    return f"{municipality.name} ({', '.join(place)}) – {key}"


# --- step 1: Allgemeines ------------------------------------------------------------------------


class GeneralForm(VersionedForm):
    title = forms.CharField(
        label=_("Titel des Labors"),
        max_length=200,
        error_messages={"required": _("Bitte geben Sie einen Titel an.")},
    )
    region = NeededCharField(
        label=_("Region und Ausgangslage"),
        help_text=_("Beschreiben Sie die Region, ihre Ausgangslage und was das Labor verändern soll."),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    challenges = NeededMultipleChoiceField(
        label=_("Herausforderungen, die das Labor angeht"),
        help_text=_("Wählen Sie eine oder mehrere Herausforderungen aus dem Aufruf."),
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOX),
        error_messages={"invalid_choice": _("Bitte wählen Sie nur Herausforderungen aus der Liste.")},
    )
    lab_form = NeededChoiceField(
        label=_("Form des Labors"),
        choices=LabForm.choices,
        widget=forms.RadioSelect(attrs=RADIO),
        error_messages={"invalid_choice": _("Bitte wählen Sie eine Form des Labors aus der Liste.")},
    )
    moderation = NeededCharField(
        label=_("Moderation, Interessenausgleich und Konfliktmanagement"),
        help_text=_("Wie werden unterschiedliche Interessen ausgeglichen und Konflikte gelöst?"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    own_contribution = EuroAmountField(
        label=_("Eigenanteil (EUR)"),
        help_text=_("Erwünscht, aber keine Bedingung. Zum Beispiel 12.500,25."),
    )
    state_contribution = EuroAmountField(
        label=_("Finanzierungsbeteiligung des Landes (EUR)"),
        help_text=_("Erwünscht, aber keine Bedingung. Zum Beispiel 5.000,00."),
    )

    def __init__(self, *args: Any, challenge_choices: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        challenges = self.fields["challenges"]
        assert isinstance(challenges, forms.MultipleChoiceField)
        challenges.choices = list(challenge_choices)

    def section_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "region": data["region"],
            "challenges": list(data["challenges"]),
            "lab_form": data["lab_form"],
            "moderation": data["moderation"],
            "own_contribution": data["own_contribution"],
            "state_contribution": data["state_contribution"],
        }


# --- step 2: Kommunen ---------------------------------------------------------------------------


class KeyListField(forms.Field):
    """Official keys (digits) from repeated hidden inputs, in the order given."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        keys = [str(item).strip() for item in (value or []) if str(item).strip()]
        if any(not key.isascii() or not key.isdigit() or len(key) > 12 for key in keys):
            raise forms.ValidationError(_("Ungültiger Gemeindeschlüssel."), code="invalid")
        return keys


class MunicipalitiesForm(VersionedForm):
    """The consortium's municipalities as keys; buttons add, remove or make one the lead."""

    lead = forms.CharField(required=False, max_length=12, widget=forms.HiddenInput)
    further = KeyListField(required=False)


# --- step 3: Partner, step 4: Laboraufgaben (repeating rows) ------------------------------------


class RowForm(forms.Form):
    """One row of a repeating list. A row left entirely empty is skipped, not refused."""

    #: Fields whose content makes a row count as filled in.
    content_fields: tuple[str, ...] = ()

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(str(data.get(name) or "").strip() for name in self.content_fields)


class PartnerForm(RowForm):
    content_fields = ("name", "role_in_lab", "contact_email")

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = NeededChoiceField(
        label=_("Art des Partners"),
        choices=[("", _("– bitte wählen –")), *PartnerKind.choices],
        error_messages={"invalid_choice": _("Bitte wählen Sie die Art des Partners aus der Liste.")},
    )
    name = NeededCharField(label=_("Name der Organisation"), max_length=200)
    role_in_lab = forms.CharField(
        label=_("Rolle im Labor"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    cooperation_exists = forms.BooleanField(label=_("Die Kooperation besteht bereits"), required=False)
    contact_email = forms.EmailField(
        label=_("E-Mail-Adresse für die Bestätigung"),
        help_text=_("An diese Adresse schicken wir den Link, mit dem der Partner seine Teilnahme bestätigt."),
        required=False,
        error_messages={"invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse an.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank():
            return data
        if not str(data.get("name") or "").strip() and "name" not in self.errors:
            self.add_error("name", _("Bitte geben Sie den Namen der Organisation an."))
        if not data.get("kind") and "kind" not in self.errors:
            self.add_error("kind", _("Bitte wählen Sie die Art des Partners."))
        return data

    def is_blank(self) -> bool:
        return super().is_blank() and not self.cleaned_data.get("kind") and not self.cleaned_data.get("id")

    def row_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        row = {
            "kind": data["kind"],
            "name": data["name"].strip(),
            "role_in_lab": data["role_in_lab"],
            "cooperation_exists": bool(data["cooperation_exists"]),
            "contact_email": data["contact_email"],
        }
        if data.get("id"):
            row["id"] = data["id"]
        return row


class TaskForm(RowForm):
    content_fields = ("title", "description", "indicator", "target_value", "due_on", "verification")

    title = NeededCharField(label=_("Titel der Aufgabe"), max_length=200)
    description = forms.CharField(
        label=_("Beschreibung"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    indicator = NeededCharField(
        label=_("Indikator"),
        help_text=_("Woran man die Erfüllung erkennt, zum Beispiel „Zahl der beteiligten Personen“."),
        max_length=200,
    )
    target_value = NeededCharField(label=_("Zielwert"), max_length=100)
    due_on = NeededDateField(
        label=_("Fällig am"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        error_messages={"invalid": _("Bitte geben Sie ein Datum an, zum Beispiel 30.06.2021.")},
    )
    verification = NeededCharField(
        label=_("Wie die Erfüllung geprüft wird"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, period: tuple[date, date] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.period = period
        if period is not None:
            self.fields["due_on"].widget.attrs.update(
                {"min": f"{period[0]:%Y-%m-%d}", "max": f"{period[1]:%Y-%m-%d}"}
            )
            self.fields["due_on"].help_text = _("Ein Termin im Förderzeitraum, %(start)s bis %(end)s.") % {
                "start": f"{period[0]:%d.%m.%Y}",
                "end": f"{period[1]:%d.%m.%Y}",
            }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.is_blank() and not str(data.get("title") or "").strip() and "title" not in self.errors:
            self.add_error("title", _("Bitte geben Sie einen Titel der Aufgabe an."))
        due_on = data.get("due_on")
        if due_on is not None and self.period is not None and not self.period[0] <= due_on <= self.period[1]:
            self.add_error(
                "due_on",
                _("Der Termin muss im Förderzeitraum liegen (%(start)s bis %(end)s).")
                % {"start": f"{self.period[0]:%d.%m.%Y}", "end": f"{self.period[1]:%d.%m.%Y}"},
            )
        return data

    def row_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"].strip(),
            "description": data["description"],
            "indicator": data["indicator"],
            "target_value": data["target_value"],
            "due_on": data["due_on"],
            "verification": data["verification"],
        }


PartnerFormSet = forms.formset_factory(PartnerForm, extra=0, max_num=100, absolute_max=100)
TaskFormSet = forms.formset_factory(TaskForm, extra=0, max_num=100, absolute_max=100)


class RowsForm(VersionedForm):
    """The version field of a step that holds a formset."""


def raw_rows(data: Mapping[str, Any], prefix: str, fields: Iterable[str]) -> list[dict[str, Any]]:
    """The rows of a submitted formset as typed (strings), for re-rendering after "add" or "remove"."""
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), 100)
    except (TypeError, ValueError):
        total = 0
    names = list(fields)
    return [{name: data.get(f"{prefix}-{index}-{name}", "") for name in names} for index in range(total)]


# --- step 5: Mittelbedarf -----------------------------------------------------------------------


def budget_field_name(year: int, category: str) -> str:
    return f"amount_{year}_{category}"


class BudgetForm(VersionedForm):
    """One amount per year of the funding period and cost category."""

    def __init__(
        self,
        *args: Any,
        years: Sequence[int],
        amounts: Mapping[tuple[int, str], Decimal] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.years = list(years)
        amounts = amounts or {}
        for category in CostCategory:
            for year in self.years:
                field = EuroAmountField(
                    label=_("%(category)s %(year)s (EUR)") % {"category": category.label, "year": year}
                )
                field.initial = amounts.get((year, category.value))
                self.fields[budget_field_name(year, category.value)] = field

    def rows(self) -> list[dict[str, Any]]:
        """For the table: one row per cost category with its bound fields, year by year."""
        return [
            {
                "category": category,
                "fields": [self[budget_field_name(year, category.value)] for year in self.years],
            }
            for category in CostCategory
        ]

    def section_data(self) -> list[dict[str, Any]]:
        return [
            {"year": year, "category": category.value, "amount": amount}
            for category in CostCategory
            for year in self.years
            if (amount := self.cleaned_data[budget_field_name(year, category.value)]) > 0
        ]

    def cells(self) -> dict[tuple[int, str], Decimal]:
        return {(row["year"], row["category"]): row["amount"] for row in self.section_data()}
