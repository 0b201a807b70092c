from django.urls import path

from oglabs.backoffice.views import calls, home
from oglabs.backoffice.views import eligibility as eligibility_views
from oglabs.backoffice.views import jury as jury_views
from oglabs.backoffice.views import redaction as redaction_views
from oglabs.backoffice.views import revision as revision_views
from oglabs.backoffice.views import scoring as scoring_views
from oglabs.backoffice.views import selection as selection_views
from oglabs.backoffice.views import support as support_views

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
    path("aufrufe/<slug:slug>/fragen/", support_views.questions, name="questions"),
    path("aufrufe/<slug:slug>/fragen/erfassen/", support_views.question_from_mail, name="question_from_mail"),
    path("aufrufe/<slug:slug>/fragen/<int:pk>/", support_views.question_answer, name="question_answer"),
    path(
        "aufrufe/<slug:slug>/fragen/<int:pk>/veroeffentlichen/",
        support_views.question_publish,
        name="question_publish",
    ),
    path(
        "aufrufe/<slug:slug>/fragen/<int:pk>/ablehnen/", support_views.question_reject, name="question_reject"
    ),
    path("aufrufe/<slug:slug>/workshops/", support_views.workshops, name="workshops"),
    path("aufrufe/<slug:slug>/workshops/neu/", support_views.workshop_create, name="workshop_create"),
    path("aufrufe/<slug:slug>/workshops/<int:pk>/", support_views.workshop_detail, name="workshop_detail"),
    path(
        "aufrufe/<slug:slug>/workshops/<int:pk>/bearbeiten/",
        support_views.workshop_edit,
        name="workshop_edit",
    ),
    path(
        "aufrufe/<slug:slug>/workshops/<int:pk>/einladen/",
        support_views.workshop_invite,
        name="workshop_invite",
    ),
    path(
        "aufrufe/<slug:slug>/workshops/<int:pk>/anmeldungen/<int:registration_id>/anwesenheit/",
        support_views.workshop_attendance,
        name="workshop_attendance",
    ),
    path(
        "aufrufe/<slug:slug>/workshops/<int:pk>/anmeldungen/<int:registration_id>/stornieren/",
        support_views.workshop_cancel_registration,
        name="workshop_cancel_registration",
    ),
    path(
        "aufrufe/<slug:slug>/workshops/<int:pk>/material/",
        support_views.workshop_material_add,
        name="workshop_material_add",
    ),
    path(
        "aufrufe/<slug:slug>/workshop-material/<int:material_id>/",
        support_views.workshop_material_download,
        name="workshop_material_download",
    ),
    path(
        "aufrufe/<slug:slug>/workshop-material/<int:material_id>/entfernen/",
        support_views.workshop_material_remove,
        name="workshop_material_remove",
    ),
    # --- revision: revision window, diff, merge, closing the revision phase
    path("aufrufe/<slug:slug>/ueberarbeitung/", revision_views.revision, name="revision"),
    path(
        "aufrufe/<slug:slug>/ueberarbeitung/abschliessen/",
        revision_views.revision_close,
        name="revision_close",
    ),
    path("antraege/<int:pk>/aenderungen/", revision_views.proposal_diff, name="proposal_diff"),
    # --- publication: redaction with four eyes, allow list, publishing the decision
    path("aufrufe/<slug:slug>/veroeffentlichung/", redaction_views.redaction_queue, name="redaction_queue"),
    path(
        "aufrufe/<slug:slug>/veroeffentlichung/vorbereiten/",
        redaction_views.redaction_prepare,
        name="redaction_prepare",
    ),
    path(
        "aufrufe/<slug:slug>/veroeffentlichung/erlaubte-namen/",
        redaction_views.redaction_allow_list,
        name="redaction_allow_list",
    ),
    path(
        "aufrufe/<slug:slug>/veroeffentlichung/veroeffentlichen/",
        redaction_views.redaction_publish,
        name="redaction_publish",
    ),
    path(
        "aufrufe/<slug:slug>/veroeffentlichung/texte/<int:pk>/",
        redaction_views.redaction_text,
        name="redaction_text",
    ),
    path(
        "aufrufe/<slug:slug>/veroeffentlichung/texte/<int:pk>/bestaetigen/",
        redaction_views.redaction_confirm,
        name="redaction_confirm",
    ),
    path(
        "aufrufe/<slug:slug>/veroeffentlichung/texte/<int:pk>/zurueckgeben/",
        redaction_views.redaction_return,
        name="redaction_return",
    ),
    # --- jury (staff): settings, criteria, jurors, conflicts, assignment, progress, results
    path("aufrufe/<slug:slug>/jury/", jury_views.jury_settings, name="jury_settings"),
    path("aufrufe/<slug:slug>/jury/kriterien/", jury_views.jury_criteria, name="jury_criteria"),
    path(
        "aufrufe/<slug:slug>/jury/kriterien/standard/",
        jury_views.jury_criteria_defaults,
        name="jury_criteria_defaults",
    ),
    path(
        "aufrufe/<slug:slug>/jury/kriterien/neu/",
        jury_views.jury_criterion_create,
        name="jury_criterion_create",
    ),
    path(
        "aufrufe/<slug:slug>/jury/kriterien/<int:pk>/",
        jury_views.jury_criterion_edit,
        name="jury_criterion_edit",
    ),
    path(
        "aufrufe/<slug:slug>/jury/kriterien/<int:pk>/loeschen/",
        jury_views.jury_criterion_delete,
        name="jury_criterion_delete",
    ),
    path("aufrufe/<slug:slug>/jury/mitglieder/", jury_views.jury_members, name="jury_members"),
    path("aufrufe/<slug:slug>/jury/mitglieder/neu/", jury_views.jury_member_add, name="jury_member_add"),
    path(
        "aufrufe/<slug:slug>/jury/mitglieder/<int:pk>/entfernen/",
        jury_views.jury_member_remove,
        name="jury_member_remove",
    ),
    path("aufrufe/<slug:slug>/jury/befangenheiten/", jury_views.jury_conflicts, name="jury_conflicts"),
    path(
        "aufrufe/<slug:slug>/jury/befangenheiten/erkennen/",
        jury_views.jury_conflicts_detect,
        name="jury_conflicts_detect",
    ),
    path(
        "aufrufe/<slug:slug>/jury/befangenheiten/<int:pk>/aufheben/",
        jury_views.jury_conflict_override,
        name="jury_conflict_override",
    ),
    path("aufrufe/<slug:slug>/jury/zuweisung/", jury_views.jury_assignment, name="jury_assignment"),
    path("aufrufe/<slug:slug>/jury/zuweisung/automatisch/", jury_views.jury_assign, name="jury_assign"),
    path(
        "aufrufe/<slug:slug>/jury/zuweisung/hinzufuegen/", jury_views.jury_review_add, name="jury_review_add"
    ),
    path(
        "aufrufe/<slug:slug>/jury/gutachten/<int:pk>/entfernen/",
        jury_views.jury_review_remove,
        name="jury_review_remove",
    ),
    path("aufrufe/<slug:slug>/jury/fortschritt/", jury_views.jury_progress, name="jury_progress"),
    path("aufrufe/<slug:slug>/jury/fortschritt/erinnern/", jury_views.jury_remind, name="jury_remind"),
    path("aufrufe/<slug:slug>/jury/ergebnisse/", jury_views.jury_results, name="jury_results"),
    # --- jury (jurors): seats, conflict declaration, own reviews, scoring
    path("jury/", scoring_views.juror_home, name="juror_home"),
    path("jury/<slug:slug>/", scoring_views.juror_reviews, name="juror_reviews"),
    path("jury/<slug:slug>/befangenheit/", scoring_views.juror_declaration, name="juror_declaration"),
    path("jury/gutachten/<int:pk>/", scoring_views.juror_review, name="juror_review"),
    path(
        "jury/gutachten/<int:pk>/befangen/", scoring_views.juror_review_conflict, name="juror_review_conflict"
    ),
    # --- selection (staff): runs (what-if), comparison, the decision, withdrawal of a selected lab
    path("aufrufe/<slug:slug>/auswahl/", selection_views.selection_runs, name="selection_runs"),
    path(
        "aufrufe/<slug:slug>/auswahl/laeufe/<int:number>/",
        selection_views.selection_run,
        name="selection_run",
    ),
    path(
        "aufrufe/<slug:slug>/auswahl/laeufe/<int:number>/entscheiden/",
        selection_views.selection_decide,
        name="selection_decide",
    ),
    path(
        "aufrufe/<slug:slug>/auswahl/vergleich/", selection_views.selection_compare, name="selection_compare"
    ),
    path(
        "aufrufe/<slug:slug>/auswahl/entscheidung/",
        selection_views.selection_decision,
        name="selection_decision",
    ),
    path(
        "aufrufe/<slug:slug>/auswahl/entscheidung/rueckzug/<int:pk>/",
        selection_views.selection_withdraw,
        name="selection_withdraw",
    ),
]
