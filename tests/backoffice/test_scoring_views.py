"""The juror's pages: seats, the conflict declaration (before it no proposal is shown), "Meine
Gutachten", the scoring form (draft, submit with confirmation, read-only afterwards), the blind
rule, and a conflict found while reading. Only jurors get in (staff and applicants: 403,
anonymous: login; nothing changes)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oglabs.proposals.models import Proposal
from oglabs.proposals.states import ProposalState
from oglabs.reviews import mails
from oglabs.reviews.models import (
    ConflictOfInterest,
    ConflictSource,
    Review,
    ReviewSettings,
    ReviewState,
    Score,
)
from tests.backoffice.jury_helpers import (
    client_for,
    competing,
    error_summary,
    flashed,
    h1s_of,
    page_text,
    role_client,
    seat,
    snapshot,
    title_of,
)
from tests.factories.proposals import NOW, CallFactory
from tests.factories.reviews import ConflictFactory, CriterionFactory, ReviewFactory, ScoreFactory
from tests.factories.submitted import submitted_proposal

pytestmark = pytest.mark.django_db


def _in_competition(proposal: Proposal) -> Proposal:
    # The way to the competition (eligibility, revision) is not what these tests are about.
    Proposal.objects.filter(pk=proposal.pk).update(state=ProposalState.IN_COMPETITION)
    proposal.refresh_from_db()
    return proposal


def _juror_requests(call: Any) -> list[tuple[str, str, dict[str, Any] | None]]:
    proposal = competing(call)
    CriterionFactory(call=call)
    review = ReviewFactory(juror=seat(call), proposal=proposal)
    review_url = reverse("backoffice:juror_review", kwargs={"pk": review.pk})
    return [
        ("get", reverse("backoffice:juror_home"), None),
        ("get", reverse("backoffice:juror_reviews", kwargs={"slug": call.slug}), None),
        ("get", reverse("backoffice:juror_declaration", kwargs={"slug": call.slug}), None),
        (
            "post",
            reverse("backoffice:juror_declaration", kwargs={"slug": call.slug}),
            {"confirmed": "on", f"conflict_{proposal.pk}": "on", f"reason_{proposal.pk}": "x"},
        ),
        ("get", review_url, None),
        ("post", review_url, {"action": "draft", "comment": "Gut."}),
        (
            "post",
            reverse("backoffice:juror_review_conflict", kwargs={"pk": review.pk}),
            {"conflict_reason": "Ich wohne dort."},
        ),
    ]


def test_the_access_test_covers_every_juror_route() -> None:
    from django.urls import resolve

    from oglabs.backoffice import urls

    names = {p.name for p in urls.urlpatterns if p.name and p.name.startswith("juror_")}
    covered = {resolve(url).url_name for _m, url, _d in _juror_requests(CallFactory())}
    assert covered == names


@pytest.mark.parametrize("role", ["staff", "applicant"])
def test_juror_pages_refuse_staff_and_applicants_and_change_nothing(role: str) -> None:
    call = CallFactory()
    requests = _juror_requests(call)
    client = role_client(role)
    before = snapshot()
    for method, url, data in requests:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        assert response.status_code == 403, (method, url)
    assert snapshot() == before


def test_juror_pages_send_anonymous_to_login_and_change_nothing(client: Client) -> None:
    call = CallFactory()
    requests = _juror_requests(call)
    before = snapshot()
    for method, url, data in requests:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("account_login"))
    assert snapshot() == before


def test_a_juror_without_a_seat_gets_404_on_every_page_of_the_call_and_changes_nothing() -> None:
    call = CallFactory()
    requests = _juror_requests(call)[1:]
    client = role_client("juror")
    before = snapshot()
    for method, url, data in requests:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        assert response.status_code == 404, (method, url)
    assert snapshot() == before


def test_the_reminder_mail_links_the_juror_page_of_the_call() -> None:
    assert reverse(
        "backoffice:juror_reviews", kwargs={"slug": "aufruf-1"}
    ) == mails.JUROR_REVIEWS_PATH.format(slug="aufruf-1")


# --- seats ------------------------------------------------------------------------------------------


def test_home_lists_the_seats_with_the_next_step() -> None:
    waiting_call = CallFactory(title="Aufruf A")
    ready_call = CallFactory(title="Aufruf B")
    waiting = seat(waiting_call, conflicts_declared_at=None)
    seat(ready_call, user=waiting.user)
    response = client_for(waiting.user).get(reverse("backoffice:juror_home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("backoffice:juror_declaration", kwargs={"slug": waiting_call.slug}) in html
    assert reverse("backoffice:juror_reviews", kwargs={"slug": ready_call.slug}) in html
    assert (
        'href="' + reverse("backoffice:juror_reviews", kwargs={"slug": waiting_call.slug}) + '"' not in html
    )
    text = page_text(response)
    assert "Aufruf A Bitte erklären Sie zuerst" in text
    assert "Aufruf B Befangenheiten erklärt am 15.10.2019, 10:00 Uhr." in text


def test_the_back_office_home_links_a_juror_to_their_seats() -> None:
    html = role_client("juror").get(reverse("backoffice:home")).content.decode()
    assert f'href="{reverse("backoffice:juror_home")}">Zu Ihren Jurysitzen</a>' in html


def test_home_of_a_juror_without_seats_says_so() -> None:
    response = role_client("juror").get(reverse("backoffice:juror_home"))
    assert "Sie gehören noch keiner Jury an." in page_text(response)


# --- the declaration gate -------------------------------------------------------------------------


def test_before_the_declaration_no_page_shows_a_proposal() -> None:
    call = CallFactory()
    juror = seat(call, conflicts_declared_at=None)
    proposal = _in_competition(submitted_proposal(call, name="Nauen"))
    review = ReviewFactory(juror=juror, proposal=proposal)
    client = client_for(juror.user)
    reviews_page = client.get(reverse("backoffice:juror_reviews", kwargs={"slug": call.slug}))
    assert reviews_page.status_code == 200
    assert "Bitte erklären Sie zuerst Ihre Befangenheiten." in page_text(reviews_page)
    assert proposal.reference not in reviews_page.content.decode()
    assert client.get(reverse("backoffice:juror_review", kwargs={"pk": review.pk})).status_code == 404
    assert client.get(reverse("backoffice:proposal_detail", kwargs={"pk": proposal.pk})).status_code == 404
    assert client.get(reverse("backoffice:proposal_diff", kwargs={"pk": proposal.pk})).status_code == 404


def test_the_declaration_lists_reference_title_and_lead_municipality_only() -> None:
    call = CallFactory()
    juror = seat(call, conflicts_declared_at=None)
    proposal = _in_competition(submitted_proposal(call, name="Nauen"))
    submitted_proposal(call, name="Falkensee")  # not in the competition
    response = client_for(juror.user).get(reverse("backoffice:juror_declaration", kwargs={"slug": call.slug}))
    assert response.status_code == 200
    text = page_text(response)
    assert f"{proposal.reference}: Labor Nauen Nauen befangen : {proposal.reference}" in text
    assert "Labor Falkensee" not in text
    assert "Ländlicher Raum westlich von Berlin." not in text  # the region text
    assert "Bürgerverein Nauen" not in text  # a partner
    assert "Beteiligungswerkstatt" not in text  # a task


def test_a_ticked_conflict_needs_a_reason_and_the_declaration_a_confirmation() -> None:
    call = CallFactory()
    juror = seat(call, conflicts_declared_at=None)
    proposal = competing(call, reference="OGL-E-1")
    client = client_for(juror.user)
    before = snapshot()
    response = client.post(
        reverse("backoffice:juror_declaration", kwargs={"slug": call.slug}),
        {f"conflict_{proposal.pk}": "on", f"reason_{proposal.pk}": "  "},
    )
    assert response.status_code == 400
    assert error_summary(response.content.decode()) == [
        "Grund der Befangenheit bei OGL-E-1: Bitte nennen Sie kurz den Grund der Befangenheit.",
        "Ich habe alle Interessenbekundungen geprüft. Bei allen nicht angekreuzten bin ich nicht befangen.: "
        "Bitte bestätigen Sie, dass Sie alle Interessenbekundungen geprüft haben.",
    ]
    assert snapshot() == before


def test_the_declaration_records_conflicts_and_opens_the_reviews() -> None:
    call = CallFactory()
    juror = seat(call, conflicts_declared_at=None)
    conflicted = competing(call, reference="OGL-F-1", title="Labor Befangen")
    free = competing(call, reference="OGL-F-2", title="Labor Frei")
    ReviewFactory(juror=juror, proposal=free)
    client = client_for(juror.user)
    response = client.post(
        reverse("backoffice:juror_declaration", kwargs={"slug": call.slug}),
        {
            "confirmed": "on",
            f"conflict_{conflicted.pk}": "on",
            f"reason_{conflicted.pk}": "Ich berate die Gemeinde.",
            f"reason_{free.pk}": "wird ignoriert",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:juror_reviews", kwargs={"slug": call.slug})
    juror.refresh_from_db()
    assert juror.conflicts_declared_at is not None
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.juror, conflict.proposal, conflict.source, conflict.reason) == (
        juror,
        conflicted,
        ConflictSource.DECLARED,
        "Ich berate die Gemeinde.",
    )
    page = page_text(client.get(reverse("backoffice:juror_reviews", kwargs={"slug": call.slug})))
    assert "OGL-F-2: Labor Frei" in page
    assert "OGL-F-1" not in page

    done = client.get(reverse("backoffice:juror_declaration", kwargs={"slug": call.slug}))
    assert "Sie haben Ihre Erklärung am" in page_text(done)
    assert "OGL-F-1: Labor Befangen" in page_text(done)
    before = snapshot()
    again = client.post(
        reverse("backoffice:juror_declaration", kwargs={"slug": call.slug}), {"confirmed": "on"}
    )
    assert again.status_code == 409
    assert (
        "Ihre Erklärung ist bereits abgeschlossen. Eine weitere Befangenheit erklären Sie auf der Seite des Gutachtens."
        in (page_text(again))
    )
    assert snapshot() == before


# --- my reviews ------------------------------------------------------------------------------------


def test_my_reviews_lists_states_and_never_a_conflicted_proposal() -> None:
    call = CallFactory()
    juror = seat(call)
    ReviewFactory(juror=juror, proposal=competing(call, reference="OGL-G-1"))
    ReviewFactory(juror=juror, proposal=competing(call, reference="OGL-G-2"), state=ReviewState.DRAFT)
    ReviewFactory(
        juror=juror,
        proposal=competing(call, reference="OGL-G-3"),
        state=ReviewState.SUBMITTED,
        submitted_at=NOW,
    )
    voided = ReviewFactory(juror=juror, proposal=competing(call, reference="OGL-G-4"))
    ConflictFactory(juror=juror, proposal=voided.proposal)
    ReviewFactory(juror=seat(call), proposal=competing(call, reference="OGL-G-5"))  # someone else's
    text = page_text(
        client_for(juror.user).get(reverse("backoffice:juror_reviews", kwargs={"slug": call.slug}))
    )
    assert "Ihnen sind 3 Interessenbekundungen zugewiesen; abgegeben: 1." in text
    assert "OGL-G-1: Offenes Havelland Gemeinde" in text
    assert text.index("OGL-G-1") < text.index("OGL-G-2") < text.index("OGL-G-3")
    assert "OGL-G-4" not in text and "OGL-G-5" not in text
    assert "offen" in text and "Entwurf" in text and "abgegeben 15.10.2019, 10:00 Uhr" in text


def test_my_reviews_runs_a_constant_number_of_queries(django_assert_num_queries: Any) -> None:
    def build(n: int) -> tuple[Client, str]:
        call = CallFactory()
        juror = seat(call)
        for _ in range(n):
            ReviewFactory(juror=juror, proposal=competing(call))
        return client_for(juror.user), reverse("backoffice:juror_reviews", kwargs={"slug": call.slug})

    small_client, small_url = build(2)
    large_client, large_url = build(8)
    small_client.get(small_url)
    large_client.get(large_url)
    with CaptureQueriesContext(connection) as queries:
        small_client.get(small_url)
    with django_assert_num_queries(len(queries)):
        large_client.get(large_url)


# --- the scoring form ----------------------------------------------------------------------------


def _scoring_setup() -> tuple[Any, Review, list[Any]]:
    call = CallFactory()
    criteria = [
        CriterionFactory(call=call, key="kooperation", name="Kooperation", description="Wer arbeitet mit?"),
        CriterionFactory(call=call, key="kosten", name="Kosten", scale_min=0, scale_max=20),
    ]
    proposal = _in_competition(submitted_proposal(call, name="Nauen"))
    review = ReviewFactory(juror=seat(call), proposal=proposal)
    return call, review, criteria


def test_the_review_page_shows_the_proposal_read_only_and_the_form() -> None:
    _call, review, criteria = _scoring_setup()
    response = client_for(review.juror.user).get(reverse("backoffice:juror_review", kwargs={"pk": review.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    text = page_text(response)
    assert "Ländlicher Raum westlich von Berlin." in text
    assert "Bürgerverein Nauen Kooperation entsteht für diesen Aufruf Zivilgesellschaft Beteiligung" in text
    assert "Beteiligungswerkstatt Beteiligte Personen 100" in text
    assert "Beantragte Mittel" in text and "40.000 €" in text
    assert html.count(f'name="score_{criteria[0].pk}"') == 11  # radio buttons 0–10
    assert f'type="number" name="score_{criteria[1].pk}"' in html  # 0–20: a number field
    assert "Wer arbeitet mit?" in text
    assert "Entwurf speichern" in text and "Abgeben" in text
    assert "Mit „Abgeben“ ist Ihr Gutachten endgültig" in text
    assert (
        "Die Bewertungen der anderen Jurymitglieder sehen Sie, sobald Sie Ihr eigenes Gutachten abgegeben"
        in text
    )
    # No staff information on the juror's page.
    assert "Verlauf (Audit-Protokoll)" not in text and "Formale Prüfung" not in text


def test_a_draft_is_saved_with_gaps() -> None:
    _call, review, criteria = _scoring_setup()
    client = client_for(review.juror.user)
    response = client.post(
        reverse("backoffice:juror_review", kwargs={"pk": review.pk}),
        {
            "action": "draft",
            f"score_{criteria[0].pk}": "7",
            f"comment_{criteria[1].pk}": "Noch offen.",
            "comment": "Erst.",
        },
    )
    assert response.status_code == 302
    assert flashed(response) == ["Ihr Entwurf ist gespeichert. Sie können ihn jederzeit weiter bearbeiten."]
    review.refresh_from_db()
    assert (review.state, review.comment) == (ReviewState.DRAFT, "Erst.")
    assert sorted(Score.objects.filter(review=review).values_list("criterion__key", "value", "comment")) == [
        ("kooperation", 7, ""),
        ("kosten", None, "Noch offen."),
    ]
    page = client.get(reverse("backoffice:juror_review", kwargs={"pk": review.pk})).content.decode()
    assert (
        f'name="score_{criteria[0].pk}" value="7" class="kern-form-check__radio" id="id_score_{criteria[0].pk}_7" checked'
        in page
    )


def test_submitting_needs_every_score_within_the_scale_and_the_confirmation() -> None:
    _call, review, criteria = _scoring_setup()
    client = client_for(review.juror.user)
    before = snapshot()
    response = client.post(
        reverse("backoffice:juror_review", kwargs={"pk": review.pk}),
        {"action": "submit", f"score_{criteria[1].pk}": "21"},
    )
    assert response.status_code == 400
    assert error_summary(response.content.decode()) == [
        "Punkte: Kooperation (0 bis 10): Bitte vergeben Sie Punkte für „Kooperation“.",
        "Punkte: Kosten (0 bis 20): Bitte geben Sie eine ganze Zahl von 0 bis 20 an.",
        "Ich gebe dieses Gutachten ab. Danach kann ich es nicht mehr ändern.: Bitte bestätigen Sie, dass Sie "
        "das Gutachten abgeben wollen.",
    ]
    assert snapshot() == before


def test_a_submitted_review_is_final_and_read_only() -> None:
    _call, review, criteria = _scoring_setup()
    client = client_for(review.juror.user)
    url = reverse("backoffice:juror_review", kwargs={"pk": review.pk})
    response = client.post(
        url,
        {
            "action": "submit",
            "confirmed": "on",
            f"score_{criteria[0].pk}": "8",
            f"score_{criteria[1].pk}": "15",
            f"comment_{criteria[0].pk}": "Breit aufgestellt.",
            "comment": "Überzeugend.",
        },
    )
    assert response.status_code == 302
    assert flashed(response) == [f"Ihr Gutachten zu {review.proposal.reference} ist abgegeben. Vielen Dank!"]
    review.refresh_from_db()
    assert review.state == ReviewState.SUBMITTED
    page = client.get(url)
    html, text = page.content.decode(), page_text(page)
    assert 'name="score_' not in html and "Entwurf speichern" not in text
    assert "Ihr Gutachten ist abgegeben und kann nicht mehr geändert werden." in text
    assert "Kooperation Gewicht 1, Skala 0–10 8 Breit aufgestellt." in text
    assert "Gewichtete Summe 23 von höchstens 30" in text
    assert "Es liegt noch kein weiteres abgegebenes Gutachten vor." in text
    before = snapshot()
    again = client.post(url, {"action": "draft", f"score_{criteria[0].pk}": "1"})
    assert again.status_code == 409
    assert snapshot() == before


def test_other_scores_stay_hidden_until_the_own_review_is_submitted() -> None:
    call, review, criteria = _scoring_setup()
    other = ReviewFactory(
        juror=seat(call),
        proposal=review.proposal,
        state=ReviewState.SUBMITTED,
        submitted_at=NOW,
        comment="GEHEIM-42",
    )
    ScoreFactory(review=other, criterion=criteria[0], value=3, comment="Zu dünn.")
    ScoreFactory(review=other, criterion=criteria[1], value=4)
    client = client_for(review.juror.user)
    url = reverse("backoffice:juror_review", kwargs={"pk": review.pk})
    blind = page_text(client.get(url))
    assert "GEHEIM-42" not in blind and "Zu dünn." not in blind
    assert "sehen Sie, sobald Sie Ihr eigenes Gutachten abgegeben haben" in blind
    client.post(
        url,
        {
            "action": "submit",
            "confirmed": "on",
            f"score_{criteria[0].pk}": "8",
            f"score_{criteria[1].pk}": "15",
        },
    )
    seeing = page_text(client.get(url))
    assert "Gutachten 1 Punkte je Kriterium im Gutachten 1" in seeing
    assert "Kooperation Gewicht 1, Skala 0–10 3 Zu dünn." in seeing
    assert "Gewichtete Summe 7 von höchstens 30" in seeing
    assert "GEHEIM-42" in seeing
    assert other.juror.user.email not in seeing  # the other juror stays anonymous


def test_without_the_blind_rule_other_scores_are_visible_at_once() -> None:
    call, review, criteria = _scoring_setup()
    ReviewSettings.objects.create(call=call, blind_until_submitted=False, updated_at=NOW)
    other = ReviewFactory(
        juror=seat(call),
        proposal=review.proposal,
        state=ReviewState.SUBMITTED,
        submitted_at=NOW,
        comment="OFFEN-7",
    )
    ScoreFactory(review=other, criterion=criteria[0], value=3)
    text = page_text(
        client_for(review.juror.user).get(reverse("backoffice:juror_review", kwargs={"pk": review.pk}))
    )
    assert "OFFEN-7" in text
    assert "Gutachten 1" in text


def test_a_conflict_found_while_reading_is_declared_and_hides_the_proposal() -> None:
    call, review, _criteria = _scoring_setup()
    client = client_for(review.juror.user)
    before = snapshot()
    empty = client.post(
        reverse("backoffice:juror_review_conflict", kwargs={"pk": review.pk}), {"conflict_reason": " "}
    )
    assert empty.status_code == 400
    assert error_summary(empty.content.decode()) == [
        "Grund der Befangenheit: Bitte nennen Sie kurz den Grund der Befangenheit."
    ]
    assert snapshot() == before
    response = client.post(
        reverse("backoffice:juror_review_conflict", kwargs={"pk": review.pk}),
        {"conflict_reason": "Meine Schwester leitet den Bürgerverein."},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:juror_reviews", kwargs={"slug": call.slug})
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.proposal, conflict.source, conflict.reason) == (
        review.proposal,
        ConflictSource.DECLARED,
        "Meine Schwester leitet den Bürgerverein.",
    )
    assert not Review.objects.filter(pk=review.pk).exists()  # an unsubmitted review is withdrawn
    assert client.get(reverse("backoffice:juror_review", kwargs={"pk": review.pk})).status_code == 404


def test_another_jurors_review_is_404_and_unchanged() -> None:
    call, review, criteria = _scoring_setup()
    intruder = seat(call)
    client = client_for(intruder.user)
    before = snapshot()
    url = reverse("backoffice:juror_review", kwargs={"pk": review.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "draft", f"score_{criteria[0].pk}": "1"}).status_code == 404
    assert snapshot() == before


# --- titles and headings -----------------------------------------------------------------------------


def test_every_jury_page_has_one_h1_and_a_title_of_its_own(staff_client: Client) -> None:
    call = CallFactory()
    ReviewSettings.objects.create(call=call, updated_at=NOW)
    criterion = CriterionFactory(call=call)
    proposal = competing(call)
    juror = seat(call)
    conflict = ConflictFactory(
        juror=seat(call), proposal=proposal, source=ConflictSource.DETECTED, rule="same_state"
    )
    review = ReviewFactory(juror=juror, proposal=proposal)
    staff_pages = [
        reverse(f"backoffice:{name}", kwargs={"slug": call.slug})
        for name in (
            "jury_settings",
            "jury_criteria",
            "jury_criterion_create",
            "jury_members",
            "jury_member_add",
            "jury_conflicts",
            "jury_assignment",
            "jury_progress",
            "jury_results",
        )
    ] + [
        reverse("backoffice:jury_criterion_edit", kwargs={"slug": call.slug, "pk": criterion.pk}),
        reverse("backoffice:jury_conflict_override", kwargs={"slug": call.slug, "pk": conflict.pk}),
    ]
    undeclared = seat(call, conflicts_declared_at=None)
    juror_pages = [
        (juror.user, reverse("backoffice:juror_home")),
        (juror.user, reverse("backoffice:juror_reviews", kwargs={"slug": call.slug})),
        (juror.user, reverse("backoffice:juror_declaration", kwargs={"slug": call.slug})),
        (undeclared.user, reverse("backoffice:juror_declaration", kwargs={"slug": call.slug})),
        (juror.user, reverse("backoffice:juror_review", kwargs={"pk": review.pk})),
    ]
    titles = []
    for url in staff_pages:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert len(h1s_of(html)) == 1, url
        titles.append(title_of(html))
    for user, url in juror_pages:
        response = client_for(user).get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert len(h1s_of(html)) == 1, url
        titles.append(title_of(html))
    assert len(set(titles)) == len(titles), titles
    assert all(title.endswith("– oglabs") for title in titles)


def test_staff_jury_pages_mark_the_jury_tab_and_their_own_sub_tab(staff_client: Client) -> None:
    call = CallFactory()
    html = staff_client.get(reverse("backoffice:jury_conflicts", kwargs={"slug": call.slug})).content.decode()
    jury_tab = reverse("backoffice:jury_settings", kwargs={"slug": call.slug})
    assert f'href="{jury_tab}" aria-current="true">Jury</a>' in html
    conflicts = reverse("backoffice:jury_conflicts", kwargs={"slug": call.slug})
    assert re.search(rf'href="{conflicts}"\s+aria-current="page">Befangenheiten</a>', html)


def test_juror_pages_show_the_jurors_own_navigation() -> None:
    call = CallFactory()
    juror = seat(call)
    html = (
        client_for(juror.user)
        .get(reverse("backoffice:juror_reviews", kwargs={"slug": call.slug}))
        .content.decode()
    )
    assert "Meine Gutachten</a>" in html and "Befangenheitserklärung</a>" in html
    assert reverse("backoffice:call_dashboard", kwargs={"slug": call.slug}) not in html
    assert reverse("backoffice:jury_settings", kwargs={"slug": call.slug}) not in html
