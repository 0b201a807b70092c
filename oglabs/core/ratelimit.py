"""A small fixed-window rate limiter on Django's cache (the database cache by default, so every
worker process shares the counts).

``allow("faq-ask", client_ip(request), limit=5, window_seconds=3600)`` answers whether one more
action is allowed in the current window and counts it. Fixed windows let through up to twice
the limit around a window boundary; that is enough against a form being flooded.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address the request came from. ``X-Forwarded-For`` is not trusted: a client can set it."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _key(scope: str, identity: str, window: int) -> str:
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]  # no raw IP address in the cache
    return f"ratelimit:{scope}:{digest}:{window}"


def allow(scope: str, identity: str, *, limit: int, window_seconds: int, now: float | None = None) -> bool:
    """Count one action of ``identity`` in ``scope``; ``False`` once ``limit`` actions were
    counted in the current window (the refused action is counted too)."""
    instant = time.time() if now is None else now
    window = int(instant // window_seconds)
    key = _key(scope, identity, window)
    # add() is a no-op if the key exists; incr() then counts. Keys expire with their window.
    cache.add(key, 0, timeout=window_seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window_seconds + 1)
        count = 1
    return count <= limit
