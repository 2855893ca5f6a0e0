"""The demo's national NRM statistics: a plausible quarterly series (``demo.yaml``) written as
one release laid out like the Home Office's published tables (an XLSX file with a header
block above each table) and loaded through :func:`msoic.nrmstats.actions.do_load_release`,
so the demo goes through the same reading path, pipeline and audit as a real release.

Quarters are calendar quarters as published, from January to March 2015 (FY2014-15-Q4) to
January to March 2024 (FY2023-24-Q4). Idempotent: a release of the same publication and
date already loaded is not loaded again.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook

from msoic.demo.generator import apportion
from msoic.nrmstats.actions import do_load_release
from msoic.nrmstats.models import Release

CONFIG = Path(__file__).resolve().parent / "demo.yaml"
RESPONDERS = ("police", "local_authority", "home_office", "ngo", "other")
RESPONDER_HEADERS = ("Police", "Local authority", "Home Office", "NGO", "Other")
EXPLOITATION = ("labour", "sexual", "criminal", "domestic_servitude", "organ_harvesting", "other")
EXPLOITATION_HEADERS = (
    "Labour",
    "Sexual",
    "Criminal",
    "Domestic servitude",
    "Organ harvesting",
    "Not specified or unknown",
)
MONTHS = {1: "Jan to Mar", 4: "Apr to Jun", 7: "Jul to Sep", 10: "Oct to Dec"}


class DemoConfigError(ValueError):
    pass


@dataclass
class DemoSeries:
    """Quarter start -> first responder -> referrals; and -> exploitation type -> referrals."""

    responders: dict[date, dict[str, int]] = field(default_factory=dict)
    exploitation: dict[date, dict[str, int]] = field(default_factory=dict)

    def total(self, quarter: date) -> int:
        return sum(self.responders[quarter].values())


def plan(path: Path = CONFIG) -> tuple[dict[str, Any], DemoSeries]:
    doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    seasons = [float(s) for s in doc["seasons"]]
    if len(seasons) != 4:
        raise DemoConfigError(f"{path.name}: seasons needs four shares")
    non_police = doc["non_police"]
    exploitation = doc["exploitation"]
    if set(non_police) != set(RESPONDERS[1:]) or set(exploitation) != set(EXPLOITATION):
        raise DemoConfigError(f"{path.name}: non_police or exploitation names the wrong types")
    quarters: dict[date, tuple[int, int]] = {}
    for year, total in sorted(doc["years"].items()):
        share = float(doc["police_share"][year])
        for i, part in enumerate(apportion(int(total), seasons)):
            quarters[date(int(year), 3 * i + 1, 1)] = (part, round(part * share))
    for key, (total, police) in doc["quarters"].items():
        y, m = (int(x) for x in str(key).split("-"))
        quarters[date(y, m, 1)] = (int(total), int(police))
    series = DemoSeries()
    for start, (total, police) in sorted(quarters.items()):
        others = apportion(total - police, [float(non_police[r]) for r in RESPONDERS[1:]])
        series.responders[start] = dict(zip(RESPONDERS, [police, *others], strict=True))
        parts = apportion(total, [float(exploitation[e]) for e in EXPLOITATION])
        series.exploitation[start] = dict(zip(EXPLOITATION, parts, strict=True))
    return doc, series


def quarter_label(start: date) -> str:
    return f"{MONTHS[start.month]} {start.year}"


def release_xlsx(doc: dict[str, Any], series: DemoSeries) -> bytes:
    """The release as the Home Office lays its tables out: a header block (title, notes,
    source) above each table; first responder types as columns with a quarter per row, and
    exploitation types as rows with a quarter per column."""
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Table_1"
    first.append([f"Table 1: NRM referrals by first responder type, {doc['publication']}"])
    first.append(["This worksheet holds one table. Figures are referrals of potential victims."])
    first.append(["Source: demo data (plausible values, not the published tables)"])
    first.append([])
    first.append(["Year", "Quarter", *RESPONDER_HEADERS, "Total"])
    year_shown = None
    for start, counts in sorted(series.responders.items()):
        year = start.year if start.year != year_shown else None
        year_shown = start.year
        values = [counts[r] for r in RESPONDERS]
        first.append([year, quarter_label(start), *values, sum(values)])
    first.append([])
    first.append(["Notes: '-' means none; figures may be revised in later releases."])
    second = book.create_sheet("Table_2")
    second.append([f"Table 2: NRM referrals by exploitation type, {doc['publication']}"])
    second.append(["Source: demo data (plausible values, not the published tables)"])
    second.append([])
    starts = sorted(series.exploitation)
    second.append(["Exploitation type", *[quarter_label(s) for s in starts]])
    for name, header in zip(EXPLOITATION, EXPLOITATION_HEADERS, strict=True):
        second.append([header, *[series.exploitation[s][name] for s in starts]])
    second.append(["Total", *[sum(series.exploitation[s].values()) for s in starts]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class NrmDemoReport:
    publication: str
    state: str
    quarters: int
    detail: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = f"National NRM statistics: {self.publication}: {self.state}"
        return [f"{head} ({self.quarters} quarters)"] + [f"  {line}" for line in self.detail]


def build_nrm_statistics_demo(national: Any) -> NrmDemoReport:
    doc, series = plan()
    released_on = date.fromisoformat(str(doc["released_on"]))
    publication = str(doc["publication"])
    quarters = len(series.responders)
    if Release.objects.filter(publication=publication, released_on=released_on).exists():
        return NrmDemoReport(publication, "already loaded", quarters)
    result = do_load_release(
        actor=national,
        filename="nrm_statistics_demo_release.xlsx",
        data=release_xlsx(doc, series),
        publication=publication,
        released_on=released_on,
        url=str(doc.get("url") or ""),
    )
    if not result.ok:
        raise DemoConfigError("\n".join(result.lines()))
    return NrmDemoReport(publication, "loaded", quarters, result.lines())
