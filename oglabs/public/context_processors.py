"""Template context for every page: site name, operator, and what the main navigation offers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from oglabs.accounts import rules


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": "oglabs",
        "SITE_URL": settings.SITE_URL,
        "OPERATOR": {
            "name": settings.OGLABS_OPERATOR_NAME,
            "street": settings.OGLABS_OPERATOR_STREET,
            "city": settings.OGLABS_OPERATOR_CITY,
            "email": settings.OGLABS_OPERATOR_EMAIL,
            "phone": settings.OGLABS_OPERATOR_PHONE,
        },
        # Navigation: the back office is offered to staff and jurors only; the views check again.
        "nav_show_portal": bool(user is not None and user.is_authenticated),
        "nav_show_backoffice": rules.is_staff_member(user) or rules.is_juror(user),
    }
