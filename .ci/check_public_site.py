# ruff: noqa: S603, S607  # a CI script: it runs our own tools (manage.py, npm, java, schemathesis) by name
"""CI: the public site against a live server on a fresh demo database.

1. A temporary SQLite database with the places and the demo (``load_places``, ``load_demo``,
   which decides the 2019 call); its decision is then published through ``transparency.services``
   (reasons prepared, confirmed by a second staff member, published) unless the demo did it.
2. ``manage.py runserver`` on a free local port.
3. The W3C Nu HTML checker (npm package ``vnu-jar``, pinned, installed into ``var/vnu/``, run with
   the installed Java, ``--errors-only``) over every public page in German and English.
4. Schemathesis (v4 CLI) against ``/api/v1/openapi.json`` with the check ``not_a_server_error``.

Any error fails the run (exit 1); a missing tool is installed or the run fails — nothing is skipped.
Usage: ``.venv/bin/python .ci/check_public_site.py [html|api|all]`` (default: all).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
VNU_VERSION = "26.9.27"
VNU_DIR = ROOT / "var" / "vnu"
VNU_JAR = VNU_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
DEMO_CALL = "regionale-open-government-labore-2019"
#: A minimal document around an HTML fragment, so the checker sees the fragment's own markup.
FRAGMENT_SHELL = b'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Fragment</title></head><body>{}</body></html>'
#: Few examples per operation keep the run short; the read API has no state to explore.
MAX_EXAMPLES = 20


def fail(message: str) -> None:
    print(f"FAIL: {message}", file=sys.stderr)
    raise SystemExit(1)


# --- the database ---------------------------------------------------------------------------------


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare_database(env: dict[str, str]) -> None:
    manage("migrate", "--no-input", env=env)
    manage("createcachetable", env=env)
    manage("load_places", env=env)
    manage("load_demo", env=env)
    subprocess.run([PYTHON, str(Path(__file__).resolve()), "publish-demo"], cwd=ROOT, env=env, check=True)


def publish_demo() -> None:
    """Publish the decision of the demo's 2019 call (``load_demo`` decides it) through the
    redaction services: prepare, confirm every reason as a second staff member, publish."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oglabs.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()

    from django.utils import timezone

    from oglabs.accounts.models import Role, User
    from oglabs.calls.models import Call
    from oglabs.selection import queries as selection_queries
    from oglabs.transparency import queries as transparency_queries
    from oglabs.transparency import services as transparency_services
    from oglabs.transparency.models import PublicText

    call = Call.objects.get(slug=DEMO_CALL)
    if transparency_queries.is_published(call):
        print("The demo's decision is already published.")
        return
    decision = selection_queries.decision_of(call)
    if decision is None:
        fail("load_demo did not decide the 2019 call: there is no decision to publish")
        return
    now = timezone.now()
    preparer, confirmer = (
        User.objects.get_or_create(email=f"ci-staff-{i}@example.org", defaults={"role": Role.STAFF})[0]
        for i in (1, 2)
    )
    transparency_services.prepare_publication(decision, actor=preparer, now=now)
    for text in PublicText.objects.filter(decision=decision).order_by("pk"):
        transparency_services.confirm_text(text, actor=confirmer, now=now)
    transparency_services.publish_decision(decision, actor=preparer, now=now)
    print(f"Published the decision of the demo's call ({decision.entries.count()} proposals).")


