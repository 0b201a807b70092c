"""The jury of a call, for staff: review settings, criteria, jurors, conflicts of interest, the
assignment of reviews, the progress of the reviews and the results.

Every view checks ``rules.can_manage_jury`` first (jurors and applicants get 403 and change
nothing), makes one domain call and shows a refused call (``ReviewError``, whose text is the
German message) as a message or as a form error.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oglabs.accounts.models import User
from oglabs.backoffice import rules
from oglabs.backoffice.jury_forms import (
    AddJurorForm,
    AddReviewForm,
    CriterionForm,
    OverrideForm,
    ReviewSettingsForm,
)
from oglabs.calls import queries as call_queries
from oglabs.calls.models import Call
from oglabs.places.queries import MunicipalityLookupError, all_states, get_municipality, search_municipalities
from oglabs.reviews import queries, services
from oglabs.reviews.exceptions import (
    AssignmentImpossible,
    InvalidCriterion,
    InvalidJuror,
    InvalidSettings,
    ReviewError,
)
from oglabs.reviews.models import ConflictOfInterest, ConflictSource, Criterion, Juror, Review
from oglabs.reviews.results import proposal_results
from oglabs.reviews.services import AssignmentOutcome

#: Hits of the home-municipality search.
CANDIDATE_LIMIT = 10
MAX_QUERY_LENGTH = 100

#: Machine rules of detected conflicts, in staff's words (unknown ones are shown by their code).
CONFLICT_RULES: dict[str, Any] = {
    "same_municipality": gettext_lazy("Heimatkommune gehört zum Konsortium"),
    "same_district": gettext_lazy("gleicher Landkreis"),
    "same_organisation": gettext_lazy("Organisation gehört zum Konsortium"),
    "same_state": gettext_lazy("gleiches Land"),
}

#: The second-level navigation of the jury screens: (url name, label).
JURY_PAGES: tuple[tuple[str, Any], ...] = (
    ("jury_settings", gettext_lazy("Einstellungen")),
    ("jury_criteria", gettext_lazy("Kriterien")),
    ("jury_members", gettext_lazy("Jurymitglieder")),
    ("jury_conflicts", gettext_lazy("Befangenheiten")),
    ("jury_assignment", gettext_lazy("Zuweisung")),
    ("jury_progress", gettext_lazy("Fortschritt")),
    ("jury_results", gettext_lazy("Ergebnisse")),
)


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not rules.can_manage_jury(user):
        raise PermissionDenied
    assert isinstance(user, User)
    return user


def _call(slug: str) -> Call:
    try:
        return call_queries.get_call(slug)
    except Call.DoesNotExist:
        raise Http404 from None


def _context(call: Call, page: str, **extra: Any) -> dict[str, Any]:
    """What every jury page needs: the call's navigation (tab "Jury") and the jury's own tabs."""
    tabs = [
        {
            "url": reverse(f"backoffice:{name}", kwargs={"slug": call.slug}),
            "label": label,
            "current": name == page,
        }
        for name, label in JURY_PAGES
    ]
    return {"call": call, "section": "jury", "jury_tabs": tabs, **extra}


def _now() -> Any:
    return timezone.now()


# --- settings ------------------------------------------------------------------------------------


def _settings_initial(call: Call) -> dict[str, Any]:
    settings = queries.review_settings(call)
    return {
        name: getattr(settings, name)
        for name in (
            "reviews_per_proposal",
            "max_load",
            "blind_until_submitted",
            "aggregation",
            "normalise",
            "conflict_same_district",
            "conflict_same_organisation",
            "conflict_same_state",
        )
    }


@require_http_methods(["GET", "POST"])
def jury_settings(request: HttpRequest, slug: str) -> HttpResponse:
    actor = _staff(request)
    call = _call(slug)
    if request.method != "POST":
        form = ReviewSettingsForm(initial=_settings_initial(call))
        return render(request, "backoffice/jury/settings.html", _context(call, "jury_settings", form=form))
    form = ReviewSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.update_review_settings(call, **form.cleaned_data, actor=actor, now=_now())
        except InvalidSettings as error:
            form.add_error(None, str(error))
        except ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Die Einstellungen der Begutachtung sind gespeichert."))
            return redirect("backoffice:jury_settings", slug=call.slug)
    return render(
        request, "backoffice/jury/settings.html", _context(call, "jury_settings", form=form), status=400
    )


# --- criteria ------------------------------------------------------------------------------------


@require_GET
def jury_criteria(request: HttpRequest, slug: str) -> HttpResponse:
    _staff(request)
    call = _call(slug)
    criteria = list(queries.criteria_for_call(call))
    total_weight = sum((c.weight for c in criteria), Decimal(0))
    max_score = sum((c.weight * c.scale_max for c in criteria), Decimal(0))
    context = _context(
        call,
        "jury_criteria",
        criteria=criteria,
        total_weight=total_weight,
        max_score=max_score,
        locked=queries.scores_exist(call),
    )
    return render(request, "backoffice/jury/criteria.html", context)


@require_POST
def jury_criteria_defaults(request: HttpRequest, slug: str) -> HttpResponse:
    actor = _staff(request)
    call = _call(slug)
    try:
        services.create_default_criteria(call, actor=actor, now=_now())
    except ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Die Standardkriterien sind angelegt. Sie können sie jetzt anpassen."))
    return redirect("backoffice:jury_criteria", slug=call.slug)


def _criterion(call: Call, pk: int) -> Criterion:
    criterion = queries.criteria_for_call(call).filter(pk=pk).first()
    if criterion is None:
        raise Http404
    return criterion


def _criterion_page(
    request: HttpRequest, call: Call, form: CriterionForm, criterion: Criterion | None, *, status: int = 200
) -> HttpResponse:
    context = _context(call, "jury_criteria", form=form, criterion=criterion)
    return render(request, "backoffice/jury/criterion_form.html", context, status=status)


def _save_criterion(request: HttpRequest, slug: str, pk: int | None) -> HttpResponse:
    actor = _staff(request)
    call = _call(slug)
    criterion = _criterion(call, pk) if pk is not None else None
    if request.method != "POST":
        initial = (
            CriterionForm.initial_for(criterion)
            if criterion
            else {"weight": 1, "scale_min": 0, "scale_max": 10}
        )
        return _criterion_page(request, call, CriterionForm(initial=initial), criterion)
    form = CriterionForm(request.POST)
    if not form.is_valid():
        return _criterion_page(request, call, form, criterion, status=400)
    try:
        services.save_criterion(call, criterion=criterion, **form.cleaned_data, actor=actor, now=_now())
    except InvalidCriterion as error:
        for field, field_messages in error.errors.items():
            for message in field_messages:
                form.add_error(field if field in form.fields else None, message)
        return _criterion_page(request, call, form, criterion, status=400)
    except ReviewError as error:
        form.add_error(None, str(error))
        return _criterion_page(request, call, form, criterion, status=409)
    messages.success(
        request, _("Das Kriterium „%(name)s“ ist gespeichert.") % {"name": form.cleaned_data["name"]}
    )
    return redirect("backoffice:jury_criteria", slug=call.slug)


@require_http_methods(["GET", "POST"])
def jury_criterion_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _save_criterion(request, slug, None)


@require_http_methods(["GET", "POST"])
def jury_criterion_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _save_criterion(request, slug, pk)


@require_POST
def jury_criterion_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    actor = _staff(request)
    call = _call(slug)
    criterion = _criterion(call, pk)
    try:
        services.delete_criterion(criterion, actor=actor, now=_now())
    except ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Das Kriterium „%(name)s“ ist gelöscht.") % {"name": criterion.name})
    return redirect("backoffice:jury_criteria", slug=call.slug)


# --- jurors --------------------------------------------------------------------------------------


@require_GET
def jury_members(request: HttpRequest, slug: str) -> HttpResponse:
    _staff(request)
    call = _call(slug)
    jurors = list(queries.jurors_for_call(call))
    context = _context(call, "jury_members", jurors=jurors)
    return render(request, "backoffice/jury/members.html", context)


def _candidates(query: str) -> list[Any]:
    """Municipalities for a name or key; a full 5-, 8- or 12-digit key finds that one directly."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    if not query:
        return []
    found = search_municipalities(query, limit=CANDIDATE_LIMIT)
    if not found and query.isdigit():
        try:
            found = [get_municipality(query)]
        except MunicipalityLookupError:
            found = []
    return found


