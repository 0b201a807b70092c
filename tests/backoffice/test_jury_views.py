"""The jury screens for staff: settings, criteria, jurors, conflicts, assignment, progress,
results. Only staff get in (jurors and applicants: 403, anonymous: login; nothing changes); form
errors are German; refusals of the services are shown as messages; list pages run a constant
number of queries."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oglabs.audit.models import AuditEvent
from oglabs.backoffice.views.jury import alpha_interpretation
from oglabs.mail.models import OutboxMail
from oglabs.reviews.models import (
    AssignmentSource,
    ConflictOfInterest,
    ConflictSource,
    Criterion,
    Juror,
    Review,
    ReviewSettings,
    ReviewState,
)
from tests.backoffice.jury_helpers import (
    client_for,
    competing,
    error_summary,
    flashed,
    page_text,
    role_client,
    seat,
    snapshot,
)
from tests.factories.accounts import JurorFactory, StaffFactory, UserFactory
from tests.factories.proposals import CallFactory, MunicipalityFactory
from tests.factories.reviews import ConflictFactory, CriterionFactory, ReviewFactory, ScoreFactory

pytestmark = pytest.mark.django_db


def _url(name: str, call: Any, **kwargs: Any) -> str:
    return reverse(f"backoffice:{name}", kwargs={"slug": call.slug, **kwargs})


def _staff_requests(call: Any) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every staff jury screen of ``call`` as (method, url, data): GET pages and POST actions."""
    proposal = competing(call)
    criterion = CriterionFactory(call=call)
    juror = seat(call)
    conflict = ConflictFactory(
        juror=seat(call), proposal=proposal, source=ConflictSource.DETECTED, rule="same_district"
    )
    review = ReviewFactory(juror=juror, proposal=proposal)
    settings = {
        "reviews_per_proposal": "1",
        "max_load": "1",
        "aggregation": "median",
        "normalise": "on",
    }
    return [
        ("get", _url("jury_settings", call), None),
        ("post", _url("jury_settings", call), settings),
        ("get", _url("jury_criteria", call), None),
        ("post", _url("jury_criteria_defaults", call), {}),
        ("get", _url("jury_criterion_create", call), None),
        (
            "post",
            _url("jury_criterion_create", call),
            {"key": "neu", "name": "Neu", "weight": "1", "scale_min": "0", "scale_max": "5"},
        ),
        ("get", _url("jury_criterion_edit", call, pk=criterion.pk), None),
        (
            "post",
            _url("jury_criterion_edit", call, pk=criterion.pk),
            {"key": "anders", "name": "Anders", "weight": "2", "scale_min": "0", "scale_max": "5"},
        ),
        ("post", _url("jury_criterion_delete", call, pk=criterion.pk), {}),
        ("get", _url("jury_members", call), None),
        ("get", _url("jury_member_add", call), None),
        (
            "post",
            _url("jury_member_add", call),
            {"action": "add", "user": JurorFactory().email, "organisation": "Deutscher Städtetag"},
        ),
        ("post", _url("jury_member_remove", call, pk=juror.pk), {}),
        ("get", _url("jury_conflicts", call), None),
        ("post", _url("jury_conflicts_detect", call), {}),
        ("get", _url("jury_conflict_override", call, pk=conflict.pk), None),
        ("post", _url("jury_conflict_override", call, pk=conflict.pk), {"reason": "Kein Bezug."}),
        ("get", _url("jury_assignment", call), None),
        ("post", _url("jury_assign", call), {}),
        ("post", _url("jury_review_add", call), {"proposal": proposal.pk, "juror": juror.pk}),
        ("post", _url("jury_review_remove", call, pk=review.pk), {}),
        ("get", _url("jury_progress", call), None),
        ("post", _url("jury_remind", call), {}),
        ("get", _url("jury_results", call), None),
    ]


def test_the_access_test_covers_every_staff_jury_route() -> None:
    from oglabs.backoffice import urls

    names = {p.name for p in urls.urlpatterns if p.name and p.name.startswith("jury_")}
    call = CallFactory()
    covered = set()
    for _method, url, _data in _staff_requests(call):
        from django.urls import resolve

        covered.add(resolve(url).url_name)
    assert covered == names


