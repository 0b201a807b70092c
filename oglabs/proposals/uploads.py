"""Uploaded PDFs (letters of intent, attachments): checked by content, stored under random names.

A file is accepted only if its bytes are a PDF: ``%PDF-`` at offset 0, ``%%EOF`` within the last
1024 bytes, no HTML/SVG/script markup near the start (a polyglot that a browser would sniff as
a web page) and no active content (JavaScript, launch actions) that would run in a reviewer's
PDF viewer. The name the user gave is never used to decide anything; it is kept, cleaned, as
metadata only. Files go to Django's default storage, which lives outside the static root and is
served only through permission-checked views (``queries.attachment_for_member``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from oglabs.proposals.exceptions import InvalidContent

MIB = 1024 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 10 * MIB
#: Where the files go inside the private storage.
DIRECTORY = "attachments"

PDF_MAGIC = b"%PDF-"
PDF_END = b"%%EOF"
#: How far from the end ``%%EOF`` may be (the PDF specification's readers look this far).
TAIL_BYTES = 1024
#: How much of the start is searched for markup a browser would render as a web page.
HEAD_BYTES = 1024
_MARKUP = re.compile(
    rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|meta|\?xml-stylesheet)\b", re.IGNORECASE
)
#: Actions that run code in a PDF viewer. A ``#xx`` escape in a name could hide them; this is a
#: second line of defence behind serving attachments only as downloads to signed-in people.
#: (``/JS`` alone is not searched: three bytes occur by chance in compressed streams, and a
#: JavaScript action always names ``/S /JavaScript``.)
_ACTIVE = re.compile(rb"/(JavaScript|Launch)(?![A-Za-z0-9])")

NOT_PDF = "Nur PDF-Dateien sind erlaubt."
EMPTY = "Die Datei ist leer."
DAMAGED = "Die PDF-Datei ist unvollständig oder beschädigt. Bitte speichern Sie sie neu und laden Sie sie erneut hoch."
MARKUP = "Die Datei enthält Web-Inhalte (HTML, SVG oder Skript). Nur PDF-Dateien sind erlaubt."
ACTIVE = (
    "Die PDF-Datei enthält aktive Inhalte (JavaScript oder Programmaufrufe). Bitte speichern Sie "
    "sie ohne diese Inhalte neu, zum Beispiel über „Drucken als PDF“."
)


@dataclass(frozen=True)
class CheckedPdf:
    data: bytes
    sha256: str
    original_name: str


def max_upload_bytes() -> int:
    return int(getattr(settings, "OGLABS_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def too_large_message(limit: int) -> str:
    """``"Die Datei ist größer als 10 MB."`` (1 MB = 1024 × 1024 bytes, as file managers show it)."""
    megabytes = (Decimal(limit) / MIB).quantize(Decimal("0.1")).normalize()
    number = f"{megabytes:f}".replace(".", ",")
    return f"Die Datei ist größer als {number} MB."


def clean_filename(name: str) -> str:
    """The user's file name, safe to show and to put in a download header: no path, no control
    or reserved characters, at most 200 characters, ending in ``.pdf``."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*;')
    name = " ".join(name.split()).strip(" .")
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = stem.strip(" .")[:196] or "Anlage"
    return f"{stem}.pdf"


def _refuse(message: str) -> InvalidContent:
    return InvalidContent({"file": [message]})


def check_pdf(data: bytes) -> None:
    """Raise ``InvalidContent`` unless ``data`` is a PDF by its content."""
    if not data:
        raise _refuse(EMPTY)
    if not data.startswith(PDF_MAGIC):
        raise _refuse(NOT_PDF)
    if _MARKUP.search(data[:HEAD_BYTES]):
        raise _refuse(MARKUP)
    if PDF_END not in data[-TAIL_BYTES:]:
        raise _refuse(DAMAGED)
    if _ACTIVE.search(data):
        raise _refuse(ACTIVE)


def read_pdf(uploaded_file: File, *, max_bytes: int) -> CheckedPdf:
    """Read and check an uploaded file; never reads more than ``max_bytes`` + 1 bytes."""
    limit_message = too_large_message(max_bytes)
    if uploaded_file.size is not None and uploaded_file.size > max_bytes:
        raise _refuse(limit_message)
    uploaded_file.seek(0)
    data = uploaded_file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _refuse(limit_message)
    check_pdf(data)
    return CheckedPdf(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        original_name=clean_filename(uploaded_file.name or ""),
    )


def store_pdf(data: bytes) -> str:
    """Save checked bytes under a new random name; returns the storage name."""
    return default_storage.save(f"{DIRECTORY}/{uuid.uuid4().hex}.pdf", ContentFile(data))


def delete_stored(name: str) -> None:
    default_storage.delete(name)
