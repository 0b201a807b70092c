"""Public pages of the support app: a call's questions and answers (FAQ) and the question form.

Nothing that identifies who asked ever reaches these pages: the FAQ query returns only the
staff-written question and the answer.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from oglabs.calls import queries as call_queries
from oglabs.calls.models import Call
from oglabs.core import ratelimit
from oglabs.core.access import public
from oglabs.public.support_forms import PublicQuestionForm
from oglabs.support import queries, services
from oglabs.support.exceptions import InvalidInput
from oglabs.support.models import QuestionSource

#: Questions one address may send per window (fixed window on the shared cache).
ASK_LIMIT = 5
ASK_WINDOW_SECONDS = 60 * 60


def _call(slug: str) -> Call:
    try:
        return call_queries.get_public_call(slug)
    except Call.DoesNotExist:
        raise Http404 from None


@public
@require_GET
def call_faq(request: HttpRequest, slug: str) -> HttpResponse:
    call = _call(slug)
    return render(request, "public/support/faq.html", {"call": call, "topics": queries.public_faq(call)})


@public
@require_http_methods(["GET", "POST"])
def ask_question(request: HttpRequest, slug: str) -> HttpResponse:
    call = _call(slug)
    form = PublicQuestionForm(request.POST or None)
    context = {"call": call, "form": form}
    if request.method == "GET":
        return render(request, "public/support/ask.html", context)
    if not form.is_valid():
        return render(request, "public/support/ask.html", context, status=422)
    if form.cleaned_data["website"]:
        # A bot filled the hidden field: answer as if all went well, store nothing.
        messages.success(request, _("Vielen Dank, Ihre Frage ist eingegangen."))
        return redirect("public:call_faq", slug=call.slug)
    if not ratelimit.allow(
        "public-question", ratelimit.client_ip(request), limit=ASK_LIMIT, window_seconds=ASK_WINDOW_SECONDS
    ):
        form.add_error(
            None,
            _(
                "Sie haben in der letzten Stunde bereits mehrere Fragen gesendet. Bitte versuchen Sie es "
                "später erneut oder schreiben Sie an %(email)s."
            )
            % {"email": call.contact_email},
        )
        return render(request, "public/support/ask.html", context, status=429)
    try:
        services.ask_question(
            call,
            asker=None,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            text=form.cleaned_data["text"],
            source=QuestionSource.PUBLIC,
            now=timezone.now(),
        )
    except InvalidInput as error:
        for field, field_messages in error.errors.items():
            for message in field_messages:
                form.add_error(field if field in form.fields else None, message)
        return render(request, "public/support/ask.html", context, status=422)
    messages.success(
        request,
        _(
            "Vielen Dank, Ihre Frage ist eingegangen. Die Antwort wird – ohne Ihren Namen – hier "
            "veröffentlicht, und wir schicken sie Ihnen per E-Mail."
        ),
    )
    return redirect("public:call_faq", slug=call.slug)
