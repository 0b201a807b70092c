"""The two requests of a deadline rush — the autosave of a step and the submission — at a pinned
number of queries (``bench/deadline_rush.py`` measures them under load; docs/performance.md):
the autosave also prepares the submission of the draft as saved, so the submission only copies
it (``proposals/services/preparation.py``, ADR 0009).

The numbers are exact, so that a query added on the hot path is a decision, not an accident.
An audit event is one statement on PostgreSQL (the chain's head moved and the event inserted
together) and two on SQLite (``audit.services._append``).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from oglabs.audit.chain import verify_chain
from oglabs.audit.queries import chain_entries
from oglabs.core.canonical import normalise
from oglabs.mail.models import OutboxMail
from oglabs.proposals import queries
from oglabs.proposals.hashing import version_hash
from oglabs.proposals.models import PreparedSubmission, Proposal, ProposalVersion
from tests.factories.accounts import StaffFactory
from tests.portal.conftest import client_for, open_draft
from tests.portal.test_editing import general_data, step_url

pytestmark = pytest.mark.django_db

#: Reads of the session and of the user: every signed-in request, the baseline's too.
SIGNED_IN = 2


def audit_event() -> int:
    """The statements of one audit event."""
    return 1 if connection.vendor == "postgresql" else 2


def test_autosave_query_count_is_pinned(django_assert_num_queries: Any) -> None:
    """21 queries: session and user (2); the proposal with its content and the call's phases (7);
    the call's challenges for the form (1); the save — begin, locked row, phases, challenges
    chosen, row with the version counters, challenges linked, the audit event, commit (7 + the
    audit event's); the saved challenges read again for the status fragment (1); the prepared submission of
    the draft as saved (1). No second read of the content."""
    proposal, user = open_draft()
    client = client_for(user)
    # The challenges as they are (a changed choice adds its INSERT or DELETE), as in the rush.
    challenges = sorted(proposal.challenges.values_list("key", flat=True))
    data = {**general_data(proposal, title="Automatisch gespeichert", challenges=challenges), "autosave": "1"}
    with django_assert_num_queries(SIGNED_IN + 7 + 1 + 7 + audit_event() + 1 + 1):
        response = client.post(step_url(proposal, "allgemeines"), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Gespeichert um" in response.content.decode()
    saved = Proposal.objects.get(pk=proposal.pk)
    assert (saved.title, saved.lock_version) == ("Automatisch gespeichert", proposal.lock_version + 1)
    prepared = PreparedSubmission.objects.get(proposal=proposal)
    assert prepared.content_version == saved.content_version
    assert prepared.content == normalise(
        queries.proposal_content(queries.get_proposal_for_member(user, saved.pk))
    )


def test_submit_query_count_is_pinned(django_assert_num_queries: Any, settings: Any) -> None:
    """With the submission prepared by the last save: session and user (2); the version's
    expected number and hash (1); on SQLite the transaction — begin, the state changed if the
    prepared submission applies, the version copied from it (which also tells whether an older
    receipt is owed), the audit event, commit (4 + the audit event's 2); on PostgreSQL one
    statement that makes all these writes (1; in autocommit, here in the test's transaction
    with its savepoint and release, 2 more) and after it whether an older receipt is owed (1);
    the task that queues the receipt (1). Nothing of the content is read."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # one INSERT per task
    proposal, user = open_draft()
    client = client_for(user)
    with django_assert_num_queries(
        SIGNED_IN + 1 + (3 + 1 if connection.vendor == "postgresql" else 4 + 2) + 1
    ):
        response = client.post(reverse("portal:proposal_submit", kwargs={"pk": proposal.pk}))
    assert response.status_code == 302
    version = ProposalVersion.objects.get(proposal=proposal)
    assert version.sha256 == version_hash(version.content)
    assert version.content == normalise(
        queries.proposal_content(queries.get_proposal_for_member(user, proposal.pk))
    )
    assert version.receipt_owed
    fresh = queries.get_proposal_for_member(user, proposal.pk)
    assert fresh.state == "submitted"
    assert verify_chain(chain_entries()) is None


def test_submit_without_prepared_submission_query_count_is_pinned(
    django_assert_num_queries: Any, settings: Any
) -> None:
    """When the submission is worked out in full (no prepared submission applies): session and
    user (2); the prepared path's read of the expected hash, which finds none (1); the proposal with its content, the call's phases and the last
    version number, for members only (7); the transaction: begin, locked row, version number,
    version, state, the audit event, commit (6 + the audit event's); after it, owed receipt and
    task (2)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    proposal, user = open_draft()
    PreparedSubmission.objects.filter(proposal=proposal).delete()
    client = client_for(user)
    with django_assert_num_queries(SIGNED_IN + 1 + 7 + 6 + audit_event() + 2):
        response = client.post(reverse("portal:proposal_submit", kwargs={"pk": proposal.pk}))
    assert response.status_code == 302
    version = ProposalVersion.objects.get(proposal=proposal)
    assert version.content == normalise(
        queries.proposal_content(queries.get_proposal_for_member(user, proposal.pk))
    )


@pytest.mark.parametrize("who", ["stranger", "staff"])
def test_submit_by_non_member_is_404_and_changes_nothing(who: str, stranger: Any) -> None:
    """The submission reads the proposal for members only; nobody else learns it exists."""
    proposal, _user = open_draft()
    outsider = stranger if who == "stranger" else StaffFactory()
    response = client_for(outsider).post(reverse("portal:proposal_submit", kwargs={"pk": proposal.pk}))
    assert response.status_code == 404
    assert Proposal.objects.get(pk=proposal.pk).state == "draft"
    assert not ProposalVersion.objects.filter(proposal=proposal).exists()
    assert not OutboxMail.objects.filter(kind="proposal:receipt").exists()
