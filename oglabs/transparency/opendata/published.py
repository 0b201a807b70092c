"""The public download of a published decision's open data: built once, kept in media storage.

The export is deterministic, so it is cached under a key of everything it depends on
(:func:`~oglabs.transparency.opendata.export.fingerprint`): the decision, its publication, the
confirmed texts, the move-ups, the export code and the site URL. The first request after a change
builds it in a temporary directory and stores every file and a ZIP of all of them
(``SHA256SUMS`` last: its presence marks a complete copy); later requests only open a file.
Nothing is served for an unpublished decision.
"""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage

from oglabs.calls.models import Call
from oglabs.transparency.opendata.catalog import MEDIA_TYPES
from oglabs.transparency.opendata.collect import NotPublished
from oglabs.transparency.opendata.export import FILES, SUMS, fingerprint, write_export
from oglabs.transparency.queries import is_published

#: The ZIP of every file of the export (same directory).
ARCHIVE = "open-data.zip"
DOWNLOADS = (*FILES, ARCHIVE)
_MEDIA = {**MEDIA_TYPES, "zip": "application/zip"}
#: A fixed time for the ZIP entries, so the archive is as deterministic as its files.
_ZIP_TIME = (2019, 1, 1, 0, 0, 0)


class UnknownFile(LookupError):
    pass


@dataclass(frozen=True)
class Download:
    name: str
    media_type: str
    handle: IO[bytes]
    size: int
    #: A strong validator for HTTP caching: the export's key and the file name.
    etag: str


def _folder(call: Call, key: str) -> str:
    return f"opendata/{call.slug}/{key}"


def _store(call: Call, folder: str) -> None:
    with tempfile.TemporaryDirectory(prefix="oglabs-opendata-") as temporary:
        directory = Path(temporary)
        write_export(call, directory)
        archive = directory / ARCHIVE
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for name in FILES:
                info = zipfile.ZipInfo(f"{call.slug}/{name}", date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                bundle.writestr(info, (directory / name).read_bytes())
        for name in (*[n for n in DOWNLOADS if n != SUMS], SUMS):
            target = f"{folder}/{name}"
            if default_storage.exists(target):
                continue
            with open(directory / name, "rb") as handle:
                default_storage.save(target, File(handle, name=name))


def open_download(call: Call, name: str) -> Download:
    """Open one file of the published export of ``call`` (building and storing it if needed).

    Raises :class:`UnknownFile` for a name that is not part of an export and
    :class:`~oglabs.transparency.opendata.collect.NotPublished` when the decision is not published."""
    if name not in DOWNLOADS:
        raise UnknownFile(name)
    key = fingerprint(call)
    if not key or not is_published(call):
        raise NotPublished(call)
    folder = _folder(call, key)
    if not default_storage.exists(f"{folder}/{SUMS}"):
        _store(call, folder)
    path = f"{folder}/{name}"
    return Download(
        name=name,
        media_type=_MEDIA[name.rsplit(".", 1)[-1]] if "." in name else "text/plain",
        handle=default_storage.open(path, "rb"),
        size=default_storage.size(path),
        etag=f'"{key}-{name}"',
    )
