"""The JSON/CSV API, version 1. Thin views: parse, ask the access layer, call the engine or an action.

Each view is a typed django-ninja operation (:func:`msoic.api.service.endpoint`): its query
parameters, token scope and answers are declared here and the OpenAPI document is generated
from them. The values are read strictly by :class:`msoic.api.http.Params` against the names
the signature declares (:func:`msoic.api.service.query_params`): unknown or repeated names,
control characters and bad values are 400 naming the parameter.
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
from ninja import Path, Query

from msoic.accounts import access
from msoic.accounts.models import TokenScope
from msoic.api import schemas
from msoic.api.http import ApiError, parse_bool
from msoic.api.service import document, endpoint, endpoints, query_params
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

PERIOD_HELP = (
    "A month `YYYY-MM`, a financial year `FY2023-24` (April to March), twelve months "
    "to a month `R12-2024-02`, or a calendar year `2023`."
)
ORGUNIT_HELP = (
    "Org unit code: `national`, a region (e.g. `eastern`) or a force (e.g. `kent`). "
    "Default `national`. A force user may ask for their force and national; a regional "
    "coordinator for their region, its forces and national; a partner for national only. "
    "Anything else is 403."
)
FORMAT_HELP = "`json` (default) or `csv` (a formula-safe CSV download)."


def _q(description: str, example: str | None = None, *, required: bool = False) -> Any:
    """A query parameter as declared in the document (its value is read by Params)."""
    return Query(
        ... if required else None,
        description=description,
        examples=[example] if example is not None else None,
    )


# --- figures ------------------------------------------------------------------------------


def _check_by(user: Any, by: str | None, orgunit: OrgUnit, breakdowns: tuple[str, ...]) -> None:
    if by in ("force", "region"):
        if not access.can_break_down_by_orgunit(user, orgunit):
            raise PermissionDenied(f"You may not see {orgunit.name} broken down by {by}")
    elif by and by not in breakdowns:
        allowed = ", ".join(["force", "region", *breakdowns])
        raise ApiError(f"cannot split by {by!r} (allowed: {allowed})", parameter="by")


@endpoint(
    "GET",
    "/values",
    name="api-values",
    scope=TokenScope.READ_VALUES,
    response={200: schemas.Values},
    answers={200: "The figures (JSON, or CSV with `format=csv`)."},
    csv=True,
    operation_id="getValues",
    summary="A metric for an org unit and period",
    description=(
        "The metric engine's answer: flows sum over the period, stocks take its last month; "
        "forces roll up to regions and the nation. With `by`, one row per force, region or "
        "breakdown option; with `compare=previous-year`, the same period a year earlier and "
        "the change to one decimal place. Partners get counts of people through disclosure "
        "control: ended financial years only (any other period is 400), small counts "
        "withheld (`withheld`, `previous_withheld`) and a `disclosure` note."
    ),
)
def values(
    request: HttpRequest,
    metric: str = _q("Metric code, as listed by /metrics.", "ms_recorded_crimes", required=True),
    period: str = _q(PERIOD_HELP, "R12-2024-02", required=True),
    orgunit: str | None = _q(ORGUNIT_HELP, "national"),
    by: str | None = _q(
        "`force` or `region` (national analysts; regional coordinators for their own "
        "region, by force), or one of the metric's breakdowns, e.g. `exploitation_type`.",
        "region",
    ),
    compare: str | None = _q(
        "`previous-year` adds the same period a year earlier.", "previous-year"
    ),
    format: str | None = _q(FORMAT_HELP, "json"),
) -> HttpResponse:
    return _values(request)


def _values(request: HttpRequest) -> HttpResponse:
    params = query_params(request)
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


@endpoint(
    "GET",
    "/series",
    name="api-series",
    scope=TokenScope.READ_VALUES,
    response={200: schemas.Series},
    answers={200: "The points (JSON, or CSV with `format=csv`)."},
    csv=True,
    operation_id="getSeries",
    summary="A metric month by month",
    description=(
        "The monthly figure (a flow's month, a stock's month end) from `start` to `end` "
        f"inclusive, at most {MAX_SERIES_MONTHS} months, with how many forces returned each "
        "month. Partners may not ask for a metric that counts people (400 naming `metric`)."
    ),
)
def series(
    request: HttpRequest,
    metric: str = _q("Metric code.", "ms_nrm_referrals", required=True),
    start: str = _q("First month, `YYYY-MM`.", "2023-03", required=True),
    end: str = _q("Last month, `YYYY-MM`.", "2024-02", required=True),
    orgunit: str | None = _q(ORGUNIT_HELP, "national"),
    by: str | None = _q(
        "One of the metric's breakdowns: a point per month and option.", "age_group"
    ),
    format: str | None = _q(FORMAT_HELP, "json"),
) -> HttpResponse:
    return _series(request)


def _series(request: HttpRequest) -> HttpResponse:
    params = query_params(request)
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


@endpoint(
    "GET",
    "/metrics",
    name="api-metrics",
    scope=TokenScope.READ_VALUES,
    response={200: schemas.Catalogue},
    answers={200: "The current catalogue revision."},
    errors=(400, 401, 403),
    operation_id="getCatalogue",
    summary="The catalogue: datasets, metrics and breakdowns",
)
def metrics(request: HttpRequest) -> HttpResponse:
    query_params(request)
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


RETURN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "dry_run": {"type": "boolean"},
                        "acknowledgements": {
                            "type": "string",
                            "description": "JSON object, as the parameter.",
                        },
                    },
                }
            },
            "text/csv": {"schema": {"type": "string"}},
            XLSX_MIME: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@endpoint(
    "POST",
    "/returns",
    name="api-returns",
    scope=TokenScope.WRITE_RETURNS,
    response={200: schemas.Outcome, 201: schemas.Outcome, 422: schemas.Outcome},
    answers={
        201: "Accepted: new versions stored.",
        200: "Unchanged (identical to the current version), or a dry run that would be accepted.",
        422: "Rejected (errors) or needs-comment (unexplained warnings); nothing stored. "
        "Each problem names sheet, row and column.",
        403: "The caller's role does not submit returns, the token lacks `write:returns`, "
        "or a session request failed CSRF.",
    },
    errors=(400, 401, 403, 413, 415),
    openapi_extra=RETURN_BODY,
    operation_id="submitReturn",
    summary="Submit a return file (CSV or the XLSX template)",
    description=(
        "The file goes through the same pipeline as a web upload: every row is checked, and "
        "the file is stored as a new version of each (dataset, force, month) it covers, or "
        "nothing is stored (201 accepted; 200 unchanged or a dry run that would be accepted; "
        "422 rejected or needs-comment, each problem naming sheet, row and column). Send it "
        "as the multipart field `file`, or as the request body with `Content-Type: text/csv` "
        "or the XLSX type (name it with `filename`). A file larger than the upload limit is "
        "refused (413) from its Content-Length before it is read. Warnings must be "
        "explained: resend with `acknowledgements`, a JSON object from each warning's `key` "
        "to a comment. Force users submit for their own force; national analysts for any "
        "force. A session request needs the CSRF token; a bearer token does not."
    ),
)
def submit_return(
    request: HttpRequest,
    filename: str | None = _q(
        "The file's name when it is sent as the raw body (`.csv` or `.xlsx`).",
        "kent-2024-02.csv",
    ),
    dry_run: str | None = _q(
        "`true` checks the file and reports what would be stored, storing nothing.", "true"
    ),
    acknowledgements: str | None = _q(
        "JSON object: warning key to a comment explaining it.",
        '{"kent|2024-02|ms_recorded_crimes|": "Operation closed a large case"}',
    ),
) -> HttpResponse:
    return _submit_return(request)


def _submit_return(request: HttpRequest) -> HttpResponse:
    # Read only the query string before the size check: the body stays unread until then.
    params = query_params(request)
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


@endpoint(
    "GET",
    "/submissions",
    name="api-submissions",
    scope=TokenScope.READ_VALUES,
    response={200: schemas.SubmissionList},
    answers={200: "The submissions, oldest period first."},
    operation_id="listSubmissions",
    summary="Returns the caller may see, with status and version",
    description=(
        "Force users see their force's returns; regional coordinators their region's "
        "forces; national analysts every force. Partners and administrators see none. "
        "Oldest period first."
    ),
)
def submissions(
    request: HttpRequest,
    dataset: str | None = _q("Dataset code.", "ms-monthly"),
    orgunit: str | None = _q("A force, a region (its forces) or `national` (all visible)."),
    period: str | None = _q(PERIOD_HELP + " Returns for the months it covers."),
    limit: str | None = _q(f"Page size, a whole number from 1 to {MAX_PAGE} (default 500).", "500"),
    offset: str | None = _q("Items to skip, a whole number (default 0).", "0"),
) -> HttpResponse:
    return _submissions(request)


def _submissions(request: HttpRequest) -> HttpResponse:
    params = query_params(request)
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


@endpoint(
    "GET",
    "/submissions/{pk}",
    name="api-submission",
    scope=TokenScope.READ_VALUES,
    response={200: schemas.SubmissionDetail},
    answers={200: "The submission.", 404: "No such submission, or not one the caller may see."},
    errors=(400, 401, 403, 404),
    operation_id="getSubmission",
    summary="One return: its versions and current values",
)
def submission_detail(
    request: HttpRequest, pk: int = Path(..., description="Submission id.")
) -> HttpResponse:
    query_params(request)
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


@endpoint(
    "GET",
    "/openapi.json",
    name="api-openapi",
    scope=None,
    response={200: dict[str, Any]},
    answers={200: "The OpenAPI document."},
    errors=(400, 401),
    operation_id="getOpenApi",
    summary="This description (OpenAPI 3.1), generated from the endpoints",
)
def openapi_json(request: HttpRequest) -> HttpResponse:
    query_params(request)
    return JsonResponse(document(), json_dumps_params={"indent": 2})


@login_required
def docs(request: HttpRequest) -> HttpResponse:
    """The API page: the generated document rendered for people."""
    return render(request, "api/docs.html", {"api": endpoints(), "spec": document()})
