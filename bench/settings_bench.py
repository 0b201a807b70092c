"""Settings for benchmarks only: the production settings plus the bench URLconf.

The bench URLconf (``bench/urls_bench.py``) adds a baseline view that does one INSERT and the
floor view (a submission's two writes without its audit event). It is never part of
``oglabs.urls``; this module refuses to load unless ``OGLABS_BENCH_BASELINE=1`` is set, so it
cannot be picked up by accident.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from oglabs.settings import *  # noqa: F403  # an override module takes every production setting

if os.environ.get("OGLABS_BENCH_BASELINE") != "1":
    raise ImproperlyConfigured("bench.settings_bench is for benchmarks only (set OGLABS_BENCH_BASELINE=1).")

ROOT_URLCONF = "bench.urls_bench"
