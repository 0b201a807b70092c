"""Issue 4 end to end in a real browser: staff check three submitted proposals (two eligible, one
not, with a reason mailed to its consortium), answer a public question that then shows in the FAQ
without the asker, create a workshop and invite the eligible consortia in one action, a consortium
registers an attendee, revises its proposal in the portal and hands in the revision, staff see the
diff. One h1 and 0 axe violations (WCAG 2.1 A/AA) on every page visited; at the end every proposal's
``proposal.<state>`` audit events are exactly its transitions and ``verify_audit_log`` passes."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from oglabs.audit.models import AuditEvent
from oglabs.mail.models import OutboxMail
from oglabs.proposals.formatting import format_euro
from oglabs.proposals.models import BudgetLine, Proposal, ProposalMailKind
from oglabs.proposals.states import ProposalState
from oglabs.support.models import Question, QuestionState, Registration, RegistrationStatus, Workshop
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import TIMEOUT_MS, VIEWPORT, LoginHelper, PageRecord, submit_form_of
from tests.factories.accounts import PASSWORD, StaffFactory, UserFactory
from tests.factories.proposals import CallFactory
from tests.factories.submitted import submitted_proposal

pytestmark = pytest.mark.browser

S = ProposalState
REASON = "Die Absichtserklärung der zivilgesellschaftlichen Partner fehlt."
ASKER_NAME = "Quxbert Vandersnook"
ASKER_EMAIL = "quxbert.vandersnook@marker.example"
PUBLIC_QUESTION = "Dürfen Landkreise ein Labor federführend beantragen?"
ANSWER = "Ja. Antragsberechtigt sind Städte, Gemeinden und Landkreise."
ATTENDEE = "Anna Beispiel"
OLD_REGION = "Ländlicher Raum westlich von Berlin."
NEW_REGION = "Ländlicher Raum östlich von Berlin."
TRANSITION_ACTIONS = [f"proposal.{state}" for state in ProposalState.values]


@pytest.fixture
def applicant_page(browser: Browser, live_server: object) -> Iterator[Page]:
    """A second browser context (the consortium's), watched like the ``page`` fixture."""
    origin = str(live_server.url)  # type: ignore[attr-defined]  # pytest-django's LiveServer
    record = PageRecord(origin=origin)
    context = browser.new_context(
        base_url=origin,
        locale="de-DE",
        timezone_id="Europe/Berlin",
        viewport=VIEWPORT,  # type: ignore[arg-type]  # a plain dict is what Playwright accepts at run time
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.on("request", lambda request: record.requests.append(request.url))
    page = context.new_page()
    page.on("console", record.on_console)
    page.on("pageerror", lambda error: record.page_errors.append(str(error)))
    yield page
    context.close()
    problems = record.problems()
    if problems:
        pytest.fail("The applicant's page misbehaved:\n" + "\n".join(problems), pytrace=False)


def _looks_right(page: Page) -> None:
    assert page.locator("h1").count() == 1, f"{page.url}: not exactly one h1"
    assert_no_axe_violations(page)


def _open(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{path}: HTTP {response.status}"
    _looks_right(page)


def _click(page: Page, role: str, name: str, *, exact: bool = False) -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=exact).first.click()  # type: ignore[arg-type]  # "link" or "button"


def _transitions(proposal: Proposal) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            target_type="proposals.proposal", target_id=str(proposal.pk), action__in=TRANSITION_ACTIONS
        )
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def test_backoffice_journey_from_check_to_diff(
    page: Page, logged_in_page: LoginHelper, applicant_page: Page
) -> None:
    call = CallFactory(eligibility_four_eyes=False)
    applicant = UserFactory(email="lead@falkensee.example")
    revising = submitted_proposal(call, applicant, name="Falkensee")
    rejected = submitted_proposal(call, UserFactory(email="lead@nauen.example"), name="Nauen")
    other = submitted_proposal(call, UserFactory(email="lead@wustermark.example"), name="Wustermark")
    staff = StaffFactory()
    logged_in_page(staff)
    slug = call.slug

    # 1. Dashboard, list, a proposal, the formal check: one eligible, one not (with a reason).
    _open(page, reverse("backoffice:call_dashboard", kwargs={"slug": slug}))
    _open(page, reverse("backoffice:proposal_list", kwargs={"slug": slug}))
    expect(page.locator("tbody tr")).to_have_count(3)
    _click(page, "link", revising.reference)
    assert urlsplit(page.url).path == reverse("backoffice:proposal_detail", kwargs={"pk": revising.pk})
    _looks_right(page)

    _open(page, reverse("backoffice:eligibility_queue", kwargs={"slug": slug}))
    _click(page, "link", f"{rejected.reference}: {rejected.title}")
    assert urlsplit(page.url).path == reverse("backoffice:eligibility_check", kwargs={"pk": rejected.pk})
    _looks_right(page)
    page.get_by_label("nicht förderfähig").check()
    page.get_by_label("Begründung").fill(REASON)
    _click(page, "button", "Entscheiden und Konsortium benachrichtigen")
    expect(page.get_by_role("status").first).to_contain_text("Das Prüfergebnis ist gespeichert")
    _looks_right(page)
    for proposal in (revising, other):
        _open(page, reverse("backoffice:eligibility_check", kwargs={"pk": proposal.pk}))
        page.get_by_label("förderfähig", exact=True).check()
        _click(page, "button", "Entscheiden und Konsortium benachrichtigen")
        expect(page.get_by_role("status").first).to_contain_text("Das Prüfergebnis ist gespeichert")
    states = dict(Proposal.objects.filter(call=call).values_list("pk", "state"))
    assert states == {revising.pk: S.ELIGIBLE, rejected.pk: S.INELIGIBLE, other.pk: S.ELIGIBLE}
    [decision] = OutboxMail.objects.filter(
        kind=ProposalMailKind.ELIGIBILITY_DECISION, to=["lead@nauen.example"]
    )
    assert REASON in decision.body
    assert OutboxMail.objects.filter(kind=ProposalMailKind.ELIGIBILITY_DECISION).count() == 3

    # 2. A question through the public form, answered without the asker, published to the FAQ.
    faq_path = reverse("public:call_faq", kwargs={"slug": slug})
    _open(applicant_page, faq_path)
    _click(applicant_page, "link", "Eine Frage stellen")
    _looks_right(applicant_page)
    applicant_page.get_by_label("Ihr Name").fill(ASKER_NAME)
    applicant_page.get_by_label("Ihre E-Mail-Adresse").fill(ASKER_EMAIL)
    applicant_page.get_by_label("Ihre Frage").fill(
        f"Ich bin {ASKER_NAME} ({ASKER_EMAIL}) aus Falkensee: darf unser Landkreis federführend sein?"
    )
    _click(applicant_page, "button", "Frage senden")
    expect(applicant_page.get_by_text("Vielen Dank, Ihre Frage ist eingegangen.")).to_be_visible()
    question = Question.objects.get(call=call)

    _open(page, reverse("backoffice:questions", kwargs={"slug": slug}))
    _click(page, "link", f"Nr. {question.pk}: Ich bin")
    _looks_right(page)
    page.get_by_label("Thema").fill("Antragsberechtigung")
    page.get_by_label("Frage, wie sie veröffentlicht wird").fill(PUBLIC_QUESTION)
    page.get_by_label("Antwort", exact=True).fill(ANSWER)
    _click(page, "button", "Antwort speichern")
    _looks_right(page)
    _click(page, "button", "Antwort veröffentlichen und mailen")  # back on the list, checked above
    question.refresh_from_db()
    assert question.state == QuestionState.PUBLISHED

    _open(applicant_page, faq_path)
    expect(applicant_page.get_by_text(PUBLIC_QUESTION)).to_be_visible()
    expect(applicant_page.get_by_text(ANSWER)).to_be_visible()
    html = applicant_page.content()
    assert ASKER_NAME not in html
    assert ASKER_EMAIL not in html
    assert "Quxbert" not in html and "Vandersnook" not in html and "Falkensee" not in html

    # 3. A workshop; every eligible consortium invited with one action; an attendee registered.
    _open(page, reverse("backoffice:workshops", kwargs={"slug": slug}))
    _open(page, reverse("backoffice:workshop_create", kwargs={"slug": slug}))
    starts = timezone.localtime(timezone.now() + dt.timedelta(days=10)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    page.get_by_label("Titel", exact=True).fill("Ideen schärfen – Workshop in Berlin")
    page.get_by_label("Beginn").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ende").fill((starts + dt.timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("textarea[name='place']").fill("Alt-Moabit 140, 10557 Berlin")
    page.get_by_label("Plätze").fill("30")
    _click(page, "button", "Speichern", exact=True)
    workshop = Workshop.objects.get(call=call)
    assert urlsplit(page.url).path == reverse(
        "backoffice:workshop_detail", kwargs={"slug": slug, "pk": workshop.pk}
    )
    _looks_right(page)
    _click(page, "link", "2 förderfähige Konsortien einladen …")
    _looks_right(page)
    _click(page, "button", "2 Konsortien einladen")  # back on the workshop, checked above
    states = dict(Proposal.objects.filter(call=call).values_list("pk", "state"))
    assert states == {revising.pk: S.INVITED, rejected.pk: S.INELIGIBLE, other.pk: S.INVITED}

    applicant_page.goto(reverse("account_login"))
    applicant_page.locator("input[name='login']").fill(applicant.email)
    applicant_page.locator("input[name='password']").fill(PASSWORD)
    submit_form_of(applicant_page, "password")
    assert urlsplit(applicant_page.url).path != reverse("account_login"), "the applicant's login failed"
    _open(applicant_page, reverse("portal:workshops"))
    _click(applicant_page, "link", workshop.title)
    assert urlsplit(applicant_page.url).path == reverse("portal:workshop", kwargs={"pk": workshop.pk})
    _looks_right(applicant_page)
    applicant_page.get_by_label("Name der Person, die teilnimmt").fill(ATTENDEE)
    _click(applicant_page, "button", "Anmelden", exact=True)
    _looks_right(applicant_page)
    [registration] = Registration.objects.filter(workshop=workshop)
    assert (registration.proposal_id, registration.attendee_name, registration.status) == (
        revising.pk,
        ATTENDEE,
        RegistrationStatus.REGISTERED,
    )

    # 4. The revision window with a deadline in the future; the consortium revises in the portal.
    _open(page, reverse("backoffice:revision", kwargs={"slug": slug}))
    deadline_day = timezone.localdate() + dt.timedelta(days=14)
    page.get_by_label("Frist: Datum").fill(deadline_day.strftime("%d.%m.%Y"))
    _click(page, "button", "Überarbeitungsphase öffnen")
    expect(page.get_by_text("2 Interessenbekundungen wurden zur Überarbeitung freigegeben")).to_be_visible()
    _looks_right(page)
    states = dict(Proposal.objects.filter(call=call).values_list("pk", "state"))
    assert states == {revising.pk: S.IN_REVISION, rejected.pk: S.INELIGIBLE, other.pk: S.IN_REVISION}

    _open(applicant_page, reverse("portal:proposal_detail", kwargs={"pk": revising.pk}))
    step = "portal:proposal_edit_step"
    _open(applicant_page, reverse(step, kwargs={"pk": revising.pk, "step": "allgemeines"}))
    region = applicant_page.get_by_label("Region und Ausgangslage")
    expect(region).to_have_value(OLD_REGION)
    region.fill(NEW_REGION)
    _click(applicant_page, "button", "Speichern", exact=True)
    expect(applicant_page.get_by_text("Ihre Angaben sind gespeichert.")).to_be_visible()
    applicant_page.goto(reverse(step, kwargs={"pk": revising.pk, "step": "mittelbedarf"}))
    applicant_page.get_by_label("Personal 2020 (EUR)").fill("45.000,00")
    _click(applicant_page, "button", "Speichern", exact=True)
    expect(applicant_page.locator("#total-all")).to_have_text(re.compile(r"^45\.000(,00)?\s€$"))
    _looks_right(applicant_page)
    _open(applicant_page, reverse("portal:proposal_submit", kwargs={"pk": revising.pk}))
    # The countdown is the revision's, not the expired deadline of the sketches.
    expect(applicant_page.locator(".og-countdown")).to_contain_text(
        f"Einreichung noch bis {deadline_day.strftime('%d.%m.%Y')}"
    )
    _click(applicant_page, "button", "Verbindlich einreichen")
    assert urlsplit(applicant_page.url).path == reverse("portal:proposal_detail", kwargs={"pk": revising.pk})
    expect(applicant_page.get_by_role("status").first).to_contain_text(
        f"{revising.reference} ist eingegangen"
    )
    revising.refresh_from_db()
    assert (revising.state, revising.region) == (S.REVISED, NEW_REGION)
    assert BudgetLine.objects.get(proposal=revising).amount == Decimal("45000.00")
    assert list(revising.versions.order_by("number").values_list("kind", "stage")) == [
        ("submitted", "sketch"),
        ("revised", "full"),
    ]

    # 5. Staff see the diff between the sketch and the revision: the text and the budget delta.
    _open(page, reverse("backoffice:proposal_diff", kwargs={"pk": revising.pk}))
    expect(page.locator("del").filter(has_text="westlich")).to_have_count(1)
    expect(page.locator("ins").filter(has_text="östlich")).to_have_count(1)
    staff_row = page.locator("tbody tr").filter(has_text="2020 · Personal")
    expect(staff_row.locator("td")).to_have_text(
        [format_euro(Decimal("40000")), format_euro(Decimal("45000")), "+" + format_euro(Decimal("5000"))]
    )
    total_row = page.locator("tbody tr").filter(has_text="Beantragte Mittel insgesamt")
    expect(total_row.locator("td").last).to_have_text("+" + format_euro(Decimal("5000")))

    # A message to the consortia that handed in a revision: the form and its preview (not sent).
    _open(page, reverse("backoffice:messages", kwargs={"slug": slug}))
    page.get_by_label("überarbeitet eingereicht", exact=True).check()
    page.get_by_label("Betreff").fill("Ihr überarbeiteter Vorschlag")
    page.get_by_label("Text").fill("Guten Tag,\n\nvielen Dank für Ihre Überarbeitung.")
    _click(page, "button", "Vorschau und Empfänger anzeigen")
    expect(page.locator("[data-og-audience]")).to_have_text(
        "Die Nachricht geht an 1 Konsortium mit 1 Empfängeradresse(n)."
    )
    _looks_right(page)

    # 6. Every transition left exactly one audit event; the chain is intact after the whole scenario.
    assert _transitions(revising) == [
        "proposal.submitted",
        "proposal.eligible",
        "proposal.invited",
        "proposal.in_revision",
        "proposal.revised",
    ]
    assert _transitions(rejected) == ["proposal.submitted", "proposal.ineligible"]
    assert _transitions(other) == [
        "proposal.submitted",
        "proposal.eligible",
        "proposal.invited",
        "proposal.in_revision",
    ]
    for proposal in (revising, rejected, other):
        events = AuditEvent.objects.filter(
            target_type="proposals.proposal", target_id=str(proposal.pk), action__in=TRANSITION_ACTIONS
        ).order_by("sequence")
        steps = [(event.data["from"], event.data["to"]) for event in events]
        assert [source for source, _target in steps] == ["draft"] + [target for _source, target in steps[:-1]]
        proposal.refresh_from_db()
        assert steps[-1][1] == proposal.state
    ineligible = AuditEvent.objects.get(target_id=str(rejected.pk), action="proposal.ineligible")
    assert (ineligible.actor_id, ineligible.data["reason"]) == (staff.pk, REASON)
    stdout = io.StringIO()
    call_command("verify_audit_log", stdout=stdout)  # exits 1 (SystemExit) on a broken link
    assert re.fullmatch(r"Audit-Log intakt: \d+ Ereignisse\n", stdout.getvalue())
