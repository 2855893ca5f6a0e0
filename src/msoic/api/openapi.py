"""The OpenAPI 3.1 description of API v1, written by hand as data.

The same dictionary is served as ``/api/v1/openapi.json`` and rendered as the human API
page (``api-docs``), so the two cannot drift apart; tests/api/test_openapi.py checks that
every API URL in the URLconf is described here.
"""

from __future__ import annotations

import copy
from typing import Any

PREFIX = "/api/v1"
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"sessionCookie": []}]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _query(
    name: str,
    description: str,
    *,
    required: bool = False,
    schema: dict[str, Any] | None = None,
    example: str | None = None,
) -> dict[str, Any]:
    param: dict[str, Any] = {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema or {"type": "string"},
    }
    if example is not None:
        param["example"] = example
    return param


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
FORMAT = _query(
    "format",
    "`json` (default) or `csv` (a formula-safe CSV download).",
    schema={"type": "string", "enum": ["json", "csv"], "default": "json"},
)
COMMON_ERRORS = {
    "400": _error("A parameter is missing or malformed; `parameter` names it."),
    "401": _error("Not logged in and no valid bearer token."),
    "403": _error("The caller may not see this org unit or this breakdown."),
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "status"],
        "properties": {
            "error": {"type": "string", "description": "What went wrong, in words."},
            "status": {"type": "integer"},
            "parameter": {
                "type": "string",
                "description": "The parameter at fault (400, 413, 415).",
            },
        },
    },
    "Coverage": {
        "type": "object",
        "properties": {
            "expected": {"type": "integer", "description": "Force-months expected."},
            "received": {"type": "integer", "description": "Force-months with a value."},
            "complete": {"type": "boolean"},
            "missing_forces": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Forces without a return, among those the caller may see.",
            },
            "from_register": {
                "type": "integer",
                "description": "Of the force-months received, those derived from the "
                "investigation register (forces on direct data entry for the metric).",
            },
            "register_forces": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Forces whose figure comes (in part) from their register.",
            },
        },
    },
    "Row": {
        "type": "object",
        "required": ["key", "label", "value"],
        "properties": {
            "key": {"type": "string", "description": "Force or region code, or breakdown option."},
            "label": {"type": "string"},
            "value": {"type": ["integer", "null"]},
            "share": {"type": "number", "description": "Share of the total, 0 to 1."},
            "complete": {"type": "boolean"},
            "previous_value": {"type": ["integer", "null"], "description": "With compare."},
            "change_pct": {
                "type": ["number", "null"],
                "description": "With compare; one decimal place.",
            },
            "previous_complete": {"type": ["boolean", "null"]},
        },
    },
    "Values": {
        "type": "object",
        "required": ["metric", "orgunit", "period", "value"],
        "properties": {
            "metric": {"type": "string"},
            "metric_label": {"type": "string"},
            "aggregation": {"type": "string", "enum": ["flow", "stock"]},
            "orgunit": {"type": "string"},
            "orgunit_name": {"type": "string"},
            "period": {"type": "string"},
            "period_label": {"type": "string"},
            "value": {
                "type": ["integer", "null"],
                "description": "Null when no force has returned.",
            },
            "value_from_register": {
                "type": ["integer", "null"],
                "description": "The part of value derived from forces' investigation registers.",
            },
            "complete": {"type": "boolean"},
            "coverage": _ref("Coverage"),
            "previous_period": {"type": "string", "description": "With compare=previous-year."},
            "previous_value": {
                "type": ["integer", "null"],
                "description": "With compare=previous-year.",
            },
            "change_pct": {
                "type": ["number", "null"],
                "description": "Year-on-year change, one decimal place (with compare).",
            },
            "previous_complete": {"type": "boolean"},
            "previous_coverage": _ref("Coverage"),
            "change_flag": {
                "type": "string",
                "description": "`incomplete` when either side lacks returns.",
            },
            "by": {"type": "string"},
            "rows": {"type": "array", "items": _ref("Row"), "description": "With by."},
        },
    },
    "Point": {
        "type": "object",
        "properties": {
            "month": {"type": "string", "example": "2024-02"},
            "option": {"type": "string", "description": "Breakdown option, empty for the total."},
            "value": {"type": ["integer", "null"]},
            "received": {"type": "integer", "description": "Forces that returned that month."},
            "expected": {"type": "integer"},
        },
    },
    "Series": {
        "type": "object",
        "required": ["metric", "orgunit", "start", "end", "points"],
        "properties": {
            "metric": {"type": "string"},
            "metric_label": {"type": "string"},
            "aggregation": {"type": "string", "enum": ["flow", "stock"]},
            "orgunit": {"type": "string"},
            "orgunit_name": {"type": "string"},
            "start": {"type": "string"},
            "end": {"type": "string"},
            "by": {"type": ["string", "null"]},
            "points": {"type": "array", "items": _ref("Point")},
        },
    },
    "Catalogue": {
        "type": "object",
        "properties": {
            "revision": {"type": ["integer", "null"]},
            "datasets": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "label": {"type": "string"},
                        "description": {"type": "string"},
                        "frequency": {"type": "string"},
                        "orgunits": {"type": "string"},
                        "due_day": {"type": "integer"},
                        "lock_on_approval": {"type": "boolean"},
                        "first_period": {"type": "string"},
                        "metrics": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
            "metrics": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "dataset": {"type": "string"},
                        "label": {"type": "string"},
                        "short_label": {"type": "string"},
                        "help": {"type": "string"},
                        "aggregation": {"type": "string", "enum": ["flow", "stock"]},
                        "unit": {"type": "string"},
                        "breakdowns": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
            "breakdowns": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "label": {"type": "string"},
                        "options": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                },
            },
        },
    },
    "Problem": {
        "type": "object",
        "properties": {
            "severity": {"type": "string", "enum": ["error", "warning"]},
            "rule": {"type": "string"},
            "message": {"type": "string"},
            "file": {"type": "string"},
            "sheet": {"type": "string"},
            "row": {"type": ["integer", "null"]},
            "column": {"type": "string"},
            "key": {"type": "string", "description": "For a warning: the key to acknowledge."},
        },
    },
    "Outcome": {
        "type": "object",
        "required": ["file", "status", "problems"],
        "properties": {
            "file": {"type": "string"},
            "status": {
                "type": "string",
                "enum": ["accepted", "unchanged", "rejected", "needs-comment"],
            },
            "rows": {"type": "integer"},
            "dry_run": {"type": "boolean"},
            "problems": {"type": "array", "items": _ref("Problem")},
            "submissions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "dataset": {"type": "string"},
                        "force": {"type": "string"},
                        "period": {"type": "string"},
                        "version": {"type": ["integer", "null"]},
                        "state": {
                            "type": "string",
                            "enum": ["new", "corrected", "unchanged", "would-store"],
                        },
                    },
                },
            },
        },
    },
    "Submission": {
        "type": "object",
        "required": ["id", "dataset", "orgunit", "period", "status", "version"],
        "properties": {
            "id": {"type": "integer"},
            "dataset": {"type": "string"},
            "orgunit": {"type": "string"},
            "orgunit_name": {"type": "string"},
            "period": {"type": "string"},
            "status": {"type": "string", "enum": ["submitted", "approved", "missing"]},
            "version": {"type": ["integer", "null"], "description": "Current version number."},
            "locked": {"type": "boolean"},
            "first_received_at": {"type": ["string", "null"], "format": "date-time"},
            "last_received_at": {"type": ["string", "null"], "format": "date-time"},
            "approved_at": {"type": ["string", "null"], "format": "date-time"},
            "deadline": {"type": ["string", "null"], "format": "date"},
            "late": {"type": ["boolean", "null"]},
        },
    },
    "SubmissionList": {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "submissions": {"type": "array", "items": _ref("Submission")},
        },
    },
    "SubmissionDetail": {
        "allOf": [
            _ref("Submission"),
            {
                "type": "object",
                "properties": {
                    "versions": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "number": {"type": "integer"},
                                "source": {"type": "string"},
                                "filename": {"type": "string"},
                                "sha256": {"type": "string"},
                                "received_at": {"type": "string", "format": "date-time"},
                                "submitted_by": {"type": ["string", "null"]},
                                "values": {"type": "integer"},
                                "acknowledged_warnings": {
                                    "type": "array",
                                    "items": {"type": "object"},
                                },
                            },
                        },
                    },
                    "values": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "metric": {"type": "string"},
                                "breakdown": {"type": "string"},
                                "option": {"type": "string"},
                                "value": {"type": "integer"},
                                "comment": {"type": "string"},
                            },
                        },
                    },
                },
            },
        ],
    },
}

