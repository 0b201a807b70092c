"""The public download of the open data: the same bytes as the command, without login, cached in
media storage, conditional GET; nothing for an unpublished decision."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from oglabs.transparency.opendata import FILES, write_export
from oglabs.transparency.opendata.export import DOWNLOAD_PATH
from oglabs.transparency.opendata.published import ARCHIVE, DOWNLOADS
from tests.factories.opendata import decided_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def _url(slug: str, name: str) -> str:
    return reverse("public:open_data_file", args=[slug, name])


def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content)


def test_download_path_is_the_one_the_export_describes():
    assert _url("aufruf-x", "proposals.csv") == DOWNLOAD_PATH.format(slug="aufruf-x") + "proposals.csv"


def test_every_file_is_downloadable_without_login_and_equals_the_command_export(client, media, tmp_path):
    built = decided_call()
    write_export(built.call, tmp_path / "command")
    for name in FILES:
        response = client.get(_url(built.call.slug, name))
        assert response.status_code == 200, name
        assert _body(response) == (tmp_path / "command" / name).read_bytes(), name
        assert response["Cache-Control"] == "public, max-age=3600"
        assert response["ETag"].endswith(f'-{name}"')
    assert client.get(_url(built.call.slug, "proposals.csv"))["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        client.get(_url(built.call.slug, "decision.json"))["Content-Type"]
        == "application/json; charset=utf-8"
    )
    archive = client.get(_url(built.call.slug, ARCHIVE))
    assert archive["Content-Type"] == "application/zip"
    assert archive["Content-Disposition"] == 'attachment; filename="open-data.zip"'
    with zipfile.ZipFile(io.BytesIO(_body(archive))) as bundle:
        assert sorted(bundle.namelist()) == sorted(f"{built.call.slug}/{name}" for name in FILES)
        assert (
            bundle.read(f"{built.call.slug}/scores.csv") == (tmp_path / "command" / "scores.csv").read_bytes()
        )


def test_the_export_is_built_once_and_then_served_from_storage(client, media):
    built = decided_call()
    first = client.get(_url(built.call.slug, "scores.csv"))
    _body(first)
    stored = sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())
    assert len(stored) == len(DOWNLOADS)
    assert {path.rsplit("/", 1)[1] for path in stored} == set(DOWNLOADS)
    again = client.get(_url(built.call.slug, "proposals.json"))
    _body(again)
    assert sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()) == stored


def test_a_matching_etag_gets_not_modified(client, media):
    built = decided_call()
    response = client.get(_url(built.call.slug, "decision.json"))
    _body(response)
    again = client.get(_url(built.call.slug, "decision.json"), headers={"if-none-match": response["ETag"]})
    assert (again.status_code, again.content) == (304, b"")


def test_nothing_is_served_for_an_unpublished_decision_an_unknown_file_or_call(client, media):
    hidden = decided_call(published=False)
    assert client.get(_url(hidden.call.slug, "proposals.csv")).status_code == 404
    assert list(media.rglob("*")) == []
    shown = decided_call()
    assert client.get(_url(shown.call.slug, "passwords.txt")).status_code == 404
    assert client.get(_url(shown.call.slug, "..%2Fsettings.py")).status_code == 404
    assert client.get(_url("gibt-es-nicht", "proposals.csv")).status_code == 404
    assert list(media.rglob("*")) == []
