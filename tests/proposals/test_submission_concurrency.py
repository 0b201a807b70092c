"""Submissions at the same instant (the deadline rush) each take the prepared path, and the
audit chain stays one chain: on PostgreSQL each submission is one statement whose UPDATE of the
chain's head waits for the others' and then works on the newest head (ADR 0010)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from oglabs.audit.chain import verify_chain
from oglabs.audit.models import AuditChainHead, AuditEvent
from oglabs.audit.queries import chain_entries
from oglabs.proposals.models import Proposal, ProposalVersion
from oglabs.proposals.services import submission
from tests.factories.proposals import NOW
from tests.proposals.conftest import complete_draft

SUBMITTERS = 6


@pytest.mark.django_db(transaction=True)  # every thread commits on its own connection
def test_simultaneous_submissions_each_take_the_prepared_path_and_keep_one_chain() -> None:
    drafts = [complete_draft() for _ in range(SUBMITTERS)]
    barrier = threading.Barrier(SUBMITTERS)
    outcomes: dict[int, object] = {}

    def submit(draft: Proposal, user: object) -> None:
        try:
            barrier.wait()
            outcomes[draft.pk] = submission._submit_prepared(Proposal(pk=draft.pk), actor=user, now=NOW)  # type: ignore[arg-type]  # a User
        except BaseException as error:  # handed to the test thread, which fails on it
            outcomes[draft.pk] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=draft) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == sorted(draft.pk for draft, _user in drafts)
    assert all(isinstance(outcome, ProposalVersion) for outcome in outcomes.values()), outcomes
    assert sorted(Proposal.objects.values_list("state", flat=True)) == ["submitted"] * SUBMITTERS
    submitted = AuditEvent.objects.filter(action="proposal.submitted")
    assert sorted(submitted.values_list("target_id", flat=True)) == sorted(str(pk) for pk in outcomes)
    assert AuditChainHead.objects.get().sequence == AuditEvent.objects.count()
    assert verify_chain(chain_entries()) is None
