"""Benchmark: the public decision page of a call with 10,000 proposals.

Setup (not timed), in a throwaway SQLite file (or ``--database-url``, a scratch database that is
migrated and filled): the places, one published call, 10,000 proposals with a lead municipality
drawn from the real Gemeinden, two or three partners each, four criteria, 30 jurors in 6
organisations, three submitted reviews per proposal with a score per criterion (120,000 scores),
some declared conflicts, a selection run, a published decision with 10,000 entries (16 selected,
30 on the waitlist, the rest not selected) and a confirmed, redacted reason for each — written
with ``bulk_create``.

Measured with Django's test client in this process (the whole Django stack — middleware, view,
queries, template — without a web server or network): the first view of the decision page
(``/aufrufe/<slug>/entscheidung/``), a filtered and sorted view, the last page of the table, one
proposal's page, the statistics page and the read API's decision and proposals endpoints; each
after warm-up requests, median and p95 of the server time, the HTML size and the number of
queries. Prints a Markdown section for docs/performance.md (see bench/run.py).

    .venv/bin/python bench/public_decision.py [--entries 10000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 50.0
GOAL_BYTES = 50 * 1024
WARM_UP = 5
REQUESTS = 41
SEED = 2019
SLUG = "bench-2019"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def build(entries: int) -> dict[str, Any]:
    """The call with its published decision (see the module docstring). Returns facts about it."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.db import transaction

    from oglabs.accounts.models import Role, User
    from oglabs.calls.services import create_call
    from oglabs.places.models import Municipality
    from oglabs.proposals.models import Partner, PartnerKind, Proposal, ProposalVersion, VersionKind
    from oglabs.proposals.states import ProposalState
    from oglabs.reviews.models import (
        ConflictOfInterest,
        ConflictSource,
        Criterion,
        Juror,
        Review,
        ReviewState,
        Score,
    )
    from oglabs.selection.models import Decision, DecisionEntry, Outcome, SelectionRun
    from oglabs.transparency.models import PublicText, PublishedField, TextStatus

    berlin = ZoneInfo("Europe/Berlin")
    now = dt.datetime(2020, 3, 2, 10, 0, tzinfo=berlin)
    rng = random.Random(SEED)
    call = create_call(
        actor=None,
        data={
            "slug": SLUG,
            "title": "Regionale Open Government Labore (Benchmark)",
            "description": "Benchmark",
            "sponsor": "Bundesministerium des Innern, für Bau und Heimat (BMI)",
            "programme": "Bundesprogramm Ländliche Entwicklung (BULE)",
            "budget": Decimal("3000000.00"),
            "budget_reservation": True,
            "max_labs": 16,
            "funding_starts_on": dt.date(2020, 1, 1),
            "funding_ends_on": dt.date(2022, 12, 31),
            "contact_email": "regionale-open-government-labore@bmi.bund.de",
            "partner_organisations": "Deutscher Städtetag\nDeutscher Landkreistag",
            "is_published": True,
            "opens_at": dt.date(2019, 9, 1),
            "deadline_at": dt.date(2019, 10, 31),
            "workshop_starts_at": dt.date(2019, 11, 1),
            "workshop_ends_at": dt.date(2019, 11, 30),
            "selection_starts_at": dt.date(2019, 12, 1),
            "selection_ends_at": dt.date(2020, 2, 29),
        },
        now=dt.datetime(2019, 8, 1, tzinfo=berlin),
    )
    municipalities = list(
        Municipality.objects.filter(kind__in=["gemeinde", "stadt"])
        .order_by("ars")
        .values_list("ars", flat=True)
    )
    staff = [User.objects.create_user(f"bench-staff-{i}@example.org", role=Role.STAFF) for i in (1, 2)]
    with transaction.atomic():
        proposals = Proposal.objects.bulk_create(
            Proposal(
                call=call,
                reference=f"OGL-2019-{number:05d}",
                title=f"Labor {number}",
                state=ProposalState.NOT_SELECTED,
                lead_municipality_id=rng.choice(municipalities),
                created_at=now,
                updated_at=now,
                submitted_at=now,
            )
            for number in range(1, entries + 1)
        )
        kinds = [kind.value for kind in PartnerKind]
        Partner.objects.bulk_create(
            Partner(
                proposal=proposal,
                position=position,
                kind=rng.choice(kinds),
                name=rng.choice(
                    [
                        "Bürgerverein",
                        "Förderverein Mehrgenerationenhaus",
                        "Evangelische Kirchengemeinde",
                        "Hochschule, Studiengang Soziale Arbeit",
                        "Naturschutzbund-Ortsgruppe",
                    ]
                )
                + f" {proposal.reference[-4:]} e. V.",
                contact_email=f"partner{proposal.pk}-{position}@example.org",
            )
            for proposal in proposals
            for position in range(rng.choice((2, 3)))
        )
        ProposalVersion.objects.bulk_create(
            ProposalVersion(
                proposal=proposal,
                number=1,
                kind=VersionKind.SUBMITTED,
                stage="sketch",
                content={},
                sha256=f"{proposal.pk:064x}",
                created_at=now,
            )
            for proposal in proposals
        )
        criteria = [
            Criterion.objects.create(
                call=call,
                key=key,
                position=position,
                name=name,
                weight=Decimal(weight),
                scale_min=0,
                scale_max=10,
            )
            for position, (key, name, weight) in enumerate(
                [
                    ("beteiligung", "Beteiligung und Offenheit", "2"),
                    ("wirkung", "Wirkung in der Region", "1.5"),
                    ("umsetzung", "Umsetzbarkeit", "1"),
                    ("nachhaltigkeit", "Nachhaltigkeit", "1"),
                ],
                start=1,
            )
        ]
        organisations = [
            "Deutscher Landkreistag",
            "Deutscher Städtetag",
            "Deutscher Städte- und Gemeindebund",
            "Bertelsmann Stiftung",
            "Open Knowledge Foundation Deutschland",
            "Fraunhofer FOKUS",
        ]
        jurors = [
            Juror.objects.create(
                call=call,
                user=User.objects.create_user(f"bench-juror-{i}@example.org", role=Role.JUROR),
                organisation=organisations[i % len(organisations)],
                added_at=now,
                conflicts_declared_at=now,
            )
            for i in range(30)
        ]
        reviews = Review.objects.bulk_create(
            Review(
                juror=jurors[(index * 3 + offset) % len(jurors)],
                proposal=proposal,
                source="automatic",
                state=ReviewState.SUBMITTED,
                assigned_at=now,
                updated_at=now,
                submitted_at=now,
            )
            for index, proposal in enumerate(proposals)
            for offset in range(3)
        )
        Score.objects.bulk_create(
            (
                Score(review=review, criterion=criterion, value=rng.randint(2, 10))
                for review in reviews
                for criterion in criteria
            ),
            batch_size=5000,
        )
        ConflictOfInterest.objects.bulk_create(
            ConflictOfInterest(
                juror=jurors[(index * 3 + 5) % len(jurors)],
                proposal=proposal,
                source=ConflictSource.DECLARED,
                reason="Ich berate die Kommune.",
                created_at=now,
            )
            for index, proposal in enumerate(proposals[::50])
        )
        run = SelectionRun.objects.create(
            call=call,
            number=1,
            parameters={
                "budget": "3000000.00",
                "max_labs": 16,
                "max_per_state": 3,
                "min_rural_share": "0.5",
                "min_score": None,
                "min_funding_share": None,
                "explain_top": 10,
                "time_limit": 60.0,
            },
            inputs={"candidates": [], "excluded": [], "proposals": {}},
            aggregation={
                "method": "mean",
                "normalised": False,
                "reviews_per_proposal": 3,
                "max_score": "55",
                "criteria": [
                    {
                        "key": c.key,
                        "name": c.name,
                        "weight": str(c.weight),
                        "scale_min": 0,
                        "scale_max": 10,
                        "min_score": None,
                    }
                    for c in criteria
                ],
            },
            result={},
            greedy_result={},
            status="optimal",
            code_version="oglabs bench",
            solver_version="HiGHS",
            duration_ms=1000,
            created_at=now,
            created_by=staff[0],
        )
        decision = Decision.objects.create(
            call=call, run=run, decided_at=now, decided_by=staff[0], published_at=now + dt.timedelta(days=1)
        )
        scores = sorted(
            ((Decimal(rng.randint(150000, 500000)) / 10000, proposal) for proposal in proposals),
            key=lambda item: (-item[0], item[1].pk),
        )
        rows = []
        for rank, (score, proposal) in enumerate(scores, start=1):
            requested = Decimal(rng.randrange(50000, 300000, 500))
            if rank <= 16:
                outcome, granted, waitlist = Outcome.SELECTED, requested, None
                reason = "Die Interessenbekundung überzeugt in allen Kriterien; das Labor wird gefördert."
            elif rank <= 46:
                outcome, granted, waitlist = Outcome.WAITLISTED, Decimal("0.00"), rank - 16
                reason = (
                    "Das Budget war ausgeschöpft: Mit dieser Interessenbekundung wäre die Summe um "
                    f"{requested:,.2f} € überschritten worden. Höchstzahl von 16 Laboren erreicht. Sie steht "
                    "auf der Nachrückliste und rückt nach, wenn ein ausgewähltes Labor nicht gefördert wird."
                )
            else:
                outcome, granted, waitlist = Outcome.NOT_SELECTED, Decimal("0.00"), None
                reason = (
                    f"Mit {score} Punkten liegt die Interessenbekundung auf Rang {rank}. Das Budget und die "
                    "Höchstzahl von 16 Laboren waren mit höher bewerteten Interessenbekundungen ausgeschöpft; "
                    "für eine Auswahl wären mindestens 44,5 Punkte nötig gewesen."
                )
            rows.append(
                DecisionEntry(
                    decision=decision,
                    proposal=proposal,
                    outcome=outcome,
                    rank=rank,
                    score=score,
                    requested_amount=requested,
                    granted_amount=granted,
                    waitlist_position=waitlist,
                    reason=reason,
                )
            )
        DecisionEntry.objects.bulk_create(rows, batch_size=2000)
        PublicText.objects.bulk_create(
            (
                PublicText(
                    decision=decision,
                    proposal=row.proposal,
                    field=PublishedField.REASON,
                    original=row.reason,
                    redacted=row.reason,
                    status=TextStatus.CONFIRMED,
                    marked_at=now,
                    prepared_by=staff[0],
                    confirmed_by=staff[1],
                    confirmed_at=now,
                )
                for row in rows
            ),
            batch_size=2000,
        )
    return {
        "entries": entries,
        "scores": len(reviews) * len(criteria),
        "lands": sorted({r.proposal.lead_municipality_id[:2] for r in rows}),
    }


