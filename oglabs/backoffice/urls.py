from django.urls import path

from oglabs.backoffice.views import calls, home
from oglabs.backoffice.views import eligibility as eligibility_views
from oglabs.backoffice.views import revision as revision_views

app_name = "backoffice"
urlpatterns = [
    path("", home.home, name="home"),
    # --- calls: dashboard, proposal lists, proposal detail for staff
    path("aufrufe/<slug:slug>/", calls.call_dashboard, name="call_dashboard"),
    path("aufrufe/<slug:slug>/antraege/", calls.proposal_list, name="proposal_list"),
    path("antraege/<int:pk>/", calls.proposal_detail, name="proposal_detail"),
    path("anlagen/<int:attachment_id>/", calls.attachment_download, name="attachment_download"),
    # --- eligibility: formal check (four-eyes), messages to consortia
    path("aufrufe/<slug:slug>/pruefung/", eligibility_views.eligibility_queue, name="eligibility_queue"),
    path("antraege/<int:pk>/pruefung/", eligibility_views.eligibility_check, name="eligibility_check"),
    path(
        "pruefungen/<int:pk>/bestaetigen/", eligibility_views.eligibility_confirm, name="eligibility_confirm"
    ),
    path(
        "pruefungen/<int:pk>/zurueckweisen/", eligibility_views.eligibility_reject, name="eligibility_reject"
    ),
    path("aufrufe/<slug:slug>/nachrichten/", eligibility_views.compose_message, name="messages"),
    # --- support: questions and answers (FAQ), workshops
    # --- revision: revision window, diff, merge, closing the revision phase
    path("aufrufe/<slug:slug>/ueberarbeitung/", revision_views.revision, name="revision"),
    path(
        "aufrufe/<slug:slug>/ueberarbeitung/abschliessen/", revision_views.revision_close, name="revision_close"
    ),
    path("antraege/<int:pk>/aenderungen/", revision_views.proposal_diff, name="proposal_diff"),
]
