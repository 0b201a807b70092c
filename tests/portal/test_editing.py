"""The multi-step proposal form: access, saving through the service, conflicts, errors, the deadline,
what is still missing, autosave, and the query count."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oglabs.accounts.models import User
from oglabs.audit.models import AuditEvent
from oglabs.proposals import services
from oglabs.proposals.models import BudgetLine, LabTask, Partner, Proposal, ProposalVersion
from oglabs.proposals.states import ProposalState
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.proposals import CallFactory, MunicipalityFactory
from tests.portal.conftest import client_for, open_draft, reopen

pytestmark = pytest.mark.django_db

STEPS = ("allgemeines", "kommunen", "partner", "aufgaben", "mittelbedarf", "uebersicht")


def step_url(proposal: Proposal, step: str) -> str:
    return reverse("portal:proposal_edit_step", kwargs={"pk": proposal.pk, "step": step})


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def empty_draft(user: User | None = None) -> tuple[Proposal, User]:
    """A fresh draft in a call open now: only a title and a lead municipality."""
    user = user or UserFactory()
    call = reopen(CallFactory())
    proposal = services.start_proposal(
        call=call,
        actor=user,
        title="Offenes Havelland",
        lead_municipality=MunicipalityFactory(name="Falkensee", ars="120630080080"),
        now=timezone.now(),
    )
    return proposal, user


def general_data(proposal: Proposal, **overrides: Any) -> dict[str, Any]:
    data = {
        "expected_version": str(proposal.lock_version),
        "title": "Offenes Havelland",
        "region": "Westlich von Berlin.",
        "challenges": ["strukturwandel"],
        "lab_form": "both",
        "moderation": "Neutrale Moderation.",
        "own_contribution": "12.500,25",
        "state_contribution": "5000.50",
        "save": "1",
    }
    data.update(overrides)
    return data


def snapshot(proposal: Proposal) -> tuple[Any, ...]:
    """Everything the form can change, to assert that a refused save changed nothing."""
    fresh = Proposal.objects.get(pk=proposal.pk)
    return (
        fresh.lock_version,
        fresh.title,
        fresh.region,
        fresh.lab_form,
        fresh.moderation,
        fresh.own_contribution,
        fresh.state_contribution,
        sorted(fresh.challenges.values_list("key", flat=True)),
        fresh.lead_municipality_id,
        sorted(fresh.further_municipalities.values_list("municipality_id", flat=True)),
        list(fresh.partners.order_by("position").values_list("pk", "kind", "name", "contact_email")),
        list(fresh.tasks.order_by("position").values_list("title", "due_on")),
        list(fresh.budget_lines.order_by("year", "category").values_list("year", "category", "amount")),
    )


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- access ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("step", STEPS)
def test_step_get_member_is_200(step: str) -> None:
    proposal, user = open_draft()
    response = signed_in(user).get(step_url(proposal, step))
    assert response.status_code == 200
    assert 'aria-current="step"' in response.content.decode()


@pytest.mark.parametrize("step", STEPS)
def test_step_get_non_member_is_404(step: str) -> None:
    proposal, _user = open_draft()
    response = signed_in(UserFactory()).get(step_url(proposal, step))
    assert response.status_code == 404


@pytest.mark.parametrize("step", STEPS)
def test_step_get_other_consortium_by_url_is_404(step: str) -> None:
    proposal, _owner = open_draft()
    _own, stranger = open_draft()
    response = signed_in(stranger).get(step_url(proposal, step))
    assert response.status_code == 404


def test_step_get_staff_is_404() -> None:
    proposal, _user = open_draft()
    before = snapshot(proposal)
    client = client_for(StaffFactory())
    assert client.get(step_url(proposal, "allgemeines")).status_code == 404
    assert client.post(step_url(proposal, "allgemeines"), general_data(proposal)).status_code == 404
    assert snapshot(proposal) == before


def test_step_get_anonymous_redirects_to_login() -> None:
    proposal, _user = open_draft()
    response = Client().get(step_url(proposal, "allgemeines"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_step_unknown_is_404() -> None:
    proposal, user = open_draft()
    assert signed_in(user).get(step_url(proposal, "geheim")).status_code == 404


def test_step_post_other_consortium_is_404_and_changes_nothing() -> None:
    proposal, _owner = open_draft()
    _own, stranger = open_draft()
    before = snapshot(proposal)
    response = signed_in(stranger).post(
        step_url(proposal, "allgemeines"), general_data(proposal, title="Fremd")
    )
    assert response.status_code == 404
    assert snapshot(proposal) == before


def test_edit_redirects_to_first_step() -> None:
    proposal, user = open_draft()
    response = signed_in(user).get(reverse("portal:proposal_edit", kwargs={"pk": proposal.pk}))
    assert response.status_code == 302
    assert response["Location"] == step_url(proposal, "allgemeines")


# --- saving ------------------------------------------------------------------------------------------


def test_general_post_saves_german_amounts_as_decimal() -> None:
    proposal, user = empty_draft()
    response = signed_in(user).post(step_url(proposal, "allgemeines"), general_data(proposal, next="1"))
    assert response.status_code == 302
    assert response["Location"] == step_url(proposal, "kommunen")
    fresh = Proposal.objects.get(pk=proposal.pk)
    assert fresh.lock_version == 1
    assert fresh.region == "Westlich von Berlin."
    assert fresh.lab_form == "both"
    assert fresh.moderation == "Neutrale Moderation."
    assert fresh.own_contribution == Decimal("12500.25")
    assert fresh.state_contribution == Decimal("5000.50")
    assert list(fresh.challenges.values_list("key", flat=True)) == ["strukturwandel"]
    assert AuditEvent.objects.filter(action="proposal.edited").count() == 1


def test_general_post_save_stays_on_step() -> None:
    proposal, user = empty_draft()
    response = signed_in(user).post(step_url(proposal, "allgemeines"), general_data(proposal))
    assert response["Location"] == step_url(proposal, "allgemeines")


def test_budget_post_saves_table_with_german_input() -> None:
    proposal, user = empty_draft()
    data = {
        "expected_version": str(proposal.lock_version),
        "amount_2020_staff": "12.500,25",
        "amount_2021_staff": "12500.25",
        "amount_2022_events": "1.000",
        "amount_2020_travel": "",
        "save": "1",
    }
    response = signed_in(user).post(step_url(proposal, "mittelbedarf"), data)
    assert response.status_code == 302
    lines = list(BudgetLine.objects.filter(proposal=proposal).order_by("year", "category"))
    assert [(line.year, line.category, line.amount) for line in lines] == [
        (2020, "staff", Decimal("12500.25")),
        (2021, "staff", Decimal("12500.25")),
        (2022, "events", Decimal("1000.00")),
    ]


def test_budget_get_shows_totals_computed_on_server() -> None:
    proposal, user = open_draft()  # 40.000 + 40.000 + 12.500,25; own 10.000, Land 5.000,50
    page = text_of(signed_in(user).get(step_url(proposal, "mittelbedarf")))
    assert '<span id="total-staff">80.000 €</span>' in page
    assert '<span id="total-events">12.500,25 €</span>' in page
    assert '<span id="total-year-2021">52.500,25 €</span>' in page
    assert '<strong id="total-all">92.500,25 €</strong>' in page
    assert "107.500,75 €" in page  # with own and Land contribution
    assert 'value="12.500,25"' in page


def test_partners_post_saves_rows_and_skips_blank_rows() -> None:
    proposal, user = empty_draft()
    data = {
        "expected_version": str(proposal.lock_version),
        "partners-TOTAL_FORMS": "3",
        "partners-INITIAL_FORMS": "0",
        "partners-0-kind": "civil_society",
        "partners-0-name": "Bürgerverein e. V.",
        "partners-0-role_in_lab": "Beteiligung",
        "partners-0-contact_email": "vorstand@verein.example",
        "partners-1-kind": "",
        "partners-1-name": "",
        "partners-2-kind": "science",
        "partners-2-name": "Fachhochschule",
        "partners-2-cooperation_exists": "on",
        "save": "1",
    }
    response = signed_in(user).post(step_url(proposal, "partner"), data)
    assert response.status_code == 302
    rows = list(
        Partner.objects.filter(proposal=proposal)
        .order_by("position")
        .values_list("position", "kind", "name", "role_in_lab", "cooperation_exists", "contact_email")
    )
    assert rows == [
        (1, "civil_society", "Bürgerverein e. V.", "Beteiligung", False, "vorstand@verein.example"),
        (2, "science", "Fachhochschule", "", True, ""),
    ]


def test_partners_add_row_renders_extra_empty_row_without_saving() -> None:
    proposal, user = open_draft()
    before = snapshot(proposal)
    data = {
        "expected_version": str(proposal.lock_version),
        "partners-TOTAL_FORMS": "1",
        "partners-INITIAL_FORMS": "1",
        "partners-0-id": str(proposal.partners.order_by("position").first().pk),  # type: ignore[union-attr]
        "partners-0-kind": "civil_society",
        "partners-0-name": "Geänderter Name",
        "add_row": "1",
    }
    response = signed_in(user).post(step_url(proposal, "partner"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="partners-TOTAL_FORMS" value="2"' in page
    assert 'value="Geänderter Name"' in page
    assert re.search(r'<select name="partners-1-kind"[^>]*autofocus', page)
    assert snapshot(proposal) == before


def test_partners_remove_row_renders_without_it() -> None:
    proposal, user = open_draft()
    partners = list(proposal.partners.order_by("position"))
    data = {
        "expected_version": str(proposal.lock_version),
        "partners-TOTAL_FORMS": "2",
        "partners-INITIAL_FORMS": "2",
        "partners-0-id": str(partners[0].pk),
        "partners-0-kind": "civil_society",
        "partners-0-name": partners[0].name,
        "partners-1-id": str(partners[1].pk),
        "partners-1-kind": "science",
        "partners-1-name": partners[1].name,
        "remove_row": "0",
    }
    page = signed_in(user).post(step_url(proposal, "partner"), data).content.decode()
    assert 'name="partners-TOTAL_FORMS" value="1"' in page
    assert partners[0].name not in page
    assert f'value="{partners[1].name}"' in page
    assert Partner.objects.filter(proposal=proposal).count() == 2


def test_tasks_post_saves_rows_with_dates() -> None:
    proposal, user = empty_draft()
    data = {
        "expected_version": str(proposal.lock_version),
        "tasks-TOTAL_FORMS": "1",
        "tasks-INITIAL_FORMS": "0",
        "tasks-0-title": "Bürgerhaushalt",
        "tasks-0-description": "Ein Bürgerhaushalt.",
        "tasks-0-indicator": "Vorschläge",
        "tasks-0-target_value": "50",
        "tasks-0-due_on": "2021-06-30",
        "tasks-0-verification": "Protokoll",
        "save": "1",
    }
    assert signed_in(user).post(step_url(proposal, "aufgaben"), data).status_code == 302
    assert list(
        LabTask.objects.filter(proposal=proposal).values_list(
            "position", "title", "indicator", "target_value", "due_on", "verification"
        )
    ) == [(1, "Bürgerhaushalt", "Vorschläge", "50", dt.date(2021, 6, 30), "Protokoll")]


def test_municipalities_add_and_remove_save_immediately() -> None:
    proposal, user = empty_draft()
    nauen = MunicipalityFactory(name="Nauen", ars="120630208208")
    client = signed_in(user)
    lead = proposal.lead_municipality.ars  # type: ignore[union-attr]
    response = client.post(
        step_url(proposal, "kommunen"),
        {"expected_version": str(proposal.lock_version), "lead": lead, "add": nauen.ars},
    )
    assert response.status_code == 302
    assert list(proposal.further_municipalities.values_list("municipality_id", flat=True)) == [nauen.ars]
    response = client.post(
        step_url(proposal, "kommunen"),
        {"expected_version": "1", "lead": lead, "further": [nauen.ars], "remove": nauen.ars},
    )
    assert response.status_code == 302
    assert proposal.further_municipalities.count() == 0
    assert Proposal.objects.get(pk=proposal.pk).lock_version == 2


def test_municipalities_set_lead_keeps_former_lead_as_further() -> None:
    proposal, user = empty_draft()
    former = proposal.lead_municipality.ars  # type: ignore[union-attr]
    nauen = MunicipalityFactory(name="Nauen", ars="120630208208")
    signed_in(user).post(
        step_url(proposal, "kommunen"),
        {"expected_version": str(proposal.lock_version), "lead": former, "set_lead": nauen.ars},
    )
    fresh = Proposal.objects.get(pk=proposal.pk)
    assert fresh.lead_municipality_id == nauen.ars
    assert list(fresh.further_municipalities.values_list("municipality_id", flat=True)) == [former]


def test_municipalities_search_without_js_lists_candidates_with_buttons() -> None:
    proposal, user = empty_draft()
    MunicipalityFactory(name="Nauen", search_name="nauen", ars="120630208208")
    page = signed_in(user).get(step_url(proposal, "kommunen"), {"q": "Nauen"}).content.decode()
    assert re.search(r'name="add"\s+value="120630208208"', page)
    assert re.search(r'name="set_lead"\s+value="120630208208"', page)


def test_municipalities_search_htmx_returns_fragment() -> None:
    proposal, user = empty_draft()
    MunicipalityFactory(name="Nauen", search_name="nauen", ars="120630208208")
    response = signed_in(user).get(
        step_url(proposal, "kommunen"), {"q": "nau"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert "<html" not in page
    assert re.search(r'name="add"\s+value="120630208208"', page)
    assert 'id="candidates-status" hx-swap-oob="innerHTML"' in page


# --- conflicts, errors, the deadline -------------------------------------------------------------


def test_stale_version_shows_conflict_keeps_input_and_changes_nothing() -> None:
    proposal, user = open_draft()
    colleague = UserFactory()
    services.save_section(
        proposal,
        section="general",
        data={"title": "Titel der Kollegin"},
        expected_version=proposal.lock_version,
        actor=colleague,
        now=timezone.now(),
    )
    before = snapshot(proposal)
    versions_before = ProposalVersion.objects.filter(proposal=proposal).count()
    response = signed_in(user).post(
        step_url(proposal, "allgemeines"),
        general_data(proposal, expected_version=str(before[0] - 1), title="Mein getippter Titel"),
    )
    assert response.status_code == 409
    page = text_of(response)
    assert 'role="alert"' in page
    assert "Jemand anderes aus Ihrem Konsortium hat diesen Abschnitt inzwischen gespeichert." in page
    assert 'value="Mein getippter Titel"' in page
    assert snapshot(proposal) == before
    kept = ProposalVersion.objects.filter(proposal=proposal).order_by("-number").first()
    assert kept is not None
    assert ProposalVersion.objects.filter(proposal=proposal).count() == versions_before + 1
    assert kept.kind == "conflict"
    assert kept.content["data"]["title"] == "Mein getippter Titel"
    assert kept.content["data"]["own_contribution"] == "12500.25"


def test_invalid_amount_shows_german_errors_and_changes_nothing() -> None:
    proposal, user = open_draft()
    before = snapshot(proposal)
    response = signed_in(user).post(
        step_url(proposal, "allgemeines"), general_data(proposal, own_contribution="zwölf", title="")
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "Bitte prüfen Sie Ihre Angaben" in page
    assert '<a href="#id_title">Titel des Labors: Bitte geben Sie einen Titel an.</a>' in page
    assert (
        '<a href="#id_own_contribution">Eigenanteil (EUR): Bitte geben Sie einen Betrag in Euro an, '
        "zum Beispiel 12.500,25.</a>" in page
    )
    assert re.search(r'name="own_contribution"[^>]*aria-invalid="true"', page)
    assert re.search(r'name="own_contribution"[^>]*aria-describedby="[^"]*id_own_contribution_error', page)
    assert 'value="zwölf"' in page
    assert snapshot(proposal) == before


def test_task_due_date_outside_funding_period_is_refused() -> None:
    proposal, user = open_draft()
    before = snapshot(proposal)
    data = {
        "expected_version": str(proposal.lock_version),
        "tasks-TOTAL_FORMS": "1",
        "tasks-INITIAL_FORMS": "0",
        "tasks-0-title": "Zu spät",
        "tasks-0-due_on": "2023-01-01",
        "save": "1",
    }
    page = text_of(signed_in(user).post(step_url(proposal, "aufgaben"), data))
    assert (
        "Aufgabe 1, Fällig am: Der Termin muss im Förderzeitraum liegen (01.01.2020 bis 31.12.2022)." in page
    )
    assert snapshot(proposal) == before


def test_partner_without_name_is_refused_with_row_error() -> None:
    proposal, user = open_draft()
    before = snapshot(proposal)
    data = {
        "expected_version": str(proposal.lock_version),
        "partners-TOTAL_FORMS": "1",
        "partners-INITIAL_FORMS": "0",
        "partners-0-kind": "civil_society",
        "partners-0-role_in_lab": "Beteiligung",
        "partners-0-contact_email": "kein-at-zeichen",
        "save": "1",
    }
    page = text_of(signed_in(user).post(step_url(proposal, "partner"), data))
    assert (
        '<a href="#id_partners-0-name">Partner 1, Name der Organisation: Bitte geben Sie den Namen der Organisation an.</a>'
        in page
    )
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an." in page
    assert snapshot(proposal) == before


def test_budget_negative_amount_is_refused() -> None:
    proposal, user = open_draft()
    before = snapshot(proposal)
    data = {"expected_version": str(proposal.lock_version), "amount_2020_staff": "-5", "save": "1"}
    page = text_of(signed_in(user).post(step_url(proposal, "mittelbedarf"), data))
    assert "Personal 2020 (EUR): Der Betrag darf nicht negativ sein." in page
    assert snapshot(proposal) == before


def test_post_after_deadline_is_refused_with_deadline() -> None:
    proposal, user = open_draft()
    deadline_at = timezone.now() - dt.timedelta(seconds=1)
    reopen(proposal.call, deadline_at=deadline_at)
    before = snapshot(proposal)
    response = signed_in(user).post(step_url(proposal, "allgemeines"), general_data(proposal), follow=True)
    local = timezone.localtime(deadline_at)
    page = text_of(response)
    assert response.redirect_chain[0][0] == reverse("portal:proposal_detail", kwargs={"pk": proposal.pk})
    assert (
        f"Die Frist ist abgelaufen: Interessenbekundungen wurden bis {local:%d.%m.%Y, %H:%M:%S} Uhr "
        "(Berliner Zeit) angenommen." in page
    )
    assert snapshot(proposal) == before


def test_post_on_submitted_proposal_is_refused() -> None:
    proposal, user = open_draft()
    services.transition_proposal(proposal, to=ProposalState.SUBMITTED, actor=user, now=timezone.now())
    before = snapshot(proposal)
    response = signed_in(user).post(step_url(proposal, "allgemeines"), general_data(proposal), follow=True)
    assert response.redirect_chain[0][0] == reverse("portal:proposal_detail", kwargs={"pk": proposal.pk})
    assert (
        "Die Interessenbekundung ist im Status „eingereicht“ und kann nicht mehr geändert werden."
        in text_of(response)
    )
    assert snapshot(proposal) == before


# --- what is missing -------------------------------------------------------------------------------


def test_overview_lists_exactly_the_unmet_findings_with_links() -> None:
    proposal, user = empty_draft()
    page = text_of(signed_in(user).get(step_url(proposal, "uebersicht")))
    section = re.search(r'<ul class="og-missing__list og-missing__list--links">(.*?)</ul>', page)
    assert section is not None
    listed = re.findall(r'<li> ([^<]*?) <a class="kern-link" href="([^"]+)"> Zum Schritt', section.group(1))
    assert listed == [
        (
            "Es sind 0 zivilgesellschaftliche(r) Partner angegeben; erforderlich sind mindestens 1.",
            step_url(proposal, "partner"),
        ),
        ("Es ist keine Laboraufgabe angegeben.", step_url(proposal, "aufgaben")),
        (
            "Es fehlt eine Schätzung des Mittelbedarfs (mindestens ein Betrag größer als 0 €).",
            step_url(proposal, "mittelbedarf"),
        ),
        (
            "Folgende Angaben fehlen noch: Region und Ausgangslage, Form des Labors, Moderation, "
            "Interessenausgleich und Konfliktmanagement, Herausforderungen.",
            step_url(proposal, "allgemeines"),
        ),
    ]


def test_overview_complete_draft_links_to_submit() -> None:
    proposal, user = open_draft()
    page = text_of(signed_in(user).get(step_url(proposal, "uebersicht")))
    assert "Alle Angaben sind vollständig." in page
    assert "Zum Schritt" not in page
    assert f'href="{reverse("portal:proposal_submit", kwargs={"pk": proposal.pk})}"' in page


def test_step_shows_missing_box_for_its_own_findings() -> None:
    proposal, user = empty_draft()
    page = text_of(signed_in(user).get(step_url(proposal, "partner")))
    box = re.search(r'<section id="missing-box".*?</section>', page)
    assert box is not None
    assert re.findall(r"<li>(.*?)</li>", box.group(0)) == [
        "Es sind 0 zivilgesellschaftliche(r) Partner angegeben; erforderlich sind mindestens 1."
    ]


def test_step_nav_marks_done_and_missing() -> None:
    proposal, user = empty_draft()
    page = text_of(signed_in(user).get(step_url(proposal, "kommunen")))
    nav = re.search(r'<nav id="step-nav".*?</nav>', page)
    assert nav is not None
    assert re.findall(r"og-steps__status--(\w+)", nav.group(0)) == [
        "missing",  # Allgemeines
        "done",  # Kommunen: a lead is chosen, one municipality is enough
        "missing",
        "missing",
        "missing",
        "missing",
    ]


def test_countdown_is_shown_on_every_step() -> None:
    proposal, user = open_draft()
    page = text_of(signed_in(user).get(step_url(proposal, "partner")))
    assert re.search(
        r"Einreichung noch bis \d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr möglich \(noch 6 Tage, 23 Stunden\)", page
    )


# --- autosave ----------------------------------------------------------------------------------------


def test_autosave_returns_status_fragment_with_new_version() -> None:
    proposal, user = open_draft()
    version = proposal.lock_version
    response = signed_in(user).post(
        step_url(proposal, "allgemeines"),
        {**general_data(proposal, title="Automatisch"), "autosave": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "<html" not in page
    assert re.search(r"Gespeichert um \d\d:\d\d Uhr", page)
    assert (
        f'<input type="hidden" name="expected_version" value="{version + 1}" id="id_expected_version" hx-swap-oob="true">'
        in page
    )
    assert Proposal.objects.get(pk=proposal.pk).title == "Automatisch"


def test_autosave_conflict_returns_conflict_fragment() -> None:
    proposal, user = open_draft()
    before = snapshot(proposal)
    response = signed_in(user).post(
        step_url(proposal, "allgemeines"),
        {**general_data(proposal, expected_version="0"), "autosave": "1"},
        headers={"HX-Request": "true"},
    )
    page = text_of(response)
    assert response.status_code == 200
    assert "Nicht automatisch gespeichert" in page
    assert '<div id="conflict-alert" class="og-conflict-slot" hx-swap-oob="true">' in page
    assert f'href="{step_url(proposal, "allgemeines")}">Aktuellen Stand' in page
    assert 'role="alert"' in page
    assert snapshot(proposal) == before


def test_autosave_partners_returns_ids_of_new_rows() -> None:
    proposal, user = empty_draft()
    data = {
        "expected_version": str(proposal.lock_version),
        "partners-TOTAL_FORMS": "1",
        "partners-INITIAL_FORMS": "0",
        "partners-0-kind": "civil_society",
        "partners-0-name": "Verein",
        "autosave": "1",
    }
    page = text_of(signed_in(user).post(step_url(proposal, "partner"), data, headers={"HX-Request": "true"}))
    partner = Partner.objects.get(proposal=proposal)
    assert (
        f'<input type="hidden" name="partners-0-id" value="{partner.pk}" id="id_partners-0-id" hx-swap-oob="true">'
        in page
    )


def test_autosave_budget_returns_new_totals() -> None:
    proposal, user = open_draft()
    data = {"expected_version": str(proposal.lock_version), "amount_2020_staff": "1.000,50", "autosave": "1"}
    page = text_of(
        signed_in(user).post(step_url(proposal, "mittelbedarf"), data, headers={"HX-Request": "true"})
    )
    assert '<strong id="total-all" hx-swap-oob="true">1.000,50 €</strong>' in page


# --- starting a proposal ----------------------------------------------------------------------------


def start_url(call: Any) -> str:
    return reverse("portal:proposal_start", kwargs={"slug": call.slug})


def test_start_search_without_js_shows_radio_candidates_and_keeps_title() -> None:
    call = reopen(CallFactory())
    MunicipalityFactory(name="Falkensee", search_name="falkensee", ars="120630080080")
    response = signed_in(UserFactory()).post(
        start_url(call), {"title": "Mein Labor", "q": "falken", "action": "search"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<input type="radio" name="lead" value="120630080080"', page)
    assert 'value="Mein Labor"' in page
    assert "Bitte prüfen Sie Ihre Angaben" not in page


def test_start_by_key_creates_draft_with_lead_member() -> None:
    call = reopen(CallFactory())
    MunicipalityFactory(name="Falkensee", search_name="falkensee", ars="120630080080")
    user = UserFactory()
    response = signed_in(user).post(
        start_url(call), {"title": "Mein Labor", "q": "12063080", "lead": "120630080080", "action": "create"}
    )
    proposal = Proposal.objects.get(call=call)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:proposal_edit", kwargs={"pk": proposal.pk})
    assert (proposal.title, proposal.lead_municipality_id, proposal.state) == (
        "Mein Labor",
        "120630080080",
        "draft",
    )
    assert list(proposal.members.values_list("user_id", "role")) == [(user.pk, "lead")]


def test_start_without_lead_is_refused() -> None:
    call = reopen(CallFactory())
    response = signed_in(UserFactory()).post(start_url(call), {"title": "Mein Labor", "action": "create"})
    assert response.status_code == 200
    assert "Bitte suchen Sie die federführende Kommune und wählen Sie sie aus." in response.content.decode()
    assert Proposal.objects.filter(call=call).count() == 0


def test_start_after_deadline_is_refused_with_deadline() -> None:
    call = reopen(CallFactory(), deadline_at=timezone.now() - dt.timedelta(minutes=1))
    MunicipalityFactory(name="Falkensee", search_name="falkensee", ars="120630080080")
    response = signed_in(UserFactory()).post(
        start_url(call), {"title": "Mein Labor", "q": "falkensee", "lead": "120630080080", "action": "create"}
    )
    assert response.status_code == 409
    assert "Die Frist ist abgelaufen: Interessenbekundungen wurden bis" in response.content.decode()
    assert Proposal.objects.filter(call=call).count() == 0


def test_start_staff_is_404() -> None:
    call = reopen(CallFactory())
    assert client_for(StaffFactory()).get(start_url(call)).status_code == 404


def test_start_htmx_search_returns_radio_fragment() -> None:
    call = reopen(CallFactory())
    MunicipalityFactory(name="Falkensee", search_name="falkensee", ars="120630080080")
    response = signed_in(UserFactory()).get(start_url(call), {"q": "falk"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page
    assert re.search(r'<input type="radio" name="lead" value="120630080080"', page)


# --- queries -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("step", STEPS)
def test_step_query_count_does_not_grow_with_rows(step: str, django_assert_max_num_queries: Any) -> None:
    """14 queries on the heaviest step (Kommunen), with 2 or with 22 partners and tasks."""
    proposal, user = open_draft()
    for n in range(20):
        Partner.objects.create(proposal=proposal, position=10 + n, kind="arts", name=f"Partner {n}")
        LabTask.objects.create(proposal=proposal, position=10 + n, title=f"Aufgabe {n}")
    client = signed_in(user)
    with django_assert_max_num_queries(14):
        assert client.get(step_url(proposal, step)).status_code == 200
