"""Loading the demo: two calls and one user per role. Idempotent; ``now`` is an argument.

The calls are written through :mod:`oglabs.calls.services` (actor ``None``: the system), so
the demo leaves the same audit events as real use. Running the loader again changes nothing
unless ``now`` moved: then the demo copy's schedule is shifted again so that it stays open.

Demo accounts have a known password and, for the roles that need a second factor, a known TOTP
secret. They are for local demos only; ``load_demo`` refuses other sites unless forced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.db import transaction

from oglabs.accounts.models import Role, User
from oglabs.audit.services import record_event
from oglabs.calls import timeline
from oglabs.calls.models import Call
from oglabs.calls.services import create_call, update_call
from oglabs.demo import competition, consortia, content
from oglabs.places.models import Municipality, MunicipalityKind, Urbanisation
from oglabs.proposals.exchange import FORMAT, VERSION, format_report, import_proposals
from oglabs.proposals.models import Proposal
from oglabs.transparency.services import commit_due_deadlines

DEMO_PASSWORD = "oglabs-demo-2019"  # noqa: S105  # documented demo password, local demos only
#: The fixed TOTP secret (base32) of every demo account with a second factor. Add it to an
#: authenticator app, or run ``python manage.py demo_totp`` for the current code.
DEMO_TOTP_SECRET = "OGLABSDEMOTOTPSECRETFORDEMOONLY2"  # noqa: S105  # documented demo secret
DEMO_EMAIL_DOMAIN = "demo.oglabs.de"
#: How long after loading the demo copy of the call stays open.
DEMO_OPEN_FOR = timedelta(weeks=6)
#: The applicant's municipality if places are loaded: Groß Pankow (Prignitz), a rural Gemeinde
#: in Brandenburg. Without it, the first rural Gemeinde by key; without places, none.
DEMO_MUNICIPALITY_ARS = "120700125125"


@dataclass(frozen=True)
class DemoUser:
    email: str
    role: Role
    organisation: str = ""

    @property
    def has_totp(self) -> bool:
        return self.role != Role.APPLICANT


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(f"antrag@{DEMO_EMAIL_DOMAIN}", Role.APPLICANT),
    DemoUser(f"team@{DEMO_EMAIL_DOMAIN}", Role.STAFF),
    DemoUser(f"jury@{DEMO_EMAIL_DOMAIN}", Role.JUROR, "Deutscher Landkreistag"),
    DemoUser(f"admin@{DEMO_EMAIL_DOMAIN}", Role.ADMIN),
)


# --- calls ----------------------------------------------------------------------------------


def demo_deadline_on(now: datetime) -> date:
    """The demo copy's deadline day: six weeks after ``now``, as a day in Europe/Berlin."""
    return (timeline.as_utc(now) + DEMO_OPEN_FOR).astimezone(timeline.BERLIN).date()


def demo_call_data(now: datetime) -> dict[str, Any]:
    """The historical call with its schedule moved so that the deadline is
    :func:`demo_deadline_on` 23:59:59.999999 Europe/Berlin. Phases move by whole calendar days
    (wall-clock times stay 00:00 and 23:59:59.999999 across DST changes); the funding period
    moves by whole years."""
    data = content.historical_call_data()
    deadline_on = demo_deadline_on(now)
    days = timedelta(days=(deadline_on - content.DEADLINE_ON).days)
    years = deadline_on.year - content.DEADLINE_ON.year
    for name in timeline.SCHEDULE_FIELDS:
        if data[name] is not None:
            data[name] = data[name] + days
    for name in ("funding_starts_on", "funding_ends_on"):
        data[name] = data[name].replace(year=data[name].year + years)
    data["slug"] = content.DEMO_SLUG
    data["title"] = f"{content.TITLE} (Demo)"
    data["description"] = content.DEMO_NOTE + content.DESCRIPTION
    return data