@pytest.mark.parametrize("role", ["juror", "seated_juror", "applicant"])
def test_jury_screens_refuse_jurors_and_applicants_and_change_nothing(role: str) -> None:
    call = CallFactory()
    requests = _staff_requests(call)
    client = client_for(seat(call).user) if role == "seated_juror" else role_client(role)
    before = snapshot()
    for method, url, data in requests:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        assert response.status_code == 403, (method, url)
    assert snapshot() == before


def test_jury_screens_send_anonymous_to_login_and_change_nothing(client: Client) -> None:
    call = CallFactory()
    requests = _staff_requests(call)
    before = snapshot()
    for method, url, data in requests:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("account_login")), url
    assert snapshot() == before


def test_jury_screens_of_an_unknown_call_are_404(staff_client: Client) -> None:
    for name in ("jury_settings", "jury_criteria", "jury_members", "jury_conflicts", "jury_assignment"):
        assert (
            staff_client.get(reverse(f"backoffice:{name}", kwargs={"slug": "gibt-es-nicht"})).status_code
            == 404
        )


def test_actions_accept_only_post(staff_client: Client) -> None:
    call = CallFactory()
    for name in (
        "jury_criteria_defaults",
        "jury_conflicts_detect",
        "jury_assign",
        "jury_review_add",
        "jury_remind",
    ):
        assert staff_client.get(_url(name, call)).status_code == 405, name


# --- settings ------------------------------------------------------------------------------------


def test_settings_page_shows_the_defaults(staff_client: Client) -> None:
    call = CallFactory()
    response = staff_client.get(_url("jury_settings", call))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="reviews_per_proposal" value="3"' in html
    assert 'name="max_load" value="12"' in html
    assert 'value="mean" class="kern-form-check__radio" id="id_aggregation_0" required checked' in html


def test_settings_are_saved_with_one_audit_event(staff_client: Client) -> None:
    call = CallFactory()
    events = AuditEvent.objects.count()
    response = staff_client.post(
        _url("jury_settings", call),
        {
            "reviews_per_proposal": "2",
            "max_load": "8",
            "aggregation": "median",
            "normalise": "on",
            "conflict_same_state": "on",
        },
    )
    assert response.status_code == 302
    assert flashed(response) == ["Die Einstellungen der Begutachtung sind gespeichert."]
    saved = ReviewSettings.objects.get(call=call)
    assert (saved.reviews_per_proposal, saved.max_load, saved.aggregation) == (2, 8, "median")
    assert (saved.blind_until_submitted, saved.normalise) == (False, True)
    assert (saved.conflict_same_district, saved.conflict_same_organisation, saved.conflict_same_state) == (
        False,
        False,
        True,
    )
    assert AuditEvent.objects.count() == events + 1


def test_invalid_settings_show_german_errors_and_change_nothing(staff_client: Client) -> None:
    call = CallFactory()
    before = snapshot()
    response = staff_client.post(
        _url("jury_settings", call), {"reviews_per_proposal": "0", "max_load": "", "aggregation": "modus"}
    )
    assert response.status_code == 400
    assert error_summary(response.content.decode()) == [
        "Gutachten je Interessenbekundung: Jede Interessenbekundung braucht mindestens ein Gutachten.",
        "Höchstzahl Gutachten je Jurymitglied: Bitte geben Sie die Höchstzahl der Gutachten je Jurymitglied an.",
        "Zusammenfassung je Interessenbekundung: Bitte wählen Sie Mittelwert oder Median.",
    ]
    assert snapshot() == before


# --- criteria ------------------------------------------------------------------------------------


