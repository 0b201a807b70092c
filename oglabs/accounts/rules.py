"""Named permission predicates. Every non-public view checks one of these.

A predicate takes the user (possibly anonymous) and answers yes or no; it never raises.
"""

from __future__ import annotations

from typing import Any

from oglabs.accounts.models import PRIVILEGED_ROLES, Role


def _role(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return str(user.role)


def is_applicant(user: Any) -> bool:
    return _role(user) == Role.APPLICANT


def is_staff_member(user: Any) -> bool:
    """Programme staff and admins run the call."""
    return _role(user) in {Role.STAFF, Role.ADMIN}


def is_juror(user: Any) -> bool:
    return _role(user) == Role.JUROR


def is_admin(user: Any) -> bool:
    return _role(user) == Role.ADMIN


def needs_second_factor(user: Any) -> bool:
    """Staff, jurors and admins must have logged in with TOTP."""
    return _role(user) in PRIVILEGED_ROLES
