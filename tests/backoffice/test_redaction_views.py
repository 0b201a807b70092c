"""The publication screens: staff only (applicants and jurors get 403 and change nothing), the
queue with the readiness list, the review page with accessible marks, adjusting marks without
JavaScript, confirming only as the second person, returning, publishing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oglabs.accounts.models import User
from oglabs.audit.models import AuditEvent
from oglabs.transparency import queries, services
from oglabs.transparency.models import PublicationAllowList, PublicText, TextStatus
from oglabs.transparency.redaction import PLACEHOLDER
from tests.backoffice.conftest import login_with_second_factor
from tests.factories.accounts import JurorFactory, StaffFactory, UserFactory
from tests.factories.transparency import decision_with_reasons

pytestmark = pytest.mark.django_db

REASON = "Überzeugend. Kontakt: Erika Muster, erika@example.de, Tel. 030 1234567; Verein Lichtblick."
NOW = timezone.now() - dt.timedelta(minutes=5)


def _client_for(user: User) -> Client:
    client = Client()
    if user.is_privileged:
        return login_with_second_factor(client, user)
    client.force_login(user)
    return client


@pytest.fixture
def prepared():
    """A decision of one reason, prepared by ``first``; returns (decision, text, first)."""
    UserFactory(first_name="Erika", last_name="Muster")
    first = StaffFactory()
    decision = decision_with_reasons([REASON])
    [text] = services.prepare_publication(decision, actor=first, now=NOW)
    return decision, text, first


def _urls(decision, text) -> list[tuple[str, str]]:
    slug = decision.call.slug
    return [
        ("get", reverse("backoffice:redaction_queue", kwargs={"slug": slug})),
        ("get", reverse("backoffice:redaction_text", kwargs={"slug": slug, "pk": text.pk})),
        ("post", reverse("backoffice:redaction_text", kwargs={"slug": slug, "pk": text.pk})),
        ("post", reverse("backoffice:redaction_prepare", kwargs={"slug": slug})),
        ("post", reverse("backoffice:redaction_allow_list", kwargs={"slug": slug})),
        ("post", reverse("backoffice:redaction_publish", kwargs={"slug": slug})),
        ("post", reverse("backoffice:redaction_confirm", kwargs={"slug": slug, "pk": text.pk})),
        ("post", reverse("backoffice:redaction_return", kwargs={"slug": slug, "pk": text.pk})),
    ]


@pytest.mark.parametrize("role", ["applicant", "juror"])
def test_outsiders_cannot_reach_or_use_the_publication_screens(role, prepared):
    decision, text, _ = prepared
    user = UserFactory() if role == "applicant" else JurorFactory()
    client = _client_for(user)
    events = AuditEvent.objects.count()
    for method, url in _urls(decision, text):
        data = {"keep": [], "phrase": "Überzeugend", "note": "x", "entries": "Erika Muster"}
        response = client.get(url) if method == "get" else client.post(url, data)
        assert response.status_code == 403, url
    text.refresh_from_db()
    assert (text.status, text.marks == text.auto_marks, text.confirmed_by) == (TextStatus.MARKED, True, None)
    assert AuditEvent.objects.count() == events
    assert not PublicationAllowList.objects.exists()
    decision.refresh_from_db()
    assert decision.published_at is None


def test_queue_lists_texts_and_what_is_missing(prepared):
    decision, text, first = prepared
    response = _client_for(first).get(
        reverse("backoffice:redaction_queue", kwargs={"slug": decision.call.slug})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 Begründung wartet auf die Bestätigung der Schwärzungen durch eine zweite Person." in page
    assert reverse("backoffice:redaction_text", kwargs={"slug": decision.call.slug, "pk": text.pk}) in page
    assert "<caption" in page
    assert 'aria-current="page"' in page and "Veröffentlichung" in page


def test_queue_without_decision_says_so():
    staff = StaffFactory()
    call = decision_with_reasons([]).call
    call.decision.delete()
    response = _client_for(staff).get(reverse("backoffice:redaction_queue", kwargs={"slug": call.slug}))
    assert response.status_code == 200
    assert "noch keine Förderentscheidung" in response.content.decode()


def test_review_page_marks_spans_with_a_hidden_label_of_their_kind(prepared):
    decision, text, first = prepared
    url = reverse("backoffice:redaction_text", kwargs={"slug": decision.call.slug, "pk": text.pk})
    page = _client_for(StaffFactory()).get(url).content.decode()
    marks = re.findall(r'<mark class="og-redaction-mark">(.*?)</mark>', page)
    assert marks == [
        'Erika Muster<span class="kern-sr-only"> (geschwärzt: Name einer Person)</span>',
        'erika@example.de<span class="kern-sr-only"> (geschwärzt: E-Mail-Adresse)</span>',
        '030 1234567<span class="kern-sr-only"> (geschwärzt: Telefonnummer)</span>',
    ]
    assert "Schwärzungen bestätigen" in page
    # The one who prepared it sees why they cannot confirm.
    own = _client_for(first).get(url).content.decode()
    assert "Schwärzungen bestätigen" not in own
    assert "muss ihn eine andere Person aus dem Programmteam" in own


def test_adjusting_marks_without_javascript_keeps_checked_ones_and_adds_a_phrase(prepared):
    decision, text, first = prepared
    second = StaffFactory()
    url = reverse("backoffice:redaction_text", kwargs={"slug": decision.call.slug, "pk": text.pk})
    name, email, phone = services.marks_of(text)
    response = _client_for(second).post(
        url, {"keep": [f"{email.start}-{email.end}", f"{phone.start}-{phone.end}"], "phrase": "lichtblick"}
    )
    assert response.status_code == 302
    text.refresh_from_db()
    assert text.redacted == (
        f"Überzeugend. Kontakt: Erika Muster, {PLACEHOLDER}, Tel. {PLACEHOLDER}; Verein {PLACEHOLDER}."
    )
    assert (text.marked_by, text.status) == (second, TextStatus.MARKED)
    # The removed automatic mark is offered again, unchecked.
    page = _client_for(first).get(url).content.decode()
    assert f'value="{name.start}-{name.end}"' in page


def test_adding_a_phrase_that_is_not_in_the_text_is_refused_and_changes_nothing(prepared):
    decision, text, _ = prepared
    url = reverse("backoffice:redaction_text", kwargs={"slug": decision.call.slug, "pk": text.pk})
    before = (text.marks, text.redacted, text.marked_by_id)
    response = _client_for(StaffFactory()).post(url, {"keep": [], "phrase": "Nirgendwo"})
    assert response.status_code == 400
    assert "Dieser Ausdruck kommt im Text nicht als ganzes Wort vor." in response.content.decode()
    text.refresh_from_db()
    assert (text.marks, text.redacted, text.marked_by_id) == before


def test_confirming_as_the_same_person_is_refused_then_the_second_person_confirms(prepared):
    decision, text, first = prepared
    url = reverse("backoffice:redaction_confirm", kwargs={"slug": decision.call.slug, "pk": text.pk})
    response = _client_for(first).post(url, follow=True)
    assert "Vier-Augen-Prinzip" in response.content.decode()
    text.refresh_from_db()
    assert (text.status, text.confirmed_by) == (TextStatus.MARKED, None)
    assert queries.public_texts(decision) == {}
    second = StaffFactory()
    response = _client_for(second).post(url)
    assert response.status_code == 302
    text.refresh_from_db()
    assert (text.status, text.confirmed_by) == (TextStatus.CONFIRMED, second)
    assert queries.public_texts(decision) == {text.proposal_id: text.redacted}


def test_returning_needs_a_note(prepared):
    decision, text, _ = prepared
    url = reverse("backoffice:redaction_return", kwargs={"slug": decision.call.slug, "pk": text.pk})
    client = _client_for(StaffFactory())
    response = client.post(url, {"note": ""})
    assert response.status_code == 400
    text.refresh_from_db()
    assert text.status == TextStatus.MARKED
    assert client.post(url, {"note": "Lichtblick ist ein Personenname"}).status_code == 302
    text.refresh_from_db()
    assert (text.status, text.returned_note) == (TextStatus.RETURNED, "Lichtblick ist ein Personenname")


def test_publish_is_refused_until_confirmed_then_publishes(prepared):
    decision, text, first = prepared
    client = _client_for(first)
    url = reverse("backoffice:redaction_publish", kwargs={"slug": decision.call.slug})
    response = client.post(url, follow=True)
    assert "Die Entscheidung kann noch nicht veröffentlicht werden" in response.content.decode()
    decision.refresh_from_db()
    assert decision.published_at is None
    services.confirm_text(text, actor=StaffFactory(), now=NOW)
    response = client.post(url, follow=True)
    assert "Die Entscheidung ist veröffentlicht." in response.content.decode()
    decision.refresh_from_db()
    assert decision.published_at is not None


def test_allow_list_is_saved_and_used_when_prepared_again(prepared):
    decision, text, first = prepared
    client = _client_for(first)
    slug = decision.call.slug
    response = client.post(
        reverse("backoffice:redaction_allow_list", kwargs={"slug": slug}),
        {"entries": "Erika Muster\n\nerika muster"},
    )
    assert response.status_code == 302
    assert PublicationAllowList.objects.get(call=decision.call).entries == "Erika Muster"
    client.post(reverse("backoffice:redaction_prepare", kwargs={"slug": slug}))
    text.refresh_from_db()
    # Nobody had touched the marks: the allowed name is no longer marked.
    assert text.status == TextStatus.MARKED
    assert (
        text.redacted
        == f"Überzeugend. Kontakt: Erika Muster, {PLACEHOLDER}, Tel. {PLACEHOLDER}; Verein Lichtblick."
    )
    assert PublicText.objects.count() == 1
