"""Recompute a published decision from the files of its export. Pure: no Django.

The recomputation itself lives in :mod:`oglabs.transparency.standalone.verify_decision`, the one
file that is also copied into every export as ``verify_decision.py`` (it must run with nothing
but Python, numpy and scipy). ``manage.py verify_decision`` imports it from here, so the
application and the published script can never disagree.
"""

from __future__ import annotations

from pathlib import Path

from oglabs.transparency.standalone.verify_decision import (
    IDENTICAL,
    Difference,
    ExportError,
    Report,
    disclosed_hash,
    verify,
    version_hash_from_parts,
)

__all__ = [
    "IDENTICAL",
    "Difference",
    "ExportError",
    "Report",
    "disclosed_hash",
    "verify_export",
    "version_hash_from_parts",
]


def verify_export(directory: Path | str, *, time_limit: float = 60.0) -> Report:
    """Check the hashes, recompute aggregation and selection, compare; see the script's docstring."""
    return verify(Path(directory), time_limit=time_limit)
