"""Publishing the decision: the redaction queue of a call, the review of one text (marks,
confirmation by a second person, return), the allow list, and the button that publishes. Staff only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from oglabs.accounts.models import User
from oglabs.backoffice import rules
from oglabs.backoffice.redaction_forms import AllowListForm, MarksForm, ReturnForm
from oglabs.calls import queries as call_queries
from oglabs.calls.models import Call
from oglabs.selection.models import Decision
from oglabs.transparency import queries, redaction, services
from oglabs.transparency.exceptions import TransparencyError
from oglabs.transparency.models import MarkKind, PublicText, TextStatus


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not rules.can_publish_decision(user):
        raise PermissionDenied
    assert isinstance(user, User)
    return user


def _call(slug: str) -> Call:
    try:
        return call_queries.get_call(slug)
    except Call.DoesNotExist:
        raise Http404 from None


def _decision(call: Call) -> Decision:
    decision = queries.decision_of(call)
    if decision is None:
        raise Http404
    return decision


def _text(decision: Decision, pk: int) -> PublicText:
    try:
        return queries.get_text(decision, pk)
    except PublicText.DoesNotExist:
        raise Http404 from None


def redaction_queue(request: HttpRequest, slug: str) -> HttpResponse:
    _staff(request)
    call = _call(slug)
    decision = queries.decision_of(call)
    context: dict[str, Any] = {"call": call, "section": "publication", "decision": decision}
    if decision is not None:
        texts = queries.texts_of(decision)
        ready, missing = queries.publication_ready(decision)
        allow_list = queries.allow_list_of(call)
        context.update(
            texts=texts,
            ready=ready,
            missing=missing,
            counts={status: sum(1 for t in texts if t.status == status) for status in TextStatus.values},
            allow_form=AllowListForm(initial={"entries": allow_list.entries if allow_list else ""}),
            allow_list=allow_list,
        )
    return render(request, "backoffice/redaction/queue.html", context)


@require_POST
def redaction_prepare(request: HttpRequest, slug: str) -> HttpResponse:
    actor = _staff(request)
    decision = _decision(_call(slug))
    try:
        texts = services.prepare_publication(decision, actor=actor, now=timezone.now())
    except TransparencyError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d Begründung ist zur Schwärzung vorbereitet.",
                "%(count)d Begründungen sind zur Schwärzung vorbereitet.",
                len(texts),
            )
            % {"count": len(texts)},
        )
    return redirect("backoffice:redaction_queue", slug=slug)


@require_POST
def redaction_allow_list(request: HttpRequest, slug: str) -> HttpResponse:
    actor = _staff(request)
    call = _call(slug)
    form = AllowListForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Die Liste ist zu lang."))
        return redirect("backoffice:redaction_queue", slug=slug)
    services.update_allow_list(call, entries=form.cleaned_data["entries"], actor=actor, now=timezone.now())
    messages.success(
        request, _("Die Liste ist gespeichert. Sie gilt, wenn Sie die Begründungen erneut vorbereiten.")
    )
    return redirect("backoffice:redaction_queue", slug=slug)


@require_POST
def redaction_publish(request: HttpRequest, slug: str) -> HttpResponse:
    actor = _staff(request)
    decision = _decision(_call(slug))
    try:
        services.publish_decision(decision, actor=actor, now=timezone.now())
    except TransparencyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Die Entscheidung ist veröffentlicht."))
    return redirect("backoffice:redaction_queue", slug=slug)


def _kind_label(kind: str) -> str:
    return str(MarkKind(kind).label) if kind in MarkKind.values else kind


def _review_page(
    request: HttpRequest,
    text: PublicText,
    *,
    form: MarksForm | None = None,
    return_form: ReturnForm | None = None,
    status: int = 200,
) -> HttpResponse:
    marks = services.marks_of(text)
    user_id = request.user.pk
    context: dict[str, Any] = {
        "call": text.decision.call,
        "section": "publication",
        "text": text,
        "segments": [
            (piece, _kind_label(mark.kind) if mark else None)
            for piece, mark in redaction.segments(text.original, marks)
        ],
        "marks_form": form
        or MarksForm(original=text.original, marks=marks, auto_marks=services.auto_marks_of(text)),
        "return_form": return_form or ReturnForm(),
        "is_marker": user_id in {text.prepared_by_id, text.marked_by_id},
        "may_review": text.status == TextStatus.MARKED
        and user_id not in {text.prepared_by_id, text.marked_by_id},
    }
    return render(request, "backoffice/redaction/review.html", context, status=status)


@require_http_methods(["GET", "POST"])
def redaction_text(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    actor = _staff(request)
    text = _text(_decision(_call(slug)), pk)
    if request.method != "POST":
        return _review_page(request, text)
    form = MarksForm(
        request.POST,
        original=text.original,
        marks=services.marks_of(text),
        auto_marks=services.auto_marks_of(text),
    )
    if not form.is_valid():
        return _review_page(request, text, form=form, status=400)
    try:
        services.adjust_marks(text, marks=form.marks(), actor=actor, now=timezone.now())
    except TransparencyError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "Die Schwärzungen sind gespeichert. Eine andere Person aus dem Programmteam muss sie bestätigen."
            ),
        )
    return redirect("backoffice:redaction_text", slug=slug, pk=text.pk)


@require_POST
def redaction_confirm(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    actor = _staff(request)
    text = _text(_decision(_call(slug)), pk)
    try:
        services.confirm_text(text, actor=actor, now=timezone.now())
    except TransparencyError as error:
        messages.error(request, str(error))
        return redirect("backoffice:redaction_text", slug=slug, pk=text.pk)
    messages.success(request, _("Die Schwärzungen sind bestätigt; der Text kann veröffentlicht werden."))
    return redirect("backoffice:redaction_queue", slug=slug)


@require_POST
def redaction_return(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    actor = _staff(request)
    text = _text(_decision(_call(slug)), pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _review_page(request, text, return_form=form, status=400)
    try:
        services.return_text(text, note=form.cleaned_data["note"], actor=actor, now=timezone.now())
    except TransparencyError as error:
        messages.error(request, str(error))
        return redirect("backoffice:redaction_text", slug=slug, pk=text.pk)
    messages.success(request, _("Der Text ist mit Ihrem Hinweis zurückgegeben."))
    return redirect("backoffice:redaction_queue", slug=slug)
