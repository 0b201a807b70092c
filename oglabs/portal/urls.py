from django.urls import path

from oglabs.portal.views import overview

app_name = "portal"
urlpatterns = [
    path("", overview.home, name="home"),
    # --- overview: my proposals, detail, history, submit, withdraw, receipts, attachments, members
    # --- editing: the multi-step form with autosave
]
