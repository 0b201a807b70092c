from django.urls import path

from oglabs.portal.views import attachments, editing, members, overview, submission
from oglabs.portal.views import revision as revision_views
from oglabs.portal.views import support as support_views

app_name = "portal"
urlpatterns = [
    path("", overview.home, name="home"),
    # --- overview: my proposals, detail, history, submit, withdraw, receipts, attachments, members
    path("antraege/<int:pk>/", overview.proposal_detail, name="proposal_detail"),
    path("antraege/<int:pk>/einreichen/", submission.proposal_submit, name="proposal_submit"),
    path("antraege/<int:pk>/zurueckziehen/", submission.proposal_withdraw, name="proposal_withdraw"),
    path(
        "antraege/<int:pk>/versionen/<int:number>/eingangsbestaetigung.pdf",
        overview.proposal_receipt,
        name="proposal_receipt",
    ),
    path("antraege/<int:pk>/anlagen/", attachments.attachments, name="attachments"),
    path("anlagen/<int:attachment_id>/", attachments.attachment_download, name="attachment_download"),
    path("anlagen/<int:attachment_id>/entfernen/", attachments.attachment_remove, name="attachment_remove"),
    path("antraege/<int:pk>/mitglieder/", members.members, name="members"),
    path(
        "antraege/<int:pk>/partner/<int:partner_id>/bestaetigung-anfordern/",
        members.request_confirmation,
        name="request_confirmation",
    ),
    path("einladung/<str:token>/", members.accept_invitation, name="accept_invitation"),
    # --- editing: the multi-step form with autosave
    path("aufrufe/<slug:slug>/neu/", editing.proposal_start, name="proposal_start"),
    path("antraege/<int:pk>/bearbeiten/", editing.proposal_edit, name="proposal_edit"),
    path("antraege/<int:pk>/bearbeiten/<slug:step>/", editing.proposal_edit_step, name="proposal_edit_step"),
    # --- support
    path("aufrufe/<slug:slug>/fragen/neu/", support_views.ask_question, name="ask_question"),
    path("workshops/", support_views.workshops, name="workshops"),
    path("workshops/<int:pk>/", support_views.workshop, name="workshop"),
    path(
        "workshops/anmeldungen/<int:registration_id>/stornieren/",
        support_views.registration_cancel,
        name="registration_cancel",
    ),
    path("workshops/material/<int:material_id>/", support_views.material_download, name="workshop_material"),
    # --- revision
    path("antraege/<int:pk>/zusammenlegen/", revision_views.merge, name="merge"),
    path("zusammenlegungen/<int:pk>/", revision_views.merge_decide, name="merge_decide"),
]
