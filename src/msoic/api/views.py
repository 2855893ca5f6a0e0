"""The JSON/CSV API, version 1. Thin views: parse, ask the access layer, call the engine or an action.

The endpoints and their parameters are described in :mod:`msoic.api.openapi`; a test keeps
the two in step with the URLconf.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from msoic.accounts import access
from msoic.accounts.middleware import require_scope
from msoic.accounts.models import TokenScope
from msoic.api import openapi
from msoic.api.http import ApiError, Params, api_endpoint, parse_bool
from msoic.catalogue.loader import get_catalogue
from msoic.collection import access as collection_access
from msoic.collection.actions import do_submit_return
from msoic.collection.models import Submission, Value
from msoic.disclosure.control import DisclosureError, controlled
from msoic.disclosure.values import controlled_dict, counts_people
from msoic.metrics import engine
from msoic.metrics.periods import Period, format_month, month_index
from msoic.orgunits.models import OrgUnit, OrgUnitKind
from msoic.web.exports import csv_response

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RAW_TYPES = {"text/csv": "return.csv", "application/csv": "return.csv", XLSX_MIME: "return.xlsx"}
MULTIPART_ALLOWANCE = 64 * 1024  # room for the multipart envelope around the file itself
MAX_SERIES_MONTHS = 240
MAX_PAGE = 5000


# --- figures ------------------------------------------------------------------------------


def _check_by(user: Any, by: str | None, orgunit: OrgUnit, breakdowns: tuple[str, ...]) -> None:
    if by in ("force", "region"):
        if not access.can_break_down_by_orgunit(user, orgunit):
            raise PermissionDenied(f"You may not see {orgunit.name} broken down by {by}")
    elif by and by not in breakdowns:
        allowed = ", ".join(["force", "region", *breakdowns])
        raise ApiError(f"cannot split by {by!r} (allowed: {allowed})", parameter="by")


@api_endpoint("GET")
@require_scope(TokenScope.READ_VALUES)
def values(request: HttpRequest) -> HttpResponse:
    params = Params(request, {"metric", "orgunit", "period", "by", "compare", "format"})
    cat = get_catalogue()
    metric = cat.metrics[params.choice("metric", sorted(cat.metrics), required=True) or ""]
    period = params.period("period")
    compare = params.choice("compare", ["previous-year"])
    fmt = params.choice("format", ["json", "csv"], default="json")
    orgunit = params.orgunit("orgunit", default="national")
    by = params.text("by")
    _check_by(request.user, by, orgunit, metric.breakdowns)
    try:
        result = engine.query(metric.code, orgunit, period, by=by, compare=compare, catalogue=cat)
    except engine.QueryError as exc:
        raise ApiError(str(exc), parameter="by") from exc
    if controlled(request.user):
        # Partners: counts of people through disclosure control (ADR 0010).
        try:
            data = redact_missing_forces(controlled_dict(result), request.user)
        except DisclosureError as exc:
            raise ApiError(str(exc), parameter="period") from exc
    else:
        data = redact_missing_forces(result.as_dict(), request.user)
    if fmt == "csv":
        header, rows = values_table(data)
        name = f"{metric.code}_{orgunit.code}_{period.code}{'_by_' + by if by else ''}.csv"
        return csv_response(name, header, rows)
    return JsonResponse(data)


def redact_missing_forces(data: dict[str, Any], user: Any) -> dict[str, Any]:
    """Name in ``missing_forces`` only the forces the caller may see.

    Which forces have not returned is force-level information (the completeness grid is not
    shown to partners, and a force user sees only their own force there); the counts of
    expected and received returns are aggregates and stay."""
    if access.is_national(user):
        return data
    visible = set(access.detail_orgunits(user).values_list("code", flat=True))
    for key in ("coverage", "previous_coverage"):
        if key in data:
            data[key] = {
                **data[key],
                "missing_forces": [c for c in data[key]["missing_forces"] if c in visible],
                "register_forces": [c for c in data[key]["register_forces"] if c in visible],
            }
    return data


def values_table(data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The values answer as one table: a line per row with ``by``, else a single line."""
    compare = "previous_period" in data
    lead = [data["metric"], data["orgunit"], data["period"]]
    if "rows" in data:
        header = ["metric", "orgunit", "period", "by", "key", "label", "value", "share", "complete"]
        if compare:
            header += ["previous_period", "previous_value", "change_pct"]
        rows = []
        for row in data["rows"]:
            line = [
                *lead,
                data["by"],
                row["key"],
                row["label"],
                row.get("withheld") or row["value"],
                row.get("share"),
                row["complete"],
            ]
            if compare:
                previous = row.get("previous_withheld") or row["previous_value"]
                line += [data["previous_period"], previous, row["change_pct"]]
            rows.append(line)
        return header, rows
    header = ["metric", "orgunit", "period", "value", "complete"]
    line = [*lead, data.get("withheld") or data["value"], data["complete"]]
    if compare:
        header += ["previous_period", "previous_value", "change_pct", "change_flag"]
        line += [
            data["previous_period"],
            data.get("previous_withheld") or data["previous_value"],
            data["change_pct"],
            data["change_flag"],
        ]
    return header, [line]