def test_default_criteria_are_created_once(staff_client: Client) -> None:
    call = CallFactory()
    page = staff_client.get(_url("jury_criteria", call))
    assert "Für diesen Aufruf sind noch keine Kriterien angelegt." in page_text(page)
    assert "Standardkriterien anlegen" in page_text(page)
    response = staff_client.post(_url("jury_criteria_defaults", call))
    assert response.status_code == 302
    assert flashed(response) == ["Die Standardkriterien sind angelegt. Sie können sie jetzt anpassen."]
    assert list(Criterion.objects.filter(call=call).order_by("position").values_list("key", flat=True)) == [
        "zusammenarbeit",
        "laboraufgaben",
        "regionalbezug",
        "zivilgesellschaft",
        "uebertragbarkeit",
        "wirtschaftlichkeit",
    ]
    page = staff_client.get(_url("jury_criteria", call))
    text = page_text(page)
    assert "Qualität der Zusammenarbeit von Verwaltung, Politik und Zivilgesellschaft" in text
    assert "Summe der Gewichte 100 höchstens 1000 Punkte je Gutachten" in text
    assert "Standardkriterien anlegen" not in text

    before = snapshot()
    again = staff_client.post(_url("jury_criteria_defaults", call))
    assert flashed(again) == [
        "Für diesen Aufruf sind bereits Kriterien angelegt. Die Standardkriterien werden nur für einen "
        "Aufruf ohne Kriterien übernommen."
    ]
    assert snapshot() == before


def test_a_criterion_is_added_with_a_german_decimal_weight(staff_client: Client) -> None:
    call = CallFactory()
    assert staff_client.get(_url("jury_criterion_create", call)).status_code == 200
    response = staff_client.post(
        _url("jury_criterion_create", call),
        {
            "key": "offenheit",
            "name": "Offenheit",
            "description": "Wie offen ist das Labor?",
            "weight": "1,5",
            "scale_min": "1",
            "scale_max": "5",
            "min_score": "2,5",
        },
    )
    assert response.status_code == 302
    assert flashed(response) == ["Das Kriterium „Offenheit“ ist gespeichert."]
    criterion = Criterion.objects.get(call=call)
    assert (
        criterion.key,
        criterion.weight,
        criterion.scale_min,
        criterion.scale_max,
        criterion.min_score,
    ) == (
        "offenheit",
        Decimal("1.50"),
        1,
        5,
        Decimal("2.50"),
    )


def test_invalid_criterion_shows_german_errors_and_changes_nothing(staff_client: Client) -> None:
    call = CallFactory()
    CriterionFactory(call=call, key="offenheit")
    before = snapshot()
    response = staff_client.post(
        _url("jury_criterion_create", call),
        {"key": "mit leerzeichen", "name": "", "weight": "0", "scale_min": "5", "scale_max": "5"},
    )
    assert response.status_code == 400
    assert error_summary(response.content.decode()) == [
        "Schlüssel: Der Schlüssel darf nur Buchstaben, Ziffern, Bindestriche und Unterstriche enthalten.",
        "Bezeichnung: Bitte geben Sie eine Bezeichnung an.",
        "Gewicht: Das Gewicht muss größer als 0 sein.",
        "Skala bis: „Skala bis“ muss größer sein als „Skala von“.",
    ]
    duplicate = staff_client.post(
        _url("jury_criterion_create", call),
        {"key": "offenheit", "name": "Noch einmal", "weight": "1", "scale_min": "0", "scale_max": "10"},
    )
    assert duplicate.status_code == 400
    assert error_summary(duplicate.content.decode()) == [
        "Schlüssel: Der Schlüssel „offenheit“ ist in diesem Aufruf bereits vergeben."
    ]
    assert snapshot() == before


def test_a_criterion_is_edited_and_deleted(staff_client: Client) -> None:
    call = CallFactory()
    criterion = CriterionFactory(call=call, key="alt", name="Alt", weight=Decimal("2.00"))
    page = staff_client.get(_url("jury_criterion_edit", call, pk=criterion.pk))
    assert 'name="key" value="alt"' in page.content.decode()
    response = staff_client.post(
        _url("jury_criterion_edit", call, pk=criterion.pk),
        {"key": "neu", "name": "Neu", "weight": "3", "scale_min": "0", "scale_max": "10"},
    )
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert (criterion.key, criterion.name, criterion.weight) == ("neu", "Neu", Decimal("3.00"))
    response = staff_client.post(_url("jury_criterion_delete", call, pk=criterion.pk))
    assert flashed(response) == ["Das Kriterium „Neu“ ist gelöscht."]
    assert not Criterion.objects.filter(call=call).exists()