def measure(client: Any, url: str) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM_UP):
        response = client.get(url)
        assert response.status_code == 200, f"{url}: HTTP {response.status_code}"
    timings = []
    cpu = []
    for _ in range(REQUESTS):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return {
        "url": url,
        "median": statistics.median(timings),
        "cpu": statistics.median(cpu),
        "p95": percentile(timings, 0.95),
        "bytes": len(response.content),
        "queries": len(queries.captured_queries),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--database-url", help="a scratch database (default: throwaway SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="oglabs-bench-") as scratch:
        os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{scratch}/decision.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oglabs.settings")
        os.environ.setdefault("OGLABS_FAST_PASSWORD_HASHER", "1")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        from oglabs.places.reference import read_reference
        from oglabs.places.services import load_reference_data
        from oglabs.transparency import public_queries

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        load_reference_data(read_reference())
        started = time.perf_counter()
        facts = build(args.entries)
        setup_seconds = time.perf_counter() - started
        client = Client()
        decision_url = reverse("public:call_decision", kwargs={"slug": SLUG})
        land = facts["lands"][len(facts["lands"]) // 2]
        last_page = math.ceil(args.entries / public_queries.PER_PAGE)
        pages = [
            ("decision page, first view", decision_url),
            (
                "decision page, filtered (not selected, one Land), sorted by amount",
                f"{decision_url}?outcome=not_selected&land={land}&sort=requested",
            ),
            ("decision page, last page of the table", f"{decision_url}?page={last_page}"),
            ("decision page, first view in English", "/en" + decision_url),
            (
                "one proposal's page",
                reverse("public:decision_proposal", kwargs={"slug": SLUG, "reference": "OGL-2019-05000"}),
            ),
            ("statistics page", reverse("public:call_statistics", kwargs={"slug": SLUG})),
        ]
        api = [
            ("API: decision", f"/api/v1/calls/{SLUG}/decision"),
            ("API: proposals, first page", f"/api/v1/calls/{SLUG}/proposals"),
        ]
        results = [(label, measure(client, url)) for label, url in pages]
        for label, url in api:
            if client.get(url).status_code == 200:
                results.append((label, measure(client, url)))
        first = results[0][1]
        per_page = public_queries.PER_PAGE
        vendor = connection.vendor
        load = os.getloadavg()[0]
        connection.close()

    lines = [
        "## Public decision page with 10,000 proposals",
        "",
        f"A published decision with {args.entries:,} entries ({facts['scores']:,} jury scores, a confirmed "
        f"reason per entry) in {vendor} ({'throwaway file' if not args.database_url else 'scratch database'}); "
        f"setup with `bulk_create` {setup_seconds:.0f} s (not timed). Server time measured with Django's "
        f"test client in-process (middleware, view, queries, template; no web server, no network), "
        f"{REQUESTS} requests after {WARM_UP} warm-up requests each; the table shows {per_page} rows per "
        f"page. Load average of the shared machine at the end: {load:.1f}; the CPU time of this process "
        + (
            "(SQLite runs in it) shows what the requests cost without waiting for a core "
            if vendor == "sqlite"
            else "(without the database server's) shows the Python side of the requests "
        )
        + "(`bench/public_decision.py`).",
        "",
        "| page | median ms | p95 ms | median CPU ms | HTML/JSON KB | queries |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, result in results:
        lines.append(
            f"| {label} | {result['median']:.1f} | {result['p95']:.1f} | {result['cpu']:.1f} | "
            f"{result['bytes'] / 1024:.1f} | {result['queries']} |"
        )
    met = first["median"] <= GOAL_MS and first["bytes"] <= GOAL_BYTES
    lines += [
        "",
        f"Goal: the first view in at most {GOAL_MS:.0f} ms median with at most {GOAL_BYTES // 1024} KB of HTML — "
        + ("met" if met else f"**not met** ({first['median']:.1f} ms, {first['bytes'] / 1024:.1f} KB)")
        + ".",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
