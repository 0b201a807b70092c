"""The public wording of a call's statistics and published decision: the stages of the procedure,
the selection rules and the aggregation in plain language, numbers in the active language.

Shared by the public pages and the read API (both interface layers read it), so the two say the
same. No queries: everything comes from :mod:`oglabs.transparency.public_queries` results.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from oglabs.core.templatetags.oglabs_format import format_money
from oglabs.transparency.public_queries import PublishedDecision


def stage_label(key: str) -> str:
    return {
        "submitted": _("eingereicht, Prüfung läuft"),
        "eligible": _("förderfähig"),
        "ineligible": _("nicht förderfähig"),
        "in_competition": _("im Teilnahmewettbewerb"),
        "decided": _("entschieden"),
        "withdrawn": _("zurückgezogen"),
    }[key]


def format_number(value: Decimal | int | Fraction, *, places: int | None = None) -> str:
    """A number in the active language ("71,5" / "71.5"); ``places`` fixes the decimals."""
    decimal_mark, thousands = (".", ",") if _is_english() else (",", ".")
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    number = Decimal(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    elif number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    sign = "-" if number < 0 else ""
    whole, _sep, fraction = f"{abs(number):f}".partition(".")
    groups = f"{int(whole):,}".replace(",", thousands)
    return f"{sign}{groups}{decimal_mark}{fraction}" if fraction else f"{sign}{groups}"


def format_percent(share: Decimal) -> str:
    return format_number(share * 100) + " %"


def data_language() -> str:
    """The language of entered texts (the site's, German) when the page is in another one, else ""
    (what ``{% data_lang %}`` writes as ``lang``, for HTML built in Python)."""
    data = settings.LANGUAGE_CODE.split("-")[0]
    active = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return "" if active == data else settings.LANGUAGE_CODE


def _is_english() -> bool:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0] == "en"


# --- the selection rules in plain language ------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def rules_sentences(decision: PublishedDecision) -> list[str]:
    """The rules of the published selection run, one sentence each."""
    parameters = decision.parameters
    currency = decision.call.currency
    sentences: list[str] = []
    max_labs = parameters.get("max_labs")
    if max_labs is not None:
        sentences.append(
            ngettext(
                "Ausgewählt wird höchstens %(count)d Labor.",
                "Ausgewählt werden höchstens %(count)d Labore.",
                int(max_labs),
            )
            % {"count": int(max_labs)}
        )
    budget = _decimal(parameters.get("budget"))
    if budget is not None:
        sentences.append(
            _("Zusammen erhalten die ausgewählten Labore höchstens %(budget)s.")
            % {"budget": format_money(budget, currency)}
        )
    max_per_state = parameters.get("max_per_state")
    if max_per_state is None:
        sentences.append(_("Eine Höchstzahl von Laboren je Land gibt es nicht."))
    else:
        sentences.append(
            ngettext(
                "Aus einem Land wird höchstens %(count)d Labor ausgewählt (Land der federführenden Kommune).",
                "Aus einem Land werden höchstens %(count)d Labore ausgewählt (Land der federführenden Kommune).",
                int(max_per_state),
            )
            % {"count": int(max_per_state)}
        )
    rural = _decimal(parameters.get("min_rural_share"))
    if rural is not None and rural > 0:
        sentences.append(
            _(
                "Mindestens %(share)s der ausgewählten Labore liegen im ländlichen Raum: ihre federführende "
                "Kommune ist gering besiedelt (Grad der Verstädterung 3)."
            )
            % {"share": format_percent(rural)}
        )
    min_score = _decimal(parameters.get("min_score"))
    if min_score is not None:
        sentences.append(
            _("Ausgewählt werden kann nur, wer mindestens %(score)s Punkte erreicht.")
            % {"score": format_number(min_score)}
        )
    minimums = [c for c in decision.criteria if c.min_score is not None]
    for criterion in minimums:
        sentences.append(
            _("Im Kriterium „%(name)s“ sind mindestens %(score)s Punkte nötig (Mittelwert der Jury).")
            % {"name": criterion.name, "score": format_number(criterion.min_score or 0)}
        )
    share = _decimal(parameters.get("min_funding_share"))
    if share is None:
        sentences.append(_("Jedes ausgewählte Labor erhält den vollen beantragten Betrag."))
    else:
        sentences.append(
            _(
                "Reicht das Geld nicht für den vollen Betrag, kann ein Labor auch mit weniger gefördert "
                "werden, mindestens aber mit %(share)s des beantragten Betrags; gekürzt wird zuerst beim "
                "Labor mit dem niedrigsten Rang."
            )
            % {"share": format_percent(share)}
        )
    sentences.append(
        _(
            "Unter allen Auswahlen, die diese Regeln einhalten, gilt die mit der höchsten Summe der "
            "Punktzahlen; bei gleicher Summe die, die mehr Fördermittel vergibt. Bleibt dann noch ein "
            "Gleichstand, entscheidet die veröffentlichte Reihenfolge: zuerst der Zeitpunkt der ersten "
            "Einreichung, dann die Kennung."
        )
    )
    return sentences


def aggregation_sentences(decision: PublishedDecision) -> list[str]:
    """How the jury's scores became one score per proposal, in plain language."""
    aggregation = decision.aggregation
    sentences = [
        _(
            "Jedes Jurymitglied bewertet eine Interessenbekundung in jedem Kriterium mit Punkten. Die "
            "Punkte mal das Gewicht des Kriteriums, zusammengezählt, ergeben die Punktzahl dieses "
            "Gutachtens."
        )
    ]
    reviews = aggregation.get("reviews_per_proposal")
    if reviews:
        sentences.append(
            ngettext(
                "Jede Interessenbekundung erhält %(count)d Gutachten.",
                "Jede Interessenbekundung erhält %(count)d Gutachten.",
                int(reviews),
            )
            % {"count": int(reviews)}
        )
    method = aggregation.get("method")
    if method == "median":
        sentences.append(_("Die Punktzahl einer Interessenbekundung ist der Median ihrer Gutachten."))
    elif method == "mean":
        sentences.append(_("Die Punktzahl einer Interessenbekundung ist der Mittelwert ihrer Gutachten."))
    if aggregation.get("normalised"):
        sentences.append(
            _(
                "Vorher werden strenge und milde Bewertungen ausgeglichen: die Punktzahlen jedes "
                "Jurymitglieds werden auf den gemeinsamen Mittelwert und die gemeinsame Streuung "
                "umgerechnet (z-Werte)."
            )
        )
    maximum = _decimal(aggregation.get("max_score"))
    if maximum:
        sentences.append(_("Höchstens möglich sind %(max)s Punkte.") % {"max": format_number(maximum)})
    sentences.append(
        _(
            "Ein Jurymitglied, das befangen ist, bewertet die Interessenbekundung nicht; sein Gutachten "
            "zählt nicht."
        )
    )
    return sentences


def run_status_text(status: str) -> str:
    return {
        "optimal": _("Das Ergebnis ist nachweislich die beste Auswahl nach diesen Regeln."),
        "not_proven": _(
            "Die Rechnung wurde nach der Zeitgrenze beendet; die beste gefundene Auswahl wurde übernommen."
        ),
        "no_eligible": _("Keine Interessenbekundung erfüllte die Regeln."),
        "rural_share_unattainable": _("Der Mindestanteil ländlicher Labore war nicht erreichbar."),
        "heuristic": _("Die Auswahl folgt der Rangfolge, bis das Geld verbraucht ist."),
    }.get(status, status)
