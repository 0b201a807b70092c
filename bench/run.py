"""Run every benchmark in bench/ and write the figures to docs/performance.md.

``python bench/run.py NAME …`` runs only the named benchmarks and replaces their sections in the
existing document (the header says which were re-measured and when).

Each benchmark is a script ``bench/<name>.py`` that prints a Markdown section (a ``## `` heading,
what was measured, a table, and the goal it is held against) to standard output. This runner
executes them one after another in fresh processes, so no benchmark warms another's caches, and
assembles the document with the date and the machine it ran on.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = [
    "places_lookup",
    "deadline_rush",
    "selection_optimiser",
    "assignment",
    "open_data_export",
    "public_decision",
]


def machine() -> str:
    cpus = os.cpu_count()
    memory = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            kib = int(meminfo.readline().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    except OSError:
        pass
    return (
        f"{platform.machine()}, {cpus} cores{memory}, Python {platform.python_version()}, {platform.system()}"
    )


def main() -> int:
    only = set(sys.argv[1:])
    sections = []
    failed = []
    for name in BENCHMARKS:
        if only and name not in only:
            continue
        print(f"== {name}", flush=True)
        result = subprocess.run(
            [sys.executable, str(ROOT / "bench" / f"{name}.py")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            failed.append(name)
            sys.stderr.write(result.stdout + result.stderr)
            continue
        print(result.stdout)
        sections.append(result.stdout.strip())
    header = [
        "# Performance",
        "",
        "Written by `make bench` (bench/run.py); do not edit by hand.",
        "",
        f"- Measured: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {machine()}",
        "",
    ]
    target = ROOT / "docs" / "performance.md"
    if not only:
        target.write_text("\n".join(header + sections) + "\n", encoding="utf-8")
    elif sections and target.exists():
        target.write_text(_updated(target.read_text(encoding="utf-8"), sections), encoding="utf-8")
    if failed:
        print("FAILED: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


def _updated(document: str, sections: list[str]) -> str:
    """``document`` with each of ``sections`` replacing the section of the same ``## `` heading
    (appended if there is none); the header gains a line saying which sections were re-measured."""
    parts = document.rstrip("\n").split("\n## ")
    head, body = parts[0], ["## " + part for part in parts[1:]]
    for section in sections:
        title = section.splitlines()[0]
        for index, existing in enumerate(body):
            if existing.splitlines()[0] == title:
                body[index] = section
                break
        else:
            body.append(section)
    names = ", ".join(section.splitlines()[0].removeprefix("## ") for section in sections)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = head.rstrip("\n") + f"\n- Re-measured on their own {stamp}: {names}\n"
    return "\n".join([head, *body]) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