@api_endpoint("GET")
@require_scope(TokenScope.READ_VALUES)
def series(request: HttpRequest) -> HttpResponse:
    params = Params(request, {"metric", "orgunit", "start", "end", "by", "format"})
    cat = get_catalogue()
    metric = cat.metrics[params.choice("metric", sorted(cat.metrics), required=True) or ""]
    start, end = params.month("start"), params.month("end")
    if end < start:
        raise ApiError("end is before start", parameter="end")
    if month_index(end) - month_index(start) + 1 > MAX_SERIES_MONTHS:
        raise ApiError(f"ask for at most {MAX_SERIES_MONTHS} months at a time", parameter="end")
    by = params.text("by")
    if by in ("force", "region"):
        raise ApiError(
            "a series splits by a breakdown, not by force or region: ask /values", parameter="by"
        )
    if by and by not in metric.breakdowns:
        allowed = ", ".join(metric.breakdowns) or "none"
        raise ApiError(
            f"{metric.code} cannot be split by {by!r} (allowed: {allowed})", parameter="by"
        )
    fmt = params.choice("format", ["json", "csv"], default="json")
    orgunit = params.orgunit("orgunit", default="national")
    if controlled(request.user) and counts_people(metric.code):
        raise ApiError(
            f"{metric.code} counts people: partners get it for ended financial years only, "
            "from /api/v1/values?period=FY2023-24 (a monthly series would give small counts "
            "away by subtraction)",
            parameter="metric",
        )
    points = [
        p.as_dict() for p in engine.series(metric.code, orgunit, start, end, by=by, catalogue=cat)
    ]
    if fmt == "csv":
        header = ["metric", "orgunit", "month", "option", "value", "received", "expected"]
        rows = [
            [
                metric.code,
                orgunit.code,
                p["month"],
                p["option"],
                p["value"],
                p["received"],
                p["expected"],
            ]
            for p in points
        ]
        name = f"{metric.code}_{orgunit.code}_{format_month(start)}_{format_month(end)}.csv"
        return csv_response(name, header, rows)
    return JsonResponse(
        {
            "metric": metric.code,
            "metric_label": metric.label,
            "aggregation": metric.aggregation,
            "orgunit": orgunit.code,
            "orgunit_name": orgunit.name,
            "start": format_month(start),
            "end": format_month(end),
            "by": by,
            "points": points,
        }
    )


@api_endpoint("GET")
@require_scope(TokenScope.READ_VALUES)
def metrics(request: HttpRequest) -> HttpResponse:
    Params(request, set())
    cat = get_catalogue()
    return JsonResponse(
        {
            "revision": cat.revision,
            "datasets": [asdict(d) for d in cat.datasets.values()],
            "metrics": [asdict(m) for m in cat.metrics.values()],
            "breakdowns": [asdict(b) for b in cat.breakdowns.values()],
        }
    )


# --- returns ------------------------------------------------------------------------------


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError as exc:
        raise ApiError("Content-Length is not a number", parameter="Content-Length") from exc


def _too_big(size: int) -> ApiError:
    limit = settings.MSOIC_MAX_UPLOAD_BYTES
    return ApiError(
        f"the file is {size:,} bytes, over the limit of {limit:,} bytes; split it", status=413
    )


def _read_upload(request: HttpRequest) -> tuple[str, bytes, dict[str, str]]:
    """The file's name, its bytes and the form fields, after checking the declared size."""
    limit = settings.MSOIC_MAX_UPLOAD_BYTES
    declared = _content_length(request)
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        if declared > limit + MULTIPART_ALLOWANCE:
            raise _too_big(declared)
        upload = request.FILES.get("file")
        if upload is None:
            raise ApiError("send the return as the multipart field 'file'", parameter="file")
        if upload.size is not None and upload.size > limit:
            raise _too_big(upload.size)
        fields = {k: request.POST.get(k, "") for k in ("dry_run", "acknowledgements")}
        return upload.name or "return", upload.read(), fields
    if content_type in RAW_TYPES:
        if declared > limit:
            raise _too_big(declared)
        data = request.body
        if len(data) > limit:
            raise _too_big(len(data))
        return request.GET.get("filename") or RAW_TYPES[content_type], data, {}
    raise ApiError(
        "send multipart/form-data with a 'file' field, or the file itself as text/csv or "
        + XLSX_MIME,
        status=415,
        parameter="Content-Type",
    )


def _acknowledgements(raw: str) -> dict[str, str]:
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ApiError(
            "acknowledgements must be a JSON object of warning key to comment",
            parameter="acknowledgements",
        ) from exc
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ApiError(
            "acknowledgements must be a JSON object of warning key to comment",
            parameter="acknowledgements",
        )
    return value


