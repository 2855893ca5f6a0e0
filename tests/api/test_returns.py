"""POST /api/v1/returns: a file through the one pipeline; status codes by outcome; size limit first."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django.utils.crypto import get_random_string

from msoic.collection.models import Submission, SubmissionVersion, Value
from tests.api.conftest import bearer
from tests.conftest import csv_bytes, xlsx_bytes

URL = "/api/v1/returns"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KENT_ROWS = [
    ["kent", "2024-01", "ms_arrests", "", 3, ""],
    ["kent", "2024-01", "ms_charges", "", 1, ""],
]


def upload(client: Client, data: bytes, name: str = "kent-2024-01.csv", **fields):
    f = io.BytesIO(data)
    f.name = name
    return client.post(URL, {"file": f, **fields})


def test_accepted_file_is_201_with_the_outcome(api_as, kent_user):
    response = upload(api_as("kent"), csv_bytes(KENT_ROWS))
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "accepted" and body["rows"] == 2 and body["file"] == "kent-2024-01.csv"
    submission = Submission.objects.get(orgunit__code="kent")
    assert body["submissions"] == [
        {
            "dataset": "ms-monthly",
            "force": "kent",
            "period": "2024-01",
            "version": 1,
            "state": "new",
            "label": "Modern slavery monthly return, Kent Police, January 2024",
            "id": submission.pk,
            "url": f"/returns/{submission.pk}/",
            "next_step": "Awaiting approval by the national team",
        }
    ]
    assert body["next_step"] == "Awaiting approval by the national team"
    version = submission.current_version
    assert version.submitted_by == kent_user and version.value_count == 2


def test_identical_file_again_is_200_unchanged(api_as):
    client = api_as("kent")
    assert upload(client, csv_bytes(KENT_ROWS)).status_code == 201
    response = upload(client, csv_bytes(KENT_ROWS))
    assert response.status_code == 200 and response.json()["status"] == "unchanged"
    assert SubmissionVersion.objects.count() == 1


def test_rejected_file_is_422_with_problems_and_stores_nothing(api_as):
    bad = csv_bytes(
        [
            ["kent", "2024-01", "ms_arrests", "", "12.5", ""],
            ["kent", "2024-01", "ms_charges", "", "=1+1", ""],
        ]
    )
    response = upload(api_as("kent"), bad)
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "rejected"
    assert {p["row"] for p in body["problems"]} == {2, 3}
    assert all(p["column"] == "E" and p["severity"] == "error" for p in body["problems"])
    assert "formula" in body["problems"][1]["message"]
    assert Value.objects.count() == 0


def test_another_forces_rows_are_rejected(api_as):
    response = upload(api_as("kent"), csv_bytes([["essex", "2024-01", "ms_arrests", "", 3, ""]]))
    assert response.status_code == 422
    assert Submission.objects.filter(orgunit__code="essex").count() == 0


def test_dry_run_reports_and_stores_nothing(api_as):
    response = upload(api_as("kent"), csv_bytes(KENT_ROWS), dry_run="true")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "accepted" and body["dry_run"] is True
    assert body["submissions"][0]["state"] == "would-store"
    assert Value.objects.count() == 0


def test_raw_csv_body_with_filename(api_as):
    response = api_as("kent").post(
        URL + "?filename=jan.csv&dry_run=false",
        csv_bytes(KENT_ROWS),
        content_type="text/csv; charset=utf-8",
    )
    assert response.status_code == 201 and response.json()["file"] == "jan.csv"


def test_raw_xlsx_body(api_as):
    response = api_as("kent").post(
        URL + "?filename=jan.xlsx", xlsx_bytes(KENT_ROWS), content_type=XLSX
    )
    assert response.status_code == 201
    assert Submission.objects.get(orgunit__code="kent").current_version.source == "xlsx"


def test_raw_body_without_filename_is_named_by_its_type(api_as):
    response = api_as("kent").post(URL, xlsx_bytes(KENT_ROWS), content_type=XLSX)
    assert response.status_code == 201 and response.json()["file"] == "return.xlsx"


def test_file_name_is_reduced_to_its_base_name(api_as):
    response = api_as("kent").post(
        URL + "?filename=../../etc/jan.csv", csv_bytes(KENT_ROWS), content_type="text/csv"
    )
    assert response.json()["file"] == "jan.csv"


def test_a_spreadsheet_that_is_not_one_is_422(api_as):
    response = upload(api_as("kent"), b"this is not a zip", name="jan.xlsx")
    assert response.status_code == 422 and response.json()["problems"][0]["severity"] == "error"


def test_warning_needs_a_comment_then_acknowledgement_is_accepted(api_as):
    client = api_as("kent")
    history = [["kent", f"2023-{m:02d}", "ms_arrests", "", 4, ""] for m in range(1, 13)]
    assert upload(client, csv_bytes(history), name="history.csv").status_code == 201
    spike = csv_bytes([["kent", "2024-01", "ms_arrests", "", 40, ""]])
    first = upload(client, spike, name="spike.csv")
    assert first.status_code == 422 and first.json()["status"] == "needs-comment"
    key = next(p["key"] for p in first.json()["problems"] if p["severity"] == "warning")
    acks = json.dumps({key: "A planned operation made 36 arrests"})
    second = upload(client, spike, name="spike.csv", acknowledgements=acks)
    assert second.status_code == 201, second.json()
    version = Submission.objects.get(period="2024-01-01").current_version
    assert version.acknowledged_warnings[0]["comment"] == "A planned operation made 36 arrests"


@pytest.mark.parametrize("acks", ["not json", "[1, 2]", '{"k": 3}'])
def test_malformed_acknowledgements_are_400(api_as, acks):
    response = upload(api_as("kent"), csv_bytes(KENT_ROWS), acknowledgements=acks)
    assert response.status_code == 400 and response.json()["parameter"] == "acknowledgements"
    assert Value.objects.count() == 0


@pytest.mark.parametrize("persona", ["eastern", "partner", "admin"])
def test_roles_that_do_not_submit_get_403(api_as, persona):
    response = upload(api_as(persona), csv_bytes(KENT_ROWS))
    assert response.status_code == 403
    assert Value.objects.count() == 0


def test_national_analyst_may_submit_for_any_force(api_as):
    response = upload(
        api_as("national"), csv_bytes([["cleveland", "2024-01", "ms_arrests", "", 2, ""]])
    )
    assert response.status_code == 201


def test_anonymous_post_is_401_not_a_csrf_page(db):
    response = Client(enforce_csrf_checks=True).post(
        URL, csv_bytes(KENT_ROWS), content_type="text/csv"
    )
    assert response.status_code == 401 and response.json()["error"]


def test_missing_file_field_is_400(api_as):
    response = api_as("kent").post(URL, {"other": "x"})
    assert response.status_code == 400 and response.json()["parameter"] == "file"


def test_unsupported_content_type_is_415(api_as):
    response = api_as("kent").post(URL, b"{}", content_type="application/json")
    assert response.status_code == 415


def test_get_is_405(api_as):
    assert api_as("kent").get(URL).status_code == 405


class ExplodingStream:
    """A request body that fails the test if anyone reads it."""

    def read(self, *args):
        raise AssertionError("the body was read before the size check")

    readline = read


@pytest.mark.parametrize("content_type", ["text/csv", XLSX, "multipart/form-data; boundary=xyz"])
def test_declared_size_over_the_limit_is_413_before_the_body_is_read(
    api_as, settings, content_type
):
    settings.MSOIC_MAX_UPLOAD_BYTES = 1000
    extra = {
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(10_000_000),
        "wsgi.input": ExplodingStream(),
    }
    response = api_as("kent").generic("POST", URL, b"x", **extra)
    assert response.status_code == 413
    assert "limit" in response.json()["error"]


def test_multipart_file_over_the_limit_is_413(api_as, settings):
    settings.MSOIC_MAX_UPLOAD_BYTES = 2000
    big = csv_bytes(KENT_ROWS) + b"#" * 3000
    response = upload(api_as("kent"), big)
    assert response.status_code == 413 and Value.objects.count() == 0


def test_session_post_needs_the_csrf_token(kent_user):
    from tests.conftest import PERSONA_PASSWORD

    client = Client(enforce_csrf_checks=True)
    assert client.login(username="kent.user", password=PERSONA_PASSWORD)
    refused = client.post(URL, csv_bytes(KENT_ROWS), content_type="text/csv")
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]
    assert Value.objects.count() == 0
    # A page with a form would have set this cookie; the header must repeat it.
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    accepted = client.post(
        URL, csv_bytes(KENT_ROWS), content_type="text/csv", HTTP_X_CSRFTOKEN=secret
    )
    assert accepted.status_code == 201


def test_bearer_token_post_is_not_csrf_checked(kent_user):
    client = Client(enforce_csrf_checks=True, **bearer(kent_user))
    assert client.post(URL, csv_bytes(KENT_ROWS), content_type="text/csv").status_code == 201
