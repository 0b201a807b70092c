"""The hot path of a deadline rush: a save returns what it stored without reading the content
again, and a submission worked out in full before its lock freezes what is there when it takes
the lock (the prepared path is tested in ``test_prepared_submission.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oglabs.audit.chain import verify_chain
from oglabs.audit.queries import chain_entries
from oglabs.core.canonical import normalise
from oglabs.mail.models import OutboxMail
from oglabs.proposals import queries, services
from oglabs.proposals.exceptions import EditConflict
from oglabs.proposals.hashing import version_hash
from oglabs.proposals.models import PreparedSubmission, Proposal
from tests.factories.proposals import NOW, MunicipalityFactory
from tests.proposals.conftest import complete_draft

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(minutes=5)


def fields_of(proposal: Proposal) -> dict[str, Any]:
    return {field.attname: getattr(proposal, field.attname) for field in Proposal._meta.concrete_fields}


def section_data() -> dict[str, Any]:
    """A change to every section."""
    return {
        "general": {
            "title": "Offenes Havelland, neu",
            "region": "Westlich von Berlin.",
            "lab_form": "network",
            "moderation": "Eine Moderatorin.",
            "challenges": ["digitalisierung"],
            "own_contribution": "11000.00",
            "state_contribution": "0.00",
        },
        "municipalities": {"lead": "120630080080", "further": [MunicipalityFactory(name="Ketzin").ars]},
        "partners": [{"kind": "civil_society", "name": "Verein", "contact_email": "verein@example.org"}],
        "tasks": [{"title": "Eine Aufgabe", "indicator": "Personen", "target_value": "10"}],
        "budget": [{"year": 2020, "category": "staff", "amount": "500.00"}],
    }


@pytest.mark.parametrize("section", ["general", "municipalities", "partners", "tasks", "budget"])
def test_save_section_returns_what_was_stored_without_reading_again(section: str) -> None:
    draft, user = complete_draft()
    loaded = queries.get_proposal_for_member(user, draft.pk)
    data = section_data()[section]
    saved = services.save_section(
        loaded, section=section, data=data, expected_version=loaded.lock_version, actor=user, now=LATER
    )
    fresh = queries.get_proposal_for_member(user, draft.pk)
    assert saved is loaded
    assert fields_of(saved) == fields_of(fresh)
    assert normalise(queries.proposal_content(saved)) == normalise(queries.proposal_content(fresh))
    assert queries.eligibility_inputs(saved) == queries.eligibility_inputs(fresh)


def test_submit_leaves_the_callers_proposal_as_stored() -> None:
    draft, user = complete_draft()
    services.submit_proposal(draft, actor=user, now=LATER)
    assert fields_of(draft) == fields_of(Proposal.objects.get(pk=draft.pk))
    assert draft.state == "submitted"
    assert draft.submitted_at == LATER


def test_submit_saved_in_between_freezes_the_content_under_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A save that lands after the submission read the content and before it took the lock: the
    submission prepares again under the lock and freezes the saved content, not the one it read."""
    draft, user = complete_draft()
    PreparedSubmission.objects.filter(proposal=draft).delete()  # the full path
    read = queries.get_proposal_to_submit

    def read_then_save(actor: Any, pk: int) -> Proposal:
        proposal = read(actor, pk)
        if proposal.title == "Offenes Havelland":  # only after the first read
            other = queries.get_proposal_for_member(user, pk)
            services.save_section(
                other,
                section="general",
                data={"title": "Gespeichert dazwischen"},
                expected_version=other.lock_version,
                actor=user,
                now=LATER,
            )
        return proposal

    monkeypatch.setattr(queries, "get_proposal_to_submit", read_then_save)
    version = services.submit_proposal(draft, actor=user, now=LATER)
    assert version.content["public"]["title"] == "Gespeichert dazwischen"
    assert version.sha256 == version_hash(version.content)
    assert version.content == normalise(
        queries.proposal_content(queries.get_proposal_for_member(user, draft.pk))
    )
    mail = OutboxMail.objects.get(kind="proposal:receipt")
    assert "„Gespeichert dazwischen“" in mail.body
    assert version.sha256 in mail.body
    assert verify_chain(chain_entries()) is None


def test_submit_conflict_kept_in_between_takes_the_next_number(monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit conflict stored after the submission read the last version number: the frozen
    version takes the number after it, and the receipt names that number."""
    draft, user = complete_draft()
    PreparedSubmission.objects.filter(proposal=draft).delete()  # the full path
    read = queries.get_proposal_to_submit
    calls = []

    def read_then_conflict(actor: Any, pk: int) -> Proposal:
        proposal = read(actor, pk)
        calls.append(pk)
        if len(calls) == 1:
            with pytest.raises(EditConflict):
                services.save_section(
                    proposal,
                    section="general",
                    data={"title": "Veraltet"},
                    expected_version=proposal.lock_version - 1,
                    actor=user,
                    now=LATER,
                )
        return proposal

    monkeypatch.setattr(queries, "get_proposal_to_submit", read_then_conflict)
    version = services.submit_proposal(draft, actor=user, now=LATER)
    assert len(calls) == 2
    assert list(draft.versions.order_by("number").values_list("number", "kind")) == [
        (1, "conflict"),
        (2, "submitted"),
    ]
    assert version.number == 2
    assert (
        "Eingegangen ist Version 2 mit diesem Inhalt:" in OutboxMail.objects.get(kind="proposal:receipt").body
    )
