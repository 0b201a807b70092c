"""Back-office home: the calls a staff member runs, or a juror's assignments."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oglabs.backoffice import rules


def home(request: HttpRequest) -> HttpResponse:
    if not rules.can_enter_backoffice(request.user):
        raise PermissionDenied
    return render(request, "backoffice/home.html", {"can_run_call": rules.can_run_call(request.user)})
