"""GET /api/v1/series and GET /api/v1/metrics."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from msoic.catalogue.loader import get_catalogue
from msoic.metrics import engine
from msoic.orgunits.models import OrgUnit

URL = "/api/v1/series"


def test_series_is_the_engine_points_month_by_month(figures, api_as):
    response = api_as("national").get(
        URL, {"metric": "ms_recorded_crimes", "start": "2023-01", "end": "2023-04"}
    )
    assert response.status_code == 200
    body = response.json()
    national = OrgUnit.objects.get(code="national")
    expected = engine.series("ms_recorded_crimes", national, date(2023, 1, 1), date(2023, 4, 1))
    assert body["points"] == [p.as_dict() for p in expected]
    assert [(p["month"], p["value"], p["received"]) for p in body["points"]] == [
        ("2023-01", 21, 3),
        ("2023-02", 21, 3),
        ("2023-03", 24, 3),
        ("2023-04", 24, 3),
    ]
    assert body["points"][0]["expected"] == 43


def test_series_by_breakdown_has_a_point_per_option(figures, api_as):
    body = (
        api_as("kent")
        .get(
            URL,
            {
                "metric": "ms_live_investigations",
                "orgunit": "kent",
                "start": "2024-02",
                "end": "2024-02",
                "by": "exploitation_type",
            },
        )
        .json()
    )
    by_option = {p["option"]: p["value"] for p in body["points"]}
    assert by_option["criminal"] == 6 and by_option["labour"] == 2 and by_option["other"] is None


@pytest.mark.parametrize(
    ("persona", "orgunit", "status"),
    [
        ("kent", "kent", 200),
        ("kent", "essex", 403),
        ("kent", "eastern", 403),
        ("eastern", "essex", 200),
        ("eastern", "cleveland", 403),
        ("partner", "national", 200),
        ("partner", "kent", 403),
        ("admin", "eastern", 403),
        ("national", "cleveland", 200),
    ],
)
def test_series_is_scoped_like_values(figures, api_as, persona, orgunit, status):
    response = api_as(persona).get(
        URL,
        {"metric": "ms_recorded_crimes", "orgunit": orgunit, "start": "2024-01", "end": "2024-02"},
    )
    assert response.status_code == status
    assert ("points" in response.json()) == (status == 200)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"start": "2024-01", "end": "2024-02"}, "metric"),
        ({"metric": "ms_recorded_crimes", "end": "2024-02"}, "start"),
        ({"metric": "ms_recorded_crimes", "start": "2024-01"}, "end"),
        ({"metric": "ms_recorded_crimes", "start": "2024-1", "end": "2024-02"}, "start"),
        ({"metric": "ms_recorded_crimes", "start": "2024-03", "end": "2024-02"}, "end"),
        ({"metric": "ms_recorded_crimes", "start": "1990-01", "end": "2024-02"}, "end"),
        (
            {"metric": "ms_recorded_crimes", "start": "2024-01", "end": "2024-02", "by": "force"},
            "by",
        ),
        (
            {
                "metric": "ms_recorded_crimes",
                "start": "2024-01",
                "end": "2024-02",
                "by": "age_group",
            },
            "by",
        ),
        (
            {
                "metric": "ms_recorded_crimes",
                "start": "2024-01",
                "end": "2024-02",
                "period": "2024",
            },
            "period",
        ),
    ],
)
def test_series_bad_parameters_are_400(api_as, params, parameter):
    response = api_as("national").get(URL, params)
    assert response.status_code == 400 and response.json()["parameter"] == parameter


def test_series_csv(figures, api_as):
    response = api_as("national").get(
        URL, {"metric": "ms_recorded_crimes", "start": "2024-01", "end": "2024-02", "format": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["month"], r["value"]) for r in rows] == [("2024-01", "24"), ("2024-02", "24")]


def test_metrics_lists_the_catalogue(api_as):
    response = api_as("partner").get("/api/v1/metrics")
    assert response.status_code == 200
    body = response.json()
    cat = get_catalogue()
    codes = {d["code"] for d in body["datasets"]}
    assert codes == set(cat.datasets) >= {"ms-monthly", "oic-monthly", "terminus-quarterly"}
    metrics = {m["code"]: m for m in body["metrics"]}
    assert metrics["ms_live_investigations"]["aggregation"] == "stock"
    assert metrics["ms_live_investigations"]["breakdowns"] == ["exploitation_type"]
    assert metrics["oic_disruptions"]["dataset"] == "oic-monthly"
    breakdowns = {b["name"]: b for b in body["breakdowns"]}
    assert set(breakdowns["age_group"]["options"]) == {"adult", "child", "unknown"}


def test_metrics_needs_authentication(db, client):
    assert client.get("/api/v1/metrics").status_code == 401
