"""Shared fixtures. Tests run on a real database (SQLite by default, PostgreSQL via DATABASE_URL)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _german_default(settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "de"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
