"""load_demo, demo_logins and demo_totp."""

from __future__ import annotations

import datetime as dt
import re
import time
from decimal import Decimal
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse

from oglabs.accounts.models import User
from oglabs.audit.models import AuditEvent
from oglabs.calls import timeline
from oglabs.calls.models import Call, Challenge
from oglabs.demo.loading import DEMO_PASSWORD, DEMO_TOTP_SECRET, seconds_left, totp_code
from oglabs.proposals.models import Proposal
from tests.factories.proposals import MunicipalityFactory

BERLIN = timeline.BERLIN
#: Six weeks later is 01.05.2026, after the switch to summer time on 29.03.2026.
LOAD_AT = dt.datetime(2026, 3, 20, 12, 0, tzinfo=BERLIN)
DEMO_EMAILS = ["admin@demo.oglabs.de", "antrag@demo.oglabs.de", "jury@demo.oglabs.de", "team@demo.oglabs.de"]


def load(now: dt.datetime = LOAD_AT) -> str:
    out = StringIO()
    call_command("load_demo", now=now.isoformat(), stdout=out)
    return out.getvalue()


def deadline_of(call: Call) -> dt.datetime:
    return call.phases.get(kind="deadline").ends_at.astimezone(BERLIN)


def wait_for_fresh_totp_window() -> None:
    """Codes change every 30 s (allauth allows no tolerance): start a check with time to spare."""
    if seconds_left(dt.datetime.now(tz=dt.UTC)) < 5:
        time.sleep(5)


