"""Back office, support: questions and answers (FAQ) and workshops of a call. Staff only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oglabs.accounts.models import User
from oglabs.backoffice import rules
from oglabs.backoffice.support_forms import (
    AnswerForm,
    MailQuestionForm,
    MaterialForm,
    QuestionFilterForm,
    RejectForm,
    WorkshopForm,
)
from oglabs.calls import queries as call_queries
from oglabs.calls.models import Call
from oglabs.support import queries, services
from oglabs.support.exceptions import (
    InvalidInput,
    NothingToInvite,
    QuestionNotFound,
    QuestionStateError,
    RegistrationNotFound,
    SupportError,
    WorkshopNotFound,
)
from oglabs.support.models import Question, QuestionSource, QuestionState, Workshop


def _staff(request: HttpRequest) -> User:
    if not rules.can_run_call(request.user):
        raise PermissionDenied
    return request.user  # type: ignore[return-value]  # can_run_call holds only for a signed-in User


def _call(request: HttpRequest, slug: str) -> tuple[User, Call]:
    staff = _staff(request)
    try:
        return staff, call_queries.get_call(slug)
    except Call.DoesNotExist:
        raise Http404 from None


def _add_errors(form: Any, error: InvalidInput) -> None:
    for field, field_messages in error.errors.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


# --- questions ----------------------------------------------------------------------------------


@require_GET
def questions(request: HttpRequest, slug: str) -> HttpResponse:
    _staff_user, call = _call(request, slug)
    topics = list(queries.topics_of(call))
    form = QuestionFilterForm(request.GET or None, topics=topics)
    state, topic_id = "", None
    if form.is_valid():
        state, topic_id = form.cleaned_data["state"], form.cleaned_data["topic"]
    return render(
        request,
        "backoffice/support/questions.html",
        {
            "call": call,
            "section": "questions",
            "open_questions": queries.open_questions(call, now=timezone.now()),
            "questions": list(queries.questions_for_staff(call, state=state, topic_id=topic_id)),
            "filter_form": form,
            "filtered": bool(state or topic_id),
        },
    )


def _question_page(
    request: HttpRequest,
    call: Call,
    question: Question,
    *,
    form: AnswerForm | None = None,
    reject_form: RejectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if form is None:
        form = AnswerForm(
            initial={
                "topic": question.topic.label if question.topic else "",
                "public_question": question.public_question or question.text,
                "answer": question.answer,
            }
        )
    return render(
        request,
        "backoffice/support/question.html",
        {
            "call": call,
            "section": "questions",
            "question": question,
            "form": form,
            "reject_form": reject_form or RejectForm(),
            "topics": queries.topics_of(call),
            "editable": question.state in (QuestionState.OPEN, QuestionState.ANSWERED),
            "recipient_count": len(queries.answer_recipients(question)),
        },
        status=status,
    )


def _question(call: Call, pk: int) -> Question:
    try:
        return queries.question_for_staff(call, pk)
    except QuestionNotFound:
        raise Http404 from None


@require_http_methods(["GET", "POST"])
def question_answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    staff, call = _call(request, slug)
    question = _question(call, pk)
    if request.method == "GET":
        return _question_page(request, call, question)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _question_page(request, call, question, form=form, status=422)
    try:
        services.answer_question(question, actor=staff, now=timezone.now(), **form.cleaned_data)
    except InvalidInput as error:
        _add_errors(form, error)
        return _question_page(request, call, question, form=form, status=422)
    except QuestionStateError as error:
        messages.error(request, str(error))
        return redirect("backoffice:question_answer", slug=call.slug, pk=question.pk)
    messages.success(request, _("Die Antwort wurde gespeichert. Sie ist noch nicht veröffentlicht."))
    return redirect("backoffice:question_answer", slug=call.slug, pk=question.pk)


@require_POST
def question_publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    staff, call = _call(request, slug)
    question = _question(call, pk)
    try:
        services.publish_answer(question, actor=staff, now=timezone.now())
    except QuestionStateError as error:
        messages.error(request, str(error))
        return redirect("backoffice:question_answer", slug=call.slug, pk=question.pk)
    messages.success(
        request, _("Die Antwort ist veröffentlicht und wird an alle registrierten Bewerber gemailt.")
    )
    return redirect("backoffice:questions", slug=call.slug)


@require_POST
def question_reject(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    staff, call = _call(request, slug)
    question = _question(call, pk)
    reject_form = RejectForm(request.POST)
    if not reject_form.is_valid():
        return _question_page(request, call, question, reject_form=reject_form, status=422)
    try:
        services.reject_question(
            question, actor=staff, reason=reject_form.cleaned_data["reason"], now=timezone.now()
        )
    except QuestionStateError as error:
        messages.error(request, str(error))
        return redirect("backoffice:question_answer", slug=call.slug, pk=question.pk)
    messages.success(request, _("Die Rückfrage wurde abgelehnt; sie wird nicht veröffentlicht."))
    return redirect("backoffice:questions", slug=call.slug)


@require_http_methods(["GET", "POST"])
def question_from_mail(request: HttpRequest, slug: str) -> HttpResponse:
    staff, call = _call(request, slug)
    form = MailQuestionForm(request.POST or None)
    context = {"call": call, "section": "questions", "form": form}
    if request.method == "GET":
        return render(request, "backoffice/support/question_from_mail.html", context)
    if not form.is_valid():
        return render(request, "backoffice/support/question_from_mail.html", context, status=422)
    try:
        question = services.ask_question(
            call,
            asker=None,
            actor=staff,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            text=form.cleaned_data["text"],
            source=QuestionSource.MAIL,
            now=timezone.now(),
        )
    except InvalidInput as error:
        _add_errors(form, error)
        return render(request, "backoffice/support/question_from_mail.html", context, status=422)
    messages.success(request, _("Die Rückfrage wurde erfasst."))
    return redirect("backoffice:question_answer", slug=call.slug, pk=question.pk)


# --- workshops ----------------------------------------------------------------------------------


@require_GET
def workshops(request: HttpRequest, slug: str) -> HttpResponse:
    _staff_user, call = _call(request, slug)
    return render(
        request,
        "backoffice/support/workshops.html",
        {"call": call, "section": "workshops", "workshops": list(queries.workshops_of(call))},
    )


def _workshop(call: Call, pk: int) -> Workshop:
    try:
        return queries.workshop_for_staff(call, pk)
    except WorkshopNotFound:
        raise Http404 from None


def _workshop_data(form: WorkshopForm) -> services.WorkshopData:
    return services.WorkshopData(**form.cleaned_data)


@require_http_methods(["GET", "POST"])
def workshop_create(request: HttpRequest, slug: str) -> HttpResponse:
    staff, call = _call(request, slug)
    form = WorkshopForm(request.POST or None, initial={"capacity": 30})
    context = {"call": call, "section": "workshops", "form": form, "workshop": None}
    if request.method == "GET":
        return render(request, "backoffice/support/workshop_form.html", context)
    if form.is_valid():
        try:
            workshop = services.create_workshop(
                call, actor=staff, data=_workshop_data(form), now=timezone.now()
            )
        except InvalidInput as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Der Workshop wurde angelegt."))
            return redirect("backoffice:workshop_detail", slug=call.slug, pk=workshop.pk)
    return render(request, "backoffice/support/workshop_form.html", context, status=422)


@require_http_methods(["GET", "POST"])
def workshop_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    staff, call = _call(request, slug)
    workshop = _workshop(call, pk)
    initial = {
        field: getattr(workshop, field)
        for field in (
            "title",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "capacity",
            "agenda",
            "documentation",
        )
    }
    form = WorkshopForm(request.POST or None, initial=initial)
    context = {"call": call, "section": "workshops", "form": form, "workshop": workshop}
    if request.method == "GET":
        return render(request, "backoffice/support/workshop_form.html", context)
    if form.is_valid():
        try:
            services.update_workshop(workshop, actor=staff, data=_workshop_data(form), now=timezone.now())
        except InvalidInput as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Der Workshop wurde gespeichert."))
            return redirect("backoffice:workshop_detail", slug=call.slug, pk=workshop.pk)
    return render(request, "backoffice/support/workshop_form.html", context, status=422)


def _workshop_page(
    request: HttpRequest,
    call: Call,
    workshop: Workshop,
    *,
    material_form: MaterialForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "backoffice/support/workshop_detail.html",
        {
            "call": call,
            "section": "workshops",
            "workshop": workshop,
            "registrations": queries.registrations_of(workshop),
            "invitations": list(queries.invitations_of(workshop)),
            "invitable_count": queries.invitable_proposals(workshop).count(),
            "materials": list(queries.materials_of(workshop)),
            "material_form": material_form or MaterialForm(),
        },
        status=status,
    )


@require_GET
def workshop_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _staff_user, call = _call(request, slug)
    return _workshop_page(request, call, _workshop(call, pk))


@require_http_methods(["GET", "POST"])
def workshop_invite(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET: how many consortia would be invited; POST: invite them all."""
    staff, call = _call(request, slug)
    workshop = _workshop(call, pk)
    if request.method == "GET":
        proposals = list(queries.invitable_proposals(workshop))
        return render(
            request,
            "backoffice/support/workshop_invite.html",
            {"call": call, "section": "workshops", "workshop": workshop, "proposals": proposals},
        )
    try:
        invitations = services.invite_eligible_consortia(workshop, actor=staff, now=timezone.now())
    except NothingToInvite as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(count)s Konsortien wurden eingeladen und per E-Mail benachrichtigt.")
            % {"count": len(invitations)},
        )
    return redirect("backoffice:workshop_detail", slug=call.slug, pk=workshop.pk)


