"""Second-factor enforcement for staff, jurors and admins.

allauth asks for the TOTP code at login once a user has an authenticator. This middleware makes
the second factor *required* for privileged roles: until the session carries a record that a
second factor was used, such a user reaches only public pages and the account pages needed to
set one up or to re-authenticate with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from oglabs.accounts.rules import needs_second_factor


def session_used_second_factor(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


class RequireSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        user = request.user
        if not needs_second_factor(user) or session_used_second_factor(request):
            return None
        if getattr(view_func, "login_required", True) is False:
            return None  # public pages stay reachable
        module = getattr(view_func, "__module__", "") or ""
        if module.startswith("allauth."):
            return None  # account, MFA set-up and re-authentication pages
        if is_mfa_enabled(user):
            return redirect("mfa_reauthenticate")
        return redirect("mfa_activate_totp")
