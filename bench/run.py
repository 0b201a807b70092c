"""Run every benchmark in bench/ and write the figures to docs/performance.md.

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
    if not only:
        (ROOT / "docs" / "performance.md").write_text("\n".join(header + sections) + "\n", encoding="utf-8")
    if failed:
        print("FAILED: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