@require_http_methods(["GET", "POST"])
def jury_member_add(request: HttpRequest, slug: str) -> HttpResponse:
    actor = _staff(request)
    call = _call(slug)
    states = all_states()
    source = request.POST if request.method == "POST" else request.GET
    query = str(source.get("q", "")).strip()[:MAX_QUERY_LENGTH]
    candidates = _candidates(query)
    chosen = str(source.get("home_municipality", ""))
    if chosen and chosen not in {m.ars for m in candidates}:
        with contextlib.suppress(MunicipalityLookupError):
            candidates = [get_municipality(chosen), *candidates]
    context = _context(call, "jury_members", query=query, searched=bool(query), candidates=candidates)
    if request.method != "POST":
        context["form"] = AddJurorForm(initial={"q": query}, candidates=candidates, states=states)
        return render(request, "backoffice/jury/member_add.html", context)
    if request.POST.get("action") == "search":
        # Only searching: show the hits without validating the rest of the form.
        initial = {
            name: request.POST.get(name, "") for name in ("user", "organisation", "home_state", "expertise")
        }
        context["form"] = AddJurorForm(initial={**initial, "q": query}, candidates=candidates, states=states)
        return render(request, "backoffice/jury/member_add.html", context)
    form = AddJurorForm(request.POST, candidates=candidates, states=states)
    context["form"] = form
    if not form.is_valid():
        return render(request, "backoffice/jury/member_add.html", context, status=400)
    data = form.cleaned_data
    home = next((m for m in candidates if m.ars == data["home_municipality"]), None)
    state = next((s for s in states if s.ars == data["home_state"]), None)
    try:
        juror = services.add_juror(
            call,
            user=data["user"],
            organisation=data["organisation"].strip(),
            home_municipality=home,
            home_state=state,
            expertise=data["expertise"].strip(),
            actor=actor,
            now=_now(),
        )
    except InvalidJuror as error:
        form.add_error(None, str(error))
        return render(request, "backoffice/jury/member_add.html", context, status=400)
    except ReviewError as error:
        form.add_error("user", str(error))
        return render(request, "backoffice/jury/member_add.html", context, status=409)
    messages.success(
        request, _("%(email)s gehört jetzt zur Jury dieses Aufrufs.") % {"email": juror.user.email}
    )
    return redirect("backoffice:jury_members", slug=call.slug)


