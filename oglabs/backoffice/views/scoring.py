"""The juror's pages: their jury seats, the conflict declaration, their reviews and the scoring form.

Every view checks ``rules.can_review`` (staff and applicants get 403). Which proposals a juror sees
is decided in ``oglabs.reviews.queries`` only: before the declaration is finished, the declaration
page lists reference, title and lead municipality of the competing proposals and nothing else;
afterwards the juror sees the proposals assigned to them, never one they are conflicted on (404).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oglabs.accounts.models import User
from oglabs.backoffice import rules
from oglabs.backoffice.jury_forms import DeclarationForm, ReviewConflictForm, ScoreForm
from oglabs.calls import queries as call_queries
from oglabs.calls.models import Call
from oglabs.proposals import queries as proposal_queries
from oglabs.reviews import queries, services
from oglabs.reviews.exceptions import InvalidScores, ReviewError
from oglabs.reviews.models import Criterion, Juror, Review, ReviewState


def _juror(request: HttpRequest) -> User:
    user = request.user
    if not rules.can_review(user):
        raise PermissionDenied
    assert isinstance(user, User)
    return user


def _seat(user: User, slug: str) -> Juror:
    """The user's seat in the call's jury; 404 for a call without one (existence is not revealed)."""
    try:
        call = call_queries.get_call(slug)
    except Call.DoesNotExist:
        raise Http404 from None
    seat = queries.juror_seat(user, call)
    if seat is None:
        raise Http404
    return seat


def _context(call: Call, page: str, **extra: Any) -> dict[str, Any]:
    return {"call": call, "section": page, "juror_nav": True, **extra}


# --- seats and reviews ------------------------------------------------------------------------------


@require_GET
def juror_home(request: HttpRequest) -> HttpResponse:
    """The juror's seats: one entry per call, with the next step (declaration or reviews)."""
    user = _juror(request)
    seats = list(queries.juror_seats(user))
    return render(request, "backoffice/jury/juror_home.html", {"seats": seats})


