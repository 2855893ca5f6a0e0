"""Web pages for benchmarking: campaigns, each force's assessment (fill in, submit,
review and challenge, finalise). Views are thin: objects come through
:mod:`msoic.assurance.access`, every change is an action in :mod:`msoic.assurance.actions`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from msoic.accounts import access
from msoic.accounts.models import User
from msoic.assurance import access as assurance_access
from msoic.assurance import actions, reports
from msoic.assurance.attachments import check_size, describe_allowed, max_bytes
from msoic.assurance.forms import (
    CampaignForm,
    ChallengeForm,
    DeliveryForm,
    InterventionForm,
    grade_choices,
    grade_entries,
)
from msoic.assurance.models import (
    Assessment,
    Campaign,
    DeliveryStatus,
    EvidenceAttachment,
    Grade,
    Standard,
    SupportItem,
    SupportOffer,
    SupportPackage,
    ThematicIntervention,
)
from msoic.assurance.pdf import report_pdf
from msoic.assurance.results import export_rows, results_for
from msoic.web.exports import csv_response, xlsx_response

GRADE_TAGS = {"red": "govuk-tag--red", "amber": "govuk-tag--orange", "green": "govuk-tag--green"}


class AuthenticatedRequest(HttpRequest):
    user: User


def _need_benchmarking(user: User) -> None:
    if not assurance_access.can_see_benchmarking(user):
        raise PermissionDenied("Benchmarking is for forces, coordinators and the unit")


@login_required
@require_GET
def hub(request: AuthenticatedRequest) -> HttpResponse:
    _need_benchmarking(request.user)
    visible = assurance_access.assessments_visible_to(request.user).select_related("orgunit")
    by_campaign: dict[int, list[Assessment]] = {}
    for a in visible.order_by("orgunit__name"):
        by_campaign.setdefault(a.campaign_id, []).append(a)
    campaigns = list(Campaign.objects.select_related("framework_version"))
    rows = [{"campaign": c, "assessments": by_campaign.get(c.pk, [])} for c in campaigns]
    return render(
        request,
        "assurance/hub.html",
        {"rows": rows, "can_manage": assurance_access.can_manage_benchmarking(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: AuthenticatedRequest) -> HttpResponse:
    if not assurance_access.can_manage_benchmarking(request.user):
        raise PermissionDenied("Only the unit opens benchmarking campaigns")
    form = CampaignForm(request.POST or None, initial={"forces": []})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        campaign = actions.do_open_campaign(
            d["framework_version"],
            d["name"],
            d["deadline"],
            d["forces"],
            actor=request.user,
            start_from_previous=d["start_from_previous"],
        )
        messages.success(request, f"Opened {campaign.name} for {len(d['forces'])} forces.")
        return redirect("benchmarking-campaign", pk=campaign.pk)
    return render(request, "assurance/campaign_new.html", {"form": form})


@login_required
@require_GET
def campaign_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _need_benchmarking(request.user)
    try:
        campaign = Campaign.objects.select_related("framework_version").get(pk=pk)
    except Campaign.DoesNotExist as exc:
        raise Http404("No such campaign") from exc
    assessments = (
        assurance_access.assessments_visible_to(request.user)
        .filter(campaign=campaign)
        .select_related("orgunit")
        .order_by("orgunit__name")
    )
    return render(
        request,
        "assurance/campaign.html",
        {"campaign": campaign, "assessments": assessments},
    )


def _assessment_context(request: AuthenticatedRequest, assessment: Assessment) -> dict[str, Any]:
    version = assessment.campaign.framework_version
    grades = list(
        assessment.grades.select_related("standard", "challenged_by").prefetch_related(
            Prefetch(
                "attachments",
                queryset=EvidenceAttachment.objects.only("pk", "name", "size", "grade_id"),
            )
        )
    )
    areas = [
        {"area": a, "grades": [g for g in grades if g.standard.area == a["code"]]}
        for a in version.areas
    ]
    user = request.user
    labels = {g["code"]: g["label"] for g in version.grades}
    for g in grades:
        g.label = labels.get(g.grade, "")  # type: ignore[attr-defined]
        g.agreed_label = labels.get(g.agreed_grade, "")  # type: ignore[attr-defined]
        g.tag = GRADE_TAGS.get(g.grade, "")  # type: ignore[attr-defined]
        g.agreed_tag = GRADE_TAGS.get(g.agreed_grade, "")  # type: ignore[attr-defined]
    open_for_review = assessment.status in ("submitted", "reviewed")
    errors, warnings = actions.submission_problems(assessment)
    return {
        "assessment": assessment,
        "version": version,
        "areas": areas,
        "choices": grade_choices(version),
        "can_edit": assurance_access.can_edit_assessment(user, assessment),
        "can_challenge": open_for_review
        and assurance_access.can_review_assessment(user, assessment),
        "can_review": assessment.status == "submitted"
        and assurance_access.can_review_assessment(user, assessment),
        "can_finalise": open_for_review and assurance_access.can_manage_benchmarking(user),
        "graded": sum(1 for g in grades if g.grade),
        "total": len(grades),
        "allowed_files": describe_allowed(),
        "max_file_bytes": max_bytes(),
        "pending_warnings": warnings if assessment.is_editable and not errors else [],
    }


@login_required
@require_http_methods(["GET", "POST"])
def assessment_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    assessment = assurance_access.get_assessment_for_user(request.user, pk)
    problems: list[str] = []
    needs_ack: list[str] = []
    if request.method == "POST":
        if not access.can_write_orgunit(request.user, assessment.orgunit):
            raise PermissionDenied("Only the force (or the unit) fills in its assessment")
        standards = actions.standards_of(assessment)
        try:
            actions.do_save_grades(
                assessment, grade_entries(request.POST, standards), actor=request.user
            )
            if request.POST.get("action") == "submit":
                actions.do_submit_assessment(
                    assessment,
                    actor=request.user,
                    acknowledge_warnings=request.POST.get("acknowledge") == "yes",
                )
                messages.success(request, "Assessment submitted to your regional coordinator.")
            else:
                messages.success(request, "Draft saved.")
            return redirect("benchmarking-assessment", pk=assessment.pk)
        except actions.NeedsAcknowledgement as exc:
            needs_ack = exc.problems
        except actions.AssessmentError as exc:
            problems = exc.problems
    context = _assessment_context(request, assessment)
    context.update(problems=problems, needs_ack=needs_ack)
    status = 400 if problems else 200
    return render(request, "assurance/assessment.html", context, status=status)


@login_required
@require_POST
def assessment_challenge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    assessment = assurance_access.get_assessment_for_user(request.user, pk)
    if not assurance_access.can_review_assessment(request.user, assessment):
        raise PermissionDenied("Only the force's regional coordinator or the unit challenge grades")
    form = ChallengeForm(request.POST)
    problems = []
    if form.is_valid():
        try:
            grade = assessment.grades.select_related("standard").get(
                standard_id=form.cleaned_data["standard"]
            )
        except Grade.DoesNotExist as exc:
            raise Http404("No such standard in this assessment") from exc
        try:
            actions.do_challenge_grade(
                grade,
                form.cleaned_data["agreed_grade"],
                form.cleaned_data["reason"],
                actor=request.user,
            )
            messages.success(request, f"Agreed grade recorded for {grade.standard.reference}.")
            return redirect("benchmarking-assessment", pk=assessment.pk)
        except actions.AssessmentError as exc:
            problems = exc.problems
    else:
        problems = [f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()]
    context = _assessment_context(request, assessment)
    context.update(problems=problems, needs_ack=[])
    return render(request, "assurance/assessment.html", context, status=400)


def _transition(request: AuthenticatedRequest, pk: int, verb: str) -> HttpResponse:
    assessment = assurance_access.get_assessment_for_user(request.user, pk)
    if verb == "review":
        allowed = assurance_access.can_review_assessment(request.user, assessment)
    else:
        allowed = assurance_access.can_manage_benchmarking(request.user)
    if not allowed:
        raise PermissionDenied(f"You may not {verb} this assessment")
    try:
        if verb == "review":
            actions.do_review_assessment(assessment, actor=request.user)
            messages.success(request, "Assessment marked as reviewed.")
        else:
            actions.do_finalise_assessment(assessment, actor=request.user)
            messages.success(request, "Assessment finalised and locked.")
    except actions.AssessmentError as exc:
        context = _assessment_context(request, assessment)
        context.update(problems=exc.problems, needs_ack=[])
        return render(request, "assurance/assessment.html", context, status=400)
    return redirect("benchmarking-assessment", pk=assessment.pk)


@login_required
@require_POST
def assessment_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "review")


@login_required
@require_POST
def assessment_finalise(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "finalise")


def _campaign_for_benchmarking(user: User, pk: int) -> Campaign:
    _need_benchmarking(user)
    try:
        return Campaign.objects.select_related("framework_version").get(pk=pk)
    except Campaign.DoesNotExist as exc:
        raise Http404("No such campaign") from exc


@login_required
@require_GET
def campaign_results(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    campaign = _campaign_for_benchmarking(request.user, pk)
    return render(
        request, "assurance/results.html", results_for(request.user, campaign, request.GET)
    )


@login_required
@require_GET
def campaign_results_download(request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponse:
    campaign = _campaign_for_benchmarking(request.user, pk)
    header, rows = export_rows(results_for(request.user, campaign))
    name = f"benchmarking-{campaign.pk}-results"
    if fmt == "csv":
        return csv_response(f"{name}.csv", header, rows)
    if fmt == "xlsx":
        notes = [f"{campaign.name} ({campaign.framework_version})", "Not a league table."]
        return xlsx_response(f"{name}.xlsx", "Results", header, rows, notes)
    raise Http404("Unknown format")


@login_required
@require_POST
def intervention_accept(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if not assurance_access.can_manage_benchmarking(request.user):
        raise PermissionDenied("Only the unit runs thematic interventions")
    campaign = _campaign_for_benchmarking(request.user, pk)
    try:
        standard = campaign.framework_version.standards.get(pk=request.POST.get("standard", ""))
    except (ValueError, TypeError, Standard.DoesNotExist) as exc:
        raise Http404("No such standard in this campaign") from exc
    try:
        intervention = actions.do_accept_intervention(campaign, standard, actor=request.user)
    except actions.AssessmentError as exc:
        messages.error(request, " ".join(exc.problems))
        return redirect("benchmarking-results", pk=campaign.pk)
    return redirect("benchmarking-intervention", pk=intervention.pk)


@login_required
@require_http_methods(["GET", "POST"])
def intervention_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if not assurance_access.can_manage_benchmarking(request.user):
        raise PermissionDenied("Only the unit runs thematic interventions")
    try:
        intervention = ThematicIntervention.objects.select_related(
            "campaign", "standard", "accepted_by"
        ).get(pk=pk)
    except ThematicIntervention.DoesNotExist as exc:
        raise Http404("No such intervention") from exc
    initial = {k: getattr(intervention, k) for k in ("status", "plan", "lead")}
    initial["due"] = intervention.due.isoformat() if intervention.due else ""
    form = InterventionForm(request.POST if request.method == "POST" else None, initial=initial)
    problems: list[str] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.do_update_intervention(
                    intervention, **form.cleaned_data, actor=request.user
                )
                messages.success(request, "Intervention updated.")
                return redirect("benchmarking-intervention", pk=intervention.pk)
            except actions.AssessmentError as exc:
                problems = exc.problems
        else:
            problems = [f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()]
    return render(
        request,
        "assurance/intervention.html",
        {"intervention": intervention, "form": form, "problems": problems},
        status=400 if problems else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def support_package(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A force's support package: the force reads it; its coordinator (or the unit) proposes,
    edits and agrees it."""
    assessment = assurance_access.get_assessment_for_user(request.user, pk)
    can_edit = assurance_access.can_review_assessment(request.user, assessment)
    package = SupportPackage.objects.filter(assessment=assessment).first()
    problems: list[str] = []
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only the force's regional coordinator or the unit edit support")
        op = request.POST.get("op", "")
        try:
            if op == "propose":
                actions.do_propose_support_package(assessment, actor=request.user)
            elif package is None:
                raise Http404("No support package yet")
            elif op == "add":
                offer = SupportOffer.objects.filter(
                    active=True, code=request.POST.get("offer", "")
                ).first()
                if offer is None:
                    raise actions.AssessmentError(["Choose a support offer."])
                actions.do_add_support_offer(package, offer, actor=request.user)
            elif op == "remove":
                item = package.items.filter(pk=_int(request.POST.get("item"))).first()
                if item is None:
                    raise Http404("No such item in this package")
                actions.do_remove_support_item(item, actor=request.user)
            elif op == "agree":
                actions.do_agree_support_package(package, actor=request.user)
            else:
                raise actions.AssessmentError(["Unknown request."])
            return redirect("benchmarking-support", pk=assessment.pk)
        except actions.AssessmentError as exc:
            problems = exc.problems
    items = list(package.items.select_related("offer")) if package else []
    in_package = {i.offer_id for i in items}
    return render(
        request,
        "assurance/support.html",
        {
            "assessment": assessment,
            "package": package,
            "items": items,
            "can_edit": can_edit,
            "weak": actions.weak_standards(assessment),
            "offers": [
                o for o in SupportOffer.objects.filter(active=True) if o.pk not in in_package
            ],
            "deliveries": DeliveryStatus.choices,
            "problems": problems,
        },
        status=400 if problems else 200,
    )


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
@require_POST
def support_delivery(request: AuthenticatedRequest, pk: int, item: int) -> HttpResponse:
    assessment = assurance_access.get_assessment_for_user(request.user, pk)
    if not assurance_access.can_review_assessment(request.user, assessment):
        raise PermissionDenied("Only the force's regional coordinator or the unit track delivery")
    try:
        found = SupportItem.objects.select_related("package", "offer").get(
            pk=item, package__assessment=assessment
        )
    except SupportItem.DoesNotExist as exc:
        raise Http404("No such support item") from exc
    form = DeliveryForm(request.POST)
    try:
        if not form.is_valid():
            raise actions.AssessmentError(
                [f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()]
            )
        actions.do_record_support_delivery(
            found,
            form.cleaned_data["delivery"],
            form.cleaned_data["delivered_on"],
            actor=request.user,
        )
    except actions.AssessmentError as exc:
        messages.error(request, " ".join(exc.problems))
    return redirect("benchmarking-support", pk=assessment.pk)


