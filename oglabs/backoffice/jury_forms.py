"""Forms of the jury screens (settings, criteria, jurors, conflicts, assignment, scoring): they
validate; the services in ``oglabs.reviews.services`` act."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oglabs.accounts.models import Role, User
from oglabs.reviews.models import Aggregation, Criterion

RADIO = {"class": "kern-form-check__radio"}

#: A scale with at most this many points is offered as radio buttons, a longer one as a number.
MAX_RADIO_POINTS = 11


class ReviewSettingsForm(forms.Form):
    reviews_per_proposal = forms.IntegerField(
        label=_("Gutachten je Interessenbekundung"),
        help_text=_("So viele Jurymitglieder begutachten jede Interessenbekundung."),
        min_value=1,
        max_value=20,
        error_messages={
            "required": _("Bitte geben Sie an, wie viele Gutachten jede Interessenbekundung erhält."),
            "invalid": _("Bitte geben Sie eine ganze Zahl an."),
            "min_value": _("Jede Interessenbekundung braucht mindestens ein Gutachten."),
            "max_value": _("Mehr als 20 Gutachten je Interessenbekundung sind nicht vorgesehen."),
        },
    )
    max_load = forms.IntegerField(
        label=_("Höchstzahl Gutachten je Jurymitglied"),
        min_value=1,
        max_value=1000,
        error_messages={
            "required": _("Bitte geben Sie die Höchstzahl der Gutachten je Jurymitglied an."),
            "invalid": _("Bitte geben Sie eine ganze Zahl an."),
            "min_value": _("Die Höchstzahl muss mindestens 1 sein."),
            "max_value": _("Die Höchstzahl darf höchstens 1000 sein."),
        },
    )
    blind_until_submitted = forms.BooleanField(
        label=_("Bewertungen anderer erst nach Abgabe der eigenen sichtbar"),
        help_text=_(
            "Ein Jurymitglied sieht die Punkte der anderen zu einer Interessenbekundung erst, wenn es "
            "sein eigenes Gutachten abgegeben hat. Ohne Haken sieht es sie sofort."
        ),
        required=False,
    )
    aggregation = forms.ChoiceField(
        label=_("Zusammenfassung je Interessenbekundung"),
        help_text=_(
            "Wie die gewichteten Summen der Gutachten einer Interessenbekundung zusammengefasst werden."
        ),
        choices=Aggregation.choices,
        widget=forms.RadioSelect(attrs=RADIO),
        error_messages={
            "required": _("Bitte wählen Sie Mittelwert oder Median."),
            "invalid_choice": _("Bitte wählen Sie Mittelwert oder Median."),
        },
    )
    normalise = forms.BooleanField(
        label=_("Strenge und milde Bewertungen ausgleichen (z-Werte)"),
        help_text=_(
            "Die Summen jedes Jurymitglieds werden an seinem eigenen Mittelwert und seiner Streuung "
            "gemessen, damit strenge und milde Jurymitglieder gleich viel Gewicht haben."
        ),
        required=False,
    )
    conflict_same_district = forms.BooleanField(
        label=_("Befangenheit bei gleichem Landkreis automatisch annehmen"), required=False
    )
    conflict_same_organisation = forms.BooleanField(
        label=_("Befangenheit bei gleicher Organisation automatisch annehmen"), required=False
    )
    conflict_same_state = forms.BooleanField(
        label=_("Befangenheit bei gleichem Land automatisch annehmen"), required=False
    )


class CriterionForm(forms.Form):
    key = forms.SlugField(
        label=_("Schlüssel"),
        help_text=_("Kurz, ohne Leerzeichen und Umlaute, zum Beispiel „kooperation“. Erscheint in Exporten."),
        max_length=60,
        error_messages={
            "required": _("Bitte geben Sie einen Schlüssel an."),
            "invalid": _(
                "Der Schlüssel darf nur Buchstaben, Ziffern, Bindestriche und Unterstriche enthalten."
            ),
        },
    )
    name = forms.CharField(
        label=_("Bezeichnung"),
        max_length=200,
        error_messages={"required": _("Bitte geben Sie eine Bezeichnung an.")},
    )
    description = forms.CharField(
        label=_("Beschreibung"),
        help_text=_("Was die Jury bei diesem Kriterium bewertet; sie liest den Text beim Bewerten."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )
    weight = forms.DecimalField(
        label=_("Gewicht"),
        help_text=_("Die Punkte werden mit dem Gewicht multipliziert, zum Beispiel 2 oder 1,5."),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        localize=True,
        error_messages={
            "required": _("Bitte geben Sie ein Gewicht an."),
            "invalid": _("Bitte geben Sie das Gewicht als Zahl an, zum Beispiel 1,5."),
            "min_value": _("Das Gewicht muss größer als 0 sein."),
            "max_decimal_places": _("Das Gewicht hat höchstens zwei Nachkommastellen."),
            "max_digits": _("Das Gewicht ist zu groß."),
            "max_whole_digits": _("Das Gewicht ist zu groß."),
        },
    )
    scale_min = forms.IntegerField(
        label=_("Skala von"),
        min_value=0,
        max_value=1000,
        error_messages={
            "required": _("Bitte geben Sie den kleinsten Punktwert an."),
            "invalid": _("Bitte geben Sie eine ganze Zahl an."),
            "min_value": _("Die Skala beginnt frühestens bei 0."),
            "max_value": _("Die Skala darf höchstens bis 1000 reichen."),
        },
    )
    scale_max = forms.IntegerField(
        label=_("Skala bis"),
        min_value=1,
        max_value=1000,
        error_messages={
            "required": _("Bitte geben Sie den größten Punktwert an."),
            "invalid": _("Bitte geben Sie eine ganze Zahl an."),
            "min_value": _("Die Skala muss bis mindestens 1 reichen."),
            "max_value": _("Die Skala darf höchstens bis 1000 reichen."),
        },
    )
    min_score = forms.DecimalField(
        label=_("Mindestpunktzahl"),
        help_text=_(
            "Optional. Eine Interessenbekundung, deren mittlere Punktzahl in diesem Kriterium darunter "
            "liegt, erfüllt die Mindestanforderung nicht."
        ),
        max_digits=6,
        decimal_places=2,
        localize=True,
        required=False,
        error_messages={
            "invalid": _("Bitte geben Sie die Mindestpunktzahl als Zahl an, zum Beispiel 4 oder 4,5."),
            "max_decimal_places": _("Die Mindestpunktzahl hat höchstens zwei Nachkommastellen."),
            "max_digits": _("Die Mindestpunktzahl ist zu groß."),
            "max_whole_digits": _("Die Mindestpunktzahl ist zu groß."),
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low, high, minimum = cleaned.get("scale_min"), cleaned.get("scale_max"), cleaned.get("min_score")
        if low is not None and high is not None and high <= low:
            self.add_error("scale_max", gettext("„Skala bis“ muss größer sein als „Skala von“."))
        elif minimum is not None and low is not None and high is not None and not low <= minimum <= high:
            self.add_error(
                "min_score",
                gettext("Die Mindestpunktzahl muss auf der Skala von %(low)s bis %(high)s liegen.")
                % {"low": low, "high": high},
            )
        return cleaned

    @staticmethod
    def initial_for(criterion: Criterion) -> dict[str, Any]:
        return {
            "key": criterion.key,
            "name": criterion.name,
            "description": criterion.description,
            "weight": criterion.weight,
            "scale_min": criterion.scale_min,
            "scale_max": criterion.scale_max,
            "min_score": criterion.min_score,
        }


class JurorEmailField(forms.ModelChoiceField):
    """An e-mail address typed in, resolved to the account with the juror role (case-insensitive)."""

    widget = forms.EmailInput(attrs={"autocomplete": "off"})

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().lower()
        return super().to_python(value)


class AddJurorForm(forms.Form):
    """A new juror. The home municipality is chosen from the hits of a search (``q``), as in the
    portal: without JavaScript, "Suchen" submits the form and shows the hits as radio buttons."""

    user = JurorEmailField(
        label=_("E-Mail-Adresse des Jurymitglieds"),
        help_text=_("Die Person braucht ein Konto mit der Rolle „Jury“."),
        queryset=User.objects.filter(role=Role.JUROR, is_active=True),
        to_field_name="email",
        error_messages={
            "required": _("Bitte geben Sie die E-Mail-Adresse des Jurymitglieds an."),
            "invalid_choice": _(
                "Zu dieser E-Mail-Adresse gibt es kein aktives Konto mit der Rolle „Jury“. Bitte vergeben "
                "Sie zuerst die Rolle."
            ),
        },
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        help_text=_("Zum Beispiel „Deutscher Städte- und Gemeindebund“."),
        max_length=200,
        error_messages={"required": _("Bitte geben Sie die Organisation des Jurymitglieds an.")},
    )
    q = forms.CharField(
        label=_("Heimatkommune suchen"),
        help_text=_("Name oder amtlicher Gemeindeschlüssel (AGS, 8 Ziffern), zum Beispiel „Falkensee“."),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    home_municipality = forms.ChoiceField(
        label=_("Treffer: Heimatkommune"),
        widget=forms.RadioSelect(attrs=RADIO),
        required=False,
        error_messages={"invalid_choice": _("Bitte wählen Sie eine Kommune aus der Trefferliste.")},
    )
    home_state = forms.ChoiceField(
        label=_("Land"),
        help_text=_("Wenn keine Heimatkommune angegeben ist: das Land, dem das Jurymitglied verbunden ist."),
        required=False,
    )
    expertise = forms.CharField(
        label=_("Fachgebiete (Stichworte)"),
        help_text=_(
            "Durch Kommas getrennt, zum Beispiel „Digitalisierung, Bürgerbeteiligung, ländlicher Raum“. "
            "Die automatische Zuweisung vergleicht sie mit den Texten der Interessenbekundungen."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        candidates: Iterable[Any] = (),
        states: Sequence[Any] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        home = self.fields["home_municipality"]
        assert isinstance(home, forms.ChoiceField)
        home.choices = [(m.ars, municipality_label(m)) for m in candidates]
        state = self.fields["home_state"]
        assert isinstance(state, forms.ChoiceField)
        state.choices = [("", gettext("kein Land"))] + [(s.ars, s.name) for s in states]


def municipality_label(municipality: Any) -> str:
    """ "Falkensee (Stadt, Havelland, Brandenburg) – AGS 12063080"."""
    place = [str(municipality.get_kind_display())]
    if municipality.kind != "landkreis" and not municipality.is_district_free:
        place.append(municipality.district.name)
    place.append(municipality.state.name)
    key = f"AGS {municipality.ags}" if municipality.ags else f"{gettext('Kreisschlüssel')} {municipality.ars}"
    return f"{municipality.name} ({', '.join(place)}) – {key}"


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("Begründung der Aufhebung"),
        help_text=_(
            "Warum besteht die automatisch erkannte Befangenheit nicht? Die Begründung wird im "
            "Prüfprotokoll gespeichert."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={
            "required": _(
                "Bitte begründen Sie schriftlich, warum die automatisch erkannte Befangenheit nicht besteht."
            )
        },
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"])
        return reason


class AddReviewForm(forms.Form):
    """Manual assignment: one juror for one proposal (a form in each row of the assignment table)."""

    proposal = forms.IntegerField(widget=forms.HiddenInput)
    juror = forms.TypedChoiceField(
        label=_("Jurymitglied hinzufügen"),
        coerce=int,
        error_messages={
            "required": _("Bitte wählen Sie ein Jurymitglied."),
            "invalid_choice": _("Bitte wählen Sie ein Jurymitglied dieses Aufrufs."),
        },
    )

    def __init__(self, *args: Any, jurors: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["juror"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", gettext("bitte wählen"))] + [
            (juror.pk, f"{juror.user.email} ({juror.organisation})") for juror in jurors
        ]


# --- the juror's pages ------------------------------------------------------------------------------


class DeclarationForm(forms.Form):
    """Per competing proposal a checkbox "befangen" and a reason; the reason is required when ticked.
    A final confirmation finishes the declaration."""

    confirmed = forms.BooleanField(
        label=_(
            "Ich habe alle Interessenbekundungen geprüft. Bei allen nicht angekreuzten bin ich nicht befangen."
        ),
        error_messages={
            "required": _("Bitte bestätigen Sie, dass Sie alle Interessenbekundungen geprüft haben.")
        },
    )

    def __init__(self, *args: Any, proposals: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proposals = list(proposals)
        for proposal in self.proposals:
            self.fields[f"conflict_{proposal.pk}"] = forms.BooleanField(
                label=gettext("Ich bin befangen bei %(reference)s") % {"reference": proposal.reference},
                required=False,
            )
            self.fields[f"reason_{proposal.pk}"] = forms.CharField(
                label=gettext("Grund der Befangenheit bei %(reference)s") % {"reference": proposal.reference},
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=2000,
                required=False,
            )
        # The confirmation comes last, after the list.
        self.order_fields([*(name for name in self.fields if name != "confirmed"), "confirmed"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for proposal in self.proposals:
            reason = str(cleaned.get(f"reason_{proposal.pk}") or "").strip()
            cleaned[f"reason_{proposal.pk}"] = reason
            if cleaned.get(f"conflict_{proposal.pk}") and not reason:
                self.add_error(
                    f"reason_{proposal.pk}",
                    gettext("Bitte nennen Sie kurz den Grund der Befangenheit."),
                )
        return cleaned

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"proposal": p, "conflict": self[f"conflict_{p.pk}"], "reason": self[f"reason_{p.pk}"]}
            for p in self.proposals
        ]

    def conflicts(self) -> dict[Any, str]:
        """The ticked proposals with their reasons (after ``is_valid``)."""
        return {
            proposal: self.cleaned_data[f"reason_{proposal.pk}"]
            for proposal in self.proposals
            if self.cleaned_data.get(f"conflict_{proposal.pk}")
        }


class ReviewConflictForm(forms.Form):
    """A conflict the juror notices while reading an assigned proposal."""

    conflict_reason = forms.CharField(
        label=_("Grund der Befangenheit"),
        help_text=_(
            "Zum Beispiel: „Ich wohne in einer der beteiligten Kommunen.“ Das Gutachten wird Ihnen danach "
            "abgenommen; ein bereits abgegebenes zählt nicht mehr."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Bitte nennen Sie kurz den Grund der Befangenheit.")},
    )

    def clean_conflict_reason(self) -> str:
        reason = str(self.cleaned_data["conflict_reason"]).strip()
        if not reason:
            raise forms.ValidationError(self.fields["conflict_reason"].error_messages["required"])
        return reason


class ScoreForm(forms.Form):
    """Per criterion the points (radio buttons on a short scale, else a number) and a comment; an
    overall comment. "Entwurf speichern" accepts gaps; "Abgeben" needs every criterion scored and the
    confirmation."""

    comment = forms.CharField(
        label=_("Gesamtkommentar"),
        help_text=_("Ihre Gesamteinschätzung der Interessenbekundung."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        required=False,
    )
    confirmed = forms.BooleanField(
        label=_("Ich gebe dieses Gutachten ab. Danach kann ich es nicht mehr ändern."),
        required=False,
    )

    def __init__(
        self, *args: Any, criteria: Sequence[Criterion] = (), submit: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.submit = submit
        for criterion in self.criteria:
            points = range(criterion.scale_min, criterion.scale_max + 1)
            messages = {
                "required": gettext("Bitte vergeben Sie Punkte für „%(name)s“.") % {"name": criterion.name},
                "invalid_choice": gettext("Bitte wählen Sie einen Wert von %(low)s bis %(high)s.")
                % {"low": criterion.scale_min, "high": criterion.scale_max},
                "invalid": gettext("Bitte geben Sie eine ganze Zahl von %(low)s bis %(high)s an.")
                % {"low": criterion.scale_min, "high": criterion.scale_max},
                "min_value": gettext("Bitte geben Sie eine ganze Zahl von %(low)s bis %(high)s an.")
                % {"low": criterion.scale_min, "high": criterion.scale_max},
                "max_value": gettext("Bitte geben Sie eine ganze Zahl von %(low)s bis %(high)s an.")
                % {"low": criterion.scale_min, "high": criterion.scale_max},
            }
            label = gettext("Punkte: %(name)s (%(low)s bis %(high)s)") % {
                "name": criterion.name,
                "low": criterion.scale_min,
                "high": criterion.scale_max,
            }
            field: forms.Field
            if len(points) <= MAX_RADIO_POINTS:
                field = forms.TypedChoiceField(
                    label=label,
                    help_text=escape(criterion.description),  # the include renders help texts as safe
                    choices=[(value, str(value)) for value in points],
                    coerce=int,
                    empty_value=None,
                    widget=forms.RadioSelect(attrs=RADIO),
                    required=False,
                    error_messages=messages,
                )
            else:
                field = forms.IntegerField(
                    label=label,
                    help_text=escape(criterion.description),  # the include renders help texts as safe
                    min_value=criterion.scale_min,
                    max_value=criterion.scale_max,
                    required=False,
                    error_messages=messages,
                )
            self.fields[f"score_{criterion.pk}"] = field
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=gettext("Kommentar: %(name)s") % {"name": criterion.name},
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=10000,
                required=False,
            )
        self.order_fields(
            [*(name for name in self.fields if name not in {"comment", "confirmed"}), "comment", "confirmed"]
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.submit:
            for criterion in self.criteria:
                name = f"score_{criterion.pk}"
                if name not in self.errors and cleaned.get(name) is None:
                    self.add_error(name, self.fields[name].error_messages["required"])
            if not cleaned.get("confirmed"):
                self.add_error(
                    "confirmed",
                    gettext("Bitte bestätigen Sie, dass Sie das Gutachten abgeben wollen."),
                )
        return cleaned

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"criterion": c, "score": self[f"score_{c.pk}"], "comment": self[f"comment_{c.pk}"]}
            for c in self.criteria
        ]

    def scores(self) -> dict[int, int]:
        return {
            c.pk: self.cleaned_data[f"score_{c.pk}"]
            for c in self.criteria
            if self.cleaned_data.get(f"score_{c.pk}") is not None
        }

    def comments(self) -> dict[int, str]:
        return {
            c.pk: str(self.cleaned_data.get(f"comment_{c.pk}") or "").strip()
            for c in self.criteria
            if str(self.cleaned_data.get(f"comment_{c.pk}") or "").strip()
        }

    def field_for(self, key: str) -> str | None:
        """The form field of a criterion key (for the service's ``InvalidScores.errors``)."""
        for criterion in self.criteria:
            if criterion.key == key:
                return f"score_{criterion.pk}"
        return None
