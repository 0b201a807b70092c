"""Back office for programme staff and the jury."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oglabs.accounts import rules


def home(request: HttpRequest) -> HttpResponse:
    if not (rules.is_staff_member(request.user) or rules.is_juror(request.user)):
        raise PermissionDenied
    return render(request, "backoffice/home.html", {})
