"""The public call page shows each deadline's commitment (root, time, count) once it is made."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from oglabs.transparency import services
from tests.factories.proposals import DEADLINE, CallFactory
from tests.factories.submitted import submitted_proposal

pytestmark = pytest.mark.django_db


def test_public_call_page_shows_the_commitment_once_made():
    call = CallFactory()
    submitted_proposal(call)
    url = reverse("public:call_detail", kwargs={"slug": call.slug})
    before = Client().get(url).content.decode()
    assert "Fristsiegel" not in before
    commitment = services.commit_deadline(call, now=DEADLINE + dt.timedelta(minutes=5))
    page = Client().get(url).content.decode()
    assert "Fristsiegel: die Einreichungen zum Fristende" in page
    assert f'<code class="og-hash">{commitment.root}</code>' in page
    assert "31.10.2019, 23:59 Uhr" in page
    assert "01.11.2019, 00:04 Uhr" in page
