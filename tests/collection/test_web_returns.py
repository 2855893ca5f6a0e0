"""The returns hub, the template download, the data-entry form and a return's page with its
versions, original file, approval and unlocking."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from msoic.audit.models import AuditEvent
from msoic.collection.models import Submission, SubmissionVersion, Value
from msoic.collection.pipeline import import_file
from msoic.metrics.periods import add_months, format_month, last_complete_month
from tests.collection.web_support import history, kent_return, store, text
from tests.conftest import csv_bytes, xlsx_bytes


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


# --- the hub ---------------------------------------------------------------------------


def test_force_user_sees_their_returns_by_dataset_and_month(client, kent_user):
    from django.utils import timezone

    newest = last_complete_month(timezone.localdate())
    older = add_months(newest, -3)
    sub = kent_return(kent_user, month=format_month(older))
    store(kent_user, [["kent", format_month(older), "ms_arrests", "", 9, ""]], name="fix.csv")
    response = login(client, kent_user).get("/returns/")
    assert response.status_code == 200
    page = text(response)
    assert "Kent Police" in page
    assert (
        "Modern slavery monthly return" in page
        and "Organised immigration crime monthly return" in page
    )
    html = response.content.decode()
    assert f'href="/returns/{sub.pk}/"' in html
    assert f"/returns/template/ms-monthly/kent/{format_month(newest)}.xlsx" in html
    assert f"/returns/enter/oic-monthly/kent/{format_month(newest)}/" in html
    # sent today, long after its deadline: late, with two versions; the newest month is
    # missing or not yet due depending on today's date
    row = page.split("Earlier months", 1)[1].split(older.strftime("%B %Y"))[1].split()
    assert row[:6] == [
        "▲",
        "Late",
        "15",
        add_months(older, 1).strftime("%b"),
        str(add_months(older, 1).year),
        "2",
    ]
    newest_row = page.split("Earlier months", 1)[1].split(newest.strftime("%B %Y"))[1].split()
    assert newest_row[:2] in (["✖", "Missing"], ["○", "Not"])
    assert "Essex" not in page


def test_national_user_picks_a_force(client, national_analyst, kent_user):
    kent_return(kent_user)
    c = login(client, national_analyst)
    page = text(c.get("/returns/"))
    assert "Choose a force" in page
    response = c.get("/returns/?force=kent")
    assert response.status_code == 200
    assert "/returns/enter/ms-monthly/kent/" in response.content.decode()
    assert c.get("/returns/?force=eastern").status_code == 404
    assert c.get("/returns/?force=nowhere").status_code == 404


def test_regional_coordinator_reads_their_forces_returns_without_entry_links(
    client, eastern_coordinator, essex_user
):
    response = login(client, eastern_coordinator).get("/returns/?force=essex")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/returns/enter/" not in html and "/returns/template/" not in html
    assert client.get("/returns/?force=cleveland").status_code == 403


@pytest.mark.parametrize("persona", ["partner", "admin"])
def test_partners_and_administrators_have_no_returns_hub(client, personas, persona):
    assert login(client, personas[persona]).get("/returns/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/returns/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- the template ------------------------------------------------------------------------


def test_force_user_downloads_their_template(client, kent_user):
    response = login(client, kent_user).get("/returns/template/ms-monthly/kent/2024-02.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="ms-monthly_kent_2024-02.xlsx"' in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content))["Return"]
    assert any(row[0] == "kent" and row[1] == "2024-02" for row in ws.iter_rows(values_only=True))


def test_template_downloaded_from_the_web_round_trips(client, kent_user):
    response = login(client, kent_user).get("/returns/template/oic-monthly/kent/2024-02.xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["Return"]
    for row in ws.iter_rows():
        if row[2].value == "oic_disruptions" and not row[3].value:
            row[4].value = 4
        if row[2].value == "oic_disruptions" and row[3].value == "level=major":
            row[4].value = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    outcome = import_file("filled.xlsx", buffer.getvalue(), actor=kent_user)
    assert outcome.status == "accepted", outcome.lines()
    assert Value.objects.filter(metric="oic_disruptions", is_current=True).count() == 2


@pytest.mark.parametrize(
    ("persona", "force", "status"),
    [
        ("kent", "essex", 403),
        ("essex", "kent", 403),
        ("eastern", "essex", 403),
        ("partner", "kent", 403),
        ("admin", "kent", 403),
        ("national", "kent", 200),
        ("national", "eastern", 403),
        ("national", "nowhere", 404),
    ],
)
def test_template_is_only_for_forces_the_user_may_write(client, personas, persona, force, status):
    response = login(client, personas[persona]).get(
        f"/returns/template/ms-monthly/{force}/2024-02.xlsx"
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    "url",
    ["/returns/template/nope/kent/2024-02.xlsx", "/returns/template/ms-monthly/kent/2024-13.xlsx"],
)
def test_unknown_dataset_or_bad_month_is_not_found(client, kent_user, url):
    assert login(client, kent_user).get(url).status_code == 404


def test_a_month_that_is_not_over_has_no_template_or_form(client, kent_user):
    from django.utils import timezone

    current = format_month(add_months(last_complete_month(timezone.localdate()), 1))
    c = login(client, kent_user)
    assert c.get(f"/returns/template/ms-monthly/kent/{current}.xlsx").status_code == 404
    assert c.get(f"/returns/enter/ms-monthly/kent/{current}/").status_code == 404


# --- the data-entry form -----------------------------------------------------------------


def form_data(**values) -> dict[str, str]:
    return {key: str(value) for key, value in values.items()}


def test_entry_form_has_an_input_per_total_and_option_prefilled_from_the_current_version(
    client, kent_user
):
    kent_return(kent_user)
    response = login(client, kent_user).get("/returns/enter/ms-monthly/kent/2024-02/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="v__ms_arrests"' in html and 'for="v__ms_arrests"' in html
    assert 'id="v__ms_live_investigations__exploitation_type__organ_harvesting"' in html
    assert 'id="v__ms_nrm_referrals__age_group__child"' in html
    assert 'name="c__ms_arrests"' in html
    assert (
        'name="v__ms_arrests" type="text" inputmode="numeric" spellcheck="false" autocomplete="off" value="3"'
        in html
    )
    assert "one operation</textarea>" in html
    assert "Arrests for modern slavery offences in the month." in text(
        response
    )  # help from the catalogue


def test_entering_figures_on_the_form_stores_a_version_through_the_pipeline(client, kent_user):
    c = login(client, kent_user)
    response = c.post(
        "/returns/enter/ms-monthly/kent/2024-02/",
        form_data(
            v__ms_live_investigations=5,
            v__ms_live_investigations__exploitation_type__criminal=3,
            v__ms_live_investigations__exploitation_type__sexual=2,
            v__ms_arrests=1,
            c__ms_arrests="one arrest",
        ),
    )
    sub = Submission.objects.get(orgunit__code="kent", dataset="ms-monthly")
    assert response.status_code == 302 and response["Location"] == f"/returns/{sub.pk}/"
    version = sub.current_version
    assert (version.number, version.source, version.submitted_by) == (1, "form", kent_user)
    stored = {
        (v.metric, v.breakdown, v.option): (v.value, v.comment)
        for v in Value.objects.filter(version=version)
    }
    assert stored == {
        ("ms_live_investigations", "", ""): (5, ""),
        ("ms_live_investigations", "exploitation_type", "criminal"): (3, ""),
        ("ms_live_investigations", "exploitation_type", "sexual"): (2, ""),
        ("ms_arrests", "", ""): (1, "one arrest"),
    }
    assert AuditEvent.objects.filter(action="collection", object_id=str(sub.pk)).exists()
    assert "Return saved as version 1" in text(c.get(response["Location"]))


def test_form_errors_are_shown_against_the_fields_and_nothing_is_stored(client, kent_user):
    response = login(client, kent_user).post(
        "/returns/enter/ms-monthly/kent/2024-02/",
        form_data(
            v__ms_live_investigations=3,
            v__ms_live_investigations__exploitation_type__criminal=5,
            v__ms_arrests="12.5",
            v__ms_charges="=1+1",
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert (
        '<a href="#v__ms_arrests">Modern slavery arrests: '
        "Value must be a whole number of 0 or more: 12.5 is not a whole number</a>" in html
    )
    assert '<a href="#v__ms_charges">' in html and "looks like a formula" in html
    assert '<a href="#v__ms_live_investigations">' in html and "more than the total of 3" in html
    assert 'id="v__ms_arrests-error"' in html and 'aria-describedby="v__ms_arrests-error"' in html
    assert 'value="12.5"' in html  # what was typed is kept
    assert not Submission.objects.exists() and not Value.objects.exists()


def test_an_empty_form_stores_nothing_and_says_so(client, kent_user):
    response = login(client, kent_user).post("/returns/enter/ms-monthly/kent/2024-02/", {})
    assert "no values to store" in text(response)
    assert not Submission.objects.exists()


def test_an_unusual_figure_asks_for_a_comment_then_saves_with_it(client, kent_user):
    history(
        kent_user, "kent", "ms_arrests", [f"2023-{m:02d}" for m in range(6, 13)] + ["2024-01"], 4
    )
    c = login(client, kent_user)
    url = "/returns/enter/ms-monthly/kent/2024-02/"
    response = c.post(url, form_data(v__ms_arrests=90))
    assert response.status_code == 200
    page = text(response)
    assert "need a comment" in page and "90 against a median of 4" in page
    assert '<a href="#c__ms_arrests">' in response.content.decode()
    assert not Submission.objects.filter(period="2024-02-01").exists()
    response = c.post(
        url, form_data(v__ms_arrests=90, c__ms_arrests="joint operation with the NCA")
    )
    assert response.status_code == 302
    version = Submission.objects.get(period="2024-02-01").current_version
    [ack] = version.acknowledged_warnings
    assert ack["comment"] == "joint operation with the NCA" and ack["rule"] == "unusually_high"


def test_resubmitting_the_same_figures_changes_nothing(client, kent_user):
    sub = kent_return(kent_user)
    response = login(client, kent_user).post(
        "/returns/enter/ms-monthly/kent/2024-02/",
        form_data(v__ms_arrests=3, v__ms_recorded_crimes=10, c__ms_recorded_crimes="one operation"),
    )
    assert response.status_code == 302
    assert SubmissionVersion.objects.filter(submission=sub).count() == 1
    assert "No figures changed" in text(client.get(response["Location"]))


def test_a_locked_return_shows_no_form_and_refuses_posts(client, kent_user, national_analyst):
    from msoic.collection.actions import do_approve_submission

    sub = kent_return(kent_user)
    do_approve_submission(sub, actor=national_analyst)
    c = login(client, kent_user)
    response = c.get("/returns/enter/ms-monthly/kent/2024-02/")
    assert "approved and is locked" in text(response)
    assert '<form method="post" action="/returns/enter' not in response.content.decode()
    c.post("/returns/enter/ms-monthly/kent/2024-02/", form_data(v__ms_arrests=8))
    assert SubmissionVersion.objects.filter(submission=sub).count() == 1


@pytest.mark.parametrize(
    ("persona", "force", "status"),
    [
        ("kent", "essex", 403),
        ("cleveland", "kent", 403),
        ("eastern", "essex", 403),
        ("partner", "kent", 403),
        ("admin", "kent", 403),
        ("national", "essex", 200),
    ],
)
def test_entry_form_is_only_for_forces_the_user_may_write(client, personas, persona, force, status):
    c = login(client, personas[persona])
    assert c.get(f"/returns/enter/ms-monthly/{force}/2024-02/").status_code == status
    response = c.post(f"/returns/enter/ms-monthly/{force}/2024-02/", form_data(v__ms_arrests=1))
    assert response.status_code == (302 if status == 200 else status)
    assert Submission.objects.exists() == (status == 200)


# --- a return's page ---------------------------------------------------------------------


def test_return_page_shows_current_values_and_every_version(client, kent_user):
    sub = kent_return(kent_user)
    store(kent_user, [["kent", "2024-02", "ms_arrests", "", 7, "revised"]], name="revised.csv")
    response = login(client, kent_user).get(f"/returns/{sub.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert "Kent Police, February 2024" in page
    assert "Current figures (version 2)" in page
    assert "Modern slavery arrests 7 revised" in page
    assert (
        "Modern slavery crimes recorded (Home Office classification 106) 10 one operation" in page
    )
    assert "revised.csv" in page and "return.csv" in page
    html = response.content.decode()
    assert f'href="/returns/{sub.pk}/versions/1/"' in html
    assert f'href="/returns/{sub.pk}/versions/2/file/"' in html


def test_an_earlier_version_stays_readable(client, kent_user):
    sub = kent_return(kent_user)
    store(kent_user, [["kent", "2024-02", "ms_arrests", "", 7, ""]], name="revised.csv")
    c = login(client, kent_user)
    page = text(c.get(f"/returns/{sub.pk}/versions/1/"))
    assert "Figures of version 1" in page and "earlier version, replaced by version 2" in page
    assert "Modern slavery arrests 3" in page
    assert c.get(f"/returns/{sub.pk}/versions/9/").status_code == 404


def test_the_original_file_downloads_as_received(client, kent_user):
    data = csv_bytes([["kent", "2024-02", "ms_arrests", "", 3, ""]])
    import_file("kent feb.csv", data, actor=kent_user)
    sub = Submission.objects.get()
    response = login(client, kent_user).get(f"/returns/{sub.pk}/versions/1/file/")
    assert response.status_code == 200
    assert response.content == data
    assert 'filename="kent feb.csv"' in response["Content-Disposition"]


def test_the_original_file_is_a_download_only_never_a_page(client, kent_user):
    """A file is returned unchanged, whatever it holds: as an attachment whose type the
    browser must not guess, so markup in it is never run as a page of the site."""
    data = csv_bytes([["kent", "2024-02", "ms_arrests", "", 3, "<script>alert(1)</script>"]])
    assert import_file("feb.csv", data, actor=kent_user).status == "accepted"
    sub = Submission.objects.get()
    response = login(client, kent_user).get(f"/returns/{sub.pk}/versions/1/file/")
    assert response.content == data
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response["Content-Type"].startswith("text/html")


def test_a_national_users_multi_force_file_is_not_given_to_a_force_user(
    client, kent_user, essex_user, national_analyst
):
    import_file(
        "two forces.xlsx",
        xlsx_bytes(
            [
                ["kent", "2024-02", "ms_arrests", "", 3, ""],
                ["essex", "2024-02", "ms_arrests", "", 4, ""],
            ]
        ),
        actor=national_analyst,
    )
    kent_sub = Submission.objects.get(orgunit__code="kent")
    c = login(client, kent_user)
    assert c.get(f"/returns/{kent_sub.pk}/").status_code == 200
    assert "/file/" not in c.get(f"/returns/{kent_sub.pk}/").content.decode()
    assert c.get(f"/returns/{kent_sub.pk}/versions/1/file/").status_code == 404
    assert (
        login(client, national_analyst).get(f"/returns/{kent_sub.pk}/versions/1/file/").status_code
        == 200
    )


def test_a_form_version_has_no_file(client, kent_user):
    login(client, kent_user).post(
        "/returns/enter/ms-monthly/kent/2024-02/", form_data(v__ms_arrests=1)
    )
    sub = Submission.objects.get()
    assert client.get(f"/returns/{sub.pk}/versions/1/file/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("kent", 200),
        ("essex", 404),
        ("cleveland", 404),
        ("eastern", 200),
        ("partner", 404),
        ("admin", 404),
        ("national", 200),
    ],
)
def test_return_pages_are_scoped_to_the_force(client, personas, persona, status):
    sub = kent_return(personas["kent"])
    c = login(client, personas[persona])
    for url in [
        f"/returns/{sub.pk}/",
        f"/returns/{sub.pk}/versions/1/",
        f"/returns/{sub.pk}/versions/1/file/",
    ]:
        assert c.get(url).status_code == status, url


def test_the_eastern_coordinator_reads_eastern_returns_but_not_others(
    client, essex_user, cleveland_user, eastern_coordinator
):
    essex = store(essex_user, [["essex", "2024-02", "ms_arrests", "", 2, ""]])
    cleveland = store(cleveland_user, [["cleveland", "2024-02", "ms_arrests", "", 2, ""]])
    c = login(client, eastern_coordinator)
    assert c.get(f"/returns/{essex.pk}/").status_code == 200
    assert (
        c.get(f"/returns/{essex.pk}/versions/1/file/").status_code == 200
    )  # a force user's own file
    assert c.get(f"/returns/{cleveland.pk}/").status_code == 404


# --- approval ---------------------------------------------------------------------------


def test_national_user_approves_then_unlocks_with_a_reason(client, kent_user, national_analyst):
    sub = kent_return(kent_user)
    c = login(client, national_analyst)
    assert "Approve and lock" in text(c.get(f"/returns/{sub.pk}/"))
    response = c.post(f"/returns/{sub.pk}/approve/")
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.locked and sub.approved_by == national_analyst
    page = text(c.get(f"/returns/{sub.pk}/"))
    assert "Approved" in page and "Unlock this return" in page

    response = c.post(f"/returns/{sub.pk}/unlock/", {"reason": "  "})
    assert response.status_code == 200
    assert '<a href="#id_reason">' in response.content.decode()
    sub.refresh_from_db()
    assert sub.locked

    c.post(f"/returns/{sub.pk}/unlock/", {"reason": "Kent found a keying error"})
    sub.refresh_from_db()
    assert not sub.locked
    event = AuditEvent.objects.get(action="unlock")
    assert (event.justification, event.actor, event.object_id) == (
        "Kent found a keying error",
        national_analyst,
        str(sub.pk),
    )
    assert AuditEvent.objects.filter(action="approve", object_id=str(sub.pk)).count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("kent", 403),
        ("eastern", 403),
        ("essex", 404),
        ("cleveland", 404),
        ("partner", 404),
        ("admin", 404),
    ],
)
def test_only_national_users_approve_or_unlock(client, personas, persona, status):
    sub = kent_return(personas["kent"])
    c = login(client, personas[persona])
    assert c.post(f"/returns/{sub.pk}/approve/").status_code == status
    assert c.post(f"/returns/{sub.pk}/unlock/", {"reason": "x"}).status_code == status
    sub.refresh_from_db()
    assert not sub.locked
    assert "Approve and lock" not in text(
        login(client, personas["kent"]).get(f"/returns/{sub.pk}/")
    )


def test_approve_needs_post_and_a_csrf_token(kent_user, national_analyst):
    sub = kent_return(kent_user)
    c = Client(enforce_csrf_checks=True)
    c.force_login(national_analyst)
    assert c.get(f"/returns/{sub.pk}/approve/").status_code == 405
    assert c.post(f"/returns/{sub.pk}/approve/").status_code == 403
    sub.refresh_from_db()
    assert not sub.locked
    page = c.get(f"/returns/{sub.pk}/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert c.post(f"/returns/{sub.pk}/approve/", {"csrfmiddlewaretoken": token}).status_code == 302
    sub.refresh_from_db()
    assert sub.locked


def test_hub_and_return_page_queries_do_not_grow_with_returns_or_versions(client, kent_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    newest = last_complete_month(timezone.localdate())
    months = [format_month(add_months(newest, -i)) for i in range(12)]  # the hub's window
    sub = kent_return(kent_user, month=months[0])
    c = login(client, kent_user)
    c.get("/returns/")  # warm the catalogue cache

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = (count("/returns/"), count(f"/returns/{sub.pk}/"))
    for month in months[1:]:
        kent_return(kent_user, month=month)
    for arrests in (4, 5, 6):
        store(
            kent_user,
            [["kent", months[0], "ms_arrests", "", arrests, ""]],
            name=f"fix{arrests}.csv",
        )
    assert (
        "View"
        in text(c.get("/returns/"))
        .split("Earlier months", 1)[1]
        .split(add_months(newest, -11).strftime("%B %Y"))[1][:80]
    )
    assert (count("/returns/"), count(f"/returns/{sub.pk}/")) == before


@pytest.mark.django_db
def test_hub_pages_back_through_earlier_months(client, kent_user):
    from msoic.collection.pipeline import import_file
    from tests.conftest import csv_bytes

    assert import_file(
        "old.csv", csv_bytes([["kent", "2022-03", "ms_arrests", "", 2, ""]]), actor=kent_user
    ).ok
    client.force_login(kent_user)
    page = client.get("/returns/", {"to": "2022-06"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Showing July 2021 to June 2022" in html and "March 2022" in html
    assert "to=2021-06" in html and "to=2023-06" in html
    latest = client.get("/returns/").content.decode()
    assert (
        "The newest return from Kent Police is for March 2022" in latest and "to=2022-03" in latest
    )
    assert client.get("/returns/", {"to": "June"}).status_code == 404
