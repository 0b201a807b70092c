"""Applicant portal."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oglabs.accounts import rules


def home(request: HttpRequest) -> HttpResponse:
    """Landing page after login: every role starts here and sees where to go."""
    return render(request, "portal/home.html", {"is_staff_member": rules.is_staff_member(request.user)})
