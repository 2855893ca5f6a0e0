"""The OpenAPI document generated from the typed endpoints covers every API URL with its
parameters, authentication and answers, validates as OpenAPI 3, and the API page renders it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from msoic.api import service
from tests.conftest import PERSONA_PASSWORD


def api_routes() -> set[str]:
    """Every route under /api/v1/ in the URLconf, written as OpenAPI paths."""
    found: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and route.startswith("api/"):
                found.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))

    walk(get_resolver().url_patterns, "")
    return found


def test_every_api_url_is_described_and_nothing_else():
    routes = api_routes()
    assert "/api/v1/values" in routes and "/api/v1/submissions/{pk}" in routes
    # the API page (HTML, login redirect) is not an operation of the API it describes
    assert set(service.document()["paths"]) == routes - {"/api/v1/docs/"}


def test_spec_is_openapi_31_with_bearer_and_session_schemes():
    spec = service.document()
    assert spec["openapi"] == "3.1.0"
    schemes = spec["components"]["securitySchemes"]
    assert schemes["ApiTokenAuth"]["type"] == "http"
    assert schemes["ApiTokenAuth"]["scheme"] == "bearer"
    assert schemes["SessionAuth"] == {**schemes["SessionAuth"], "in": "cookie", "name": "sessionid"}


def test_every_operation_names_its_auth_scope_and_answers():
    """Each operation: both auth schemes, the token scope the view enforces, a JSON schema for
    its success answer and the Error schema for each error status; the CSV answers too."""
    spec = service.document()
    scopes = {
        "/api/v1/values": "read:values",
        "/api/v1/series": "read:values",
        "/api/v1/metrics": "read:values",
        "/api/v1/submissions": "read:values",
        "/api/v1/submissions/{pk}": "read:values",
        "/api/v1/returns": "write:returns",
        "/api/v1/openapi.json": None,
    }
    assert set(scopes) == set(spec["paths"])
    for path, item in spec["paths"].items():
        for op in item.values():
            assert op["security"] == [{"ApiTokenAuth": []}, {"SessionAuth": []}], path
            assert op.get("x-token-scope") == scopes[path], path
            ok = [c for c in op["responses"] if c.startswith("2")]
            assert ok, path
            for code in ok:
                assert op["responses"][code]["content"]["application/json"]["schema"], path
            for code in {"401"} | {c for c in op["responses"] if c[0] == "4" and c != "422"}:
                body = op["responses"][code]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, (path, code)
    for path in ("/api/v1/values", "/api/v1/series"):
        assert "text/csv" in spec["paths"][path]["get"]["responses"]["200"]["content"]
    body = spec["paths"]["/api/v1/returns"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "text/csv"} <= set(body)


def test_every_operation_lists_the_parameters_its_view_reads():
    spec = service.document()
    expected = {
        "/api/v1/values": {"metric*", "period*", "orgunit", "by", "compare", "format"},
        "/api/v1/series": {"metric*", "start*", "end*", "orgunit", "by", "format"},
        "/api/v1/metrics": set(),
        "/api/v1/returns": {"filename", "dry_run", "acknowledgements"},
        "/api/v1/submissions": {"dataset", "orgunit", "period", "limit", "offset"},
        "/api/v1/submissions/{pk}": {"pk*"},
        "/api/v1/openapi.json": set(),
    }
    for path, item in spec["paths"].items():
        for op in item.values():
            found = {p["name"] + ("*" if p["required"] else "") for p in op.get("parameters", [])}
            assert found == expected[path], path
            for p in op.get("parameters", []):
                assert p["description"], (path, p["name"])


def test_the_document_validates_as_openapi_3():
    """Against the OpenAPI 3.1 meta-schema when the validator is installed; the structure
    every OpenAPI 3 reader needs in any case."""
    spec = service.document()
    assert {"openapi", "info", "paths", "components"} <= set(spec)
    assert spec["info"]["title"] and spec["info"]["version"]
    try:
        from openapi_spec_validator import validate
    except ImportError:
        validate = None
    if validate is not None:
        validate(spec)
    for item in spec["paths"].values():
        for op in item.values():
            for p in op.get("parameters", []):
                assert p["in"] in {"query", "path", "header", "cookie"}
                assert "schema" in p and not isinstance(p.get("examples"), list)


def test_every_operation_has_an_id_summary_responses_and_resolvable_refs():
    spec = service.document()
    schemas = spec["components"]["schemas"]
    text = repr(spec)
    for ref in re.findall(r"#/components/schemas/(\w+)", text):
        assert ref in schemas, ref
    ids = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            assert method in {"get", "post"}
            ids.append(op["operationId"])
            assert op["summary"] and op["responses"]
            for name in re.findall(r"{(\w+)}", path):
                assert any(
                    p["name"] == name and p["in"] == "path" and p["required"]
                    for p in op["parameters"]
                )
    assert len(ids) == len(set(ids))


def test_described_parameters_are_the_ones_the_views_accept(api_as):
    """Each documented query parameter is accepted (an unknown one would be 400 naming it)."""
    spec = service.document()
    client = api_as("national")
    for path, item in spec["paths"].items():
        op = item.get("get")
        if not op or "{" in path or path.endswith("/docs/"):
            continue
        for p in op["parameters"]:
            response = client.get(path, {p["name"]: "x"})
            assert response.status_code in {200, 400}, (path, p["name"])
            if response.status_code == 400:
                assert not response.json()["error"].startswith("unknown parameter"), (
                    path,
                    p["name"],
                )


def _properties(name: str) -> set[str]:
    return set(service.document()["components"]["schemas"][name]["properties"])


def test_values_response_fields_are_in_the_schema(api_as, figures):
    props = service.document()["components"]["schemas"]["Values"]["properties"]
    body = (
        api_as("national")
        .get(
            "/api/v1/values",
            {
                "metric": "ms_recorded_crimes",
                "period": "2024-02",
                "by": "region",
                "compare": "previous-year",
            },
        )
        .json()
    )
    assert set(body) <= set(props)
    row_props = service.document()["components"]["schemas"]["Row"]["properties"]
    assert set(body["rows"][0]) <= set(row_props)


def test_openapi_json_is_served_to_callers_and_401_to_anonymous(api_as, db):
    response = api_as("partner").get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.json() == service.document()
    assert response.json()["paths"]["/api/v1/values"]["get"]["operationId"] == "getValues"
    assert Client().get("/api/v1/openapi.json").status_code == 401


@pytest.mark.django_db
def test_api_page_renders_every_endpoint_from_the_spec(kent_user):
    client = Client()
    assert client.login(username="kent.user", password=PERSONA_PASSWORD)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    for op in service.endpoints():
        assert f"{op['method']} {op['path']}" in html
        for p in op["parameters"]:
            assert f"<code>{p['name']}</code>" in html
    # no inline script and nothing fetched from another host
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"(src|href)=\"(https?:)?//", html)


def test_api_page_redirects_anonymous_users_to_login(db):
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_answers_validate_against_their_declared_schemas(api_as, figures):
    """The JSON each endpoint sends fits the schema the document declares for it: the
    national analyst's exact figures and the partner's disclosure-controlled ones
    (``withheld``, ``previous_withheld``, ``disclosure``), the series and the submissions."""
    from msoic.api import schemas

    asks = [
        (
            "national",
            "/api/v1/values",
            {
                "metric": "ms_recorded_crimes",
                "period": "2024-02",
                "by": "region",
                "compare": "previous-year",
            },
            schemas.Values,
        ),
        (
            "partner",
            "/api/v1/values",
            {
                "metric": "ms_nrm_referrals",
                "period": "FY2023-24",
                "by": "age_group",
                "compare": "previous-year",
            },
            schemas.Values,
        ),
        (
            "national",
            "/api/v1/series",
            {"metric": "ms_recorded_crimes", "start": "2023-03", "end": "2024-02"},
            schemas.Series,
        ),
        ("national", "/api/v1/metrics", {}, schemas.Catalogue),
        ("national", "/api/v1/submissions", {}, schemas.SubmissionList),
    ]
    for persona, url, params, schema in asks:
        response = api_as(persona).get(url, params)
        assert response.status_code == 200, (persona, url, response.content)
        body = response.json()
        schema.model_validate(body)
        declared = _properties(schema.__name__)
        assert set(body) <= declared, (url, set(body) - declared)
        for row in body.get("rows", []):
            assert set(row) <= _properties("Row"), (url, set(row) - _properties("Row"))
    partner = api_as("partner").get("/api/v1/values", asks[1][2]).json()
    assert partner["disclosure"]["controlled"] is True
    assert {"withheld", "previous_withheld"} <= set(partner["rows"][0])
    items = api_as("national").get("/api/v1/submissions").json()["submissions"]
    detail = api_as("national").get(f"/api/v1/submissions/{items[0]['id']}").json()
    schemas.SubmissionDetail.model_validate(detail)


def test_a_refusal_has_the_declared_error_body(api_as, db):
    from msoic.api import schemas

    for url, params, status in [
        ("/api/v1/values", {"period": "2024-02"}, 400),
        ("/api/v1/values", {"metric": "ms_recorded_crimes", "period": "2024-02", "x": "1"}, 400),
        ("/api/v1/values", {"metric": "ms_nrm_referrals", "period": "2024-02"}, 400),
        ("/api/v1/submissions/999999", {}, 404),
    ]:
        response = api_as("partner" if "nrm" in str(params) else "national").get(url, params)
        assert response.status_code == status, (url, params, response.content)
        error = schemas.Error.model_validate(response.json())
        assert error.status == status
    missing = api_as("national").get("/api/v1/values", {"period": "2024-02"}).json()
    assert missing == {"error": "metric is required", "status": 400, "parameter": "metric"}
