"""Cacheable public responses: ``Cache-Control`` and a conditional GET by ETag.

``@cacheable(max_age=300)`` on a view that reads only public data: a successful GET gets an ETag
(a hash of its body) and ``Cache-Control: public, max-age=…`` — ``private`` instead when the
visitor is signed in, because the page frame then shows their account — and a request whose
``If-None-Match`` matches gets ``304 Not Modified`` without a body.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)

View = Callable[..., HttpResponseBase]


def cacheable(*, max_age: int, per_user: bool = True) -> Callable[[View], View]:
    """``per_user=False`` for responses that never depend on the visitor (the JSON API)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            if request.method not in ("GET", "HEAD") or response.status_code != 200:
                return response
            if not isinstance(response, HttpResponse):  # streaming: no body to hash
                return response
            signed_in = per_user and request.user.is_authenticated
            if signed_in:
                patch_cache_control(response, private=True, max_age=0)
            else:
                patch_cache_control(response, public=True, max_age=max_age)
            if per_user:
                patch_vary_headers(response, ("Cookie",))
            if not response.has_header("ETag"):
                set_response_etag(response)
            conditional = get_conditional_response(request, etag=response["ETag"], response=response)
            return conditional if conditional is not None else response

        return wrapped

    return decorator
