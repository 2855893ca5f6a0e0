"""Web pages for force returns: the returns hub, the XLSX template, uploads and their
progress, the data-entry form, a return's versions, approval, and the completeness grid.

Views are thin: every org unit or object id in a URL goes through
:mod:`msoic.collection.access`; every state change is an action in
:mod:`msoic.collection.actions`; the pipeline decides what is valid.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from msoic.accounts import access
from msoic.accounts.models import User
from msoic.catalogue.loader import Catalogue, Dataset, get_catalogue
from msoic.collection import access as collection_access
from msoic.collection import actions, queue
from msoic.collection.completeness import (
    DEFAULT_MONTHS,
    EXPORT_HEADER,
    STATUSES,
    build_grid,
    month_range,
    newest_returned_month,
    period_starts,
    submission_status,
)
from msoic.collection.derived import with_derived_figures
from msoic.collection.forms import (
    CompletenessForm,
    EntryForm,
    ForcePickerForm,
    UnlockForm,
    UploadForm,
)
from msoic.collection.models import ImportJob, ImportJobFile, Submission, SubmissionVersion, Value
from msoic.collection.readers import ParsedFile
from msoic.collection.template_xlsx import build_template, template_filename
from msoic.collection.words import return_label_from_codes
from msoic.metrics.periods import (
    PeriodError,
    add_months,
    format_month,
    format_period,
    last_complete_month,
    last_complete_period,
    month_label,
    parse_month,
    parse_period,
    period_due_date,
    period_label,
    period_of,
    quarter_start,
)
from msoic.metrics.sources import derived_metrics
from msoic.orgunits.models import OrgUnit, OrgUnitKind
from msoic.web.exports import csv_response, xlsx_response


class AuthenticatedRequest(HttpRequest):
    """A request behind ``login_required``: its user is a real account (for the type checker)."""

    user: User


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HUB_MONTHS = 12


# --- helpers -------------------------------------------------------------------------


def job_runner() -> Callable[[int], Any]:
    """How a new upload job is run: in the request (tests, ``MSOIC_RUN_JOBS_INLINE``) or on
    the task queue, for ``msoic worker`` (ADR 0012)."""
    if settings.MSOIC_RUN_JOBS_INLINE:
        return actions.run_import_job
    return actions.start_import_job_in_background


def _dataset(catalogue: Catalogue, code: str) -> Dataset:
    try:
        return catalogue.datasets[code]
    except KeyError as exc:
        raise Http404(f"No return called {code!r}") from exc


def _month(code: str, frequency: str = "monthly") -> date:
    """A month (or quarter, for a quarterly dataset) that can be returned: well written and
    over. Anything else is not a page. Returns the period's first day."""
    try:
        month = parse_period(frequency, code)
    except PeriodError as exc:
        raise Http404(str(exc)) from exc
    if month > last_complete_period(frequency, timezone.localdate()):
        raise Http404("That period is not over yet")
    return month


def _writable_force(user: Any, code: str) -> OrgUnit:
    """The force with ``code`` if the user may submit its returns (404 unknown, 403 not theirs)."""
    orgunit = access.get_orgunit_for_user(user, code)
    if not access.can_write_orgunit(user, orgunit):
        raise PermissionDenied(f"You may not submit returns for {orgunit.name}")
    return orgunit


def _readable_forces(user: Any) -> list[OrgUnit]:
    return list(
        access.detail_orgunits(user)
        .filter(kind=OrgUnitKind.FORCE)
        .select_related("parent")
        .order_by("name")
    )


def _values_table(catalogue: Catalogue, dataset: str, values: list[Value]) -> list[dict[str, Any]]:
    """A version's values as rows by metric (catalogue order), then breakdown option."""
    by_key = {(v.metric, v.breakdown, v.option): v for v in values}
    known = (
        {code for code in catalogue.datasets[dataset].metrics}
        if dataset in catalogue.datasets
        else set()
    )
    rows: list[dict[str, Any]] = []
    for metric in catalogue.dataset_metrics(dataset) if known else []:
        total = by_key.pop((metric.code, "", ""), None)
        rows.append(
            {
                "metric": metric,
                "label": metric.label,
                "is_total": True,
                "value": total,
                "breakdown": "",
                "option": "",
            }
        )
        for bname in metric.breakdowns:
            breakdown = catalogue.breakdowns[bname]
            for option, label in breakdown.options.items():
                v = by_key.pop((metric.code, bname, option), None)
                rows.append(
                    {
                        "metric": metric,
                        "label": f"{breakdown.label}: {label}",
                        "is_total": False,
                        "value": v,
                        "breakdown": bname,
                        "option": option,
                    }
                )
    for (metric_code, bname, option), v in sorted(by_key.items()):  # no longer in the catalogue
        label = metric_code + (f" {bname}={option}" if bname else "")
        rows.append({"metric": None, "label": label, "is_total": not bname, "value": v})
    return rows


