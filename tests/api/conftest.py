"""API fixtures: figures loaded through the real pipeline, and clients for each persona."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from msoic.accounts.models import ApiToken, TokenScope
from msoic.collection.actions import do_submit_return
from tests.conftest import PERSONA_ACCOUNTS, _make, csv_bytes, module_data

# Recorded crimes per force per month, March 2022 to February 2024 (24 months).
MONTHLY_CRIMES = {"kent": 10, "essex": 7, "cleveland": 4}
LIVE_MIX = {
    "kent": {"criminal": 6, "sexual": 3, "labour": 2},
    "essex": {"criminal": 4, "sexual": 1, "labour": 1},
    "cleveland": {"criminal": 2, "sexual": 1, "labour": 0},
}


def _months() -> list[str]:
    out = []
    for year, month in (
        [(2022, m) for m in range(3, 13)]
        + [(2023, m) for m in range(1, 13)]
        + [(2024, 1), (2024, 2)]
    ):
        out.append(f"{year}-{month:02d}")
    return out


@pytest.fixture
def figures(national_analyst: Any) -> dict[str, Any]:
    """Two years of ms_recorded_crimes for Kent, Essex and Cleveland, and live investigations
    by exploitation type for 2024-02, stored through the collection pipeline."""
    return load_figures(national_analyst)


@pytest.fixture(scope="module")
def _module_figures(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with module_data(django_db_blocker):
        yield load_figures(_make(*PERSONA_ACCOUNTS["national"]))


@pytest.fixture
def figures_for_module(_module_figures: dict[str, Any], db: Any) -> dict[str, Any]:
    """``figures``, loaded once for a test module in a transaction rolled back after it (each
    test still runs in its own savepoint): for a module none of whose tests needs a database
    without them."""
    return _module_figures


def load_figures(national_analyst: Any) -> dict[str, Any]:
    rows: list[list[Any]] = []
    for force, n in MONTHLY_CRIMES.items():
        for month in _months():
            # the second year is one higher a month, so year-on-year change is known
            value = n + (1 if month >= "2023-03" else 0)
            rows.append([force, month, "ms_recorded_crimes", "", value, ""])
        mix = LIVE_MIX[force]
        rows.append([force, "2024-02", "ms_live_investigations", "", sum(mix.values()), ""])
        for option, value in mix.items():
            rows.append(
                [
                    force,
                    "2024-02",
                    "ms_live_investigations",
                    f"exploitation_type={option}",
                    value,
                    "",
                ]
            )
    outcome = do_submit_return("history.csv", csv_bytes(rows), actor=national_analyst)
    assert outcome.status == "accepted", outcome.as_dict()
    return {"months": _months()}


def bearer(user: Any) -> dict[str, str]:
    """A token with every scope (the scope checks have their own tests in tests/security),
    whose first use is already in the audit log (tested in tests/accounts), so the query
    counts pinned here are the endpoints' own."""
    token, raw = ApiToken.issue(user, TokenScope.values)
    ApiToken.objects.filter(pk=token.pk).update(audited_at=timezone.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def api_as(personas: dict[str, Any]) -> Callable[[str], Client]:
    """``api_as("kent")``: a client that sends that persona's bearer token on every request."""

    def make(name: str) -> Client:
        return Client(**bearer(personas[name]))

    return make
