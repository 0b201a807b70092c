"""The stand-alone ``verify_decision.py`` of an export in a fresh virtual environment with nothing
but numpy and scipy (the pinned versions): it says "identisch / identical" for an untouched export
and names a changed score.

Slow (about half a minute: a venv and two wheels). The wheels come from a local directory when one
holds both (``OGLABS_WHEEL_DIR``, else the machine's wheel mirror or pip's find-links), without
the index; otherwise pip fetches them from the registry.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import venv
from pathlib import Path

import numpy
import pytest
import scipy

from oglabs.transparency.opendata import write_export
from tests.factories.opendata import decided_call

PINS = (f"numpy=={numpy.__version__}", f"scipy=={scipy.__version__}")


def _wheel_dir() -> Path | None:
    candidates = [
        os.environ.get("OGLABS_WHEEL_DIR", ""),
        os.environ.get("PIP_FIND_LINKS", ""),
        "/opt/pypi/files",
        "/opt/wheels",
    ]
    for candidate in filter(None, candidates):
        path = Path(candidate)
        names = [p.name for p in path.glob("*.whl")] if path.is_dir() else []
        if all(any(n.startswith(pin.replace("==", "-") + "-") for n in names) for pin in PINS):
            return path
    return None


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with only numpy and scipy (and pip). Every subprocess here runs a fixed argv of our own
    interpreter or script (S603: no untrusted input)."""
    directory = tmp_path_factory.mktemp("bare") / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(directory)
    python = directory / "bin" / "python"
    wheels = _wheel_dir()
    source = ["--no-index", "--find-links", str(wheels)] if wheels else []
    subprocess.run(  # noqa: S603  # fixed argv
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *source, *PINS],
        check=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
        | {"PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        timeout=600,
    )
    return python


def _run(python: Path, directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  # fixed argv
        [str(python), str(directory / "verify_decision.py"), str(directory)],
        capture_output=True,
        text=True,
        cwd=directory,
        env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},
        timeout=300,
        check=False,
    )


@pytest.mark.django_db
def test_standalone_script_in_a_bare_venv_confirms_and_then_names_a_changed_score(bare_python, tmp_path):
    installed = subprocess.run(  # noqa: S603  # fixed argv
        [str(bare_python), "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    # ensurepip brings pip (and on Python 3.11 setuptools) into every venv; nothing else is there.
    packages = {line.split("==")[0].lower() for line in installed} - {"pip", "setuptools"}
    assert packages == {"numpy", "scipy"}
    probe = [str(bare_python), "-c", "import django"]
    assert subprocess.run(probe, capture_output=True, check=False).returncode == 1  # noqa: S603  # fixed argv
    built = decided_call()
    write_export(built.call, tmp_path)
    untouched = _run(bare_python, tmp_path)
    assert (untouched.returncode, untouched.stdout, untouched.stderr) == (0, "identisch / identical\n", "")

    with open(tmp_path / "scores.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = list(reader.fieldnames or []), list(reader)
    row = next(r for r in rows if r["row"] == "review" and int(r["criterion:relevanz"]) < 9)
    row["criterion:relevanz"] = str(int(row["criterion:relevanz"]) + 1)
    with open(tmp_path / "scores.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    changed = _run(bare_python, tmp_path)
    assert changed.returncode == 1
    lines = changed.stdout.splitlines()
    assert "- manifest.json: scores.csv, sha256: veröffentlicht/published" in "\n".join(lines)
    published = row["weighted_sum"]
    assert (
        f"- scores.csv: {row['reference']}, {row['juror']}, weighted_sum: veröffentlicht/published {published}, "
        f"nachgerechnet/recomputed {float(published) + 2:.2f}"
    ) in lines


def test_standalone_script_imports_nothing_of_oglabs():
    """Run under ``-I`` from an empty directory: only the standard library, numpy and scipy."""
    from oglabs.transparency.opendata.export import SCRIPT_SOURCE

    source = SCRIPT_SOURCE.read_text(encoding="utf-8")
    assert "import oglabs" not in source and "from oglabs" not in source
    assert "django" not in source.lower()
    done = subprocess.run(  # noqa: S603  # fixed argv
        [
            sys.executable,
            "-I",
            "-c",
            f"import runpy; runpy.run_path({str(SCRIPT_SOURCE)!r}, run_name='probe')",
        ],
        capture_output=True,
        text=True,
        cwd="/",
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
