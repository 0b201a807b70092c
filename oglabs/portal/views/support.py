"""Portal, support: asking a question about a call; the consortium's workshop invitations,
registration of named attendees, cancellation and the materials."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oglabs.accounts.models import User
from oglabs.calls import queries as call_queries
from oglabs.calls.models import Call
from oglabs.portal import rules
from oglabs.portal.support_forms import PortalQuestionForm, RegistrationForm
from oglabs.support import queries, services
from oglabs.support.exceptions import InvalidInput, SupportError, WorkshopNotFound
from oglabs.support.models import QuestionSource


def _applicant(request: HttpRequest) -> User:
    """Only applicant contacts use these pages; anyone else gets 404."""
    if not rules.may_apply(request.user):
        raise Http404
    return request.user  # type: ignore[return-value]  # may_apply holds only for a signed-in User


def _add_errors(form: PortalQuestionForm | RegistrationForm, error: InvalidInput) -> None:
    for field, field_messages in error.errors.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


@require_http_methods(["GET", "POST"])
def ask_question(request: HttpRequest, slug: str) -> HttpResponse:
    user = _applicant(request)
    try:
        call = call_queries.get_public_call(slug)
    except Call.DoesNotExist:
        raise Http404 from None
    form = PortalQuestionForm(request.POST or None)
    context = {"call": call, "form": form, "my_questions": list(queries.questions_of_user(user, call))}
    if request.method == "GET":
        return render(request, "portal/support/ask.html", context)
    if form.is_valid():
        try:
            services.ask_question(
                call,
                asker=user,
                text=form.cleaned_data["text"],
                source=QuestionSource.PORTAL,
                now=timezone.now(),
            )
        except InvalidInput as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("Vielen Dank, Ihre Frage ist eingegangen. Sie erhalten die Antwort per E-Mail.")
            )
            return redirect("portal:ask_question", slug=call.slug)
    return render(request, "portal/support/ask.html", context, status=422)


@require_GET
def workshops(request: HttpRequest) -> HttpResponse:
    user = _applicant(request)
    return render(
        request, "portal/support/workshops.html", {"invitations": list(queries.invitations_for_member(user))}
    )


def _workshop_page(
    request: HttpRequest, user: User, pk: int, *, form: RegistrationForm | None = None, status: int = 200
) -> HttpResponse:
    try:
        view = queries.workshop_for_member(user, pk)
    except WorkshopNotFound:
        raise Http404 from None
    form = form or RegistrationForm(proposals=view.proposals)
    return render(
        request,
        "portal/support/workshop.html",
        {
            "view": view,
            "workshop": view.workshop,
            "form": form,
            "open_for_registration": timezone.now() < view.workshop.starts_at,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def workshop(request: HttpRequest, pk: int) -> HttpResponse:
    user = _applicant(request)
    if request.method == "GET":
        return _workshop_page(request, user, pk)
    try:
        view = queries.workshop_for_member(user, pk)
    except WorkshopNotFound:
        raise Http404 from None
    form = RegistrationForm(request.POST, proposals=view.proposals)
    if not form.is_valid():
        return _workshop_page(request, user, pk, form=form, status=422)
    proposal = next((item for item in view.proposals if item.pk == form.cleaned_data["proposal"]), None)
    if proposal is None:
        raise Http404
    try:
        registration = services.register_attendee(
            view.workshop,
            proposal=proposal,
            actor=user,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            now=timezone.now(),
        )
    except InvalidInput as error:
        _add_errors(form, error)
        return _workshop_page(request, user, pk, form=form, status=422)
    except SupportError as error:
        messages.error(request, str(error))
        return redirect("portal:workshop", pk=pk)
    if registration.waitlist_position:
        messages.warning(
            request,
            _("Alle Plätze sind vergeben. %(name)s steht auf Platz %(position)s der Warteliste.")
            % {"name": registration.attendee_name, "position": registration.waitlist_position},
        )
    else:
        messages.success(request, _("%(name)s ist angemeldet.") % {"name": registration.attendee_name})
    return redirect("portal:workshop", pk=pk)


@require_POST
def registration_cancel(request: HttpRequest, registration_id: int) -> HttpResponse:
    user = _applicant(request)
    try:
        registration = queries.registration_for_member(user, registration_id)
    except WorkshopNotFound:
        raise Http404 from None
    try:
        services.cancel_registration(registration, actor=user, now=timezone.now())
    except SupportError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s ist abgemeldet.") % {"name": registration.attendee_name})
    return redirect("portal:workshop", pk=registration.workshop_id)


@require_GET
def material_download(request: HttpRequest, material_id: int) -> FileResponse:
    """The file as a download, never inline, to members of invited consortia only."""
    user = _applicant(request)
    try:
        material = queries.material_for_member(user, material_id)
    except WorkshopNotFound:
        raise Http404 from None
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
