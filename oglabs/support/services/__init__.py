"""Writes of the support app. Each function is one transaction and leaves one audit event (the
invitation of all eligible consortia also leaves one per proposal transition); ``now`` and the
acting user are arguments; the functions live in modules by concept — import them from here."""

from oglabs.support.services.questions import answer_question, ask_question, publish_answer, reject_question
from oglabs.support.services.workshops import (
    WorkshopData,
    add_material,
    cancel_registration,
    create_workshop,
    invite_eligible_consortia,
    record_attendance,
    register_attendee,
    remove_material,
    update_workshop,
)

__all__ = [
    "WorkshopData",
    "add_material",
    "answer_question",
    "ask_question",
    "cancel_registration",
    "create_workshop",
    "invite_eligible_consortia",
    "publish_answer",
    "record_attendance",
    "register_attendee",
    "reject_question",
    "remove_material",
    "update_workshop",
]
