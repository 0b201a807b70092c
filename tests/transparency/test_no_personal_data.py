"""Issue 6, "Done when": after the demo's 2019 call is decided and published, no public page, no
API answer and no open-data file holds any of the personal data planted in the demo.

The test loads the reference data and the demo, plants unique marker names, e-mail addresses and
phone numbers in every contact field and every free-text field the system holds (also in the
decision's reasons, which are published after redaction), publishes the decision through the
redaction services (a second staff member confirms every automatically marked text), then crawls
every public URL reachable from the home page in German and English (pages, images, downloads),
every read-API endpoint and every file of ``export_open_data``, and finds none of the markers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from oglabs.accounts.models import Role, User
from oglabs.calls.models import Call
from oglabs.places.models import District, Municipality, State
from oglabs.places.reference import read_reference
from oglabs.places.services import load_reference_data
from oglabs.proposals.models import (
    EligibilityCheck,
    Invitation,
    LabTask,
    Partner,
    Proposal,
)
from oglabs.reviews.models import ConflictOfInterest, Juror, Review, Score
from oglabs.selection.models import Decision, DecisionEntry
from oglabs.support.models import Question, Registration
from oglabs.transparency import services as transparency
from oglabs.transparency.models import PublicText

LOAD_AT = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)
SLUG = "regionale-open-government-labore-2019"
FIRST, LAST, DOMAIN = "Quxmara", "Vlorptinski", "planted-marker.example"
PHONES = ("0171 5550123", "+49 30 5550199")
#: What must never appear anywhere public (searched case-insensitively).
MARKERS = (FIRST, LAST, DOMAIN, "5550123", "5550199")
#: Never crawled: the signed-in areas and the account pages.
PRIVATE_PREFIXES = (
    "/verwaltung/",
    "/portal/",
    "/konto/",
    "/admin/",
    "/en/verwaltung/",
    "/en/portal/",
    "/en/konto/",
)


def _letters(number: int) -> str:
    text = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


def _person(number: int) -> tuple[str, str, str]:
    suffix = _letters(number)
    return f"{FIRST}{suffix}", f"{LAST}{suffix}", f"person.{suffix}@{DOMAIN}"


def _contact(number: int, people: int) -> str:
    """A contact line naming one of the ``people`` users the system holds (the detector knows every
    name the system holds; a name it has never seen is for the second staff member to find)."""
    first, last, email = _person(number % people)
    return f"Ansprechperson: {first} {last}, {email}, Tel. {PHONES[number % 2]}."


@pytest.fixture(scope="module")
def loaded_places(django_db_setup, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        load_reference_data(read_reference())
    yield
    with django_db_blocker.unblock():
        Municipality.objects.all().delete()
        District.objects.all().delete()
        State.objects.all().delete()


def _plant() -> int:
    """Markers into every person, contact and free-text field; returns how many values were planted."""
    planted = 0
    people = User.objects.count()
    for number, user in enumerate(User.objects.order_by("pk")):
        user.first_name, user.last_name, user.email = _person(number)
        user.save(update_fields=["first_name", "last_name", "email"])
        planted += 3
    texts: list[tuple[type, list[str]]] = [
        (Proposal, ["region", "moderation", "withdrawn_reason"]),
        (LabTask, ["description", "verification", "indicator"]),
        (Partner, ["role_in_lab"]),
        (Review, ["comment"]),
        (Score, ["comment"]),
        (ConflictOfInterest, ["reason"]),
        (Juror, ["expertise"]),
        (EligibilityCheck, ["reason"]),
        (Question, ["text"]),
        (Registration, ["attendee_role"]),
        (DecisionEntry, ["reason"]),
    ]
    offset = 1000
    for model, fields in texts:
        for row in model.objects.order_by("pk"):  # type: ignore[attr-defined]
            offset += 1
            for field in fields:
                setattr(row, field, f"{getattr(row, field)} {_contact(offset, people)}".strip())
            row.save(update_fields=fields)
            planted += len(fields)
    for number, partner in enumerate(Partner.objects.order_by("pk"), start=5000):
        partner.contact_email = _person(number)[2]
        partner.save(update_fields=["contact_email"])
        planted += 1
    for number, invitation in enumerate(Invitation.objects.order_by("pk"), start=6000):
        invitation.email = _person(number)[2]
        invitation.save(update_fields=["email"])
        planted += 1
    for number, question in enumerate(Question.objects.order_by("pk"), start=7000):
        first, last, email = _person(number)
        question.asker_name, question.asker_email = f"{first} {last}", email
        question.save(update_fields=["asker_name", "asker_email"])
        planted += 2
    for number, registration in enumerate(Registration.objects.order_by("pk"), start=8000):
        first, last, email = _person(number)
        registration.attendee_name, registration.attendee_email = f"{first} {last}", email
        registration.save(update_fields=["attendee_name", "attendee_email"])
        planted += 2
    return planted


def _publish(call: Call, now: dt.datetime) -> Decision:
    decision = Decision.objects.get(call=call)
    preparer = User.objects.create(email="vorbereitung@bund.example", role=Role.STAFF)
    confirmer = User.objects.create(email="pruefung@bund.example", role=Role.STAFF)
    transparency.prepare_publication(decision, actor=preparer, now=now)
    for text in PublicText.objects.filter(decision=decision).order_by("pk"):
        transparency.confirm_text(text, actor=confirmer, now=now)
    return transparency.publish_decision(decision, actor=preparer, now=now)


def _links(body: str, base: str) -> Iterator[str]:
    for match in re.finditer(r"""(?:href|src)=["']([^"'#]+)""", body):
        if re.match(r"^[a-z]+:", match.group(1)) and not match.group(1).startswith("http"):
            continue  # mailto:, tel:, data:
        url = urljoin(base, match.group(1).replace("&amp;", "&"))
        parts = urlsplit(url)
        if parts.netloc in ("", "testserver"):
            yield parts.path + (f"?{parts.query}" if parts.query else "")


def _crawl(client: Client, starts: list[str], *, limit: int = 600) -> dict[str, bytes]:
    seen: dict[str, bytes] = {}
    queue = deque(starts)
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen or path.startswith(PRIVATE_PREFIXES) or "/static/" in path:
            continue
        response = client.get(path)
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            continue
        if response.status_code != 200:
            seen[path] = b""
            continue
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seen[path] = body
        if "html" in response.get("Content-Type", ""):
            queue.extend(_links(body.decode(), path))
    assert len(seen) < limit, "the crawl hit its limit: raise it or find the loop"
    return seen


def _found(body: bytes) -> list[str]:
    text = body.decode("utf-8", errors="replace").lower()
    return [marker for marker in MARKERS if marker.lower() in text]


def test_no_planted_personal_data_on_any_public_page_api_answer_or_export(
    loaded_places, db, tmp_path: Path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("load_demo", now=LOAD_AT.isoformat(), stdout=StringIO(), stderr=StringIO())
    call = Call.objects.get(slug=SLUG)
    planted = _plant()
    assert planted > 500
    decision = _publish(call, LOAD_AT + dt.timedelta(days=1))
    assert decision.published_at is not None
    # The markers really are in the published candidates' raw reasons (so redaction had work to do).
    assert DecisionEntry.objects.filter(decision=decision, reason__contains=DOMAIN).count() == 36 - 3

    client = Client()
    pages = _crawl(
        client, ["/", "/en/", f"/aufrufe/{SLUG}/entscheidung/", f"/en/aufrufe/{SLUG}/entscheidung/"]
    )
    ok = {path: body for path, body in pages.items() if body}
    # The crawl reached what it must check: the decision (every page of it), the FAQ, the
    # statistics with the map, one proposal's page, the open-data downloads, in both languages.
    for needle in ("/entscheidung/", "/fragen/", "/statistik/", "/entscheidung/daten/", "karte.svg"):
        assert any(needle in path for path in ok), f"the crawl never reached {needle}"
    assert any(path.startswith("/en/") for path in ok)
    entry = (
        DecisionEntry.objects.filter(decision=decision).select_related("proposal").order_by("rank").first()
    )
    assert entry is not None
    assert any(entry.proposal.reference in path for path in ok)

    api_paths = ["/api/v1/openapi.json", "/api/v1/calls", f"/api/v1/calls/{SLUG}"]
    schema = client.get("/api/v1/openapi.json").json()
    for template in schema["paths"]:
        path = template.replace("{slug}", SLUG).replace("{reference}", entry.proposal.reference)
        if "{" not in path:
            api_paths.append(path)
    api = {path: client.get(path).content for path in api_paths}
    assert sum(1 for body in api.values() if body) >= 5

    out = tmp_path / "export"
    call_command("export_open_data", "--call", SLUG, "--out", str(out), stdout=StringIO())
    files = {str(path): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}
    assert len(files) >= 10

    leaks = {
        where: found for where, body in [*ok.items(), *api.items(), *files.items()] if (found := _found(body))
    }
    assert leaks == {}
    # Sanity: the reasons are published (redacted), so the check above looked at real text.
    assert b"[geschw" in b"".join(ok.values()) + b"".join(files.values())
