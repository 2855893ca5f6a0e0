"""The data migration that moved commissioning money from Decimal pounds to integer pence:
exact both ways, and refusing (not rounding) an amount that is not whole pence."""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

MIGRATION = importlib.import_module("msoic.commissioning.migrations.0003_money_in_pence_data")

BEFORE = [("commissioning", "0001_initial")]
AFTER = [("commissioning", "0004_money_in_pence_drop_pounds")]


def migrate(target: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def _pounds_records(apps: Any, envelope_pounds: str = "5000000.00") -> dict[str, Any]:
    OrgUnit = apps.get_model("orgunits", "OrgUnit")
    kent = OrgUnit.objects.get(code="kent")
    envelope = apps.get_model("commissioning", "FundingEnvelope").objects.create(
        name="Project Terminus",
        source="Home Office",
        amount=Decimal(envelope_pounds),
        financial_year="FY2023-24",
        programme="oic",
        purpose="Land, air and sea",
    )
    window = apps.get_model("commissioning", "BidWindow").objects.create(
        envelope=envelope, title="Round 1", opens=date(2023, 5, 2), closes=date(2023, 5, 26)
    )
    Bid = apps.get_model("commissioning", "Bid")
    common = {
        "window": window,
        "orgunit": kent,
        "region": kent.parent,
        "purpose": "Lorry checks",
        "activity_type": "land",
        "period_start": date(2023, 7, 1),
        "period_end": date(2023, 9, 30),
    }
    awarded = Bid.objects.create(
        title="Awarded",
        amount_requested=Decimal("32345.67"),
        status="part_funded",
        amount_awarded=Decimal("20378.01"),
        **common,
    )
    waiting = Bid.objects.create(title="Waiting", amount_requested=Decimal("0.01"), **common)
    apps.get_model("commissioning", "SpendReturn").objects.create(
        bid=awarded, amount=Decimal("1234.56"), spent_on=date(2023, 8, 1)
    )
    apps.get_model("commissioning", "FundingAllocation").objects.create(
        financial_year="FY2024-25",
        programme="ms",
        amount=Decimal("1260000.00"),
        source="Home Office",
        expires_on=date(2025, 3, 31),
    )
    return {"awarded": awarded.pk, "waiting": waiting.pk}


def test_pounds_become_pence_exactly_and_back(transactional_db):
    try:
        apps = migrate(BEFORE)
        bids = _pounds_records(apps)
        apps = migrate(AFTER)
        Bid = apps.get_model("commissioning", "Bid")
        assert apps.get_model("commissioning", "FundingEnvelope").objects.get().amount_pence == (
            500_000_000
        )
        awarded = Bid.objects.get(pk=bids["awarded"])
        assert (awarded.amount_requested_pence, awarded.amount_awarded_pence) == (
            3_234_567,
            2_037_801,
        )
        waiting = Bid.objects.get(pk=bids["waiting"])
        assert (waiting.amount_requested_pence, waiting.amount_awarded_pence) == (1, None)
        assert apps.get_model("commissioning", "SpendReturn").objects.get().amount_pence == 123_456
        allocation = apps.get_model("commissioning", "FundingAllocation").objects.get()
        assert allocation.amount_pence == 126_000_000

        apps = migrate(BEFORE)
        Bid = apps.get_model("commissioning", "Bid")
        awarded = Bid.objects.get(pk=bids["awarded"])
        assert (awarded.amount_requested, awarded.amount_awarded) == (
            Decimal("32345.67"),
            Decimal("20378.01"),
        )
        assert Bid.objects.get(pk=bids["waiting"]).amount_awarded is None
        assert apps.get_model("commissioning", "FundingEnvelope").objects.get().amount == Decimal(
            "5000000.00"
        )
    finally:
        migrate(AFTER)


@pytest.mark.parametrize(
    ("pounds", "pence"),
    [("0.01", 1), ("5000000.00", 500_000_000), ("999999999999.99", 99_999_999_999_999)],
)
def test_conversion_is_exact(pounds, pence):
    assert MIGRATION._to_pence(Decimal(pounds), "row") == pence


def test_an_amount_that_is_not_whole_pence_stops_the_migration_naming_the_row():
    """Only a hand-edited database could hold one: it is refused, never rounded."""
    with pytest.raises(ValueError, match=r"commissioning bid 7 amount_requested: 0.005 is not"):
        MIGRATION._to_pence(Decimal("0.005"), "commissioning bid 7 amount_requested")