PATHS: dict[str, Any] = {
    f"{PREFIX}/values": {
        "get": {
            "operationId": "getValues",
            "summary": "A metric for an org unit and period",
            "description": (
                "The metric engine's answer: flows sum over the period, stocks take its last month; "
                "forces roll up to regions and the nation. With `by`, one row per force, region or "
                "breakdown option; with `compare=previous-year`, the same period a year earlier and "
                "the change to one decimal place."
            ),
            "parameters": [
                _query(
                    "metric",
                    "Metric code, as listed by /metrics.",
                    required=True,
                    example="ms_recorded_crimes",
                ),
                _query("orgunit", ORGUNIT_HELP, example="national"),
                _query("period", PERIOD_HELP, required=True, example="R12-2024-02"),
                _query(
                    "by",
                    (
                        "`force` or `region` (national analysts; regional coordinators for their own region, "
                        "by force), or one of the metric's breakdowns, e.g. `exploitation_type`."
                    ),
                    example="region",
                ),
                _query(
                    "compare",
                    "`previous-year` adds the same period a year earlier.",
                    schema={"type": "string", "enum": ["previous-year"]},
                ),
                FORMAT,
            ],
            "responses": {
                "200": {
                    "description": "The figures.",
                    "content": {
                        "application/json": {"schema": _ref("Values")},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                },
                **COMMON_ERRORS,
            },
        }
    },
    f"{PREFIX}/series": {
        "get": {
            "operationId": "getSeries",
            "summary": "A metric month by month",
            "description": (
                "The monthly figure (a flow's month, a stock's month end) from `start` to `end` "
                "inclusive, at most 240 months, with how many forces returned each month."
            ),
            "parameters": [
                _query("metric", "Metric code.", required=True, example="ms_nrm_referrals"),
                _query("orgunit", ORGUNIT_HELP, example="national"),
                _query("start", "First month, `YYYY-MM`.", required=True, example="2023-03"),
                _query("end", "Last month, `YYYY-MM`.", required=True, example="2024-02"),
                _query(
                    "by",
                    "One of the metric's breakdowns: a point per month and option.",
                    example="age_group",
                ),
                FORMAT,
            ],
            "responses": {
                "200": {
                    "description": "The points.",
                    "content": {
                        "application/json": {"schema": _ref("Series")},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                },
                **COMMON_ERRORS,
            },
        }
    },
    f"{PREFIX}/metrics": {
        "get": {
            "operationId": "getCatalogue",
            "summary": "The catalogue: datasets, metrics and breakdowns",
            "parameters": [],
            "responses": {
                "200": _json(_ref("Catalogue"), "The current catalogue revision."),
                "401": COMMON_ERRORS["401"],
            },
        }
    },
    f"{PREFIX}/returns": {
        "post": {
            "operationId": "submitReturn",
            "summary": "Submit a return file (CSV or the XLSX template)",
            "description": (
                "The file goes through the same pipeline as a web upload: every row is checked, and "
                "the file is stored as a new version of each (dataset, force, month) it covers, or "
                "nothing is stored. Send it as the multipart field `file`, or as the request body "
                "with `Content-Type: text/csv` or the XLSX type (name it with `filename`). A file "
                "larger than the upload limit is refused from its Content-Length before it is read. "
                "Warnings must be explained: resend with `acknowledgements`, a JSON object from each "
                "warning's `key` to a comment. Force users submit for their own force; national "
                "analysts for any force."
            ),
            "parameters": [
                _query(
                    "filename",
                    "The file's name when it is sent as the raw body (`.csv` or `.xlsx`).",
                    example="kent-2024-02.csv",
                ),
                _query(
                    "dry_run",
                    "`true` checks the file and reports what would be stored, storing nothing.",
                    schema={"type": "boolean", "default": False},
                ),
                _query(
                    "acknowledgements",
                    "JSON object: warning key → comment explaining it.",
                    example='{"kent|2024-02|ms_recorded_crimes|": "Operation closed a large case"}',
                ),
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {
                                "file": {
                                    "type": "string",
                                    "contentMediaType": "application/octet-stream",
                                },
                                "dry_run": {"type": "boolean"},
                                "acknowledgements": {
                                    "type": "string",
                                    "description": "JSON object, as the parameter.",
                                },
                            },
                        }
                    },
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "contentMediaType": "application/octet-stream"}
                    },
                },
            },
            "responses": {
                "201": _json(_ref("Outcome"), "Accepted: new versions stored."),
                "200": _json(
                    _ref("Outcome"),
                    "Unchanged (identical to the current version), or a dry run that "
                    "would be accepted.",
                ),
                "422": _json(
                    _ref("Outcome"),
                    "Rejected (errors) or needs-comment (unexplained warnings); nothing "
                    "stored. Each problem names sheet, row and column.",
                ),
                "400": COMMON_ERRORS["400"],
                "401": COMMON_ERRORS["401"],
                "403": _error(
                    "The caller's role does not submit returns, or a session request failed CSRF."
                ),
                "413": _error("The file is over the upload limit."),
                "415": _error("Neither multipart nor a CSV/XLSX body."),
            },
        }
    },
    f"{PREFIX}/submissions": {
        "get": {
            "operationId": "listSubmissions",
            "summary": "Returns the caller may see, with status and version",
            "description": (
                "Force users see their force's returns; regional coordinators their region's forces; "
                "national analysts every force. Partners and administrators see none."
            ),
            "parameters": [
                _query("dataset", "Dataset code, e.g. `ms-monthly`."),
                _query("orgunit", "A force, a region (its forces) or `national` (all visible)."),
                _query("period", PERIOD_HELP + " Returns for the months it covers."),
                _query(
                    "limit", "Page size, 1 to 5000.", schema={"type": "integer", "default": 500}
                ),
                _query("offset", "Items to skip.", schema={"type": "integer", "default": 0}),
            ],
            "responses": {
                "200": _json(_ref("SubmissionList"), "The submissions, oldest period first."),
                **COMMON_ERRORS,
            },
        }
    },
    f"{PREFIX}/submissions/{{pk}}": {
        "get": {
            "operationId": "getSubmission",
            "summary": "One return: its versions and current values",
            "parameters": [
                {
                    "name": "pk",
                    "in": "path",
                    "required": True,
                    "description": "Submission id.",
                    "schema": {"type": "integer"},
                }
            ],
            "responses": {
                "200": _json(_ref("SubmissionDetail"), "The submission."),
                "401": COMMON_ERRORS["401"],
                "404": _error("No such submission, or not one the caller may see."),
            },
        }
    },
    f"{PREFIX}/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This description (OpenAPI 3.1)",
            "parameters": [],
            "responses": {
                "200": _json({"type": "object"}, "The OpenAPI document."),
                "401": COMMON_ERRORS["401"],
            },
        }
    },
    f"{PREFIX}/docs/": {
        "get": {
            "operationId": "getDocs",
            "summary": "This description as a web page",
            "parameters": [],
            "responses": {
                "200": {
                    "description": "HTML page.",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
                "302": {"description": "Not logged in: to the login page."},
            },
        }
    },
}

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "MSOIC Insight API",
        "version": "1",
        "description": (
            "Figures from the metric engine, the catalogue, and force returns. Every answer is "
            "scoped to the caller: a force user sees their force and national aggregates, a "
            "regional coordinator their region, a partner national aggregates only. Authenticate "
            "with `Authorization: Bearer <token>` (`msoic create_user ... --token`) or a logged-in "
            "session (session requests that change data need the CSRF token)."
        ),
    },
    "servers": [{"url": "/"}],
    "security": BEARER,
    "paths": PATHS,
    "components": {
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "An API token issued by `msoic create_user USERNAME --token`.",
            },
            "sessionCookie": {
                "type": "apiKey",
                "in": "cookie",
                "name": "sessionid",
                "description": "A logged-in browser session.",
            },
        },
        "schemas": SCHEMAS,
    },
}


def spec() -> dict[str, Any]:
    """A copy of the OpenAPI document (callers may not change the module's)."""
    return copy.deepcopy(SPEC)


def endpoints() -> list[dict[str, Any]]:
    """The operations flattened for the HTML page: method, path, text, parameters, responses."""
    out = []
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            params = []
            for p in op.get("parameters", []):
                schema = p.get("schema", {})
                kind = schema.get("type", "string")
                if "enum" in schema:
                    kind += " (" + ", ".join(schema["enum"]) + ")"
                params.append({**p, "type": kind})
            body = sorted(op.get("requestBody", {}).get("content", {}))
            responses = [
                {"code": code, "description": r.get("description", "")}
                for code, r in sorted(op["responses"].items())
            ]
            out.append(
                {
                    "id": op["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": op["summary"],
                    "description": op.get("description", ""),
                    "parameters": params,
                    "body": body,
                    "responses": responses,
                }
            )
    return out
