"""``manage.py verify_audit_log``: check every hash and link of the audit log.

Exit code 0 if the log is intact, 1 at the first broken link (named by its sequence number).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oglabs.audit.chain import BreakReason, ChainBreak, verify_chain
from oglabs.audit.queries import chain_entries

T = TypeVar("T")


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def count_items(self, items: Iterable[T]) -> Iterator[T]:
        for item in items:
            self.count += 1
            yield item


def describe_break(chain_break: ChainBreak) -> str:
    """The German message naming the first broken link."""
    if chain_break.reason is BreakReason.GAP:
        problem = _("Lücke in der Nummerierung (erwartet Nr. {expected})")
    elif chain_break.reason is BreakReason.WRONG_PREVIOUS_HASH:
        problem = _("falscher vorheriger Hash (erwartet {expected}, gespeichert {found})")
    else:
        problem = _("Hash stimmt nicht mit dem Inhalt überein (berechnet {expected}, gespeichert {found})")
    return _("Audit-Log verletzt bei Ereignis Nr. {sequence}: {problem}").format(
        sequence=chain_break.sequence,
        problem=problem.format(expected=chain_break.expected, found=chain_break.found),
    )


class Command(BaseCommand):
    help = "Prüft alle Hashes und Verkettungen des Audit-Logs."

    def handle(self, *args: Any, **options: Any) -> None:
        counter = _Counter()
        chain_break = verify_chain(counter.count_items(chain_entries()))
        if chain_break is not None:
            self.stderr.write(describe_break(chain_break))
            sys.exit(1)
        message = ngettext(
            "Audit-Log intakt: %(count)d Ereignis", "Audit-Log intakt: %(count)d Ereignisse", counter.count
        ) % {"count": counter.count}
        self.stdout.write(message)
