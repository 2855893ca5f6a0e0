"""Random input never takes a request down (issue 9, §1): property-based tests.

Hypothesis feeds the period parser random text, the returns pipeline random bytes and
random rows (as CSV and as XLSX), and the API and the pages that take a period random query
parameters. The parser may only refuse with its own error; the pipeline may only refuse
the file; a request may only be answered with less than 500.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msoic.collection.pipeline import import_file
from msoic.metrics.periods import Period, PeriodError, parse_month, parse_period
from tests.conftest import csv_bytes, xlsx_bytes

# Modest example counts (the suite stays fast); no example database written to the tree.
RANDOM = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PAGES = settings(RANDOM, max_examples=30)  # a page render is slower than an API call

# Text a browser could send: any character but lone surrogates (not encodable).
TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
# Text that looks like a period, in and out of range: year 0, 10000, R12-9999-12, ...
PERIOD_LIKE = st.from_regex(
    r"\A(R12-|FY)?[0-9]{1,5}(-[0-9]{1,3})?(-Q[0-9])?\Z", fullmatch=True
) | st.sampled_from(["0000", "10000", "R12-9999-12", "FY9999-00", "R12-0001-01", "0000-01"])
VALUES = PERIOD_LIKE | TEXT


@given(text=VALUES)
@RANDOM
def test_the_period_parsers_refuse_only_with_their_own_error(text):
    for parse in (
        Period.parse,
        parse_month,
        lambda t: parse_period("monthly", t),
        lambda t: parse_period("quarterly", t),
    ):
        try:
            parsed = parse(text)
        except PeriodError as exc:
            assert str(exc)  # says what is wrong
            continue
        period = parsed if isinstance(parsed, Period) else Period.month(parsed)
        # Whatever parses can be shown, shifted a year and expanded without an error.
        assert period.label and period.code
        assert len(period.previous_year().months()) == len(period.months())


# --- the returns pipeline ---------------------------------------------------------------

CELL = st.one_of(
    PERIOD_LIKE,
    st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=30),
    st.integers(-(10**12), 10**12),
    st.sampled_from(["kent", "essex", "ms_arrests", "2024-02", "FY2024-25-Q1", "=1+1", ""]),
)
ROWS = st.lists(st.lists(CELL, min_size=0, max_size=8), max_size=6)
REFUSED_OR_READ = {"accepted", "unchanged", "rejected", "needs-comment", "checked"}


def _read(kent_user: Any, name: str, data: bytes) -> None:
    outcome = import_file(name, data, actor=kent_user, dry_run=True)
    assert outcome.status in REFUSED_OR_READ, outcome.status


@given(data=st.binary(max_size=2048), name=st.sampled_from(["r.csv", "r.xlsx", "r.txt"]))
@RANDOM
def test_random_bytes_are_refused_not_raised(kent_user, data, name):
    _read(kent_user, name, data)


@given(rows=ROWS)
@RANDOM
def test_random_rows_in_a_csv_are_read_or_refused(kent_user, rows):
    _read(kent_user, "return.csv", csv_bytes(rows))


@given(rows=ROWS)
@settings(RANDOM, max_examples=60)  # building a workbook per example is slower
def test_random_rows_in_a_workbook_are_read_or_refused(kent_user, rows):
    _read(kent_user, "return.xlsx", xlsx_bytes(rows))


# --- query parameters ---------------------------------------------------------------------

API_PARAMETERS = {
    "/api/v1/values": ["metric", "orgunit", "period", "by", "compare", "format"],
    "/api/v1/series": ["metric", "orgunit", "start", "end", "by", "format"],
    "/api/v1/submissions": ["dataset", "orgunit", "period", "limit", "offset"],
}
KNOWN = {
    "metric": st.sampled_from(["ms_arrests", "ms_nrm_referrals", "oic_disruptions"]),
    "orgunit": st.sampled_from(["national", "kent", "eastern", "essex"]),
    "by": st.sampled_from(["age_group", "force", "region", "exploitation_type"]),
    "compare": st.just("previous-year"),
    "format": st.sampled_from(["json", "csv"]),
    "dataset": st.sampled_from(["ms-monthly", "terminus-quarterly"]),
}


@st.composite
def queries(draw: Any, names: list[str]) -> dict[str, str]:
    """Some of ``names``, each a plausible value, a period-like one or any text; now and
    then an unknown parameter."""
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    query = {}
    for name in chosen:
        known = KNOWN.get(name)
        query[name] = draw(known | VALUES if known is not None else VALUES)
    if draw(st.booleans()) and draw(st.booleans()):
        query[draw(TEXT.filter(bool))] = draw(TEXT)
    return query


@pytest.fixture
def analyst_client(national_analyst) -> Client:
    client = Client()
    client.force_login(national_analyst)
    return client


@pytest.fixture
def partner_client(partner_user) -> Client:
    client = Client()
    client.force_login(partner_user)
    return client


@pytest.mark.parametrize("path", sorted(API_PARAMETERS))
def test_api_answers_random_query_parameters_without_a_server_error(
    path, analyst_client, partner_client
):
    @given(query=queries(API_PARAMETERS[path]), partner=st.booleans())
    @RANDOM
    def check(query: dict[str, str], partner: bool) -> None:
        response = (partner_client if partner else analyst_client).get(path, query)
        assert response.status_code < 500, (path, query, response.content[:300])
        if response.status_code == 400:
            assert response.json()["error"]  # the message says what is wrong

    check()


PAGE_PARAMETERS = {
    "/dashboards/ms/": ["period", "orgunit", "measure"],
    "/returns/": ["to", "force"],
    "/returns/completeness/": ["dataset", "end", "months"],
    "/operations-supported/summary/": ["year"],
    "/operations/": ["year"],
    "/operations/terminus/": ["period", "orgunit"],
    "/investigations/nrm/": ["period", "orgunit"],
}


@pytest.mark.parametrize("path", sorted(PAGE_PARAMETERS))
def test_pages_answer_random_periods_without_a_server_error(path, analyst_client):
    assert analyst_client.get(path).status_code == 200  # the page itself, not a redirect

    @given(query=queries(PAGE_PARAMETERS[path]))
    @PAGES
    def check(query: dict[str, str]) -> None:
        response = analyst_client.get(path, query)
        assert response.status_code < 500, (path, query)

    check()


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/values", {"metric": "ms_arrests", "period": "0000"}),
        ("/api/v1/values", {"metric": "ms_arrests", "period": "R12-9999-12"}),
        ("/api/v1/series", {"metric": "ms_arrests", "start": "0000-01", "end": "2024-01"}),
        ("/api/v1/submissions", {"period": "FY9999-00"}),
    ],
)
def test_api_refuses_an_out_of_range_period_with_400_naming_it(analyst_client, path, query):
    response = analyst_client.get(path, query)
    assert response.status_code == 400
    assert "between 1900 and 2999" in response.json()["error"]
    assert response.json()["parameter"] in query


@pytest.mark.parametrize("value", ["\x00", "kent\x00", "2024-02\x00"])
def test_api_refuses_control_characters_in_a_parameter(analyst_client, value):
    response = analyst_client.get("/api/v1/submissions", {"orgunit": value})
    assert response.status_code == 400
    assert response.json() == {
        "error": "orgunit contains a control character",
        "status": 400,
        "parameter": "orgunit",
    }


def test_api_refuses_digits_int_cannot_read(analyst_client):
    response = analyst_client.get("/api/v1/submissions", {"limit": "²"})
    assert response.status_code == 400 and response.json()["parameter"] == "limit"
