"""The OpenAPI description covers every API URL, and the API page renders it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from msoic.api import openapi
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
    assert set(openapi.spec()["paths"]) == routes


def test_spec_is_openapi_31_with_bearer_security():
    spec = openapi.spec()
    assert spec["openapi"] == "3.1.0"
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    assert {"bearerAuth": []} in spec["security"]


def test_every_operation_has_an_id_summary_responses_and_resolvable_refs():
    spec = openapi.spec()
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
    spec = openapi.spec()
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


def test_values_response_fields_are_in_the_schema(api_as, figures):
    props = openapi.spec()["components"]["schemas"]["Values"]["properties"]
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
    row_props = openapi.spec()["components"]["schemas"]["Row"]["properties"]
    assert set(body["rows"][0]) <= set(row_props)


def test_openapi_json_is_served_to_callers_and_401_to_anonymous(api_as, db):
    response = api_as("partner").get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.json() == openapi.spec()
    assert Client().get("/api/v1/openapi.json").status_code == 401


@pytest.mark.django_db
def test_api_page_renders_every_endpoint_from_the_spec(kent_user):
    client = Client()
    assert client.login(username="kent.user", password=PERSONA_PASSWORD)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    for op in openapi.endpoints():
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
