"""Each operation's return as a catalogue dataset, generated from the operation record.

The generated file (``operation-<series>-<number>.yaml``) joins the YAML definitions when
the catalogue is loaded, so a new or changed operation is a new catalogue revision with
its history kept like any other definition (ADR 0006). The dataset ``uses`` the shared
metrics of the ``intensification`` library (``catalogue/definitions/operations-library.yaml``):
the standard outcomes, the activity metrics chosen for the operation and the highlights.
"""

from __future__ import annotations

from typing import Any

import yaml

LIBRARY_DATASET = "intensification"
STANDARD_METRICS = (
    "op_disruptions",
    "op_potential_victims",
    "op_nrm_dtn_referrals",
    "op_arrests",
    "op_new_investigations",
)
HIGHLIGHTS_METRIC = "op_highlights"
DUE_DAY = 28  # of the month after the operation's month


def activity_choices(catalogue: Any) -> list[tuple[str, str]]:
    """(code, label) of the library's activity metrics, in catalogue order."""
    skip = {*STANDARD_METRICS, HIGHLIGHTS_METRIC}
    return [
        (code, catalogue.metrics[code].label)
        for code in catalogue.datasets[LIBRARY_DATASET].metrics
        if code not in skip
    ]


def source_name(op: Any) -> str:
    return f"operation-{op.slug}.yaml"


def dataset_definition(op: Any, force_codes: list[str]) -> str:
    theme = op.theme
    description = (
        f"{op.name} ({op.start_date.isoformat()} to {op.end_date.isoformat()}), led by "
        f"{op.lead_agency}. Each participating force returns its outcomes and activity for "
        f"the operation once, for {op.period_code}."
    )
    doc = {
        "dataset": {
            "code": op.dataset_code,
            "label": f"{op.name} return: {theme}",
            "description": description,
            "frequency": "operation",
            "orgunits": "forces",
            "participants": sorted(force_codes),
            "due_day": DUE_DAY,
            "lock_on_approval": True,
            "first_period": op.period_code,
            "uses": [*STANDARD_METRICS, *op.activity_metrics, HIGHLIGHTS_METRIC],
        }
    }
    header = (
        f"# Generated from the operation record {op.name}; edit the operation, not this text.\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def operation_sources() -> dict[str, str]:
    """{file name: YAML} for every operation; nothing before the table exists."""
    from django.db import connection

    from msoic.operations.models import Operation

    if Operation._meta.db_table not in connection.introspection.table_names():
        return {}
    through = Operation.forces.through
    forces: dict[int, list[str]] = {}
    for op_id, code in through.objects.values_list("operation_id", "orgunit__code"):
        forces.setdefault(op_id, []).append(code)
    return {
        source_name(op): dataset_definition(op, forces.get(op.pk, []))
        for op in Operation.objects.order_by("start_date", "series", "number")
    }
