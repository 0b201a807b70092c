"""Attachments rendered when the mail is sent, not when it is queued.

A domain app registers a renderer under a name (``@attachment_renderer("proposals.receipt")``)
and queues a mail with ``MailAttachment.deferred(...)``: the outbox row then holds the renderer's
name and its JSON arguments, in the caller's transaction, and the worker renders the bytes once,
at the first delivery attempt, and keeps them for retries. The request that queued the mail
does not pay for the rendering (a receipt PDF takes a tenth of a second or more), and the mail
app still knows no domain model: it only knows names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Renderer = Callable[..., bytes]

_RENDERERS: dict[str, Renderer] = {}


class UnknownRenderer(LookupError):
    pass


def attachment_renderer(name: str) -> Callable[[Renderer], Renderer]:
    """Register ``function(**arguments) -> bytes`` under ``name``."""

    def register(function: Renderer) -> Renderer:
        existing = _RENDERERS.get(name)
        if existing is not None and existing is not function:
            raise ValueError(f"an attachment renderer is already registered as {name!r}")
        _RENDERERS[name] = function
        return function

    return register


def is_registered(name: str) -> bool:
    return name in _RENDERERS


def render_attachment(name: str, arguments: dict[str, Any]) -> bytes:
    try:
        renderer = _RENDERERS[name]
    except KeyError as error:
        raise UnknownRenderer(f"no attachment renderer registered as {name!r}") from error
    return renderer(**arguments)
