"""Web pages for peer reviews: the schedule, a review's findings and enhancement plan,
recommendation progress and verification, the national roll-up and the good practice
library. Views are thin: access through :mod:`msoic.peerreview.access`, changes through
:mod:`msoic.peerreview.actions`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from msoic.accounts import access
from msoic.accounts.models import User
from msoic.orgunits.models import OrgUnit
from msoic.peerreview import access as review_access
from msoic.peerreview import actions
from msoic.peerreview.forms import (
    GoodPracticeForm,
    LibraryFilterForm,
    NewThemeForm,
    PlanForm,
    ProgressForm,
    PublishGoodPracticeForm,
    RecommendationForm,
    ReviewForm,
    ScheduleForm,
    TaskGroupForm,
    ThemeForm,
    theme_choices,
)
from msoic.peerreview.models import (
    GoodPractice,
    PeerReview,
    RecStatus,
    Stage,
    TaskGroup,
    Theme,
)
from msoic.peerreview.pdf import report_pdf
from msoic.peerreview.rollup import build_rollup, headline_counts
from msoic.web.exports import csv_response, xlsx_response


class AuthenticatedRequest(HttpRequest):
    user: User


def _today() -> date:
    return timezone.localdate()


def _form_errors(form: Any) -> str:
    """Each error with the field it is about, for a message above the page."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = (field.label or name.replace("_", " ").capitalize()) if field else ""
        parts += [f"{label}: {e}" if label else str(e) for e in errors]
    return "; ".join(parts)


def _attempt(request: AuthenticatedRequest, change: Callable[[], Any], done: str) -> None:
    """Run an action; a refused change (bad input, a locked report) becomes a message."""
    try:
        change()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)


def _submit(
    request: AuthenticatedRequest, form: Any, change: Callable[..., Any], done: str
) -> None:
    """A posted form: its errors, or the action run with its cleaned data (see _attempt)."""
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        _attempt(request, lambda: change(actor=request.user, **form.cleaned_data), done)


def _require_unit(user: User) -> None:
    if not review_access.can_manage_peer_reviews(user):
        raise PermissionDenied("Only the peer review team may do this")


# --- schedule and reviews -------------------------------------------------------------


