"""Benchmark: search and look-up of local authorities over all Gemeinden and Landkreise.

Loads the shipped reference data into a throwaway SQLite database (or the database given with
``--database-url``, which must be a scratch database: it is migrated and loaded), then times
``search_municipalities`` over about 200 varied queries and ``get_municipality`` over 100 keys.
Prints a Markdown section for docs/performance.md (see bench/run.py).

    .venv/bin/python bench/places_lookup.py
    .venv/bin/python bench/places_lookup.py --database-url postgres://postgres@127.0.0.1:5432/scratch
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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 50.0
ROUNDS = 5
SEED = 20191231


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def build_queries(rows: list[tuple[str, str, str]]) -> dict[str, list[str]]:
    """About 200 queries of several kinds, drawn reproducibly from (ars, ags, name) rows."""
    rng = random.Random(SEED)
    names = [name for _, _, name in rows]
    gemeinde_keys = [(ars, ags) for ars, ags, _ in rows if ags]
    words = [name.split(",")[0] for name in rng.sample(names, 110)]
    return {
        "full name": [*words[:56], "Berlin", "München", "Frankfurt am Main", "Halle (Saale)"],
        "name prefix (3–5 letters)": [w[: rng.randint(3, 5)] for w in words[60:100]],
        "short prefix (1–2 letters)": ["a", "B", "Ne", "St", "Ob", "Kl", "Gr", "W", "Bad", "Neu"],
        "substring (4 letters)": [w[len(w) // 2 - 2 : len(w) // 2 + 2] for w in words[100:110]]
        + ["burg", "dorf", "hausen", "stadt", "feld", "heim", "bach", "berg", "kirchen", "leben"],
        "AGS / ARS": [ags for _, ags in rng.sample(gemeinde_keys, 20)]
        + [ars for ars, _ in rng.sample(gemeinde_keys, 10)],
        "key prefix (2–5 digits)": [ars[: rng.randint(2, 5)] for ars, _ in rng.sample(gemeinde_keys, 20)],
        "no match": [
            "xyzzy",
            "qqq",
            "Atlantis",
            "Gotham City",
            "99999",
            "Zzzyzx",
            "Kxq",
            "Jjj",
            "Vvv",
            "Yyy",
        ],
    }


def time_calls(call: Callable[[str], object], queries: list[str]) -> list[float]:
    for query in queries:  # warm-up: statement cache, page cache
        call(query)
    timings = []
    for _ in range(ROUNDS):
        for query in queries:
            started = time.perf_counter()
            call(query)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def row(label: str, count: int, timings: list[float]) -> str:
    return (
        f"| {label} | {count} | {statistics.median(timings):.2f} | "
        f"{percentile(timings, 0.95):.2f} | {max(timings):.2f} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a scratch database (default: throwaway SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="oglabs-bench-") as scratch:
        os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{scratch}/places.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oglabs.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from oglabs.places.models import Municipality
        from oglabs.places.queries import MunicipalityLookupError, get_municipality, search_municipalities
        from oglabs.places.reference import read_reference
        from oglabs.places.services import load_reference_data

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        load_reference_data(read_reference())
        first_load = time.perf_counter() - started
        started = time.perf_counter()
        load_reference_data(read_reference())
        repeat_load = time.perf_counter() - started

        rows = list(Municipality.objects.order_by("ars").values_list("ars", "ags", "name"))
        queries = build_queries(rows)

        def search(query: str) -> object:
            return search_municipalities(query, limit=10)

        def lookup(key: str) -> object:
            try:
                return get_municipality(key)
            except MunicipalityLookupError:
                return None

        lines = [
            "## Places: municipality search and key look-up",
            "",
            f"`search_municipalities(query, limit=10)` and `get_municipality(key)` over all {len(rows):,} "
            f"local authorities (Gemeinden and Landkreise), {connection.vendor} "
            f"({'throwaway file' if not args.database_url else 'scratch database'}), same process, "
            f"each query run {ROUNDS} times after one warm-up pass; state and district are loaded with "
            "each result. Times in milliseconds (`bench/places_lookup.py`).",
            "",
            "| queries | distinct | median ms | p95 ms | max ms |",
            "|---|---:|---:|---:|---:|",
        ]
        all_search: list[float] = []
        for label, group in queries.items():
            timings = time_calls(search, group)
            all_search += timings
            lines.append(row(f"search: {label}", len(group), timings))
        total = sum(len(group) for group in queries.values())
        lines.append(row("**search: all**", total, all_search))
        rng = random.Random(SEED)
        keys = [ags for _, ags, _ in rng.sample(rows, 60) if ags][:40]
        keys += [ars for ars, _, _ in rng.sample(rows, 40)]
        keys += ["99999999", "999999999999", "99999", "0100100", "Flensburg"] * 4
        lookup_timings = time_calls(lookup, keys)
        lines.append(row("get_municipality (AGS, ARS, Kreis, unknown, malformed)", len(keys), lookup_timings))
        worst_p95 = max(percentile(all_search, 0.95), percentile(lookup_timings, 0.95))
        lines += [
            "",
            f"Loading the reference data (`load_places`, {len(rows):,} local authorities, 401 Kreise, "
            f"16 Länder): first load {first_load:.1f} s, repeated load without changes {repeat_load:.1f} s.",
            "",
            f"Goal: p95 under {GOAL_MS:.0f} ms per call — "
            + ("met" if worst_p95 < GOAL_MS else f"**not met** (p95 {worst_p95:.1f} ms)")
            + ".",
        ]
        connection.close()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
