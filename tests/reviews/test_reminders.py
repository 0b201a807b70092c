"""Reminders: one outbox mail per juror with open or draft reviews (or no declaration), with the
counts and the deadline; one audit event; nobody to remind is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from oglabs.calls.models import Phase
from oglabs.mail.models import OutboxMail
from oglabs.reviews import mails, services
from oglabs.reviews.exceptions import NoOpenReviews, NotStaff
from oglabs.reviews.models import ReviewState
from tests.factories.accounts import JurorFactory, StaffFactory
from tests.factories.proposals import BERLIN, NOW, CallFactory
from tests.factories.reviews import JurySeatFactory, ReviewFactory
from tests.reviews.scenario import actions_since, events_since, last_sequence

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=45)
DUE = dt.datetime(2019, 12, 15, 23, 59, tzinfo=BERLIN)


def _reminders():  # type: ignore[no-untyped-def]
    return list(OutboxMail.objects.filter(kind=mails.REMINDER_KIND).order_by("pk"))


def test_send_review_reminders_mails_each_juror_with_work_left(settings):  # type: ignore[no-untyped-def]
    settings.SITE_URL = "https://labore.example"
    call = CallFactory(title="Regionale Open Government Labore", slug="ogl-2019")
    Phase.objects.create(call=call, kind="selection", starts_at=DUE - dt.timedelta(days=30), ends_at=DUE)
    busy = JurySeatFactory(call=call, user=JurorFactory(email="busy@jury.example"))
    ReviewFactory(juror=busy)
    ReviewFactory(juror=busy, state=ReviewState.DRAFT)
    ReviewFactory(juror=busy, state=ReviewState.SUBMITTED, submitted_at=NOW)
    done = JurySeatFactory(call=call, user=JurorFactory(email="done@jury.example"))
    ReviewFactory(juror=done, state=ReviewState.SUBMITTED, submitted_at=NOW)
    late = JurySeatFactory(
        call=call, user=JurorFactory(email="late@jury.example"), conflicts_declared_at=None
    )
    before = last_sequence()

    sent = services.send_review_reminders(call, actor=StaffFactory(), now=LATER)

    assert sent == 2
    first, second = _reminders()
    assert (first.to, second.to) == (["busy@jury.example"], ["late@jury.example"])
    assert first.subject == "Erinnerung: Ihre Gutachten im Aufruf „Regionale Open Government Labore“"
    assert "Noch nicht begonnen: 1 Gutachten" in first.body
    assert "Als Entwurf gespeichert, noch nicht abgegeben: 1 Gutachten" in first.body
    assert "Bitte geben Sie Ihre Gutachten bis 15.12.2019, 23:59 Uhr ab." in first.body
    assert "https://labore.example/verwaltung/jury/ogl-2019/" in first.body
    assert "noch nicht erklärt" not in first.body
    assert "Sie haben Ihre Befangenheiten noch nicht erklärt." in second.body
    assert "Noch nicht begonnen" not in second.body
    assert first.created_at == LATER
    [(action, target, data)] = events_since(before)
    assert (action, target) == ("reviews.reminders_sent", f"calls.call:{call.pk}")
    assert data["jurors"] == [
        {"juror": busy.pk, "open": 1, "draft": 1, "declared": True},
        {"juror": late.pk, "open": 0, "draft": 0, "declared": False},
    ]


def test_send_review_reminders_without_selection_phase_names_no_deadline():
    call = CallFactory()
    ReviewFactory(juror=JurySeatFactory(call=call))
    assert services.send_review_reminders(call, actor=StaffFactory(), now=LATER) == 1
    [mail] = _reminders()
    assert "Bitte geben Sie Ihre Gutachten bis" not in mail.body


def test_send_review_reminders_refused_when_nobody_has_work_left_or_for_non_staff():
    call = CallFactory()
    juror = JurySeatFactory(call=call)
    ReviewFactory(juror=juror, state=ReviewState.SUBMITTED, submitted_at=NOW)
    before = last_sequence()
    with pytest.raises(NoOpenReviews) as error:
        services.send_review_reminders(call, actor=StaffFactory(), now=LATER)
    assert str(error.value) == "Es gibt keine offenen Gutachten; niemand muss erinnert werden."
    ReviewFactory(juror=juror)
    with pytest.raises(NotStaff):
        services.send_review_reminders(call, actor=juror.user, now=LATER)
    assert _reminders() == []
    assert actions_since(before) == []


def test_reminder_link_matches_the_juror_page_url():
    from django.urls import reverse

    assert reverse(
        "backoffice:juror_reviews", kwargs={"slug": "ogl-2019"}
    ) == mails.JUROR_REVIEWS_PATH.format(slug="ogl-2019")
