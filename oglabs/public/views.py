"""Public site: no login."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oglabs.core.access import public

__all__ = ["home", "public"]


@public
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html", {})
