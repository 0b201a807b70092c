"""The call's criteria: the default set, adding, changing and deleting — until the first score.

Once any juror has scored (a draft counts), the criteria are fixed: otherwise reviews would be
compared on different yardsticks.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max

from oglabs.audit.services import record_event
from oglabs.calls.models import Call
from oglabs.reviews.criteria_defaults import DEFAULT_CRITERIA
from oglabs.reviews.exceptions import CriteriaExist, CriteriaLocked, CriterionOfOtherCall, InvalidCriterion
from oglabs.reviews.models import Criterion, Score
from oglabs.reviews.services.common import lock_call, require_staff

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
#: The database columns: weight and minimum ``max_digits=6, decimal_places=2``; scale a small integer.
MAX_WEIGHT = Decimal("9999.99")
MAX_SCALE = 1000


def _locked(call: Call) -> bool:
    return Score.objects.filter(criterion__call=call).exists()


def _criterion_data(criterion: Criterion) -> dict[str, Any]:
    return {
        "key": criterion.key,
        "name": criterion.name,
        "weight": criterion.weight,
        "scale_min": criterion.scale_min,
        "scale_max": criterion.scale_max,
        "min_score": criterion.min_score,
    }


def create_default_criteria(call: Call, *, actor: Any, now: datetime) -> list[Criterion]:
    """The default set derived from the call's aims (see ``criteria_defaults``): refused when the
    call already has criteria. Audit: ``reviews.default_criteria_created``."""
    require_staff(actor)
    with transaction.atomic():
        lock_call(call)
        if _locked(call):
            raise CriteriaLocked
        if Criterion.objects.filter(call=call).exists():
            raise CriteriaExist
        created = Criterion.objects.bulk_create(
            Criterion(
                call=call,
                key=default.key,
                position=position,
                name=default.name,
                description=default.description,
                weight=default.weight,
                scale_min=default.scale_min,
                scale_max=default.scale_max,
            )
            for position, default in enumerate(DEFAULT_CRITERIA, 1)
        )
        record_event(
            actor=actor,
            action="reviews.default_criteria_created",
            target=call,
            data={"criteria": [_criterion_data(c) for c in created]},
            now=now,
        )
    return list(Criterion.objects.filter(call=call).order_by("position", "pk"))


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _validated(
    call: Call,
    criterion: Criterion | None,
    *,
    key: str,
    name: str,
    weight: Any,
    scale_min: int,
    scale_max: int,
    min_score: Any,
) -> tuple[str, str, Decimal, int, int, Decimal | None]:
    errors: dict[str, list[str]] = {}
    key = key.strip()
    name = name.strip()
    if not _KEY.match(key) or len(key) > 60:
        errors["key"] = [
            "Der Schlüssel besteht aus höchstens 60 Kleinbuchstaben, Ziffern, Binde- oder Unterstrichen "
            "(z. B. „zusammenarbeit“)."
        ]
    elif (
        Criterion.objects.filter(call=call, key=key)
        .exclude(pk=criterion.pk if criterion is not None else 0)
        .exists()
    ):
        errors["key"] = [f"Der Schlüssel „{key}“ ist in diesem Aufruf bereits vergeben."]
    if not name:
        errors["name"] = ["Bitte geben Sie eine Bezeichnung an."]
    elif len(name) > 200:
        errors["name"] = ["Die Bezeichnung darf höchstens 200 Zeichen lang sein."]
    weight_value = _decimal(weight)
    if (
        weight_value is None
        or not Decimal(0) < weight_value <= MAX_WEIGHT
        or weight_value != weight_value.quantize(Decimal("0.01"))
    ):
        errors["weight"] = [
            f"Das Gewicht ist eine Zahl größer als 0 und höchstens {MAX_WEIGHT} mit höchstens zwei Nachkommastellen."
        ]
    if (
        not (isinstance(scale_min, int) and isinstance(scale_max, int))
        or not 0 <= scale_min < scale_max <= MAX_SCALE
    ):
        errors["scale_max"] = [
            f"Die Skala reicht von einer ganzen Zahl ab 0 bis zu einer größeren ganzen Zahl (höchstens {MAX_SCALE})."
        ]
    minimum: Decimal | None = None
    if min_score not in (None, ""):
        minimum = _decimal(min_score)
        if (
            minimum is None
            or minimum != minimum.quantize(Decimal("0.01"))
            or "scale_max" in errors
            or not scale_min <= minimum <= scale_max
        ):
            errors["min_score"] = [
                "Die Mindestpunktzahl muss innerhalb der Skala liegen (höchstens zwei Nachkommastellen)."
            ]
    if errors:
        raise InvalidCriterion(errors)
    assert weight_value is not None
    if minimum is not None:
        minimum = minimum.quantize(Decimal("0.01"))
    return key, name, weight_value.quantize(Decimal("0.01")), scale_min, scale_max, minimum


def save_criterion(
    call: Call,
    *,
    criterion: Criterion | None = None,
    key: str,
    name: str,
    description: str,
    weight: Decimal,
    scale_min: int,
    scale_max: int,
    min_score: Decimal | None,
    actor: Any,
    now: datetime,
) -> Criterion:
    """Add a criterion (``criterion=None``, placed last) or change one. Refused once any score
    exists for the call. Audit: ``reviews.criterion_added`` / ``reviews.criterion_changed``."""
    require_staff(actor)
    if criterion is not None and criterion.call_id != call.pk:
        raise CriterionOfOtherCall
    with transaction.atomic():
        lock_call(call)
        if _locked(call):
            raise CriteriaLocked
        key, name, weight, scale_min, scale_max, minimum = _validated(
            call,
            criterion,
            key=key,
            name=name,
            weight=weight,
            scale_min=scale_min,
            scale_max=scale_max,
            min_score=min_score,
        )
        if criterion is None:
            last = Criterion.objects.filter(call=call).aggregate(last=Max("position"))["last"] or 0
            saved = Criterion(call=call, position=last + 1)
            action, before = "reviews.criterion_added", None
        else:
            saved = Criterion.objects.select_for_update().get(pk=criterion.pk)
            action, before = "reviews.criterion_changed", _criterion_data(saved)
        saved.key = key
        saved.name = name
        saved.description = description.strip()
        saved.weight = weight
        saved.scale_min = scale_min
        saved.scale_max = scale_max
        saved.min_score = minimum
        saved.save()
        record_event(
            actor=actor,
            action=action,
            target=saved,
            data={"call": call.pk, "before": before, "after": _criterion_data(saved)},
            now=now,
        )
    return saved


def delete_criterion(criterion: Criterion, *, actor: Any, now: datetime) -> None:
    """Delete a criterion; refused once any score exists for the call. Audit:
    ``reviews.criterion_deleted``."""
    require_staff(actor)
    with transaction.atomic():
        call = lock_call(criterion.call)
        if _locked(call):
            raise CriteriaLocked
        locked = Criterion.objects.select_for_update().get(pk=criterion.pk)
        record_event(
            actor=actor,
            action="reviews.criterion_deleted",
            target=locked,
            data={"call": call.pk, "before": _criterion_data(locked)},
            now=now,
        )
        locked.delete()
