"""Figures for the commissioning pages, counted from the bids and spend returns.

A constant number of queries whatever the number of envelopes or bids: one aggregate for
the awards of every envelope shown, one for their spend, one for the bids by region."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, Sum

from msoic.commissioning.models import (
    AWARDED,
    ZERO,
    Bid,
    BidStatus,
    FundingEnvelope,
    Position,
    SpendReturn,
)
from msoic.dashboards.charts import bar_chart
from msoic.metrics.money import format_pounds, pence_to_pounds
from msoic.orgunits.models import OrgUnit


def positions(envelopes: Iterable[FundingEnvelope]) -> dict[int, Position]:
    """Each envelope's commissioning position in pence: amount, committed (awards), spent."""
    envelopes = list(envelopes)
    ids = [e.pk for e in envelopes]
    committed = dict(
        Bid.objects.filter(window__envelope_id__in=ids, status__in=AWARDED)
        .values_list("window__envelope_id")
        .annotate(s=Sum("amount_awarded_pence"))
        .values_list("window__envelope_id", "s")
    )
    spent = dict(
        SpendReturn.objects.filter(bid__window__envelope_id__in=ids)
        .values_list("bid__window__envelope_id")
        .annotate(s=Sum("amount_pence"))
        .values_list("bid__window__envelope_id", "s")
    )
    return {
        e.pk: Position(e.amount_pence, committed.get(e.pk) or ZERO, spent.get(e.pk) or ZERO)
        for e in envelopes
    }


@dataclass
class RegionRow:
    region: str
    approved: int = 0
    part_funded: int = 0
    declined: int = 0
    waiting: int = 0
    awarded: int = ZERO  # pence

    @property
    def bids(self) -> int:
        return self.approved + self.part_funded + self.declined + self.waiting


def bids_by_region(envelope: FundingEnvelope) -> list[RegionRow]:
    """Every region (those without bids too), most approved bids first, then by name."""
    counts: dict[int, dict[str, Any]] = {
        row["region_id"]: dict(row)
        for row in Bid.objects.filter(window__envelope=envelope)
        .values("region_id")
        .annotate(
            approved=Count("pk", filter=Q(status=BidStatus.APPROVED)),
            part_funded=Count("pk", filter=Q(status=BidStatus.PART_FUNDED)),
            declined=Count("pk", filter=Q(status=BidStatus.DECLINED)),
            waiting=Count("pk", filter=Q(status=BidStatus.SUBMITTED)),
            awarded=Sum("amount_awarded_pence", filter=Q(status__in=AWARDED)),
        )
    }
    rows = []
    for region in OrgUnit.objects.regions():
        c = counts.get(region.pk, {})
        rows.append(
            RegionRow(
                region=region.name,
                approved=c.get("approved", 0),
                part_funded=c.get("part_funded", 0),
                declined=c.get("declined", 0),
                waiting=c.get("waiting", 0),
                awarded=c.get("awarded") or ZERO,
            )
        )
    rows.sort(key=lambda r: (-r.approved, r.region))
    return rows


REGION_HEADER = [
    "Region",
    "Approved bids",
    "Part-funded bids",
    "Declined bids",
    "Awaiting decision",
    "Amount awarded (£)",
]


def region_export_rows(rows: list[RegionRow]) -> list[list[Any]]:
    # The amount as text with two decimals: exact in the CSV, never a float.
    return [
        [
            r.region,
            r.approved,
            r.part_funded,
            r.declined,
            r.waiting,
            f"{pence_to_pounds(r.awarded)}",
        ]
        for r in rows
    ]


def region_chart(envelope: FundingEnvelope, rows: list[RegionRow]) -> dict[str, Any]:
    total = sum(r.approved for r in rows)
    return bar_chart(
        f"Approved bids by region: {envelope.name}",
        f"Bar chart of the {total} approved bids against {envelope.name} "
        f"({envelope.financial_year}) by region, most first.",
        [{"label": r.region, "value": r.approved, "text": str(r.approved)} for r in rows],
        label_title="Region",
        value_title="Approved bids",
        sort=[r.region for r in rows],
    )


def describe_position(position: Position) -> dict[str, str]:
    return {
        "amount": format_pounds(position.amount),
        "committed": format_pounds(position.committed),
        "spent": format_pounds(position.spent),
        "remaining": format_pounds(position.uncommitted),
    }
