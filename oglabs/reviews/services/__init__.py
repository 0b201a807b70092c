"""Writes of the jury. One import path: ``from oglabs.reviews import services``.

Every service takes model instances, ``actor`` and ``now`` keyword-only, runs in one transaction,
records exactly one audit event per state change and raises a :class:`~oglabs.reviews.exceptions.
ReviewError` with a German message when it refuses (and then changes nothing).
"""

from oglabs.reviews.queries import review_settings
from oglabs.reviews.services.assigning import AssignmentOutcome, add_review, assign_reviews, remove_review
from oglabs.reviews.services.configuration import update_review_settings
from oglabs.reviews.services.conflicts import declare_conflicts, detect_conflicts, override_conflict
from oglabs.reviews.services.criteria import create_default_criteria, delete_criterion, save_criterion
from oglabs.reviews.services.jury import add_juror, remove_juror
from oglabs.reviews.services.reminders import send_review_reminders
from oglabs.reviews.services.scoring import save_review

__all__ = [
    "AssignmentOutcome",
    "add_juror",
    "add_review",
    "assign_reviews",
    "create_default_criteria",
    "declare_conflicts",
    "delete_criterion",
    "detect_conflicts",
    "override_conflict",
    "remove_juror",
    "remove_review",
    "review_settings",
    "save_criterion",
    "save_review",
    "send_review_reminders",
    "update_review_settings",
]
