"""Building a report: every tag of a template answered by the one metric engine.

The questions of a template are gathered first and asked together, one
:func:`msoic.metrics.engine.query_many` call per org unit, so a whole report costs a few
grouped queries. Figures derived from records (training, the register) come through the
engine's derived sources like any other: this app imports no feature app. A date tag
(``[[date SOURCE ...]]``) is answered by the registry of dated facts
(:mod:`msoic.metrics.dates`), which feature apps fill the same way.

Two modes. A *draft* states the exact figures (the unit reads drafts). A *publication*
passes every figure of a metric that counts people through disclosure control
(:mod:`msoic.disclosure`): a withheld figure, or a period the policy refuses, is an error
that stops publication, with the template line.

The result, :class:`Built`, is plain data (JSON-able through :meth:`Built.as_dict`), so a
published snapshot is stored as it is and every output format is drawn from it again
without asking the engine.
"""

from __future__ import annotations

import re
import shlex
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from msoic.catalogue.loader import Catalogue, Metric, get_catalogue
from msoic.dashboards import charts
from msoic.disclosure.control import DisclosureError, check_period
from msoic.disclosure.values import counts_people, release_result
from msoic.metrics import dates, engine
from msoic.metrics.engine import Ask, QueryError, Result
from msoic.metrics.periods import Period, PeriodError, month_label, parse_month, quarter_start
from msoic.orgunits.models import OrgUnit
from msoic.reports import qualifiers
from msoic.reports.tags import DATE_KEYS, Block, Tag, Template, Text, said_show

DRAFT = "draft"
PUBLICATION = "publication"
# Where a figure's metric is shown, by the dataset that collects it or the derived source
# that counts it (a URL name: this app links to feature apps' pages, it imports none of them).
DASHBOARD_OF = {
    "ms-monthly": "dashboard-ms",
    "oic-monthly": "dashboard-oic",
    "terminus-quarterly": "terminus",
    "intensification": "operations-intensifications",
    "intensifications-held": "operations-intensifications",
    "training": "capability-list",
    "intel": "intel-dashboard",
    "documents": "documents-list",
    "support": "support-summary",
    "benchmarking": "benchmarking",
    "peerreview": "peer-reviews",
    "programme": "programme-pillars",
    "partnerships": "partnerships-list",
    "register": "nrm-picture",
    "nrm-national-quarterly": "nrm-statistics",
    "commissioning": "commissioning",
    "tasking": "tasking-list",
}
# Pages that show an org unit and a period named in the query string.
PAGES_BY_PERIOD = ("dashboard-ms", "dashboard-oic", "nrm-picture")
# A metric shown on a page of its own rather than its dataset's.
PAGE_OF_METRIC = {
    "peer_review_themes": "peerreview-themes",
    "peer_review_recommendations": "peerreview-tracker",
    "peer_review_good_practice": "peerreview-library",
    "commissioning_bids_approved": "commissioning-bids",
}
RANGE_RE = re.compile(r"^(\d{4}-\d{2})\.\.(\d{4}-\d{2})$")


@dataclass
class Built:
    """A report built for a period: the rendering model, every figure, the problems."""

    title: str
    period: str
    period_label: str
    mode: str
    built_at: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    template_version: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "period": self.period,
            "period_label": self.period_label,
            "mode": self.mode,
            "built_at": self.built_at,
            "template_version": self.template_version,
            "blocks": self.blocks,
            "figures": list(self.figures.values()),
            "warnings": self.warnings,
            "errors": self.errors,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Built:
        return cls(
            title=data["title"],
            period=data["period"],
            period_label=data["period_label"],
            mode=data["mode"],
            built_at=data["built_at"],
            blocks=data["blocks"],
            figures={f["id"]: f for f in data["figures"]},
            warnings=list(data.get("warnings", [])),
            errors=list(data.get("errors", [])),
            template_version=data.get("template_version"),
        )


class Problem(Exception):
    """A tag that cannot be answered: the message names the template line."""


