"""Receivers for allauth's authentication signals (authentication plumbing only, no domain flow)."""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.signals import authenticator_added
from django.dispatch import receiver


@receiver(authenticator_added)
def record_second_factor_on_activation(
    sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    """Activating TOTP requires a valid code: it proves the second factor for this session."""
    if request is not None:
        record_authentication(request, user, "mfa", type=authenticator.type, activated=True)