def _load_call(data: dict[str, Any], *, now: datetime) -> tuple[Call, str]:
    call = Call.objects.filter(slug=data["slug"]).first()
    if call is None:
        return create_call(actor=None, data=data, now=now), "created"
    before = call.updated_at
    call = update_call(call, actor=None, changes=data, now=now)
    return call, "updated" if call.updated_at != before else "unchanged"


def load_calls(*, now: datetime) -> list[tuple[Call, str]]:
    """The historical call and its open demo copy; each with ``created``/``updated``/``unchanged``."""
    return [
        _load_call(content.historical_call_data(), now=now),
        _load_call(demo_call_data(now), now=now),
    ]


# --- users ----------------------------------------------------------------------------------


def demo_municipality() -> Municipality | None:
    chosen = Municipality.objects.filter(ars=DEMO_MUNICIPALITY_ARS).first()
    if chosen is not None:
        return chosen
    return (
        Municipality.objects.filter(kind=MunicipalityKind.MUNICIPALITY, urbanisation=Urbanisation.RURAL)
        .order_by("ars")
        .first()
    )


def demo_totp_secret(user: User) -> str | None:
    """The TOTP secret of a demo account, or ``None`` if it is not a demo account with the
    documented demo secret (real secrets are never revealed)."""
    if not user.email.endswith(f"@{DEMO_EMAIL_DOMAIN}"):
        return None
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return None
    secret = decrypt(authenticator.data["secret"])
    return secret if secret == DEMO_TOTP_SECRET else None


def _ensure_totp(user: User) -> None:
    if demo_totp_secret(user) == DEMO_TOTP_SECRET:
        return
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    TOTP.activate(user, DEMO_TOTP_SECRET)


@transaction.atomic
def _load_user(spec: DemoUser, *, municipality: Municipality | None, now: datetime) -> tuple[User, str]:
    user = User.objects.filter(email=spec.email).first()
    status = "unchanged"
    if user is None:
        user = User.objects.create_user(spec.email, DEMO_PASSWORD, role=spec.role)
        status = "created"
    wanted = {
        "role": spec.role.value,
        "organisation": spec.organisation,
        "municipality": municipality if spec.role == Role.APPLICANT else None,
        "is_active": True,
    }
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    # Keep a municipality chosen earlier if places are not (or no longer) loaded.
    if "municipality" in changed and spec.role == Role.APPLICANT and municipality is None:
        changed.remove("municipality")
        wanted["municipality"] = user.municipality
    for name in changed:
        setattr(user, name, wanted[name])
    if status != "created" and not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        changed.append("password")
    if changed:
        user.save()
        status = "updated" if status == "unchanged" else status
    address, _created = EmailAddress.objects.get_or_create(
        user=user, email=spec.email, defaults={"verified": True, "primary": True}
    )
    if not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])
    if spec.has_totp:
        _ensure_totp(user)
    if status == "created":
        record_event(
            actor=None,
            action="user.created",
            target=user,
            data={"role": spec.role.value, "demo": True},
            now=now,
        )
    return user, status


def load_users(*, now: datetime) -> list[tuple[User, str]]:
    municipality = demo_municipality()
    return [_load_user(spec, municipality=municipality, now=now) for spec in DEMO_USERS]


# --- the 36 consortia of 2019 -----------------------------------------------------------------


def demo_places() -> list[consortia.Place]:
    """Every local authority of the reference data as plain data for the generator."""
    rows = Municipality.objects.select_related("state", "district").order_by("ars")
    return [
        consortia.Place(
            ars=m.ars,
            name=m.name,
            kind=m.kind,
            official_type=m.official_type,
            state_ars=m.state_id,
            state_name=m.state.name,
            district_ars=m.district_id,
            district_name=m.district.name,
            district_type=m.district.kind,
            population=m.population,
            area_km2=m.area_km2,
            urbanisation=m.urbanisation,
            latitude=m.latitude,
            longitude=m.longitude,
        )
        for m in rows
    ]