def _juror(call: Call, pk: int) -> Juror:
    juror = queries.jurors_for_call(call).filter(pk=pk).first()
    if juror is None:
        raise Http404
    return juror


@require_POST
def jury_member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    actor = _staff(request)
    call = _call(slug)
    juror = _juror(call, pk)
    try:
        services.remove_juror(juror, actor=actor, now=_now())
    except ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(email)s gehört nicht mehr zur Jury dieses Aufrufs.") % {"email": juror.user.email}
        )
    return redirect("backoffice:jury_members", slug=call.slug)


# --- conflicts of interest -------------------------------------------------------------------------


def _conflict_rows(conflicts: list[ConflictOfInterest]) -> list[dict[str, Any]]:
    return [
        {
            "conflict": conflict,
            "rule": str(CONFLICT_RULES.get(conflict.rule, conflict.rule)) if conflict.rule else "",
            "detected": conflict.source == ConflictSource.DETECTED,
            "active": conflict.overridden_at is None,
        }
        for conflict in conflicts
    ]


@require_GET
def jury_conflicts(request: HttpRequest, slug: str) -> HttpResponse:
    _staff(request)
    call = _call(slug)
    rows = _conflict_rows(list(queries.conflicts_for_call(call)))
    jurors = list(queries.jurors_for_call(call))
    context = _context(
        call,
        "jury_conflicts",
        rows=rows,
        active=sum(1 for row in rows if row["active"]),
        jurors=jurors,
        undeclared=[juror for juror in jurors if juror.conflicts_declared_at is None],
    )
    return render(request, "backoffice/jury/conflicts.html", context)


@require_POST
def jury_conflicts_detect(request: HttpRequest, slug: str) -> HttpResponse:
    actor = _staff(request)
    call = _call(slug)
    try:
        found = services.detect_conflicts(call, actor=actor, now=_now())
    except ReviewError as error:
        messages.error(request, str(error))
    else:
        count = found if isinstance(found, int) else len(found)
        messages.success(
            request,
            ngettext(
                "%(count)d neue Befangenheit erkannt.",
                "%(count)d neue Befangenheiten erkannt.",
                count,
            )
            % {"count": count},
        )
    return redirect("backoffice:jury_conflicts", slug=call.slug)