def test_a_criterion_of_another_call_is_404(staff_client: Client) -> None:
    call, other = CallFactory(), CallFactory()
    criterion = CriterionFactory(call=other)
    before = snapshot()
    assert staff_client.get(_url("jury_criterion_edit", call, pk=criterion.pk)).status_code == 404
    assert staff_client.post(_url("jury_criterion_delete", call, pk=criterion.pk)).status_code == 404
    assert snapshot() == before


def test_criteria_are_locked_once_a_score_exists(staff_client: Client) -> None:
    call = CallFactory()
    criterion = CriterionFactory(call=call, name="Fest")
    ScoreFactory(review=ReviewFactory(juror=seat(call), proposal=competing(call)), criterion=criterion)
    page = staff_client.get(_url("jury_criteria", call))
    text = page_text(page)
    assert "Die Kriterien können nicht mehr geändert werden" in text
    assert _url("jury_criterion_edit", call, pk=criterion.pk) not in page.content.decode()
    before = snapshot()
    response = staff_client.post(
        _url("jury_criterion_edit", call, pk=criterion.pk),
        {"key": "fest", "name": "Anders", "weight": "1", "scale_min": "0", "scale_max": "10"},
    )
    assert response.status_code == 409
    assert error_summary(response.content.decode()) == [
        "Die Kriterien können nicht mehr geändert werden, weil bereits Bewertungen vorliegen. Sonst würden "
        "Gutachten nach unterschiedlichen Maßstäben verglichen."
    ]
    deleted = staff_client.post(_url("jury_criterion_delete", call, pk=criterion.pk))
    assert flashed(deleted) == [
        "Die Kriterien können nicht mehr geändert werden, weil bereits Bewertungen vorliegen. Sonst würden "
        "Gutachten nach unterschiedlichen Maßstäben verglichen."
    ]
    assert snapshot() == before


# --- jurors --------------------------------------------------------------------------------------


def test_a_juror_is_added_with_a_home_found_by_search(staff_client: Client) -> None:
    call = CallFactory()
    home = MunicipalityFactory(name="Falkensee", search_name="falkensee")
    user = JurorFactory(email="jurorin@example.org")
    search = staff_client.post(
        _url("jury_member_add", call),
        {"action": "search", "q": "Falkensee", "user": "JURORIN@example.org", "organisation": "DStGB"},
    )
    assert search.status_code == 200
    html = search.content.decode()
    assert f'value="{home.ars}"' in html
    assert "Falkensee (Gemeinde, Havelland, Brandenburg) – AGS" in page_text(search)
    assert 'value="JURORIN@example.org"' in html
    assert not Juror.objects.exists()

    response = staff_client.post(
        _url("jury_member_add", call),
        {
            "action": "add",
            "q": "Falkensee",
            "user": "JURORIN@example.org",
            "organisation": " Deutscher Städte- und Gemeindebund ",
            "home_municipality": home.ars,
            "home_state": "",
            "expertise": "Beteiligung, Digitalisierung",
        },
    )
    assert response.status_code == 302
    assert flashed(response) == ["jurorin@example.org gehört jetzt zur Jury dieses Aufrufs."]
    juror = Juror.objects.get(call=call)
    assert (juror.user, juror.organisation, juror.home_municipality, juror.expertise) == (
        user,
        "Deutscher Städte- und Gemeindebund",
        home,
        "Beteiligung, Digitalisierung",
    )
    assert juror.conflicts_declared_at is None
    page = page_text(staff_client.get(_url("jury_members", call)))
    assert "jurorin@example.org Deutscher Städte- und Gemeindebund Falkensee" in page
    assert "noch nicht abgegeben" in page


def test_a_juror_needs_the_juror_role_and_an_organisation(staff_client: Client) -> None:
    call = CallFactory()
    applicant = UserFactory()
    before = snapshot()
    response = staff_client.post(
        _url("jury_member_add", call), {"action": "add", "user": applicant.email, "organisation": ""}
    )
    assert response.status_code == 400
    assert error_summary(response.content.decode()) == [
        "E-Mail-Adresse des Jurymitglieds: Zu dieser E-Mail-Adresse gibt es kein aktives Konto mit der Rolle "
        "„Jury“. Bitte vergeben Sie zuerst die Rolle.",
        "Organisation: Bitte geben Sie die Organisation des Jurymitglieds an.",
    ]
    assert snapshot() == before


