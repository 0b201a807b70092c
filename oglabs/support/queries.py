"""Reads of the support app. Access rules live here: the public sees only published answers;
consortia see only workshops they are invited to and only their own registrations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from oglabs.calls.models import Call
from oglabs.proposals.models import ConsortiumMember, Proposal
from oglabs.proposals.states import ProposalState
from oglabs.support.exceptions import (
    MaterialNotFound,
    QuestionNotFound,
    RegistrationNotFound,
    WorkshopNotFound,
)
from oglabs.support.models import (
    Question,
    QuestionState,
    Registration,
    RegistrationStatus,
    Topic,
    Workshop,
    WorkshopInvitation,
    WorkshopMaterial,
)

# --- questions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FaqEntry:
    """What the public sees of a question: the anonymised rephrasing and the answer, nothing else."""

    pk: int
    question: str
    answer: str
    published_at: datetime | None


@dataclass
class FaqTopic:
    label: str
    slug: str
    entries: list[FaqEntry] = field(default_factory=list)


def public_faq(call: Call) -> list[FaqTopic]:
    """Published answers of the call grouped by topic: topics by label, answers by publication
    (oldest first), ties by id. Only the fields a visitor may see leave this function."""
    rows = (
        Question.objects.filter(call=call, state=QuestionState.PUBLISHED)
        .order_by(F("topic__label").asc(nulls_last=True), "topic_id", "published_at", "pk")
        .values_list("pk", "public_question", "answer", "published_at", "topic_id", "topic__label")
    )
    groups: dict[int | None, FaqTopic] = {}
    for pk, question, answer, published_at, topic_id, label in rows:
        group = groups.get(topic_id)
        if group is None:
            group = groups[topic_id] = FaqTopic(label=label or "Allgemeines", slug=f"thema-{topic_id or 0}")
        group.entries.append(FaqEntry(pk=pk, question=question, answer=answer, published_at=published_at))
    return list(groups.values())


@dataclass(frozen=True)
class OpenQuestion:
    question: Question
    age: timedelta

    @property
    def age_days(self) -> int:
        return self.age.days


def open_questions(call: Call, *, now: datetime) -> list[OpenQuestion]:
    """Unanswered questions of the call with their age, the oldest first."""
    questions = (
        Question.objects.filter(call=call, state=QuestionState.OPEN)
        .select_related("topic")
        .order_by("asked_at", "pk")
    )
    return [
        OpenQuestion(question=question, age=max(now - question.asked_at, timedelta(0)))
        for question in questions
    ]


def questions_for_staff(call: Call, *, state: str = "", topic_id: int | None = None) -> QuerySet[Question]:
    """All questions of the call for the staff list, filtered; the newest first."""
    questions = Question.objects.filter(call=call).select_related("topic", "asker", "answered_by")
    if state:
        questions = questions.filter(state=state)
    if topic_id is not None:
        questions = questions.filter(topic_id=topic_id)
    return questions.order_by("-asked_at", "-pk")


def question_for_staff(call: Call, pk: int) -> Question:
    question = (
        Question.objects.select_related("call", "topic", "asker", "answered_by")
        .filter(call=call, pk=pk)
        .first()
    )
    if question is None:
        raise QuestionNotFound
    return question


def topics_of(call: Call) -> QuerySet[Topic]:
    return Topic.objects.filter(call=call).order_by("label", "pk")


def questions_of_user(user: Any, call: Call) -> QuerySet[Question]:
    """What a signed-in applicant asked in the portal about the call, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Question.objects.none()
    return Question.objects.filter(call=call, asker=user).select_related("topic").order_by("-asked_at", "-pk")


def answer_recipients(question: Question) -> list[str]:
    """Every registered applicant of the call (a member of any of its proposals, active account)
    and whoever asked by form or mail, each address once (case-insensitive), sorted."""
    emails = ConsortiumMember.objects.filter(
        proposal__call_id=question.call_id, user__is_active=True
    ).values_list("user__email", flat=True)
    addresses: dict[str, str] = {}
    for email in [*emails, question.asker_email]:
        if email:
            addresses.setdefault(email.strip().lower(), email.strip())
    return [addresses[key] for key in sorted(addresses)]


# --- workshops ----------------------------------------------------------------------------------


def workshops_of(call: Call) -> QuerySet[Workshop]:
    """The call's workshops with their numbers, by start."""
    return (
        Workshop.objects.filter(call=call)
        .annotate(
            registered_count=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED), distinct=True
            ),
            waitlisted_count=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED), distinct=True
            ),
            invited_count=Count("invitations", distinct=True),
        )
        .order_by("starts_at", "pk")
    )


