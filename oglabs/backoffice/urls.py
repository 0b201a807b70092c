from django.urls import path

from oglabs.backoffice.views import home
from oglabs.backoffice.views import revision as revision_views

app_name = "backoffice"
urlpatterns = [
    path("", home.home, name="home"),
    # --- calls: dashboard, proposal lists, proposal detail for staff
    # --- eligibility: formal check (four-eyes), messages to consortia
    # --- support: questions and answers (FAQ), workshops
    # --- revision: revision window, diff, merge, closing the revision phase
    path("aufrufe/<slug:slug>/ueberarbeitung/", revision_views.revision, name="revision"),
    path(
        "aufrufe/<slug:slug>/ueberarbeitung/abschliessen/", revision_views.revision_close, name="revision_close"
    ),
    path("antraege/<int:pk>/aenderungen/", revision_views.proposal_diff, name="proposal_diff"),
]