def test_a_juror_is_not_added_twice(staff_client: Client) -> None:
    call = CallFactory()
    existing = seat(call)
    before = snapshot()
    response = staff_client.post(
        _url("jury_member_add", call),
        {"action": "add", "user": existing.user.email, "organisation": "Deutscher Landkreistag"},
    )
    assert response.status_code == 409
    assert error_summary(response.content.decode()) == [
        "E-Mail-Adresse des Jurymitglieds: Diese Person gehört bereits zur Jury dieses Aufrufs."
    ]
    assert snapshot() == before


def test_a_juror_is_removed_unless_they_submitted_a_review(staff_client: Client) -> None:
    call = CallFactory()
    idle = seat(call)
    busy = seat(call)
    ReviewFactory(
        juror=busy, proposal=competing(call), state=ReviewState.SUBMITTED, submitted_at=busy.added_at
    )
    response = staff_client.post(_url("jury_member_remove", call, pk=idle.pk))
    assert flashed(response) == [f"{idle.user.email} gehört nicht mehr zur Jury dieses Aufrufs."]
    assert not Juror.objects.filter(pk=idle.pk).exists()
    before = snapshot()
    refused = staff_client.post(_url("jury_member_remove", call, pk=busy.pk))
    assert flashed(refused) == [
        "Dieses Jurymitglied hat bereits ein Gutachten abgegeben und kann deshalb nicht mehr aus der Jury "
        "entfernt werden."
    ]
    assert snapshot() == before


# --- conflicts -----------------------------------------------------------------------------------


def test_conflicts_page_lists_declared_and_detected_conflicts_and_the_undeclared(
    staff_client: Client,
) -> None:
    call = CallFactory()
    proposal = competing(
        call,
        reference="OGL-2019-0001",
        title="Labor im Havelland",
        lead_municipality=MunicipalityFactory(name="Nauen"),
    )
    declared = ConflictFactory(juror=seat(call), proposal=proposal, reason="Ich wohne dort.")
    detected = ConflictFactory(
        juror=seat(call), proposal=proposal, source=ConflictSource.DETECTED, rule="same_district", reason=""
    )
    waiting = seat(call, conflicts_declared_at=None)
    response = staff_client.get(_url("jury_conflicts", call))
    text = page_text(response)
    assert "1 Jurymitglied hat seine Befangenheiten noch nicht erklärt: " + waiting.user.email in text
    assert "2 Befangenheiten in Kraft" in text
    assert (
        f"OGL-2019-0001: Labor im Havelland Nauen {declared.juror.user.email} selbst erklärt Ich wohne dort. "
        "in Kraft" in text
    )
    assert (
        f"OGL-2019-0001: Labor im Havelland Nauen {detected.juror.user.email} automatisch erkannt "
        "Regel: gleicher Landkreis – in Kraft Aufheben …" in text
    )
    html = response.content.decode()
    assert _url("jury_conflict_override", call, pk=detected.pk) in html
    assert _url("jury_conflict_override", call, pk=declared.pk) not in html


def test_detecting_conflicts_reports_the_number_found(staff_client: Client) -> None:
    call = CallFactory()
    home = MunicipalityFactory()
    proposal = competing(call, lead_municipality=home)
    juror = seat(call, home_municipality=home)
    response = staff_client.post(_url("jury_conflicts_detect", call))
    assert flashed(response) == ["1 neue Befangenheit erkannt."]
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.juror, conflict.proposal, conflict.source, conflict.rule) == (
        juror,
        proposal,
        ConflictSource.DETECTED,
        "same_municipality",
    )
    again = staff_client.post(_url("jury_conflicts_detect", call))
    assert flashed(again) == ["0 neue Befangenheiten erkannt."]