# --- the returns hub -----------------------------------------------------------------


def _quarters_ending_in(months: list[date]) -> list[date]:
    """First days of the quarters whose last month is one of ``months`` (same order)."""
    return [quarter_start(m) for m in months if m.month in (3, 6, 9, 12)]


@login_required
@require_GET
def returns_hub(request: AuthenticatedRequest) -> HttpResponse:
    """A force's returns by dataset and month; national and regional users pick a force."""
    user = request.user
    forces = _readable_forces(user)
    if not forces:
        raise PermissionDenied("Returns are kept by forces, regions and the national team")
    force: OrgUnit | None = forces[0] if len(forces) == 1 else None
    picker = None
    if len(forces) > 1:
        picker = ForcePickerForm(request.GET or None, forces=forces)
        code = request.GET.get("force")
        if code:
            force = access.get_orgunit_for_user(user, code)
            if force.pk not in {f.pk for f in forces}:
                raise Http404("No returns for that org unit")
    catalogue = get_catalogue()
    today = timezone.localdate()
    try:
        until = parse_month(request.GET["to"]) if request.GET.get("to") else None
    except PeriodError as exc:
        raise Http404("No such month") from exc
    months = list(reversed(month_range(until, HUB_MONTHS, today)))
    newest = last_complete_month(today)
    paging: dict[str, Any] = {
        "earlier": format_month(add_months(months[-1], -1)),
        "later": format_month(add_months(months[0], HUB_MONTHS)) if months[0] < newest else None,
        "first": month_label(months[-1]),
        "last": month_label(months[0]),
        "newest_returned": None,
    }
    datasets = []
    can_write = force is not None and access.can_write_orgunit(user, force)
    if force is not None:
        newest_returned = max(
            (m for ds in catalogue.datasets if (m := newest_returned_month([force], ds))),
            default=None,
        )
        if newest_returned is not None and newest_returned < add_months(months[0], -2):
            paging["newest_returned"] = newest_returned
            paging["newest_returned_code"] = format_month(newest_returned)
        subs = {
            (s.dataset, s.period): s
            for s in Submission.objects.filter(
                orgunit=force, period__in=[*months, *_quarters_ending_in(months)]
            )
            .select_related("current_version")
            .annotate(version_count=Count("versions"))
        }
        for ds in catalogue.datasets.values():
            if not ds.returned_by_forces or ds.is_operation:
                continue  # operations' returns are listed on the operation's page
            rows = []
            periods = _quarters_ending_in(months) if ds.frequency == "quarterly" else months
            for month in periods:
                sub = subs.get((ds.code, month))
                status = submission_status(sub, ds.due_day, today, month, ds.frequency)
                rows.append(
                    {
                        "month": month,
                        "code": format_period(ds.frequency, month),
                        "label": period_label(ds.frequency, month),
                        "status": status,
                        "status_label": STATUSES[status][0],
                        "symbol": STATUSES[status][1],
                        "deadline": period_due_date(ds.frequency, month, ds.due_day),
                        "submission": sub if sub is not None and sub.current_version_id else None,
                        "versions": getattr(sub, "version_count", 0) if sub else 0,
                        "locked": bool(sub and sub.locked),
                    }
                )
            datasets.append({"dataset": ds, "rows": rows})
    jobs = ImportJob.objects.filter(created_by=user).order_by("-created_at")[:5]
    return render(
        request,
        "collection/returns.html",
        {
            "force": force,
            "forces": forces,
            "picker": picker,
            "datasets": datasets,
            "paging": paging,
            "can_write": can_write,
            "can_upload": access.writable_forces(user).exists(),
            "jobs": jobs,
        },
    )


# --- the XLSX template ---------------------------------------------------------------


@login_required
@require_GET
def template_download(
    request: AuthenticatedRequest, dataset: str, force: str, period: str
) -> HttpResponse:
    catalogue = get_catalogue()
    ds = _dataset(catalogue, dataset)
    month = _month(period, ds.frequency)
    orgunit = _writable_force(request.user, force)
    data = build_template(
        catalogue, ds.code, orgunit.code, orgunit.name, month, derived_metrics(orgunit.pk, month)
    )
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{template_filename(ds.code, orgunit.code, month, ds.frequency)}"'
    )
    return response


