"""The NRM picture: National Referral Mechanism figures counted from the register.

Panels for one org unit (a force, a region's forces or the nation) over a period:
referrals and decisions by month, reasonable and conclusive grounds positive rates, days
from referral to decision (median), and the potential victims referred in the period by
age group, nationality (UK / non-UK and the most common), gender and exploitation type.

Every panel is a table first (the chart is drawn from it). For users who read no
record-level data (partners) the figures go through disclosure control
(:mod:`msoic.disclosure.control`, ADR 0010): each count is perturbed by the key of the
records in it (the same people, the same figure, in every panel and every request), and
the panels that share people are released together, so that no sum or difference across
them (UK and non-UK against the nationality table, months against their total) gives a
count under 5. The chart is drawn from the released table, so it cannot show what the
table withholds. Partners ask for financial years only (the views check it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Func, IntegerField, QuerySet, Sum

from msoic.cases import rules
from msoic.cases.models import Decision, Gender, Person
from msoic.dashboards import charts
from msoic.disclosure.control import NOTE, PRIMARY, SECONDARY, Release, records_key
from msoic.disclosure.policy import get_policy
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


Tally = tuple[int, int]  # (how many people, the sum of their ids): a cell's records


def is_withheld(text: str) -> bool:
    return text in (PRIMARY, SECONDARY)


def _add(a: Tally, b: Tally) -> Tally:
    return a[0] + b[0], a[1] + b[1]


def _sum(tallies: Sequence[Tally]) -> Tally:
    out: Tally = (0, 0)
    for t in tallies:
        out = _add(out, t)
    return out


def _key(tally: Tally) -> int:
    return records_key(*tally)


def _released(
    groups: dict[str, Tally], cells: dict[str, list[str]], fixed: set[str] | None = None
) -> dict[str, str]:
    """Each cell's text for a partner: ``groups`` are the atoms (finest groups) with their
    records, ``cells`` the figures shown as unions of atoms; ``fixed`` cells are shown by
    other panels too (a total) and are never the ones withheld in a small count's place."""
    release = Release()
    for name, tally in groups.items():
        release.atom(name, tally[0])
    fixed = fixed or set()
    for name, members in cells.items():
        tally = _sum([groups[a] for a in members])
        release.cell(name, members, key=_key(tally), fixed=name in fixed)
    return {name: shown.text for name, shown in release.resolve().items()}


def _pct(part: str, whole: str) -> str:
    if is_withheld(part) or is_withheld(whole) or whole == "0":
        return "[c]" if (is_withheld(part) or is_withheld(whole)) else "n/a"
    return f"{100 * int(part) / int(whole):.1f}%"


def _num(text: str) -> int | None:
    return None if is_withheld(text) else int(text)