def test_a_detected_conflict_is_overridden_only_with_a_written_reason(
    staff_client: Client, staff_user: Any
) -> None:
    call = CallFactory()
    conflict = ConflictFactory(
        juror=seat(call),
        proposal=competing(call),
        source=ConflictSource.DETECTED,
        rule="same_state",
        reason="",
    )
    page = staff_client.get(_url("jury_conflict_override", call, pk=conflict.pk))
    assert page.status_code == 200
    assert "automatisch erkannt – gleiches Land" in page_text(page)
    before = snapshot()
    empty = staff_client.post(_url("jury_conflict_override", call, pk=conflict.pk), {"reason": "   "})
    assert empty.status_code == 400
    assert error_summary(empty.content.decode()) == [
        "Begründung der Aufhebung: Bitte begründen Sie schriftlich, warum die automatisch erkannte "
        "Befangenheit nicht besteht."
    ]
    assert snapshot() == before
    response = staff_client.post(
        _url("jury_conflict_override", call, pk=conflict.pk), {"reason": "Anderer Landesteil, kein Bezug."}
    )
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert (conflict.overridden_by, conflict.override_reason) == (
        staff_user,
        "Anderer Landesteil, kein Bezug.",
    )
    assert AuditEvent.objects.count() == before["events"] + 1
    text = page_text(staff_client.get(_url("jury_conflicts", call)))
    assert "aufgehoben" in text and "Anderer Landesteil, kein Bezug." in text


def test_a_declared_conflict_cannot_be_overridden(staff_client: Client) -> None:
    call = CallFactory()
    conflict = ConflictFactory(juror=seat(call), proposal=competing(call))
    page = staff_client.get(_url("jury_conflict_override", call, pk=conflict.pk))
    assert "Eine selbst erklärte Befangenheit kann nicht aufgehoben werden." in page_text(page)
    assert 'name="reason"' not in page.content.decode()
    before = snapshot()
    response = staff_client.post(_url("jury_conflict_override", call, pk=conflict.pk), {"reason": "Doch."})
    assert response.status_code == 409
    assert error_summary(response.content.decode()) == [
        "Eine selbst erklärte Befangenheit kann nicht aufgehoben werden: Nur das Jurymitglied selbst weiß, "
        "ob sie besteht."
    ]
    assert snapshot() == before


# --- assignment ----------------------------------------------------------------------------------


def _settings(call: Any, **values: Any) -> None:
    ReviewSettings.objects.update_or_create(call=call, defaults={"updated_at": call.created_at, **values})


def test_automatic_assignment_places_every_review(staff_client: Client) -> None:
    call = CallFactory()
    _settings(call, reviews_per_proposal=2, max_load=2)
    proposals = [competing(call, reference=f"OGL-A-{n}") for n in range(3)]
    jurors = [seat(call) for _ in range(3)]
    response = staff_client.post(_url("jury_assign", call))
    assert response.status_code == 302
    assert flashed(response) == ["6 Gutachten sind neu zugewiesen."]
    assert Review.objects.filter(proposal__in=proposals, source=AssignmentSource.AUTOMATIC).count() == 6
    assert sorted(Review.objects.values_list("juror_id", flat=True)) == sorted([j.pk for j in jurors] * 2)
    page = staff_client.get(_url("jury_assignment", call))
    text = page_text(page)
    assert "Es fehlen noch 0 Gutachten." in text
    assert text.count("Nähe 0 von 1000 · automatisch · offen") == 6


def test_an_impossible_assignment_is_explained_and_changes_nothing(staff_client: Client) -> None:
    call = CallFactory()
    competing(call, reference="OGL-B-1")
    seat(call)
    before = snapshot()
    response = staff_client.post(_url("jury_assign", call))
    assert response.status_code == 409
    text = page_text(response)
    assert "Die Zuweisung ist so nicht möglich" in text
    assert "OGL-B-1" in text
    assert "Es wurde nichts zugewiesen." in text
    assert snapshot() == before