@require_POST
def workshop_attendance(request: HttpRequest, slug: str, pk: int, registration_id: int) -> HttpResponse:
    staff, call = _call(request, slug)
    workshop = _workshop(call, pk)
    value = request.POST.get("attended", "")
    attended = {"yes": True, "no": False, "unknown": None}
    if value not in attended:
        raise Http404
    try:
        registration = queries.registration_for_staff(workshop, registration_id)
        services.record_attendance(registration, actor=staff, attended=attended[value], now=timezone.now())
    except RegistrationNotFound:
        raise Http404 from None
    except InvalidInput as error:
        messages.error(request, " ".join(message for items in error.errors.values() for message in items))
    else:
        messages.success(
            request,
            _("Die Anwesenheit von %(name)s wurde gespeichert.") % {"name": registration.attendee_name},
        )
    return redirect(f"{_detail_url(call, workshop)}#registration-{registration_id}")


def _detail_url(call: Call, workshop: Workshop) -> str:
    return reverse("backoffice:workshop_detail", kwargs={"slug": call.slug, "pk": workshop.pk})


@require_POST
def workshop_cancel_registration(
    request: HttpRequest, slug: str, pk: int, registration_id: int
) -> HttpResponse:
    staff, call = _call(request, slug)
    workshop = _workshop(call, pk)
    try:
        registration = queries.registration_for_staff(workshop, registration_id)
        services.cancel_registration(registration, actor=staff, now=timezone.now())
    except RegistrationNotFound:
        raise Http404 from None
    except SupportError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Die Anmeldung von %(name)s wurde storniert.") % {"name": registration.attendee_name}
        )
    return redirect("backoffice:workshop_detail", slug=call.slug, pk=workshop.pk)