def _column(
    labelled: Sequence[tuple[str, Tally]], secret: bool, extra_atoms: dict[str, Tally] | None = None
) -> tuple[list[str], str]:
    """A one-way table's figures and its total: exact, or released for a partner (the total
    is the panel's population, shown by other panels too)."""
    if not secret:
        return [str(t[0]) for _, t in labelled], str(sum(t[0] for _, t in labelled))
    groups = {f"row{i}": t for i, (_, t) in enumerate(labelled)}
    groups.update(extra_atoms or {})
    cells = {f"row{i}": [f"row{i}"] for i in range(len(labelled))}
    cells["total"] = list(groups)
    shown = _released(groups, cells, {"total"})
    return [shown[f"row{i}"] for i in range(len(labelled))], shown["total"]


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
        self._decided_rows: dict[str, list[tuple[str, int | None, int, int]]] = {}
        self._stage_shown: dict[str, dict[str, str]] = {}
        self._nationality_shown: dict[str, str] | None = None
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

    def _n(self, rows: Sequence[tuple[Any, ...]]) -> dict[Any, Tally]:
        """(group, how many, id sum) rows as group -> tally."""
        out: dict[Any, Tally] = {}
        for group, n, s in rows:
            out[group] = _add(out.get(group, (0, 0)), (n, s or 0))
        return out

    # --- referrals and decisions by month ---------------------------------------------

    def _monthly(self, date_field: str) -> dict[date, Tally]:
        """Counts (with their records' id sums) by month, from counts by day (at most a few
        hundred rows, through the force-and-date index; no date function a row, which
        SQLite runs in Python)."""
        qs = self.victims.filter(
            **{f"{date_field}__gte": self.start, f"{date_field}__lt": self.after}
        )
        rows = qs.values_list(date_field).annotate(n=Count("pk"), s=Sum("pk"))
        return self._n(
            [(day.replace(day=1), n, s) for day, n, s in rows.values_list(date_field, "n", "s")]
        )

    def over_time(self) -> Panel:
        months = self.period.months()
        series = [
            ("NRM referrals", self._monthly("nrm_referred_on")),
            ("Reasonable grounds decisions", self._monthly("rg_decided_on")),
            ("Conclusive grounds decisions", self._monthly("cg_decided_on")),
        ]
        columns = [
            _column([(month_label(m), s.get(m, (0, 0))) for m in months], self.secret)
            for _, s in series
        ]
        cells = [[columns[j][0][i] for j in range(len(series))] for i in range(len(months))]
        rows = [[month_label(m)] + cells[i] for i, m in enumerate(months)]
        rows.append(["Total", *[total for _, total in columns]])
        points = [
            {
                "month": m.isoformat(),
                "value": _num(cells[i][j]),
                "returns": charts.COMPLETE,
                "series": label,
            }
            for i, m in enumerate(months)
            for j, (label, _) in enumerate(series)
            if _num(cells[i][j]) is not None
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

    def _decided(self, stage: str) -> list[tuple[str, int | None, int, int]]:
        """(decision, days from referral or None, how many, their id sum) for decisions
        made in the period: one query a stage, shared by the rates and the timing panels."""
        if stage not in self._decided_rows:
            qs = self.victims.filter(
                **{f"{stage}_decided_on__gte": self.start, f"{stage}_decided_on__lt": self.after}
            )
            self._decided_rows[stage] = list(
                qs.annotate(days=DaysBetween(f"{stage}_decided_on", "nrm_referred_on"))
                .values_list(f"{stage}_decision", "days")
                .annotate(n=Count("pk"), s=Sum("pk"))
                .values_list(f"{stage}_decision", "days", "n", "s")
            )
        return self._decided_rows[stage]

    def _decisions(self, stage: str) -> tuple[int, int]:
        rows = self._decided(stage)
        pos = sum(n for decision, _, n, _ in rows if decision == Decision.POSITIVE)
        neg = sum(n for decision, _, n, _ in rows if decision == Decision.NEGATIVE)
        return pos, neg

    def _stage_release(self, stage: str) -> dict[str, str]:
        """A partner's figures of one decision stage: positive, negative, decisions, and
        decisions with a referral date (the timing panel), released together with the
        month-by-month total they share (the over-time panel's)."""
        if stage in self._stage_shown:
            return self._stage_shown[stage]
        groups: dict[str, Tally] = {}
        for decision, days, n, s in self._decided(stage):
            kind = decision if decision in (Decision.POSITIVE, Decision.NEGATIVE) else "other"
            dated = "dated" if days is not None and days >= 0 else "undated"
            name = f"{kind}:{dated}"
            groups[name] = _add(groups.get(name, (0, 0)), (n, s or 0))
        for kind in (Decision.POSITIVE, Decision.NEGATIVE, "other"):
            for dated in ("dated", "undated"):
                groups.setdefault(f"{kind}:{dated}", (0, 0))
        pos = [f"{Decision.POSITIVE}:dated", f"{Decision.POSITIVE}:undated"]
        neg = [f"{Decision.NEGATIVE}:dated", f"{Decision.NEGATIVE}:undated"]
        cells = {
            "positive": pos,
            "negative": neg,
            "decisions": pos + neg,
            "dated": [g for g in groups if g.endswith(":dated")],
            "all": list(groups),  # the over-time panel's total for the stage
        }
        self._stage_shown[stage] = _released(groups, cells, {"all"})
        return self._stage_shown[stage]

    def rates(self) -> Panel:
        stages = [("Reasonable grounds", "rg"), ("Conclusive grounds", "cg")]
        rows = []
        bars = []
        for label, code in stages:
            if self.secret:
                shown = self._stage_release(code)
                pos, neg, total = shown["positive"], shown["negative"], shown["decisions"]
            else:
                p, n = self._decisions(code)
                pos, neg, total = str(p), str(n), str(p + n)
            rate = _pct(pos, total)
            rows.append([label, pos, neg, total, rate])
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
        for _, days, n, _ in self._decided(stage):
            if days is not None and days >= 0:
                out[int(days)] = out.get(int(days), 0) + n
        return out

    def timing(self) -> Panel:
        stages = [("Reasonable grounds", "rg"), ("Conclusive grounds", "cg")]
        days = [self._days(code) for _, code in stages]
        rows = []
        bars = []
        for i, (label, code) in enumerate(stages):
            n = self._stage_release(code)["dated"] if self.secret else str(sum(days[i].values()))
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
        labelled: list[tuple[str, Tally]],
        shown: tuple[list[str], str] | None = None,
    ) -> Panel:
        """A one-way panel with its total; ``shown`` gives a partner's released figures when
        the panel shares people with another (the nationality panels)."""
        figures, total = shown or _column(labelled, self.secret)
        rows = [[label, figures[i]] for i, (label, _) in enumerate(labelled)]
        rows.append(["Total", total])
        bars = [
            {"label": label, "value": _num(figures[i]), "text": figures[i]}
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

    def _count_by(self, field_name: str) -> dict[str, Tally]:
        """Potential victims referred in the period by one of :attr:`GROUPED`, all four
        from one grouped query."""
        if self._grouped is None:
            self._grouped = list(
                self.referred.values_list(*self.GROUPED)
                .annotate(n=Count("pk"), s=Sum("pk"))
                .values_list(*self.GROUPED, "n", "s")
            )
        at = self.GROUPED.index(field_name)
        return self._n([(row[at], row[-2], row[-1]) for row in self._grouped])

    def by_age(self) -> Panel:
        got = self._count_by("age_group")
        options = rules.catalogue_options("age_group")
        labelled = [(label, got.get(code, (0, 0))) for code, label in options.items()]
        extra = {f"other:{k}": v for k, v in got.items() if k not in options}
        return self._breakdown(
            "age",
            "Victims by age group",
            "Potential victims referred to the NRM in the period, by age group at exploitation.",
            "Age group",
            labelled,
            _column(labelled, self.secret, extra) if self.secret and extra else None,
        )

    def _top(self) -> list[str]:
        """The most common nationalities (codes), largest first; for a partner only those
        with at least the threshold's count (a named nationality of 1 to 4 people is not
        listed, it joins the others)."""
        got = self._count_by("nationality")
        ranked = sorted(
            ((code, t[0]) for code, t in got.items() if code), key=lambda x: (-x[1], x[0])
        )
        if self.secret:
            ranked = [(code, n) for code, n in ranked if n >= get_policy().threshold]
        return [code for code, _ in ranked[:TOP_NATIONALITIES]]

    def _nationality_release(self) -> dict[str, str]:
        """A partner's figures of both nationality panels, released together: the UK and
        non-UK panel and the nationality table share people, so a figure withheld in one
        must not be found from the other."""
        if self._nationality_shown is None:
            got = self._count_by("nationality")
            top = self._top()
            groups: dict[str, Tally] = {f"nat:{code}": got[code] for code in top if code != UK}
            groups["uk"] = got.get(UK, (0, 0))
            groups["unknown"] = got.get("", (0, 0))
            groups["rest"] = _sum(
                [t for code, t in got.items() if code not in (UK, "") and code not in top]
            )
            named = [f"nat:{code}" for code in top if code != UK]
            uk_atoms = ["uk"]
            cells = {
                "uk:UK": uk_atoms,
                "uk:Non-UK": [*named, "rest"],
                "uk:Not known": ["unknown"],
                "total": list(groups),
                "top:rest": ["rest", "unknown"],
            }
            for code in top:
                cells[f"top:{code}"] = uk_atoms if code == UK else [f"nat:{code}"]
            self._nationality_shown = _released(groups, cells, {"total"})
        return self._nationality_shown

    def by_uk(self) -> Panel:
        got = self._count_by("nationality")
        uk = got.get(UK, (0, 0))
        unknown = got.get("", (0, 0))
        non_uk = _sum([t for code, t in got.items() if code not in (UK, "")])
        labelled = [("UK", uk), ("Non-UK", non_uk), ("Not known", unknown)]
        shown = None
        if self.secret:
            released = self._nationality_release()
            shown = ([released[f"uk:{label}"] for label, _ in labelled], released["total"])
        return self._breakdown(
            "uk",
            "Victims by nationality: UK and non-UK",
            "Potential victims referred to the NRM in the period: UK nationals and others.",
            "Nationality",
            labelled,
            shown,
        )

    def top_nationalities(self) -> Panel:
        got = self._count_by("nationality")
        top = self._top()
        rest = _sum([t for code, t in got.items() if code not in top])
        labelled = [(rules.nationality_name(code), got[code]) for code in top]
        labelled.append(("Other or not known", rest))
        shown = None
        if self.secret:
            released = self._nationality_release()
            figures = [released[f"top:{code}"] for code in top] + [released["top:rest"]]
            shown = (figures, released["total"])
        return self._breakdown(
            "nationalities",
            "Most common nationalities",
            f"The {TOP_NATIONALITIES} most common nationalities of potential victims referred "
            "in the period.",
            "Nationality",
            labelled,
            shown,
        )

    def by_gender(self) -> Panel:
        got = self._count_by("gender")
        labelled = [(label, got.get(code, (0, 0))) for code, label in Gender.choices]
        extra = {f"other:{k}": v for k, v in got.items() if k not in dict(Gender.choices)}
        return self._breakdown(
            "gender",
            "Victims by gender",
            "Potential victims referred to the NRM in the period, by gender.",
            "Gender",
            labelled,
            _column(labelled, self.secret, extra) if self.secret and extra else None,
        )

    def by_exploitation(self) -> Panel:
        got = self._count_by("investigation__primary_exploitation")
        options = rules.catalogue_options("exploitation_type")
        labelled = [(label, got.get(code, (0, 0))) for code, label in options.items()]
        missing = got.get("", (0, 0))
        if missing[0]:
            labelled.append(("Not recorded", missing))
        extra = {f"other:{k}": v for k, v in got.items() if k and k not in options}
        return self._breakdown(
            "exploitation",
            "Victims by exploitation type",
            "Potential victims referred to the NRM in the period, by their investigation's "
            "primary exploitation type.",
            "Exploitation type",
            labelled,
            _column(labelled, self.secret, extra) if self.secret and extra else None,
        )
