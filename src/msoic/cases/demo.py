"""The investigation register in ``msoic demo``: about 30 forces on direct data entry.

The returns' demo (``msoic.demo``) generates every force's monthly series first. For the
forces that move onto the register (``demo.yaml``), :func:`take_register_series` then
takes the three DDE metrics out of their returns from the adoption month on, keeping the
figures; :func:`build_register_demo` marks those forces as DDE forces and writes
record-level investigations and people whose counts, as the metric engine derives them,
are exactly those figures:

- live investigations: per force and primary exploitation type, the month-end caseload is
  walked month by month, closing a share of the live cases (more if the figure falls)
  and opening new ones to reach the month's figure;
- police NRM referrals: one potential victim per referral, in its month and age group,
  on a case live when the referral was made;
- Duty to Notify reports: one adult potential victim per report.

Around them, what a register holds but no return counts: victims referred by other first
responders, suspects with arrests and charges, witnesses, reasonable and conclusive
grounds decisions with realistic delays (only those made by the demo's last day).

Everything is drawn from generators seeded from ``demo.yaml``: the same records on every
run. Records are bulk-inserted; running the demo again adds nothing.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.cases.models import (
    DDE_METRICS,
    Category,
    DdeAdoption,
    Decision,
    Investigation,
    Outcome,
    Person,
    Status,
)
from msoic.cases.register.actions import REFERENCE_DIGITS, reference_prefix
from msoic.cases.register.dde import do_set_dde_adoption, month_end
from msoic.demo.generator import History, ReturnRow
from msoic.metrics.periods import format_month, month_label, parse_month
from msoic.orgunits.models import OrgUnit

DEMO_FILE = Path(__file__).resolve().parent / "demo.yaml"
MS_DATASET = "ms-monthly"
LIVE, REFERRALS, DTN = DDE_METRICS


class RegisterDemoError(ValueError):
    """The register demo cannot be built as configured; the message says why."""


def load_settings(path: Path = DEMO_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise RegisterDemoError(f"{path.name}: expected a mapping at the top")
    return data


@dataclass
class RegisterSeries:
    """The DDE forces' figures taken out of their returns: what the register must give."""

    forces: list[str]
    from_month: date
    months: list[date]
    # (force, month) -> option -> value; option "" is the total.
    live: dict[tuple[str, date], dict[str, int]] = field(default_factory=dict)
    referrals: dict[tuple[str, date], dict[str, int]] = field(default_factory=dict)
    dtn: dict[tuple[str, date], int] = field(default_factory=dict)


def take_register_series(
    history: History, settings: dict[str, Any] | None = None
) -> RegisterSeries:
    """Pick the DDE forces and move their DDE metrics out of ``history``'s returns from
    the adoption month on (their other figures stay in the returns)."""
    settings = settings or load_settings()
    first = parse_month(str(settings["from_month"]))
    returning = set(settings["returning_forces"])
    unknown = returning - set(history.forces)
    if unknown:
        raise RegisterDemoError(f"demo.yaml returning_forces: unknown forces {sorted(unknown)}")
    forces = [f for f in history.forces if f not in returning]
    months = [m for m in history.months if m >= first]
    out = RegisterSeries(forces, first, months)
    for force in forces:
        for month in months:
            key = (MS_DATASET, force, month)
            rows = history.returns.get(key)
            if rows is None:
                raise RegisterDemoError(
                    f"{force} {format_month(month)}: a force on the register needs every "
                    "monthly return in the demo (take it off missing_returns)"
                )
            kept: list[ReturnRow] = []
            for row in rows:
                if row.metric not in DDE_METRICS:
                    kept.append(row)
                    continue
                target = {LIVE: out.live, REFERRALS: out.referrals}.get(row.metric)
                if target is not None:
                    target.setdefault((force, month), {})[row.option] = row.value
                elif not row.breakdown:
                    out.dtn[(force, month)] = row.value
                history.commented.pop((force, row.metric, month), None)
            history.returns[key] = kept
    return out


# --- drawing records -----------------------------------------------------------------------


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[float(weights[k]) for k in keys], k=1)[0]


