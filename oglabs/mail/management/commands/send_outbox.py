"""``manage.py send_outbox``: send every due mail of the outbox (cron, recovery after an outage)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from oglabs.mail.delivery import DeliveryOutcome
from oglabs.mail.services import send_due_mail


class Command(BaseCommand):
    help = "Sendet alle fälligen E-Mails aus dem Postausgang."

    def handle(self, *args: Any, **options: Any) -> None:
        outcomes = send_due_mail(now=timezone.now())
        self.stdout.write(
            _("Gesendet: {sent}, später erneut: {retry}, endgültig fehlgeschlagen: {failed}").format(
                sent=outcomes[DeliveryOutcome.SENT],
                retry=outcomes[DeliveryOutcome.RETRY],
                failed=outcomes[DeliveryOutcome.FAILED],
            )
        )