@require_POST
def workshop_material_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    staff, call = _call(request, slug)
    workshop = _workshop(call, pk)
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        return _workshop_page(request, call, workshop, material_form=form, status=422)
    try:
        material = services.add_material(
            workshop,
            actor=staff,
            title=form.cleaned_data["title"],
            uploaded_file=form.cleaned_data["file"],
            now=timezone.now(),
        )
    except InvalidInput as error:
        _add_errors(form, error)
        return _workshop_page(request, call, workshop, material_form=form, status=422)
    messages.success(request, _("„%(title)s“ wurde hochgeladen.") % {"title": material.title})
    return redirect("backoffice:workshop_detail", slug=call.slug, pk=workshop.pk)


def _material(call: Call, material_id: int) -> Any:
    try:
        material = queries.material_for_staff(material_id)
    except WorkshopNotFound:
        raise Http404 from None
    if material.workshop.call_id != call.pk:
        raise Http404
    return material


@require_POST
def workshop_material_remove(request: HttpRequest, slug: str, material_id: int) -> HttpResponse:
    staff, call = _call(request, slug)
    material = _material(call, material_id)
    services.remove_material(material, actor=staff, now=timezone.now())
    messages.success(request, _("„%(title)s“ wurde entfernt.") % {"title": material.title})
    return redirect("backoffice:workshop_detail", slug=call.slug, pk=material.workshop_id)


@require_GET
def workshop_material_download(request: HttpRequest, slug: str, material_id: int) -> FileResponse:
    _staff_user, call = _call(request, slug)
    material = _material(call, material_id)
    response = FileResponse(
        material.file.open("rb"),
        as_attachment=True,
        filename=material.original_name,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
