"""Letters of intent and other attachments: PDF only, served only to members as downloads."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oglabs.portal import presenters, rules
from oglabs.portal.forms_overview import AttachmentForm
from oglabs.portal.views.lookup import member_proposal_or_404
from oglabs.proposals import queries, services, uploads
from oglabs.proposals.exceptions import CallClosed, InvalidContent, NotEditable, ProposalNotFound
from oglabs.proposals.models import Proposal

#: Where a refusal of the service belongs in the form.
_FIELDS = {"file": "file", "kind": "kind", "partner": "partner"}


def _form(proposal: Proposal, data: object = None, files: object = None) -> AttachmentForm:
    return AttachmentForm(
        data,
        files,
        partners=proposal.partners.order_by("position", "pk"),
        size_label=uploads.too_large_message(uploads.max_upload_bytes())
        .removeprefix("Die Datei ist größer als ")
        .removesuffix("."),
    )


def _page(
    request: HttpRequest, proposal: Proposal, form: AttachmentForm, *, status: int = 200
) -> HttpResponse:
    context = {
        "proposal": proposal,
        "badge": presenters.state_badge(proposal.state),
        "attachments": list(queries.attachments_of(proposal)),
        "editable": rules.may_change_content(proposal),
        "form": form,
    }
    return render(request, "portal/overview/attachments.html", context, status=status)


@require_http_methods(["GET", "POST"])
def attachments(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = member_proposal_or_404(request, pk)
    if request.method == "GET":
        return _page(request, proposal, _form(proposal))
    form = _form(proposal, request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, proposal, form, status=422)
    try:
        attachment = services.add_attachment(
            proposal,
            actor=request.user,  # type: ignore[arg-type]  # signed in (may_apply)
            kind=form.cleaned_data["kind"],
            partner=form.cleaned_data["partner"],
            uploaded_file=form.cleaned_data["file"],
            now=timezone.now(),
        )
    except ProposalNotFound:
        raise Http404 from None
    except InvalidContent as error:
        for field, field_messages in error.errors.items():
            for message in field_messages:
                form.add_error(_FIELDS.get(field), message)
        return _page(request, proposal, form, status=422)
    except (NotEditable, CallClosed) as error:
        messages.error(request, str(error))
        return redirect("portal:attachments", pk=proposal.pk)
    messages.success(
        request, _("Die Datei „%(name)s“ wurde hochgeladen.") % {"name": attachment.original_name}
    )
    return redirect("portal:attachments", pk=proposal.pk)


@require_POST
def attachment_remove(request: HttpRequest, attachment_id: int) -> HttpResponse:
    if not rules.may_apply(request.user):
        raise Http404
    try:
        attachment = queries.attachment_for_member(request.user, attachment_id)
        services.remove_attachment(attachment, actor=request.user, now=timezone.now())  # type: ignore[arg-type]  # signed in (may_apply)
    except ProposalNotFound:
        raise Http404 from None
    except (NotEditable, CallClosed) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Die Datei „%(name)s“ wurde entfernt.") % {"name": attachment.original_name}
        )
    return redirect("portal:attachments", pk=attachment.proposal_id)


@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """The file as a download, never inline: a PDF viewer in the browser is not a sandbox."""
    if not rules.may_apply(request.user):
        raise Http404
    try:
        attachment = queries.attachment_for_member(request.user, attachment_id)
    except ProposalNotFound:
        raise Http404 from None
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
