"""The dashboards as a partner sees them: disclosure control (ADR 0010).

A dashboard is built on months (the picked month, twelve months to it, monthly trends),
periods that overlap one another. Figures of activity (investigations, crimes,
disruptions) are shown to partners as to everyone. Figures of people (the policy's
``people`` metrics: NRM referrals, Duty to Notify reports, arrests, charges) are not shown
by month to a partner: the monthly blocks of those metrics, their headline and the
register-source block are left out, and a section gives them instead by ended financial
year, national, perturbed and suppressed by :mod:`msoic.disclosure.values` (the same
figures /api/v1/values gives the partner).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from msoic.catalogue.loader import Catalogue
from msoic.dashboards import charts
from msoic.dashboards.blocks import Block, Column, DashboardDef, HeadlineItem, Section
from msoic.disclosure.control import NOTE
from msoic.disclosure.values import controlled_dict, counts_people
from msoic.metrics.engine import Answers, Ask, SeriesAsk, query_many
from msoic.metrics.periods import Period, last_complete_month, parse_month
from msoic.orgunits.models import OrgUnit

YEARS = 3
SECTION = ("people", "Figures of people, by financial year")


def people_metrics(definition: DashboardDef, cat: Catalogue) -> list[str]:
    return [
        code
        for code, m in cat.metrics.items()
        if m.dataset == definition.dataset and counts_people(code)
    ]


def shown_block(block_id: str, definition: DashboardDef, cat: Catalogue) -> bool:
    """May a partner see this month-based block? Not one of a metric counting people, nor
    the register-source block (it splits figures of people)."""
    if block_id == "sources":
        return False
    for code in people_metrics(definition, cat):
        if block_id == f"trend-{code}" or block_id.startswith((f"split-{code}-", f"mix-{code}-")):
            return False
    return True


def shown_headline(items: list[HeadlineItem]) -> list[HeadlineItem]:
    return [item for item in items if not counts_people(item.metric.code)]


def years(definition: DashboardDef, cat: Catalogue, month: date) -> list[Period]:
    """The financial years ended by the picked month (the newest three, oldest first, none
    before the dataset's first month, none not yet over)."""
    month = min(month, last_complete_month(timezone.localdate()))
    newest = Period.last_financial_year_to(month)
    first = parse_month(cat.datasets[definition.dataset].first_period)
    out = []
    for back in range(YEARS - 1, -1, -1):
        fy = Period.financial_year_starting(newest.start.year - back)
        if fy.end >= first:
            out.append(fy)
    return out


def _text(value: Any, withheld: str | None) -> str:
    if withheld:
        return withheld
    return "no figure" if value is None else f"{value:,}"


def block_ids(definition: DashboardDef, cat: Catalogue) -> list[str]:
    ids = []
    for code in people_metrics(definition, cat):
        ids.append(f"fy-{code}")
        ids += [f"fy-{code}-{b}" for b in cat.metric(code).breakdowns]
    return ids


def _asks(block_id: str, definition: DashboardDef, cat: Catalogue, month: date) -> list[Ask]:
    """What the block ``block_id`` asks the engine (nothing for an unknown block)."""
    periods = years(definition, cat, month)
    for code in people_metrics(definition, cat):
        if block_id == f"fy-{code}":
            return [Ask(code, fy) for fy in periods]
        for breakdown in cat.metric(code).breakdowns:
            if block_id == f"fy-{code}-{breakdown}" and periods:
                return [Ask(code, periods[-1], breakdown)]
    return []


def _answers(
    block_ids: list[str], definition: DashboardDef, cat: Catalogue, national: OrgUnit, month: date
) -> Answers:
    """The engine's answers for every block in ``block_ids``, in one call."""
    asks: list[Ask | SeriesAsk] = list(
        dict.fromkeys(a for b in block_ids for a in _asks(b, definition, cat, month))
    )
    return query_many(national, asks, catalogue=cat)


def build(
    block_id: str,
    definition: DashboardDef,
    cat: Catalogue,
    national: OrgUnit,
    month: date,
    answers: Answers | None = None,
) -> Block:
    """One of the partner's financial-year blocks (KeyError if there is no such block);
    ``answers`` from :func:`_answers` when several blocks are built together."""
    if answers is None:
        answers = _answers([block_id], definition, cat, national, month)
    periods = years(definition, cat, month)
    for code in people_metrics(definition, cat):
        metric = cat.metric(code)
        if block_id == f"fy-{code}":
            rows, bars = [], []
            for fy in periods:
                data = controlled_dict(answers.query(Ask(code, fy)))
                text = _text(data["value"], data.get("withheld"))
                rows.append({"year": fy.label, "value": text})
                bars.append({"label": fy.label, "value": data["value"], "text": text})
            return _block(
                block_id,
                f"{metric.short_label} by financial year",
                f"{metric.short_label} in England and Wales in each of the last "
                f"{len(periods)} financial years, under disclosure control.",
                [
                    Column("year", "Financial year", "header"),
                    Column("value", metric.unit.capitalize()),
                ],
                rows,
                bars,
                "Financial year",
                metric.unit.capitalize(),
            )
        for breakdown in metric.breakdowns:
            if block_id != f"fy-{code}-{breakdown}" or not periods:
                continue
            fy = periods[-1]
            data = controlled_dict(answers.query(Ask(code, fy, breakdown)))
            rows, bars = [], []
            for row in data["rows"]:
                text = _text(row["value"], row.get("withheld"))
                rows.append({"option": row["label"], "value": text})
                bars.append({"label": row["label"], "value": row["value"], "text": text})
            rows.append({"option": "Total", "value": _text(data["value"], data.get("withheld"))})
            label = cat.breakdowns[breakdown].label
            return _block(
                block_id,
                f"{metric.short_label} by {label.lower()}, {fy.label.lower()}",
                f"{metric.short_label} in England and Wales by {label.lower()}, "
                f"{fy.label.lower()}, under disclosure control.",
                [Column("option", label, "header"), Column("value", metric.unit.capitalize())],
                rows,
                bars,
                label,
                metric.unit.capitalize(),
            )
    raise KeyError(block_id)


def _block(
    block_id: str,
    title: str,
    description: str,
    columns: list[Column],
    rows: list[dict[str, Any]],
    bars: list[dict[str, Any]],
    label_title: str,
    value_title: str,
) -> Block:
    spec = charts.bar_chart(
        title,
        description,
        bars,
        label_title=label_title,
        value_title=value_title,
        sort=[b["label"] for b in bars],
    )
    return Block(
        id=block_id,
        section=SECTION[0],
        title=title,
        description=description,
        columns=columns,
        rows=rows,
        charts=[spec],
        notes=[NOTE],
    )


def section(
    definition: DashboardDef, cat: Catalogue, national: OrgUnit, month: date
) -> Section | None:
    ids = block_ids(definition, cat)
    answers = _answers(ids, definition, cat, national, month)
    blocks = [build(b, definition, cat, national, month, answers) for b in ids]
    return Section(SECTION[0], SECTION[1], blocks) if blocks else None
