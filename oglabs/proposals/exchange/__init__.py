"""Proposals in the JSON exchange format ``oglabs-proposals`` version 1: export and import.

The format is documented in ``docs/import-format.md`` and fixed by the JSON Schema
``docs/schemas/proposals-v1.schema.json``.
"""

from __future__ import annotations

from oglabs.proposals.exchange.export import export_proposals
from oglabs.proposals.exchange.format import FORMAT, VERSION, load_schema
from oglabs.proposals.exchange.importing import import_proposals
from oglabs.proposals.exchange.report import (
    ImportedProposal,
    ImportIssue,
    ImportReport,
    UnlinkedContact,
    format_report,
)

__all__ = [
    "FORMAT",
    "VERSION",
    "ImportIssue",
    "ImportReport",
    "ImportedProposal",
    "UnlinkedContact",
    "export_proposals",
    "format_report",
    "import_proposals",
    "load_schema",
]