def _day_in(rng: random.Random, month: date, first_day: int = 1) -> date:
    last = month_end(month).day
    return month.replace(day=rng.randint(min(first_day, last), last))


def _lognormal_days(rng: random.Random, spec: dict[str, float]) -> int:
    return max(1, round(rng.lognormvariate(math.log(float(spec["median"])), float(spec["sigma"]))))


@dataclass
class _Case:
    """An investigation being drawn (saved in bulk at the end)."""

    ref: str
    primary: str
    opened_on: date
    closed_on: date | None = None
    people: list[dict[str, Any]] = field(default_factory=list)
    charged_any: bool = False


class _ForceBuilder:
    def __init__(
        self,
        force: OrgUnit,
        series: RegisterSeries,
        settings: dict[str, Any],
        options: list[str],
        last_day: date,
    ) -> None:
        self.force = force
        self.series = series
        self.s = settings
        self.options = options
        self.last_day = last_day
        self.rng = random.Random(f"{settings['seed']}:{force.code}")
        self.cases: list[_Case] = []
        self.live: dict[str, list[_Case]] = {o: [] for o in options}
        self.case_no = 0
        self.by_month: dict[date, list[_Case]] = {}

    def new_case(self, primary: str, opened_on: date) -> _Case:
        self.case_no += 1
        ref = f"{reference_prefix(self.force)}/{opened_on:%y}/{self.case_no:05d}"
        case = _Case(ref, primary, opened_on)
        self.cases.append(case)
        return case

    # Investigations: the month-end caseload per primary type, exactly.
    def walk_caseload(self) -> None:
        series, rng = self.series, self.rng
        first = series.months[0]
        span = int(self.s["opened_before_max_days"])
        rate = float(self.s["monthly_closure_rate"])
        for month in series.months:
            figures = series.live.get((self.force.code, month), {})
            for option in self.options:
                target = figures.get(option, 0)
                pool = self.live[option]
                if month == first:
                    for _ in range(target):
                        opened = month_end(month) - timedelta(days=rng.randint(0, span))
                        pool.append(self.new_case(option, opened))
                    continue
                expected = sum(1 for _ in range(len(pool)) if rng.random() < rate)
                closing = min(len(pool), max(expected, len(pool) - target))
                rng.shuffle(pool)
                for case in pool[:closing]:
                    case.closed_on = _day_in(rng, month)
                del pool[:closing]
                for _ in range(target - len(pool)):
                    pool.append(self.new_case(option, _day_in(rng, month)))

    def case_for(self, day: date) -> _Case:
        """A case live on ``day`` (opened by then, not closed before it)."""
        month = day.replace(day=1)
        if month not in self.by_month:
            end = month_end(month)
            self.by_month[month] = [
                c
                for c in self.cases
                if c.opened_on <= end and (c.closed_on is None or c.closed_on >= month)
            ]
        live = [
            c
            for c in self.by_month[month]
            if c.opened_on <= day and (c.closed_on is None or c.closed_on >= day)
        ]
        if live:
            return self.rng.choice(live)
        # No case live that day (a very small force): one opened and closed within the
        # month, never live at a month end, so the caseload figures do not move.
        case = self.new_case("other", month)
        case.closed_on = month_end(month)
        self.by_month[month].append(case)
        return case

    # People -----------------------------------------------------------------------------
    def victim(self, case: _Case, age: str, **dates: Any) -> dict[str, Any]:
        rng, s = self.rng, self.s
        gender = _pick(rng, s["gender"].get(case.primary, s["gender"]["default"]))
        nationality = _pick(rng, s["nationality"].get(age, s["nationality"]["unknown"]))
        person = {
            "category": Category.VICTIM,
            "age_group": age,
            "gender": gender,
            "nationality": nationality,
            "is_assessment": rng.random() < float(s["assessment_share"]),
            **dates,
        }
        referred = dates.get("nrm_referred_on")
        if referred is not None:
            self._decisions(person, referred)
        case.people.append(person)
        return person

    def _decisions(self, person: dict[str, Any], referred: date) -> None:
        rng, s = self.rng, self.s
        if rng.random() >= float(s["rg_decided_share"]):
            return
        rg_on = referred + timedelta(days=_lognormal_days(rng, s["rg_delay_days"]))
        if rg_on > self.last_day:
            return
        positive = rng.random() < float(s["rg_positive_share"])
        person["rg_decision"] = Decision.POSITIVE if positive else Decision.NEGATIVE
        person["rg_decided_on"] = rg_on
        if not positive or rng.random() >= float(s["cg_decided_share"]):
            return
        cg_on = rg_on + timedelta(days=_lognormal_days(rng, s["cg_delay_days"]))
        if cg_on > self.last_day:
            return
        cg_positive = rng.random() < float(s["cg_positive_share"])
        person["cg_decision"] = Decision.POSITIVE if cg_positive else Decision.NEGATIVE
        person["cg_decided_on"] = cg_on

    def place_victims(self) -> None:
        rng, series, code = self.rng, self.series, self.force.code
        other_share = float(self.s["other_referrer_share"])
        # Walk the months again with the final open/close dates: a case is live on a day
        # if opened by then and not closed before it.
        for month in series.months:
            for age, n in series.referrals.get((code, month), {}).items():
                if not age:
                    continue
                for _ in range(n):
                    day = _day_in(rng, month)
                    self.victim(
                        self.case_for(day), age, nrm_referred_on=day, nrm_referred_by_police=True
                    )
            total = series.referrals.get((code, month), {}).get("", 0)
            for _ in range(sum(1 for _ in range(total) if rng.random() < other_share)):
                day = _day_in(rng, month)
                self.victim(
                    self.case_for(day),
                    _pick(rng, {"adult": 0.6, "child": 0.4}),
                    nrm_referred_on=day,
                    nrm_referred_by_police=False,
                )
            for _ in range(series.dtn.get((code, month), 0)):
                day = _day_in(rng, month)
                self.victim(self.case_for(day), "adult", dtn_reported_on=day)

    def suspects_and_witnesses(self) -> None:
        rng, s = self.rng, self.s
        counts = {int(k): float(v) for k, v in s["suspects_per_investigation"].items()}
        for case in self.cases:
            end = case.closed_on or self.last_day
            span = max(0, (end - case.opened_on).days)
            n = int(_pick(rng, {str(k): v for k, v in counts.items()}))
            charged_any = False
            for _ in range(n):
                person: dict[str, Any] = {
                    "category": Category.SUSPECT,
                    "age_group": "adult" if rng.random() < 0.93 else "child",
                    "gender": _pick(rng, {"male": 0.82, "female": 0.16, "unknown": 0.02}),
                    "nationality": _pick(rng, s["nationality"]["adult"]),
                }
                if rng.random() < float(s["arrested_share"]):
                    arrested = case.opened_on + timedelta(days=rng.randint(0, min(span, 120)))
                    person["arrested_on"] = arrested
                    if rng.random() < float(s["charged_share_of_arrested"]):
                        charged = arrested + timedelta(days=rng.randint(1, 200))
                        if charged <= end:
                            person["charged_on"] = charged
                            charged_any = True
                case.people.append(person)
            if rng.random() < float(s["witness_share"]):
                case.people.append(
                    {
                        "category": Category.WITNESS,
                        "age_group": "adult",
                        "gender": _pick(rng, {"male": 0.5, "female": 0.5}),
                        "nationality": "GB",
                    }
                )
            case.people.sort(key=lambda p: p["category"])
            case.charged_any = charged_any

    # Saving -----------------------------------------------------------------------------
    def investigation(self, case: _Case) -> Investigation:
        rng, s = self.rng, self.s
        types = [case.primary]
        if rng.random() < float(s["second_exploitation_type_share"]):
            other = rng.choice([o for o in self.options if o != case.primary])
            types.append(other)
        ocg = s["ocg_linked_share"]
        if case.closed_on is None:
            stale = rng.random() < float(s["stale_share"])
            back = rng.randint(
                int(s["review_recent_days"]) + 1 if stale else 1,
                int(s["review_stale_days"]) if stale else int(s["review_recent_days"]),
            )
            reviewed = max(case.opened_on, self.last_day - timedelta(days=back))
            status, outcome = Status.LIVE, ""
        else:
            reviewed = case.closed_on
            status = Status.CLOSED
            outcome = (
                Outcome.CHARGED
                if case.charged_any
                else _pick(rng, {k: v for k, v in s["outcomes"].items() if k != "charged"})
            )
        return Investigation(
            force=self.force,
            crime_reference=case.ref,
            opened_on=case.opened_on,
            closed_on=case.closed_on,
            status=status,
            outcome=outcome,
            primary_exploitation=case.primary,
            exploitation_types=types,
            ocg_linked=rng.random() < float(ocg.get(case.primary, ocg["default"])),
            oic_related=rng.random() < float(s["oic_related_share"]),
            officer_in_charge=f"DC {rng.randint(1000, 9999)}",
            last_reviewed_on=reviewed,
        )