@require_GET
def juror_reviews(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Meine Gutachten" of one call; before the declaration only a pointer to it."""
    user = _juror(request)
    seat = _seat(user, slug)
    reviews = list(queries.reviews_for_juror(seat))
    context = _context(
        seat.call,
        "juror_reviews",
        seat=seat,
        declared=seat.conflicts_declared_at is not None,
        reviews=reviews,
        submitted=sum(1 for review in reviews if review.state == ReviewState.SUBMITTED),
        deadline=queries.review_deadline(seat.call),
    )
    return render(request, "backoffice/jury/juror_reviews.html", context)


# --- the conflict declaration --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def juror_declaration(request: HttpRequest, slug: str) -> HttpResponse:
    user = _juror(request)
    seat = _seat(user, slug)
    if seat.conflicts_declared_at is not None:
        context = _context(
            seat.call, "juror_declaration", seat=seat, conflicts=list(queries.conflicts_of_juror(seat))
        )
        status = 409 if request.method == "POST" else 200
        if request.method == "POST":
            messages.error(
                request,
                _(
                    "Ihre Erklärung ist bereits abgeschlossen. Eine weitere Befangenheit erklären Sie auf der "
                    "Seite des Gutachtens."
                ),
            )
        return render(request, "backoffice/jury/juror_declaration_done.html", context, status=status)
    proposals = list(queries.proposals_for_declaration(seat))
    form = DeclarationForm(request.POST if request.method == "POST" else None, proposals=proposals)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.declare_conflicts(seat, conflicts=form.conflicts(), actor=user, now=timezone.now())
            except ReviewError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                messages.success(
                    request,
                    _(
                        "Ihre Erklärung ist abgeschlossen. Sobald Ihnen Interessenbekundungen zugewiesen "
                        "sind, finden Sie sie hier."
                    ),
                )
                return redirect("backoffice:juror_reviews", slug=seat.call.slug)
        else:
            status = 400
    context = _context(seat.call, "juror_declaration", seat=seat, form=form, rows=form.rows())
    return render(request, "backoffice/jury/juror_declaration.html", context, status=status)


# --- one review ----------------------------------------------------------------------------------


def _review(user: User, pk: int) -> Review:
    try:
        return queries.review_for_juror(user, pk)
    except Review.DoesNotExist:
        raise Http404 from None


def _initial(review: Review) -> dict[str, Any]:
    initial: dict[str, Any] = {"comment": review.comment}
    for score in review.scores.all():
        if score.value is not None:
            initial[f"score_{score.criterion_id}"] = score.value
        initial[f"comment_{score.criterion_id}"] = score.comment
    return initial


def _weighted_total(review: Review, criteria: list[Criterion]) -> Decimal | None:
    """Σ weight · points, or ``None`` while a criterion has no points (a draft)."""
    points = {s.criterion_id: s.value for s in review.scores.all() if s.value is not None}
    if not criteria or any(c.pk not in points for c in criteria):
        return None
    return sum((c.weight * points[c.pk] for c in criteria), Decimal(0))


def _score_rows(review: Review, criteria: list[Criterion]) -> list[dict[str, Any]]:
    by_criterion = {score.criterion_id: score for score in review.scores.all()}
    return [{"criterion": c, "score": by_criterion.get(c.pk)} for c in criteria]


def _review_page(
    request: HttpRequest,
    review: Review,
    criteria: list[Criterion],
    form: ScoreForm | None,
    *,
    conflict_form: ReviewConflictForm | None = None,
    status: int = 200,
) -> HttpResponse:
    proposal = review.proposal
    others = queries.other_reviews(review)
    submitted = review.state == ReviewState.SUBMITTED
    context = _context(
        proposal.call,
        "juror_reviews",
        review=review,
        proposal=proposal,
        criteria=criteria,
        form=form if not submitted else None,
        submitted=submitted,
        own_rows=_score_rows(review, criteria),
        own_total=_weighted_total(review, criteria),
        max_total=sum((c.weight * c.scale_max for c in criteria), Decimal(0)),
        blind=others is None,
        others=[
            {
                "number": number,
                "caption_id": f"other-scores-{number}",
                "rows": _score_rows(other, criteria),
                "total": _weighted_total(other, criteria),
                "review": other,
            }
            for number, other in enumerate(others or [], 1)
        ],
        further_municipalities=list(proposal.further_municipalities.all()),
        challenges=list(proposal.challenges.all()),
        partners=sorted(proposal.partners.all(), key=lambda p: (p.position, p.pk)),
        tasks=sorted(proposal.tasks.all(), key=lambda t: (t.position, t.pk)),
        budget=proposal_queries.budget_table(proposal),
        attachments=list(proposal_queries.attachments_of(proposal)),
        conflict_form=conflict_form or ReviewConflictForm(),
    )
    return render(request, "backoffice/jury/review.html", context, status=status)


@require_http_methods(["GET", "POST"])
def juror_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = _juror(request)
    review = _review(user, pk)
    criteria = list(queries.criteria_for_call(review.proposal.call))
    if request.method != "POST":
        form = ScoreForm(initial=_initial(review), criteria=criteria)
        return _review_page(request, review, criteria, form)
    if review.state == ReviewState.SUBMITTED:
        messages.error(
            request, _("Dieses Gutachten ist bereits abgegeben und kann nicht mehr geändert werden.")
        )
        return _review_page(request, review, criteria, None, status=409)
    submit = request.POST.get("action") == "submit"
    form = ScoreForm(request.POST, criteria=criteria, submit=submit)
    if not form.is_valid():
        return _review_page(request, review, criteria, form, status=400)
    try:
        services.save_review(
            review,
            scores=form.scores(),
            comments=form.comments(),
            comment=str(form.cleaned_data.get("comment") or "").strip(),
            submit=submit,
            actor=user,
            now=timezone.now(),
        )
    except InvalidScores as error:
        for key, key_messages in error.errors.items():
            for message in key_messages:
                form.add_error(form.field_for(key), message)
        return _review_page(request, review, criteria, form, status=400)
    except ReviewError as error:
        form.add_error(None, str(error))
        return _review_page(request, review, criteria, form, status=409)
    if submit:
        messages.success(
            request,
            _("Ihr Gutachten zu %(reference)s ist abgegeben. Vielen Dank!")
            % {"reference": review.proposal.reference},
        )
    else:
        messages.success(
            request, _("Ihr Entwurf ist gespeichert. Sie können ihn jederzeit weiter bearbeiten.")
        )
    return redirect("backoffice:juror_review", pk=review.pk)


@require_POST
def juror_review_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    """A conflict found while reading an assigned proposal: declared with a reason, the review is
    withdrawn (or, once submitted, void) and the proposal disappears from the juror's pages."""
    user = _juror(request)
    review = _review(user, pk)
    form = ReviewConflictForm(request.POST)
    if form.is_valid():
        try:
            services.declare_conflicts(
                review.juror,
                conflicts={review.proposal: form.cleaned_data["conflict_reason"]},
                actor=user,
                now=timezone.now(),
            )
        except ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Ihre Befangenheit bei %(reference)s ist erklärt. Die Interessenbekundung wird Ihnen "
                    "nicht mehr angezeigt; das Programmteam weist sie jemand anderem zu."
                )
                % {"reference": review.proposal.reference},
            )
            return redirect("backoffice:juror_reviews", slug=review.proposal.call.slug)
    criteria = list(queries.criteria_for_call(review.proposal.call))
    form_for_scores = ScoreForm(initial=_initial(review), criteria=criteria)
    return _review_page(request, review, criteria, form_for_scores, conflict_form=form, status=400)