def _report_response(
    request: AuthenticatedRequest, report: dict[str, Any], fmt: str, name: str
) -> HttpResponse:
    if fmt == "html":
        return render(request, "assurance/report.html", report)
    if fmt == "pdf":
        response = HttpResponse(report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    if fmt == "xlsx":
        notes = [*report["notes"], ""]
        notes += [" / ".join(str(x) for x in row) for row in report["area_rows"]]
        return xlsx_response(f"{name}.xlsx", "Report", report["header"], report["rows"], notes)
    raise Http404("Unknown format")


@login_required
@require_GET
def force_report(request: AuthenticatedRequest, pk: int, fmt: str = "html") -> HttpResponse:
    assessment = assurance_access.get_assessment_for_user(request.user, pk)
    return _report_response(
        request,
        reports.force_report(assessment),
        fmt,
        f"benchmarking-{assessment.orgunit.code}-{assessment.campaign_id}",
    )


@login_required
@require_GET
def national_summary(request: AuthenticatedRequest, pk: int, fmt: str = "html") -> HttpResponse:
    if not assurance_access.can_manage_benchmarking(request.user):
        raise PermissionDenied("The national summary is for the unit")
    campaign = _campaign_for_benchmarking(request.user, pk)
    return _report_response(
        request, reports.national_summary(campaign), fmt, f"benchmarking-summary-{campaign.pk}"
    )


@login_required
@require_POST
def attachments(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Add or remove an evidence file on a draft: the force itself (or the unit)."""
    assessment = assurance_access.get_assessment_for_user(request.user, pk)
    if not access.can_write_orgunit(request.user, assessment.orgunit):
        raise PermissionDenied("Only the force (or the unit) attaches evidence")
    problems: list[str] = []
    try:
        if request.POST.get("op") == "remove":
            found = EvidenceAttachment.objects.filter(
                pk=_int(request.POST.get("attachment")), grade__assessment=assessment
            ).first()
            if found is None:
                raise Http404("No such attachment")
            actions.do_remove_attachment(found, actor=request.user)
            messages.success(request, f"Removed {found.name}.")
        else:
            upload = request.FILES.get("file")
            if upload is None:
                raise actions.AssessmentError(["Choose a file to attach."])
            too_big = check_size(upload.size or 0)
            if too_big:  # refused before the content is read
                raise actions.AssessmentError([too_big])
            found = actions.do_attach_evidence(
                assessment,
                _int(request.POST.get("standard")),
                upload.name or "evidence",
                upload.read(),
                actor=request.user,
            )
            messages.success(request, f"Attached {found.name}.")
        return redirect("benchmarking-assessment", pk=assessment.pk)
    except actions.AssessmentError as exc:
        problems = exc.problems
    context = _assessment_context(request, assessment)
    context.update(problems=problems, needs_ack=[])
    return render(request, "assurance/assessment.html", context, status=400)


@login_required
@require_GET
def attachment_download(request: AuthenticatedRequest, pk: int, attachment: int) -> HttpResponse:
    assessment = assurance_access.get_assessment_for_user(request.user, pk)
    try:
        found = EvidenceAttachment.objects.get(pk=attachment, grade__assessment=assessment)
    except EvidenceAttachment.DoesNotExist as exc:
        raise Http404("No such attachment") from exc
    response = HttpResponse(bytes(found.content), content_type="application/octet-stream")
    safe = found.name.replace('"', "").replace("\r", "").replace("\n", "")
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
