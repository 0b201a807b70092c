"""Receipts are owed by the handed-in version and queued by the worker (``services/receipts.py``):
one task per stretch of submissions, none lost, an overdue receipt starts the task again."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from oglabs.audit.services import hold_log
from oglabs.mail.models import OutboxMail
from oglabs.proposals import services
from oglabs.proposals.models import PreparedSubmission, Proposal, ProposalMail, ProposalVersion
from oglabs.proposals.services import receipts
from oglabs.proposals.tasks import queue_due_receipts_task
from tests.factories.proposals import NOW
from tests.proposals.conftest import complete_draft

pytestmark = pytest.mark.django_db

SUBMITTED_AT = NOW + dt.timedelta(minutes=5)


@pytest.fixture
def task_rows(settings: Any) -> Any:
    """Tasks go to the database (as with ``manage.py db_worker``) instead of running at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return lambda: DBTaskResult.objects.filter(task_path=queue_due_receipts_task.module_path).count()


def submit(now: dt.datetime = SUBMITTED_AT, *, prepared: bool = True) -> ProposalVersion:
    """A complete draft submitted: from its prepared submission (on SQLite the older owed
    receipt is read in the submission's transaction, on PostgreSQL after it), or in full."""
    draft, user = complete_draft()
    assert PreparedSubmission.objects.filter(proposal=draft).exists()
    if not prepared:
        PreparedSubmission.objects.filter(proposal=draft).delete()
    version = services.submit_proposal(Proposal(pk=draft.pk), actor=user, now=now)
    assert PreparedSubmission.objects.filter(proposal=draft).exists() is prepared
    return version


def test_the_task_queues_the_receipt_of_a_submission_at_once_in_tests() -> None:
    """With the immediate task backend (tests) the task runs inside the submission."""
    version = submit()
    version.refresh_from_db()
    assert version.receipt_owed is False
    mail = OutboxMail.objects.get(kind="proposal:receipt")
    history = ProposalMail.objects.get(mail=mail)
    assert (history.proposal_id, history.created_at) == (version.proposal_id, SUBMITTED_AT)
    assert mail.subject == f"Eingangsbestätigung: {version.proposal.reference} Offenes Havelland"


def test_the_receipt_is_owed_until_the_worker_queues_it(task_rows: Any) -> None:
    version = submit()
    version.refresh_from_db()
    assert version.receipt_owed is True
    assert not OutboxMail.objects.filter(kind="proposal:receipt").exists()
    assert task_rows() == 1
    assert receipts.queue_due_receipts(now=SUBMITTED_AT) == 1
    version.refresh_from_db()
    assert version.receipt_owed is False
    assert OutboxMail.objects.filter(kind="proposal:receipt").count() == 1
    assert receipts.queue_due_receipts(now=SUBMITTED_AT) == 0
    assert OutboxMail.objects.filter(kind="proposal:receipt").count() == 1


@pytest.mark.parametrize("prepared", [True, False])
def test_a_submission_behind_an_owed_receipt_starts_no_second_task(task_rows: Any, prepared: bool) -> None:
    first = submit()
    second = submit(SUBMITTED_AT + dt.timedelta(seconds=30), prepared=prepared)
    assert task_rows() == 1  # the first submission's task also queues the second receipt
    assert receipts.queue_due_receipts(now=SUBMITTED_AT) == 2
    assert sorted(
        ProposalMail.objects.filter(kind="proposal:receipt").values_list("proposal_id", flat=True)
    ) == sorted([first.proposal_id, second.proposal_id])


@pytest.mark.parametrize("prepared", [True, False])
def test_an_overdue_owed_receipt_starts_the_task_again(task_rows: Any, prepared: bool) -> None:
    """The task for the first receipt failed (it never ran): the next submission after
    ``OVERDUE_AFTER`` starts it again."""
    submit()
    submit(SUBMITTED_AT + receipts.OVERDUE_AFTER - dt.timedelta(seconds=1), prepared=prepared)
    assert task_rows() == 1
    submit(SUBMITTED_AT + receipts.OVERDUE_AFTER + dt.timedelta(seconds=1), prepared=prepared)
    assert task_rows() == 2


def test_owed_receipts_are_queued_oldest_first_in_rounds(task_rows: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(receipts, "ROUND_SIZE", 2)
    versions = [submit(SUBMITTED_AT + dt.timedelta(seconds=n)) for n in range(5)]
    assert receipts.queue_due_receipts(now=SUBMITTED_AT) == 5
    queued = ProposalMail.objects.filter(kind="proposal:receipt").order_by("mail_id")
    assert [mail.proposal_id for mail in queued] == [version.proposal_id for version in versions]
    assert not ProposalVersion.objects.filter(receipt_owed=True).exists()


def test_queue_receipts_command_queues_every_owed_receipt(task_rows: Any) -> None:
    submit()
    submit(SUBMITTED_AT + dt.timedelta(seconds=1))
    out = StringIO()
    call_command("queue_receipts", stdout=out)
    assert out.getvalue() == "Eingangsbestätigungen in den Postausgang gestellt: 2\n"
    assert OutboxMail.objects.filter(kind="proposal:receipt").count() == 2


@pytest.mark.django_db(transaction=True)  # outside any transaction, unlike the other tests
def test_outside_a_transaction_the_task_is_started_after_the_commit(task_rows: Any) -> None:
    """As in a request: the submission has committed when it looks for older owed receipts, so
    the task that finds one owed also finds this one afterwards."""
    first = submit()
    second = submit(SUBMITTED_AT + dt.timedelta(seconds=30))
    assert task_rows() == 1
    assert sorted(ProposalVersion.objects.filter(receipt_owed=True).values_list("pk", flat=True)) == [
        first.pk,
        second.pk,
    ]
    assert receipts.queue_due_receipts(now=SUBMITTED_AT) == 2
    assert task_rows() == 1


@pytest.mark.django_db(transaction=True)
def test_holding_the_log_needs_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="caller's transaction"):
        hold_log()
