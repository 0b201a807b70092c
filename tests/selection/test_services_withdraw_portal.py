"""The portal's withdraw flow: a lab selected by the decision hands its grant to the waitlist."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from oglabs.audit.models import AuditEvent
from oglabs.proposals.models import Proposal
from oglabs.selection.models import MoveUp
from tests.selection.test_services_decision import _decided

pytestmark = pytest.mark.django_db


def test_a_selected_lab_withdrawing_in_the_portal_lets_the_next_that_fits_move_up(client: Client):
    _call, proposals, _run, _decision = _decided()
    _a, b, _c, _d, e = proposals
    client.force_login(b.members.get().user)
    response = client.post(
        reverse("portal:proposal_withdraw", kwargs={"pk": b.pk}), {"reason": "Der Rat hat abgelehnt."}
    )
    assert response.status_code == 302
    assert [Proposal.objects.get(pk=p.pk).state for p in proposals] == [
        "selected",
        "withdrawn",
        "waitlisted",
        "selected",
        "selected",
    ]
    move_up = MoveUp.objects.get()
    assert (move_up.withdrawn, move_up.moved_up, move_up.granted_amount) == (b, e, Decimal("60000"))
    assert move_up.created_by == b.members.get().user
    assert AuditEvent.objects.filter(action="selection.moved_up").count() == 1


def test_a_waitlisted_proposal_withdrawing_in_the_portal_only_withdraws(client: Client):
    _call, proposals, _run, _decision = _decided()
    c = proposals[2]
    client.force_login(c.members.get().user)
    response = client.post(
        reverse("portal:proposal_withdraw", kwargs={"pk": c.pk}), {"reason": "Kein Bedarf mehr."}
    )
    assert response.status_code == 302
    assert Proposal.objects.get(pk=c.pk).state == "withdrawn"
    assert MoveUp.objects.count() == 0
