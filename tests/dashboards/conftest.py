"""Returns for the dashboard tests, loaded through the real collection pipeline.

``dashboard_returns``: Kent, Essex (both Eastern) and Cleveland (North East) return every
metric of both datasets, with every breakdown, for the 24 months March 2022 to February
2024, so year-on-year comparisons to February 2024 exist but are incomplete nationally
(40 forces never returned).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import pytest

from msoic.collection.pipeline import import_file
from msoic.metrics.periods import add_months, format_month
from tests.conftest import csv_bytes, module_data

FIRST = date(2022, 3, 1)
LAST = date(2024, 2, 1)
RECENT = date(2024, 1, 1)  # recent_returns: January and February 2024
FORCES = {"kent": 5, "essex": 4, "cleveland": 2}  # size factor per force

MIX = {
    "criminal": 60,
    "sexual": 17,
    "labour": 16,
    "domestic_servitude": 3,
    "organ_harvesting": 0,
    "other": 4,
}
AGES = {"adult": 55, "child": 40, "unknown": 5}
LEVELS = {"major": 15, "moderate": 35, "minor": 50}


def months(first: date = FIRST, last: date = LAST) -> list[date]:
    out = [first]
    while out[-1] < last:
        out.append(add_months(out[-1], 1))
    return out


def split(total: int, shares: dict[str, int]) -> dict[str, int]:
    """Whole-number parts of ``total`` in proportion to ``shares`` that add up exactly."""
    weight = sum(shares.values())
    parts = {k: total * v // weight for k, v in shares.items()}
    rest = total - sum(parts.values())
    for k in sorted(shares, key=lambda k: -shares[k])[:rest]:
        parts[k] += 1
    return parts


def force_rows(force: str, size: int, month: date, index: int) -> list[list[Any]]:
    m = format_month(month)
    wobble = (index * 7 + size * 3) % 5  # small, steady variation: never an outlier
    live = 20 * size + wobble
    nrm = 6 * size + wobble
    disruptions = 2 * size + (index % 3)
    values: dict[str, int] = {
        "ms_live_investigations": live,
        "ms_recorded_crimes": 9 * size + wobble,
        "ms_nrm_referrals": nrm,
        "ms_dtn_reports": size + wobble,
        "ms_arrests": size,
        "ms_charges": max(1, size // 2),
        "oic_disruptions": disruptions,
        "oic_soc_master_list": size + (1 if index >= 12 else 0),
        "oic_ocgs_mapped": 2 * size,
        "oic_intel_logs_tagged": 3 * size + wobble,
    }
    rows = [[force, m, metric, "", value, ""] for metric, value in values.items()]
    for option, value in split(live, MIX).items():
        rows.append([force, m, "ms_live_investigations", f"exploitation_type={option}", value, ""])
    for option, value in split(nrm, AGES).items():
        rows.append([force, m, "ms_nrm_referrals", f"age_group={option}", value, ""])
    for option, value in split(disruptions, LEVELS).items():
        rows.append([force, m, "oic_disruptions", f"level={option}", value, ""])
    return rows


def load_rows(rows: Iterable[list[Any]], name: str = "dashboard.csv") -> None:
    outcome = import_file(name, csv_bytes(list(rows)), actor=None)
    assert outcome.status == "accepted", outcome.lines()


def load_returns(forces: dict[str, int] = FORCES, first: date = FIRST, last: date = LAST) -> None:
    for force, size in forces.items():
        rows: list[list[Any]] = []
        for i, month in enumerate(months(first, last)):
            rows += force_rows(force, size, month, i)
        load_rows(rows, f"{force}.csv")


@pytest.fixture
def dashboard_returns(db: Any) -> None:
    load_returns()


@pytest.fixture
def recent_returns(db: Any) -> None:
    """The same forces for January and February 2024 only: enough for access tests."""
    load_returns(first=RECENT)


# For a module whose every test reads the same returns and none needs a database without
# them: loaded once for the module in a transaction rolled back after it (each test still
# runs in its own savepoint), not once per test.


@pytest.fixture(scope="module")
def _module_dashboard_returns(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with module_data(django_db_blocker):
        load_returns()
        yield


@pytest.fixture(scope="module")
def _module_recent_returns(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with module_data(django_db_blocker):
        load_returns(first=RECENT)
        yield


@pytest.fixture
def dashboard_returns_for_module(_module_dashboard_returns: None, db: Any) -> None:
    """``dashboard_returns``, loaded once for the test module."""


@pytest.fixture
def recent_returns_for_module(_module_recent_returns: None, db: Any) -> None:
    """``recent_returns``, loaded once for the test module."""
