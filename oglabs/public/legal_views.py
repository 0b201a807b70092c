"""The pages every German public site needs: Impressum, Datenschutzerklärung, Erklärung zur
Barrierefreiheit, and the call explained in Leichte Sprache. The operator's data come from the
``OGLABS_OPERATOR_*`` settings (environment variables), so a deployment fills them in."""

from datetime import date
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from oglabs.calls import queries as call_queries
from oglabs.core.access import public
from oglabs.public import presenters

__all__ = ["barrierefreiheit", "datenschutz", "impressum", "leichte_sprache"]


def _operator() -> dict[str, Any]:
    return {
        "operator": {
            "name": settings.OGLABS_OPERATOR_NAME,
            "street": settings.OGLABS_OPERATOR_STREET,
            "city": settings.OGLABS_OPERATOR_CITY,
            "email": settings.OGLABS_OPERATOR_EMAIL,
            "phone": settings.OGLABS_OPERATOR_PHONE,
            "representative": settings.OGLABS_OPERATOR_REPRESENTATIVE,
            "dpo_email": settings.OGLABS_OPERATOR_DPO_EMAIL,
            "accessibility_email": settings.OGLABS_OPERATOR_ACCESSIBILITY_EMAIL,
            "accessibility_reviewed_on": date.fromisoformat(
                settings.OGLABS_OPERATOR_ACCESSIBILITY_REVIEWED_ON
            ),
        },
        "session_cookie_hours": settings.SESSION_COOKIE_AGE // 3600,
    }


@public
def impressum(request: HttpRequest) -> HttpResponse:
    return render(request, "public/legal/impressum.html", _operator())


@public
def datenschutz(request: HttpRequest) -> HttpResponse:
    return render(request, "public/legal/datenschutz.html", _operator())


@public
def barrierefreiheit(request: HttpRequest) -> HttpResponse:
    return render(request, "public/legal/barrierefreiheit.html", _operator())


@public
def leichte_sprache(request: HttpRequest) -> HttpResponse:
    """The call in Leichte Sprache; figures and deadline from the first public call (open ones first)."""
    now = timezone.now()
    calls = call_queries.public_calls(now=now)
    summary = presenters.summarise(calls[0], now=now) if calls else None
    return render(request, "public/leichte_sprache.html", {**_operator(), "summary": summary})
