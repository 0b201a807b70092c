from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "oglabs.reviews"
    label = "reviews"