def resolve_period(text: str | None, base: Period) -> tuple[Period, str, str]:
    """A tag's period: the build's (``FY`` or nothing), the year before (``FY-1``), a
    period code, or a run of months ``2023-08..2024-09``. Returns (period, code, label)."""
    if not text or text == "FY":
        return base, base.code, base.label
    if text == "FY-1":
        prev = base.previous_year()
        return prev, prev.code, prev.label
    found = RANGE_RE.match(text)
    if found:
        start, end = parse_month(found.group(1)), parse_month(found.group(2))
        if end < start:
            raise PeriodError(f"{text!r}: the range ends before it starts")
        label = f"{month_label(start, short=True)} to {month_label(end, short=True)}"
        return Period(start, end, "range"), text, label
    period = Period.parse(text)
    return period, period.code, period.label


@dataclass
class _Question:
    tag: Tag
    orgunit: OrgUnit
    period: Period
    period_code: str
    period_label: str
    ask: Ask
    metric: Metric
    # show=lowest/highest: the period's months or quarters, each asked on its own.
    parts: list[Ask] = field(default_factory=list)


def split_period(period: Period, per: str) -> list[Period]:
    """``period``'s months, or its quarters (financial-year quarters, each wholly inside
    it); a :class:`PeriodError` when the period does not divide into whole quarters."""
    if per == "month":
        return [Period.month(m) for m in period.months()]
    starts = list(dict.fromkeys(quarter_start(m) for m in period.months()))
    quarters = [Period.quarter(s) for s in starts]
    if quarters[0].start != period.start or quarters[-1].end != period.end:
        raise PeriodError(f"{period.code} does not divide into whole quarters")
    return quarters


