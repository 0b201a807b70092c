"""The applicant's home leads to the support features: my workshops, and a question about each call
that is open (in its card) or that one of my proposals belongs to after its deadline."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories.accounts import StaffFactory
from tests.portal.conftest import client_for, reopen

pytestmark = pytest.mark.django_db


def _support_section(html: str) -> str:
    match = re.search(r'<section aria-labelledby="support-heading".*?</section>', html, re.S)
    assert match is not None
    return match.group(0)


def test_home_links_my_workshops_and_a_question_about_each_open_call(draft) -> None:  # type: ignore[no-untyped-def]
    proposal, user = draft
    html = client_for(user).get(reverse("portal:home")).content.decode()
    support = _support_section(html)
    assert f'href="{reverse("portal:workshops")}">Meine Workshops</a>' in support
    ask = reverse("portal:ask_question", kwargs={"slug": proposal.call.slug})
    assert html.count(f'href="{ask}"') == 1  # in the open call's card
    assert ask not in support
    assert re.search(rf'href="{ask}">Frage zum Aufruf stellen<span class="kern-sr-only">: <span>', html)


def test_home_offers_questions_about_my_call_after_its_deadline(draft) -> None:  # type: ignore[no-untyped-def]
    proposal, user = draft
    reopen(proposal.call, deadline_at=timezone.now() - dt.timedelta(days=1))
    html = client_for(user).get(reverse("portal:home")).content.decode()
    support = _support_section(html)
    ask = reverse("portal:ask_question", kwargs={"slug": proposal.call.slug})
    faq = reverse("public:call_faq", kwargs={"slug": proposal.call.slug})
    assert f'href="{ask}">Frage zum Aufruf stellen: <span>{proposal.call.title}</span></a>' in support
    assert f'href="{faq}"' in support
    assert html.count(f'href="{ask}"') == 1


def test_staff_home_has_no_applicant_support_links(db) -> None:  # type: ignore[no-untyped-def]
    html = client_for(StaffFactory()).get(reverse("portal:home")).content.decode()
    assert "support-heading" not in html
    assert reverse("portal:workshops") not in html
