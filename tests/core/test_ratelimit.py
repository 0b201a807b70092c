"""The fixed-window rate limiter on the (database) cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from oglabs.core.ratelimit import allow

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def test_allow_counts_up_to_the_limit_then_refuses():
    results = [allow("t", "192.0.2.1", limit=3, window_seconds=60, now=1000.0) for _ in range(5)]
    assert results == [True, True, True, False, False]


def test_allow_starts_afresh_in_the_next_window():
    for _ in range(3):
        allow("t", "192.0.2.1", limit=3, window_seconds=60, now=1000.0)
    assert allow("t", "192.0.2.1", limit=3, window_seconds=60, now=1000.0) is False
    assert allow("t", "192.0.2.1", limit=3, window_seconds=60, now=1020.0) is True  # 1020 // 60 = 17, not 16


def test_allow_keeps_scopes_and_addresses_apart():
    assert allow("a", "192.0.2.1", limit=1, window_seconds=60, now=0.0) is True
    assert allow("a", "192.0.2.1", limit=1, window_seconds=60, now=0.0) is False
    assert allow("b", "192.0.2.1", limit=1, window_seconds=60, now=0.0) is True
    assert allow("a", "192.0.2.2", limit=1, window_seconds=60, now=0.0) is True
