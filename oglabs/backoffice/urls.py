from django.urls import path

from oglabs.backoffice.views import home

app_name = "backoffice"
urlpatterns = [
    path("", home.home, name="home"),
    # --- calls: dashboard, proposal lists, proposal detail for staff
    # --- eligibility: formal check (four-eyes), messages to consortia
    # --- support: questions and answers (FAQ), workshops
    # --- revision: revision window, diff, merge, closing the revision phase
]
