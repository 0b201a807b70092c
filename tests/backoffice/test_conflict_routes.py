"""A conflicted juror never sees the proposal: 404 by every back-office route that takes a
proposal, a review or an attachment of it.

The test walks the back office's URLconf. Every route with a numeric parameter must be listed
below, either as a route a juror may use (it must answer 404 for the conflicted proposal, and
serve the same object to an unconflicted juror as a control), or as a staff-only route (403 for
every juror whatever the object, the same answer as for an id that does not exist), or as not
about a proposal at all. A new route that is in none of the lists fails
``test_every_route_with_an_id_is_classified``.

Routes without an id (lists per call): the conflicted proposal's title appears on none of them
for the juror, except the conflict declaration, which by design lists reference, title and lead
municipality of every competing proposal so that the juror can declare.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, reverse
from django.urls.converters import IntConverter

from oglabs.backoffice import urls
from oglabs.proposals import services as proposal_services
from oglabs.proposals.models import Proposal
from oglabs.proposals.states import ProposalState
from oglabs.reviews.models import ConflictOfInterest, ConflictSource, Juror, Review, ReviewState
from tests.backoffice.jury_helpers import client_for, seat, snapshot
from tests.factories.accounts import StaffFactory
from tests.factories.proposals import NOW, CallFactory
from tests.factories.reviews import ConflictFactory, CriterionFactory, ReviewFactory
from tests.factories.submitted import draft_meeting_every_rule

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
#: In the proposal's title, so that a page showing the proposal is easy to spot.
MARKER = "Markerlabor-7Q"
MISSING_ID = 987654


@dataclass
class World:
    call: Any
    proposal: Proposal
    attachment_id: int
    check_id: int
    juror: Juror  # conflicted on the proposal, holds a (void) submitted review of it
    review: Review
    conflict: ConflictOfInterest
    control: Juror  # not conflicted, holds an open review of the same proposal
    control_review: Review


@pytest.fixture
def private_media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "private-media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def _world(source: str) -> World:
    """A competing proposal with an attachment and a pending eligibility check; a juror who
    submitted a review and then became conflicted (``source``: declared or detected); an
    unconflicted juror with an open review of the same proposal."""
    call = CallFactory(eligibility_four_eyes=True)
    CriterionFactory(call=call)
    proposal = draft_meeting_every_rule(call, name="Nauen")
    member = proposal.members.get().user
    attachment = proposal_services.add_attachment(
        proposal, actor=member, kind="other", uploaded_file=SimpleUploadedFile("Konzept.pdf", PDF), now=NOW
    )
    proposal_services.save_section(
        proposal,
        section="general",
        data={
            "title": f"Labor {MARKER}",
            "region": "Ländlicher Raum.",
            "lab_form": "place",
            "moderation": "Neutral.",
            "challenges": ["strukturwandel"],
            "own_contribution": "1000.00",
        },
        expected_version=proposal.lock_version,
        actor=member,
        now=NOW,
    )
    proposal.refresh_from_db()
    proposal_services.submit_proposal(proposal, actor=member, now=NOW)
    check = proposal_services.decide_eligibility(
        proposal, actor=StaffFactory(), decision="eligible", reason="", now=NOW
    )
    # The way from the check to the competition is not what this test is about.
    Proposal.objects.filter(pk=proposal.pk).update(state=ProposalState.IN_COMPETITION)
    proposal.refresh_from_db()
    juror = seat(call)
    review = ReviewFactory(juror=juror, proposal=proposal, state=ReviewState.SUBMITTED, submitted_at=NOW)
    conflict = ConflictFactory(
        juror=juror,
        proposal=proposal,
        source=source,
        rule="same_district" if source == ConflictSource.DETECTED else "",
    )
    control = seat(call)
    control_review = ReviewFactory(juror=control, proposal=proposal)
    return World(call, proposal, attachment.pk, check.pk, juror, review, conflict, control, control_review)


#: Routes a juror may use: url for the world (and whether to try POST too), the control's status.
@dataclass(frozen=True)
class JurorRoute:
    url: Callable[[World, Juror], str]
    post: dict[str, Any] | None
    control_status: int


JUROR_ROUTES: dict[str, JurorRoute] = {
    "proposal_detail": JurorRoute(
        lambda w, j: reverse("backoffice:proposal_detail", kwargs={"pk": w.proposal.pk}), None, 302
    ),
    "attachment_download": JurorRoute(
        lambda w, j: reverse("backoffice:attachment_download", kwargs={"attachment_id": w.attachment_id}),
        None,
        200,
    ),
    "proposal_diff": JurorRoute(
        lambda w, j: reverse("backoffice:proposal_diff", kwargs={"pk": w.proposal.pk}), None, 200
    ),
    "juror_review": JurorRoute(
        lambda w, j: reverse(
            "backoffice:juror_review", kwargs={"pk": (w.review if j == w.juror else w.control_review).pk}
        ),
        {"action": "draft", "comment": "Nachträglich."},
        200,
    ),
    "juror_review_conflict": JurorRoute(
        lambda w, j: reverse(
            "backoffice:juror_review_conflict",
            kwargs={"pk": (w.review if j == w.juror else w.control_review).pk},
        ),
        {"conflict_reason": "Noch einmal."},
        405,  # POST only; the control checks that GET is refused without touching anything
    ),
}

#: Staff-only routes that take an object of the proposal: 403 for every juror, like a missing id.
STAFF_ROUTES: dict[str, Callable[[World], dict[str, Any]]] = {
    "eligibility_check": lambda w: {"pk": w.proposal.pk},
    "eligibility_confirm": lambda w: {"pk": w.check_id},
    "eligibility_reject": lambda w: {"pk": w.check_id},
    "jury_conflict_override": lambda w: {"slug": w.call.slug, "pk": w.conflict.pk},
    "jury_review_remove": lambda w: {"slug": w.call.slug, "pk": w.review.pk},
    "jury_criterion_edit": lambda w: {"slug": w.call.slug, "pk": MISSING_ID},
    "jury_criterion_delete": lambda w: {"slug": w.call.slug, "pk": MISSING_ID},
    "jury_member_remove": lambda w: {"slug": w.call.slug, "pk": w.juror.pk},
    # Questions and workshops: staff screens; workshop registrations name proposals.
    "question_answer": lambda w: {"slug": w.call.slug, "pk": MISSING_ID},
    "question_publish": lambda w: {"slug": w.call.slug, "pk": MISSING_ID},
    "question_reject": lambda w: {"slug": w.call.slug, "pk": MISSING_ID},
    "workshop_detail": lambda w: {"slug": w.call.slug, "pk": MISSING_ID},
    "workshop_edit": lambda w: {"slug": w.call.slug, "pk": MISSING_ID},
    "workshop_invite": lambda w: {"slug": w.call.slug, "pk": MISSING_ID},
    "workshop_attendance": lambda w: {"slug": w.call.slug, "pk": MISSING_ID, "registration_id": MISSING_ID},
    "workshop_cancel_registration": lambda w: {
        "slug": w.call.slug,
        "pk": MISSING_ID,
        "registration_id": MISSING_ID,
    },
    "workshop_material_add": lambda w: {"slug": w.call.slug, "pk": MISSING_ID},
    "workshop_material_download": lambda w: {"slug": w.call.slug, "material_id": MISSING_ID},
    "workshop_material_remove": lambda w: {"slug": w.call.slug, "material_id": MISSING_ID},
    # Publication (redacted texts of proposals) and selection (runs, decision, withdrawal): staff.
    "redaction_text": lambda w: {"slug": w.call.slug, "pk": MISSING_ID},
    "redaction_confirm": lambda w: {"slug": w.call.slug, "pk": MISSING_ID},
    "redaction_return": lambda w: {"slug": w.call.slug, "pk": MISSING_ID},
    "selection_run": lambda w: {"slug": w.call.slug, "number": 1},
    "selection_decide": lambda w: {"slug": w.call.slug, "number": 1},
    "selection_withdraw": lambda w: {"slug": w.call.slug, "pk": w.proposal.pk},
}

#: Routes without an id whose page may name the conflicted proposal for the juror, and why.
MAY_NAME_THE_PROPOSAL = {
    "juror_declaration": "lists reference, title and lead municipality of every competing proposal",
}


def _patterns() -> list[URLPattern]:
    return [p for p in urls.urlpatterns if isinstance(p, URLPattern)]


def _int_params(pattern: URLPattern) -> set[str]:
    converters = pattern.pattern.converters  # type: ignore[attr-defined]  # RoutePattern
    return {name for name, converter in converters.items() if isinstance(converter, IntConverter)}


def test_every_route_with_an_id_is_classified() -> None:
    with_ids = {p.name for p in _patterns() if _int_params(p)}
    assert with_ids == set(JUROR_ROUTES) | set(STAFF_ROUTES), (
        "classify the new back-office route in test_conflict_routes.py: "
        f"{sorted(with_ids ^ (set(JUROR_ROUTES) | set(STAFF_ROUTES)))}"
    )
    assert not set(JUROR_ROUTES) & set(STAFF_ROUTES)


def _request(client: Client, method: str, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}) if method == "post" else client.get(url)


@pytest.mark.parametrize("source", [ConflictSource.DECLARED, ConflictSource.DETECTED])
def test_a_conflicted_juror_gets_404_by_every_juror_route_and_changes_nothing(
    private_media: Path, source: str
) -> None:
    world = _world(source)
    client = client_for(world.juror.user)
    before = snapshot()
    for name, route in JUROR_ROUTES.items():
        url = route.url(world, world.juror)
        methods = ["get", "post"] if route.post is not None else ["get"]
        if name == "juror_review_conflict":
            methods = ["post"]
        for method in methods:
            response = _request(client, method, url, route.post)
            assert response.status_code == 404, (name, method)
            assert MARKER not in response.content.decode(errors="replace"), (name, method)
    assert snapshot() == before


@pytest.mark.parametrize("source", [ConflictSource.DECLARED, ConflictSource.DETECTED])
def test_the_same_routes_serve_an_unconflicted_juror(private_media: Path, source: str) -> None:
    """The control: the 404s above come from the conflict, not from the routes being closed."""
    world = _world(source)
    client = client_for(world.control.user)
    for name, route in JUROR_ROUTES.items():
        response = client.get(route.url(world, world.control))
        assert response.status_code == route.control_status, name
    detail = client.get(reverse("backoffice:proposal_detail", kwargs={"pk": world.proposal.pk}))
    assert detail["Location"] == reverse("backoffice:juror_review", kwargs={"pk": world.control_review.pk})
    review_page = client.get(reverse("backoffice:juror_review", kwargs={"pk": world.control_review.pk}))
    assert MARKER in review_page.content.decode()


def test_an_overridden_detected_conflict_no_longer_hides_the_proposal(private_media: Path) -> None:
    world = _world(ConflictSource.DETECTED)
    ConflictOfInterest.objects.filter(pk=world.conflict.pk).update(
        overridden_at=NOW, overridden_by=StaffFactory(), override_reason="Kein Bezug."
    )
    client = client_for(world.juror.user)
    assert (
        client.get(reverse("backoffice:proposal_diff", kwargs={"pk": world.proposal.pk})).status_code == 200
    )
    assert client.get(reverse("backoffice:juror_review", kwargs={"pk": world.review.pk})).status_code == 200


def test_staff_only_routes_answer_a_conflicted_juror_as_for_a_missing_id(private_media: Path) -> None:
    world = _world(ConflictSource.DECLARED)
    client = client_for(world.juror.user)
    patterns = {p.name: p for p in _patterns()}
    before = snapshot()
    for name, kwargs_for in STAFF_ROUTES.items():
        kwargs = kwargs_for(world)
        missing = {
            key: (MISSING_ID if key in _int_params(patterns[name]) else value)
            for key, value in kwargs.items()
        }
        for method in ("get", "post"):
            real = _request(client, method, reverse(f"backoffice:{name}", kwargs=kwargs))
            absent = _request(client, method, reverse(f"backoffice:{name}", kwargs=missing))
            assert real.status_code in {403, 405}, (name, method, real.status_code)
            assert real.status_code == absent.status_code, (name, method)
            assert MARKER not in real.content.decode(errors="replace"), (name, method)
    assert snapshot() == before


def _argument_free_urls(world: World) -> dict[str, str]:
    result = {}
    for pattern in _patterns():
        converters = pattern.pattern.converters  # type: ignore[attr-defined]  # RoutePattern
        if _int_params(pattern):
            continue
        kwargs = {"slug": world.call.slug} if "slug" in converters else {}
        assert set(converters) <= {"slug"}, pattern.name
        result[str(pattern.name)] = reverse(f"backoffice:{pattern.name}", kwargs=kwargs)
    return result


def test_no_list_page_names_the_conflicted_proposal_to_the_juror(private_media: Path) -> None:
    world = _world(ConflictSource.DECLARED)
    client = client_for(world.juror.user)
    for name, url in _argument_free_urls(world).items():
        response = client.get(url)
        if name in MAY_NAME_THE_PROPOSAL:
            continue
        assert response.status_code in {200, 403, 405}, (name, response.status_code)
        assert MARKER not in response.content.decode(errors="replace"), name
    # and the one exception shows the declaration-level facts only
    page = client.get(
        reverse("backoffice:juror_declaration", kwargs={"slug": world.call.slug})
    ).content.decode()
    assert re.search(rf"{world.proposal.reference}: Labor {MARKER}", page)
    assert "Ländlicher Raum." not in page
