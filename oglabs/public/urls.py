from django.urls import path

from oglabs.public import places_views, views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("orte/suche/", places_views.municipality_search, name="municipality_search"),
]
