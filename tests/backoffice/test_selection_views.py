"""The selection screens: runs (form and list), one run beside the greedy result, two runs side by
side, the decision with a reason per proposal, recording a selected lab's withdrawal. Staff only:
jurors and applicants get 403 and change nothing. Constant queries on the run and compare pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oglabs.accounts.models import User
from oglabs.audit.models import AuditEvent
from oglabs.mail.models import OutboxMail
from oglabs.proposals.models import Proposal
from oglabs.selection import services
from oglabs.selection.models import Decision, DecisionEntry, MoveUp, SelectionRun
from tests.backoffice.conftest import login_with_second_factor
from tests.factories.accounts import JurorFactory, StaffFactory, UserFactory
from tests.factories.proposals import NOW
from tests.selection.competition import competition, spec

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=1)

# Budget 300k. Optimum A, B, D (230 points); waitlist C (70, 120k) and E (50, 60k). With at most
# two labs: A and B; then C, D, E wait.
FIVE = [
    spec("A", 90, 150000),
    spec("B", 80, 100000),
    spec("C", 70, 120000),
    spec("D", 60, 40000),
    spec("E", 50, 60000, state="13", rural=False),
]


def _url(name: str, call: Any, **kwargs: Any) -> str:
    return reverse(f"backoffice:{name}", kwargs={"slug": call.slug, **kwargs})


def _run(call: Any, **rules: Any) -> SelectionRun:
    arguments = {"budget": Decimal("300000"), "max_labs": 16, **rules}
    return services.run_selection(call, actor=StaffFactory(), now=LATER, **arguments)


def _client_for(user: User) -> Client:
    client = Client()
    if user.is_privileged:
        return login_with_second_factor(client, user)
    client.force_login(user)
    return client


def _states(proposals: list[Proposal]) -> list[str]:
    return [Proposal.objects.get(pk=p.pk).state for p in proposals]


def test_staff_sees_the_runs_page_with_the_calls_rules_prefilled(staff_client: Client) -> None:
    call, _ = competition(FIVE)
    _run(call, label="Erster Versuch")
    response = staff_client.get(_url("selection_runs", call))
    assert response.status_code == 200
    form = response.context["form"]
    assert (form["budget"].value(), form["max_labs"].value()) == (call.budget, call.max_labs)
    page = response.content.decode()
    assert "<h1" in page and "Auswahl</h1>" in page
    assert "Läufe dieses Aufrufs, der neueste zuerst" in page  # the table's caption
    assert "Erster Versuch" in page
    assert 'scope="col"' in page and 'scope="row"' in page
    assert 'aria-current="page">Auswahl</a>' in page


def test_staff_computes_a_run_and_sees_it_beside_the_greedy_result(staff_client: Client) -> None:
    call, (a, b, c, d, e) = competition(FIVE)
    data = {
        "label": "Höchstens zwei",
        "budget": "300000",
        "max_labs": "2",
        "max_per_state": "",
        "rural_min_share": "50",
        "min_score": "",
        "partial_min_share": "",
    }
    response = staff_client.post(_url("selection_runs", call), data)
    run = SelectionRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("selection_run", call, number=1)
    assert (run.label, run.parameters["max_labs"], run.parameters["min_rural_share"]) == (
        "Höchstens zwei",
        2,
        "0.5",
    )
    assert [g["id"] for g in run.result["selected"]] == [str(a.pk), str(b.pk)]
    response = staff_client.get(response["Location"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "optimal bewiesen" in page
    assert "ja – keine andere Auswahl, die alle Regeln einhält, hat eine höhere Gesamtpunktzahl" in page
    assert [row.proposal_id for row in response.context["view"].selected] == [a.pk, b.pk]
    assert [row.proposal_id for row in response.context["view"].waitlist] == [c.pk, d.pk, e.pk]
    assert "Höchstzahl von 2 Laboren erreicht." in page
    assert "Zum Vergleich: die Greedy-Regel von CONSUL" in page
    assert "Die Greedy-Regel erreicht hier dieselbe Gesamtpunktzahl wie das Optimum." in page
    assert "50 %" in page  # the rural share among the rules
    assert _url("selection_decide", call, number=1) in page


def test_the_run_page_says_how_much_better_the_optimum_is_than_greedy(staff_client: Client) -> None:
    # Greedy takes A (200k), then only D fits: 120 points; the optimum B + C: 155.
    call, _ = competition(
        [spec("A", 90, 200000), spec("B", 80, 150000), spec("C", 75, 140000), spec("D", 30, 50000)]
    )
    run = _run(call)
    page = staff_client.get(_url("selection_run", call, number=run.number)).content.decode()
    assert "Das Optimum erreicht 35 Punkte mehr als die Greedy-Regel." in page
    assert "nur von der Greedy-Regel ausgewählt:" in page


def test_invalid_rules_are_shown_in_german_and_nothing_is_stored(staff_client: Client) -> None:
    call, _ = competition(FIVE)
    events = AuditEvent.objects.count()
    response = staff_client.post(
        _url("selection_runs", call), {"budget": "-1", "max_labs": "0", "rural_min_share": "150"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"budget", "max_labs", "rural_min_share"}
    assert SelectionRun.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_staff_compares_two_runs_side_by_side(staff_client: Client) -> None:
    call, (a, _b, _c, d, _e) = competition(FIVE)
    _run(call, label="Alle Regeln")
    _run(call, label="Zwei Labore", max_labs=2)
    response = staff_client.get(_url("selection_compare", call), {"a": "1", "b": "2"})
    assert response.status_code == 200
    comparison = response.context["comparison"]
    rows = {row.proposal_id: row for row in comparison.rows}
    assert (rows[d.pk].outcome_a, rows[d.pk].granted_a, rows[d.pk].outcome_b, rows[d.pk].granted_b) == (
        "selected",
        Decimal("40000"),
        "waitlisted",
        Decimal("0"),
    )
    assert rows[d.pk].changed and not rows[a.pk].changed
    assert comparison.changed_count == 1
    page = response.content.decode()
    assert (
        "1 Interessenbekundung hat in beiden Läufen ein anderes Ergebnis oder einen anderen Betrag." in page
    )
    assert page.count("<strong>geändert</strong>") == 1
    assert "Greedy zu Lauf 1" in page and "Labore in Brandenburg" in page
    response = staff_client.get(_url("selection_compare", call), {"a": "1", "b": "1"})
    assert response.status_code == 400
    assert response.context["form"].errors["b"] == ["Bitte wählen Sie zwei verschiedene Läufe."]


def _decide_data(run: SelectionRun, reasons: dict[int, str], *, confirmed: bool = True) -> dict[str, str]:
    data = {f"reason_{pid}": text for pid, text in reasons.items()}
    if confirmed:
        data["confirmed"] = "on"
    return data


def test_staff_decides_with_prefilled_reasons_and_a_confirmation(
    staff_client: Client, staff_user: User
) -> None:
    call, proposals = competition(FIVE)
    a, _b, c, _d, e = proposals
    run = _run(call)
    response = staff_client.get(_url("selection_decide", call, number=run.number))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial[f"reason_{a.pk}"].startswith(
        "Ausgewählt: Die Interessenbekundung gehört zu der Auswahl"
    )
    assert form.initial[f"reason_{c.pk}"].startswith(
        "Nicht ausgewählt, Platz 1 der Nachrückliste. Das Budget war ausgeschöpft"
    )
    reasons = {p.pk: form.initial[f"reason_{p.pk}"] for p in proposals}
    # Without the confirmation, or with one reason emptied: 400, nothing changes.
    mails = OutboxMail.objects.count()
    response = staff_client.post(
        _url("selection_decide", call, number=run.number), _decide_data(run, reasons, confirmed=False)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["confirmed"] == ["Bitte bestätigen Sie die Entscheidung."]
    emptied = {**reasons, e.pk: ""}
    response = staff_client.post(
        _url("selection_decide", call, number=run.number), _decide_data(run, emptied)
    )
    assert response.status_code == 400
    assert response.context["form"].errors[f"reason_{e.pk}"] == ["Bitte geben Sie eine Begründung an."]
    assert Decision.objects.count() == 0
    assert _states(proposals) == ["in_competition"] * 5
    assert OutboxMail.objects.count() == mails
    # Decided.
    reasons[c.pk] = "Knapp nicht ausgewählt; Platz 1 der Nachrückliste."
    response = staff_client.post(
        _url("selection_decide", call, number=run.number), _decide_data(run, reasons)
    )
    assert response.status_code == 302
    assert response["Location"] == _url("selection_decision", call)
    decision = Decision.objects.get()
    assert decision.decided_by == staff_user
    assert (
        DecisionEntry.objects.get(proposal=c).reason == "Knapp nicht ausgewählt; Platz 1 der Nachrückliste."
    )
    assert _states(proposals) == ["selected", "selected", "waitlisted", "selected", "waitlisted"]
    assert OutboxMail.objects.count() == mails + 5
    page = staff_client.get(response["Location"]).content.decode()
    assert "Förderentscheidung</h1>" in page
    assert page.count("Rückzug erfassen und nachrücken lassen") == 3
    # The runs page now has no form; a run posted anyway is refused.
    response = staff_client.get(_url("selection_runs", call))
    assert response.context["form"] is None
    response = staff_client.post(
        _url("selection_runs", call), {"budget": "300000", "max_labs": "16"}, follow=True
    )
    assert "bereits getroffen" in response.content.decode()
    assert SelectionRun.objects.count() == 1


def test_staff_records_a_withdrawal_and_the_next_that_fits_moves_up(staff_client: Client) -> None:
    call, proposals = competition(FIVE)
    _a, b, c, _d, e = proposals
    run = _run(call)
    services.decide(run, reasons={p.pk: "Begründung." for p in proposals}, actor=StaffFactory(), now=LATER)
    url = _url("selection_withdraw", call, pk=b.pk)
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, {"reason": "Der Kreistag hat abgelehnt."})
    assert response.status_code == 400
    assert MoveUp.objects.count() == 0
    response = staff_client.post(
        url, {"reason": "Der Kreistag hat abgelehnt.", "confirmed": "on"}, follow=True
    )
    assert response.status_code == 200
    move_up = MoveUp.objects.get()
    assert (move_up.withdrawn, move_up.moved_up) == (b, e)
    page = response.content.decode()
    assert f"Der Rückzug ist erfasst. Nachgerückt ist {e.reference}." in page
    assert f"Platz 1, {c.reference} „Labor C“: passt nicht in das verbleibende Budget" in page
    assert _states(proposals) == ["selected", "withdrawn", "waitlisted", "selected", "selected"]
    # A waitlisted proposal cannot be withdrawn here.
    response = staff_client.post(
        _url("selection_withdraw", call, pk=c.pk), {"reason": "x", "confirmed": "on"}, follow=True
    )
    assert (
        "Nachrücken lässt sich nur auslösen, wenn ein ausgewähltes Labor zurücktritt."
        in response.content.decode()
    )
    assert MoveUp.objects.count() == 1


def test_unknown_call_run_or_decision_is_404(staff_client: Client) -> None:
    call, proposals = competition(FIVE)
    assert (
        staff_client.get(reverse("backoffice:selection_runs", kwargs={"slug": "gibt-es-nicht"})).status_code
        == 404
    )
    assert staff_client.get(_url("selection_run", call, number=7)).status_code == 404
    assert staff_client.get(_url("selection_decision", call)).status_code == 404
    assert staff_client.get(_url("selection_withdraw", call, pk=proposals[0].pk)).status_code == 404


@pytest.mark.parametrize("role", ["applicant", "juror"])
def test_outsiders_cannot_reach_or_use_the_selection_screens(role: str) -> None:
    call, proposals = competition(FIVE)
    run = _run(call)
    other, other_proposals = competition([spec("X", 80, 1000), spec("Y", 70, 1000)])
    other_run = _run(other)
    services.decide(
        other_run, reasons={p.pk: "Begründung." for p in other_proposals}, actor=StaffFactory(), now=LATER
    )
    user = UserFactory() if role == "applicant" else JurorFactory()
    client = _client_for(user)
    counts = (
        SelectionRun.objects.count(),
        Decision.objects.count(),
        MoveUp.objects.count(),
        AuditEvent.objects.count(),
        OutboxMail.objects.count(),
    )
    reasons = {f"reason_{p.pk}": "Weil." for p in proposals}
    requests = [
        ("get", _url("selection_runs", call), None),
        ("post", _url("selection_runs", call), {"budget": "1", "max_labs": "1"}),
        ("get", _url("selection_run", call, number=run.number), None),
        ("get", _url("selection_compare", call), {"a": "1", "b": "1"}),
        ("get", _url("selection_decide", call, number=run.number), None),
        ("post", _url("selection_decide", call, number=run.number), {**reasons, "confirmed": "on"}),
        ("get", _url("selection_decision", other), None),
        ("get", _url("selection_withdraw", other, pk=other_proposals[0].pk), None),
        (
            "post",
            _url("selection_withdraw", other, pk=other_proposals[0].pk),
            {"reason": "Weil.", "confirmed": "on"},
        ),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        assert response.status_code == 403, (method, url)
    assert (
        SelectionRun.objects.count(),
        Decision.objects.count(),
        MoveUp.objects.count(),
        AuditEvent.objects.count(),
        OutboxMail.objects.count(),
    ) == counts
    assert _states(proposals) == ["in_competition"] * 5
    assert _states(other_proposals) == ["selected", "selected"]


def test_anonymous_is_sent_to_login(client: Client) -> None:
    call, _ = competition(FIVE)
    response = client.get(_url("selection_runs", call))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def _queries(client: Client, url: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_run_and_compare_pages_need_the_same_queries_for_5_and_40_proposals(staff_client: Client) -> None:
    small, _ = competition(FIVE)
    specs = [
        spec(f"P{n}", 40 + n, 50000 + 1000 * n, state=("12", "13", "14", "15")[n % 4], rural=n % 3 != 0)
        for n in range(40)
    ]
    large, _ = competition(specs)
    counts = {}
    for call in (small, large):
        _run(call, label="eins")
        _run(call, label="zwei", max_labs=3, max_per_state=1)
        counts[call.pk] = (
            _queries(staff_client, _url("selection_run", call, number=1)),
            _queries(staff_client, _url("selection_compare", call), {"a": "1", "b": "2"}),
            _queries(staff_client, _url("selection_runs", call)),
        )
    # Session, user, second factor, the call with its phases, the run(s), the decision.
    assert counts[small.pk] == counts[large.pk] == (7, 8, 7)


def test_the_decision_page_needs_the_same_queries_for_5_and_40_proposals(staff_client: Client) -> None:
    counts = []
    for size in (5, 40):
        call, proposals = competition([spec(f"P{n}", 40 + n, 50000) for n in range(size)])
        run = _run(call)
        services.decide(
            run, reasons={p.pk: "Begründung." for p in proposals}, actor=StaffFactory(), now=LATER
        )
        counts.append(_queries(staff_client, _url("selection_decision", call)))
    assert counts[0] == counts[1]