class Builder:
    """Resolves one template for one period (see the module docstring)."""

    def __init__(
        self,
        template: Template,
        period: Period,
        *,
        mode: str = DRAFT,
        catalogue: Catalogue | None = None,
        now: datetime | None = None,
    ) -> None:
        self.template = template
        self.base = period
        self.mode = mode
        self.cat = catalogue or get_catalogue()
        self.now = now or timezone.now()
        self.orgunits = {o.code: o for o in OrgUnit.objects.all()}
        self.built = Built(
            title=template.title,
            period=period.code,
            period_label=period.label,
            mode=mode,
            built_at=self.now.isoformat(timespec="seconds"),
        )
        self.answers: dict[tuple[str, Ask], Result] = {}
        self.failed: dict[int, str] = {}  # id(tag) -> message
        self.ids: set[str] = set()
        self.sections = [0, 0]

    # --- asking ---------------------------------------------------------------------------

    def _question(self, tag: Tag, metric_code: str, extra: dict[str, str]) -> _Question:
        o = {**tag.options, **extra}
        metric = self.cat.metrics.get(metric_code)
        if metric is None:
            raise Problem(f"{tag.where()}: unknown metric {metric_code!r}")
        code = o.get("orgunit", "national")
        orgunit = self.orgunits.get(code)
        if orgunit is None:
            raise Problem(f"{tag.where()}: unknown org unit {code!r}")
        try:
            period, period_code, label = resolve_period(o.get("period"), self.base)
        except PeriodError as exc:
            raise Problem(f"{tag.where()}: {exc}") from None
        dataset = o.get("dataset") or None
        if dataset is not None and dataset not in self.cat.datasets:
            raise Problem(f"{tag.where()}: unknown dataset {dataset!r}")
        show = o.get("show", "value")
        compare = "previous-year" if (o.get("compare") or show in ("previous", "change")) else None
        by = o.get("by") or None
        ask = Ask(metric.code, period, by=by, compare=compare, dataset=dataset)
        parts: list[Ask] = []
        if show in ("lowest", "highest"):
            try:
                pieces = split_period(period, o["per"])
            except PeriodError as exc:
                raise Problem(f"{tag.where()}: {exc}") from None
            parts = [Ask(metric.code, p, dataset=dataset) for p in pieces]
        return _Question(tag, orgunit, period, period_code, label, ask, metric, parts)

    def _questions(self) -> list[_Question]:
        out: list[_Question] = []
        for tag in self.template.tags():
            if tag.kind == "date":
                continue  # answered by the registry of dated facts (date_figure)
            try:
                if tag.kind == "table" and tag.options.get("rows"):
                    for metric, period in _rows_of(tag):
                        extra = {"period": period} if period else {}
                        out.append(self._question(tag, metric, extra))
                else:
                    out.append(self._question(tag, tag.options["metric"], {}))
            except Problem as exc:
                self.failed[id(tag)] = str(exc)
        return out

    def ask_all(self) -> None:
        questions = self._questions()
        by_unit: dict[str, list[_Question]] = defaultdict(list)
        for q in questions:
            by_unit[q.orgunit.code].append(q)
        for code, group in by_unit.items():
            orgunit = self.orgunits[code]
            asks = list(dict.fromkeys(a for q in group for a in (q.ask, *q.parts)))
            try:
                answers = engine.query_many(orgunit, list(asks), catalogue=self.cat)
            except QueryError:
                # One question cannot be asked: ask each alone to say which.
                for q in group:
                    try:
                        mine = [q.ask, *q.parts]
                        one = engine.query_many(orgunit, [*mine], catalogue=self.cat)
                    except QueryError as exc:
                        self.failed.setdefault(id(q.tag), f"{q.tag.where()}: {exc}")
                    else:
                        for ask in mine:
                            self.answers[(code, ask)] = one.query(ask)
                continue
            for ask in asks:
                self.answers[(code, ask)] = answers.query(ask)
        self.questions = {id(q.tag): q for q in questions}
        self.table_questions: dict[int, list[_Question]] = defaultdict(list)
        for q in questions:
            self.table_questions[id(q.tag)].append(q)

    # --- figures --------------------------------------------------------------------------

    def _new_id(self, wanted: str) -> str:
        base = re.sub(r"[^a-z0-9_.-]+", "-", wanted.lower()).strip("-") or "figure"
        out, n = base, 2
        while out in self.ids:
            out, n = f"{base}-{n}", n + 1
        self.ids.add(out)
        return out

    def _released(self, q: _Question, result: Result) -> tuple[Any, Any]:
        """(figures to state, why they are withheld or None): the engine's result itself in
        a draft; in a publication, a metric counting people through disclosure control."""
        if self.mode != PUBLICATION or not counts_people(q.metric.code):
            return result, None
        if q.ask.by in ("force", "region"):
            return None, "figures of people are published for the nation by breakdown only"
        try:
            return release_result(result), None
        except DisclosureError as exc:
            return None, str(exc)

    def figure(self, tag: Tag) -> dict[str, Any]:
        """Resolve a figure tag (raises :class:`Problem`)."""
        if tag.kind == "date":
            return self.date_figure(tag)
        if id(tag) in self.failed:
            raise Problem(self.failed[id(tag)])
        q = self.questions[id(tag)]
        result = self.answers.get((q.orgunit.code, q.ask))
        if result is None:
            raise Problem(f"{tag.where()}: no answer")
        o = tag.options
        show = o.get("show", "value")
        words = o.get("words") == "yes"
        if words and q.metric.unit == "gbp" and show != "returns":
            raise Problem(f"{tag.where()}: words prints counts, not money ({q.metric.code})")
        option = o.get("option")
        if option:
            keys = [r.key for r in result.rows]
            if option not in keys:
                raise Problem(
                    f"{tag.where()}: {option!r} is not an option of {o['by']} "
                    f"(options: {', '.join(keys)})"
                )
        part_period: str | None = None
        if show == "returns":
            # A count of returns (or records standing for them), not of people: exact.
            value: Decimal | None = Decimal(result.coverage.received)
        elif show in ("lowest", "highest"):
            value, part_period = self._extreme(q, show)
        else:
            released, why = self._released(q, result)
            if why:
                raise Problem(f"{tag.where()}: withheld by disclosure control: {why}")
            value = _pick(result, released, show, option)
        if value is None:
            raise Problem(
                f"{tag.where()}: withheld or no figure for {q.metric.code} "
                f"({q.orgunit.name}, {q.period_label})"
            )
        # A metric that is itself a per cent (a ratio, e.g. survey_percent_agree) prints as one.
        percent = show in ("change", "share") or q.metric.unit == "percent"
        unit = "percent" if percent else ("gbp" if q.metric.unit == "gbp" else "count")
        if unit == "gbp":
            value = value / 100  # pence to pounds
        places = int(o.get("round", "1" if show == "change" else "0"))
        qualifier = o.get("q")
        if "say" in o:
            stated = Decimal(o["say"].replace(",", ""))
        else:
            stated = qualifiers.round_to(value, places, qualifier)
        text = qualifiers.printed(stated, places, unit=unit, qualifier=qualifier, words=words)
        fid = self._new_id(
            o.get("id") or f"{q.metric.code}-{show}-{q.period_code}-{q.orgunit.code}"
        )
        holds = None
        if qualifier:
            holds = qualifiers.holds(qualifier, value, stated, percent=percent)
            if not holds:
                self.built.warnings.append(
                    f'{tag.where()}: "{text}" no longer holds: the figure is '
                    f"{qualifiers.number_text(value, max(places, 1) if percent else 0)}"
                    f"{'%' if percent else ''}"
                )
        unpublishable = self._unpublishable(q, result, show, option)
        if unpublishable:
            self.built.warnings.append(
                f"{tag.where()}: a draft may state it, but it cannot be published as it "
                f"stands: {unpublishable}"
            )
        figure = {
            "id": fid,
            "label": o.get("label") or _label(q, show, option, result),
            "value": _number(value),
            "text": text,
            "unit": unit,
            "metric": q.metric.code,
            "orgunit": q.orgunit.code,
            "period": (
                result.previous_period.code
                if show == "previous" and result.previous_period
                else q.period_code
            ),
            "show": show,
            "qualifier": qualifier,
            "stated": _number(stated),
            "qualifier_holds": holds,
            "words": words,
            "part_period": part_period,
            "line": tag.line,
            "link": _link(q, self.cat),
            "provenance": _provenance(q, result, self.built.built_at, self.mode, show),
        }
        self.built.figures[fid] = figure
        return figure

    def date_figure(self, tag: Tag) -> dict[str, Any]:
        """Resolve a date tag through the registry of dated facts (raises :class:`Problem`).
        A date is no count of people: it is stated exactly in a publication too."""
        o = tag.options
        name = o["source"]
        asked = {k: v for k, v in o.items() if k not in DATE_KEYS}
        if "period" in asked:
            try:
                asked["period"] = resolve_period(asked["period"], self.base)[1]
            except PeriodError as exc:
                raise Problem(f"{tag.where()}: {exc}") from None
        try:
            fact = dates.fact(name, asked)
        except dates.DateError as exc:
            raise Problem(f"{tag.where()}: {exc}") from None
        show = o.get("show") or (said_show(o["say"]) if "say" in o else None) or fact.precision
        if not dates.can_show(fact.precision, show):
            raise Problem(
                f"{tag.where()}: show={show} asks for more than the records give: {name} is "
                f"known to the {fact.precision}"
            )
        qualifier = o.get("q")
        if "say" in o:
            stated = qualifiers.said_date(o["say"], show)
        else:
            stated = dates.span(fact.on, show)[0]
        text = qualifiers.date_printed(stated, show, qualifier)
        holds = None
        if qualifier:
            holds = qualifiers.date_holds(qualifier, fact.on, stated, show)
            if not holds:
                self.built.warnings.append(
                    f'{tag.where()}: "{text}" no longer holds: the date is '
                    f"{qualifiers.date_text(fact.on, fact.precision)}"
                )
        fid = self._new_id(o.get("id") or f"date-{name}-{show}")
        query = " ".join(
            ["msoic query date", shlex.quote(name)]
            + [shlex.quote(f"{k}={v}") for k, v in asked.items()]
        )
        figure: dict[str, Any] = {
            "id": fid,
            "label": o.get("label") or fact.label,
            "value": fact.on.isoformat(),
            "text": text,
            "unit": "date",
            "metric": "",
            "source": name,
            "options": asked,
            "precision": fact.precision,
            "orgunit": asked.get("orgunit", ""),
            "period": asked.get("period", ""),
            "show": show,
            "qualifier": qualifier,
            "stated": stated.isoformat(),
            "qualifier_holds": holds,
            "part_period": None,
            "line": tag.line,
            "link": fact.link,
            "provenance": {
                "query": query,
                "dataset": "",
                "as_at": self.built.built_at,
                "records": fact.records,
                "returns_expected": None,
                "returns_received": None,
                "from_records": 0,
                "complete": True,
                "missing_forces": [],
                "disclosure": "exact",
            },
        }
        self.built.figures[fid] = figure
        return figure

    def _unpublishable(
        self, q: _Question, result: Result, show: str, option: str | None
    ) -> str | None:
        """Why publishing would refuse a figure the draft states (a figure of people over a
        period the disclosure policy does not release), so the unit learns it while
        drafting, not at the last step. None in a publication (there it is an error)."""
        if self.mode != DRAFT or show == "returns" or not counts_people(q.metric.code):
            return None
        if q.ask.by in ("force", "region"):
            return "figures of people are published for the nation by breakdown only"
        periods = [q.period, *(a.period for a in q.parts)]
        if q.ask.compare and result.previous_period is not None:
            periods.append(result.previous_period)
        for period in periods:
            try:
                check_period(period, f"figures of {q.metric.short_label.lower()}")
            except DisclosureError as exc:
                return str(exc)
        if q.parts:
            return None
        released = release_result(result)
        if _pick(result, released, show, option) is not None:
            return None
        cells = [released.value, released.previous_value, *released.rows.values()]
        why = next((c.text for c in cells if c is not None and c.withheld), "")
        return why or "disclosure control would withhold it"

    def _extreme(self, q: _Question, show: str) -> tuple[Decimal | None, str | None]:
        """The lowest or highest of the period's months or quarters, and which one it is
        (each through disclosure control in a publication, as a figure of its own)."""
        found: list[tuple[Decimal, str]] = []
        for ask in q.parts:
            part = self.answers[(q.orgunit.code, ask)]
            released, why = self._released(q, part)
            if why:
                raise Problem(f"{q.tag.where()}: withheld by disclosure control: {why}")
            value = _pick(part, released, "value", None)
            if value is None:
                return None, None
            found.append((value, ask.period.code))
        if not found:
            return None, None
        pick = min if show == "lowest" else max
        value, code = pick(found, key=lambda f: f[0])
        return value, code

    # --- blocks ---------------------------------------------------------------------------

    def _segments(self, text: Text) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        for part in text.parts:
            if isinstance(part, str):
                out.append({"t": part})
                continue
            try:
                out.append({"f": self.figure(part)["id"]})
            except Problem as exc:
                self.built.errors.append(str(exc))
                out.append({"t": "[figure missing]"})
        return out

    def block(self, block: Block) -> dict[str, Any] | None:
        if block.kind == "heading":
            number = ""
            if block.level == 1:
                self.sections = [self.sections[0] + 1, 0]
                number = str(self.sections[0])
            return {
                "kind": "heading",
                "level": block.level,
                "number": number,
                "text": self._segments(block.texts[0]),
            }
        if block.kind in ("paragraph", "quote"):
            return {"kind": block.kind, "text": self._segments(block.texts[0])}
        if block.kind in ("list", "tiles"):
            return {"kind": block.kind, "items": [self._segments(t) for t in block.texts]}
        if block.kind == "grid":
            head = ["".join(p for p in t.parts if isinstance(p, str)) for t in block.rows[0]]
            return {
                "kind": "table",
                "id": self._new_id("table"),
                "caption": block.caption,
                "head": head,
                "numeric": [False] * len(head),
                "rows": [[self._segments(c) for c in row] for row in block.rows[1:]],
            }
        assert block.tag is not None
        try:
            if block.kind == "table":
                return self.table(block.tag)
            return self.chart(block.tag)
        except Problem as exc:
            self.built.errors.append(str(exc))
            return None

    def _row_figure(self, tag: Tag, q: _Question, show: str, label: str) -> dict[str, str]:
        """A figure of a table row, resolved as a figure tag of its own would be."""
        options = {k: v for k, v in tag.options.items() if k in ("orgunit", "dataset", "round")}
        options.update(metric=q.metric.code, period=q.period_code, show=show, label=label)
        if show == "change":
            options.setdefault("round", "1")
        else:
            options.pop("round", None)
        row_tag = Tag("figure", options, tag.line, tag.source)
        self.questions[id(row_tag)] = _Question(
            row_tag, q.orgunit, q.period, q.period_code, q.period_label, q.ask, q.metric
        )
        return {"f": self.figure(row_tag)["id"]}

    def table(self, tag: Tag) -> dict[str, Any]:
        if id(tag) in self.failed:
            raise Problem(self.failed[id(tag)])
        caption = tag.options.get("caption", "")
        tid = self._new_id(tag.options.get("id") or "table")
        if tag.options.get("rows"):
            rows: list[list[list[dict[str, str]]]] = []
            for q in self.table_questions[id(tag)]:
                result = self.answers[(q.orgunit.code, q.ask)]
                prev = result.previous_period
                name = q.metric.short_label
                prev_label = prev.label if prev else ""
                rows.append(
                    [
                        [{"t": name}],
                        [{"t": prev_label}],
                        [self._row_figure(tag, q, "previous", f"{name}, {prev_label}")],
                        [{"t": q.period_label}],
                        [self._row_figure(tag, q, "value", f"{name}, {q.period_label}")],
                        [self._row_figure(tag, q, "change", f"{name}, change")],
                    ]
                )
            head = ["Measure", "Year before", "Total", "Year", "Total", "Change"]
            return {
                "kind": "table",
                "id": tid,
                "caption": caption,
                "head": head,
                "numeric": [False, False, True, False, True, True],
                "rows": rows,
            }
        q = self.questions[id(tag)]
        result = self.answers[(q.orgunit.code, q.ask)]
        released, why = self._released(q, result)
        if why:
            raise Problem(f"{tag.where()}: withheld by disclosure control: {why}")
        body = []
        for row in result.rows:
            value = _row_value(released, row.key, row.value)
            shown = (
                "[withheld]"
                if value is None
                else qualifiers.printed(
                    Decimal(value) / (100 if q.metric.unit == "gbp" else 1),
                    0,
                    unit="gbp" if q.metric.unit == "gbp" else "count",
                    qualifier=None,
                )
            )
            body.append([[{"t": row.label}], [{"t": shown}]])
        body.sort(key=lambda r: r[0][0]["t"])
        return {
            "kind": "table",
            "id": tid,
            "caption": caption or f"{q.metric.label}, {q.period_label}",
            "head": [_by_label(q.ask.by or "", self.cat), q.metric.short_label],
            "numeric": [False, True],
            "rows": body,
        }

    def chart(self, tag: Tag) -> dict[str, Any]:
        """A bar chart by force, region or breakdown: the dashboards' own specification."""
        if id(tag) in self.failed:
            raise Problem(self.failed[id(tag)])
        q = self.questions[id(tag)]
        result = self.answers[(q.orgunit.code, q.ask)]
        released, why = self._released(q, result)
        if why:
            raise Problem(f"{tag.where()}: withheld by disclosure control: {why}")
        share = tag.options.get("share") == "yes"
        bars = []
        total = sum(v for r in result.rows if (v := _row_value(released, r.key, r.value)))
        for row in result.rows:
            value = _row_value(released, row.key, row.value)
            if share:
                shown = None if value is None or not total else value / total
                text = "withheld" if shown is None else f"{shown:.0%}"
            else:
                shown = value
                text = "withheld" if value is None else f"{value:,}"
            bars.append({"label": row.label, "value": shown, "text": text})
        title = tag.options.get("title") or f"{q.metric.short_label}, {q.period_label}"
        by = _by_label(q.ask.by or "", self.cat)
        description = f"Bar chart: {q.metric.label} by {by.lower()}, {q.period_label}."
        spec = charts.bar_chart(
            title,
            description,
            bars,
            label_title=by,
            value_title="Share" if share else q.metric.short_label,
            percent=share,
        )
        return {
            "kind": "chart",
            "id": self._new_id(tag.options.get("id") or "chart"),
            "title": title,
            "description": description,
            "spec": spec,
            "head": [by, "Share" if share else q.metric.short_label],
            "rows": [[[{"t": b["label"]}], [{"t": b["text"]}]] for b in bars],
        }

    def build(self) -> Built:
        self.ask_all()
        for block in self.template.blocks:
            out = self.block(block)
            if out is not None:
                self.built.blocks.append(out)
        return self.built


