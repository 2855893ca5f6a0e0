"""GET /api/v1/submissions and /api/v1/submissions/<id>: only the returns the caller may see."""

from __future__ import annotations

import pytest

from msoic.collection.actions import do_approve_submission, do_submit_return
from msoic.collection.models import Submission
from tests.conftest import csv_bytes

URL = "/api/v1/submissions"


@pytest.fixture
def returns(national_analyst):
    rows = []
    for force in ("kent", "essex", "cleveland"):
        for month in ("2024-01", "2024-02"):
            rows.append([force, month, "ms_arrests", "", 2, ""])
        rows.append([force, "2024-02", "oic_disruptions", "", 1, ""])
    assert do_submit_return("all.csv", csv_bytes(rows), actor=national_analyst).status == "accepted"
    # a correction for Kent January makes version 2
    fix = csv_bytes([["kent", "2024-01", "ms_arrests", "", 3, ""]])
    assert do_submit_return("fix.csv", fix, actor=national_analyst).status == "accepted"
    do_approve_submission(
        Submission.objects.get(orgunit__code="essex", period="2024-02-01", dataset="ms-monthly"),
        actor=national_analyst,
    )
    return {
        s.orgunit.code + "/" + s.dataset + "/" + s.period_code: s
        for s in Submission.objects.select_related("orgunit")
    }


def listed(response):
    assert response.status_code == 200, response.content
    return {(s["orgunit"], s["dataset"], s["period"]) for s in response.json()["submissions"]}


@pytest.mark.parametrize(
    ("persona", "forces"),
    [
        ("kent", {"kent"}),
        ("essex", {"essex"}),
        ("cleveland", {"cleveland"}),
        ("eastern", {"kent", "essex"}),
        ("national", {"kent", "essex", "cleveland"}),
        ("partner", set()),
        ("admin", set()),
    ],
)
def test_each_role_lists_only_visible_submissions(returns, api_as, persona, forces):
    assert {o for o, _, _ in listed(api_as(persona).get(URL))} == forces


def test_status_and_version_are_given(returns, api_as):
    items = {
        (s["orgunit"], s["dataset"], s["period"]): s
        for s in api_as("national").get(URL).json()["submissions"]
    }
    kent_jan = items[("kent", "ms-monthly", "2024-01")]
    assert (
        kent_jan["version"] == 2
        and kent_jan["status"] == "submitted"
        and kent_jan["locked"] is False
    )
    assert kent_jan["deadline"] == "2024-02-15"
    essex_feb = items[("essex", "ms-monthly", "2024-02")]
    assert (
        essex_feb["status"] == "approved"
        and essex_feb["locked"] is True
        and essex_feb["approved_at"]
    )


def test_filters(returns, api_as):
    client = api_as("national")
    assert listed(client.get(URL, {"dataset": "oic-monthly"})) == {
        ("kent", "oic-monthly", "2024-02"),
        ("essex", "oic-monthly", "2024-02"),
        ("cleveland", "oic-monthly", "2024-02"),
    }
    assert {o for o, _, _ in listed(client.get(URL, {"orgunit": "eastern"}))} == {"kent", "essex"}
    assert listed(client.get(URL, {"orgunit": "kent", "period": "2024-01"})) == {
        ("kent", "ms-monthly", "2024-01")
    }
    assert len(listed(client.get(URL, {"period": "FY2023-24", "dataset": "ms-monthly"}))) == 6


def test_paging(returns, api_as):
    body = api_as("national").get(URL, {"limit": 2, "offset": 1}).json()
    assert body["count"] == 9 and len(body["submissions"]) == 2 and body["offset"] == 1


@pytest.mark.parametrize(
    ("persona", "orgunit", "status"),
    [
        ("kent", "essex", 403),
        ("kent", "eastern", 403),
        ("eastern", "cleveland", 403),
        ("partner", "kent", 403),
        ("kent", "kent", 200),
        ("eastern", "essex", 200),
    ],
)
def test_filtering_by_someone_elses_orgunit_is_403(returns, api_as, persona, orgunit, status):
    assert api_as(persona).get(URL, {"orgunit": orgunit}).status_code == status


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"dataset": "nope"}, "dataset"),
        ({"period": "2024-2"}, "period"),
        ({"limit": "0"}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"orgunit": "atlantis"}, "orgunit"),
        ({"force": "kent"}, "force"),
    ],
)
def test_bad_filters_are_400(api_as, params, parameter):
    response = api_as("national").get(URL, params)
    assert response.status_code == 400 and response.json()["parameter"] == parameter


def test_list_query_count_is_fixed(returns, api_as, django_assert_max_num_queries):
    client = api_as("national")
    with django_assert_max_num_queries(8):
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize(
    ("persona", "owner", "status"),
    [
        ("kent", "kent", 200),
        ("kent", "essex", 404),
        ("kent", "cleveland", 404),
        ("essex", "kent", 404),
        ("eastern", "kent", 200),
        ("eastern", "essex", 200),
        ("eastern", "cleveland", 404),
        ("cleveland", "kent", 404),
        ("national", "cleveland", 200),
        ("partner", "kent", 404),
        ("admin", "kent", 404),
    ],
)
def test_detail_is_only_for_those_who_may_see_it(returns, api_as, persona, owner, status):
    sub = returns[f"{owner}/ms-monthly/2024-01"]
    response = api_as(persona).get(f"{URL}/{sub.pk}")
    assert response.status_code == status
    if status == 404:
        assert "versions" not in response.json() and "values" not in response.json()


def test_detail_lists_versions_and_current_values(returns, api_as):
    sub = returns["kent/ms-monthly/2024-01"]
    body = api_as("kent").get(f"{URL}/{sub.pk}").json()
    assert [v["number"] for v in body["versions"]] == [2, 1]
    assert (
        body["versions"][0]["filename"] == "fix.csv"
        and body["versions"][0]["submitted_by"] == "national.analyst"
    )
    assert body["values"] == [
        {"metric": "ms_arrests", "breakdown": "", "option": "", "value": 3, "comment": ""}
    ]


def test_unknown_submission_is_404(returns, api_as):
    assert api_as("national").get(f"{URL}/999999").status_code == 404