def test_a_juror_is_added_by_hand_and_refusals_are_messages(staff_client: Client) -> None:
    call = CallFactory()
    proposal = competing(call, reference="OGL-C-1")
    juror = seat(call)
    conflicted = seat(call)
    ConflictFactory(juror=conflicted, proposal=proposal)
    page = staff_client.get(_url("jury_assignment", call))
    assert (
        f'<option value="{juror.pk}">{juror.user.email} (Deutscher Landkreistag)</option>'
        in page.content.decode()
    )
    response = staff_client.post(_url("jury_review_add", call), {"proposal": proposal.pk, "juror": juror.pk})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#proposal-{proposal.pk}")
    assert flashed(response) == [f"{juror.user.email} begutachtet jetzt OGL-C-1."]
    review = Review.objects.get()
    assert (review.juror, review.proposal, review.source) == (juror, proposal, AssignmentSource.MANUAL)
    before = snapshot()
    refused = staff_client.post(
        _url("jury_review_add", call), {"proposal": proposal.pk, "juror": conflicted.pk}
    )
    assert flashed(refused) == [
        "Dieses Jurymitglied ist bei der Interessenbekundung OGL-C-1 befangen und darf sie nicht begutachten."
    ]
    missing = staff_client.post(_url("jury_review_add", call), {"proposal": proposal.pk, "juror": ""})
    assert flashed(missing) == ["Bitte wählen Sie ein Jurymitglied."]
    assert snapshot() == before


def test_a_review_is_removed_by_hand(staff_client: Client) -> None:
    call = CallFactory()
    review = ReviewFactory(juror=seat(call), proposal=competing(call, reference="OGL-D-1"))
    response = staff_client.post(_url("jury_review_remove", call, pk=review.pk))
    assert flashed(response) == [f"{review.juror.user.email} begutachtet OGL-D-1 nicht mehr."]
    assert not Review.objects.exists()


def test_a_review_of_another_call_is_404(staff_client: Client) -> None:
    call, other = CallFactory(), CallFactory()
    review = ReviewFactory(juror=seat(other), proposal=competing(other))
    before = snapshot()
    assert staff_client.post(_url("jury_review_remove", call, pk=review.pk)).status_code == 404
    assert snapshot() == before


# --- progress ------------------------------------------------------------------------------------


def test_progress_shows_a_bar_with_its_numbers_and_reminders_are_sent(staff_client: Client) -> None:
    call = CallFactory()
    juror = seat(call)
    proposals = [competing(call) for _ in range(3)]
    ReviewFactory(
        juror=juror, proposal=proposals[0], state=ReviewState.SUBMITTED, submitted_at=juror.added_at
    )
    ReviewFactory(juror=juror, proposal=proposals[1], state=ReviewState.DRAFT)
    ReviewFactory(juror=juror, proposal=proposals[2])
    response = staff_client.get(_url("jury_progress", call))
    html = response.content.decode()
    assert re.search(r'max="3"\s+value="1">33 %</progress>', html)
    text = page_text(response)
    assert "1 von 3 Gutachten abgegeben (33 %). Im Entwurf: 1, noch nicht begonnen: 1." in text
    assert f"{juror.user.email} Deutscher Landkreistag abgegeben 3 1 1 1" in text
    mails = OutboxMail.objects.count()
    reminded = staff_client.post(_url("jury_remind", call))
    assert flashed(reminded) == ["1 Erinnerung ist in den Postausgang gestellt."]
    assert OutboxMail.objects.count() == mails + 1


def test_no_reminder_when_nothing_is_open(staff_client: Client) -> None:
    call = CallFactory()
    juror = seat(call)
    ReviewFactory(
        juror=juror, proposal=competing(call), state=ReviewState.SUBMITTED, submitted_at=juror.added_at
    )
    before = snapshot()
    response = staff_client.post(_url("jury_remind", call))
    assert flashed(response) == ["Es gibt keine offenen Gutachten; niemand muss erinnert werden."]
    assert snapshot() == before


# --- results -------------------------------------------------------------------------------------


def _submitted(juror: Juror, proposal: Any, points: dict[Criterion, int]) -> Review:
    review = ReviewFactory(
        juror=juror, proposal=proposal, state=ReviewState.SUBMITTED, submitted_at=juror.added_at
    )
    for criterion, value in points.items():
        ScoreFactory(review=review, criterion=criterion, value=value)
    return review


