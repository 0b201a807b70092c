from django.urls import path

from oglabs.public import (
    confirmation_views,
    decision_views,
    legal_views,
    opendata_views,
    places_views,
    statistics_views,
    support_views,
    views,
)

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("aufrufe/<slug:slug>/", views.call_detail, name="call_detail"),
    path("aufrufe/<slug:slug>/fragen/", support_views.call_faq, name="call_faq"),
    path("aufrufe/<slug:slug>/fragen/stellen/", support_views.ask_question, name="ask_question"),
    path("aufrufe/<slug:slug>/statistik/", statistics_views.call_statistics, name="call_statistics"),
    path("aufrufe/<slug:slug>/entscheidung/", decision_views.call_decision, name="call_decision"),
    path("aufrufe/<slug:slug>/entscheidung/karte.svg", decision_views.decision_map, name="decision_map"),
    path(
        "aufrufe/<slug:slug>/entscheidung/<str:reference>/",
        decision_views.decision_proposal,
        name="decision_proposal",
    ),
    # The path is fixed by transparency.opendata.export.DOWNLOAD_PATH (named in the DCAT catalogue).
    path(
        "aufrufe/<slug:slug>/entscheidung/daten/<str:filename>",
        opendata_views.open_data_file,
        name="open_data_file",
    ),
    path("impressum/", legal_views.impressum, name="impressum"),
    path("datenschutz/", legal_views.datenschutz, name="datenschutz"),
    path("barrierefreiheit/", legal_views.barrierefreiheit, name="barrierefreiheit"),
    path("leichte-sprache/", legal_views.leichte_sprache, name="leichte_sprache"),
    path("orte/suche/", places_views.municipality_search, name="municipality_search"),
    # The path is fixed by proposals.services.PARTNER_CONFIRMATION_PATH (the mailed link).
    path("bestaetigung/<str:token>/", confirmation_views.partner_confirmation, name="partner_confirmation"),
]
