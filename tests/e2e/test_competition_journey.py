"""Issue 5 end to end in a real browser: staff set up the criteria and three jurors, one juror
declares a conflict, staff assign automatically, the jurors score, staff run the selection twice
with different caps, compare the runs and decide. One h1 and 0 axe violations (WCAG 2.1 A/AA) on
every page visited; the conflicted juror never gets the proposal (no review, 404 on its page)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from oglabs.proposals.models import Proposal
from oglabs.proposals.states import ProposalState
from oglabs.reviews.models import ConflictOfInterest, Criterion, Juror, Review, ReviewState
from oglabs.selection.models import Decision, DecisionEntry, SelectionRun
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import (
    TIMEOUT_MS,
    VIEWPORT,
    PageRecord,
    current_totp_code,
    submit_form_of,
    totp_secret_for,
)
from tests.factories.accounts import PASSWORD, JurorFactory, StaffFactory
from tests.selection.competition import competition, spec

pytestmark = pytest.mark.browser

# Four proposals in the competition, no reviews yet: A and B (Brandenburg, rural) ask for 150,000 €
# and 120,000 €, C (Saxony, town) 100,000 €, D (Brandenburg, rural) 90,000 €.
SPECS = [
    spec("A", (), 150000),
    spec("B", (), 120000),
    spec("C", (), 100000, state="14", rural=False),
    spec("D", (), 90000),
]
JURORS = [
    ("Deutscher Landkreistag", "ländlicher Raum, Beteiligung"),
    ("Deutscher Städtetag", "Digitalisierung, Verwaltung"),
    ("Stiftung Mitarbeit", "Zivilgesellschaft, Engagement"),
]
#: Points per proposal letter, the same on every criterion from every juror: A is best.
POINTS = {"A": 9, "B": 7, "C": 6, "D": 4}


Opener = Callable[..., Page]


@pytest.fixture
def open_as(browser: Browser, live_server: object) -> Iterator[Opener]:
    """``open_as(user)``: a new browser context logged in as ``user`` through the real forms
    (password and TOTP), watched for foreign requests, console errors and CSP violations."""
    origin = str(live_server.url)  # type: ignore[attr-defined]  # pytest-django's LiveServer
    opened: list[tuple[object, PageRecord]] = []

    def login(user: object) -> Page:
        record = PageRecord(origin=origin)
        context = browser.new_context(
            base_url=origin,
            locale="de-DE",
            timezone_id="Europe/Berlin",
            viewport=VIEWPORT,  # type: ignore[arg-type]  # a plain dict is what Playwright accepts
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.on("request", lambda request: record.requests.append(request.url))
        page = context.new_page()
        page.on("console", record.on_console)
        page.on("pageerror", lambda error: record.page_errors.append(str(error)))
        opened.append((context, record))
        secret = totp_secret_for(user)
        page.goto(reverse("account_login"))
        page.locator("input[name='login']").fill(user.email)  # type: ignore[attr-defined]
        page.locator("input[name='password']").fill(PASSWORD)
        submit_form_of(page, "password")
        assert urlsplit(page.url).path == reverse("mfa_authenticate"), page.url
        page.locator("input[name='code']").fill(current_totp_code(secret))
        submit_form_of(page, "code")
        assert urlsplit(page.url).path != reverse("mfa_authenticate"), "TOTP code was refused"
        return page

    yield login
    problems = []
    for context, record in opened:
        context.close()  # type: ignore[attr-defined]
        problems += record.problems()
    if problems:
        pytest.fail("A page misbehaved:\n" + "\n".join(problems), pytrace=False)


def _looks_right(page: Page) -> None:
    assert page.locator("h1").count() == 1, f"{page.url}: not exactly one h1"
    assert_no_axe_violations(page)


def _click(page: Page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def _run(page: Page, *, max_labs: str, label: str) -> None:
    page.get_by_label("Bezeichnung des Laufs").fill(label)
    page.get_by_label("Budget (EUR)").fill("300000")
    page.get_by_label("Höchstzahl der Labore", exact=True).fill(max_labs)
    _click(page, "Auswahl berechnen")
    expect(page.get_by_text("optimal bewiesen").first).to_be_visible()
    _looks_right(page)


def test_criteria_jury_conflict_assignment_scoring_two_runs_comparison_and_decision(open_as: Opener) -> None:
    call, proposals = competition(SPECS)
    Criterion.objects.filter(call=call).delete()  # the builder's single criterion: staff set them up here
    by_letter = {proposal.title[-1]: proposal for proposal in proposals}
    users = [JurorFactory(email=f"jury{index}@example.org") for index in range(1, 4)]
    staff = open_as(StaffFactory())

    # --- staff: settings, the default criteria, three jurors
    staff.goto(reverse("backoffice:jury_settings", kwargs={"slug": call.slug}))
    _looks_right(staff)
    staff.get_by_label("Gutachten je Interessenbekundung").fill("2")
    staff.get_by_label("Höchstzahl Gutachten je Jurymitglied").fill("4")
    submit_form_of(staff, "max_load")
    _looks_right(staff)

    staff.goto(reverse("backoffice:jury_criteria", kwargs={"slug": call.slug}))
    _looks_right(staff)
    _click(staff, "Standardkriterien anlegen")
    criteria = list(Criterion.objects.filter(call=call).order_by("position"))
    assert len(criteria) == 6
    for criterion in criteria:
        expect(staff.get_by_role("rowheader", name=criterion.name)).to_be_visible()
    _looks_right(staff)

    for user, (organisation, expertise) in zip(users, JURORS, strict=True):
        staff.goto(reverse("backoffice:jury_member_add", kwargs={"slug": call.slug}))
        staff.get_by_label("E-Mail-Adresse des Jurymitglieds").fill(user.email)
        staff.get_by_label("Organisation").fill(organisation)
        staff.get_by_label("Fachgebiete (Stichworte)").fill(expertise)
        _click(staff, "In die Jury aufnehmen")
        _looks_right(staff)
    seats = {seat.user_id: seat for seat in Juror.objects.filter(call=call)}
    assert sorted(seat.organisation for seat in seats.values()) == sorted(org for org, _ in JURORS)

    # --- the jurors declare: the first is conflicted on A, the others on nothing
    juror_pages = [open_as(user) for user in users]
    for index, page in enumerate(juror_pages):
        page.goto(reverse("backoffice:juror_declaration", kwargs={"slug": call.slug}))
        _looks_right(page)
        if index == 0:
            page.get_by_label(f"befangen: {by_letter['A'].reference}").check()
            page.get_by_label(f"Grund der Befangenheit bei {by_letter['A'].reference}").fill(
                "Ich wohne in der federführenden Gemeinde."
            )
        page.get_by_label("Ich habe alle Interessenbekundungen geprüft", exact=False).check()
        _click(page, "Erklärung abschließen")
        _looks_right(page)
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.juror.user_id, conflict.proposal_id) == (users[0].pk, by_letter["A"].pk)

    # --- staff: the conflict is listed; automatic assignment
    staff.goto(reverse("backoffice:jury_conflicts", kwargs={"slug": call.slug}))
    expect(staff.get_by_text("Ich wohne in der federführenden Gemeinde.")).to_be_visible()
    _looks_right(staff)
    staff.goto(reverse("backoffice:jury_assignment", kwargs={"slug": call.slug}))
    _looks_right(staff)
    _click(staff, "Automatisch zuweisen")
    _looks_right(staff)
    reviews = list(Review.objects.filter(proposal__call=call))
    assert len(reviews) == 8
    assert sorted(review.proposal_id for review in reviews) == sorted(p.pk for p in proposals for _ in (1, 2))
    assert max(sum(1 for r in reviews if r.juror.user_id == user.pk) for user in users) <= 4
    assert not Review.objects.filter(juror__user=users[0], proposal=by_letter["A"]).exists()

    # The conflicted juror gets 404 on A's back-office page.
    response = juror_pages[0].goto(reverse("backoffice:proposal_detail", kwargs={"pk": by_letter["A"].pk}))
    assert response is not None and response.status == 404

    # --- the jurors score every assigned proposal and hand in
    for user, page in zip(users, juror_pages, strict=True):
        page.goto(reverse("backoffice:juror_reviews", kwargs={"slug": call.slug}))
        _looks_right(page)
        for review in Review.objects.filter(juror__user=user).select_related("proposal").order_by("pk"):
            page.goto(reverse("backoffice:juror_review", kwargs={"pk": review.pk}))
            _looks_right(page)
            points = POINTS[review.proposal.title[-1]]
            for criterion in criteria:
                page.locator(f"input[name='score_{criterion.pk}'][value='{points}']").check()
            page.get_by_label("Gesamtkommentar").fill("Nachvollziehbar und konkret.")
            page.get_by_label("Ich gebe dieses Gutachten ab.", exact=False).check()
            _click(page, "Abgeben")
            expect(page.get_by_text("Ihr Gutachten ist abgegeben")).to_be_visible()
            _looks_right(page)
    assert Review.objects.filter(proposal__call=call, state=ReviewState.SUBMITTED).count() == 8

    # --- staff: progress and results, two runs with different caps, comparison, decision
    for name in ("jury_progress", "jury_results"):
        staff.goto(reverse(f"backoffice:{name}", kwargs={"slug": call.slug}))
        _looks_right(staff)
    staff.goto(reverse("backoffice:selection_runs", kwargs={"slug": call.slug}))
    _looks_right(staff)
    _run(staff, max_labs="16", label="Wie im Aufruf")
    staff.goto(reverse("backoffice:selection_runs", kwargs={"slug": call.slug}))
    _run(staff, max_labs="1", label="Nur ein Labor")
    runs = {run.number: run for run in SelectionRun.objects.filter(call=call)}
    assert set(runs) == {1, 2}

    staff.goto(reverse("backoffice:selection_compare", kwargs={"slug": call.slug}))
    staff.get_by_label("Lauf A").select_option("1")
    staff.get_by_label("Lauf B").select_option("2")
    _click(staff, "Vergleichen")
    _looks_right(staff)

    staff.goto(reverse("backoffice:selection_run", kwargs={"slug": call.slug, "number": 1}))
    with staff.expect_navigation():
        staff.get_by_role("link", name="Auf Grundlage dieses Laufs entscheiden").click()
    _looks_right(staff)
    staff.get_by_label("Ich habe Ergebnis und Begründungen geprüft", exact=False).check()
    _click(staff, "Förderentscheidung treffen")
    expect(staff.locator("h1")).to_have_text("Förderentscheidung")
    _looks_right(staff)

    # 300,000 €: A (150,000) + B (120,000) = 270,000 € leaves 30,000 €, too little for C or D;
    # A + C + ... is never better: A 9, B 7, C 6, D 4 points per criterion, so {A, B} has the
    # highest total score within the budget ({A, C} 15 < 16, {B, C, D}: 310,000 € > 300,000 €).
    decision = Decision.objects.get(call=call)
    assert decision.run_id == runs[1].pk
    outcomes = {
        entry.proposal.title[-1]: entry.outcome
        for entry in DecisionEntry.objects.filter(decision=decision).select_related("proposal")
    }
    assert outcomes == {"A": "selected", "B": "selected", "C": "waitlisted", "D": "waitlisted"}
    states = dict(Proposal.objects.filter(call=call).values_list("title", "state"))
    assert states == {
        "Labor A": ProposalState.SELECTED,
        "Labor B": ProposalState.SELECTED,
        "Labor C": ProposalState.WAITLISTED,
        "Labor D": ProposalState.WAITLISTED,
    }
