"""Benchmark: a deadline rush — 200 applicants save and submit at once, against gunicorn.

For each database (SQLite in a scratch file, PostgreSQL in the scratch database ``oglabs_bench``
on 127.0.0.1:5432, dropped and created afresh), ``--runs`` times (2 by default), each run on a
fresh database:

1. setup (not timed, in a child process): migrate, load the places, one open call, 2 × 200
   applicant accounts plus 44 more (12 for step 2, 32 for the warm-up), each with a complete
   draft made by
   the domain services (content of the demo's 2019 consortia), a logged-in session
   (``Client.force_login``) and a CSRF secret;
2. in-process (child process): the baseline, the autosave and the submission one at a time
   through Django's test client, with their query counts — the cost of one request without
   HTTP or concurrency;
3. gunicorn serves ``bench/settings_bench.py`` (production settings + ``bench/urls_bench.py``) on
   127.0.0.1 with ``gthread`` workers; the warm-up waits until every worker has booted and
   answered (gunicorn accepts connections before its workers have imported the app), then 32
   applicants save and submit so that every worker has loaded the portal's code and templates;
4. the baseline: 3 rounds of 200 concurrent logged-in POSTs to a view that does one INSERT
   (same server, same middleware); then the rush: 200 concurrent autosaves of the first step
   (``save_section``, which also prepares the draft's submission), then 200 concurrent
   submissions (``submit_proposal``: the prepared submission checked and copied into a frozen
   version with its SHA-256, the audit event, the receipt owed; ADR 0009); last, the floor: the
   other 200 drafts through ``bench/floor/<pk>/``, the submission's two writes without its audit
   event and receipt (``bench/urls_bench.py``) — what no submission that writes its state and
   version can beat. Every client thread opens its own connection. Measured per burst:
   throughput, latency percentiles (including the wait for a free server thread), the share of
   the machine's CPU that was busy, and the CPU time per request of the gunicorn workers, of the
   PostgreSQL backends serving the scratch database and of this load generator (from
   ``/proc``: figures that other load on a shared machine does not inflate much);
5. verification (child process): every submission answered with 302 is in the database, state
   ``submitted``, with a version whose SHA-256 matches ``version_hash(content)``, whose content is
   the proposal's content now and which is owed its receipt; then the worker's part, timed:
   ``queue_due_receipts`` queues every owed receipt (text rendered, outbox rows written; the PDF
   is rendered at delivery), and each answered submission has exactly one receipt mail, to its
   member.

Prints a Markdown section for docs/performance.md (see bench/run.py), ending with what limits
the rush, computed from the runs' own figures.

    .venv/bin/python bench/deadline_rush.py [--databases sqlite,postgres] [--applicants 200]
        [--runs 2] [--workers W --threads T]

Server: 2 cores here; ``SERVER`` holds the configuration per database. ``--workers 4 --threads
4`` (gthread) for both: the rush is CPU-bound (Python in the workers; on PostgreSQL also the
database server), four processes keep both cores busy while some wait for a lock or for
PostgreSQL, and four threads each overlap those waits without letting 200 requests run at once.
Tried on the same shared machine (interleaved, one run each, the figures scatter with the other
load): on SQLite 2×1, 2×2, 2×4, 3×2 and 4×2 gave no better submit throughput or p99 than 4×4;
on PostgreSQL neither did 2×4 nor 4×8. The baseline runs on the same server, so the ratio is
fair to whichever is chosen.
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
#: Applicants beyond the rush whose requests are measured one at a time in-process.
INPROCESS_APPLICANTS = 12
#: Applicants beyond the rush who save and submit over HTTP before it, to warm every worker.
WARMUP_APPLICANTS = 32
#: gunicorn ``gthread`` workers × threads per database (see the module docstring for why).
SERVER = {"sqlite": (4, 4), "postgres": (4, 4)}


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
    with connection.cursor() as cursor:
        # Statistics, as a database in service has them (PostgreSQL's autovacuum gathers them
        # within a minute of a load; without them the planner may reach a proposal through the
        # call's index instead of its key).
        cursor.execute("ANALYZE")
    out.write_text(json.dumps(prepared), encoding="utf-8")


def phase_inprocess(database_url: str, prepared_path: Path, out: Path) -> None:
    """One request at a time through Django's test client in this process (no HTTP, no
    concurrency): the queries and the time of the baseline, the autosave and the submission
    for each of the extra applicants. Times: median and minimum in ms."""
    _django(database_url)
    import statistics

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    extra = json.loads(prepared_path.read_text(encoding="utf-8"))
    rows: dict[str, list[tuple[float, int]]] = {"baseline": [], "save": [], "submit": []}

    def request(label: str, item: dict[str, Any], path: str, body: dict[str, Any], ok: int) -> None:
        client = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
        client.cookies["sessionid"] = item["session"]
        client.cookies["csrftoken"] = CSRF_SECRET
        headers = {"X-CSRFToken": CSRF_SECRET, **({"HX-Request": "true"} if label == "save" else {})}
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post(path, body, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != ok:
            raise RuntimeError(f"{label}: HTTP {response.status_code}")
        rows[label].append((elapsed, len(captured.captured_queries)))

    for item in extra:
        request("baseline", item, "/bench/baseline/", {}, 200)
        body = {**item["general"], "expected_version": item["lock_version"], "autosave": "1"}
        request("save", item, f"/portal/antraege/{item['pk']}/bearbeiten/allgemeines/", body, 200)
        request("submit", item, f"/portal/antraege/{item['pk']}/einreichen/", {}, 302)
    result = {}
    for label, measured in rows.items():
        times = [elapsed for elapsed, _queries in measured[1:]]  # the first warms the caches
        result[label] = {
            "queries": sorted({queries for _elapsed, queries in measured}),
            "median_ms": statistics.median(times),
            "min_ms": min(times),
        }
    out.write_text(json.dumps(result), encoding="utf-8")


def phase_verify(database_url: str, results_path: Path, out: Path) -> None:
    _django(database_url)
    from django.utils import timezone

    from oglabs.core.canonical import normalise
    from oglabs.proposals import queries
    from oglabs.proposals.hashing import version_hash
    from oglabs.proposals.models import Proposal, ProposalMail
    from oglabs.proposals.services.receipts import queue_due_receipts

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
            and versions[0].receipt_owed
        )
        if good:
            intact += 1
        else:
            problems.append(f"{pk}: state {proposal.state}, {len(versions)} submitted version(s)")
    # The worker's part: queue every owed receipt (the rush's, the warm-up's, the in-process ones).
    started, cpu_started = time.perf_counter(), time.process_time()
    queued = queue_due_receipts(now=timezone.now())
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    receipts = {
        pk: [
            mail.mail.to
            for mail in ProposalMail.objects.filter(proposal_id=pk, kind="proposal:receipt").select_related(
                "mail"
            )
        ]
        for pk in ok_pks
    }
    members = {pk: queries.member_emails(proposals[pk]) for pk in ok_pks if pk in proposals}
    receipted = sum(1 for pk in ok_pks if receipts[pk] == [members.get(pk)])
    out.write_text(
        json.dumps(
            {
                "answered": len(ok_pks),
                "intact": intact,
                "problems": problems[:10],
                "receipts": {
                    "queued": queued,
                    "seconds": seconds,
                    "cpu_seconds": cpu_seconds,
                    "ok": receipted,
                },
            }
        )
    )


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


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot (Linux ``/proc/stat``); (0, 0) elsewhere."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            values = [int(value) for value in stat.readline().split()[1:]]
    except OSError:
        return 0, 0
    idle = values[3] + values[4]  # idle and iowait
    return sum(values) - idle, sum(values)


def _stat(pid: str) -> tuple[int, str, float] | None:
    """(parent pid, command, CPU seconds) of a process from ``/proc/<pid>/stat``."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            text = stat.read()
    except OSError:
        return None
    command = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[1]), command, (int(fields[11]) + int(fields[12])) / ticks


