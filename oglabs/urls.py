"""Root URLconf: mounts the interface apps and the account pages — nothing else."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.i18n import set_language

from oglabs.core.access import public

urlpatterns = [
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("api/v1/", include("oglabs.api.urls")),
]
urlpatterns += i18n_patterns(
    path("", include("oglabs.public.urls")),
    path("konto/", include("oglabs.accounts.urls")),
    path("portal/", include("oglabs.portal.urls")),
    path("verwaltung/", include("oglabs.backoffice.urls")),
    prefix_default_language=False,
)