# --- uploads and their progress ------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedRequest) -> HttpResponse:
    if not access.writable_forces(request.user).exists():
        raise PermissionDenied("Only force users and the national team submit returns")
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        files = [(f.name, f.read()) for f in form.cleaned_data["return_files"]]
        job = actions.do_create_import_job(
            files, actor=request.user, dry_run=form.cleaned_data["dry_run"]
        )
        job_runner()(job.pk)
        return redirect("returns-job", pk=job.pk)
    return render(
        request,
        "collection/upload.html",
        {
            "form": form,
            "max_bytes": settings.MSOIC_MAX_UPLOAD_BYTES,
            "max_files": settings.MSOIC_MAX_FILES_PER_UPLOAD,
        },
    )


STATE_WORDS = {
    "new": "new return, version {version}",
    "corrected": "corrected, now version {version}",
    "unchanged": "unchanged",
    "would-store": "would be stored",
    "rejected": "not stored",
    "needs-comment": "not stored yet",
}


def _returns_in_words(
    catalogue: Catalogue, stored: list[dict[str, Any]], force_names: dict[str, str]
) -> list[dict[str, Any]]:
    """The returns a file stored, named in words with their page and the next step. An
    upload checked before returns were named keeps codes only: its words are made here."""
    out = []
    for s in stored:
        label = s.get("label") or return_label_from_codes(
            catalogue, s["dataset"], force_names.get(s["force"], s["force"]), s["period"]
        )
        words = STATE_WORDS.get(s["state"], s["state"]).format(version=s.get("version"))
        if s["state"] == "unchanged" and s.get("version"):
            words = f"unchanged (version {s['version']})"
        out.append({**s, "label": label, "state_words": words, "next_step": s.get("next_step", "")})
    return out


def _force_names(files: list[ImportJobFile]) -> dict[str, str]:
    """Names of the forces of returns stored without their words (older uploads)."""
    codes = {
        s["force"]
        for f in files
        for s in (f.outcome or {}).get("submissions", []) + (f.outcome or {}).get("not_stored", [])
        if not s.get("label")
    }
    if not codes:
        return {}
    return dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "name"))


def _file_view(
    job: ImportJob,
    f: ImportJobFile,
    user: Any,
    comments: dict[str, str] | None = None,
    missing: set[int] | None = None,
    *,
    catalogue: Catalogue | None = None,
    force_names: dict[str, str] | None = None,
) -> dict[str, Any]:
    outcome = f.outcome or {}
    problems = outcome.get("problems", [])
    warnings = [
        {
            "index": i,
            "problem": p,
            "comment": (comments or {}).get(str(i), ""),
            "missing": i in (missing or set()),
        }
        for i, p in enumerate(problems)
        if p.get("severity") == "warning"
    ]
    status = outcome.get("status", "")
    return {
        "file": f,
        "status": status,
        "rows": outcome.get("rows", 0),
        "errors": [p for p in problems if p.get("severity") == "error"],
        "warnings": warnings,
        "warning_problems": [w["problem"] for w in warnings],
        "submissions": _returns_in_words(
            catalogue or get_catalogue(),
            outcome.get("submissions", []) + outcome.get("not_stored", []),
            force_names or {},
        ),
        "can_comment": status == "needs-comment"
        and bool(f.content)
        and job.created_by_id == user.pk,
    }


def _job_context(job: ImportJob, user: Any, **file_overrides: Any) -> dict[str, Any]:
    files = []
    job_files = list(job.files.order_by("position"))
    catalogue = get_catalogue()
    names = _force_names(job_files)
    for f in job_files:
        extra = file_overrides if file_overrides.get("position") == f.position else {}
        files.append(
            _file_view(
                job,
                f,
                user,
                extra.get("comments"),
                extra.get("missing"),
                catalogue=catalogue,
                force_names=names,
            )
        )
    finished = job.status in {ImportJob.Status.DONE, ImportJob.Status.FAILED}
    counts = {
        key: {"files": 0, "rows": 0}
        for key in ("accepted", "unchanged", "rejected", "needs_comment")
    }
    for view in files:
        key = view["status"].replace("-", "_")
        if key in counts:
            counts[key]["files"] += 1
            counts[key]["rows"] += view["rows"]
    return {
        "job": job,
        "files": files,
        "finished": finished,
        "counts": counts,
        "problem_files": [v for v in files if v["status"] in {"rejected", "needs-comment"}],
    }


