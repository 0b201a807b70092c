from django.urls import path

from oglabs.public import legal_views, places_views, views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("aufrufe/<slug:slug>/", views.call_detail, name="call_detail"),
    path("impressum/", legal_views.impressum, name="impressum"),
    path("datenschutz/", legal_views.datenschutz, name="datenschutz"),
    path("barrierefreiheit/", legal_views.barrierefreiheit, name="barrierefreiheit"),
    path("leichte-sprache/", legal_views.leichte_sprache, name="leichte_sprache"),
    path("orte/suche/", places_views.municipality_search, name="municipality_search"),
]
