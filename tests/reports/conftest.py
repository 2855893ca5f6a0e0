"""A small world for reports: Kent's and Essex's January 2024 returns, a stored template
reading a few figures of them, and helpers to publish it."""

from __future__ import annotations

from typing import Any

from msoic.collection.actions import do_submit_return
from msoic.reports import actions
from msoic.reports.models import Edition, ReportTemplate
from tests.conftest import csv_bytes

SMALL = """title: Small report
# Figures
Crimes recorded in January: [[ms_recorded_crimes period=2024-01 id=crimes]].
Kent alone: [[ms_recorded_crimes period=2024-01 orgunit=kent id=kent-crimes]].
Disruptions: [[oic_disruptions period=2024-01 q=over say=2 id=disruptions]].
"""


def submit(actor: Any, rows: list[list[Any]], name: str = "jan.csv") -> None:
    outcome = do_submit_return(name, csv_bytes(rows), actor=actor)
    assert outcome.status == "accepted", outcome


def small_world(national: Any, text: str = SMALL) -> tuple[ReportTemplate, Edition]:
    """Returns for January 2024 (Kent 14 crimes and 3 disruptions, Essex 6 and 1) and a
    draft edition of a template reading them."""
    submit(
        national,
        [
            ["kent", "2024-01", "ms_recorded_crimes", "", 14, ""],
            ["essex", "2024-01", "ms_recorded_crimes", "", 6, ""],
            ["kent", "2024-01", "oic_disruptions", "", 3, ""],
            ["essex", "2024-01", "oic_disruptions", "", 1, ""],
        ],
    )
    template = ReportTemplate.objects.create(name="small", title="Small report")
    actions.do_save_template_version(template, text, actor=national)
    edition = actions.do_create_edition(template, "FY2023-24", actor=national)
    return template, edition


def publish(edition: Edition, national: Any) -> Edition:
    actions.do_approve_edition(edition, actor=national)
    return actions.do_publish_edition(edition, actor=national)
