"""Read API (/api/v1/)."""

from django.db import connection
from django.http import HttpRequest, JsonResponse

from oglabs.core.access import public


@public
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