def _conflict(call: Call, pk: int) -> ConflictOfInterest:
    conflict = queries.conflicts_for_call(call).filter(pk=pk).first()
    if conflict is None:
        raise Http404
    return conflict


@require_http_methods(["GET", "POST"])
def jury_conflict_override(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    actor = _staff(request)
    call = _call(slug)
    conflict = _conflict(call, pk)
    row = _conflict_rows([conflict])[0]
    form = OverrideForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.override_conflict(
                    conflict, reason=form.cleaned_data["reason"], actor=actor, now=_now()
                )
            except ReviewError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                messages.success(
                    request,
                    _(
                        "Die Befangenheit von %(email)s bei %(reference)s ist aufgehoben; die Begründung "
                        "ist gespeichert."
                    )
                    % {"email": conflict.juror.user.email, "reference": conflict.proposal.reference},
                )
                return redirect("backoffice:jury_conflicts", slug=call.slug)
        else:
            status = 400
    context = _context(call, "jury_conflicts", row=row, conflict=conflict, form=form)
    return render(request, "backoffice/jury/conflict_override.html", context, status=status)


# --- assignment ----------------------------------------------------------------------------------


def _assignment_page(
    request: HttpRequest, call: Call, *, impossible: tuple[str, ...] = (), status: int = 200
) -> HttpResponse:
    rows = queries.assignment_overview(call)
    jurors = list(queries.jurors_for_call(call))
    loads: dict[int, int] = {}
    for row in rows:
        for review in row.reviews:
            loads[review.juror_id] = loads.get(review.juror_id, 0) + 1
    settings = queries.review_settings(call)
    context = _context(
        call,
        "jury_assignment",
        rows=[
            {
                "row": row,
                "form": AddReviewForm(
                    initial={"proposal": row.proposal.pk},
                    jurors=[j for j in jurors if j.pk not in {r.juror_id for r in row.reviews}],
                    auto_id=f"add-{row.proposal.pk}-%s",
                ),
            }
            for row in rows
        ],
        jurors=[{"juror": juror, "load": loads.get(juror.pk, 0)} for juror in jurors],
        settings=settings,
        missing=sum(row.missing for row in rows),
        impossible=impossible,
    )
    return render(request, "backoffice/jury/assignment.html", context, status=status)


@require_GET
def jury_assignment(request: HttpRequest, slug: str) -> HttpResponse:
    _staff(request)
    return _assignment_page(request, _call(slug))


def _outcome_message(outcome: AssignmentOutcome) -> str:
    """The automatic assignment's outcome in the staff's words, with the domain's notes (jurors who
    have not declared yet) appended."""
    created = len(outcome.created)
    if created:
        text = ngettext(
            "%(count)d Gutachten ist neu zugewiesen.",
            "%(count)d Gutachten sind neu zugewiesen.",
            created,
        ) % {"count": created}
        if outcome.kept:
            text += " " + ngettext(
                "%(count)d bestehende Zuweisung bleibt erhalten.",
                "%(count)d bestehende Zuweisungen bleiben erhalten.",
                outcome.kept,
            ) % {"count": outcome.kept}
    else:
        text = _("Alle Interessenbekundungen haben bereits genügend Gutachten; es wurde nichts zugewiesen.")
    if outcome.detected:
        text += " " + ngettext(
            "Dabei wurde %(count)d neue Befangenheit erkannt.",
            "Dabei wurden %(count)d neue Befangenheiten erkannt.",
            outcome.detected,
        ) % {"count": outcome.detected}
    return " ".join([text, *outcome.messages])


@require_POST
def jury_assign(request: HttpRequest, slug: str) -> HttpResponse:
    actor = _staff(request)
    call = _call(slug)
    try:
        outcome = services.assign_reviews(call, actor=actor, now=_now())
    except AssignmentImpossible as error:
        return _assignment_page(request, call, impossible=error.messages, status=409)
    except ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _outcome_message(outcome))
    return redirect("backoffice:jury_assignment", slug=call.slug)


@require_POST
def jury_review_add(request: HttpRequest, slug: str) -> HttpResponse:
    actor = _staff(request)
    call = _call(slug)
    jurors = list(queries.jurors_for_call(call))
    form = AddReviewForm(request.POST, jurors=jurors)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("backoffice:jury_assignment", slug=call.slug)
    proposal = queries.competing_proposals(call).filter(pk=form.cleaned_data["proposal"]).first()
    if proposal is None:
        raise Http404
    juror = next(j for j in jurors if j.pk == form.cleaned_data["juror"])
    try:
        services.add_review(juror, proposal, actor=actor, now=_now())
    except ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(email)s begutachtet jetzt %(reference)s.")
            % {"email": juror.user.email, "reference": proposal.reference},
        )
    url = reverse("backoffice:jury_assignment", kwargs={"slug": call.slug})
    return redirect(f"{url}#proposal-{proposal.pk}")


