"""Bench-only URLconf: everything of ``oglabs.urls`` plus the baseline of the deadline rush.

* ``bench/baseline/`` — the baseline: a logged-in POST that does one INSERT (raw SQL into the
  scratch table ``bench_baseline``), through the same middleware as every portal page.
* ``bench/floor/<pk>/`` — the floor: the two writes that any submission which changes the state
  and freezes the prepared version must make (the prepared path's read of what it expects, its
  UPDATE and INSERT … SELECT of ``proposals/services/submission.py``, in one transaction; the
  INSERT also tells whether an older receipt is owed, as SQLite's submission reads it there),
  without the audit event and the owed receipt. Not a
  valid submission (it leaves no audit event): it shows what the submission could at best come
  to with its data as they are.

The rush itself goes through the portal's own URLs.

Mounted only by ``bench/settings_bench.py``; never by ``oglabs.urls``.
"""

from __future__ import annotations

import os

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from oglabs import urls as oglabs_urls
from oglabs.proposals.services import submission
from oglabs.proposals.services.receipts import overdue_before

BASELINE_TABLE = "bench_baseline"


@require_POST
def baseline(request: HttpRequest) -> HttpResponse:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BASELINE_TABLE} (user_id, created_at) VALUES (%s, %s)",  # the table name is a constant
            [request.user.pk, timezone.now().isoformat()],
        )
    return JsonResponse(
        {"ok": True, "worker": os.getpid()}
    )  # the worker, so that the warm-up can wait for all


@require_POST
def floor(request: HttpRequest, pk: int) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(submission._EXPECTED_SQL, [pk])
        expected = cursor.fetchone()
    if expected is None:
        return HttpResponse(status=409)
    content_version, sha256, number = expected
    claim, freeze = submission._params(
        pk, request.user.pk, content_version, sha256, number, timezone.now(), receipt_owed=False
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(submission._CLAIM_SQL, claim)
        if cursor.fetchone() is None:
            return HttpResponse(status=409)
        cursor.execute(submission._FREEZE_SQL, [*freeze, pk, content_version, overdue_before(timezone.now())])
    return HttpResponseRedirect(f"/portal/antraege/{pk}/")


urlpatterns = [
    path("bench/baseline/", baseline),
    path("bench/floor/<int:pk>/", floor),
    *oglabs_urls.urlpatterns,
]
