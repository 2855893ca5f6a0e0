"""The demo reproduces the annual report's operations-supported figures from its records."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from msoic.support.access import supported_operations_visible_to
from msoic.support.demo import build_support_demo, houston_target_pence, load_plan
from msoic.support.models import FinancialOutcome, OperationSupportType, SupportedOperation
from msoic.support.summary import build_summary
from tests.support.test_summary import assert_tables_add_up_to_the_page_total

pytestmark = pytest.mark.django_db


def test_276_operations_in_2023_24_including_houston(personas: dict[str, Any]) -> None:
    plan = load_plan()
    targets = {e["year"]: e["operations"] for e in plan["years"]}
    assert targets["FY2023-24"] == 276
    report = build_support_demo(personas["national"])
    assert report.counted == targets

    houston = SupportedOperation.objects.get(operation_name="Operation Houston")
    assert houston.force.code == "sussex" and houston.financial_year == "FY2023-24"
    assert [t.support_type for t in houston.support_types.all()] == ["financial"]
    order = houston.financial_outcomes.get()
    assert (order.kind, order.amount_pence) == ("reparation", 19_800_000)
    assert report.houston_pence == houston_target_pence() == 19_800_000

    year = SupportedOperation.objects.filter(fy_start=2023)
    assert year.values("force").distinct().count() >= 35
    assert year.values("force__parent").distinct().count() == 10
    types = set(
        OperationSupportType.objects.filter(operation__in=year).values_list(
            "support_type", flat=True
        )
    )
    assert types == {"advice", "tactical", "intelligence", "financial", "victim_care"}
    assert FinancialOutcome.objects.filter(operation__in=year).count() > 10

    client = Client()
    client.force_login(personas["national"])
    text = client.get("/operations-supported/summary/?year=FY2023-24").content.decode()
    assert 'data-figure="operations">276<' in text
    # the tables by support type, crime type and "given by" carry the year's outcomes
    summary = build_summary(supported_operations_visible_to(personas["national"]), 2023)
    assert summary.amount >= houston_target_pence() and summary.outcomes > 10
    assert_tables_add_up_to_the_page_total(summary)
    assert sum(line.amount for line in summary.by_crime_type) == summary.amount
    assert sum(line.amount for line in summary.by_provider) == summary.amount
    assert max(line.amount for line in summary.by_support_type) >= houston_target_pence()
    assert "Operation Houston" in client.get("/operations-supported/?q=Houston").content.decode()

    again = build_support_demo(personas["national"])
    assert again.created == 0 and again.counted == targets
    assert again.already == list(targets)
