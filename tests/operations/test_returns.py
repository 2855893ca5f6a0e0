"""An operation's return goes through the one collection pipeline: template, upload, web
form and API; the rules refuse a force not taking part, another month, negative or
fractional counts, and rows that do not say which operation they are for."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from msoic.catalogue.loader import get_catalogue
from msoic.collection.models import Submission, Value
from msoic.collection.pipeline import import_file
from msoic.collection.template_xlsx import build_template
from tests.conftest import csv_bytes
from tests.operations.conftest import HEADER, make_operation, return_csv

pytestmark = pytest.mark.django_db
OUTCOMES = {
    "op_disruptions": 4,
    "op_potential_victims": 2,
    "op_nrm_dtn_referrals": 1,
    "op_arrests": 1,
    "op_new_investigations": 1,
}


def test_operation_generates_its_return_dataset(national_analyst):
    op = make_operation(national_analyst)
    ds = get_catalogue().datasets[op.dataset_code]
    assert ds.is_operation and ds.first_period == "2023-05"
    assert ds.participants == ("cleveland", "essex", "kent", "surrey")
    assert ds.metrics[:5] == tuple(OUTCOMES)
    assert "op_sites_visited" in ds.metrics and ds.metrics[-1] == "op_highlights"


def test_force_return_is_stored_as_a_submission_of_the_operation(national_analyst, kent_user):
    op = make_operation(national_analyst)
    outcome = import_file(
        "kent.csv",
        return_csv(op, "kent", {**OUTCOMES, "op_sites_visited": 12}, "Joint visits with HSE"),
        actor=kent_user,
    )
    assert outcome.status == "accepted", outcome.lines()
    sub = Submission.objects.get(dataset=op.dataset_code, orgunit__code="kent")
    values = {
        v.metric: (v.value, v.comment) for v in Value.objects.filter(version=sub.current_version)
    }
    assert values["op_disruptions"] == (4, "")
    assert values["op_highlights"] == (1, "Joint visits with HSE")


def test_force_not_taking_part_is_refused_with_file_row_and_column(national_analyst, admin_user):
    op = make_operation(national_analyst, forces=("kent", "essex"))
    data = return_csv(op, "cleveland", OUTCOMES)
    outcome = import_file("cleveland.csv", data, actor=national_analyst)
    assert outcome.status == "rejected"
    problem = outcome.errors[0]
    assert problem.rule == "participating_force"
    assert (problem.row, problem.column) == (2, "A")
    assert "'cleveland' is not taking part in AIDANT 33" in problem.message
    assert "cleveland.csv: Row 2, Disruptions during the operation, column A" in outcome.lines()[1]
    assert not Submission.objects.filter(dataset=op.dataset_code).exists()


@pytest.mark.parametrize(
    ("value", "says"),
    [(-3, "-3 is negative"), ("2.5", "2.5 is not a whole number"), ("1,200", "thousands")],
)
def test_negative_or_fractional_counts_are_refused(national_analyst, kent_user, value, says):
    op = make_operation(national_analyst)
    outcome = import_file(
        "kent.csv", return_csv(op, "kent", {**OUTCOMES, "op_arrests": value}), actor=kent_user
    )
    assert outcome.status == "rejected"
    [problem] = outcome.errors
    assert problem.rule == "value_whole_number" and problem.column == "E" and problem.row == 5
    assert says in problem.message


def test_return_for_another_month_is_refused(national_analyst, kent_user):
    op = make_operation(national_analyst)
    rows = [["kent", "2023-06", "op_disruptions", "", 3, "", op.dataset_code]]
    outcome = import_file("kent.csv", csv_bytes(rows, HEADER), actor=kent_user)
    assert [p.rule for p in outcome.errors] == ["operation_period"]
    assert "returned for 2023-05 only" in outcome.errors[0].message


def test_operation_metric_without_a_dataset_column_is_refused(national_analyst, kent_user):
    make_operation(national_analyst)
    rows = [["kent", "2023-05", "op_disruptions", "", 3, ""]]
    outcome = import_file("kent.csv", csv_bytes(rows), actor=kent_user)
    assert [p.rule for p in outcome.errors] == ["dataset_for_metric"]
    assert "name its return in the dataset column (e.g. op-aidant-33)" in outcome.errors[0].message


def test_activity_metric_not_chosen_for_the_operation_is_refused(national_analyst, kent_user):
    op = make_operation(national_analyst, activity=("op_sites_visited",))
    rows = [["kent", "2023-05", "op_passenger_checks", "", 30, "", op.dataset_code]]
    outcome = import_file("kent.csv", csv_bytes(rows, HEADER), actor=kent_user)
    assert [(p.rule, p.column) for p in outcome.errors] == [("dataset_for_metric", "C")]


def test_highlights_with_a_number_instead_of_text_are_refused(national_analyst, kent_user):
    op = make_operation(national_analyst)
    rows = [["kent", "2023-05", "op_highlights", "", 7, "", op.dataset_code]]
    outcome = import_file("kent.csv", csv_bytes(rows, HEADER), actor=kent_user)
    assert "write the text in the comment column" in outcome.errors[0].message


def test_template_filled_in_and_uploaded_round_trips(national_analyst, kent_user):
    from io import BytesIO

    from openpyxl import load_workbook

    op = make_operation(national_analyst)
    data = build_template(get_catalogue(), op.dataset_code, "kent", "Kent Police", op.month)
    wb = load_workbook(BytesIO(data))
    ws = wb["Return"]
    header = [c.value for c in ws[6]]
    assert header[:7] == HEADER
    for row in ws.iter_rows(min_row=7):
        if row[2].value == "op_disruptions":
            row[4].value = 9
        if row[2].value == "op_highlights":
            row[5].value = "Site visits with the HSE"
    buffer = BytesIO()
    wb.save(buffer)
    outcome = import_file("kent.xlsx", buffer.getvalue(), actor=kent_user)
    assert outcome.status == "accepted", outcome.lines()
    assert Value.objects.get(metric="op_disruptions", is_current=True).value == 9


def test_web_form_stores_the_return(national_analyst, kent_user, client):
    op = make_operation(national_analyst)
    client.force_login(kent_user)
    url = reverse("returns-enter", args=[op.dataset_code, "kent", op.period_code])
    page = client.get(url)
    assert page.status_code == 200 and b"Highlights" in page.content
    response = client.post(
        url, {"v__op_disruptions": "5", "v__op_arrests": "2", "c__op_highlights": "Two arrests"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    values = dict(
        Value.objects.filter(is_current=True, orgunit__code="kent").values_list("metric", "comment")
    )
    assert values["op_highlights"] == "Two arrests"


def test_api_accepts_the_return_and_refuses_a_force_not_taking_part(
    national_analyst, kent_user, cleveland_user, client
):
    op = make_operation(national_analyst, forces=("kent", "essex"))
    client.force_login(kent_user)
    ok = client.post(
        "/api/v1/returns?filename=kent.csv",
        data=return_csv(op, "kent", OUTCOMES),
        content_type="text/csv",
    )
    assert ok.status_code == 201, ok.content
    client.force_login(national_analyst)
    refused = client.post(
        "/api/v1/returns?filename=cleveland.csv",
        data=return_csv(op, "cleveland", OUTCOMES),
        content_type="text/csv",
    )
    assert refused.status_code == 422
    problem = json.loads(refused.content)["problems"][0]
    assert (problem["rule"], problem["row"], problem["column"]) == ("participating_force", 2, "A")
