"""GET /api/v1/values: the engine's answer, scoped to the caller, with 400/401/403 as JSON."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from msoic.metrics import engine
from msoic.orgunits.models import OrgUnit

URL = "/api/v1/values"


@pytest.fixture
def figures(figures_for_module: dict[str, Any]) -> dict[str, Any]:
    """The API fixtures' figures, loaded once for this module (no test here needs a database
    without them): each test loaded them again."""
    return figures_for_module


def test_values_is_exactly_the_engine_answer(figures, api_as):
    response = api_as("national").get(
        URL,
        {
            "metric": "ms_recorded_crimes",
            "orgunit": "national",
            "period": "R12-2024-02",
            "compare": "previous-year",
        },
    )
    assert response.status_code == 200
    body = response.json()
    expected = engine.query(
        "ms_recorded_crimes",
        OrgUnit.objects.get(code="national"),
        "R12-2024-02",
        compare="previous-year",
    ).as_dict()
    assert body == expected
    # 12 months of (11 + 8 + 5) against 12 months of (10 + 7 + 4)
    assert (body["metric"], body["orgunit"], body["period"]) == (
        "ms_recorded_crimes",
        "national",
        "R12-2024-02",
    )
    assert body["value"] == 288 and body["previous_value"] == 252 and body["change_pct"] == 14.3


def test_by_force_gives_a_row_per_force_for_a_national_analyst(figures, api_as):
    body = (
        api_as("national")
        .get(URL, {"metric": "ms_recorded_crimes", "period": "2024-02", "by": "force"})
        .json()
    )
    rows = {r["key"]: r["value"] for r in body["rows"]}
    assert rows["kent"] == 11 and rows["essex"] == 8 and rows["cleveland"] == 5
    assert rows["durham"] is None  # no return: no figure, never a zero
    assert len(body["rows"]) == 43


def test_by_region_with_compare_gives_previous_value_and_change_per_row(figures, api_as):
    body = (
        api_as("national")
        .get(
            URL,
            {
                "metric": "ms_recorded_crimes",
                "period": "R12-2024-02",
                "by": "region",
                "compare": "previous-year",
            },
        )
        .json()
    )
    eastern = next(r for r in body["rows"] if r["key"] == "eastern")
    assert eastern["value"] == (11 + 8) * 12 and eastern["previous_value"] == (10 + 7) * 12
    assert eastern["change_pct"] == 11.8


def test_by_breakdown_gives_the_options_with_shares(figures, api_as):
    body = (
        api_as("partner")
        .get(
            URL,
            {"metric": "ms_live_investigations", "period": "2024-02", "by": "exploitation_type"},
        )
        .json()
    )
    rows = {r["key"]: r for r in body["rows"]}
    assert body["value"] == 20
    assert rows["criminal"]["value"] == 12 and rows["criminal"]["share"] == round(12 / 20, 4)
    assert set(rows) >= {
        "criminal",
        "sexual",
        "labour",
        "domestic_servitude",
        "organ_harvesting",
        "other",
    }


def test_force_user_sees_own_force_and_national(figures, api_as):
    kent = api_as("kent")
    own = kent.get(URL, {"metric": "ms_recorded_crimes", "orgunit": "kent", "period": "2024-02"})
    assert own.status_code == 200 and own.json()["value"] == 11
    assert (
        kent.get(
            URL, {"metric": "ms_recorded_crimes", "orgunit": "national", "period": "2024-02"}
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("persona", "orgunit", "by", "status"),
    [
        ("kent", "essex", None, 403),
        ("kent", "eastern", None, 403),
        ("kent", "nca", None, 403),
        ("kent", "kent", "force", 403),
        ("kent", "national", "force", 403),
        ("kent", "national", "region", 403),
        ("kent", "kent", "exploitation_type", 200),
        ("eastern", "eastern", None, 200),
        ("eastern", "essex", None, 200),
        ("eastern", "kent", None, 200),
        ("eastern", "cleveland", None, 403),
        ("eastern", "north-east", None, 403),
        ("eastern", "eastern", "force", 200),
        ("eastern", "national", "region", 403),
        ("eastern", "national", "force", 403),
        ("partner", "national", None, 200),
        ("partner", "national", "exploitation_type", 200),
        ("partner", "national", "region", 403),
        ("partner", "national", "force", 403),
        ("partner", "eastern", None, 403),
        ("partner", "kent", None, 403),
        ("partner", "nca", None, 403),
        ("admin", "national", None, 200),
        ("admin", "kent", None, 403),
        ("admin", "national", "force", 403),
        ("national", "kent", None, 200),
        ("national", "kent", "force", 403),
        ("national", "eastern", "force", 200),
        ("national", "national", "region", 200),
        ("national", "nca", None, 403),
    ],
)
def test_values_are_scoped_to_the_caller(figures, api_as, persona, orgunit, by, status):
    params = {"metric": "ms_live_investigations", "orgunit": orgunit, "period": "2024-02"}
    if by:
        params["by"] = by
    response = api_as(persona).get(URL, params)
    assert response.status_code == status, response.content
    body = response.json()
    if status == 403:
        assert "error" in body and "value" not in body and "rows" not in body
    else:
        assert body["orgunit"] == orgunit


def test_regional_coordinator_by_force_lists_only_their_forces(figures, api_as):
    body = (
        api_as("eastern")
        .get(
            URL,
            {
                "metric": "ms_recorded_crimes",
                "orgunit": "eastern",
                "period": "2024-02",
                "by": "force",
            },
        )
        .json()
    )
    keys = {r["key"] for r in body["rows"]}
    assert {"kent", "essex"} <= keys and "cleveland" not in keys
    assert set(OrgUnit.objects.filter(code__in=keys).values_list("parent__code", flat=True)) == {
        "eastern"
    }


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"period": "2024-02"}, "metric"),
        ({"metric": "ms_nope", "period": "2024-02"}, "metric"),
        ({"metric": "ms_recorded_crimes"}, "period"),
        ({"metric": "ms_recorded_crimes", "period": "2024-13"}, "period"),
        ({"metric": "ms_recorded_crimes", "period": "FY2023-25"}, "period"),
        ({"metric": "ms_recorded_crimes", "period": "last year"}, "period"),
        ({"metric": "ms_recorded_crimes", "period": "2024-02", "compare": "last-month"}, "compare"),
        ({"metric": "ms_recorded_crimes", "period": "2024-02", "by": "exploitation_type"}, "by"),
        ({"metric": "ms_recorded_crimes", "period": "2024-02", "by": "colour"}, "by"),
        (
            {
                "metric": "ms_recorded_crimes",
                "period": "2024-02",
                "orgunit": "eastern",
                "by": "region",
            },
            "by",
        ),
        ({"metric": "ms_recorded_crimes", "period": "2024-02", "orgunit": "atlantis"}, "orgunit"),
        ({"metric": "ms_recorded_crimes", "period": "2024-02", "format": "xml"}, "format"),
        ({"metric": "ms_recorded_crimes", "period": "2024-02", "perod": "2024-02"}, "perod"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(api_as, params, parameter):
    response = api_as("national").get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == parameter and body["error"]


def test_anonymous_caller_gets_401_json_not_a_redirect(db):
    response = Client().get(URL, {"metric": "ms_recorded_crimes", "period": "2024-02"})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "error" in response.json()


def test_bad_or_revoked_token_is_401(kent_user):
    from msoic.accounts.models import ApiToken

    params = {"metric": "ms_recorded_crimes", "period": "2024-02"}
    assert Client(HTTP_AUTHORIZATION="Bearer msoic_not-a-token").get(URL, params).status_code == 401
    token, raw = ApiToken.issue(kent_user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get(URL, params).status_code == 200
    token.revoked = True
    token.save()
    assert client.get(URL, params).status_code == 401


def test_session_login_works_for_the_api(figures, client, kent_user):
    from tests.conftest import PERSONA_PASSWORD

    assert client.login(username="kent.user", password=PERSONA_PASSWORD)
    response = client.get(
        URL, {"metric": "ms_recorded_crimes", "orgunit": "kent", "period": "2024-02"}
    )
    assert response.status_code == 200 and response.json()["value"] == 11
    assert (
        client.get(
            URL, {"metric": "ms_recorded_crimes", "orgunit": "essex", "period": "2024-02"}
        ).status_code
        == 403
    )


def test_post_to_values_is_405(api_as):
    response = api_as("national").post(URL)
    assert response.status_code == 405 and "GET" in response["Allow"]


def test_csv_format_is_the_same_figures_as_a_download(figures, api_as):
    response = api_as("national").get(
        URL,
        {
            "metric": "ms_recorded_crimes",
            "period": "R12-2024-02",
            "by": "region",
            "compare": "previous-year",
            "format": "csv",
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        'filename="ms_recorded_crimes_national_R12-2024-02_by_region.csv"'
        in response["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    eastern = next(r for r in rows if r["key"] == "eastern")
    assert eastern["value"] == str((11 + 8) * 12) and eastern["change_pct"] == "11.8"
    assert eastern["label"] == "Eastern"
    assert len(rows) == 10


def test_csv_without_by_is_one_line(figures, api_as):
    response = api_as("kent").get(
        URL,
        {
            "metric": "ms_recorded_crimes",
            "orgunit": "kent",
            "period": "2024-02",
            "format": "csv",
            "compare": "previous-year",
        },
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        {
            "metric": "ms_recorded_crimes",
            "orgunit": "kent",
            "period": "2024-02",
            "value": "11",
            "complete": "TRUE",
            "previous_period": "2023-02",
            "previous_value": "10",
            "change_pct": "10.0",
            "change_flag": "",
        }
    ]


def test_values_by_force_query_count_does_not_grow_with_forces(
    figures, api_as, django_assert_max_num_queries
):
    client = api_as("national")
    with django_assert_max_num_queries(12):
        response = client.get(
            URL,
            {
                "metric": "ms_recorded_crimes",
                "period": "R12-2024-02",
                "by": "force",
                "compare": "previous-year",
            },
        )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("persona", "named"),
    [
        ("national", {"durham", "northumbria"}),
        ("eastern", {"bedfordshire"}),
        ("kent", set()),
        ("partner", set()),
        ("admin", set()),
    ],
)
def test_missing_forces_names_only_forces_the_caller_may_see(figures, api_as, persona, named):
    body = (
        api_as(persona)
        .get(URL, {"metric": "ms_recorded_crimes", "period": "2024-02", "compare": "previous-year"})
        .json()
    )
    # the counts are national aggregates and are the same for everyone
    assert body["coverage"]["expected"] == 43 and body["coverage"]["received"] == 3
    for key in ("coverage", "previous_coverage"):
        missing = set(body[key]["missing_forces"])
        assert named <= missing
        if persona == "national":
            assert len(missing) == 40
        elif persona == "eastern":
            eastern = set(
                OrgUnit.objects.filter(parent__code="eastern").values_list("code", flat=True)
            )
            assert missing == eastern - {"kent", "essex"}
        else:
            assert missing == set()


def test_head_is_answered_as_get_and_a_wrong_method_is_a_json_405(figures, api_as):
    client = api_as("national")
    params = {"metric": "ms_recorded_crimes", "period": "2024-02"}
    assert client.head(URL, params).status_code == 200
    refused = client.post(URL)
    assert refused.json() == {"error": "method POST not allowed", "status": 405}
    assert refused["Allow"] == "GET, HEAD"
    # the API's root is no endpoint
    assert client.get("/api/v1/").status_code == 404
