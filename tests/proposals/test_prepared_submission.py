"""The prepared submission (ADR 0009): every save works out the submission of the draft as saved,
and the submission copies it if it still applies — with exactly the result of a submission
worked out in full; otherwise the full way decides, refusals included."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from oglabs.audit.chain import verify_chain
from oglabs.audit.models import AuditChainHead, AuditEvent
from oglabs.audit.queries import chain_entries
from oglabs.calls import timeline
from oglabs.calls.services import update_call
from oglabs.core.canonical import normalise
from oglabs.mail.models import OutboxMail
from oglabs.proposals import queries, services
from oglabs.proposals.exceptions import CallClosed, NotEditable, ProposalNotFound, SubmissionRefused
from oglabs.proposals.hashing import version_hash
from oglabs.proposals.models import PreparedSubmission, Proposal, ProposalVersion
from oglabs.proposals.services import submission
from oglabs.proposals.services.preparation import prepare_submission
from tests.factories.accounts import UserFactory
from tests.factories.proposals import DEADLINE, NOW
from tests.proposals.conftest import complete_draft

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(minutes=5)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def fresh_content(proposal: Proposal, user: Any) -> Any:
    """What the full way would freeze now."""
    return normalise(queries.proposal_content(queries.get_proposal_for_member(user, proposal.pk)))


def prepared_of(proposal: Proposal) -> PreparedSubmission:
    return PreparedSubmission.objects.get(proposal=proposal)


def submitted_by_prepared_path(proposal: Proposal, user: Any, now: dt.datetime) -> ProposalVersion:
    version = submission._submit_prepared(Proposal(pk=proposal.pk), actor=user, now=now)
    assert version is not None, "the prepared submission did not apply"
    return version


def stored(proposal: Proposal) -> dict[str, Any]:
    """Everything a submission writes, for comparing the two ways."""
    row = Proposal.objects.get(pk=proposal.pk)
    version = ProposalVersion.objects.get(proposal=proposal, kind="submitted")
    event = AuditEvent.objects.get(action="proposal.submitted", target_id=str(proposal.pk))
    return {
        "proposal": (row.state, row.stage, row.submitted_at, row.updated_at, row.lock_version),
        "version": (
            version.number,
            version.kind,
            version.stage,
            version.content,
            version.sha256,
            version.created_at,
            version.created_by_id,
        ),
        "event": (event.actor_id, event.actor_label, event.target_type, event.occurred_at, event.data),
        "receipt": list(
            OutboxMail.objects.filter(kind="proposal:receipt").values_list("to", "subject", "body")
        ),
    }


def test_save_prepares_the_submission_of_the_draft_as_saved() -> None:
    draft, user = complete_draft()
    prepared = prepared_of(draft)
    draft.refresh_from_db()
    spans = draft.call.phase_spans()
    assert prepared.content_version == draft.content_version == 5  # five sections saved
    assert prepared.content == fresh_content(draft, user)
    assert prepared.sha256 == version_hash(prepared.content)
    assert prepared.eligible is True
    assert (prepared.opens_at, prepared.closes_at) == timeline.submission_window(spans)
    assert prepared.call_revision == draft.call.revision
    assert (prepared.stage, prepared.prepared_at) == ("sketch", NOW)


def test_prepared_and_full_submission_store_exactly_the_same() -> None:
    draft, user = complete_draft()
    colleague = UserFactory(email="kollegin@nauen.example")
    _, token = services.invite_member(draft, email=colleague.email, actor=user, now=NOW)
    services.accept_invitation(token=token, actor=colleague, now=NOW)
    with transaction.atomic():
        submitted_by_prepared_path(draft, colleague, LATER)
        by_prepared_path = stored(draft)
        transaction.set_rollback(True)
    PreparedSubmission.objects.filter(proposal=draft).delete()
    services.submit_proposal(Proposal(pk=draft.pk), actor=colleague, now=LATER)
    assert stored(draft) == by_prepared_path
    assert by_prepared_path["version"][3] == fresh_content(draft, user)
    assert len(by_prepared_path["receipt"]) == 1


def test_submit_takes_the_prepared_path_and_says_what_it_stored() -> None:
    draft, user = complete_draft()
    caller = Proposal(pk=draft.pk)
    version = services.submit_proposal(caller, actor=user, now=DEADLINE)
    assert (caller.reference, caller.state, caller.submitted_at) == (draft.reference, "submitted", DEADLINE)
    assert (version.number, version.kind, version.created_at, version.created_by_id) == (
        1,
        "submitted",
        DEADLINE,
        user.pk,
    )
    assert version.content == fresh_content(draft, user)  # deferred, read on access
    assert version.sha256 == prepared_of(draft).sha256


def test_last_instant_is_accepted_by_the_prepared_path_and_the_next_refused() -> None:
    first, user = complete_draft()
    assert submitted_by_prepared_path(first, user, DEADLINE).created_at == DEADLINE
    second, other = complete_draft()
    late = DEADLINE + dt.timedelta(microseconds=1)
    assert submission._submit_prepared(Proposal(pk=second.pk), actor=other, now=late) is None
    with pytest.raises(CallClosed) as refused:
        services.submit_proposal(Proposal(pk=second.pk), actor=other, now=late)
    assert "31.10.2019, 23:59:59 Uhr" in str(refused.value)
    assert Proposal.objects.get(pk=second.pk).state == "draft"
    assert not ProposalVersion.objects.filter(proposal=second).exists()


def test_a_stranger_gets_nothing_from_either_path() -> None:
    draft, _user = complete_draft()
    stranger = UserFactory()
    assert submission._submit_prepared(Proposal(pk=draft.pk), actor=stranger, now=LATER) is None
    with pytest.raises(ProposalNotFound):
        services.submit_proposal(Proposal(pk=draft.pk), actor=stranger, now=LATER)
    assert Proposal.objects.get(pk=draft.pk).state == "draft"
    assert not ProposalVersion.objects.exists()
    assert not AuditEvent.objects.filter(action="proposal.submitted").exists()


def test_an_ineligible_draft_is_prepared_as_such_and_refused_with_its_findings() -> None:
    draft, user = complete_draft()
    loaded = queries.get_proposal_for_member(user, draft.pk)
    services.save_section(
        loaded, section="tasks", data=[], expected_version=loaded.lock_version, actor=user, now=LATER
    )
    assert prepared_of(draft).eligible is False
    assert submission._submit_prepared(Proposal(pk=draft.pk), actor=user, now=LATER) is None
    with pytest.raises(SubmissionRefused) as refused:
        services.submit_proposal(Proposal(pk=draft.pk), actor=user, now=LATER)
    assert [finding.code for finding in refused.value.findings if not finding.met] == ["tasks"]
    assert not ProposalVersion.objects.exists()


def test_submitted_proposal_is_not_submitted_again() -> None:
    draft, user = complete_draft()
    services.submit_proposal(Proposal(pk=draft.pk), actor=user, now=LATER)
    assert submission._submit_prepared(Proposal(pk=draft.pk), actor=user, now=LATER) is None
    with pytest.raises(NotEditable):
        services.submit_proposal(Proposal(pk=draft.pk), actor=user, now=LATER)
    assert ProposalVersion.objects.filter(proposal=draft).count() == 1


def test_a_change_of_the_call_outdates_the_prepared_submission() -> None:
    """Staff raise the number of civil-society partners required: the prepared submission was
    worked out under the old rules, so the full way checks the new ones and refuses."""
    draft, user = complete_draft()
    update_call(draft.call, actor=None, changes={"min_civil_society_partners": 2}, now=LATER)
    assert prepared_of(draft).call_revision == Proposal.objects.get(pk=draft.pk).call.revision - 1
    assert submission._submit_prepared(Proposal(pk=draft.pk), actor=user, now=LATER) is None
    with pytest.raises(SubmissionRefused) as refused:
        services.submit_proposal(Proposal(pk=draft.pk), actor=user, now=LATER)
    assert [finding.code for finding in refused.value.findings if not finding.met] == ["civil_society"]


def test_an_earlier_deadline_set_by_staff_is_kept_by_the_prepared_path() -> None:
    """Even when staff change the call at the instant of the last save (a timestamp would not
    tell the two apart; the call's revision does)."""
    draft, user = complete_draft()
    earlier = dt.datetime(2019, 10, 20, 23, 59, 59, 999999, tzinfo=timeline.BERLIN)
    update_call(draft.call, actor=None, changes={"deadline_at": earlier}, now=NOW)
    just_after = earlier + dt.timedelta(microseconds=1)
    assert submission._submit_prepared(Proposal(pk=draft.pk), actor=user, now=just_after) is None
    with pytest.raises(CallClosed):
        services.submit_proposal(Proposal(pk=draft.pk), actor=user, now=just_after)


def test_a_partner_confirmation_counts_as_a_change_and_is_prepared_again(settings: Any) -> None:
    settings.OGLABS_SITE_URL = "https://oglabs.example"
    draft, user = complete_draft()
    before = prepared_of(draft).content_version
    partner = draft.partners.order_by("position").first()
    token = services.request_partner_confirmation(partner, actor=user, now=NOW)
    services.confirm_partner(token=token, now=LATER)
    prepared = prepared_of(draft)
    assert prepared.content_version == before + 1 == Proposal.objects.get(pk=draft.pk).content_version
    assert prepared.content["public"]["partners"][0]["confirmation"] == "confirmed"
    version = services.submit_proposal(Proposal(pk=draft.pk), actor=user, now=LATER)
    assert version.content == fresh_content(draft, user)


def test_a_letter_of_intent_counts_as_a_change_and_is_prepared_again(private_media: Any) -> None:
    draft, user = complete_draft()
    partner = draft.partners.order_by("position").first()
    before = prepared_of(draft).content_version
    attachment = services.add_attachment(
        draft,
        actor=user,
        kind="letter_of_intent",
        partner=partner,
        uploaded_file=SimpleUploadedFile("Brief.pdf", PDF, content_type="application/pdf"),
        now=LATER,
    )
    assert prepared_of(draft).content_version == before + 1
    assert prepared_of(draft).content["public"]["partners"][0]["confirmation"] == "letter"
    services.remove_attachment(attachment, actor=user, now=LATER)
    assert prepared_of(draft).content_version == before + 2
    assert prepared_of(draft).content == fresh_content(draft, user)


def test_a_save_with_relations_loaded_before_a_confirmation_prepares_the_content_as_stored(
    settings: Any,
) -> None:
    """The page loaded the draft, then a partner confirmed, then the page saved a section: the
    partners the page loaded are out of date, so the preparation reads them again."""
    settings.OGLABS_SITE_URL = "https://oglabs.example"
    draft, user = complete_draft()
    loaded = queries.get_proposal_for_member(user, draft.pk)
    partner = draft.partners.order_by("position").first()
    token = services.request_partner_confirmation(partner, actor=user, now=NOW)
    services.confirm_partner(token=token, now=LATER)
    services.save_section(
        loaded,
        section="general",
        data={"title": "Offenes Havelland 2"},
        expected_version=loaded.lock_version,
        actor=user,
        now=LATER,
    )
    prepared = prepared_of(draft)
    assert prepared.content == fresh_content(draft, user)
    assert prepared.content["public"]["partners"][0]["confirmation"] == "confirmed"


def test_preparing_from_an_outdated_copy_writes_nothing() -> None:
    draft, user = complete_draft()
    outdated = queries.get_proposal_for_member(user, draft.pk)
    current = queries.get_proposal_for_member(user, draft.pk)
    services.save_section(
        current,
        section="general",
        data={"title": "Neuer Titel"},
        expected_version=current.lock_version,
        actor=user,
        now=LATER,
    )
    assert prepare_submission(outdated, now=LATER) is False
    prepared = prepared_of(draft)
    assert prepared.content["public"]["title"] == "Neuer Titel"
    assert prepared.content_version == outdated.content_version + 1


def test_preparing_an_outdated_copy_never_replaces_a_later_preparation() -> None:
    draft, user = complete_draft()
    loaded = queries.get_proposal_for_member(user, draft.pk)
    PreparedSubmission.objects.filter(proposal=draft).update(content_version=loaded.content_version + 1)
    assert prepare_submission(loaded, now=LATER) is False
    assert prepared_of(draft).content_version == loaded.content_version + 1


def test_without_the_audit_chain_head_the_submission_still_leaves_its_one_event() -> None:
    """A database emptied without its migrations has no chain head: on PostgreSQL the one
    statement then writes nothing and the full way (which writes the head back) submits; on
    SQLite the audit append writes it back itself. Either way one event, and the chain holds."""
    draft, user = complete_draft()
    AuditChainHead.objects.all().delete()
    version = services.submit_proposal(Proposal(pk=draft.pk), actor=user, now=LATER)
    assert version.number == 1
    assert AuditEvent.objects.filter(action="proposal.submitted", target_id=str(draft.pk)).count() == 1
    assert Proposal.objects.get(pk=draft.pk).state == "submitted"
    assert AuditChainHead.objects.get().sequence == AuditEvent.objects.count()
    assert verify_chain(chain_entries()) is None
