"""Benchmark: a deadline rush — 200 applicants save and submit at once, against gunicorn.

For each database (SQLite in a scratch file, PostgreSQL in the scratch database ``oglabs_bench``
on 127.0.0.1:5432, dropped and created afresh):

1. setup (not timed, in a child process): migrate, load the places, one open call, 200 applicant
   accounts, each with a complete draft made by the domain services (content of the demo's
   2019 consortia), a logged-in session (``Client.force_login``) and a CSRF secret;
2. gunicorn serves ``bench/settings_bench.py`` (production settings + ``bench/urls_bench.py``) on
   127.0.0.1 with ``gthread`` workers;
3. warm-up, then the baseline: 3 rounds of 200 concurrent logged-in POSTs to a view that does one
   INSERT; then the rush: 200 concurrent saves of a section (``save_section``), then 200
   concurrent submissions (``submit_proposal``: eligibility, frozen version with SHA-256, audit
   event, receipt PDF queued as mail). Every client thread opens its own connection;
4. verification (child process): every submission answered with 200 is in the database, state
   ``submitted``, with a version whose SHA-256 matches ``version_hash(content)`` and the hash the
   client was told, and whose content is the proposal's content now.

Prints a Markdown section for docs/performance.md (see bench/run.py).

    .venv/bin/python bench/deadline_rush.py [--databases sqlite,postgres] [--applicants 200]

Server: 2 cores here. ``--workers 4 --threads 4`` (gthread): two processes per core keep both
cores busy while one process waits for the database, and 4 threads per process overlap the
waits without letting 200 requests run at once (more threads only contend for the GIL and, on
SQLite, for the one write lock). 16 requests in flight; the rest wait in the listen queue.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH_DB = "oglabs_bench"
CSRF_SECRET = "b" * 32  # a CSRF cookie secret; the header carries the same (unmasked) secret
BASELINE_ROUNDS = 3
REQUEST_TIMEOUT = 60.0
GOALS = {"ratio": 0.8, "p99_ms": 500.0}
WORKERS = 4
THREADS = 4


# --- child phases (run with Django set up) ------------------------------------------------------


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["OGLABS_BENCH_BASELINE"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _sections(record: dict[str, Any]) -> list[tuple[str, Any]]:
    """A demo consortium record as the sections of the form (as the import applies them)."""
    import datetime as dt

    general = {
        name: record[name]
        for name in ("title", "region", "lab_form", "moderation", "challenges", "own_contribution")
    }
    general["state_contribution"] = record["state_contribution"]
    tasks = [{**task, "due_on": dt.date.fromisoformat(task["due_on"])} for task in record["tasks"]]
    return [
        ("general", general),
        (
            "municipalities",
            {"lead": record["lead_municipality"], "further": record["further_municipalities"]},
        ),
        ("partners", record["partners"]),
        ("tasks", tasks),
        ("budget", record["budget"]),
    ]


def phase_setup(database_url: str, applicants: int, out: Path) -> None:
    _django(database_url)
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bench.urls_bench import BASELINE_TABLE
    from oglabs.accounts.models import Role, User
    from oglabs.calls.services import create_call
    from oglabs.demo.consortia import generate_consortia
    from oglabs.demo.loading import demo_places
    from oglabs.places.models import Municipality
    from oglabs.proposals.services import save_section, start_proposal

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_places", stdout=open(os.devnull, "w"))  # noqa: SIM115  # discarded output
    with connection.cursor() as cursor:
        key = (
            "INTEGER PRIMARY KEY AUTOINCREMENT" if connection.vendor == "sqlite" else "BIGSERIAL PRIMARY KEY"
        )
        cursor.execute(f"CREATE TABLE {BASELINE_TABLE} (id {key}, user_id BIGINT, created_at VARCHAR(40))")
    now = timezone.now()
    today = timezone.localdate()
    call = create_call(
        actor=None,
        data={
            "slug": "ansturm",
            "title": "Regionale Open Government Labore (Benchmark)",
            "description": "Benchmark",
            "sponsor": "BMI",
            "programme": "BULE",
            "budget": Decimal("3000000.00"),
            "budget_reservation": True,
            "max_labs": 16,
            "funding_starts_on": dt.date(2020, 1, 1),
            "funding_ends_on": dt.date(2022, 12, 31),
            "contact_email": "bench@example.org",
            "is_published": True,
            "opens_at": today - dt.timedelta(days=30),
            "deadline_at": today + dt.timedelta(days=30),
        },
        now=now,
    )
    records = generate_consortia(demo_places())
    municipalities = {
        m.ars: m for m in Municipality.objects.filter(ars__in=[r["lead_municipality"] for r in records])
    }
    prepared = []
    for number in range(applicants):
        record = records[number % len(records)]
        user = User.objects.create_user(f"ansturm{number:03d}@example.org", None, role=Role.APPLICANT)
        proposal = start_proposal(
            call=call,
            actor=user,
            title=record["title"],
            lead_municipality=municipalities[record["lead_municipality"]],
            now=now,
        )
        for version, (section, data) in enumerate(_sections(record)):
            save_section(proposal, section=section, data=data, expected_version=version, actor=user, now=now)
        client = Client()
        client.force_login(user)
        prepared.append(
            {
                "pk": proposal.pk,
                "lock_version": proposal.lock_version,
                "session": client.cookies["sessionid"].value,
                "general": {
                    "title": record["title"],
                    "region": record["region"],
                    "lab_form": record["lab_form"],
                    "moderation": record["moderation"] + " Letzte Änderung vor der Frist.",
                    "challenges": record["challenges"],
                    "own_contribution": record["own_contribution"],
                    "state_contribution": record["state_contribution"],
                },
            }
        )
    out.write_text(json.dumps(prepared), encoding="utf-8")


def phase_verify(database_url: str, results_path: Path, out: Path) -> None:
    _django(database_url)
    from oglabs.core.canonical import normalise
    from oglabs.proposals import queries
    from oglabs.proposals.hashing import version_hash
    from oglabs.proposals.models import Proposal

    answered = json.loads(results_path.read_text(encoding="utf-8"))
    ok_pks = {int(pk): sha for pk, sha in answered.items()}
    proposals = {
        p.pk: p
        for p in queries.proposals_of_call(Proposal.objects.get(pk=next(iter(ok_pks))).call)
        .filter(pk__in=list(ok_pks))
        .prefetch_related("versions")
    }
    intact = 0
    problems = []
    for pk, sha in ok_pks.items():
        proposal = proposals.get(pk)
        if proposal is None:
            problems.append(f"{pk}: missing")
            continue
        versions = [v for v in proposal.versions.all() if v.kind == "submitted"]
        good = (
            proposal.state == "submitted"
            and proposal.submitted_at is not None
            and len(versions) == 1
            and (sha is None or versions[0].sha256 == sha)
            and versions[0].sha256 == version_hash(versions[0].content)
            and versions[0].content == normalise(queries.proposal_content(proposal))
        )
        if good:
            intact += 1
        else:
            problems.append(f"{pk}: state {proposal.state}, {len(versions)} submitted version(s)")
    out.write_text(json.dumps({"answered": len(ok_pks), "intact": intact, "problems": problems[:10]}))


# --- the load generator (no Django) --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post(port: int, path: str, session: str, body: dict[str, Any]) -> tuple[int, float, float, bytes]:
    """(status, started, ended, body); status 0 for a connection error or timeout.

    The body is sent as a form, like a browser does; a ``HX-Request`` key in it becomes the
    htmx header (the portal's autosave).
    """
    body = dict(body)
    htmx = body.pop("HX-Request", None)
    payload = urllib.parse.urlencode(body, doseq=True).encode("utf-8")
    headers = {
        "Cookie": f"sessionid={session}; csrftoken={CSRF_SECRET}",
        "X-CSRFToken": CSRF_SECRET,
        "Content-Type": "application/x-www-form-urlencoded",
        "Host": "127.0.0.1",
    }
    if htmx:
        headers["HX-Request"] = "true"
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("POST", path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
        status = response.status
    except OSError:
        status, data = 0, b""
    finally:
        connection.close()
    return status, started, time.perf_counter(), data


def burst(
    jobs: list[tuple[str, str, dict[str, Any]]], port: int
) -> tuple[list[tuple[int, float, bytes]], float]:
    """Run every job (path, session, body) in its own thread, released together.

    Returns per job (status, latency in ms, body) and the wall time from release to the last answer.
    """
    results: list[tuple[int, float, bytes]] = [(0, 0.0, b"")] * len(jobs)
    gate = threading.Barrier(len(jobs) + 1)

    def run(index: int, path: str, session: str, body: dict[str, Any]) -> None:
        gate.wait()
        status, started, ended, data = post(port, path, session, body)
        results[index] = (status, (ended - started) * 1000, data)

    threads = [threading.Thread(target=run, args=(i, *job), daemon=True) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    gate.wait()
    released = time.perf_counter()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT * 2)
    return results, time.perf_counter() - released


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else float("nan")


def summary(results: list[tuple[int, float, bytes]], wall: float, ok: int = 200) -> dict[str, float]:
    latencies = [latency for _status, latency, _body in results]
    return {
        "count": len(results),
        "rps": len(results) / wall,
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "errors": sum(1 for status, _l, _b in results if status != ok),
    }


def start_server(database_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "OGLABS_BENCH_BASELINE": "1",
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "OGLABS_LOG_LEVEL": "ERROR",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [
        gunicorn,
        "oglabs.wsgi:application",
        "--chdir",
        str(ROOT),
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(WORKERS),
        "--threads",
        str(THREADS),
        "--backlog",
        "1024",
        "--timeout",
        "120",
        "--control-socket",
        str(log.parent / "gunicorn.ctl"),
    ]
    server = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"gunicorn did not start; see {log}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def child(args: list[str]) -> None:
    subprocess.run([sys.executable, str(Path(__file__)), *args], cwd=ROOT, check=True)


def measure(database_url: str, applicants: int, workdir: Path) -> dict[str, Any]:
    prepared_path = workdir / "prepared.json"
    started = time.perf_counter()
    child(
        [
            "--phase",
            "setup",
            "--database-url",
            database_url,
            "--applicants",
            str(applicants),
            "--out",
            str(prepared_path),
        ]
    )
    setup_seconds = time.perf_counter() - started
    prepared = json.loads(prepared_path.read_text(encoding="utf-8"))
    port = free_port()
    server = start_server(database_url, port, workdir / "gunicorn.log")
    try:
        # Warm-up: every worker imports, connects and renders once.
        burst([("/bench/baseline/", prepared[i % len(prepared)]["session"], {}) for i in range(64)], port)
        baseline_results: list[tuple[int, float, bytes]] = []
        baseline_wall = 0.0
        for _round in range(BASELINE_ROUNDS):
            results, wall = burst([("/bench/baseline/", p["session"], {}) for p in prepared], port)
            baseline_results += results
            baseline_wall += wall
        save_jobs = [
            (
                f"/portal/antraege/{p['pk']}/bearbeiten/allgemeines/",
                p["session"],
                {**p["general"], "expected_version": p["lock_version"], "autosave": "1", "HX-Request": True},
            )
            for p in prepared
        ]
        save_results, save_wall = burst(save_jobs, port)
        submit_jobs = [(f"/portal/antraege/{p['pk']}/einreichen/", p["session"], {}) for p in prepared]
        submit_results, submit_wall = burst(submit_jobs, port)
    finally:
        stop_server(server)
    # The portal answers a successful submission with a redirect to the proposal (302).
    answered = {
        str(p["pk"]): None
        for p, (status, _l, _body) in zip(prepared, submit_results, strict=True)
        if status == 302
    }
    results_path, verified_path = workdir / "answered.json", workdir / "verified.json"
    results_path.write_text(json.dumps(answered), encoding="utf-8")
    verified = {"answered": 0, "intact": 0, "problems": []}
    if answered:
        child(
            [
                "--phase",
                "verify",
                "--database-url",
                database_url,
                "--results",
                str(results_path),
                "--out",
                str(verified_path),
            ]
        )
        verified = json.loads(verified_path.read_text(encoding="utf-8"))
    statuses: dict[str, int] = {}
    for status, _l, _b in save_results + submit_results + baseline_results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "setup_seconds": setup_seconds,
        "baseline": summary(baseline_results, baseline_wall),
        "save": summary(save_results, save_wall),
        "submit": summary(submit_results, submit_wall, ok=302),
        "verified": verified,
        "statuses": statuses,
    }


def postgres_scratch(create: bool) -> str:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_BENCH_DB} WITH (FORCE)")
        if create:
            connection.execute(f"CREATE DATABASE {POSTGRES_BENCH_DB}")
    return f"postgres://postgres@127.0.0.1:5432/{POSTGRES_BENCH_DB}"


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def report(name: str, result: dict[str, Any], applicants: int) -> list[str]:
    base, save, submit, verified = result["baseline"], result["save"], result["submit"], result["verified"]
    ratio = submit["rps"] / base["rps"]
    lines = [
        f"### {name}",
        "",
        "| requests | count | requests/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, row in (
        ("baseline: one INSERT", base),
        ("save a section", save),
        ("submit", submit),
    ):
        lines.append(
            f"| {label} | {row['count']} | {row['rps']:.1f} | {row['p50']:.0f} | {row['p95']:.0f} | "
            f"{row['p99']:.0f} | {row['errors']} |"
        )
    errors = base["errors"] + save["errors"] + submit["errors"]
    lines += [
        "",
        f"- submit throughput / baseline: {ratio:.2f} (goal ≥ {GOALS['ratio']}: {verdict(ratio >= GOALS['ratio'])})",
        f"- submit p99: {submit['p99']:.0f} ms (goal ≤ {GOALS['p99_ms']:.0f} ms: "
        f"{verdict(submit['p99'] <= GOALS['p99_ms'])}); save p99: {save['p99']:.0f} ms",
        f"- errors: {errors} (goal 0: {verdict(errors == 0)}); HTTP statuses: {result['statuses']}",
        f"- successful submissions present and intact: {verified['intact']} of {verified['answered']} "
        f"(goal all: {verdict(verified['intact'] == verified['answered'] == applicants - submit['errors'])})",
        "",
    ]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phase", choices=["setup", "verify"])
    parser.add_argument("--database-url")
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--results", type=Path)
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    if args.phase == "setup":
        phase_setup(args.database_url, args.applicants, args.out)
        return 0
    if args.phase == "verify":
        phase_verify(args.database_url, args.results, args.out)
        return 0

    outcomes = []
    for database in args.databases.split(","):
        name = "SQLite (WAL, IMMEDIATE transactions)" if database == "sqlite" else "PostgreSQL"
        workdir = Path(tempfile.mkdtemp(prefix=f"oglabs-rush-{database}-"))
        try:
            if database == "sqlite":
                url = f"sqlite:///{workdir / 'bench.sqlite3'}"
                outcomes.append((name, measure(url, args.applicants, workdir)))
            else:
                url = postgres_scratch(create=True)
                try:
                    outcomes.append((name, measure(url, args.applicants, workdir)))
                finally:
                    postgres_scratch(create=False)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    lines = [
        "## Deadline rush: 200 applicants save and submit at once",
        "",
        f"{args.applicants} logged-in applicants, each with a complete draft, fire at the same instant "
        f"against gunicorn {WORKERS} workers × {THREADS} threads (gthread) on 127.0.0.1: first every "
        "one saves a section through the portal's autosave (htmx POST of the first step), then every "
        "one submits through the portal's submit page (eligibility check, frozen version with SHA-256, "
        "audit event, receipt mail queued in the outbox; its PDF is rendered later by the mail worker). "
        f"Baseline: the same server and middleware, a view that does one INSERT, {BASELINE_ROUNDS} "
        f"bursts of {args.applicants}. Latency includes the time a request waits for a free server thread.",
        "",
    ]
    for name, result in outcomes:
        lines += report(name, result, args.applicants)
    print("\n".join(lines).rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
