"""The whole export of one call's published decision into a directory.

Order: the data files (streamed), the stand-alone script (a byte-for-byte copy of
:mod:`oglabs.transparency.standalone.verify_decision`) and the README; then ``catalog.ttl``
(which needs their sizes and hashes); then ``manifest.json`` (every file but itself and the
checksum list) and ``SHA256SUMS`` (every file but itself, the manifest included).

The export is deterministic: the same decision, texts and site URL give byte-identical files
(no generation time is written; dates are those of the decision), so hashes can be compared
across downloads and the public download can be cached.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from oglabs.calls.models import Call
from oglabs.transparency.opendata import readme
from oglabs.transparency.opendata.catalog import MEDIA_TYPES, write_catalog
from oglabs.transparency.opendata.collect import Context, context, proposal_records, score_records
from oglabs.transparency.opendata.committed import write_committed
from oglabs.transparency.opendata.documents import LICENCE_NAME, LICENCE_URL, write_decision, write_giving
from oglabs.transparency.opendata.tables import write_proposals, write_scores
from oglabs.transparency.standalone import verify_decision
from oglabs.transparency.standalone.verify_decision import FORMAT, sha256_of

#: Where the public site serves the files of a call (``public.urls`` uses the same path; a test
#: keeps the two in step).
DOWNLOAD_PATH = "/aufrufe/{slug}/entscheidung/daten/"
DATA_FILES = (
    "proposals.csv",
    "proposals.json",
    "scores.csv",
    "scores.json",
    "decision.json",
    "committed.json",
    "grants-360giving.json",
)
SCRIPT = "verify_decision.py"
README = "README.txt"
CATALOG = "catalog.ttl"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
#: Every file of an export, in the order of the manifest.
FILES = (*DATA_FILES, SCRIPT, README, CATALOG, MANIFEST, SUMS)
SCRIPT_SOURCE = Path(verify_decision.__file__)


@dataclass(frozen=True)
class Export:
    directory: Path
    #: File name → (SHA-256, bytes) of every file but ``SHA256SUMS``.
    files: dict[str, tuple[str, int]]
    proposals: int
    reviews: int
    grants: int
    published: bool


def site_url() -> str:
    return str(settings.SITE_URL).rstrip("/")


def download_url(call: Call) -> str:
    return site_url() + DOWNLOAD_PATH.format(slug=call.slug)


def _described(directory: Path, names: tuple[str, ...]) -> dict[str, tuple[str, int]]:
    return {name: (sha256_of(directory / name), (directory / name).stat().st_size) for name in names}


def write_export(call: Call, directory: Path, *, allow_unpublished: bool = False) -> Export:
    """Write every file of the export of ``call`` into ``directory`` (created if missing).

    Raises :class:`~oglabs.transparency.opendata.collect.NotPublished` unless the decision is
    published; ``allow_unpublished`` (for staff tests) exports it without any reason."""
    ctx = context(call, allow_unpublished=allow_unpublished)
    directory.mkdir(parents=True, exist_ok=True)
    return _write(ctx, directory)


def _write(ctx: Context, directory: Path) -> Export:
    base = download_url(ctx.call)
    proposals = write_proposals(ctx, proposal_records(ctx), directory)
    reviews = write_scores(ctx, score_records(ctx), directory)
    write_decision(ctx, directory)
    write_committed(ctx, directory)
    grants = write_giving(
        ctx, directory, data_source=base + "grants-360giving.json", site_url=site_url() + "/"
    )
    shutil.copyfile(SCRIPT_SOURCE, directory / SCRIPT)
    (directory / README).write_text(readme.text(ctx, base), encoding="utf-8", newline="\n")
    files = _described(directory, (*DATA_FILES, SCRIPT, README))
    catalog = write_catalog(ctx, base_url=base, site_url=site_url() + "/", files=files)
    (directory / CATALOG).write_text(catalog, encoding="utf-8", newline="\n")
    files.update(_described(directory, (CATALOG,)))
    manifest = {
        "format": FORMAT,
        "call": ctx.call.slug,
        "issued": ctx.issued_at.isoformat(),
        "published": ctx.published,
        "licence": {"name": LICENCE_NAME, "url": LICENCE_URL},
        "download": base,
        "files": [
            {
                "name": name,
                "sha256": files[name][0],
                "bytes": files[name][1],
                "media_type": MEDIA_TYPES[name.rsplit(".", 1)[-1]],
            }
            for name in FILES
            if name in files
        ],
    }
    (directory / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8", newline="\n"
    )
    files.update(_described(directory, (MANIFEST,)))
    (directory / SUMS).write_text(
        "".join(f"{files[name][0]}  {name}\n" for name in sorted(files)), encoding="ascii", newline="\n"
    )
    return Export(directory, files, proposals, reviews, grants, ctx.published)


def fingerprint(call: Call) -> str:
    """What the export's content depends on beyond the decision itself changes rarely: a short key
    for caching the public download (decision, publication, confirmed texts, move-ups, format,
    the script's source, the site URL)."""
    from django.db.models import Count, Max

    from oglabs.selection.models import Decision, DecisionEntry, MoveUp
    from oglabs.transparency.models import PublicText
    from oglabs.transparency.queries import public_texts

    decision = Decision.objects.filter(call=call).order_by("pk").first()
    if decision is None:
        return ""
    texts = PublicText.objects.filter(decision=decision).aggregate(n=Count("pk"), last=Max("confirmed_at"))
    moves = MoveUp.objects.filter(decision=decision).aggregate(n=Count("pk"), last=Max("created_at"))
    # The published words and outcomes themselves, so that no change of content can ever be served
    # from an older build (the metadata above alone could repeat, e.g. after a restore).
    content = hashlib.sha256()
    for proposal_id, text in sorted(public_texts(decision).items()):
        content.update(f"{proposal_id}\x1f{text}\x1e".encode())
    for row in (
        DecisionEntry.objects.filter(decision=decision)
        .order_by("proposal_id")
        .values_list("proposal_id", "outcome", "rank", "granted_amount", "waitlist_position")
    ):
        content.update(("\x1f".join(map(str, row)) + "\x1e").encode())
    parts = [
        str(decision.pk),
        str(decision.published_at),
        str(texts["n"]),
        str(texts["last"]),
        str(moves["n"]),
        str(moves["last"]),
        content.hexdigest(),
        FORMAT,
        *(sha256_of(path) for path in sorted(Path(__file__).parent.glob("*.py"))),
        sha256_of(SCRIPT_SOURCE),
        site_url(),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]