def load_consortia(*, now: datetime) -> tuple[list[tuple[Any, str]], str]:
    """The 36 submitted consortia of the historical call, through the import (same rules as the
    form, frozen versions with SHA-256). Returns the demo accounts of the first consortia and a
    status: ``created: N``, ``unchanged`` (every reference exists) or why it was skipped.

    Needs the reference data (``load_places``); without it nothing is loaded.
    """
    call = Call.objects.filter(slug=content.HISTORICAL_SLUG).first()
    if call is None:
        return [], "skipped: no historical call"
    if not Municipality.objects.exists():
        return [], "skipped: places not loaded (python manage.py load_places)"
    if now <= consortia.DEADLINE_AT:
        return [], "skipped: the 2019 deadline has not passed at --now"
    try:
        records = consortia.generate_consortia(demo_places())
    except consortia.NotEnoughPlaces:
        return [], "skipped: the reference data is incomplete (python manage.py load_places)"
    taken = set(
        Proposal.objects.filter(reference__in=[r["reference"] for r in records]).values_list(
            "reference", flat=True
        )
    )
    users = []
    for number, record in enumerate(records[: consortia.LINKED_ACCOUNTS], 1):
        spec = DemoUser(consortia.contact_email(number), Role.APPLICANT)
        lead = Municipality.objects.get(ars=record["lead_municipality"])
        users.append(_load_user(spec, municipality=lead, now=now))
    missing = [record for record in records if record["reference"] not in taken]
    if not missing:
        return users, "unchanged"
    document = {"format": FORMAT, "version": VERSION, "call": call.slug, "proposals": missing}
    report = import_proposals(document, call=call, actor=None, now=now)
    if not report.ok:
        raise RuntimeError("demo consortia refused by the import:\n" + format_report(report))
    return users, f"created: {len(report.imported)}"


def load_competition(*, now: datetime) -> tuple[list[tuple[User, str]], str]:
    """The 2019 call decided (``competition.decide_2019_call``), with the jurors' demo accounts.
    Needs the consortia; returns the jurors' accounts beyond ``jury@…`` and a status."""
    call = Call.objects.filter(slug=content.HISTORICAL_SLUG).first()
    if call is None or not Proposal.objects.filter(call=call).exists():
        return [], "skipped: no consortia"
    if now <= competition.DECIDED_AT:
        return [], "skipped: the 2019 decision lies after --now"
    staff = User.objects.get(email=f"team@{DEMO_EMAIL_DOMAIN}")
    jurors: dict[str, User] = {}
    users = []
    known = {spec.email for spec in DEMO_USERS}
    for seat in competition.JURY:
        user, status = _load_user(
            DemoUser(seat.email, Role.JUROR, seat.organisation), municipality=None, now=now
        )
        jurors[seat.email] = user
        if seat.email not in known:
            users.append((user, status))
    return users, competition.decide_2019_call(call, staff=staff, jurors=jurors, now=now)


def load_demo(*, now: datetime) -> dict[str, Any]:
    """Everything the demo needs, in one transaction."""
    with transaction.atomic():
        calls = list(load_calls(now=now))
        users = list(load_users(now=now))
        consortium_users, consortia_status = load_consortia(now=now)
        juror_users, competition_status = load_competition(now=now)
        if Proposal.objects.filter(call__slug=content.HISTORICAL_SLUG).exists():
            commit_due_deadlines(now=now)  # seal the passed deadlines once the consortia are in (Fristsiegel)
        return {
            "calls": calls,
            "users": users + consortium_users + juror_users,
            "consortia": consortia_status,
            "competition": competition_status,
        }


# --- TOTP codes -----------------------------------------------------------------------------


def totp_code(secret: str, at: datetime) -> str:
    """The TOTP code for ``secret`` at instant ``at`` (the way allauth computes it)."""
    return format_hotp_value(hotp_value(secret, int(at.timestamp()) // mfa_settings.TOTP_PERIOD))


def seconds_left(at: datetime) -> int:
    """How long the code of instant ``at`` stays valid."""
    period = mfa_settings.TOTP_PERIOD
    return period - int(at.timestamp()) % period
