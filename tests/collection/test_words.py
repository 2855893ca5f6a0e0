"""Returns and problems in words (issue 11 item 9): an upload names each return it stored
("Modern slavery monthly return, Kent Police, February 2024") with a link to it and the next
step; a problem names the figure by its label beside the sheet, row and column letter, in a
filled XLSX template and in the same return saved as CSV; the web form's error summary links
to each box, named by its figure."""

from __future__ import annotations

import csv
import html as html_lib
import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from msoic.collection.models import Submission
from msoic.collection.pipeline import import_file
from tests.collection.test_template_xlsx import fill, header_row, make
from tests.collection.web_support import kent_return, text
from tests.conftest import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db
CRIMINAL = ("ms_live_investigations", "exploitation_type=criminal")


@pytest.fixture(autouse=True)
def jobs_inline(settings):
    settings.MSOIC_RUN_JOBS_INLINE = True


def template_row_of(data: bytes, key: tuple[str, str]) -> int:
    ws = load_workbook(io.BytesIO(data))["Return"]
    for r in range(header_row(ws) + 1, ws.max_row + 1):
        if (ws.cell(row=r, column=3).value, ws.cell(row=r, column=4).value or "") == key:
            return r
    raise AssertionError(f"{key} not in the template")


def as_csv(data: bytes) -> bytes:
    """The workbook's Return sheet saved as CSV, title rows and label columns included (as
    "Save as CSV" does)."""
    ws = load_workbook(io.BytesIO(data))["Return"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for line in ws.iter_rows(values_only=True):
        writer.writerow(["" if c is None else c for c in line])
    return out.getvalue().encode()


def test_a_bad_figure_in_the_template_names_sheet_row_figure_and_column(kent_user):
    filled = fill(make(), {("ms_live_investigations", ""): 4, CRIMINAL: "lots"})
    row = template_row_of(filled, CRIMINAL)
    outcome = import_file("kent.xlsx", filled, actor=kent_user)
    assert outcome.status == "rejected"
    [problem] = outcome.errors
    assert problem.where() == (
        f"Sheet 'Return', row {row}, "
        "Live modern slavery investigations – criminal exploitation, column E"
    )
    assert "'lots' is not a number" in problem.message
    said = outcome.as_dict()["problems"][0]
    assert (said["figure"], said["column"]) == (
        "Live modern slavery investigations – criminal exploitation",
        "E",
    )
    assert f"kent.xlsx: Sheet 'Return', row {row}, Live modern slavery" in "\n".join(
        outcome.lines()
    )
    assert not Submission.objects.exists()


def test_the_same_return_saved_as_csv_names_row_figure_and_column(kent_user):
    filled = fill(make(), {("ms_live_investigations", ""): 4, CRIMINAL: "lots"})
    row = template_row_of(filled, CRIMINAL)
    outcome = import_file("kent.csv", as_csv(filled), actor=kent_user)
    [problem] = outcome.errors
    assert problem.where() == (
        f"Row {row}, Live modern slavery investigations – criminal exploitation, column E"
    )


def test_a_plain_csv_names_the_total_figure_and_the_column_it_sits_in(kent_user):
    # The value column placed third: the letter is where the value is, not a fixed E.
    data = csv_bytes(
        [["kent", "2024-02", "12.5", "ms_arrests", ""]],
        header=["force", "period", "value", "metric", "breakdown"],
    )
    [problem] = import_file("k.csv", data, actor=kent_user).errors
    assert problem.where() == "Row 2, Modern slavery arrests, column C"


def test_breakdown_sums_and_duplicates_name_the_return_in_words(kent_user):
    rows = [
        ["kent", "2024-02", "ms_live_investigations", "", 1200, ""],
        ["kent", "2024-02", "ms_live_investigations", "exploitation_type=criminal", 1000, ""],
        ["kent", "2024-02", "ms_live_investigations", "exploitation_type=sexual", 1500, ""],
        ["kent", "2024-02", "ms_arrests", "", 2, ""],
        ["kent", "2024-02", "ms_arrests", "", 3, ""],
    ]
    outcome = import_file("k.xlsx", xlsx_bytes(rows), actor=kent_user)
    messages = {p.rule: (p.where(), p.message) for p in outcome.errors}
    where, message = messages["breakdown_adds_up"]
    assert where == "Sheet 'Return', row 2, Live modern slavery investigations, column E"
    assert (
        "Modern slavery monthly return, Kent Police, February 2024: the options of "
        "exploitation type given add up to 2,500, more than the total of 1,200" in message
    )
    where, message = messages["one_row_per_key"]
    assert where == "Sheet 'Return', row 6, Modern slavery arrests, column C"
    assert message.endswith(
        "the same figure of Modern slavery monthly return, Kent Police, February 2024 is "
        "also on row 5 of sheet 'Return'"
    )
    assert "kent|" not in message and "ms_arrests" not in message


# --- upload results, as a force user ------------------------------------------------------


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def upload(client: Client, *files: tuple[str, bytes], dry_run: bool = False):
    payload = []
    for name, data in files:
        f = io.BytesIO(data)
        f.name = name
        payload.append(f)
    return client.post(
        "/returns/upload/", {"return_files": payload, **({"dry_run": "on"} if dry_run else {})}
    )


def returns_listed(html: str) -> list[str]:
    """Each return named on the job page, as read (tags removed)."""
    lists = re.findall(r'<ul class="[^"]*msoic-returns">(.*?)</ul>', html, flags=re.S)
    items = [i for ul in lists for i in re.findall(r"<li>(.*?)</li>", ul, flags=re.S)]
    return [html_lib.unescape(re.sub(r"<[^>]+>", "", i)).strip() for i in items]


def test_a_force_user_sees_each_return_named_with_a_link_and_the_next_step(client, kent_user):
    earlier = kent_return(kent_user, month="2024-01", arrests=3)
    files = [
        ("jan.csv", csv_bytes([["kent", "2024-01", "ms_arrests", "", 4, ""]])),
        ("feb.xlsx", xlsx_bytes([["kent", "2024-02", "ms_arrests", "", 5, ""]])),
        ("bad.csv", csv_bytes([["kent", "2024-03", "ms_arrests", "", "x", ""]])),
    ]
    response = upload(login(client, kent_user), *files)
    html = client.get(response["Location"]).content.decode()
    feb = Submission.objects.get(orgunit__code="kent", period="2024-02-01")
    assert (
        f'<a class="govuk-link" href="/returns/{earlier.pk}/">'
        "Modern slavery monthly return, Kent Police, January 2024</a>: corrected, now version 2."
        in html
    )
    assert (
        f'<a class="govuk-link" href="/returns/{feb.pk}/">'
        "Modern slavery monthly return, Kent Police, February 2024</a>: new return, version 1."
        in html
    )
    assert returns_listed(html) == [
        "Modern slavery monthly return, Kent Police, January 2024: corrected, now version 2. "
        "Awaiting approval by the national team.",
        "Modern slavery monthly return, Kent Police, February 2024: new return, version 1. "
        "Awaiting approval by the national team.",
    ]
    page = text(client.get(response["Location"]))
    assert "Nothing from this file was stored. Fix these problems and upload it again" in page
    assert "bad.csv – 2 Modern slavery arrests E Value must be a whole number" in page
    assert "ms-monthly kent" not in page


def test_a_check_only_upload_says_how_to_submit_and_links_only_existing_returns(client, kent_user):
    earlier = kent_return(kent_user, month="2024-01", arrests=3)
    data = csv_bytes(
        [
            ["kent", "2024-01", "ms_arrests", "", 4, ""],
            ["kent", "2024-02", "ms_arrests", "", 5, ""],
        ]
    )
    response = upload(login(client, kent_user), ("both.csv", data), dry_run=True)
    html = client.get(response["Location"]).content.decode()
    step = (
        "Not stored (check only): review it, then upload the file again without 'check only' "
        "to submit it."
    )
    assert returns_listed(html) == [
        f"Modern slavery monthly return, Kent Police, January 2024: would be stored. {step}",
        f"Modern slavery monthly return, Kent Police, February 2024: would be stored. {step}",
    ]
    assert f'href="/returns/{earlier.pk}/"' in html  # it exists: linked
    assert Submission.objects.count() == 1  # February was not made, so not linked
    status = client.get(response["Location"] + "status.json").json()
    [jan, feb] = status["files"][0]["submissions"]
    assert (jan["id"], jan["url"], feb["id"], feb["url"]) == (
        earlier.pk,
        f"/returns/{earlier.pk}/",
        None,
        None,
    )


def test_an_approved_return_sent_again_unchanged_says_it_is_locked(kent_user, national_analyst):
    from msoic.collection.actions import do_approve_submission

    sub = kent_return(kent_user, month="2024-01", arrests=3)
    do_approve_submission(sub, actor=national_analyst)
    rows = [
        ["kent", "2024-01", "ms_arrests", "", 3, ""],
        ["kent", "2024-01", "ms_recorded_crimes", "", 10, "one operation"],
    ]
    outcome = import_file("again.csv", csv_bytes(rows), actor=kent_user)
    assert outcome.status == "unchanged"
    [said] = outcome.as_dict()["submissions"]
    assert (said["label"], said["url"], said["next_step"]) == (
        "Modern slavery monthly return, Kent Police, January 2024",
        f"/returns/{sub.pk}/",
        "Approved and locked: nothing changed",
    )


# --- the web form's error summary ----------------------------------------------------------


def test_the_form_error_summary_links_each_problem_to_its_box_by_figure(client, kent_user):
    response = login(client, kent_user).post(
        "/returns/enter/ms-monthly/kent/2024-02/",
        {
            "v__ms_live_investigations": "3",
            "v__ms_live_investigations__exploitation_type__criminal": "x",
        },
    )
    html = response.content.decode()
    summary = html.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert links == [
        (
            "v__ms_live_investigations__exploitation_type__criminal",
            "Live modern slavery investigations – criminal exploitation: "
            "Value must be a whole number of 0 or more: &#x27;x&#x27; is not a number",
        )
    ]
    target = links[0][0]
    assert f'id="{target}"' in html and f'aria-describedby="{target}-error"' in html


def test_a_rejected_file_names_the_return_it_was_for_and_what_to_do(client, kent_user):
    earlier = kent_return(kent_user, month="2024-01", arrests=3)
    data = csv_bytes(
        [
            ["kent", "2024-01", "ms_arrests", "", 4, ""],
            ["kent", "2024-01", "ms_charges", "", "four", ""],
        ]
    )
    response = upload(login(client, kent_user), ("fix.csv", data))
    html = client.get(response["Location"]).content.decode()
    assert returns_listed(html) == [
        "Modern slavery monthly return, Kent Police, January 2024: not stored. "
        "Not stored: fix the problems below and send the file again."
    ]
    assert f'href="/returns/{earlier.pk}/"' in html  # the version it has stays, linked
    status = client.get(response["Location"] + "status.json").json()
    [said] = status["files"][0]["not_stored"]
    assert (said["state"], said["id"], status["files"][0]["submissions"]) == (
        "rejected",
        earlier.pk,
        [],
    )
    earlier.refresh_from_db()
    assert earlier.current_version.number == 1