@api_endpoint("POST")
@require_scope(TokenScope.WRITE_RETURNS)
def submit_return(request: HttpRequest) -> HttpResponse:
    # Read only the query string before the size check: the body stays unread until then.
    params = Params(request, {"filename", "dry_run", "acknowledgements"})
    if not access.writable_forces(request.user).exists():  # type: ignore[arg-type]
        raise PermissionDenied("Your role does not submit returns")
    filename, data, fields = _read_upload(request)
    filename = posixpath.basename(filename.replace("\\", "/"))[:255] or "return"
    dry_run = parse_bool(fields.get("dry_run") or params.text("dry_run"), "dry_run", False)
    acks = _acknowledgements(
        fields.get("acknowledgements") or params.text("acknowledgements") or ""
    )
    outcome = do_submit_return(
        filename, data, actor=request.user, dry_run=dry_run, acknowledgements=acks
    )
    if outcome.status == "accepted":
        status = 200 if dry_run else 201
    elif outcome.status == "unchanged":
        status = 200
    else:
        status = 422
    return JsonResponse(outcome.as_dict(), status=status)


def _submission_dict(
    sub: Submission, due_day: int | None, frequency: str = "monthly"
) -> dict[str, Any]:
    version = sub.current_version
    return {
        "id": sub.pk,
        "dataset": sub.dataset,
        "orgunit": sub.orgunit.code,
        "orgunit_name": sub.orgunit.name,
        "period": sub.period_code_for(frequency),
        "status": sub.status,
        "version": version.number if version else None,
        "locked": sub.locked,
        "first_received_at": sub.first_received_at.isoformat() if sub.first_received_at else None,
        "last_received_at": version.received_at.isoformat() if version else None,
        "approved_at": sub.approved_at.isoformat() if sub.approved_at else None,
        "deadline": sub.deadline(due_day, frequency).isoformat() if due_day else None,
        "late": sub.is_late(due_day, frequency) if due_day else None,
    }


@api_endpoint("GET")
@require_scope(TokenScope.READ_VALUES)
def submissions(request: HttpRequest) -> HttpResponse:
    params = Params(request, {"dataset", "orgunit", "period", "limit", "offset"})
    cat = get_catalogue()
    dataset = params.choice("dataset", sorted(cat.datasets))
    limit = params.integer("limit", default=500, minimum=1, maximum=MAX_PAGE)
    offset = params.integer("offset", default=0, minimum=0, maximum=10**9)
    qs = collection_access.submissions_visible_to(request.user)  # type: ignore[arg-type]
    if dataset:
        qs = qs.filter(dataset=dataset)
    if params.text("orgunit"):
        orgunit = params.orgunit("orgunit")
        if orgunit.kind == OrgUnitKind.FORCE:
            qs = qs.filter(orgunit=orgunit)
        elif orgunit.kind == OrgUnitKind.REGION:
            qs = qs.filter(orgunit__parent=orgunit)
    if params.text("period"):
        period: Period = params.period("period")
        qs = qs.filter(period__gte=period.start, period__lte=period.end)
    qs = qs.select_related("orgunit", "current_version").order_by(
        "dataset", "period", "orgunit__code"
    )
    count = qs.count()
    due = {code: (d.due_day, d.frequency) for code, d in cat.datasets.items()}
    items = [
        _submission_dict(s, *due.get(s.dataset, (None, "monthly")))
        for s in qs[offset : offset + limit]
    ]
    return JsonResponse({"count": count, "limit": limit, "offset": offset, "submissions": items})


@api_endpoint("GET")
@require_scope(TokenScope.READ_VALUES)
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    Params(request, set())
    sub = collection_access.get_submission_for_user(request.user, pk)  # type: ignore[arg-type]
    cat = get_catalogue()
    dataset = cat.datasets.get(sub.dataset)
    out = (
        _submission_dict(sub, dataset.due_day, dataset.frequency)
        if dataset
        else _submission_dict(sub, None)
    )
    out["versions"] = [
        {
            "number": v.number,
            "source": v.source,
            "filename": v.filename,
            "sha256": v.content_sha256,
            "received_at": v.received_at.isoformat(),
            "submitted_by": v.submitted_by.username if v.submitted_by else None,
            "values": v.value_count,
            "acknowledged_warnings": v.acknowledged_warnings,
        }
        for v in sub.versions.select_related("submitted_by").order_by("-number")
    ]
    current = Value.objects.filter(version_id=sub.current_version_id).order_by(
        "metric", "breakdown", "option"
    )
    out["values"] = [
        {
            "metric": v.metric,
            "breakdown": v.breakdown,
            "option": v.option,
            "value": v.value,
            "comment": v.comment,
        }
        for v in current
    ]
    return JsonResponse(out)


# --- description --------------------------------------------------------------------------


@api_endpoint("GET")
def openapi_json(request: HttpRequest) -> HttpResponse:
    return JsonResponse(openapi.spec(), json_dumps_params={"indent": 2})


@login_required
def docs(request: HttpRequest) -> HttpResponse:
    return render(request, "api/docs.html", {"api": openapi.endpoints(), "spec": openapi.spec()})
