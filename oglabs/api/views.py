"""Read API (/api/v1/)."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import reverse

from oglabs.core.access import public


@public
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@public
def index(request: HttpRequest) -> JsonResponse:
    """What the read API offers: the schema and the list of calls."""
    return JsonResponse(
        {
            "openapi": reverse("api:openapi-json"),
            "calls": reverse("api:list_calls"),
            "health": reverse("api:health"),
        }
    )
