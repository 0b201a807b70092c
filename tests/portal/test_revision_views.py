"""Portal merge pages: the lead of one consortium asks, the lead of the other consents or declines;
strangers get 404. The revision window is open around the real now (the views read the clock)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oglabs.calls.models import Phase
from oglabs.proposals.models import ConsortiumMember, MemberRole, MergeRequest, MergeStatus, Proposal
from oglabs.proposals.states import ProposalState
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.proposals import CallFactory
from tests.proposals.test_revision import build_submitted, make_eligible

pytestmark = pytest.mark.django_db

S = ProposalState


def _two_in_revision():  # type: ignore[no-untyped-def]
    staff = StaffFactory()
    call = CallFactory()
    source, source_lead = build_submitted(call, name="Falkensee")
    target, target_lead = build_submitted(call, name="Nauen")
    for proposal in (source, target):
        make_eligible(proposal, staff)
        Proposal.objects.filter(pk=proposal.pk).update(state=S.IN_REVISION)
    deadline = timezone.now() + dt.timedelta(days=7)
    Phase.objects.create(call=call, kind="revision_deadline", starts_at=deadline, ends_at=deadline)
    return source, source_lead, target, target_lead


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_lead_requests_and_other_lead_consents():
    source, source_lead, target, target_lead = _two_in_revision()
    page = _client(source_lead).get(reverse("portal:merge", kwargs={"pk": source.pk}))
    assert page.status_code == 200
    assert "Kennung des anderen Vorschlags" in page.content.decode()

    response = _client(source_lead).post(
        reverse("portal:merge", kwargs={"pk": source.pk}), {"reference": target.reference.lower()}
    )
    assert response.status_code == 302
    request = MergeRequest.objects.get()
    assert (request.source, request.target, request.status) == (source, target, MergeStatus.PENDING)

    target_client = _client(target_lead)
    incoming = target_client.get(reverse("portal:merge", kwargs={"pk": target.pk})).content.decode()
    assert f"{source.reference} „{source.title}“ möchte in Ihren Vorschlag aufgenommen werden" in incoming
    response = target_client.post(
        reverse("portal:merge_decide", kwargs={"pk": request.pk}), {"action": "consent"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:merge", kwargs={"pk": target.pk})
    source.refresh_from_db()
    assert source.state == S.MERGED
    assert source.merged_into_id == target.pk


def test_unknown_reference_is_refused_in_german():
    source, source_lead, _target, _target_lead = _two_in_revision()
    response = _client(source_lead).post(
        reverse("portal:merge", kwargs={"pk": source.pk}), {"reference": "OGL-9999-0001"}
    )
    assert response.status_code == 422
    assert "keinen anderen Vorschlag in der Überarbeitungsphase" in response.content.decode()
    assert MergeRequest.objects.count() == 0


def test_editor_of_target_cannot_consent():
    source, source_lead, target, _target_lead = _two_in_revision()
    editor = UserFactory()
    ConsortiumMember.objects.create(
        proposal=target, user=editor, role=MemberRole.EDITOR, joined_at=timezone.now()
    )
    _client(source_lead).post(
        reverse("portal:merge", kwargs={"pk": source.pk}), {"reference": target.reference}
    )
    request = MergeRequest.objects.get()
    response = _client(editor).post(
        reverse("portal:merge_decide", kwargs={"pk": request.pk}), {"action": "consent"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == MergeStatus.PENDING
    source.refresh_from_db()
    assert source.state == S.IN_REVISION


def test_target_lead_declines():
    source, source_lead, target, target_lead = _two_in_revision()
    _client(source_lead).post(
        reverse("portal:merge", kwargs={"pk": source.pk}), {"reference": target.reference}
    )
    request = MergeRequest.objects.get()
    _client(target_lead).post(
        reverse("portal:merge_decide", kwargs={"pk": request.pk}), {"action": "decline"}
    )
    request.refresh_from_db()
    assert request.status == MergeStatus.DECLINED


def test_requester_takes_own_request_back_with_its_own_message():
    source, source_lead, target, _target_lead = _two_in_revision()
    client = _client(source_lead)
    client.post(reverse("portal:merge", kwargs={"pk": source.pk}), {"reference": target.reference})
    request = MergeRequest.objects.get()
    response = client.post(
        reverse("portal:merge_decide", kwargs={"pk": request.pk}), {"action": "decline"}, follow=True
    )
    request.refresh_from_db()
    assert request.status == MergeStatus.DECLINED
    shown = [str(m) for m in response.context["messages"]]
    assert shown[-1] == "Sie haben die Anfrage zurückgenommen; beide Vorschläge bleiben getrennt."
    assert "Die Anfrage ist abgelehnt; beide Vorschläge bleiben getrennt." not in shown


def test_non_members_get_404_on_merge_pages():
    source, source_lead, target, _target_lead = _two_in_revision()
    _client(source_lead).post(
        reverse("portal:merge", kwargs={"pk": source.pk}), {"reference": target.reference}
    )
    request = MergeRequest.objects.get()
    stranger = _client(UserFactory())
    assert stranger.get(reverse("portal:merge", kwargs={"pk": source.pk})).status_code == 404
    assert (
        stranger.post(
            reverse("portal:merge", kwargs={"pk": source.pk}), {"reference": target.reference}
        ).status_code
        == 404
    )
    assert (
        stranger.post(
            reverse("portal:merge_decide", kwargs={"pk": request.pk}), {"action": "consent"}
        ).status_code
        == 404
    )
    request.refresh_from_db()
    assert request.status == MergeStatus.PENDING
    assert MergeRequest.objects.count() == 1