@login_required
@require_GET
def review_list(request: AuthenticatedRequest) -> HttpResponse:
    if not review_access.can_see_peer_reviews(request.user):
        raise PermissionDenied("Peer reviews are for forces, coordinators and the unit")
    reviews = (
        review_access.peer_reviews_visible_to(request.user)
        .select_related("force__parent")
        .annotate(
            n_recs=Count("recommendations", distinct=True),
            n_good=Count("good_practice", distinct=True),
        )
        .order_by("fieldwork_start", "force__name")
    )
    unit = review_access.can_manage_peer_reviews(request.user)
    unscheduled: list[OrgUnit] = []
    if unit:
        unscheduled = list(
            OrgUnit.objects.forces().exclude(peer_reviews__isnull=False).order_by("name")
        )
    return render(
        request,
        "peerreview/list.html",
        {"reviews": reviews, "unit": unit, "unscheduled": unscheduled},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request: AuthenticatedRequest) -> HttpResponse:
    _require_unit(request.user)
    form = ScheduleForm(request.POST or None, initial={"force": request.GET.get("force")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        force, team = data.pop("force"), data.pop("team")
        review = actions.do_schedule_peer_review(force, actor=request.user, team=team, **data)
        messages.success(request, f"Peer review of {force.name} scheduled")
        return redirect("peerreview-detail", review.pk)
    return render(request, "peerreview/review_form.html", {"form": form, "review": None})


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = review_access.get_peer_review_for_user(request.user, pk)
    _require_unit(request.user)
    if review.is_published:
        messages.error(request, "This report is published and can no longer be edited")
        return redirect("peerreview-detail", review.pk)
    initial = {
        f: getattr(review, f)
        for f in ("stage", "fieldwork_start", "fieldwork_end", "report_due", "team_names")
    }
    initial["summary"] = review.summary
    initial["team"] = list(review.team.all())
    form = ReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        team = data.pop("team")
        _attempt(
            request,
            lambda: actions.do_update_peer_review(review, actor=request.user, team=team, **data),
            "Review updated",
        )
        return redirect("peerreview-detail", review.pk)
    return render(request, "peerreview/review_form.html", {"form": form, "review": review})


def report_context(review: PeerReview) -> dict[str, Any]:
    today = _today()
    recs = list(review.recommendations.select_related("theme"))
    for rec in recs:
        rec.overdue = rec.is_overdue(today)  # type: ignore[attr-defined]
    goods = list(review.good_practice.select_related("theme"))
    # Every theme in use, and any retired one the review's findings were made under.
    used = {r.theme_id for r in recs} | {g.theme_id for g in goods}
    themes = [
        {
            "label": theme.label,
            "recommendations": [r for r in recs if r.theme_id == theme.code],
            "good_practice": [g for g in goods if g.theme_id == theme.code],
        }
        for theme in Theme.objects.all()
        if theme.in_use_on(today) or theme.code in used
    ]
    return {
        "review": review,
        "themes": themes,
        "recommendations": recs,
        "good_practice": goods,
        "team": list(review.team.all()),
        "group": TaskGroup.objects.filter(force_id=review.force_id).first(),
        "today": today,
    }


@login_required
@require_GET
def review_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = review_access.get_peer_review_for_user(request.user, pk)
    ctx = report_context(review)
    unit = review_access.can_manage_peer_reviews(request.user)
    editable = unit and not review.is_published
    offered = theme_choices() if editable else []  # read once for both forms
    ctx.update(
        unit=unit,
        editable=editable,
        can_set_group=unit or access.can_write_orgunit(request.user, review.force),
        rec_form=RecommendationForm(themes=offered),
        good_form=GoodPracticeForm(themes=offered),
        group_form=TaskGroupForm(
            initial={"chair": ctx["group"].chair, "members": ctx["group"].members}
            if ctx["group"]
            else None
        ),
    )
    return render(request, "peerreview/detail.html", ctx)


@login_required
@require_GET
def review_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The force report and its enhancement plan, as one printable page."""
    review = review_access.get_peer_review_for_user(request.user, pk)
    return render(request, "peerreview/report.html", report_context(review))


@login_required
@require_GET
def review_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The same report as a PDF file."""
    review = review_access.get_peer_review_for_user(request.user, pk)
    response = HttpResponse(report_pdf(report_context(review)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="peer-review-{review.force.code}.pdf"'
    return response


PLAN_HEADER = [
    "Ref",
    "Theme",
    "Priority",
    "Recommendation",
    "Owner",
    "Due",
    "Status",
    "Overdue",
    "Reason not accepted",
]


@login_required
@require_GET
def plan_xlsx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = review_access.get_peer_review_for_user(request.user, pk)
    today = _today()
    rows = [
        [
            f"R{r.number}",
            r.theme.label,
            r.get_priority_display(),
            r.text,
            r.owner,
            r.due_date.isoformat() if r.due_date else "",
            r.get_status_display(),
            "yes" if r.is_overdue(today) else "",
            r.reason,
        ]
        for r in review.recommendations.select_related("theme")
    ]
    notes = [f"Enhancement plan: {review.force.name}", f"As at {today.isoformat()}"]
    return xlsx_response(
        f"enhancement-plan-{review.force.code}.xlsx", "Enhancement plan", PLAN_HEADER, rows, notes
    )


@login_required
@require_POST
def review_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = review_access.get_peer_review_for_user(request.user, pk)
    _require_unit(request.user)
    _attempt(
        request,
        lambda: actions.do_publish_peer_review(review, actor=request.user, on=_today()),
        "Report published: the force can now see it",
    )
    return redirect("peerreview-detail", review.pk)


@login_required
@require_POST
def recommendation_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = review_access.get_peer_review_for_user(request.user, pk)
    _require_unit(request.user)
    _submit(
        request,
        RecommendationForm(request.POST),
        lambda **kw: actions.do_add_recommendation(review, **kw),
        "Recommendation added",
    )
    return redirect("peerreview-detail", review.pk)


@login_required
@require_POST
def good_practice_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = review_access.get_peer_review_for_user(request.user, pk)
    _require_unit(request.user)
    _submit(
        request,
        GoodPracticeForm(request.POST),
        lambda **kw: actions.do_add_good_practice(review, **kw),
        "Good practice added",
    )
    return redirect("peerreview-detail", review.pk)


@login_required
@require_POST
def review_group(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = review_access.get_peer_review_for_user(request.user, pk)
    form = TaskGroupForm(request.POST)
    if not form.is_valid():
        if not (
            review_access.can_manage_peer_reviews(request.user)
            or access.can_write_orgunit(request.user, review.force)
        ):
            raise PermissionDenied("You may not change this force's group")
        messages.error(request, _form_errors(form))
    else:
        _attempt(
            request,
            lambda: actions.do_set_task_group(
                review.force, actor=request.user, **form.cleaned_data
            ),
            "Task-and-finish group saved",
        )
    return redirect("peerreview-detail", review.pk)


# --- recommendations --------------------------------------------------------------------


@login_required
@require_GET
def recommendation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rec = review_access.get_recommendation_for_user(request.user, pk)
    unit = review_access.can_manage_peer_reviews(request.user)
    can_progress = review_access.can_progress_recommendation(request.user, rec)
    today = _today()
    return render(
        request,
        "peerreview/recommendation.html",
        {
            "rec": rec,
            "review": rec.review,
            "updates": rec.updates.select_related("author"),
            "overdue": rec.is_overdue(today),
            "unit": unit,
            "can_progress": can_progress and rec.status != RecStatus.CLOSED,
            "editable": unit and not rec.review.is_published,
            "edit_form": RecommendationForm(
                initial={"theme": rec.theme_id, "priority": rec.priority, "text": rec.text},
                keep_theme=rec.theme,
            ),
            "plan_form": PlanForm(initial={"owner": rec.owner, "due_date": rec.due_date}),
            "progress_form": ProgressForm(initial={"status": rec.status, "on": today}),
        },
    )


@login_required
@require_POST
def recommendation_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rec = review_access.get_recommendation_for_user(request.user, pk)
    _require_unit(request.user)
    _submit(
        request,
        RecommendationForm(request.POST, keep_theme=rec.theme),
        lambda **kw: actions.do_edit_recommendation(rec, **kw),
        "Recommendation changed",
    )
    return redirect("peerreview-recommendation", rec.pk)


@login_required
@require_POST
def recommendation_plan(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rec = review_access.get_recommendation_for_user(request.user, pk)
    if not review_access.can_progress_recommendation(request.user, rec):
        raise PermissionDenied("You may not change this recommendation")
    _submit(
        request,
        PlanForm(request.POST),
        lambda **kw: actions.do_plan_recommendation(rec, **kw),
        "Owner and due date saved",
    )
    return redirect("peerreview-recommendation", rec.pk)


@login_required
@require_POST
def recommendation_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rec = review_access.get_recommendation_for_user(request.user, pk)
    if not review_access.can_progress_recommendation(request.user, rec):
        raise PermissionDenied("You may not change this recommendation")
    _submit(
        request,
        ProgressForm(request.POST),
        lambda **kw: actions.do_update_recommendation(rec, **kw),
        "Update recorded",
    )
    return redirect("peerreview-recommendation", rec.pk)


LIBRARY_PAGE_SIZE = 20

# --- national roll-up -------------------------------------------------------------------

TRACKER_HEADER = [
    "Force",
    "Region",
    "Ref",
    "Theme",
    "Priority",
    "Recommendation",
    "Owner",
    "Due",
    "Status",
    "Overdue",
    "Published",
    "Age (days)",
]


def tracker_context(user: Any, today: date, as_of: date) -> dict[str, Any]:
    """What the roll-up page and its PDF show, scoped to ``user``."""
    recs = review_access.recommendations_visible_to(user).filter(review__stage=Stage.PUBLISHED)
    return {
        "rollup": build_rollup(recs, today),
        "headline": headline_counts(review_access.peer_reviews_visible_to(user), as_of),
        "statuses": RecStatus.choices,
        "unit": review_access.can_manage_peer_reviews(user),
        "scope": user.orgunit.name if user.orgunit else "",
    }


@login_required
@require_GET
def tracker(request: AuthenticatedRequest) -> HttpResponse:
    """The recommendations roll-up (scoped: a force sees itself, a coordinator the region)."""
    if not review_access.can_see_peer_reviews(request.user):
        raise PermissionDenied("The roll-up is for forces, coordinators and the unit")
    today = _today()
    recs = review_access.recommendations_visible_to(request.user).filter(
        review__stage=Stage.PUBLISHED
    )
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        rows = [
            [
                r.review.force.name,
                r.review.force.parent.name if r.review.force.parent else "",
                f"R{r.number}",
                r.theme.label,
                r.get_priority_display(),
                r.text,
                r.owner,
                r.due_date.isoformat() if r.due_date else "",
                r.get_status_display(),
                "yes" if r.is_overdue(today) else "",
                r.review.published_on.isoformat() if r.review.published_on else "",
                r.age_days(today),
            ]
            for r in recs.select_related("review__force__parent", "theme").order_by(
                "review__force__name", "number"
            )
        ]
        name = f"recommendations-tracker-{today.isoformat()}"
        if fmt == "csv":
            return csv_response(f"{name}.csv", TRACKER_HEADER, rows)
        return xlsx_response(f"{name}.xlsx", "Recommendations", TRACKER_HEADER, rows)
    as_of_raw = request.GET.get("as_of", "")
    try:
        as_of = date.fromisoformat(as_of_raw) if as_of_raw else today
    except ValueError:
        as_of = today
        messages.error(request, "The date must be written as YYYY-MM-DD")
    context = tracker_context(request.user, today, as_of)
    if fmt == "pdf":
        from msoic.peerreview.pdf import tracker_pdf

        response = HttpResponse(tracker_pdf(context), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="recommendations-tracker-{today.isoformat()}.pdf"'
        )
        return response
    return render(request, "peerreview/tracker.html", context)


# --- good practice library ------------------------------------------------------------


@login_required
@require_GET
def library(request: AuthenticatedRequest) -> HttpResponse:
    """The good practice library, a page of items at a time; each item links to its review
    where the viewer may open that review (never revealing a source the unit withheld)."""
    items = review_access.good_practice_visible_to(request.user).select_related(
        "review__force", "theme"
    )
    if not review_access.can_see_peer_reviews(request.user):
        raise PermissionDenied("The library is for forces, coordinators and the unit")
    form = LibraryFilterForm(request.GET or None)
    if form.is_valid():
        if form.cleaned_data["theme"]:
            items = items.filter(theme=form.cleaned_data["theme"])
        q = form.cleaned_data["q"].strip()
        if q:
            items = items.filter(Q(title__icontains=q) | Q(text__icontains=q))
    page = Paginator(items, LIBRARY_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    openable = set(
        review_access.peer_reviews_visible_to(request.user)
        .filter(pk__in={g.review_id for g in shown})
        .order_by()
        .values_list("pk", flat=True)
    )
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "peerreview/library.html",
        {
            "items": [(g, g.review_id in openable) for g in shown],
            "page": page,
            "filter_query": filters.urlencode(),
            "form": form,
            "unit": review_access.can_manage_peer_reviews(request.user),
        },
    )


@login_required
@require_POST
def good_practice_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = review_access.get_good_practice_for_user(request.user, pk)
    _require_unit(request.user)
    form = PublishGoodPracticeForm(request.POST)
    form.is_valid()
    _attempt(
        request,
        lambda: actions.do_publish_good_practice(
            item,
            actor=request.user,
            show_source=bool(form.cleaned_data.get("show_source")),
            on=_today(),
        ),
        "Shared in the good practice library",
    )
    return redirect(reverse("peerreview-detail", args=[item.review_id]) + "#good-practice")


@login_required
@require_POST
def good_practice_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item: GoodPractice = review_access.get_good_practice_for_user(request.user, pk)
    _require_unit(request.user)
    actions.do_withdraw_good_practice(item, actor=request.user)
    messages.success(request, "Withdrawn from the library")
    return redirect(reverse("peerreview-detail", args=[item.review_id]) + "#good-practice")


# --- themes ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def theme_list(request: AuthenticatedRequest) -> HttpResponse:
    """The themes peer reviews look at (data the unit keeps), and a new one."""
    _require_unit(request.user)
    form = NewThemeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                theme = actions.do_add_theme(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                messages.success(request, f"Theme “{theme.label}” added")
                return redirect("peerreview-themes")
    themes = Theme.objects.annotate(
        recs=Count("recommendations", distinct=True), goods=Count("good_practice", distinct=True)
    )
    today = _today()
    rows = [(t, t.in_use_on(today)) for t in themes]
    return render(request, "peerreview/themes.html", {"rows": rows, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def theme_edit(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """Rename, reorder or retire a theme; its findings keep it."""
    _require_unit(request.user)
    theme = Theme.objects.filter(code=code).first()
    if theme is None:
        raise Http404("No such theme")
    initial = {f: getattr(theme, f) for f in actions.THEME_FIELDS}
    form = ThemeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_edit_theme(theme, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, "Theme saved")
            return redirect("peerreview-themes")
    return render(request, "peerreview/theme_form.html", {"form": form, "theme": theme})
