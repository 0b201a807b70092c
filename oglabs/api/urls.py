"""``/api/v1/``: the health check and the read API (``endpoints.api``, OpenAPI at ``openapi.json``).

Every API view is public (``@public``: it shows only public data) and cacheable: a GET gets an
ETag and ``Cache-Control: public``, and a matching ``If-None-Match`` gets 304.
"""

from django.urls import URLPattern, URLResolver, path

from oglabs.api import views
from oglabs.api.endpoints import api
from oglabs.core.access import public
from oglabs.core.conditional import cacheable

#: Seconds a client or proxy may reuse an answer before revalidating it by its ETag.
MAX_AGE = 60


def _public_cacheable(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    result: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name == "api-root":
            # Ninja's root page shows nothing without its docs; ours lists what the API offers
            # (the name stays: ninja reverses it for the schema's paths).
            result.append(path("", public(views.index), name="api-root"))
        elif isinstance(pattern, URLPattern):
            view = public(cacheable(max_age=MAX_AGE, per_user=False)(pattern.callback))
            result.append(path(str(pattern.pattern), view, pattern.default_args, pattern.name))
        else:
            result.append(pattern)
    return result


app_name = "api"
urlpatterns = [
    path("health", views.health, name="health"),
    *_public_cacheable(api.urls[0]),
]
