"""The completeness grid: forces × months, approved / submitted / late / missing / not yet
due, with deadlines, scoped by role, downloadable, in a fixed number of queries."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.test import Client
from openpyxl import load_workbook

from msoic.collection.actions import do_approve_submission
from msoic.collection.completeness import (
    APPROVED,
    LATE,
    MISSING,
    NOT_DUE,
    SUBMITTED,
    month_range,
    submission_status,
)
from msoic.collection.models import Submission
from msoic.collection.pipeline import import_file
from msoic.orgunits.models import OrgUnit
from tests.collection.web_support import text
from tests.conftest import csv_bytes

GRID = "/returns/completeness/?dataset=ms-monthly&end=2024-06&months=4"


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def send(actor, force: str, month: str, received: datetime) -> Submission:
    outcome = import_file(
        f"{force}-{month}.csv",
        csv_bytes([[force, month, "ms_arrests", "", 1, ""]]),
        actor=actor,
        received_at=received,
    )
    assert outcome.status == "accepted", outcome.lines()
    return Submission.objects.get(orgunit__code=force, period=f"{month}-01")


@pytest.fixture
def kent_history(kent_user, national_analyst):
    """Kent: March missing, April approved, May late, June on time."""
    approved = send(kent_user, "kent", "2024-04", datetime(2024, 5, 10, 9, tzinfo=UTC))
    do_approve_submission(approved, actor=national_analyst)
    send(kent_user, "kent", "2024-05", datetime(2024, 6, 20, 9, tzinfo=UTC))
    send(
        kent_user, "kent", "2024-06", datetime(2024, 7, 15, 22, 30, tzinfo=UTC)
    )  # 23:30 UK time on the 15th


@pytest.mark.parametrize(
    ("locked", "received", "today", "expected"),
    [
        (True, date(2024, 3, 20), date(2024, 6, 1), APPROVED),  # approved wins over late
        (False, date(2024, 3, 15), date(2024, 6, 1), SUBMITTED),  # the deadline day is on time
        (False, date(2024, 3, 16), date(2024, 6, 1), LATE),
        (False, None, date(2024, 3, 16), MISSING),
        (False, None, date(2024, 3, 15), NOT_DUE),
        (False, None, date(2024, 3, 2), NOT_DUE),
    ],
)
def test_status_of_a_february_return(locked, received, today, expected):
    sub = None
    if received is not None or locked:
        sub = Submission(dataset="ms-monthly", period=date(2024, 2, 1), locked=locked)
        sub.current_version_id = 1
        sub.first_received_at = datetime(
            received.year, received.month, received.day, 12, tzinfo=UTC
        )
    assert submission_status(sub, 15, today, date(2024, 2, 1)) == expected


@pytest.mark.parametrize(
    ("end", "count", "today", "first", "last"),
    [
        (None, 12, date(2024, 3, 10), date(2023, 3, 1), date(2024, 2, 1)),
        (date(2024, 6, 1), 3, date(2025, 1, 1), date(2024, 4, 1), date(2024, 6, 1)),
        (
            date(2030, 1, 1),
            2,
            date(2024, 3, 10),
            date(2024, 1, 1),
            date(2024, 2, 1),
        ),  # never past today
        (None, 500, date(2024, 3, 10), date(2021, 3, 1), date(2024, 2, 1)),  # at most 36 months
    ],
)
def test_month_range(end, count, today, first, last):
    months = month_range(end, count, today)
    assert (months[0], months[-1]) == (first, last)


def test_grid_shows_each_status_with_text_symbol_and_colour(client, kent_user, kent_history):
    response = login(client, kent_user).get(GRID)
    assert response.status_code == 200
    page = text(response)
    assert (
        "Kent Police ✖ Missing ✔ Approved Kent Police April 2024 ▲ Late Kent Police May 2024"
        " ● Submitted Kent Police June 2024" in page
    )
    html = response.content.decode()
    assert 'govuk-tag--red"><span aria-hidden="true">✖</span> Missing' in html
    assert 'govuk-tag--green"><span aria-hidden="true">✔</span> Approved' in html
    assert 'govuk-tag--orange"><span aria-hidden="true">▲</span> Late' in html
    assert 'govuk-tag--blue"><span aria-hidden="true">●</span> Submitted' in html
    # each month with its deadline, the 15th of the following month
    assert "Mar 2024 due 15 Apr" in page and "Jun 2024 due 15 Jul" in page
    assert '<time datetime="2024-07-15">15 Jul</time>' in html
    # a received return links to its page
    june = Submission.objects.get(orgunit__code="kent", period=date(2024, 6, 1))
    assert f'href="/returns/{june.pk}/"' in html


def test_national_users_see_every_force_grouped_by_region(client, national_analyst, kent_history):
    response = login(client, national_analyst).get(GRID)
    page = text(response)
    html = response.content.decode()
    assert html.count('class="govuk-table__header msoic-grid__force"') == 43
    assert html.count("msoic-grid__region") == 10
    assert (
        page.index("Eastern")
        < page.index("Kent Police")
        < page.index("London")
        < page.index("Metropolitan")
    )
    assert "All forces, by region" in page
    assert "1 return" in page  # one approved in the key's counts


def test_regional_coordinator_sees_their_regions_forces(client, eastern_coordinator, kent_history):
    html = login(client, eastern_coordinator).get(GRID).content.decode()
    eastern = OrgUnit.objects.filter(parent__code="eastern").count()
    assert html.count('class="govuk-table__header msoic-grid__force"') == eastern == 7
    assert "Kent Police" in html and "Essex Police" in html and "Cleveland Police" not in html
    assert "Forces of Eastern" in html


def test_force_users_see_their_own_row(client, essex_user, kent_history):
    html = login(client, essex_user).get(GRID).content.decode()
    assert html.count('class="govuk-table__header msoic-grid__force"') == 1
    assert "Essex Police" in html and "Kent Police" not in html
    assert (
        "/returns/" + str(Submission.objects.filter(orgunit__code="kent").first().pk) + "/"
        not in html
    )


@pytest.mark.parametrize("persona", ["partner", "admin"])
def test_partners_and_administrators_do_not_see_completeness(client, personas, persona):
    assert login(client, personas[persona]).get(GRID).status_code == 403
    assert client.get(GRID + "&format=csv").status_code == 403


def test_default_is_the_last_twelve_months(client, kent_user):
    from django.utils import timezone

    from msoic.metrics.periods import last_complete_month

    page = text(login(client, kent_user).get("/returns/completeness/"))
    newest = last_complete_month(timezone.localdate())
    assert f"to {newest.strftime('%B %Y')}" in page
    # The grid is of the first return forces send, never of a dataset derived from records
    # that happens to come first in the catalogue (the CPS funnel once did).
    assert "Modern slavery monthly return, " in page
    assert "Attrition funnel" not in page


def test_a_badly_written_month_is_an_error_on_the_field(client, kent_user):
    response = login(client, kent_user).get("/returns/completeness/?end=June")
    assert response.status_code == 200
    assert (
        '<a href="#id_end">Choose a period from the list: &#x27;June&#x27; is not a period'
        in response.content.decode()
    )


def test_the_last_month_is_picked_from_months_in_words(client, kent_user):
    """The one period picker: months from the return's first to the last one over, in
    words; the chosen month stays chosen and in the download links; a month not over yet is
    refused in words."""
    from django.utils import timezone

    from msoic.metrics.periods import add_months, last_complete_month, month_label

    html = login(client, kent_user).get(GRID).content.decode()
    picker = html[
        html.index('<select name="end"') : html.index("</select>", html.index('<select name="end"'))
    ]
    assert 'value="2024-06" selected data-kind="month" data-end="2024-06">June 2024</option>' in (
        picker
    )
    assert ">April 2021</option>" in picker and ">March 2021</option>" not in picker
    assert "end=2024-06" in html
    ahead = add_months(last_complete_month(timezone.localdate()), 1)
    response = client.get(GRID.replace("2024-06", f"{ahead:%Y-%m}"))
    assert f"There are no figures for {month_label(ahead)} here" in response.content.decode()


def test_csv_download_lists_every_force_and_month(client, eastern_coordinator, kent_history):
    response = login(client, eastern_coordinator).get(GRID + "&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert (
        'filename="completeness_ms-monthly_2024-03_2024-06.csv"' in response["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "region",
        "force",
        "force_name",
        "period",
        "status",
        "deadline",
        "first_received",
        "version",
    ]
    assert len(rows) == 1 + 7 * 4
    kent = [r for r in rows if r[1] == "kent"]
    assert [(r[3], r[4], r[5]) for r in kent] == [
        ("2024-03", "Missing", "2024-04-15"),
        ("2024-04", "Approved", "2024-05-15"),
        ("2024-05", "Late", "2024-06-15"),
        ("2024-06", "Submitted", "2024-07-15"),
    ]
    assert kent[3][6:] == ["2024-07-15", "1"]


def test_xlsx_download_is_a_workbook_without_formulas(client, national_analyst, kent_history):
    response = login(client, national_analyst).get(GRID + "&format=xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    values = [c.value for c in cells]
    assert "Kent Police" in values and "Late" in values


def test_query_count_does_not_grow_with_forces_or_returns(
    client, national_analyst, kent_user, django_assert_num_queries
):
    c = login(client, national_analyst)
    c.get(GRID)  # warm the catalogue cache
    # session, user, catalogue, forces, submissions, navigation, header org unit, session
    # save, and which forces take figures from their register (one query per derived source)
    with django_assert_num_queries(12):
        c.get(GRID)
    for force in ["essex", "kent", "cleveland", "durham", "dorset"]:
        for month in ["2024-03", "2024-04", "2024-05", "2024-06"]:
            send(national_analyst, force, month, datetime(2024, 7, 1, tzinfo=UTC))
    do_approve_submission(Submission.objects.first(), actor=national_analyst)
    with django_assert_num_queries(12):
        c.get(GRID)


@pytest.mark.django_db
def test_grid_points_to_the_newest_returns_when_recent_months_are_empty(client, kent_user):
    from msoic.collection.pipeline import import_file
    from tests.conftest import csv_bytes

    assert import_file(
        "old.csv", csv_bytes([["kent", "2022-03", "ms_arrests", "", 2, ""]]), actor=kent_user
    ).ok
    client.force_login(kent_user)
    html = client.get("/returns/completeness/", {"dataset": "ms-monthly"}).content.decode()
    assert "No return of this dataset has been received since March 2022" in html
    assert "end=2022-03" in html
    html = client.get(
        "/returns/completeness/", {"dataset": "ms-monthly", "end": "2022-03"}
    ).content.decode()
    assert "has been received since" not in html
