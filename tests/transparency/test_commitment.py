"""The deadline commitment: one root over the handed-in versions, made once after the deadline,
recorded in the audit chain; each published proposal can be checked against it."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from oglabs.audit.models import AuditEvent
from oglabs.calls.models import Phase
from oglabs.proposals.hashing import disclose, disclosed_hash, node_hash, version_hash_from_parts
from oglabs.proposals.models import ProposalVersion, VersionKind
from oglabs.transparency import merkle, queries, services
from oglabs.transparency.exceptions import DeadlineNotPassed, NoDeadline, VersionHashMismatch
from oglabs.transparency.models import DeadlineCommitment
from tests.factories.proposals import DEADLINE, CallFactory
from tests.factories.submitted import draft_meeting_every_rule, submitted_proposal

pytestmark = pytest.mark.django_db

AFTER = DEADLINE + dt.timedelta(microseconds=1)


@pytest.fixture
def call():
    return CallFactory()


@pytest.fixture
def three(call):
    """Three submitted proposals and a draft (a draft has no version: it is not sealed)."""
    proposals = [submitted_proposal(call, name=name) for name in ("Falkensee", "Nauen", "Rathenow")]
    draft_meeting_every_rule(call, name="Premnitz")
    return proposals


def _audit_ok() -> bool:
    out = StringIO()
    try:
        call_command("verify_audit_log", stdout=out, stderr=StringIO())
    except SystemExit as exit_:
        return not exit_.code
    return True


def test_commit_deadline_before_or_at_the_deadline_is_refused_and_changes_nothing(call, three):
    events = AuditEvent.objects.count()
    for now in (DEADLINE - dt.timedelta(days=1), DEADLINE):
        with pytest.raises(DeadlineNotPassed, match=r"31\.10\.2019, 23:59:59"):
            services.commit_deadline(call, now=now)
    assert not DeadlineCommitment.objects.exists()
    assert AuditEvent.objects.count() == events


def test_commit_deadline_without_the_deadline_is_refused(call):
    with pytest.raises(NoDeadline, match="Frist für überarbeitete Projektvorschläge"):
        services.commit_deadline(call, kind="revision_deadline", now=AFTER)
    assert not DeadlineCommitment.objects.exists()


def test_commit_deadline_seals_every_submitted_version_sorted_by_reference(call, three):
    commitment = services.commit_deadline(call, now=AFTER)
    versions = {
        v.proposal.reference: v.sha256
        for v in ProposalVersion.objects.select_related("proposal").filter(proposal__in=three)
    }
    assert [leaf["reference"] for leaf in commitment.leaves] == sorted(versions)
    assert [leaf["version_sha256"] for leaf in commitment.leaves] == [versions[r] for r in sorted(versions)]
    expected = merkle.root([merkle.leaf_hash(r, versions[r]) for r in sorted(versions)])
    assert (commitment.root, commitment.leaf_count, commitment.deadline_at) == (expected, 3, DEADLINE)
    assert (commitment.tree_format, commitment.created_at, commitment.kind) == (
        "oglabs-merkle-v1",
        AFTER,
        "deadline",
    )
    [event] = AuditEvent.objects.filter(action="transparency.deadline_committed")
    assert event.actor_id is None
    assert event.data == {
        "call": call.slug,
        "kind": "deadline",
        "deadline_at": "2019-10-31T22:59:59.999999Z",
        "root": expected,
        "leaf_count": 3,
        "format": "oglabs-merkle-v1",
    }
    assert _audit_ok()


def test_commit_deadline_is_idempotent(call, three):
    first = services.commit_deadline(call, now=AFTER)
    events = AuditEvent.objects.count()
    again = services.commit_deadline(call, now=AFTER + dt.timedelta(days=3))
    assert (again.pk, again.root, again.created_at) == (first.pk, first.root, AFTER)
    assert AuditEvent.objects.count() == events
    assert DeadlineCommitment.objects.count() == 1


def test_commit_deadline_ignores_later_and_conflicting_versions(call, three):
    before = services.deadline_leaves(call, DEADLINE)
    proposal = three[0]
    latest = ProposalVersion.objects.filter(proposal=proposal).order_by("-number").first()
    for number, kind, at in (
        (latest.number + 1, VersionKind.CONFLICT, DEADLINE - dt.timedelta(hours=1)),
        (latest.number + 2, VersionKind.REVISED, DEADLINE + dt.timedelta(days=30)),
    ):
        ProposalVersion.objects.create(
            proposal=proposal,
            number=number,
            kind=kind,
            stage="full",
            content=latest.content,
            sha256=latest.sha256,
            created_at=at,
        )
    assert services.deadline_leaves(call, DEADLINE) == before
    commitment = services.commit_deadline(call, now=AFTER)
    assert commitment.root == merkle.root([leaf.hash for leaf in before])


def test_commit_deadline_refuses_a_version_whose_hash_does_not_match(call, three):
    ProposalVersion.objects.filter(proposal=three[1]).update(sha256="0" * 64)
    events = AuditEvent.objects.count()
    with pytest.raises(VersionHashMismatch, match=three[1].reference):
        services.commit_deadline(call, now=AFTER)
    assert not DeadlineCommitment.objects.exists()
    assert AuditEvent.objects.count() == events


def test_commit_deadline_of_a_call_without_submissions_has_the_empty_root(call):
    commitment = services.commit_deadline(call, now=AFTER)
    assert (commitment.root, commitment.leaf_count, commitment.leaves) == (merkle.EMPTY_ROOT, 0, [])


def test_published_public_part_and_private_hash_verify_against_the_root(call, three):
    commitment = services.commit_deadline(call, now=AFTER)
    proofs = queries.inclusion_proofs(commitment)
    assert sorted(proofs) == sorted(p.reference for p in three)
    for proposal in three:
        version = ProposalVersion.objects.get(proposal=proposal)
        # What an outsider gets: the public part with its free texts withheld as hashes (a
        # disclosure), and the private part only as its hash.
        public = disclose(version.content["public"], withhold=[("region",), ("moderation",), ("tasks",)])
        private_sha256 = node_hash(version.content["private"])
        recomputed = merkle.leaf_hash(
            proposal.reference, version_hash_from_parts(disclosed_hash(public), private_sha256)
        )
        proof = proofs[proposal.reference]
        assert recomputed == proof.leaf
        assert merkle.verify_proof(recomputed, proof.steps, commitment.root)
        assert isinstance(public, dict)
        changed = dict(public, title=str(public["title"]) + " (geändert)")
        tampered = merkle.leaf_hash(
            proposal.reference, version_hash_from_parts(disclosed_hash(changed), private_sha256)
        )
        assert not merkle.verify_proof(tampered, proof.steps, commitment.root)
    only = queries.inclusion_proofs(commitment, {three[0].reference})
    assert list(only) == [three[0].reference]
    assert only[three[0].reference].as_dict()["root"] == commitment.root


def test_commit_due_deadlines_seals_only_passed_deadlines_once(call, three):
    later = CallFactory()
    moved = DEADLINE + dt.timedelta(days=10)
    Phase.objects.filter(call=later, kind="open").update(ends_at=moved)
    Phase.objects.filter(call=later, kind="deadline").update(starts_at=moved, ends_at=moved)
    made = services.commit_due_deadlines(now=AFTER)
    assert [(c.call_id, c.kind) for c in made] == [(call.pk, "deadline")]
    assert queries.due_deadlines(now=AFTER) == []
    assert queries.next_uncommitted_deadline(now=AFTER) == DEADLINE + dt.timedelta(days=10)
    assert services.commit_due_deadlines(now=AFTER) == []
    assert [c.call_id for c in services.commit_due_deadlines(now=DEADLINE + dt.timedelta(days=11))] == [
        later.pk
    ]
    assert queries.commitment_for(later) is not None
    assert [c.kind for c in queries.commitments_of(call)] == ["deadline"]
    assert _audit_ok()


def test_commit_deadline_command_by_slug_and_due(call, three):
    out = StringIO()
    call_command("commit_deadline", "--call", call.slug, stdout=out)
    commitment = queries.commitment_for(call)
    assert out.getvalue() == f"{call.slug} deadline 31.10.2019 23:59:59 {commitment.root} (3 Fassungen)\n"
    out = StringIO()
    call_command("commit_deadline", "--due", "--schedule", stdout=out)
    assert out.getvalue() == "Keine abgelaufene Frist ohne Fristsiegel.\n"
    with pytest.raises(CommandError, match="Aufruf nicht gefunden"):
        call_command("commit_deadline", "--call", "gibt-es-nicht")
    with pytest.raises(CommandError, match="keine Frist für überarbeitete"):
        call_command("commit_deadline", "--call", call.slug, "--kind", "revision_deadline")


def test_commit_due_deadlines_task_runs_the_sweep(call, three):
    from oglabs.transparency.tasks import commit_due_deadlines_task

    result = commit_due_deadlines_task.enqueue()
    commitment = queries.commitment_for(call)
    assert result.return_value == [f"{call.pk} deadline {commitment.root}"]