def test_results_show_means_score_count_and_agreement(staff_client: Client) -> None:
    call = CallFactory()
    _settings(call, reviews_per_proposal=2)
    quality = CriterionFactory(call=call, name="Qualität", weight=Decimal("2.00"), min_score=Decimal("5.00"))
    cost = CriterionFactory(call=call, name="Kosten", weight=Decimal("1.00"))
    first = competing(call, reference="OGL-R-1", title="Erstes Labor")
    second = competing(call, reference="OGL-R-2", title="Zweites Labor")
    anna, bert = seat(call), seat(call)
    _submitted(anna, first, {quality: 8, cost: 6})  # 22
    _submitted(bert, first, {quality: 9, cost: 7})  # 25
    _submitted(anna, second, {quality: 3, cost: 4})  # 10
    _submitted(bert, second, {quality: 4, cost: 2})  # 10
    response = staff_client.get(_url("jury_results", call))
    assert response.status_code == 200
    text = page_text(response)
    assert "Vorläufig: Noch nicht alle Gutachten sind abgegeben." not in text
    assert "der Mittelwert der abgegebenen Gutachten" in text
    assert "nein: Die Summen zählen, wie sie vergeben wurden." in text
    assert "Höchstmögliche Summe je Gutachten 30" in text
    assert "OGL-R-1: Erstes Labor 8,50 6,50 23,50 2 von 2 erfüllt" in text
    assert "OGL-R-2: Zweites Labor 3,50 3,00 10,00 2 von 2 nicht erfüllt: Qualität" in text
    alpha = response.context["results"].alpha
    assert alpha is not None
    assert f"{alpha:.3f}".replace(".", ",") in text
    assert alpha_interpretation(alpha) in text


def test_results_before_any_review_are_marked_provisional(staff_client: Client) -> None:
    call = CallFactory()
    CriterionFactory(call=call)
    competing(call, reference="OGL-S-1", title="Labor")
    text = page_text(staff_client.get(_url("jury_results", call)))
    assert "Vorläufig: Noch nicht alle Gutachten sind abgegeben." in text
    assert "OGL-S-1: Labor – noch keine 0 von 0 –" in text
    assert "Noch nicht berechenbar" in text


@pytest.mark.parametrize(
    ("alpha", "start"),
    [
        (Decimal("0.8"), "Gute Übereinstimmung"),
        (Decimal("0.95"), "Gute Übereinstimmung"),
        (Decimal("0.7999"), "Vorläufig tragfähige Übereinstimmung"),
        (Decimal("0.667"), "Vorläufig tragfähige Übereinstimmung"),
        (Decimal("0.6669"), "Geringe Übereinstimmung"),
        (Decimal("-0.2"), "Geringe Übereinstimmung"),
        (None, "Noch nicht berechenbar"),
    ],
)
def test_alpha_is_interpreted_in_plain_german(alpha: Decimal | None, start: str) -> None:
    assert alpha_interpretation(alpha).startswith(start)


# --- constant queries on the list pages ------------------------------------------------------------


def _populate(call: Any, n: int) -> None:
    criteria = [CriterionFactory(call=call) for _ in range(n)]
    jurors = [seat(call, home_municipality=MunicipalityFactory()) for _ in range(n)]
    for i in range(n):
        proposal = competing(call)
        ConflictFactory(
            juror=jurors[i], proposal=proposal, source=ConflictSource.DETECTED, rule="same_district"
        )
        overridden = ConflictFactory(juror=jurors[(i + 1) % n], proposal=proposal)
        ConflictOfInterest.objects.filter(pk=overridden.pk).update(
            source=ConflictSource.DETECTED,
            overridden_at=call.created_at,
            overridden_by=StaffFactory(),
            override_reason="x",
        )
        review = _submitted(jurors[(i + 1) % n], proposal, dict.fromkeys(criteria, 5))
        ReviewFactory(juror=jurors[(i + 2) % n], proposal=proposal, state=ReviewState.DRAFT)
        assert review.pk


@pytest.mark.parametrize(
    "name",
    ["jury_criteria", "jury_members", "jury_conflicts", "jury_assignment", "jury_progress", "jury_results"],
)
def test_list_pages_run_a_constant_number_of_queries(
    staff_client: Client, name: str, django_assert_num_queries: Any
) -> None:
    small, large = CallFactory(), CallFactory()
    _populate(small, 3)
    _populate(large, 9)
    staff_client.get(_url(name, small))  # warm up session and caches
    with CaptureQueriesContext(connection) as queries:
        assert staff_client.get(_url(name, small)).status_code == 200
    with django_assert_num_queries(len(queries)):
        assert staff_client.get(_url(name, large)).status_code == 200
