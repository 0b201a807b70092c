"""The formal-check and message screens: staff only (applicants and jurors get 403 and change
nothing), German validation, four-eyes in the UI, the preview's count equals what is sent."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from oglabs.accounts.models import User
from oglabs.audit.models import AuditEvent
from oglabs.mail.models import OutboxMail
from oglabs.proposals import queries, services
from oglabs.proposals.models import CheckStatus, ConsortiumMember, EligibilityCheck, ProposalMailKind
from oglabs.proposals.states import ProposalState
from tests.backoffice.conftest import login_with_second_factor
from tests.factories.accounts import JurorFactory, StaffFactory, UserFactory
from tests.factories.proposals import NOW, CallFactory
from tests.factories.submitted import submitted_proposal

pytestmark = pytest.mark.django_db

REASON = "Es fehlt die Absichtserklärung der Stadt."


def _state(proposal: Any) -> str:
    proposal.refresh_from_db()
    return str(proposal.state)


def _client_for(user: User) -> Client:
    client = Client()
    if user.is_privileged:
        return login_with_second_factor(client, user)
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["applicant", "juror"])
def test_outsiders_cannot_reach_or_use_the_eligibility_screens(role: str) -> None:
    call = CallFactory()
    proposal = submitted_proposal(call)
    pending = submitted_proposal(CallFactory(eligibility_four_eyes=True), name="Nauen")
    check = services.decide_eligibility(
        pending, actor=StaffFactory(), decision="eligible", reason="", now=NOW
    )
    user = UserFactory() if role == "applicant" else JurorFactory()
    client = _client_for(user)
    events_before = AuditEvent.objects.count()
    mails_before = OutboxMail.objects.count()
    message = {"step": "send", "subject": "S", "body": "B", "states": ["submitted"], "confirmed": "on"}
    requests = [
        ("get", reverse("backoffice:eligibility_queue", kwargs={"slug": call.slug}), None),
        ("get", reverse("backoffice:eligibility_check", kwargs={"pk": proposal.pk}), None),
        (
            "post",
            reverse("backoffice:eligibility_check", kwargs={"pk": proposal.pk}),
            {"decision": "ineligible", "reason": REASON},
        ),
        ("post", reverse("backoffice:eligibility_confirm", kwargs={"pk": check.pk}), {}),
        (
            "post",
            reverse("backoffice:eligibility_reject", kwargs={"pk": check.pk}),
            {"rejection_reason": "x"},
        ),
        ("get", reverse("backoffice:messages", kwargs={"slug": call.slug}), None),
        (
            "post",
            reverse("backoffice:messages", kwargs={"slug": call.slug}),
            {**message, "expected_consortia": 1, "expected_recipients": 1},
        ),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        assert response.status_code == 403, (method, url)
    assert _state(proposal) == ProposalState.SUBMITTED
    assert _state(pending) == ProposalState.SUBMITTED
    check.refresh_from_db()
    assert check.status == CheckStatus.PROPOSED
    assert EligibilityCheck.objects.count() == 1
    assert AuditEvent.objects.count() == events_before
    assert OutboxMail.objects.count() == mails_before


def test_anonymous_is_sent_to_login_from_the_check_page(client: Client) -> None:
    proposal = submitted_proposal(CallFactory())
    response = client.get(reverse("backoffice:eligibility_check", kwargs={"pk": proposal.pk}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_sees_the_queue_and_the_findings(staff_client: Client) -> None:
    call = CallFactory()
    proposal = submitted_proposal(call)
    response = staff_client.get(reverse("backoffice:eligibility_queue", kwargs={"slug": call.slug}))
    assert response.status_code == 200
    assert [item.pk for item in response.context["queue"].to_decide] == [proposal.pk]
    assert f"{proposal.reference}: {proposal.title}" in response.content.decode()

    response = staff_client.get(reverse("backoffice:eligibility_check", kwargs={"pk": proposal.pk}))
    assert response.status_code == 200
    page = response.content.decode()
    assert [finding.code for finding in response.context["findings"]] == [
        "lead",
        "municipalities",
        "civil_society",
        "tasks",
        "cost_estimate",
        "texts",
    ]
    assert page.count('class="og-finding og-finding--met"') == 6
    assert "Die federführende Kommune ist antragsberechtigt." in page
    assert 'name="decision"' in page


def test_unknown_call_and_proposal_are_404_for_staff(staff_client: Client) -> None:
    assert (
        staff_client.get(
            reverse("backoffice:eligibility_queue", kwargs={"slug": "gibt-es-nicht"})
        ).status_code
        == 404
    )
    assert staff_client.get(reverse("backoffice:eligibility_check", kwargs={"pk": 999999})).status_code == 404
    assert (
        staff_client.get(reverse("backoffice:messages", kwargs={"slug": "gibt-es-nicht"})).status_code == 404
    )


def test_staff_decision_ineligible_without_reason_shows_a_german_error(staff_client: Client) -> None:
    proposal = submitted_proposal(CallFactory())
    response = staff_client.post(
        reverse("backoffice:eligibility_check", kwargs={"pk": proposal.pk}),
        {"decision": "ineligible", "reason": ""},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "reason": ["Bitte begründen Sie, warum die Interessenbekundung nicht förderfähig ist."]
    }
    assert _state(proposal) == ProposalState.SUBMITTED
    assert EligibilityCheck.objects.count() == 0


def test_staff_decision_takes_effect_and_mails_the_consortium(staff_client: Client) -> None:
    proposal = submitted_proposal(CallFactory(), UserFactory(email="lead@falkensee.example"))
    url = reverse("backoffice:eligibility_check", kwargs={"pk": proposal.pk})
    response = staff_client.post(url, {"decision": "ineligible", "reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == url
    assert _state(proposal) == ProposalState.INELIGIBLE
    [mail] = OutboxMail.objects.filter(kind=ProposalMailKind.ELIGIBILITY_DECISION)
    assert mail.to == ["lead@falkensee.example"]
    assert REASON in mail.body
    page = staff_client.get(url).content.decode()
    assert "Das Prüfergebnis ist gespeichert; das Konsortium wird per E-Mail benachrichtigt." in page
    assert 'name="decision"' not in page  # no second decision on a decided proposal


def test_four_eyes_in_the_ui_the_proposer_cannot_confirm_a_colleague_can() -> None:
    proposal = submitted_proposal(CallFactory(eligibility_four_eyes=True))
    first, second = StaffFactory(), StaffFactory()
    first_client, second_client = _client_for(first), _client_for(second)
    url = reverse("backoffice:eligibility_check", kwargs={"pk": proposal.pk})

    first_client.post(url, {"decision": "eligible", "reason": ""})
    check = EligibilityCheck.objects.get(proposal=proposal)
    assert check.status == CheckStatus.PROPOSED
    page = first_client.get(url).content.decode()
    assert "Sie haben dieses Ergebnis vorgeschlagen." in page
    assert reverse("backoffice:eligibility_confirm", kwargs={"pk": check.pk}) not in page

    response = first_client.post(
        reverse("backoffice:eligibility_confirm", kwargs={"pk": check.pk}), follow=True
    )
    assert "Vier-Augen-Prinzip" in response.content.decode()
    assert _state(proposal) == ProposalState.SUBMITTED

    page = second_client.get(url).content.decode()
    assert reverse("backoffice:eligibility_confirm", kwargs={"pk": check.pk}) in page
    response = second_client.post(reverse("backoffice:eligibility_confirm", kwargs={"pk": check.pk}))
    assert response.status_code == 302
    assert _state(proposal) == ProposalState.ELIGIBLE
    assert OutboxMail.objects.filter(kind=ProposalMailKind.ELIGIBILITY_DECISION).count() == 1


def test_four_eyes_reject_without_reason_shows_a_german_error() -> None:
    proposal = submitted_proposal(CallFactory(eligibility_four_eyes=True))
    check = services.decide_eligibility(
        proposal, actor=StaffFactory(), decision="eligible", reason="", now=NOW
    )
    client = _client_for(StaffFactory())
    response = client.post(
        reverse("backoffice:eligibility_reject", kwargs={"pk": check.pk}), {"rejection_reason": ""}
    )
    assert response.status_code == 400
    assert response.context["reject_form"].errors == {
        "rejection_reason": ["Bitte geben Sie an, warum Sie das Prüfergebnis zurückweisen."]
    }
    check.refresh_from_db()
    assert check.status == CheckStatus.PROPOSED


def _hidden(page: str, name: str) -> str:
    """The value of the hidden input ``name`` (attributes may be on separate lines)."""
    [value] = re.findall(rf'name="{name}"\s+value="([^"]*)"', page)
    return value


def _message_call() -> tuple[Any, list[Any]]:
    call = CallFactory()
    first = submitted_proposal(call, UserFactory(email="a@falkensee.example"), name="Falkensee")
    ConsortiumMember.objects.create(
        proposal=first, user=UserFactory(email="b@falkensee.example"), joined_at=NOW
    )
    second = submitted_proposal(call, UserFactory(email="c@nauen.example"), name="Nauen")
    return call, [first, second]


MESSAGE = {"subject": "Workshop am 20. November", "body": "Guten Tag,\r\n\r\nbitte melden Sie sich an."}


def test_messages_preview_shows_the_exact_count_and_send_queues_that_many(staff_client: Client) -> None:
    call, proposals = _message_call()
    url = reverse("backoffice:messages", kwargs={"slug": call.slug})
    assert staff_client.get(url).status_code == 200

    response = staff_client.post(url, {**MESSAGE, "states": ["submitted"], "step": "preview"})
    assert response.status_code == 200
    assert (response.context["audience"].consortia, response.context["audience"].recipients) == (2, 3)
    page = response.content.decode()
    assert "Die Nachricht geht an 2 Konsortien mit insgesamt 3 Empfängeradressen." in page
    assert f"Workshop am 20. November ({proposals[0].reference})" in page
    assert _hidden(page, "expected_consortia") == "2"
    assert _hidden(page, "expected_recipients") == "3"
    assert OutboxMail.objects.filter(kind=ProposalMailKind.MESSAGE).count() == 0

    send = {
        **MESSAGE,
        "states": ["submitted"],
        "step": "send",
        "expected_consortia": 2,
        "expected_recipients": 3,
    }
    response = staff_client.post(url, send)  # without the confirmation
    assert response.status_code == 400
    assert response.context["send_form"].errors == {
        "confirmed": ["Bitte bestätigen Sie, dass die Nachricht versendet werden soll."]
    }
    assert OutboxMail.objects.filter(kind=ProposalMailKind.MESSAGE).count() == 0

    response = staff_client.post(url, {**send, "confirmed": "on"})
    assert response.status_code == 302
    mails = list(OutboxMail.objects.filter(kind=ProposalMailKind.MESSAGE).order_by("pk"))
    assert len(mails) == 2
    assert sum(len(mail.to) for mail in mails) == 3
    assert "Guten Tag,\n\nbitte melden Sie sich an." in mails[0].body
    page = staff_client.get(url).content.decode()
    assert "2 Nachrichten sind in den Postausgang gestellt." in page


def test_messages_send_refused_if_the_count_changed_since_the_preview(staff_client: Client) -> None:
    call, _ = _message_call()
    url = reverse("backoffice:messages", kwargs={"slug": call.slug})
    submitted_proposal(call, name="Rathenow")  # a third consortium submits after the preview
    send = {
        **MESSAGE,
        "states": ["submitted"],
        "step": "send",
        "expected_consortia": 2,
        "expected_recipients": 3,
        "confirmed": "on",
    }
    response = staff_client.post(url, send)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Seit der Vorschau hat sich der Kreis der Empfänger geändert" in page
    assert _hidden(page, "expected_consortia") == "3"  # the new preview shows the new count
    assert OutboxMail.objects.filter(kind=ProposalMailKind.MESSAGE).count() == 0


def test_messages_form_requires_subject_body_and_a_state(staff_client: Client) -> None:
    call, _ = _message_call()
    response = staff_client.post(
        reverse("backoffice:messages", kwargs={"slug": call.slug}), {"step": "preview"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "subject": ["Bitte geben Sie einen Betreff an."],
        "body": ["Bitte geben Sie einen Text an."],
        "states": ["Bitte wählen Sie mindestens einen Status."],
    }


def test_eligibility_panel_shows_the_latest_decision() -> None:
    proposal = submitted_proposal(CallFactory())
    assert "Noch nicht geprüft." in render_to_string(
        "backoffice/eligibility/_panel.html", {"proposal": proposal}
    )
    services.decide_eligibility(proposal, actor=StaffFactory(), decision="ineligible", reason=REASON, now=NOW)
    html = render_to_string("backoffice/eligibility/_panel.html", {"proposal": proposal})
    assert "Ergebnis: <strong>nicht förderfähig</strong>" in html
    assert REASON in html
    assert reverse("backoffice:eligibility_check", kwargs={"pk": proposal.pk}) in html


def test_mail_history_include_lists_every_mail_of_the_proposal() -> None:
    proposal = submitted_proposal(CallFactory())
    services.decide_eligibility(proposal, actor=StaffFactory(), decision="eligible", reason="", now=NOW)
    html = render_to_string(
        "backoffice/messages/_mail_history.html", {"proposal_mails": queries.mails_of(proposal)}
    )
    assert html.count('<tr class="kern-table__row">') == 3  # header + two mails
    assert "Ergebnis der formalen Prüfung" in html
    assert f"Formale Prüfung: {proposal.reference} ist förderfähig" in html
    assert "Eingangsbestätigung" in html
    assert "wartet" in html  # delivery status of the queued mails
