"""The commissioning pages: position, bids scoped to the bidder, decisions and spend on the
web, money typed wrongly refused with a message, downloads formula-safe, queries pinned."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from msoic.commissioning import actions
from msoic.commissioning.models import Bid, BidStatus, FundingEnvelope
from tests.commissioning.conftest import make_bid, make_envelope, make_window


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_hub_shows_each_envelopes_position_and_allocations(
    window, kent_user, national_analyst, envelope
):
    bid = make_bid(window, kent_user, amount="40000.00")
    actions.do_decide_bid(bid, actor=national_analyst, outcome="approved", reason="ok")
    actions.do_record_spend(bid, actor=kent_user, amount=123_456, spent_on=bid.period_start)
    page = as_user(national_analyst).get("/commissioning/").content.decode()
    # Pence only where the amount has them.
    for figure in ("£100,000<", "£40,000<", "£1,234.56<", "£60,000<"):
        assert figure in page
    assert "New funding envelope" in page


def test_hub_query_count_does_not_grow_with_envelopes(national_analyst, kent_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(national_analyst)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/commissioning/").status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        envelope = make_envelope(national_analyst, name=f"Envelope {n}")
        make_bid(make_window(national_analyst, envelope), kent_user)

    add(0)
    client.get("/commissioning/")
    one = count()
    for n in range(1, 6):
        add(n)
    assert count() == one <= 14


def test_force_user_lists_only_own_bids_and_gets_404_for_another_forces(
    window, kent_user, essex_user
):
    mine = make_bid(window, kent_user)
    theirs = make_bid(window, essex_user)
    client = as_user(kent_user)
    listing = client.get("/commissioning/bids/").content.decode()
    assert f"/commissioning/bids/{mine.pk}/" in listing
    assert f"/commissioning/bids/{theirs.pk}/" not in listing and "Essex" not in listing
    assert client.get(f"/commissioning/bids/{theirs.pk}/").status_code == 404
    assert client.post(f"/commissioning/bids/{theirs.pk}/spend/", {}).status_code == 404


def test_force_user_bids_on_the_web_with_pounds_and_pence(window, kent_user):
    response = as_user(kent_user).post(
        f"/commissioning/windows/{window.pk}/bid/",
        {
            "title": "Port checks",
            "purpose": "Lorry checks",
            "activity_type": "sea",
            "amount": "£1,234.5",
            "period_start": "2023-07-01",
            "period_end": "2023-08-01",
        },
    )
    bid = Bid.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/commissioning/bids/{bid.pk}/"
    assert bid.amount_requested_pence == 123_450 and bid.orgunit.code == "kent"


@pytest.mark.parametrize(
    ("amount", "says"),
    [
        ("1234.567", "more than two decimal places"),
        ("1e3", "not as 1e3"),
        ("-10", "cannot be negative"),
        ("0", "more than £0.00"),
        ("", "This field is required"),
    ],
)
def test_money_typed_wrongly_is_refused_with_a_message(window, kent_user, amount, says):
    response = as_user(kent_user).post(
        f"/commissioning/windows/{window.pk}/bid/",
        {
            "title": "Port checks",
            "purpose": "Lorry checks",
            "activity_type": "land",
            "amount": amount,
            "period_start": "2023-07-01",
            "period_end": "2023-08-01",
        },
    )
    assert response.status_code == 200
    assert says in response.content.decode()
    assert not Bid.objects.exists()


def test_unit_decides_on_the_web_and_a_second_decision_is_refused(
    window, kent_user, national_analyst
):
    bid = make_bid(window, kent_user, amount="30000.00")
    client = as_user(national_analyst)
    url = f"/commissioning/bids/{bid.pk}/decide/"
    response = client.post(
        url, {"outcome": "part_funded", "amount": "20,000", "reason": "Core only"}, follow=True
    )
    assert "Decision recorded" in response.content.decode()
    response = client.post(url, {"outcome": "approved", "reason": "Again"}, follow=True)
    assert "already decided" in response.content.decode()
    bid.refresh_from_db()
    assert bid.status == BidStatus.PART_FUNDED and bid.amount_awarded_pence == 2_000_000


def test_part_funding_without_an_amount_shows_the_error(window, kent_user, national_analyst):
    bid = make_bid(window, kent_user)
    response = as_user(national_analyst).post(
        f"/commissioning/bids/{bid.pk}/decide/", {"outcome": "part_funded", "reason": "r"}
    )
    assert response.status_code == 400
    assert "Give the amount awarded" in response.content.decode()


def test_overdraw_on_the_web_is_a_message_and_the_balance_stays(
    national_analyst, kent_user, essex_user
):
    envelope = make_envelope(national_analyst, amount="50000.00")
    window = make_window(national_analyst, envelope)
    first = make_bid(window, kent_user, amount="30000.00")
    second = make_bid(window, essex_user, amount="30000.00")
    client = as_user(national_analyst)
    client.post(f"/commissioning/bids/{first.pk}/decide/", {"outcome": "approved", "reason": "a"})
    response = client.post(
        f"/commissioning/bids/{second.pk}/decide/",
        {"outcome": "approved", "reason": "b"},
        follow=True,
    )
    assert "would overdraw" in response.content.decode()
    assert envelope.position().uncommitted == 2_000_000


def test_bidder_reports_spend_but_not_beyond_the_award(window, kent_user, national_analyst):
    bid = make_bid(window, kent_user, amount="1000.00")
    actions.do_decide_bid(bid, actor=national_analyst, outcome="approved", reason="ok")
    client = as_user(kent_user)
    url = f"/commissioning/bids/{bid.pk}/spend/"
    client.post(url, {"amount": "999.99", "spent_on": "2023-08-01", "note": "fuel"})
    response = client.post(url, {"amount": "0.02", "spent_on": "2023-08-02"}, follow=True)
    assert "would exceed the award" in response.content.decode()
    assert bid.spent() == 99_999


def test_envelope_page_has_the_region_chart_table_and_safe_downloads(
    window, kent_user, eastern_coordinator, cleveland_user, national_analyst, envelope
):
    for bidder in (kent_user, eastern_coordinator, cleveland_user):
        bid = make_bid(window, bidder, amount="1000.00")
        actions.do_decide_bid(bid, actor=national_analyst, outcome="approved", reason="ok")
    declined = make_bid(window, kent_user)
    actions.do_decide_bid(declined, actor=national_analyst, outcome="declined", reason="no")
    client = as_user(kent_user)
    page = client.get(f"/commissioning/envelopes/{envelope.pk}/")
    assert page.status_code == 200
    assert page.context["chart"]["data"]["values"][0] == {
        "label": "Eastern",
        "value": 2,
        "text": "2",
        "at": 2,
    }
    assert len(page.context["regions"]) == 10
    response = client.get(f"/commissioning/envelopes/{envelope.pk}/approved-by-region.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Region" and rows[1] == ["Eastern", "2", "0", "1", "0", "2000.00"]
    response = client.get(f"/commissioning/envelopes/{envelope.pk}/approved-by-region.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        client.get(f"/commissioning/envelopes/{envelope.pk}/approved-by-region.pdf").status_code
        == 404
    )


def test_envelope_name_starting_with_a_formula_is_neutralised_in_xlsx(national_analyst):
    from openpyxl import load_workbook

    envelope = make_envelope(national_analyst, name="=HYPERLINK(1)")
    response = as_user(national_analyst).get(
        f"/commissioning/envelopes/{envelope.pk}/approved-by-region.xlsx"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert str(sheet["A1"].value).startswith("'=")


def test_unit_creates_an_envelope_window_and_allocation_on_the_web(national_analyst):
    client = as_user(national_analyst)
    response = client.post(
        "/commissioning/envelopes/new/",
        {
            "name": "Terminus",
            "source": "Home Office",
            "amount": "5,000,000",
            "financial_year": "FY2023-24",
            "programme": "oic",
            "purpose": "Land, air and sea",
        },
    )
    envelope = FundingEnvelope.objects.get()
    assert response["Location"] == f"/commissioning/envelopes/{envelope.pk}/"
    assert envelope.amount_pence == 500_000_000
    response = client.post(
        f"/commissioning/envelopes/{envelope.pk}/windows/new/",
        {"title": "Round 1", "opens": "2023-05-01", "closes": "2023-04-01"},
    )
    assert "cannot close before it opens" in response.content.decode()
    client.post(
        f"/commissioning/envelopes/{envelope.pk}/windows/new/",
        {"title": "Round 1", "opens": "2023-05-01", "closes": "2023-05-31"},
    )
    assert envelope.windows.count() == 1
    client.post(
        "/commissioning/allocations/new/",
        {
            "financial_year": "FY2024-25",
            "programme": "oic",
            "amount": "2970000",
            "source": "Home Office",
            "expires_on": "2025-03-31",
        },
    )
    page = client.get("/commissioning/").content.decode()
    assert "£2,970,000" in page and "£2,970,000.00" not in page and "31 March 2025" in page


def test_envelope_form_refuses_a_bad_year(national_analyst):
    response = as_user(national_analyst).post(
        "/commissioning/envelopes/new/",
        {
            "name": "T",
            "source": "HO",
            "amount": "100",
            "financial_year": "2023",
            "programme": "oic",
            "purpose": "p",
        },
    )
    assert "is a calendar year: choose a financial year" in response.content.decode()
    assert not FundingEnvelope.objects.exists()


@pytest.mark.parametrize("persona", ["partner_user", "admin_user"])
def test_partners_and_admins_have_no_commissioning(request, persona):
    user = request.getfixturevalue(persona)
    assert as_user(user).get("/commissioning/").status_code == 403
    assert as_user(user).get("/commissioning/bids/").status_code == 403


def test_nav_shows_commissioning_to_forces_not_partners(kent_user, partner_user):
    assert 'href="/commissioning/"' in as_user(kent_user).get("/commissioning/").content.decode()
    page = as_user(partner_user).get("/dashboards/ms/").content.decode()
    assert 'href="/commissioning/"' not in page


def test_envelope_form_picks_a_financial_year_in_words(national_analyst):
    """The one period picker: financial years around today, this year chosen to begin with,
    labelled 2024/25; the code is only the value sent and stored."""
    from django.utils import timezone

    from msoic.metrics.periods import Period, choice_label

    this_year = Period.financial_year_of(timezone.localdate())
    html = as_user(national_analyst).get("/commissioning/envelopes/new/").content.decode()
    picker = html[html.index('<select name="financial_year"') : html.index("</select>")]
    assert f'value="{this_year.code}" selected data-kind="fy"' in picker
    assert f">{choice_label(this_year)}</option>" in picker and ">FY" not in picker
    far = Period.financial_year_starting(this_year.start.year + 5)
    response = as_user(national_analyst).post(
        "/commissioning/envelopes/new/",
        {
            "name": "T",
            "source": "HO",
            "amount": "100",
            "financial_year": far.code,
            "programme": "oic",
            "purpose": "p",
        },
    )
    assert f"{choice_label(far)} is too far from this year" in response.content.decode()
