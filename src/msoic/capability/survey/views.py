"""Pages of feedback surveys. Thin views: access through :mod:`msoic.capability.access`,
changes through :mod:`msoic.capability.survey.actions`.

- the event's organisers write the survey, send invitations from a contact list and close it;
- whoever sees the event reads the results once the survey has closed (CSV, XLSX, a chart);
- an attendee answers through their emailed link, without signing in
  (:func:`respond`): an altered or unknown link, a used one, a closed survey and too many
  tries each get a page saying so.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from msoic.capability import access
from msoic.capability.models import Survey
from msoic.capability.survey import actions, links
from msoic.capability.survey.forms import InviteForm, ResponseForm, SurveyForm
from msoic.capability.survey.results import (
    HEADER,
    comments,
    notes,
    results_chart,
    survey_results,
    table_rows,
)
from msoic.capability.views import AuthenticatedRequest
from msoic.web.exports import csv_response, xlsx_response

COMMENTS_PER_PAGE = 50


def _managed_survey(request: AuthenticatedRequest, pk: int) -> Survey:
    survey = access.get_survey_for_user(request.user, pk)
    if not access.can_manage_event(request.user, survey.event):
        raise PermissionDenied("Only the event's organisers manage its survey")
    return survey


@login_required
@require_http_methods(["GET", "POST"])
def survey_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    event = access.get_event_for_user(request.user, pk)
    if not access.can_manage_event(request.user, event):
        raise PermissionDenied("Only the event's organisers make its survey")
    existing = Survey.objects.filter(event=event).first()
    if existing is not None:
        return redirect("capability-survey", existing.pk)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = actions.do_create_survey(
                event,
                actor=request.user,
                questions=form.cleaned_data["questions"],
                intro=form.cleaned_data["intro"],
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, "Survey made and open: now invite the attendees")
            return redirect("capability-survey", survey.pk)
    return render(request, "capability/survey_form.html", {"form": form, "event": event})


@login_required
@require_GET
def survey_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    survey = access.get_survey_for_user(request.user, pk)
    results = survey_results(survey)
    page = None
    if results.shown and results.comment_questions:
        page = Paginator(comments(survey), COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "capability/survey.html",
        {
            "survey": survey,
            "event": survey.event,
            "questions": results.asked,
            "results": results,
            "chart": results_chart(results) if results.shown else None,
            "comments": page,
            "can_manage": access.can_manage_event(request.user, survey.event),
        },
    )


@login_required
@require_GET
def survey_download(request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format")
    survey = access.get_survey_for_user(request.user, pk)
    results = survey_results(survey)
    if not results.shown:
        raise Http404(results.why_not)
    filename = f"survey-{survey.pk}-results.{fmt}"
    rows = table_rows(results)
    if fmt == "xlsx":
        return xlsx_response(filename, "Results", HEADER, rows, notes(results))
    return csv_response(filename, HEADER, rows)


@login_required
@require_http_methods(["GET", "POST"])
def survey_invite(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    survey = _managed_survey(request, pk)
    form = InviteForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["contact_file"]
        outcome = actions.do_invite_attendees(
            survey,
            upload.name,
            upload.read(),
            actor=request.user,
            base_url=request.build_absolute_uri("/"),
        )
        if outcome.status == "accepted" and not outcome.send_error:
            messages.success(
                request,
                f"{upload.name}: {outcome.new} people invited ({outcome.already} already were); "
                f"{outcome.sent} invitations sent",
            )
            return redirect("capability-survey", survey.pk)
    return render(
        request,
        "capability/survey_invite.html",
        {"form": form, "survey": survey, "event": survey.event, "outcome": outcome},
    )


@login_required
@require_POST
def survey_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    survey = _managed_survey(request, pk)
    try:
        erased = actions.do_close_survey(survey, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"Survey closed: the contact details of {erased} people were erased"
        )
    return redirect("capability-survey", survey.pk)


# --- the attendee's link (no sign-in) ------------------------------------------------------

REFUSED = {
    "invalid": (
        404,
        "This survey link is not valid",
        "The link may have been altered or cut short, or replaced by a newer one. Open the "
        "link exactly as it was in your email.",
    ),
    "used": (
        410,
        "You have already answered this survey",
        "Each link can be used once, and this one has been. Thank you for your feedback.",
    ),
    "closed": (
        410,
        "This survey has closed",
        "The organisers are no longer taking answers to this survey.",
    ),
    "limited": (
        429,
        "Too many tries",
        "There have been too many attempts from this link or this network. Wait an hour and "
        "try again.",
    ),
}


def _refused(request: HttpRequest, kind: str) -> HttpResponse:
    status, title, text = REFUSED[kind]
    response = render(
        request, "capability/survey_refused.html", {"title": title, "text": text}, status=status
    )
    if status == 429:
        response["Retry-After"] = str(settings.MSOIC_SURVEY_WINDOW_SECONDS)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """A POST counts against the link's and the address's limits, a GET of a bad link
    against the address's. A valid POST counts its hits in the transaction that stores the
    response (one commit); any other counts them on its own before answering."""
    link = links.parse_token(token)
    buckets: dict[str, int] = {}
    address = links.address_bucket(links.client_address(request))
    if request.method == "POST":
        buckets[links.link_bucket(token)] = settings.MSOIC_SURVEY_LINK_LIMIT
        buckets[address] = settings.MSOIC_SURVEY_ADDRESS_LIMIT
    elif link is None:
        buckets[address] = settings.MSOIC_SURVEY_ADDRESS_LIMIT  # guessing links
    if link is None:
        return _refused(request, "limited" if links.over_limit(buckets) else "invalid")
    try:
        opened = actions.open_link(link)
    except actions.LinkRefused as exc:
        limited = bool(buckets) and links.over_limit(buckets)
        return _refused(request, "limited" if limited else exc.kind)
    survey = opened.survey
    form = ResponseForm(request.POST or None, questions=opened.questions)
    if request.method == "POST":
        if not form.is_valid():
            if links.over_limit(buckets):
                return _refused(request, "limited")
        else:
            try:
                actions.do_submit_response(opened, form.answers(), hits=buckets)
            except actions.LinkRefused as exc:
                return _refused(request, exc.kind)
            except ValidationError as exc:
                if links.over_limit(buckets):
                    return _refused(request, "limited")
                form.add_error(None, " ".join(exc.messages))
            else:
                return render(request, "capability/survey_thanks.html", {"event": survey.event})
    return render(
        request,
        "capability/survey_respond.html",
        {"form": form, "survey": survey, "event": survey.event},
    )