def build(
    template: Template,
    period: Period,
    *,
    mode: str = DRAFT,
    now: datetime | None = None,
) -> Built:
    """Resolve ``template`` for ``period``; problems are in the result's errors/warnings."""
    return Builder(template, period, mode=mode, now=now).build()


# --- helpers --------------------------------------------------------------------------------


def _rows_of(tag: Tag) -> list[tuple[str, str | None]]:
    """``rows=metric@period,metric`` as (metric, period or None)."""
    out: list[tuple[str, str | None]] = []
    for item in tag.options["rows"].split(","):
        metric, _, period = item.strip().partition("@")
        out.append((metric, period or None))
    return out


def _row_value(released: Any, key: str, exact: int | None) -> int | None:
    if isinstance(released, Result):
        return exact
    shown = released.rows.get(key)
    return None if shown is None else shown.value


def _pick(result: Result, released: Any, show: str, option: str | None) -> Decimal | None:
    """The number a figure states, from the engine's result or its released form."""
    exact = isinstance(released, Result)

    def total(previous: bool) -> int | None:
        if exact:
            return result.previous_value if previous else result.value
        shown = released.previous_value if previous else released.value
        return None if shown is None else shown.value

    def of_option(key: str, previous: bool = False) -> int | None:
        if exact:
            row = next(r for r in result.rows if r.key == key)
            return row.previous_value if previous else row.value
        shown = (released.previous_rows if previous else released.rows).get(key)
        return None if shown is None else shown.value

    if show == "register":
        return (
            None
            if result.value_from_register is None or not exact
            else Decimal(result.value_from_register)
        )
    if show == "share":
        assert option is not None
        part, whole = of_option(option), total(False)
        if part is None or not whole:
            return None
        return Decimal(part) * 100 / Decimal(whole)
    if option:
        current, previous = of_option(option), of_option(option, True)
    else:
        current, previous = total(False), total(True)
    if show == "value":
        return None if current is None else Decimal(current)
    if show == "previous":
        return None if previous is None else Decimal(previous)
    change = engine.change_pct(current, previous)
    return None if change is None else Decimal(str(change))


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _label(q: _Question, show: str, option: str | None, result: Result) -> str:
    name = q.metric.short_label
    if option:
        name += f" ({next(r.label for r in result.rows if r.key == option)})"
    where = "" if q.orgunit.code == "national" else f", {q.orgunit.name}"
    if show == "previous" and result.previous_period is not None:
        return f"{name}{where}, {result.previous_period.label}"
    if show == "change":
        return f"{name}{where}, change on the year before, {q.period_label}"
    if show == "share":
        return f"{name}{where}, share, {q.period_label}"
    if show == "register":
        return f"{name}{where}, from direct data entry, {q.period_label}"
    if show == "returns":
        return f"{name}{where}, returns behind the figure, {q.period_label}"
    if show in ("lowest", "highest"):
        return f"{name}{where}, {show} {q.tag.options['per']} of {q.period_label}"
    return f"{name}{where}, {q.period_label}"