def workshop_for_staff(call: Call, pk: int) -> Workshop:
    workshop = workshops_of(call).select_related("call").filter(pk=pk).first()
    if workshop is None:
        raise WorkshopNotFound
    return workshop


def invitable_proposals(workshop: Workshop) -> QuerySet[Proposal]:
    """Proposals of the call that ``invite_eligible_consortia`` would invite now: eligible ones,
    and ones invited to another workshop of the call, not yet invited to this one."""
    return (
        Proposal.objects.filter(
            call_id=workshop.call_id, state__in=[ProposalState.ELIGIBLE, ProposalState.INVITED]
        )
        .exclude(workshop_invitations__workshop=workshop)
        .select_related("call")
        .order_by("reference", "pk")
    )


def registrations_of(workshop: Workshop) -> list[Registration]:
    """Staff view: confirmed registrations (by time), then the waitlist (by position), then
    cancellations. Personal data — staff only."""
    rows = list(workshop.registrations.select_related("proposal").order_by("registered_at", "pk"))
    order = {
        RegistrationStatus.REGISTERED: 0,
        RegistrationStatus.WAITLISTED: 1,
        RegistrationStatus.CANCELLED: 2,
    }
    return sorted(rows, key=lambda row: (order[RegistrationStatus(row.status)], row.waitlist_position or 0))


def invitations_of(workshop: Workshop) -> QuerySet[WorkshopInvitation]:
    return workshop.invitations.select_related("proposal").order_by("proposal__reference", "pk")


def materials_of(workshop: Workshop) -> QuerySet[WorkshopMaterial]:
    return workshop.materials.order_by("uploaded_at", "pk")


def material_for_staff(pk: int) -> WorkshopMaterial:
    material = WorkshopMaterial.objects.select_related("workshop", "workshop__call").filter(pk=pk).first()
    if material is None:
        raise MaterialNotFound
    return material


def _member_proposals(user: Any) -> QuerySet[Proposal]:
    if not getattr(user, "is_authenticated", False):
        return Proposal.objects.none()
    return Proposal.objects.filter(members__user=user)


def invitations_for_member(user: Any) -> QuerySet[WorkshopInvitation]:
    """The workshop invitations of the person's consortia, by workshop start."""
    return (
        WorkshopInvitation.objects.filter(proposal__in=_member_proposals(user))
        .select_related("workshop", "workshop__call", "proposal")
        .order_by("workshop__starts_at", "workshop_id", "proposal__reference")
    )


@dataclass
class MemberWorkshop:
    """A workshop as a consortium sees it: its own invited proposals and their registrations only."""

    workshop: Workshop
    proposals: list[Proposal]
    registrations: list[Registration]
    materials: list[WorkshopMaterial]
    places_left: int


def workshop_for_member(user: Any, pk: int) -> MemberWorkshop:
    """``WorkshopNotFound`` unless one of the person's consortia is invited."""
    invited = list(
        _member_proposals(user)
        .filter(workshop_invitations__workshop_id=pk)
        .select_related("call")
        .order_by("reference", "pk")
        .distinct()
    )
    if not invited:
        raise WorkshopNotFound
    workshop = Workshop.objects.select_related("call").get(pk=pk)
    own = list(
        Registration.objects.filter(workshop=workshop, proposal__in=invited)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("proposal")
        .order_by("registered_at", "pk")
    )
    registered = Registration.objects.filter(workshop=workshop, status=RegistrationStatus.REGISTERED).count()
    return MemberWorkshop(
        workshop=workshop,
        proposals=invited,
        registrations=own,
        materials=list(materials_of(workshop)),
        places_left=max(workshop.capacity - registered, 0),
    )


def registration_for_member(user: Any, pk: int) -> Registration:
    registration = (
        Registration.objects.filter(pk=pk, proposal__in=_member_proposals(user))
        .select_related("workshop", "proposal")
        .first()
    )
    if registration is None:
        raise RegistrationNotFound
    return registration


def registration_for_staff(workshop: Workshop, pk: int) -> Registration:
    registration = Registration.objects.filter(pk=pk, workshop=workshop).select_related("proposal").first()
    if registration is None:
        raise RegistrationNotFound
    return registration


def material_for_member(user: Any, pk: int) -> WorkshopMaterial:
    """A material, if one of the person's consortia is invited to its workshop."""
    material = (
        WorkshopMaterial.objects.filter(pk=pk, workshop__invitations__proposal__in=_member_proposals(user))
        .select_related("workshop")
        .distinct()
        .first()
    )
    if material is None:
        raise MaterialNotFound
    return material
