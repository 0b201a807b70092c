"""The call's jury: taking a juror in (with conflict detection) and removing one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from oglabs.accounts.models import User
from oglabs.accounts.rules import is_juror
from oglabs.audit.services import record_event
from oglabs.calls.models import Call
from oglabs.places.models import Municipality, State
from oglabs.reviews.exceptions import AlreadyJuror, InvalidJuror, JurorHasSubmittedReviews, NotAJuror
from oglabs.reviews.models import Juror, Review, ReviewState
from oglabs.reviews.services.common import lock_call, require_staff
from oglabs.reviews.services.conflicts import conflict_summary, detect_for


def add_juror(
    call: Call,
    *,
    user: User,
    organisation: str,
    home_municipality: Municipality | None = None,
    home_state: State | None = None,
    expertise: str = "",
    actor: Any,
    now: datetime,
) -> Juror:
    """Take a user with the juror role into the call's jury and detect their conflicts at once.
    The home Land defaults to that of the home municipality. The juror sees nothing until they
    have declared their own conflicts. Audit: ``reviews.juror_added`` with the detected conflicts."""
    require_staff(actor)
    if not is_juror(user):
        raise NotAJuror
    organisation = organisation.strip()
    if not organisation:
        raise InvalidJuror("Bitte geben Sie die Organisation des Jurymitglieds an.")
    if len(organisation) > 200:
        raise InvalidJuror("Die Organisation darf höchstens 200 Zeichen lang sein.")
    if home_municipality is not None:
        if home_state is None:
            home_state = home_municipality.state
        elif home_state.pk != home_municipality.state_id:
            raise InvalidJuror(
                f"Die Heimatkommune {home_municipality.name} liegt nicht im Land {home_state.name}."
            )
    with transaction.atomic():
        lock_call(call)
        if Juror.objects.filter(call=call, user=user).exists():
            raise AlreadyJuror
        juror = Juror.objects.create(
            call=call,
            user=user,
            organisation=organisation,
            home_municipality=home_municipality,
            home_state=home_state,
            expertise=expertise.strip(),
            added_at=now,
        )
        detected, _removed = detect_for(call, [juror], now=now)
        record_event(
            actor=actor,
            action="reviews.juror_added",
            target=juror,
            data={
                "call": call.pk,
                "user": user.pk,
                "organisation": organisation,
                "home_municipality": home_municipality.pk if home_municipality is not None else None,
                "home_state": home_state.pk if home_state is not None else None,
                "detected": conflict_summary(detected),
            },
            now=now,
        )
    return juror


def remove_juror(juror: Juror, *, actor: Any, now: datetime) -> None:
    """Remove a juror with their open and draft reviews and their conflicts; refused once they have
    submitted a review (it is part of the result). Audit: ``reviews.juror_removed``."""
    require_staff(actor)
    with transaction.atomic():
        lock_call(juror.call)
        locked = Juror.objects.select_for_update().get(pk=juror.pk)
        submitted = Review.objects.filter(juror=locked, state=ReviewState.SUBMITTED).count()
        if submitted:
            raise JurorHasSubmittedReviews(submitted)
        reviews = list(Review.objects.filter(juror=locked).order_by("pk").values_list("pk", flat=True))
        record_event(
            actor=actor,
            action="reviews.juror_removed",
            target=locked,
            data={"call": locked.call_id, "user": locked.user_id, "removed_reviews": reviews},
            now=now,
        )
        Review.objects.filter(pk__in=reviews).delete()
        locked.delete()
