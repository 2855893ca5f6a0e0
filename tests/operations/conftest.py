"""Operation fixtures: operations planned through the actions, as the unit would."""

from __future__ import annotations

from datetime import date
from typing import Any

from msoic.operations.actions import OperationDetails, do_create_operation
from msoic.operations.models import Operation
from tests.conftest import csv_bytes

HEADER = ["force", "period", "metric", "breakdown", "value", "comment", "dataset"]


def make_operation(
    unit: Any,
    *,
    number: int = 33,
    forces: tuple[str, ...] = ("kent", "essex", "cleveland", "surrey"),
    start: date = date(2023, 5, 15),
    activity: tuple[str, ...] = ("op_sites_visited", "op_businesses_reached"),
) -> Operation:
    return do_create_operation(
        OperationDetails(
            series="AIDANT",
            number=number,
            theme="Labour exploitation in the construction sector",
            start_date=start,
            end_date=date(start.year, start.month, min(start.day + 6, 28)),
            lead_agency="MSOIC Unit and National Crime Agency",
            forces=list(forces),
            exploitation_type="labour",
            sector="Construction",
            partner_agencies=["Health and Safety Executive", "GLAA"],
            activity_metrics=list(activity),
        ),
        actor=unit,
    )


def return_csv(op: Operation, force: str, figures: dict[str, Any], highlights: str = "") -> bytes:
    rows = [[force, op.period_code, m, "", v, "", op.dataset_code] for m, v in figures.items()]
    if highlights:
        rows.append([force, op.period_code, "op_highlights", "", "", highlights, op.dataset_code])
    return csv_bytes(rows, HEADER)
