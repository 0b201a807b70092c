"""Back-office revision window and diff pages: staff open and close; jurors read the diff only."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oglabs.accounts.models import User
from oglabs.audit.models import AuditEvent
from oglabs.calls.models import Call, Phase
from oglabs.proposals import services
from oglabs.proposals.models import BudgetLine, Proposal
from oglabs.proposals.states import ProposalState
from tests.factories.accounts import JurorFactory, StaffFactory, UserFactory
from tests.factories.mfa import activate_totp
from tests.factories.proposals import CallFactory, ProposalFactory
from tests.factories.reviews import JurySeatFactory, ReviewFactory
from tests.proposals.test_revision import OPENED_AT, REVISION_DEADLINE, build_submitted, make_eligible

pytestmark = pytest.mark.django_db

S = ProposalState


def login_with_second_factor(client: Client, user: User) -> Client:
    """``force_login`` plus the session record allauth writes after a TOTP code was accepted."""
    activate_totp(user)
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [{"method": "mfa", "type": "totp", "at": time.time()}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


@pytest.fixture
def staff_client(client: Client) -> Client:
    return login_with_second_factor(client, StaffFactory())


def _eligible_call(count: int = 2) -> Call:
    call = CallFactory()
    for _ in range(count):
        ProposalFactory(call=call, state=S.ELIGIBLE)
    return call


def _future_form(days: int = 14) -> dict[str, str]:
    day = (timezone.now() + dt.timedelta(days=days)).astimezone(dt.UTC).date()
    return {"deadline_on": day.strftime("%d.%m.%Y"), "deadline_time": "23:59"}


def _juror_client() -> Client:
    return login_with_second_factor(Client(), JurorFactory())


def _revised_proposal() -> tuple[Proposal, User]:
    staff = StaffFactory()
    call = CallFactory()
    proposal, user = build_submitted(call)
    make_eligible(proposal, staff)
    services.open_revision(call, actor=staff, deadline_at=REVISION_DEADLINE, now=OPENED_AT)
    proposal.refresh_from_db()
    proposal = services.save_section(
        proposal,
        section="general",
        data={"region": "Ländlicher Raum östlich von Berlin, mit vielen Dörfern."},
        expected_version=proposal.lock_version,
        actor=user,
        now=OPENED_AT,
    )
    proposal = services.save_section(
        proposal,
        section="budget",
        data=[
            {"year": 2020, "category": "staff", "amount": "45000.00"},
            {"year": 2021, "category": "events", "amount": "10000.00"},
        ],
        expected_version=proposal.lock_version,
        actor=user,
        now=OPENED_AT,
    )
    services.submit_proposal(proposal, actor=user, now=OPENED_AT)
    proposal.refresh_from_db()
    return proposal, user


# --- the revision window -------------------------------------------------------------------------


def test_revision_page_shows_how_many_will_be_opened(staff_client):
    call = _eligible_call(3)
    response = staff_client.get(reverse("backoffice:revision", kwargs={"slug": call.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "3 förderfähige oder zum Workshop eingeladene Interessenbekundungen werden zur Überarbeitung" in html
    )
    assert 'aria-current="page">Überarbeitung</a>' in html


def test_staff_opens_the_revision_window(staff_client):
    call = _eligible_call(2)
    response = staff_client.post(reverse("backoffice:revision", kwargs={"slug": call.slug}), _future_form())
    assert response.status_code == 302
    assert set(Proposal.objects.filter(call=call).values_list("state", flat=True)) == {S.IN_REVISION}
    assert Phase.objects.filter(call=call, kind="revision_deadline").count() == 1
    page = staff_client.get(response["Location"]).content.decode()
    assert "2 Interessenbekundungen wurden zur Überarbeitung freigegeben" in page


def test_revision_deadline_in_the_past_is_refused_in_german(staff_client):
    call = _eligible_call(1)
    yesterday = (timezone.now() - dt.timedelta(days=1)).astimezone(dt.UTC).date()
    response = staff_client.post(
        reverse("backoffice:revision", kwargs={"slug": call.slug}),
        {"deadline_on": yesterday.strftime("%d.%m.%Y"), "deadline_time": "12:00"},
    )
    assert response.status_code == 422
    assert "Die Frist muss in der Zukunft liegen." in response.content.decode()
    assert Proposal.objects.get(call=call).state == S.ELIGIBLE


def test_revision_deadline_in_a_wrong_format_is_refused(staff_client):
    call = _eligible_call(1)
    response = staff_client.post(
        reverse("backoffice:revision", kwargs={"slug": call.slug}),
        {"deadline_on": "2030-13-45", "deadline_time": "25:00"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Bitte geben Sie das Datum im Format TT.MM.JJJJ an." in html
    assert "Bitte geben Sie die Uhrzeit im Format HH:MM an, zum Beispiel 23:59." in html


@pytest.mark.parametrize("role", ["applicant", "juror"])
def test_applicant_and_juror_cannot_open_the_revision_window(client, role):
    call = _eligible_call(2)
    if role == "applicant":
        client.force_login(UserFactory())
    else:
        client = _juror_client()
    events = AuditEvent.objects.count()
    url = reverse("backoffice:revision", kwargs={"slug": call.slug})
    assert client.get(url).status_code == 403
    assert client.post(url, _future_form()).status_code == 403
    assert client.post(reverse("backoffice:revision_close", kwargs={"slug": call.slug})).status_code == 403
    assert set(Proposal.objects.filter(call=call).values_list("state", flat=True)) == {S.ELIGIBLE}
    assert not Phase.objects.filter(call=call, kind="revision_deadline").exists()
    assert AuditEvent.objects.count() == events


def test_staff_closes_the_revision_phase_after_the_deadline(staff_client):
    call = CallFactory()
    Phase.objects.create(
        call=call, kind="revision_deadline", starts_at=REVISION_DEADLINE, ends_at=REVISION_DEADLINE
    )
    for _ in range(2):
        proposal = ProposalFactory(call=call, state=S.REVISED)
        BudgetLine.objects.create(proposal=proposal, year=2020, category="staff", amount=Decimal("100000.00"))
    response = staff_client.post(reverse("backoffice:revision_close", kwargs={"slug": call.slug}))
    assert response.status_code == 302
    assert set(Proposal.objects.filter(call=call).values_list("state", flat=True)) == {S.SELECTED}
    page = staff_client.get(response["Location"]).content.decode()
    assert "Alle werden ohne Teilnahmewettbewerb ausgewählt." in page
    assert "Überarbeitungsphase abgeschlossen" in page


# --- the diff ------------------------------------------------------------------------------------


def test_staff_sees_the_diff_between_sketch_and_revision(staff_client):
    proposal, _user = _revised_proposal()
    response = staff_client.get(reverse("backoffice:proposal_diff", kwargs={"pk": proposal.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<del class="og-diff__del"><span class="kern-sr-only">gelöscht: </span>westlich</del>'
        '<ins class="og-diff__ins"><span class="kern-sr-only">eingefügt: </span>östlich</ins>'
    ) in html
    assert "+5.000,00 €" in html
    assert "40.000,00 €" in html
    assert "45.000,00 €" in html


def test_juror_can_see_the_diff_of_a_proposal_they_review(client):
    proposal, _user = _revised_proposal()
    review = ReviewFactory(juror=JurySeatFactory(call=proposal.call), proposal=proposal)
    juror_client = login_with_second_factor(Client(), review.juror.user)
    response = juror_client.get(reverse("backoffice:proposal_diff", kwargs={"pk": proposal.pk}))
    assert response.status_code == 200
    assert "östlich" in response.content.decode()


def test_juror_gets_404_for_the_diff_of_a_proposal_they_do_not_review(client):
    # Conflicted jurors: see test_conflict_routes.py.
    proposal, _user = _revised_proposal()
    response = _juror_client().get(reverse("backoffice:proposal_diff", kwargs={"pk": proposal.pk}))
    assert response.status_code == 404


def test_applicant_cannot_see_the_diff(client):
    proposal, user = _revised_proposal()
    client.force_login(user)  # even a member of the consortium: the diff is a back-office page
    assert client.get(reverse("backoffice:proposal_diff", kwargs={"pk": proposal.pk})).status_code == 403


def test_diff_between_chosen_versions_and_unknown_version(staff_client):
    proposal, _user = _revised_proposal()
    url = reverse("backoffice:proposal_diff", kwargs={"pk": proposal.pk})
    same = staff_client.get(url, {"v1": 2, "v2": 2})
    assert same.status_code == 200
    assert "Die beiden Fassungen haben denselben Inhalt." in same.content.decode()
    assert staff_client.get(url, {"v1": 1, "v2": 9}).status_code == 404
