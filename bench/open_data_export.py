"""Benchmark: the open-data export (``export_open_data``) of a published decision with 10,000 proposals.

Setup (not timed, a child process, a throwaway SQLite file unless ``--database-url``): migrate;
16 Länder with one Kreis each and 10,000 synthetic Gemeinden; one published call with three
weighted criteria and a jury of 30 in 6 organisations; 10,000 proposals *im
Teilnahmewettbewerb* (a further municipality, free texts for region and moderation, three
partners with a role and a contact address, four tasks with texts, a challenge, six budget lines
each), each with its handed-in version of content format 2 (``proposals.queries.proposal_content``,
normalised and hashed as ``freeze_version`` does) and the deadline sealed over them
(``transparency.services.commit_deadline``), three submitted reviews per proposal with a score per
criterion (30,000 reviews, 90,000 scores) — all with ``bulk_create``; then the selection exactly as the application
computes it (``selection.queries.compute_selection``: the jury's results, the candidates, the
optimiser), a stored run, the decision's 10,000 entries as ``decide`` writes them, a confirmed
redacted reason per entry, and the publication.

Measured, each in a fresh child process after Django is set up: ``write_export`` into an empty
directory (median of several runs; peak resident memory of the whole process, ``ru_maxrss``);
once more under ``tracemalloc`` (peak of Python allocations during the export); and
``verify_export`` on the result (the recomputation, for information). Goals (issue 6): at most
5 s and 200 MB for 10,000 proposals. Prints a Markdown section for docs/performance.md.

    .venv/bin/python bench/open_data_export.py [--proposals 10000] [--runs 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 5.0
GOAL_MB = 200.0
SEED = 2019
SLUG = "bench-open-data"


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oglabs.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


# --- child phases -------------------------------------------------------------------------------


def phase_setup(database_url: str, count: int) -> dict[str, Any]:
    _django(database_url)
    import datetime as dt

    from django.core.management import call_command
    from django.db import transaction

    from oglabs.accounts.models import Role, User
    from oglabs.calls.models import Call, Challenge, EligibilityRules, Phase
    from oglabs.core.canonical import normalise
    from oglabs.places.models import District, Municipality, State
    from oglabs.proposals.hashing import version_hash
    from oglabs.proposals.models import (
        BudgetLine,
        ConsortiumMunicipality,
        LabTask,
        Partner,
        Proposal,
        ProposalVersion,
        VersionKind,
    )
    from oglabs.proposals.queries import _with_content, proposal_content
    from oglabs.proposals.states import ProposalState
    from oglabs.reviews.models import Criterion, Juror, Review, ReviewSettings, ReviewState, Score
    from oglabs.selection import optimiser, queries
    from oglabs.selection.models import Decision, DecisionEntry, SelectionRun
    from oglabs.selection.serialise import result_to_json
    from oglabs.selection.services import code_version
    from oglabs.transparency.models import PublicText, PublishedField, TextStatus
    from oglabs.transparency.services import commit_deadline

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(SEED)
    now = dt.datetime(2019, 12, 12, 10, 0, tzinfo=dt.UTC)
    with transaction.atomic():
        states = State.objects.bulk_create(
            State(
                ars=f"{k:02d}",
                code=f"{k:02d}",
                name=f"Land {k}",
                population=1_000_000,
                area_km2=Decimal(1000),
            )
            for k in range(1, 17)
        )
        districts = District.objects.bulk_create(
            District(ars=f"{s.ars}001", state=s, name=f"Kreis {s.ars}", kind="Landkreis", population=100_000,
                     area_km2=Decimal(500))
            for s in states
        )  # fmt: skip
        municipalities = Municipality.objects.bulk_create(
            (
                Municipality(
                    ars=f"{districts[i % 16].ars}{i:07d}",
                    ags=f"{districts[i % 16].ars}{i % 1000:03d}",
                    name=f"Gemeinde {i}",
                    search_name=f"gemeinde {i}",
                    kind="gemeinde",
                    official_type="Kreisangehörige Gemeinde",
                    state=states[i % 16],
                    district=districts[i % 16],
                    population=2000 + i,
                    urbanisation=3 if i % 5 < 3 else 2,
                    longitude=6 + (i % 900) / 100,
                    latitude=47.5 + (i % 700) / 100,
                )
                for i in range(2 * count)
            ),
            batch_size=2000,
        )
        call = Call.objects.create(
            slug=SLUG,
            title="Regionale Open Government Labore (Benchmark)",
            sponsor="Bundesministerium des Innern, für Bau und Heimat",
            programme="Bundesprogramm Ländliche Entwicklung",
            budget=Decimal("3000000.00"),
            max_labs=16,
            funding_starts_on=dt.date(2020, 1, 1),
            funding_ends_on=dt.date(2022, 12, 31),
            contact_email="regionale-open-government-labore@bmi.bund.de",
            is_published=True,
            created_at=now,
            updated_at=now,
        )
        deadline = dt.datetime(2019, 10, 31, 22, 59, 59, tzinfo=dt.UTC)
        Phase.objects.create(
            call=call, kind="open", starts_at=deadline - dt.timedelta(days=60), ends_at=deadline
        )
        Phase.objects.create(call=call, kind="deadline", starts_at=deadline, ends_at=deadline)
        EligibilityRules.objects.create(call=call)
        challenges = [
            Challenge.objects.create(call=call, key=key, label=label, position=n)
            for n, (key, label) in enumerate(
                [
                    ("strukturwandel", "Strukturwandel"),
                    ("digitalisierung", "Digitalisierung"),
                    ("demografie", "Demografie"),
                ],
                start=1,
            )
        ]
        ReviewSettings.objects.create(call=call, reviews_per_proposal=3, updated_at=now)
        criteria = [
            Criterion.objects.create(
                call=call, key=key, position=n, name=name, weight=Decimal(weight), scale_min=0, scale_max=10
            )
            for n, (key, name, weight) in enumerate(
                [
                    ("beteiligung", "Beteiligung", "2.00"),
                    ("wirkung", "Wirkung", "1.50"),
                    ("umsetzung", "Umsetzbarkeit", "1.00"),
                ],
                start=1,
            )
        ]
        organisations = ["Deutscher Landkreistag", "Deutscher Städtetag", "DStGB", "Bertelsmann Stiftung", "OKF DE",
                         "Fraunhofer FOKUS"]  # fmt: skip
        users = User.objects.bulk_create(
            User(email=f"bench-juror-{i}@example.org", role=Role.JUROR) for i in range(30)
        )
        jurors = Juror.objects.bulk_create(
            Juror(
                call=call, user=u, organisation=organisations[i % 6], added_at=now, conflicts_declared_at=now
            )
            for i, u in enumerate(users)
        )
        staff = User.objects.create(email="bench-staff@example.org", role=Role.STAFF)
        second = User.objects.create(email="bench-staff-2@example.org", role=Role.STAFF)
        proposals = Proposal.objects.bulk_create(
            (
                Proposal(
                    call=call,
                    reference=f"OGL-2019-{n:05d}",
                    title=f"Offenes Labor {n}",
                    state=ProposalState.IN_COMPETITION,
                    lead_municipality=municipalities[n],
                    own_contribution=Decimal(rng.randrange(0, 20_000, 100)),
                    region=f"Region des Labors {n}: " + "Ländlicher Raum im Strukturwandel, " * 12,
                    lab_form=("place", "network", "both")[n % 3],
                    moderation="Moderation durch eine externe Stelle, Konflikte im Lenkungskreis. " * 6,
                    created_at=now,
                    updated_at=now,
                    submitted_at=deadline - dt.timedelta(seconds=count - n),
                )
                for n in range(count)
            ),
            batch_size=2000,
        )
        ConsortiumMunicipality.objects.bulk_create(
            (
                ConsortiumMunicipality(proposal=p, municipality=municipalities[count + n])
                for n, p in enumerate(proposals)
            ),
            batch_size=5000,
        )
        Partner.objects.bulk_create(
            (
                Partner(proposal=p, position=k, kind=("civil_society", "science", "business")[k],
                        name=f"Partner {k} von {p.reference}", cooperation_exists=k == 0,
                        role_in_lab=f"Rolle {k}: " + "bringt Wissen und Netzwerke in das Labor ein. " * 4,
                        contact_email=f"partner{p.pk}-{k}@example.org")
                for p in proposals
                for k in range(3)
            ),
            batch_size=5000,
        )  # fmt: skip
        LabTask.objects.bulk_create(
            (
                LabTask(proposal=p, position=k, title=f"Aufgabe {k} von {p.reference}",
                        description="Beschreibung der Aufgabe mit Vorgehen und Beteiligten. " * 8,
                        indicator="Zahl der Beteiligten", target_value=f"{20 * (k + 1)}",
                        due_on=dt.date(2021, 3 * k + 1, 15),
                        verification="Protokolle und Teilnahmelisten der Veranstaltungen. " * 3)
                for p in proposals
                for k in range(4)
            ),
            batch_size=5000,
        )  # fmt: skip
        Proposal.challenges.through.objects.bulk_create(
            (
                Proposal.challenges.through(proposal=p, challenge=challenges[n % 3])
                for n, p in enumerate(proposals)
            ),
            batch_size=5000,
        )
        BudgetLine.objects.bulk_create(
            (
                BudgetLine(
                    proposal=p,
                    year=year,
                    category=category,
                    amount=Decimal(rng.randrange(8_000, 42_001, 500)),
                )
                for p in proposals
                for year in (2020, 2021, 2022)
                for category in ("staff", "material")
            ),
            batch_size=5000,
        )
        reviews = Review.objects.bulk_create(
            (
                Review(juror=jurors[(n * 3 + k) % 30], proposal=p, source="automatic", state=ReviewState.SUBMITTED,
                       assigned_at=now, updated_at=now, submitted_at=now)
                for n, p in enumerate(proposals)
                for k in range(3)
            ),
            batch_size=5000,
        )  # fmt: skip
        Score.objects.bulk_create(
            (Score(review=r, criterion=c, value=rng.randint(2, 10)) for r in reviews for c in criteria),
            batch_size=10000,
        )
        for start in range(0, count, 1000):
            # loaded as the application loads a proposal's content (canonical order of each relation)
            chunk = _with_content(
                Proposal.objects.filter(pk__in=[p.pk for p in proposals[start : start + 1000]])
            ).order_by("pk")
            versions = []
            for proposal in chunk:
                content = normalise(proposal_content(proposal))
                versions.append(
                    ProposalVersion(proposal=proposal, number=1, kind=VersionKind.SUBMITTED, stage=proposal.stage,
                                    content=content, sha256=version_hash(content), created_at=proposal.submitted_at)
                )  # fmt: skip
            ProposalVersion.objects.bulk_create(versions)
    built = time.perf_counter() - started
    started = time.perf_counter()
    commitment = commit_deadline(call, now=now)
    sealed = time.perf_counter() - started
    started = time.perf_counter()
    rules = queries.selection_rules(budget="3000000", max_labs=16, max_per_state=2, rural_min_share="0.5")
    computation = queries.compute_selection(call, rules)
    with transaction.atomic():
        run = SelectionRun.objects.create(
            call=call,
            number=1,
            parameters=computation.parameters_json(),
            inputs=computation.inputs.to_json(),
            aggregation=computation.inputs.aggregation,
            result=result_to_json(computation.result),
            greedy_result=result_to_json(computation.greedy),
            status=computation.result.status.value,
            code_version=code_version(),
            solver_version=optimiser.solver_version(),
            duration_ms=computation.duration_ms,
            created_at=now,
            created_by=staff,
        )
        view = queries.view_of(run)
        decision = Decision.objects.create(
            call=call, run=run, decided_at=now, decided_by=staff, published_at=now
        )
        DecisionEntry.objects.bulk_create(
            (
                DecisionEntry(decision=decision, proposal_id=row.proposal_id, outcome=row.outcome, rank=row.rank,
                              score=row.score, requested_amount=row.requested, granted_amount=row.granted,
                              waitlist_position=row.waitlist_position, explanation=row.explanation,
                              reason=f"Begründung {row.reference}: Frau Erika Musterfrau.")
                for row in view.rows
            ),
            batch_size=5000,
        )  # fmt: skip
        PublicText.objects.bulk_create(
            (
                PublicText(decision=decision, proposal_id=row.proposal_id, field=PublishedField.REASON,
                           original=f"Begründung {row.reference}: Frau Erika Musterfrau.",
                           redacted=f"Begründung {row.reference}: Frau [geschwärzt].", status=TextStatus.CONFIRMED,
                           marked_by=staff, marked_at=now, prepared_by=staff, confirmed_by=second, confirmed_at=now)
                for row in view.rows
            ),
            batch_size=5000,
        )  # fmt: skip
    return {
        "build_s": built,
        "seal_s": sealed,
        "leaves": commitment.leaf_count,
        "decide_s": time.perf_counter() - started,
        "entries": len(view.rows),
        "selected": len(view.selected),
        "candidates": len(computation.inputs.candidates),
        "reviews": len(reviews),
    }


def phase_export(database_url: str, out: str, trace: bool) -> dict[str, Any]:
    _django(database_url)
    import tracemalloc

    from oglabs.calls.models import Call
    from oglabs.transparency.opendata import write_export

    call = Call.objects.get(slug=SLUG)
    before = _rss_mb()
    if trace:
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    export = write_export(call, Path(out))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rss_before_mb": before,
        "rss_peak_mb": _rss_mb(),
        "traced_peak_mb": peak,
        "bytes": sum(size for _sha, size in export.files.values())
        + (Path(out) / "SHA256SUMS").stat().st_size,
        "files": len(export.files) + 1,
        "proposals": export.proposals,
        "reviews": export.reviews,
        "grants": export.grants,
    }


def phase_verify(out: str) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from oglabs.transparency.verify import verify_export

    started = time.perf_counter()
    report = verify_export(out)
    return {
        "seconds": time.perf_counter() - started,
        "identical": report.identical,
        "lines": report.lines()[:5],
    }


# --- parent -------------------------------------------------------------------------------------


def child(*arguments: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, *arguments], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"child {arguments[:2]} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--phase", choices=["setup", "export", "trace", "verify"])
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    if args.phase == "setup":
        print(json.dumps(phase_setup(args.database_url, args.proposals)))
        return 0
    if args.phase in ("export", "trace"):
        print(json.dumps(phase_export(args.database_url, args.out, args.phase == "trace")))
        return 0
    if args.phase == "verify":
        print(json.dumps(phase_verify(args.out)))
        return 0
    with tempfile.TemporaryDirectory(prefix="oglabs-bench-opendata-") as scratch:
        url = args.database_url or f"sqlite:///{scratch}/bench.sqlite3"
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        setup = child("--phase", "setup", "--database-url", url, "--proposals", str(args.proposals))
        runs = [
            child("--phase", "export", "--database-url", url, "--out", f"{scratch}/export-{n}")
            for n in range(args.runs)
        ]
        traced = child("--phase", "trace", "--database-url", url, "--out", f"{scratch}/export-traced")
        verified = child("--phase", "verify", "--out", f"{scratch}/export-0")
    seconds = statistics.median(r["seconds"] for r in runs)
    cpu = statistics.median(r["cpu_seconds"] for r in runs)
    rss = max(r["rss_peak_mb"] for r in runs)
    first = runs[0]
    each = ", ".join(f"{r['seconds']:.2f}" for r in runs)
    met = seconds <= GOAL_SECONDS and rss <= GOAL_MB
    database = "PostgreSQL" if url.startswith("postgres") else "SQLite (scratch file)"
    lines = [
        f"## Open data: export of a published decision with {first['proposals']:,} proposals",
        "",
        f"`write_export` (what `manage.py export_open_data` runs) for {first['proposals']:,} proposals, "
        f"{first['reviews']:,} counted reviews and {first['grants']} grants, {database}; data built with "
        "`bulk_create` and decided as the application does (`bench/open_data_export.py`). Each export in a "
        "fresh process after Django is set up; wall-clock seconds and the process's CPU seconds (on a "
        "loaded shared machine the wall clock includes waiting for a core); memory is the peak resident size of that whole process "
        f"(Django included), and separately the peak of Python allocations during the export (tracemalloc, "
        f"a run of its own). Load average before the run: {load} (the machine is shared).",
        "",
        "| proposals | runs | export s (median) | runs s | CPU s (median) | peak RSS MB | RSS before export MB | tracemalloc peak MB | files | bytes | verify_decision s | identical |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| {first['proposals']:,} | {len(runs)} | {seconds:.2f} | {each} | {cpu:.2f} | "
        f"{rss:.0f} | {first['rss_before_mb']:.0f} | {traced['traced_peak_mb']:.0f} | {first['files']} | "
        f"{first['bytes']:,} | {verified['seconds']:.1f} | {'yes' if verified['identical'] else 'NO'} |",
        "",
        f"Setup (not timed): data {setup['build_s']:.0f} s, sealing the deadline over {setup['leaves']:,} "
        f"format-2 versions (`commit_deadline`) {setup['seal_s']:.1f} s, selection and decision {setup['decide_s']:.0f} s "
        f"({setup['candidates']:,} candidates, {setup['selected']} selected).",
        "",
        f"Goal: at most {GOAL_SECONDS:.0f} s and {GOAL_MB:.0f} MB for 10,000 proposals — "
        + ("**met**." if met else "**not met**."),
    ]
    print("\n".join(lines))
    return 0 if verified["identical"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
