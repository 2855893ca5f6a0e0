"""The NRM picture: National Referral Mechanism figures counted from the register.

Panels for one org unit (a force, a region's forces or the nation) over a period:
referrals and decisions by month, reasonable and conclusive grounds positive rates, days
from referral to decision (median), and the potential victims referred in the period by
age group, nationality (UK / non-UK and the most common), gender and exploitation type.

Every panel is a table first (the chart is drawn from it). For users who read no
record-level data (partners) every table goes through :mod:`msoic.cases.suppression`,
and the chart is drawn from the suppressed table, so a chart cannot show what the table
withholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Func, IntegerField, QuerySet

from msoic.cases import rules
from msoic.cases.models import Decision, Gender, Person
from msoic.cases.suppression import NOTE, Suppressed, is_withheld, suppress, unsuppressed
from msoic.dashboards import charts
from msoic.metrics.periods import Period, add_months, month_label
from msoic.orgunits.models import OrgUnit, OrgUnitKind

TOP_NATIONALITIES = 10
UK = "GB"


class DaysBetween(Func):
    """Whole days from the second date to the first (PostgreSQL and SQLite)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND(julianday(%(expressions)s)) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def median_of(histogram: dict[int, int]) -> float:
    """The median of values given as value -> how many times (as statistics.median)."""
    total = sum(histogram.values())
    if not total:
        raise ValueError("no values")
    ordered = sorted(histogram.items())

    def nth(k: int) -> int:  # the k-th value, from 0
        seen = 0
        for value, n in ordered:
            seen += n
            if k < seen:
                return value
        raise IndexError(k)

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


@dataclass
class Panel:
    id: str
    title: str
    description: str
    columns: list[str]
    rows: list[list[str]]  # each starts with its row heading
    charts: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def chart_items(self) -> list[dict[str, Any]]:
        return [
            {"id": f"chart-{self.id}-{i}", "spec_id": f"chart-{self.id}-{i}-spec", "spec": spec}
            for i, spec in enumerate(self.charts)
        ]

    def export_rows(self) -> list[list[Any]]:
        """Figures as numbers where shown, the suppression marks as text."""

        def cell(text: str) -> Any:
            return int(text) if text.lstrip("-").isdigit() else text

        return [[row[0], *[cell(c) for c in row[1:]]] for row in self.rows]


def forces_of(unit: OrgUnit) -> QuerySet[OrgUnit]:
    if unit.kind == OrgUnitKind.FORCE:
        return OrgUnit.objects.filter(pk=unit.pk)
    if unit.kind == OrgUnitKind.REGION:
        return OrgUnit.objects.filter(kind=OrgUnitKind.FORCE, parent_id=unit.pk)
    return OrgUnit.objects.filter(kind=OrgUnitKind.FORCE)


def _range(period: Period) -> tuple[date, date]:
    """First day of the period, and the first day after it."""
    return period.start, add_months(period.end, 1)


def _table(counts: Sequence[Sequence[int]], secret: bool, **totals: bool) -> Suppressed:
    return suppress(counts, **totals) if secret else unsuppressed(counts, **totals)


def _pct(part: str, whole: str) -> str:
    if is_withheld(part) or is_withheld(whole) or whole == "0":
        return "[c]" if (is_withheld(part) or is_withheld(whole)) else "n/a"
    return f"{100 * int(part) / int(whole):.1f}%"


def _num(text: str) -> int | None:
    return None if is_withheld(text) else int(text)


