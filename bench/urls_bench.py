"""Bench-only URLconf: everything of ``oglabs.urls`` plus the baseline of the deadline rush.

* ``bench/baseline/`` — the baseline: a logged-in POST that does one INSERT (raw SQL into the
  scratch table ``bench_baseline``), through the same middleware as every portal page.

The rush itself goes through the portal's own URLs.

Mounted only by ``bench/settings_bench.py``; never by ``oglabs.urls``.
"""

from __future__ import annotations

import os

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from oglabs import urls as oglabs_urls

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


urlpatterns = [
    path("bench/baseline/", baseline),
    *oglabs_urls.urlpatterns,
]
