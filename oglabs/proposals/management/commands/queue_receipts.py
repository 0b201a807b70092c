"""``manage.py queue_receipts``: queue the receipt mail of every handed-in version that is still
owed one (cron, recovery after the worker failed; ``services.receipts``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from oglabs.proposals.services.receipts import queue_due_receipts


class Command(BaseCommand):
    help = "Stellt die Eingangsbestätigungen aller eingereichten Fassungen in den Postausgang, die noch ausstehen."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = queue_due_receipts(now=timezone.now())
        self.stdout.write(
            _("Eingangsbestätigungen in den Postausgang gestellt: {count}").format(count=queued)
        )
