"""allauth adapter: account mails go through the outbox like every other mail."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from oglabs.mail.services import queue_mail


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        message = self.render_mail(template_prefix, email, context)
        html = None
        if isinstance(message, EmailMultiAlternatives):
            html = next((str(body) for body, mime in message.alternatives if mime == "text/html"), None)
        queue_mail(
            to=list(message.to),
            subject=str(message.subject),
            body=str(message.body),
            html=html,
            kind=f"account:{template_prefix.rsplit('/', 1)[-1]}",
            now=timezone.now(),  # the adapter is an interface boundary: it may read the clock
        )
