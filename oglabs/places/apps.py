from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "oglabs.places"
    label = "places"