@login_required
@require_GET
def job_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Progress, then the summary. HTMX polls this page for its progress fragment."""
    job = collection_access.get_import_job_for_user(request.user, pk)
    context = _job_context(job, request.user)
    template = (
        "collection/_job_progress.html"
        if request.headers.get("HX-Request")
        else "collection/job.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def job_status(request: AuthenticatedRequest, pk: int) -> JsonResponse:
    job = collection_access.get_import_job_for_user(request.user, pk)
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "dry_run": job.dry_run,
            "total_files": job.total_files,
            "processed_files": job.processed_files,
            "percent": job.percent,
            "summary": job.summary or {},
            "files": [
                {"position": f.position, "name": f.name, **(f.outcome or {"status": "waiting"})}
                for f in job.files.order_by("position")
            ],
        }
    )


@login_required
@require_POST
def job_acknowledge(request: AuthenticatedRequest, pk: int, position: int) -> HttpResponse:
    """Submit a file held for comments again, with a comment on each of its warnings."""
    job = collection_access.get_import_job_for_user(request.user, pk)
    try:
        job_file = job.files.get(position=position)
    except ImportJobFile.DoesNotExist as exc:
        raise Http404("No such file in this upload") from exc
    if job.created_by_id != request.user.pk:
        raise PermissionDenied("Only the person who uploaded the file can comment on its warnings")
    problems = (job_file.outcome or {}).get("problems", [])
    comments: dict[str, str] = {}
    acknowledgements: dict[str, str] = {}
    missing: set[int] = set()
    for i, p in enumerate(problems):
        if p.get("severity") != "warning":
            continue
        text = (request.POST.get(f"comment-{i}") or "").strip()[:1000]
        comments[str(i)] = text
        if text:
            acknowledgements[p["key"]] = text
        else:
            missing.add(i)
    if missing or not acknowledgements:
        context = _job_context(
            job, request.user, position=position, comments=comments, missing=missing
        )
        context["comment_errors"] = [
            (
                f"comment-{position}-{i}",
                f"{job_file.name}: explain the warning on row {problems[i].get('row')}",
            )
            for i in sorted(missing)
        ]
        return render(request, "collection/job.html", context)
    try:
        job_file = actions.do_acknowledge_import_file(
            job_file, acknowledgements, actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("returns-job", pk=job.pk)
    status = (job_file.outcome or {}).get("status")
    if status == "accepted":
        messages.success(request, f"{job_file.name} was accepted with your comments")
    elif status == "unchanged":
        messages.success(request, f"{job_file.name}: nothing changed")
    return redirect(reverse("returns-job", kwargs={"pk": job.pk}) + f"#file-{job_file.position}")


# --- the web data-entry form ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def entry_form(
    request: AuthenticatedRequest, dataset: str, force: str, period: str
) -> HttpResponse:
    catalogue = get_catalogue()
    ds = _dataset(catalogue, dataset)
    month = _month(period, ds.frequency)
    orgunit = _writable_force(request.user, force)
    submission = (
        collection_access.submissions_visible_to(request.user)
        .filter(dataset=ds.code, orgunit=orgunit, period=month)
        .select_related("current_version")
        .first()
    )
    current: dict[tuple[str, str], tuple[int, str]] = {}
    if submission is not None and submission.current_version_id:
        for v in Value.objects.filter(version_id=submission.current_version_id):
            key = f"{v.breakdown}={v.option}" if v.breakdown else ""
            current[(v.metric, key)] = (v.value, v.comment)
    locked = bool(submission and submission.locked)
    form = EntryForm(
        catalogue,
        ds.code,
        orgunit.code,
        month,
        current=current,
        data=request.POST if request.method == "POST" else None,
        from_register=derived_metrics(orgunit.pk, month),
    )
    outcome = None
    if request.method == "POST" and not locked:
        outcome = actions.do_submit_rows(
            ParsedFile(kind="form", rows=form.raw_rows()),
            filename=f"web form {ds.code} {orgunit.code} {format_period(ds.frequency, month)}",
            actor=request.user,
        )
        if outcome.ok:
            sub = collection_access.submissions_visible_to(request.user).get(
                dataset=ds.code, orgunit=orgunit, period=month
            )
            if outcome.status == "accepted":
                version = sub.current_version.number if sub.current_version else ""
                messages.success(request, f"Return saved as version {version}")
            else:
                messages.success(request, "No figures changed: the return is as it was")
            return redirect("submission-detail", pk=sub.pk)
        form.attach(outcome.problems)
    return render(
        request,
        "collection/entry.html",
        {
            "dataset": ds,
            "force": orgunit,
            "month": month,
            "month_label": period_label(ds.frequency, month),
            "period_code": format_period(ds.frequency, month),
            "deadline": period_due_date(ds.frequency, month, ds.due_day),
            "period_word": "quarter" if ds.frequency == "quarterly" else "month",
            "form": form,
            "submission": submission,
            "locked": locked,
            "outcome": outcome,
        },
    )


# --- a return: values, versions, approval --------------------------------------------


def _version_rows(submission: Submission, user: Any) -> list[dict[str, Any]]:
    versions = list(submission.versions.select_related("submitted_by").order_by("-number"))
    rows = []
    for v in versions:
        v.submission = submission
        rows.append(
            {"version": v, "can_download": collection_access.can_download_original(user, v)}
        )
    return rows


def _submission_context(
    request: AuthenticatedRequest,
    submission: Submission,
    version: SubmissionVersion | None,
    unlock_form: UnlockForm | None = None,
) -> dict[str, Any]:
    catalogue = get_catalogue()
    ds = catalogue.datasets.get(submission.dataset)
    values = list(Value.objects.filter(version=version)) if version is not None else []
    user = request.user
    due_day = ds.due_day if ds else 15
    frequency = ds.frequency if ds else "monthly"
    status = submission_status(
        submission, due_day, timezone.localdate(), submission.period, frequency
    )
    return {
        "submission": submission,
        "dataset": ds,
        "dataset_label": ds.label if ds else submission.dataset,
        "month_label": period_label(frequency, submission.period),
        "period_code": format_period(frequency, submission.period),
        "deadline": period_due_date(frequency, submission.period, due_day),
        "status": status,
        "status_label": STATUSES[status][0],
        "symbol": STATUSES[status][1],
        "shown_version": version,
        "is_current": version is not None and version.pk == submission.current_version_id,
        # A DDE force's register-counted figures: the register's count, not "not given".
        "rows": with_derived_figures(
            _values_table(catalogue, submission.dataset, values),
            catalogue,
            submission.dataset,
            submission.orgunit_id,
            submission.period,
        ),
        "versions": _version_rows(submission, user),
        "can_approve": collection_access.can_approve(user),
        "can_write": access.can_write_orgunit(user, submission.orgunit) and not submission.locked,
        "unlock_form": unlock_form or UnlockForm(),
        **_queue_context(request, catalogue, submission),
    }


def _queue_context(
    request: AuthenticatedRequest, catalogue: Catalogue, submission: Submission
) -> dict[str, Any]:
    """For approvers: the next return awaiting approval under the worklist's filters (kept
    from the URL), and the way back to the worklist with them."""
    if not collection_access.can_approve(request.user):
        return {}
    flt = queue.filter_from_query(request.GET)
    query = flt.query()
    return {
        "next_awaiting": queue.next_awaiting(request.user, catalogue, submission, flt),
        "queue_query": f"queue=1&{query}" if query else "queue=1",
        "queue_filter_query": query,
        "queue_filters": flt.params(),
    }


@login_required
@require_GET
def submission_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    submission = collection_access.get_submission_for_user(request.user, pk)
    return render(
        request,
        "collection/submission.html",
        _submission_context(request, submission, submission.current_version),
    )


@login_required
@require_GET
def submission_version(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    submission = collection_access.get_submission_for_user(request.user, pk)
    try:
        version = submission.versions.get(number=number)
    except SubmissionVersion.DoesNotExist as exc:
        raise Http404("No such version") from exc
    return render(
        request, "collection/submission.html", _submission_context(request, submission, version)
    )


@login_required
@require_GET
def submission_file(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    """The file a version came from, as it was received."""
    submission = collection_access.get_submission_for_user(request.user, pk)
    try:
        version = submission.versions.select_related("file", "submitted_by").get(number=number)
    except SubmissionVersion.DoesNotExist as exc:
        raise Http404("No such version") from exc
    version.submission = submission
    if not collection_access.can_download_original(request.user, version) or version.file is None:
        raise Http404("No file to download for this version")
    name = version.file.name or f"return-v{version.number}"
    content_type = XLSX_TYPE if name.lower().endswith(".xlsx") else "text/csv; charset=utf-8"
    if not name.lower().endswith((".xlsx", ".csv")):
        content_type = "application/octet-stream"
    safe_name = "".join(c if c.isalnum() or c in "._- " else "_" for c in name)[:150]
    response = HttpResponse(bytes(version.file.content), content_type=content_type)
    # Returned unchanged, so never shown in the browser: a download, its type not sniffed.
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def submission_approve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    submission = collection_access.get_submission_for_user(request.user, pk)
    if not collection_access.can_approve(request.user):
        raise PermissionDenied("Only the national team can approve returns")
    try:
        actions.do_approve_submission(submission, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Return approved and locked")
    # Back to the return, keeping the worklist's filters (for its "next" link).
    query = queue.filter_from_query(request.POST).query()
    target = reverse("submission-detail", kwargs={"pk": submission.pk})
    return redirect(f"{target}?queue=1&{query}" if query else target)


@login_required
@require_POST
def submission_unlock(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    submission = collection_access.get_submission_for_user(request.user, pk)
    if not collection_access.can_approve(request.user):
        raise PermissionDenied("Only the national team can unlock returns")
    form = UnlockForm(request.POST)
    if not form.is_valid():
        context = _submission_context(
            request, submission, submission.current_version, unlock_form=form
        )
        return render(request, "collection/submission.html", context)
    actions.do_unlock_submission(submission, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, "Return unlocked: the force can send a corrected version")
    return redirect("submission-detail", pk=submission.pk)


# --- completeness --------------------------------------------------------------------


@login_required
@require_GET
def completeness(request: AuthenticatedRequest) -> HttpResponse:
    """Forces × months: approved, submitted, late, missing, with each month's deadline."""
    user = request.user
    if not collection_access.can_see_completeness(user):
        raise PermissionDenied("The completeness grid is for forces, regions and the national team")
    catalogue = get_catalogue()
    form = CompletenessForm(request.GET or None, catalogue=catalogue)
    chosen: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    ds = catalogue.datasets[chosen.get("dataset") or CompletenessForm.returns(catalogue)[0].code]
    today = timezone.localdate()
    months = period_starts(
        ds.frequency, chosen.get("end"), chosen.get("months") or DEFAULT_MONTHS, today
    )
    # The picker shows the grid's last month when none was asked for.
    form.fields["end"].initial = format_month(period_of(ds.frequency, months[-1]).end)
    forces = _readable_forces(user)
    grid = build_grid(forces, ds, months, today, catalogue=catalogue)
    newest = newest_returned_month(forces, ds.code)
    stale = newest if newest is not None and newest < add_months(months[-1], -2) else None
    fmt = request.GET.get("format", "")
    if fmt in {"csv", "xlsx"}:
        stem = (
            f"completeness_{ds.code}_{format_period(ds.frequency, months[0])}"
            f"_{format_period(ds.frequency, months[-1])}"
        )
        if fmt == "csv":
            return csv_response(f"{stem}.csv", EXPORT_HEADER, grid.export_rows())
        return xlsx_response(
            f"{stem}.xlsx",
            "Completeness",
            EXPORT_HEADER,
            grid.export_rows(),
            notes=[
                f"{ds.label}: completeness {period_label(ds.frequency, months[0])} to "
                f"{period_label(ds.frequency, months[-1])}",
                f"Returns are due on day {ds.due_day} of the following month.",
            ],
        )
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "collection/completeness.html",
        {
            "form": form,
            "grid": grid,
            "dataset": ds,
            "statuses": [
                (code, label, symbol, grid.counts.get(code, 0))
                for code, (label, symbol) in STATUSES.items()
            ],
            "months_with_deadlines": list(
                zip(grid.months, grid.deadlines(), grid.labels(short=True), strict=True)
            ),
            "first_label": period_label(ds.frequency, months[0]),
            "last_label": period_label(ds.frequency, months[-1]),
            "show_regions": len(grid.groups) > 1,
            "newest_returned": stale,
            "newest_returned_code": format_month(stale) if stale else "",
            "query": query.urlencode(),
            "scope_label": _scope_label(user, forces),
        },
    )


def _scope_label(user: Any, forces: list[OrgUnit]) -> str:
    if access.is_national(user):
        return "All forces, by region"
    if len(forces) == 1:
        return forces[0].name
    region = forces[0].parent if forces else None
    return f"Forces of {region.name}" if region else "Your forces"
