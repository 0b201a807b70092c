"""Bench-only URLconf: everything of ``oglabs.urls`` plus the views the deadline rush measures.

* ``bench/baseline/`` — the baseline: a logged-in POST that does one INSERT (raw SQL into the
  scratch table ``bench_baseline``), through the same middleware as every portal page.
* ``bench/proposals/<pk>/save/`` and ``…/submit/`` — stand-ins for the portal's save and submit
  views while those are being built: they make exactly the domain calls the portal makes
  (``save_section``, ``submit_proposal`` with ``now=timezone.now()`` and the request's user),
  so the measured path is the real service and database path. Switch the benchmark to the
  portal's URLs once they exist.

Mounted only by ``bench/settings_bench.py``; never by ``oglabs.urls``.
"""

from __future__ import annotations

import json
import os

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from oglabs import urls as oglabs_urls
from oglabs.proposals import queries
from oglabs.proposals.exceptions import (
    CallClosed,
    EditConflict,
    InvalidContent,
    ProposalNotFound,
    SubmissionRefused,
)
from oglabs.proposals.services import save_section, submit_proposal

BASELINE_TABLE = "bench_baseline"

if os.environ.get("OGLABS_BENCH_STUB_RECEIPT") == "1":
    # What-if measurement only: the receipt PDF rendered somewhere else than in the request
    # (e.g. by the mail worker after commit). Replaces the renderer the submission calls with a
    # constant; the benchmark labels these figures as such.
    from oglabs.proposals.services import submission as _submission

    _submission.render_receipt = lambda version: b"%PDF-1.4 stub"  # type: ignore[assignment]  # what-if


@require_POST
def baseline(request: HttpRequest) -> HttpResponse:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BASELINE_TABLE} (user_id, created_at) VALUES (%s, %s)",  # the table name is a constant
            [request.user.pk, timezone.now().isoformat()],
        )
    return JsonResponse({"ok": True})


@require_POST
def save(request: HttpRequest, pk: int) -> HttpResponse:
    body = json.loads(request.body)
    try:
        proposal = queries.get_proposal_for_member(request.user, pk)
        proposal = save_section(
            proposal,
            section=body["section"],
            data=body["data"],
            expected_version=body["expected_version"],
            actor=request.user,  # type: ignore[arg-type]  # LoginRequiredMiddleware: a User
            now=timezone.now(),
        )
    except ProposalNotFound:
        return JsonResponse({"error": "not found"}, status=404)
    except EditConflict:
        return JsonResponse({"error": "conflict"}, status=409)
    except (InvalidContent, CallClosed) as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"lock_version": proposal.lock_version})


@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        proposal = queries.get_proposal_for_member(request.user, pk)
        version = submit_proposal(proposal, actor=request.user, now=timezone.now())  # type: ignore[arg-type]  # a User
    except ProposalNotFound:
        return JsonResponse({"error": "not found"}, status=404)
    except (SubmissionRefused, CallClosed) as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"version": version.number, "sha256": version.sha256})


urlpatterns = [
    path("bench/baseline/", baseline),
    path("bench/proposals/<int:pk>/save/", save),
    path("bench/proposals/<int:pk>/submit/", submit),
    *oglabs_urls.urlpatterns,
]