def _by_label(by: str, cat: Catalogue) -> str:
    if by in ("force", "region"):
        return by.capitalize()
    found = cat.breakdowns.get(by)
    return found.label if found is not None else by


def _link(q: _Question, cat: Catalogue) -> str | None:
    """The page that shows the figure: its dataset's dashboard or list."""
    dataset = cat.datasets.get(q.metric.dataset)
    name = PAGE_OF_METRIC.get(q.metric.code) or DASHBOARD_OF.get(q.metric.dataset)
    if name is None and dataset is not None and dataset.is_operation:
        name = DASHBOARD_OF["intensification"]
    if name is None:
        return None
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    if name in PAGES_BY_PERIOD:
        url += f"?orgunit={q.orgunit.code}"
        if q.period.kind != "range":
            url += f"&period={q.period.code}"
    return url


def _provenance(q: _Question, result: Result, as_at: str, mode: str, show: str) -> dict[str, Any]:
    """Where the figure came from: the question (as ``msoic query`` asks it), when, the
    returns and derived records behind it and whether they are complete."""
    command = f"msoic query {q.metric.code} --orgunit {q.orgunit.code} --period {q.period_code}"
    if q.ask.by:
        command += f" --by {q.ask.by}"
    if q.ask.compare:
        command += " --compare previous-year"
    coverage = result.coverage
    if show == "previous" and result.previous_coverage is not None:
        coverage = result.previous_coverage
    out: dict[str, Any] = {
        "query": command,
        "dataset": q.ask.dataset or "",
        "as_at": as_at,
        "returns_expected": coverage.expected,
        "returns_received": coverage.received,
        "from_records": coverage.from_register,
        "complete": coverage.complete,
        "missing_forces": coverage.missing_forces,
        "disclosure": (
            "controlled" if mode == PUBLICATION and counts_people(q.metric.code) else "exact"
        ),
    }
    if show == "change" and result.previous_coverage is not None:
        out["previous_complete"] = result.previous_coverage.complete
    return out


def period_of(text: str) -> Period:
    """A build's period (a financial year, as a rule): ``FY2023-24``."""
    return Period.parse(text)


def today() -> date:
    return timezone.localdate()