def _review_of_call(call: Call, pk: int) -> Review:
    for row in queries.assignment_overview(call):
        for review in row.reviews:
            if review.pk == pk:
                return review
    raise Http404


@require_POST
def jury_review_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    actor = _staff(request)
    call = _call(slug)
    review = _review_of_call(call, pk)
    try:
        services.remove_review(review, actor=actor, now=_now())
    except ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(email)s begutachtet %(reference)s nicht mehr.")
            % {"email": review.juror.user.email, "reference": review.proposal.reference},
        )
    url = reverse("backoffice:jury_assignment", kwargs={"slug": call.slug})
    return redirect(f"{url}#proposal-{review.proposal_id}")


# --- progress ------------------------------------------------------------------------------------


@require_GET
def jury_progress(request: HttpRequest, slug: str) -> HttpResponse:
    _staff(request)
    call = _call(slug)
    rows = queries.review_progress(call)
    assigned = sum(row.assigned for row in rows)
    submitted = sum(row.submitted for row in rows)
    context = _context(
        call,
        "jury_progress",
        rows=rows,
        assigned=assigned,
        submitted=submitted,
        draft=sum(row.draft for row in rows),
        open=sum(row.open for row in rows),
        percent=round(submitted * 100 / assigned) if assigned else 0,
        remaining=sum(row.remaining for row in rows),
        deadline=queries.review_deadline(call),
    )
    return render(request, "backoffice/jury/progress.html", context)


@require_POST
def jury_remind(request: HttpRequest, slug: str) -> HttpResponse:
    actor = _staff(request)
    call = _call(slug)
    try:
        sent = services.send_review_reminders(call, actor=actor, now=_now())
    except ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d Erinnerung ist in den Postausgang gestellt.",
                "%(count)d Erinnerungen sind in den Postausgang gestellt.",
                sent,
            )
            % {"count": sent},
        )
    return redirect("backoffice:jury_progress", slug=call.slug)


# --- results -------------------------------------------------------------------------------------

#: Krippendorff's own thresholds (2004): reliable from 0.8, tentative conclusions from 0.667.
ALPHA_GOOD = Decimal("0.8")
ALPHA_TENTATIVE = Decimal("0.667")


def alpha_interpretation(alpha: Decimal | None) -> str:
    """Krippendorff's alpha in plain German."""
    if alpha is None:
        return _(
            "Noch nicht berechenbar: Dafür braucht es mindestens zwei abgegebene Gutachten zu derselben "
            "Interessenbekundung und unterschiedliche Bewertungen."
        )
    if alpha >= ALPHA_GOOD:
        return _("Gute Übereinstimmung: Die Jurymitglieder bewerten weitgehend einheitlich.")
    if alpha >= ALPHA_TENTATIVE:
        return _(
            "Vorläufig tragfähige Übereinstimmung: Die Bewertungen stimmen überwiegend überein; "
            "Schlüsse daraus sind mit Vorsicht zu ziehen."
        )
    return _(
        "Geringe Übereinstimmung: Die Jurymitglieder bewerten deutlich unterschiedlich. Prüfen Sie, ob "
        "die Kriterien gleich verstanden werden, bevor Sie auswählen."
    )


@require_GET
def jury_results(request: HttpRequest, slug: str) -> HttpResponse:
    _staff(request)
    call = _call(slug)
    results = proposal_results(call)
    names = {c.key: c.name for c in results.criteria}
    rows = [
        {
            "result": row,
            "means": [row.per_criterion.get(c.key) for c in results.criteria],
            "below": [names.get(key, key) for key in row.below_minimum],
        }
        for row in sorted(results.rows, key=lambda r: (-r.score, r.reference))
    ]
    context = _context(
        call,
        "jury_results",
        results=results,
        rows=rows,
        method_label=_("Median") if results.method == "median" else _("Mittelwert"),
        alpha_text=alpha_interpretation(results.alpha),
    )
    return render(request, "backoffice/jury/results.html", context)