@pytest.fixture
def locmem_cache(settings):  # type: ignore[no-untyped-def]
    """allauth marks used TOTP codes in the cache; each test starts with an empty one."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_load_demo_twice_is_idempotent():
    load()
    events = AuditEvent.objects.count()
    load()
    assert sorted(Call.objects.values_list("slug", flat=True)) == [
        "regionale-open-government-labore-2019",
        "regionale-open-government-labore-demo",
    ]
    assert [Challenge.objects.filter(call=call).count() for call in Call.objects.order_by("slug")] == [12, 12]
    assert sorted(User.objects.values_list("email", flat=True)) == DEMO_EMAILS
    assert Authenticator.objects.count() == 3
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 4
    assert AuditEvent.objects.count() == events  # the second run changed nothing


@pytest.mark.django_db
def test_load_demo_writes_one_audit_event_per_call_and_user():
    load()
    actions = sorted(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["call.created"] * 2 + ["user.created"] * 4


@pytest.mark.django_db
def test_load_demo_historical_call_is_as_stated_and_closed():
    load()
    call = Call.objects.get(slug="regionale-open-government-labore-2019")
    assert call.sponsor == "Bundesministerium des Innern, für Bau und Heimat (BMI)"
    assert call.programme == "Bundesprogramm Ländliche Entwicklung (BULE)"
    assert (call.budget, call.currency, call.budget_reservation, call.max_labs) == (
        Decimal("3000000.00"),
        "EUR",
        True,
        16,
    )
    assert (call.funding_starts_on, call.funding_ends_on) == (dt.date(2020, 1, 1), dt.date(2022, 12, 31))
    assert call.contact_email == "regionale-open-government-labore@bmi.bund.de"
    assert call.partner_organisation_list == [
        "Deutscher Städtetag",
        "Deutscher Landkreistag",
        "Deutscher Städte- und Gemeindebund",
    ]
    assert call.is_published is True
    assert deadline_of(call) == dt.datetime(2019, 10, 31, 23, 59, 59, 999999, tzinfo=BERLIN)
    workshop = call.phases.get(kind="workshop")
    assert workshop.starts_at.astimezone(BERLIN).date() == dt.date(2019, 11, 1)
    assert call.phases.get(kind="selection").ends_at.astimezone(BERLIN).date() == dt.date(2020, 2, 29)
    assert call.description.startswith("Die Initiative für Regionale Open Government Labore")
    assert "5. Wie geht es dann weiter?" in call.description
    assert call.eligibility.min_civil_society_partners == 1
    assert timeline.is_open(call.phase_spans(), LOAD_AT) is False
    assert timeline.is_open(call.phase_spans(), dt.datetime(2019, 10, 31, 23, 59, 59, tzinfo=BERLIN)) is True


@pytest.mark.django_db
def test_load_demo_copy_is_open_with_deadline_six_weeks_later_at_end_of_day():
    load()
    call = Call.objects.get(slug="regionale-open-government-labore-demo")
    assert timeline.is_open(call.phase_spans(), LOAD_AT) is True
    assert deadline_of(call) == dt.datetime(2026, 5, 1, 23, 59, 59, 999999, tzinfo=BERLIN)
    assert call.phases.get(kind="open").starts_at.astimezone(BERLIN) == dt.datetime(
        2026, 3, 2, 0, 0, tzinfo=BERLIN
    )
    assert (call.funding_starts_on, call.funding_ends_on) == (dt.date(2027, 1, 1), dt.date(2029, 12, 31))
    assert call.is_published is True


@pytest.mark.django_db
def test_load_demo_later_shifts_the_copy_again():
    load()
    later = LOAD_AT + dt.timedelta(days=100)
    load(later)
    call = Call.objects.get(slug="regionale-open-government-labore-demo")
    assert timeline.is_open(call.phase_spans(), later) is True
    assert deadline_of(call) == dt.datetime(2026, 8, 9, 23, 59, 59, 999999, tzinfo=BERLIN)
    assert Call.objects.count() == 2
    assert AuditEvent.objects.filter(action="call.updated").count() == 1


@pytest.mark.django_db
def test_load_demo_users_have_roles_password_and_second_factor():
    load()
    users = {user.email: user for user in User.objects.all()}
    assert {email: user.role for email, user in users.items()} == {
        "antrag@demo.oglabs.de": "applicant",
        "team@demo.oglabs.de": "staff",
        "jury@demo.oglabs.de": "juror",
        "admin@demo.oglabs.de": "admin",
    }
    assert users["jury@demo.oglabs.de"].organisation == "Deutscher Landkreistag"
    assert all(user.check_password(DEMO_PASSWORD) for user in users.values())
    with_totp = set(Authenticator.objects.filter(type="totp").values_list("user__email", flat=True))
    assert with_totp == {"team@demo.oglabs.de", "jury@demo.oglabs.de", "admin@demo.oglabs.de"}
    assert users["antrag@demo.oglabs.de"].municipality is None  # no places loaded


@pytest.mark.django_db
def test_load_demo_gives_applicant_the_demo_municipality_when_places_exist():
    MunicipalityFactory(ars="120700125125", name="Groß Pankow (Prignitz)")
    load()
    applicant = User.objects.get(email="antrag@demo.oglabs.de")
    assert applicant.municipality_id == "120700125125"


@pytest.mark.django_db
def test_load_demo_refuses_a_public_site_without_force(settings):
    settings.SITE_URL = "https://oglabs.example.org"
    with pytest.raises(CommandError, match="bekannten Passwörtern"):
        load()
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_demo_totp_code_passes_allauths_check(locmem_cache):
    load()
    user = User.objects.get(email="team@demo.oglabs.de")
    authenticator = Authenticator.objects.get(user=user, type="totp")
    wait_for_fresh_totp_window()
    out = StringIO()
    call_command("demo_totp", "team@demo.oglabs.de", stdout=out)
    match = re.match(r"team@demo\.oglabs\.de: (\d{6}) ", out.getvalue())
    assert match is not None
    valid = TOTP(authenticator).validate_code(match.group(1))
    assert valid is True


@pytest.mark.django_db
def test_demo_totp_without_email_lists_the_three_second_factor_accounts():
    load()
    out = StringIO()
    call_command("demo_totp", stdout=out)
    assert [line.split(":")[0] for line in out.getvalue().splitlines()] == [
        "team@demo.oglabs.de",
        "jury@demo.oglabs.de",
        "admin@demo.oglabs.de",
    ]


@pytest.mark.django_db
def test_demo_totp_refuses_an_account_without_the_demo_secret():
    load()
    Authenticator.objects.filter(user__email="team@demo.oglabs.de").delete()
    TOTP.activate(User.objects.get(email="team@demo.oglabs.de"), "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    with pytest.raises(CommandError, match="kein Demo-Konto"):
        call_command("demo_totp", "team@demo.oglabs.de", stdout=StringIO())


@pytest.mark.django_db
def test_demo_logins_prints_url_accounts_and_secret():
    load()
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/konto/login/" in text
    for email in DEMO_EMAILS:
        assert email in text
    assert text.count(f"TOTP-Schlüssel / TOTP secret: {DEMO_TOTP_SECRET}") == 3
    assert "python manage.py demo_totp" in text
    assert re.search(r"aktueller Code / current code: \d{6} ", text)


def test_totp_code_matches_rfc_6238_test_vector():
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits) -> last six digits.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"
    assert totp_code(secret, dt.datetime(1970, 1, 1, 0, 0, 59, tzinfo=dt.UTC)) == "287082"


@pytest.mark.django_db
def test_demo_staff_logs_in_with_password_and_printed_code(client, locmem_cache):
    load()
    response = client.post(
        reverse("account_login"), {"login": "team@demo.oglabs.de", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    wait_for_fresh_totp_window()
    out = StringIO()
    call_command("demo_totp", "team@demo.oglabs.de", stdout=out)
    code = out.getvalue().split(": ")[1].split(" ")[0]
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("backoffice:home")).status_code == 200


@pytest.mark.django_db
def test_load_demo_without_places_skips_the_2019_consortia_with_a_warning():
    err = StringIO()
    call_command("load_demo", now=LOAD_AT.isoformat(), stdout=StringIO(), stderr=err)
    assert "skipped: places not loaded (python manage.py load_places)" in err.getvalue()
    assert Proposal.objects.count() == 0


@pytest.mark.django_db
def test_load_demo_with_incomplete_places_skips_the_2019_consortia():
    MunicipalityFactory(ars="120700125125", name="Groß Pankow (Prignitz)")
    err = StringIO()
    call_command("load_demo", now=LOAD_AT.isoformat(), stdout=StringIO(), stderr=err)
    assert "skipped: the reference data is incomplete" in err.getvalue()
    assert Proposal.objects.count() == 0