class Picture:
    """Every panel for victims of ``forces`` over ``period``; ``secret`` suppresses."""

    def __init__(self, forces: QuerySet[OrgUnit], period: Period, *, secret: bool) -> None:
        self.period = period
        self.secret = secret
        # Every panel selects by an NRM referral or decision date, which the register holds
        # for potential victims only (rules.check_person refuses them for anyone else), so
        # no category filter is needed and the force-and-date indexes answer alone.
        self.victims = Person.objects.filter(force__in=forces).order_by()
        self.start, self.after = _range(period)
        self._grouped: list[tuple[Any, ...]] | None = None
        self._decided_rows: dict[str, list[tuple[str, int | None, int]]] = {}
        self.referred = self.victims.filter(
            nrm_referred_on__gte=self.start, nrm_referred_on__lt=self.after
        )

    def panels(self) -> list[Panel]:
        return [
            self.over_time(),
            self.rates(),
            self.timing(),
            self.by_age(),
            self.by_uk(),
            self.top_nationalities(),
            self.by_gender(),
            self.by_exploitation(),
        ]

    def _notes(self) -> list[str]:
        return [NOTE] if self.secret else []

    # --- referrals and decisions by month ---------------------------------------------

    def _monthly(self, date_field: str) -> dict[date, int]:
        """Counts by month, from counts by day (at most a few hundred rows, through the
        force-and-date index; no date function a row, which SQLite runs in Python)."""
        qs = self.victims.filter(
            **{f"{date_field}__gte": self.start, f"{date_field}__lt": self.after}
        )
        out: dict[date, int] = {}
        for day, n in (
            qs.values_list(date_field).annotate(n=Count("pk")).values_list(date_field, "n")
        ):
            month = day.replace(day=1)
            out[month] = out.get(month, 0) + n
        return out

    def over_time(self) -> Panel:
        months = self.period.months()
        series = [
            ("NRM referrals", self._monthly("nrm_referred_on")),
            ("Reasonable grounds decisions", self._monthly("rg_decided_on")),
            ("Conclusive grounds decisions", self._monthly("cg_decided_on")),
        ]
        counts = [[s.get(m, 0) for _, s in series] for m in months]
        table = _table(counts, self.secret, col_totals=True)
        rows = [[month_label(m)] + table.cells[i] for i, m in enumerate(months)]
        rows.append(["Total", *(table.col_totals or [])])
        points = [
            {
                "month": m.isoformat(),
                "value": _num(table.cells[i][j]),
                "returns": charts.COMPLETE,
                "series": label,
            }
            for i, m in enumerate(months)
            for j, (label, _) in enumerate(series)
            if _num(table.cells[i][j]) is not None
        ]
        spec = charts.trend_chart(
            "NRM referrals and decisions by month",
            f"Potential victims referred to the NRM, and decisions made, each month of "
            f"{self.period.label.lower()}.",
            points,
            y_title="People",
            series_title="Figure",
            series_order=[label for label, _ in series],
        )
        return Panel(
            "over-time",
            "Referrals and decisions over time",
            "NRM referrals, reasonable grounds and conclusive grounds decisions by month.",
            ["Month", *[label for label, _ in series]],
            rows,
            [spec],
            self._notes(),
        )

    # --- positive rates -----------------------------------------------------------------

    def _decided(self, stage: str) -> list[tuple[str, int | None, int]]:
        """(decision, days from referral or None, how many) for decisions made in the
        period: one query a stage, shared by the rates and the timing panels."""
        if stage not in self._decided_rows:
            qs = self.victims.filter(
                **{f"{stage}_decided_on__gte": self.start, f"{stage}_decided_on__lt": self.after}
            )
            self._decided_rows[stage] = list(
                qs.annotate(days=DaysBetween(f"{stage}_decided_on", "nrm_referred_on"))
                .values_list(f"{stage}_decision", "days")
                .annotate(n=Count("pk"))
                .values_list(f"{stage}_decision", "days", "n")
            )
        return self._decided_rows[stage]

    def _decisions(self, stage: str) -> tuple[int, int]:
        rows = self._decided(stage)
        pos = sum(n for decision, _, n in rows if decision == Decision.POSITIVE)
        neg = sum(n for decision, _, n in rows if decision == Decision.NEGATIVE)
        return pos, neg

    def rates(self) -> Panel:
        stages = [("Reasonable grounds", "rg"), ("Conclusive grounds", "cg")]
        counts = [list(self._decisions(code)) for _, code in stages]
        table = _table(counts, self.secret, row_totals=True)
        rows = []
        bars = []
        for i, (label, _) in enumerate(stages):
            total = (table.row_totals or [])[i]
            rate = _pct(table.cells[i][0], total)
            rows.append([label, *table.cells[i], total, rate])
            value = None if not rate.endswith("%") else float(rate[:-1]) / 100
            bars.append({"label": label, "value": value, "text": rate})
        spec = charts.bar_chart(
            "Positive decision rates",
            "Share of reasonable and conclusive grounds decisions in the period that were "
            "positive.",
            bars,
            label_title="Decision",
            value_title="Positive (%)",
            percent=True,
            sort=[label for label, _ in stages],
        )
        return Panel(
            "rates",
            "Reasonable and conclusive grounds positive rates",
            "Decisions made in the period, positive and negative, and the share positive.",
            ["Decision", "Positive", "Negative", "Decisions", "Positive (%)"],
            rows,
            [spec],
            self._notes(),
        )

    # --- time from referral to decision --------------------------------------------------

    def _days(self, stage: str) -> dict[int, int]:
        """Days from referral to decision -> how many, for decisions made in the period."""
        out: dict[int, int] = {}
        for _, days, n in self._decided(stage):
            if days is not None and days >= 0:
                out[int(days)] = out.get(int(days), 0) + n
        return out

    def timing(self) -> Panel:
        stages = [("Reasonable grounds", "rg"), ("Conclusive grounds", "cg")]
        days = [self._days(code) for _, code in stages]
        table = _table([[sum(d.values())] for d in days], self.secret)
        rows = []
        bars = []
        for i, (label, _) in enumerate(stages):
            n = table.cells[i][0]
            if is_withheld(n):
                median = "[c]"
            elif days[i]:
                median = f"{median_of(days[i]):g}"
            else:
                median = "n/a"
            rows.append([label, n, median])
            value = float(median) if median not in ("[c]", "n/a") else None
            bars.append({"label": label, "value": value, "text": median})
        spec = charts.bar_chart(
            "Days from referral to decision (median)",
            "Median days from NRM referral to the reasonable and conclusive grounds decision, "
            "for decisions made in the period.",
            bars,
            label_title="Decision",
            value_title="Median days",
            sort=[label for label, _ in stages],
        )
        return Panel(
            "timing",
            "Time from referral to decision",
            "Median days from referral to decision, for decisions made in the period.",
            ["Decision", "Decisions with a referral date", "Median days"],
            rows,
            [spec],
            self._notes(),
        )

    # --- who was referred ----------------------------------------------------------------

    def _breakdown(
        self,
        pid: str,
        title: str,
        description: str,
        heading: str,
        labelled: list[tuple[str, int]],
    ) -> Panel:
        table = _table([[n] for _, n in labelled], self.secret, col_totals=True)
        rows = [[label, table.cells[i][0]] for i, (label, _) in enumerate(labelled)]
        rows.append(["Total", (table.col_totals or [""])[0]])
        bars = [
            {"label": label, "value": _num(table.cells[i][0]), "text": table.cells[i][0]}
            for i, (label, _) in enumerate(labelled)
        ]
        spec = charts.bar_chart(
            title,
            description,
            bars,
            label_title=heading,
            value_title="Potential victims",
            sort=[label for label, _ in labelled],
        )
        return Panel(
            pid, title, description, [heading, "Potential victims"], rows, [spec], self._notes()
        )

    GROUPED = ("age_group", "gender", "nationality", "investigation__primary_exploitation")

    def _count_by(self, field_name: str) -> dict[str, int]:
        """Potential victims referred in the period by one of :attr:`GROUPED`, all four
        from one grouped query."""
        if self._grouped is None:
            self._grouped = list(
                self.referred.values_list(*self.GROUPED)
                .annotate(n=Count("pk"))
                .values_list(*self.GROUPED, "n")
            )
        at = self.GROUPED.index(field_name)
        out: dict[str, int] = {}
        for row in self._grouped:
            out[row[at]] = out.get(row[at], 0) + row[-1]
        return out

    def by_age(self) -> Panel:
        got = self._count_by("age_group")
        options = rules.catalogue_options("age_group")
        labelled = [(label, got.get(code, 0)) for code, label in options.items()]
        return self._breakdown(
            "age",
            "Victims by age group",
            "Potential victims referred to the NRM in the period, by age group at exploitation.",
            "Age group",
            labelled,
        )

    def by_uk(self) -> Panel:
        got = self._count_by("nationality")
        uk = got.get(UK, 0)
        unknown = got.get("", 0)
        non_uk = sum(n for code, n in got.items() if code not in (UK, ""))
        return self._breakdown(
            "uk",
            "Victims by nationality: UK and non-UK",
            "Potential victims referred to the NRM in the period: UK nationals and others.",
            "Nationality",
            [("UK", uk), ("Non-UK", non_uk), ("Not known", unknown)],
        )

    def top_nationalities(self) -> Panel:
        got = self._count_by("nationality")
        ranked = sorted(((code, n) for code, n in got.items() if code), key=lambda x: (-x[1], x[0]))
        top = ranked[:TOP_NATIONALITIES]
        rest = sum(n for _, n in ranked[TOP_NATIONALITIES:]) + got.get("", 0)
        labelled = [(rules.nationality_name(code), n) for code, n in top]
        labelled.append(("Other or not known", rest))
        return self._breakdown(
            "nationalities",
            "Most common nationalities",
            f"The {TOP_NATIONALITIES} most common nationalities of potential victims referred "
            "in the period.",
            "Nationality",
            labelled,
        )

    def by_gender(self) -> Panel:
        got = self._count_by("gender")
        labelled = [(label, got.get(code, 0)) for code, label in Gender.choices]
        return self._breakdown(
            "gender",
            "Victims by gender",
            "Potential victims referred to the NRM in the period, by gender.",
            "Gender",
            labelled,
        )

    def by_exploitation(self) -> Panel:
        got = self._count_by("investigation__primary_exploitation")
        options = rules.catalogue_options("exploitation_type")
        labelled = [(label, got.get(code, 0)) for code, label in options.items()]
        missing = got.get("", 0)
        if missing:
            labelled.append(("Not recorded", missing))
        return self._breakdown(
            "exploitation",
            "Victims by exploitation type",
            "Potential victims referred to the NRM in the period, by their investigation's "
            "primary exploitation type.",
            "Exploitation type",
            labelled,
        )