# --- the server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(env: dict[str, str], log: Path) -> Iterator[str]:
    """``runserver`` on a free port; its output goes to ``log`` (a pipe nobody reads would fill up
    and stall the server)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env={**env, "DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(120):
                try:
                    with urllib.request.urlopen(f"{base}/api/v1/health", timeout=2):  # noqa: S310  # our local server
                        break
                except (urllib.error.URLError, ConnectionError):
                    if process.poll() is not None:
                        fail(f"the server did not start:\n{log.read_text(errors='replace')[-3000:]}")
                    time.sleep(0.5)
            else:
                fail("the server did not answer within 60 s")
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310  # our local server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# --- the pages ------------------------------------------------------------------------------------


def public_paths(env: dict[str, str]) -> list[str]:
    """Every public page of the demo, in German (English is the same with ``/en``)."""
    script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'oglabs.settings'); django.setup()\n"
        "from django.urls import reverse\n"
        "from oglabs.calls.models import Call\n"
        "from oglabs.selection.models import DecisionEntry\n"
        "paths = ['/', '/impressum/', '/datenschutz/', '/barrierefreiheit/', '/leichte-sprache/',\n"
        "         reverse('public:municipality_search') + '?q=Pankow']\n"
        "for call in Call.objects.filter(is_published=True).order_by('slug'):\n"
        "    for name in ('call_detail', 'call_faq', 'ask_question', 'call_statistics', 'call_decision'):\n"
        "        paths.append(reverse('public:' + name, kwargs={'slug': call.slug}))\n"
        "    entry = DecisionEntry.objects.filter(decision__call=call, decision__published_at__isnull=False)"
        ".select_related('proposal').order_by('rank').first()\n"
        "    if entry:\n"
        "        base = reverse('public:call_decision', kwargs={'slug': call.slug})\n"
        "        paths += [base + '?outcome=waitlisted&sort=land', base + '?page=2',\n"
        "                  reverse('public:decision_proposal', kwargs={'slug': call.slug, 'reference': entry.proposal.reference})]\n"
        "print('\\n'.join(paths))\n"
    )
    output = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return [line for line in output.stdout.splitlines() if line.startswith("/")]


def install_vnu() -> Path:
    if not VNU_JAR.exists():
        if shutil.which("npm") is None:
            fail("npm is missing; it installs the W3C Nu HTML checker (vnu-jar)")
        VNU_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(VNU_DIR),
                "--ignore-scripts",  # its postinstall would download a Java runtime; Java is here
                "--no-audit",
                "--no-fund",
                f"vnu-jar@{VNU_VERSION}",
            ],
            check=True,
        )
    if not VNU_JAR.exists():
        fail(f"vnu.jar not found at {VNU_JAR} after npm install")
    if shutil.which("java") is None:
        fail("java is missing; the W3C Nu HTML checker needs it")
    return VNU_JAR


def check_html(base: str, env: dict[str, str]) -> None:
    jar = install_vnu()
    paths = public_paths(env)
    if not any("/entscheidung/" in path for path in paths):
        fail("no published decision in the demo: the decision pages would not be checked")
    with tempfile.TemporaryDirectory(prefix="oglabs-html-") as folder:
        files = []
        for language_prefix in ("", "/en"):
            for path in paths:
                url = f"{base}{language_prefix}{path}"
                status, body = fetch(url)
                if status != 200:
                    fail(f"{url}: HTTP {status}")
                name = (
                    (language_prefix + path).strip("/").replace("/", "_").replace("?", "_").replace("&", "_")
                )
                target = Path(folder) / f"{name or 'home'}.html"
                if not body.lstrip().lower().startswith(b"<!doctype html>"):
                    # An HTML fragment (the municipality search answers HTMX with one): check it
                    # inside a minimal document.
                    body = FRAGMENT_SHELL.replace(b"{}", body)
                target.write_bytes(body)
                files.append(str(target))
        print(f"Nu HTML checker: {len(files)} pages")
        result = subprocess.run(["java", "-jar", str(jar), "--errors-only", *files], check=False)
        if result.returncode != 0:
            fail("the W3C Nu HTML checker found errors (above)")
    print("Nu HTML checker: 0 errors")


def demo_reference(env: dict[str, str]) -> str:
    script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'oglabs.settings'); django.setup()\n"
        "from oglabs.selection.models import DecisionEntry\n"
        f"entry = DecisionEntry.objects.filter(decision__call__slug={DEMO_CALL!r}).order_by('rank').first()\n"
        "print(entry.proposal.reference if entry else '')\n"
    )
    output = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return output.stdout.strip()


def check_api(base: str, env: dict[str, str]) -> None:
    """Two runs: free values everywhere, then the demo's call and one of its proposals in the
    path (so the decision endpoints are fuzzed with real data behind them)."""
    schemathesis = ROOT / ".venv" / "bin" / "schemathesis"
    if not schemathesis.exists():
        fail("schemathesis is missing from .venv (requirements-dev.txt)")
    reference = demo_reference(env)
    if not reference:
        fail("no published decision in the demo: the decision endpoints would not be fuzzed")
    with tempfile.TemporaryDirectory(prefix="oglabs-schemathesis-") as folder:
        # Not named schemathesis.toml: schemathesis would load that by itself in the first run.
        config = Path(folder) / "demo-parameters.toml"
        config.write_text(
            f'[parameters]\nslug = "{DEMO_CALL}"\nreference = "{reference}"\n', encoding="utf-8"
        )
        for label, prefix in (("free values", []), ("the demo's call", ["--config-file", str(config)])):
            print(f"Schemathesis ({label})", flush=True)
            result = subprocess.run(
                [
                    str(schemathesis),
                    *prefix,
                    "run",
                    f"{base}/api/v1/openapi.json",
                    "--checks",
                    "not_a_server_error",
                    "--max-examples",
                    str(MAX_EXAMPLES),
                    "--seed",
                    "2019",
                    "--generation-database",
                    "none",
                    "--report-dir",
                    folder,
                    "--no-color",
                ],
                cwd=folder,
                check=False,
            )
            if result.returncode != 0:
                fail(f"schemathesis ({label}) found server errors or could not run (above)")
    print("Schemathesis: 0 server errors")


def main(argv: list[str]) -> int:
    what = argv[1] if len(argv) > 1 else "all"
    if what == "publish-demo":
        publish_demo()
        return 0
    if what not in ("html", "api", "all"):
        fail(f"unknown command {what!r} (html, api, all)")
    with tempfile.TemporaryDirectory(prefix="oglabs-public-") as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/public.sqlite3",
            "OGLABS_FAST_PASSWORD_HASHER": "1",
            "DJANGO_SETTINGS_MODULE": "oglabs.settings",
        }
        prepare_database(env)
        with server(env, Path(folder) / "server.log") as base:
            if what in ("html", "all"):
                check_html(base, env)
            if what in ("api", "all"):
                check_api(base, env)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