@dataclass
class RegisterDemoReport:
    forces: int = 0
    investigations: int = 0
    live: int = 0
    people: int = 0
    victims: int = 0
    non_british_share: float = 0.0
    from_month: date | None = None
    already: bool = False

    def lines(self) -> list[str]:
        if self.already:
            return ["", "Investigation register: already loaded (nothing added)."]
        start = month_label(self.from_month) if self.from_month else "-"
        return [
            "",
            f"Investigation register: {self.forces} forces on direct data entry from {start} "
            f"for {', '.join(DDE_METRICS)}; {self.investigations} investigations "
            f"({self.live} live), {self.people} people ({self.victims} potential victims, "
            f"{100 * self.non_british_share:.0f}% not British).",
        ]


def build_register_demo(
    national: Any, series: RegisterSeries, settings: dict[str, Any] | None = None
) -> RegisterDemoReport:
    """Mark the DDE forces and write their register. Does nothing if already there."""
    settings = settings or load_settings()
    report = RegisterDemoReport(from_month=series.from_month)
    forces = {o.code: o for o in OrgUnit.objects.filter(code__in=series.forces)}
    if Investigation.objects.filter(force__code__in=series.forces).exists():
        report.already = True
        return report
    from msoic.catalogue.loader import get_catalogue

    options = list(get_catalogue().breakdowns["exploitation_type"].options)
    last_day = month_end(series.months[-1])
    counters: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        for code in series.forces:
            force = forces[code]
            for metric in DDE_METRICS:
                if not DdeAdoption.objects.filter(force=force, metric=metric).exists():
                    do_set_dde_adoption(force, metric, series.from_month, actor=national)
            builder = _ForceBuilder(force, series, settings, options, last_day)
            builder.walk_caseload()
            builder.place_victims()
            builder.suspects_and_witnesses()
            saved = Investigation.objects.bulk_create(
                [builder.investigation(c) for c in builder.cases], batch_size=2000
            )
            prefix = f"{reference_prefix(force)}-P"
            people = []
            for case, inv in zip(builder.cases, saved, strict=True):
                for fields in case.people:
                    counters[code] += 1
                    people.append(
                        Person(
                            investigation=inv,
                            force=force,
                            reference=f"{prefix}{counters[code]:0{REFERENCE_DIGITS}d}",
                            **fields,
                        )
                    )
            Person.objects.bulk_create(people, batch_size=2000)
            victims = [p for p in people if p.category == Category.VICTIM]
            record(
                actor=national,
                action=AuditAction.COLLECTION,
                object_type="cases.register",
                object_id=code,
                orgunit=force,
                detail={
                    "step": "cases.demo_register",
                    "investigations_count": len(saved),
                    "people_count": len(people),
                },
            )
            report.forces += 1
            report.investigations += len(saved)
            report.live += sum(1 for c in builder.cases if c.closed_on is None)
            report.people += len(people)
            report.victims += len(victims)
            report.non_british_share += sum(1 for p in victims if p.nationality != "GB")
    if report.victims:
        report.non_british_share /= report.victims
    return report