def server_cpu(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the gunicorn workers (children of ``server_pid``) and by the
    PostgreSQL server processes (0 for SQLite, which runs inside the workers)."""
    totals = {"app": 0.0, "postgres": 0.0}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        found = _stat(pid)
        if found is None:
            continue
        parent, command, seconds = found
        if parent == server_pid or int(pid) == server_pid:
            totals["app"] += seconds
        elif command.startswith("postgres") and _serves_bench_database(pid):
            totals["postgres"] += seconds
    return totals


def _serves_bench_database(pid: str) -> bool:
    """Whether a PostgreSQL backend serves the scratch database (its title names it), so that
    other databases' backends on a shared machine are not counted."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            title = cmdline.read().decode("utf-8", "replace")
    except OSError:
        return False
    return f" {POSTGRES_BENCH_DB} " in title


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


def timed_burst(
    jobs: list[tuple[str, str, dict[str, Any]]], port: int, server_pid: int
) -> tuple[list[tuple[int, float, bytes]], float, dict[str, float]]:
    """``burst`` plus what it cost: the share of the machine's CPU time that was busy meanwhile
    (0–1; server, database, load generator and whatever else runs on the machine), and the CPU
    seconds of the gunicorn workers and of PostgreSQL, which other load on a shared machine
    does not inflate, and of this load generator."""
    busy_before, total_before = cpu_times()
    before = {**server_cpu(server_pid), "client": time.process_time()}
    results, wall = burst(jobs, port)
    after = {**server_cpu(server_pid), "client": time.process_time()}
    busy_after, total_after = cpu_times()
    share = (busy_after - busy_before) / (total_after - total_before) if total_after > total_before else 0.0
    return results, wall, {"share": share, **{key: after[key] - before[key] for key in after}}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else float("nan")


def summary(
    results: list[tuple[int, float, bytes]], wall: float, cpu: dict[str, float], ok: int = 200
) -> dict[str, float]:
    latencies = [latency for _status, latency, _body in results]
    return {
        "cpu": cpu["share"],
        "app_ms": cpu["app"] * 1000 / len(results),
        "db_ms": cpu["postgres"] * 1000 / len(results),
        "client_ms": cpu["client"] * 1000 / len(results),
        "count": len(results),
        "rps": len(results) / wall,
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "errors": sum(1 for status, _l, _b in results if status != ok),
    }


def start_server(
    database_url: str, port: int, log: Path, workers: int, threads: int
) -> subprocess.Popen[bytes]:
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
        str(workers),
        "--threads",
        str(threads),
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


def save_jobs_for(applicants: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    """The autosave of the first step (htmx POST), one per applicant."""
    return [
        (
            f"/portal/antraege/{p['pk']}/bearbeiten/allgemeines/",
            p["session"],
            {**p["general"], "expected_version": p["lock_version"], "autosave": "1", "HX-Request": True},
        )
        for p in applicants
    ]


def submit_jobs_for(applicants: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(f"/portal/antraege/{p['pk']}/einreichen/", p["session"], {}) for p in applicants]


def wait_for_workers(port: int, session: str, workers: int, batch: int, timeout: float = 180.0) -> None:
    """Send bursts to the baseline until every worker process has answered one."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < workers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(seen)} of {workers} gunicorn workers answered")
        results, _wall = burst([("/bench/baseline/", session, {})] * batch, port)
        for status, _latency, body in results:
            if status == 200:
                seen.add(int(json.loads(body)["worker"]))


def child(args: list[str]) -> None:
    subprocess.run([sys.executable, str(Path(__file__)), *args], cwd=ROOT, check=True)


def measure(database_url: str, applicants: int, workdir: Path, workers: int, threads: int) -> dict[str, Any]:
    load_before = os.getloadavg()
    prepared_path = workdir / "prepared.json"
    started = time.perf_counter()
    child(
        [
            "--phase",
            "setup",
            "--database-url",
            database_url,
            "--applicants",
            str(2 * applicants + INPROCESS_APPLICANTS + WARMUP_APPLICANTS),
            "--out",
            str(prepared_path),
        ]
    )
    setup_seconds = time.perf_counter() - started
    everyone = json.loads(prepared_path.read_text(encoding="utf-8"))
    prepared = everyone[:applicants]
    extra = everyone[applicants : applicants + INPROCESS_APPLICANTS]
    warmup = everyone[
        applicants + INPROCESS_APPLICANTS : applicants + INPROCESS_APPLICANTS + WARMUP_APPLICANTS
    ]
    floor = everyone[applicants + INPROCESS_APPLICANTS + WARMUP_APPLICANTS :]
    extra_path, inprocess_path = workdir / "extra.json", workdir / "inprocess.json"
    extra_path.write_text(json.dumps(extra), encoding="utf-8")
    child(
        [
            "--phase",
            "inprocess",
            "--database-url",
            database_url,
            "--results",
            str(extra_path),
            "--out",
            str(inprocess_path),
        ]
    )
    inprocess = json.loads(inprocess_path.read_text(encoding="utf-8"))
    port = free_port()
    server = start_server(database_url, port, workdir / "gunicorn.log", workers, threads)
    try:
        # Warm-up: wait until every worker has booted and answered (gunicorn's socket accepts
        # before its workers have imported the app), then let every worker save and submit.
        wait_for_workers(port, prepared[0]["session"], workers, 2 * workers * threads)
        burst([("/bench/baseline/", prepared[i % len(prepared)]["session"], {}) for i in range(64)], port)
        burst(save_jobs_for(warmup), port)
        burst(submit_jobs_for(warmup), port)
        baseline_results: list[tuple[int, float, bytes]] = []
        baseline_wall = 0.0
        baseline_cpu = {"share": 0.0, "app": 0.0, "postgres": 0.0, "client": 0.0}
        for _round in range(BASELINE_ROUNDS):
            jobs = [("/bench/baseline/", p["session"], {}) for p in prepared]
            results, wall, cpu = timed_burst(jobs, port, server.pid)
            baseline_results += results
            baseline_wall += wall
            baseline_cpu = {
                key: baseline_cpu[key] + cpu[key] * (wall if key == "share" else 1) for key in baseline_cpu
            }
        baseline_cpu["share"] /= baseline_wall
        save_results, save_wall, save_cpu = timed_burst(save_jobs_for(prepared), port, server.pid)
        submit_results, submit_wall, submit_cpu = timed_burst(submit_jobs_for(prepared), port, server.pid)
        floor_jobs = [(f"/bench/floor/{p['pk']}/", p["session"], {}) for p in floor]
        floor_results, floor_wall, floor_cpu = timed_burst(floor_jobs, port, server.pid)
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
    verified: dict[str, Any] = {
        "answered": 0,
        "intact": 0,
        "problems": [],
        "receipts": {"queued": 0, "seconds": 0.0, "cpu_seconds": 0.0, "ok": 0},
    }
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
    for status, _l, _b in save_results + submit_results + baseline_results + floor_results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "setup_seconds": setup_seconds,
        "server": (workers, threads),
        "inprocess": inprocess,
        "load": load_before,
        "baseline": summary(baseline_results, baseline_wall, baseline_cpu),
        "save": summary(save_results, save_wall, save_cpu),
        "submit": summary(submit_results, submit_wall, submit_cpu, ok=302),
        "floor": summary(floor_results, floor_wall, floor_cpu, ok=302),
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


def cost(row: dict[str, float]) -> float:
    """CPU milliseconds one request of this kind costs the machine: app, database, load generator."""
    return row["app_ms"] + row["db_ms"] + row["client_ms"]


def report(name: str, runs: list[dict[str, Any]], applicants: int) -> list[str]:
    workers, threads = runs[0]["server"]
    lines = [
        f"### {name}",
        "",
        f"gunicorn {workers} workers × {threads} threads. One row group per run, each on a fresh "
        "database. *busy*: share of the machine's two cores busy during the burst (this benchmark "
        "and anything else running); then the CPU time per request of the gunicorn workers (*app*; "
        "on SQLite this includes the database), of the PostgreSQL backends (*db*) and of the load "
        "generator (*client*), which other load on the machine does not inflate much.",
        "",
        "| run | requests | count | requests/s | p50 ms | p95 ms | p99 ms | errors | busy "
        "| app CPU ms | db CPU ms | client CPU ms |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, result in enumerate(runs, 1):
        for label, row in (
            ("baseline: one INSERT", result["baseline"]),
            ("save a section", result["save"]),
            ("submit", result["submit"]),
            ("floor: the submission's two writes", result["floor"]),
        ):
            lines.append(
                f"| {number} | {label} | {row['count']} | {row['rps']:.1f} | {row['p50']:.0f} | "
                f"{row['p95']:.0f} | {row['p99']:.0f} | {row['errors']} | {row['cpu']:.0%} | "
                f"{row['app_ms']:.1f} | {row['db_ms']:.1f} | {row['client_ms']:.1f} |"
            )
    lines += [
        "",
        f"The same requests one at a time in-process (Django's test client: no HTTP, no "
        f"concurrency; {INPROCESS_APPLICANTS} further applicants, the first of each kind not timed; "
        "the first submission of a stretch also enqueues, after its commit, the task that queues "
        "the receipts: a transaction of three statements more):",
        "",
        "| run | request | queries | median ms | min ms |",
        "|---:|---|---:|---:|---:|",
    ]
    for number, result in enumerate(runs, 1):
        for label, key in (
            ("baseline: one INSERT", "baseline"),
            ("save a section", "save"),
            ("submit", "submit"),
        ):
            row = result["inprocess"][key]
            queries = "/".join(str(count) for count in row["queries"])
            lines.append(f"| {number} | {label} | {queries} | {row['median_ms']:.1f} | {row['min_ms']:.1f} |")
    lines.append("")
    for number, result in enumerate(runs, 1):
        base, save, submit, verified = (
            result["baseline"],
            result["save"],
            result["submit"],
            result["verified"],
        )
        ratio = submit["rps"] / base["rps"]
        errors = base["errors"] + save["errors"] + submit["errors"]
        load = ", ".join(f"{value:.2f}" for value in result["load"])
        intact = verified["intact"] == verified["answered"] == applicants - submit["errors"]
        receipts = verified["receipts"]
        lines += [
            f"Run {number} (load average before: {load}):",
            "",
            f"- submit throughput / baseline of the same run: {ratio:.2f} "
            f"(goal ≥ {GOALS['ratio']}: {verdict(ratio >= GOALS['ratio'])}); the floor / baseline: "
            f"{result['floor']['rps'] / base['rps']:.2f}; save a section / "
            f"baseline: {save['rps'] / base['rps']:.2f}; CPU cost of a baseline request / of a "
            f"submission: {cost(base) / cost(submit):.2f}, / of the floor: "
            f"{cost(base) / cost(result['floor']):.2f} (the most the throughput ratio can come "
            "to while the CPU is the limit)",
            f"- submit p99: {submit['p99']:.0f} ms (goal ≤ {GOALS['p99_ms']:.0f} ms: "
            f"{verdict(submit['p99'] <= GOALS['p99_ms'])}); save p99: {save['p99']:.0f} ms; "
            f"baseline p99: {base['p99']:.0f} ms",
            f"- errors: {errors} (goal 0: {verdict(errors == 0)}); HTTP statuses: {result['statuses']}",
            f"- successful submissions present and intact: {verified['intact']} of {verified['answered']} "
            f"(goal all: {verdict(intact)})",
            f"- afterwards the worker's part: {receipts['queued']} owed receipts queued in "
            f"{receipts['seconds']:.2f} s ({receipts['cpu_seconds'] * 1000 / max(receipts['queued'], 1):.1f} "
            f"ms CPU each); {receipts['ok']} of {verified['answered']} answered submissions have "
            "exactly one receipt, to their member",
            "",
        ]
    return lines


def span(values: list[float], digits: int = 0) -> str:
    """``low–high`` (one figure if they agree at this precision)."""
    low, high = f"{min(values):.{digits}f}", f"{max(values):.{digits}f}"
    return low if low == high else f"{low}–{high}"


def limits(outcomes: list[tuple[str, list[dict[str, Any]]]], applicants: int) -> list[str]:
    """Why the goals are or are not met, from the runs' own figures."""
    everything = [result for _name, runs in outcomes for result in runs]
    base_rps = [result["baseline"]["rps"] for result in everything]
    cost_ratios = [cost(result["baseline"]) / cost(result["submit"]) for result in everything]
    floor_ratios = [result["floor"]["rps"] / result["baseline"]["rps"] for result in everything]
    floor_costs = [cost(result["baseline"]) / cost(result["floor"]) for result in everything]
    submit_ratios = [result["submit"]["rps"] / result["baseline"]["rps"] for result in everything]
    busy = [result[kind]["cpu"] * 100 for result in everything for kind in ("submit", "floor")]
    by_database = {
        name: (
            span([result["submit"]["rps"] / result["baseline"]["rps"] for result in runs], 2),
            span([result["floor"]["rps"] / result["baseline"]["rps"] for result in runs], 2),
            span([result["submit"]["p99"] for result in runs]),
        )
        for name, runs in outcomes
    }
    last = math.ceil(0.99 * applicants)
    needed = last / (GOALS["p99_ms"] / 1000)
    per_database = "; ".join(
        f"{name.split(' ')[0]}: submit {ratios[0]}, floor {ratios[1]}, submit p99 {ratios[2]} ms"
        for name, ratios in by_database.items()
    )
    return [
        "### What limits the rush",
        "",
        f"- **Where it stands.** Throughput ratios to the baseline ({per_database}). Before the "
        "submission was prepared at saving (ADR 0009) the same benchmark measured 0.14–0.17 and a "
        "p99 of 1.7–2.0 s on both databases: a submission then read and hashed the whole proposal "
        "(25 queries, 10–14 ms of CPU in the rush). Before the audit chain had its head (ADR 0010) "
        "PostgreSQL measured 0.39–0.59 with a p99 of 0.9–1.3 s. Before a change of state "
        "stopped writing an index (proposals migration 0007) and the confirmation stopped "
        "travelling in a signed cookie, the runs of the same day measured SQLite 0.54–0.73 and "
        "PostgreSQL 0.55–0.69 (floor 0.72–0.89).",
        f"- **p99.** All {applicants} requests arrive in the same instant, so the last ones wait "
        f"for the ones before them: p99 ≥ {last} / throughput. At the baseline's own throughput "
        f"in these runs ({span(base_rps)} requests/s) that alone is "
        f"{span([last / rps * 1000 for rps in base_rps])} ms; a submit p99 of "
        f"{GOALS['p99_ms']:.0f} ms needs ≥ {needed:.0f} submissions/s on these two cores. With k "
        "times the cores (or k app servers on one PostgreSQL) the bound falls k times.",
        f"- **Throughput ratio.** The bursts keep the machine's CPU {span(busy)} % busy, so the "
        "throughput ratio can at best reach the ratio of what a baseline request and a submission "
        "cost in CPU (app, database and load generator together): "
        f"{span(cost_ratios, 2)} in these runs (measured ratios {span(submit_ratios, 2)}; they "
        "scatter with the other load on the shared machine). Both requests share what every "
        "signed-in request costs (session, user, middleware: most of the baseline). Beyond that "
        "the baseline writes one row and no index. A submission reads what it expects (the "
        "prepared hash and the next version number) and makes the audit event ready. It then "
        "writes the state (in no index since proposals migration 0007: on PostgreSQL a "
        "heap-only update of the row), the version with its ~5 KB of content, the chain's head "
        "and the audit event: on SQLite in one transaction of four statements, on PostgreSQL in "
        "one statement. It learns whether an older receipt is owed (SQLite: from the statement "
        "that copies the version; PostgreSQL: a read after the commit) and answers with a "
        "redirect to the proposal's page, which shows the confirmation from the stored version "
        "(no signed message cookie).",
        f"- **The floor.** The same server answered `bench/floor/<pk>/` at "
        f"{span(floor_ratios, 2)} of the baseline's throughput (CPU cost ratio "
        f"{span(floor_costs, 2)}). The floor is the submission's read and two writes alone (state "
        "and version, in one transaction, with no audit event and no receipt; not a valid "
        "submission). No submission that freezes its version and changes the state in the same "
        "transaction can do better on this machine. The audit event now costs little beyond it. "
        "The chain's head is one row, moved on by the statement that hashes the event in the "
        "database. On PostgreSQL that happens in the submission's one statement, so its lock is "
        "never held across a round trip to Python. What remains is the CPU of a larger "
        "transaction in both the app and the database.",
        "- **What was cut** (statements of a submission on SQLite, before → now): 25 → 9, of "
        "which 6 are in the write transaction. On PostgreSQL it is 5 statements, one of which "
        "writes. The save works out the submission once (content, hash, rules, window: about "
        "0.7 ms, one statement more). The submission checks it and copies it with a conditional "
        "UPDATE and an INSERT … SELECT. The audit append is an UPDATE of the chain's head and an "
        "INSERT, hashed by the database. The receipt is owed by the version and queued by the "
        "worker (its cost per receipt is shown above). On PostgreSQL, statements are prepared "
        "once per connection (server-side binding). The content stays in its row, compressed "
        "with LZ4, not in a TOAST table. On SQLite, writers queue for the write lock in the "
        "kernel instead of in SQLite's busy handler (ADR 0001). `tests/portal/test_rush_queries.py` "
        "pins the counts.",
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phase", choices=["setup", "inprocess", "verify"])
    parser.add_argument("--database-url")
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--results", type=Path)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=2, help="measurements per database (fresh each)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: SERVER per database)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: SERVER per database)")
    args = parser.parse_args()
    if args.phase == "setup":
        phase_setup(args.database_url, args.applicants, args.out)
        return 0
    if args.phase == "inprocess":
        phase_inprocess(args.database_url, args.results, args.out)
        return 0
    if args.phase == "verify":
        phase_verify(args.database_url, args.results, args.out)
        return 0

    outcomes = []
    for database in args.databases.split(","):
        name = "SQLite (WAL, IMMEDIATE transactions)" if database == "sqlite" else "PostgreSQL"
        workers = args.workers or SERVER[database][0]
        threads = args.threads or SERVER[database][1]
        runs = []
        for _run in range(args.runs):
            workdir = Path(tempfile.mkdtemp(prefix=f"oglabs-rush-{database}-"))
            try:
                if database == "sqlite":
                    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
                    runs.append(measure(url, args.applicants, workdir, workers, threads))
                else:
                    url = postgres_scratch(create=True)
                    try:
                        runs.append(measure(url, args.applicants, workdir, workers, threads))
                    finally:
                        postgres_scratch(create=False)
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
        outcomes.append((name, runs))
    lines = [
        "## Deadline rush: 200 applicants save and submit at once",
        "",
        f"{args.applicants} logged-in applicants, each with a complete draft, fire at the same instant "
        "against gunicorn (gthread) on 127.0.0.1: first every "
        "one saves a section through the portal's autosave (htmx POST of the first step), then every "
        "one submits through the portal's submit page (the submission prepared by the save checked "
        "and copied into a frozen version with its SHA-256, the audit event, the receipt owed; the "
        "worker queues the receipts afterwards, timed below; ADR 0009). "
        f"Baseline: the same server and middleware, a view that does one INSERT, {BASELINE_ROUNDS} "
        f"bursts of {args.applicants}. Latency includes the time a request waits for a free server thread.",
        "",
    ]
    for name, runs in outcomes:
        lines += report(name, runs, args.applicants)
    lines += limits(outcomes, args.applicants)
    print("\n".join(lines).rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
