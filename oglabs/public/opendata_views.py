"""The open data of a published decision, for download without login: every file of the export
(the same files ``manage.py export_open_data`` writes) and a ZIP of all of them.

``/aufrufe/<slug>/entscheidung/daten/<file>``; 404 for an unknown call or file and for a decision
that is not published. The files are built once per published state and served from media storage
(see ``transparency.opendata.published``), with a strong ETag and a public cache lifetime.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from oglabs.calls import queries as call_queries
from oglabs.calls.models import Call
from oglabs.core.access import public
from oglabs.transparency.opendata import NotPublished
from oglabs.transparency.opendata.published import UnknownFile, open_download

__all__ = ["open_data_file"]

#: Seconds a browser or proxy may keep a file; a new publication state has new ETags.
MAX_AGE = 3600


@public
@require_safe
def open_data_file(request: HttpRequest, slug: str, filename: str) -> HttpResponseBase:
    try:
        download = open_download(call_queries.get_public_call(slug), filename)
    except (Call.DoesNotExist, UnknownFile, NotPublished):
        raise Http404 from None
    if download.etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        download.handle.close()
        response: HttpResponseBase = HttpResponse(status=304)
    else:
        response = FileResponse(
            download.handle,
            as_attachment=filename.endswith(".zip"),
            filename=filename,
            content_type=f"{download.media_type}; charset=utf-8"
            if download.media_type.startswith("text/") or download.media_type.endswith("json")
            else download.media_type,
        )
    response["ETag"] = download.etag
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response
