"""Helpers shared by the review services: the staff check and the per-call lock."""

from __future__ import annotations

from typing import Any

from oglabs.accounts.rules import is_staff_member
from oglabs.calls.models import Call
from oglabs.reviews.exceptions import NotStaff


def require_staff(actor: Any) -> None:
    """Programme staff and admins only (the views check the same; this is the second lock)."""
    if not is_staff_member(actor):
        raise NotStaff


def lock_call(call: Call) -> Call:
    """Serialise the jury's writes per call (criteria, seats, conflicts, assignment): on
    PostgreSQL a row lock on the call; SQLite's IMMEDIATE transactions serialise anyway."""
    return Call.objects.select_for_update().get(pk=call.pk)
