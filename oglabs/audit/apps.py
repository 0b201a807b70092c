import hashlib
from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sha256_hex(*parts: bytes | str | int) -> str:
    """SHA-256 (hex) of the parts one after the other, text and numbers as UTF-8: the digest of
    an appended event on SQLite (``services._append``; PostgreSQL has ``sha256`` built in)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode("utf-8"))
    return digest.hexdigest()


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        from oglabs.audit.services import SQLITE_SHA256

        connection.connection.create_function(SQLITE_SHA256, -1, _sha256_hex, deterministic=True)


class AuditConfig(AppConfig):
    name = "oglabs.audit"
    label = "audit"

    def ready(self) -> None:
        connection_created.connect(register_sqlite_functions, dispatch_uid="oglabs.audit.sqlite_functions")
