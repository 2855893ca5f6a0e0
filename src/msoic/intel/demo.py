"""Intelligence logs for the demo (issue 12 item 5): hashtag logs from August 2023 and
modern slavery logs referred to the unit, sent by a few forces as extracts, and the unit's
reviews, so that the engine gives exactly 1,190 logs reviewed in 2023/24 ("at a glance" in
the annual report) with a realistic backlog.

The forces in :data:`SENDERS` send extracts from August 2023: their monthly count of
OIC-tagged logs is taken out of their generated returns (:func:`take_intel_series`) and
the same number of tagged logs is made for each month, so the national figure the returns
already showed (over 1,300 tagged to July 2024) is unchanged; the engine now derives their
part from the logs. Other forces keep returning the count.

Everything is made up and seeded. Logs go in through the importer (as CSV extracts, one per
force); as the demo is built today, their receipt dates are then set to a few days after
each log was created (the unit received them then), and reviews are recorded through
:func:`msoic.intel.actions.do_review_log` with their dates.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from msoic.intel.actions import do_import_extract, do_review_log, do_set_intel_sender
from msoic.intel.models import IntelLog, Outcome
from msoic.intel.tally import refresh_tallies, tallies_deferred
from msoic.metrics import engine
from msoic.metrics.periods import Period, month_end
from msoic.orgunits.models import OrgUnit

SENDERS = ("kent", "sussex", "hampshire", "metropolitan", "west-midlands")
TAGGED = "oic_intel_logs_tagged"
DATASET = "oic-monthly"
FROM_MONTH = date(2023, 8, 1)
MS_FROM = date(2023, 4, 1)
MS_PER_MONTH = 20  # modern slavery logs referred to the unit per sending force per month
REVIEWED_TARGET = 1190  # "1,190 intelligence logs reviewed" in 2023/24
YEAR = Period.parse("FY2023-24")
SEED = 20230801

ROUTES = [
    "small boat",
    "small boat",
    "small boat",
    "HGV/lorry",
    "HGV/lorry",
    "air",
    "maritime",
    "inland",
]
OIC_SUMMARIES = {
    "small boat": "Small boat launch planned from a beach at night; engines stored nearby.",
    "HGV/lorry": "Migrants concealed in a lorry trailer seen at a motorway services car park.",
    "air": "Facilitator arranging false documents for flights through a regional airport.",
    "maritime": "Freight vessel crew suspected of carrying concealed passengers.",
    "inland": "Safe house used to hold new arrivals before onward travel inland.",
}
MS_TYPES = ["criminal", "criminal", "criminal", "sexual", "labour", "labour", "domestic_servitude"]
MS_SUMMARIES = {
    "criminal": "Young people moved between towns to sell drugs from a rented flat.",
    "sexual": "Adverts suggest women controlled by a third party at a short let address.",
    "labour": "Workers at a car wash living on site and paid nothing directly.",
    "domestic_servitude": "A woman kept in a household and not allowed out alone.",
}
OUTCOMES = [
    (Outcome.NFA, 40),
    (Outcome.DISSEMINATED_FORCE, 20),
    (Outcome.DISSEMINATED_NCA, 10),
    (Outcome.DISSEMINATED_ROCU, 10),
    (Outcome.LINKED_OPERATION, 10),
    (Outcome.LINKED_INVESTIGATION, 5),
    (Outcome.REGRADED, 5),
]
RECIPIENT: dict[str, str] = {
    Outcome.DISSEMINATED_FORCE: "Neighbouring force intelligence bureau",
    Outcome.DISSEMINATED_NCA: "NCA",
    Outcome.DISSEMINATED_ROCU: "ROCU",
}


class IntelDemoError(RuntimeError):
    """The intelligence demo cannot be built; the message says why."""


@dataclass
class IntelSeries:
    """The sending forces' tagged counts, taken from their returns: (force, month) -> n."""

    tagged: dict[tuple[str, date], int] = field(default_factory=dict)
    last_month: date = FROM_MONTH


def take_intel_series(history: Any) -> IntelSeries:
    """Move the sending forces' ``oic_intel_logs_tagged`` out of their returns from August
    2023 on (their other OIC figures stay in the returns)."""
    unknown = set(SENDERS) - set(history.forces)
    if unknown:
        raise IntelDemoError(f"unknown sending forces {sorted(unknown)}")
    months = [m for m in history.months if m >= FROM_MONTH]
    series = IntelSeries(last_month=months[-1])
    for force in SENDERS:
        for month in months:
            key = (DATASET, force, month)
            rows = history.returns.get(key)
            if rows is None:
                raise IntelDemoError(
                    f"{force} {month:%Y-%m}: a sending force needs every OIC return"
                )
            kept = []
            for row in rows:
                if row.metric == TAGGED:
                    series.tagged[(force, month)] = row.value
                    history.commented.pop((force, row.metric, month), None)
                else:
                    kept.append(row)
            history.returns[key] = kept
    return series


@dataclass
class IntelDemoReport:
    already: bool = False
    logs: int = 0
    reviewed: int | None = None
    backlog: int = 0
    tagged: int | None = None

    def lines(self) -> list[str]:
        out = ["Intelligence logs:"]
        if self.already:
            out.append("  logs already there, left as they are")
        else:
            out.append(f"  {self.logs} logs sent by {', '.join(SENDERS)} (from August 2023)")
        out.append(
            f"  logs reviewed FY2023-24 (engine): {self.reviewed} (target {REVIEWED_TARGET}); "
            f"waiting at the end of the demo: {self.backlog}"
        )
        out.append(f"  OIC-tagged logs R12-2024-07 (engine, national): {self.tagged}")
        return out


def _rows(force: str, series: IntelSeries, rng: random.Random) -> list[list[str]]:
    prefix = force[:3].upper()
    rows: list[list[str]] = []
    month = MS_FROM
    n = 0
    while month <= series.last_month:
        end = month_end(month)
        plan: list[tuple[str, str]] = [("oic", "")] * series.tagged.get((force, month), 0)
        plan += [("ms", "")] * MS_PER_MONTH
        for kind, _ in plan:
            n += 1
            created = month + timedelta(days=rng.randrange((end - month).days + 1))
            handling = "C" if rng.random() < 0.1 else "P"
            grade = (
                rng.choice("1222233"),
                rng.choice("ABBBCCCD"),
            )
            if kind == "oic":
                route = rng.choice(ROUTES)
                tags, types, summary = "#NATOIC", "", OIC_SUMMARIES[route]
            else:
                route = ""
                kind_ms = rng.choice(MS_TYPES)
                tags, types, summary = "#MSREFER", kind_ms, MS_SUMMARIES[kind_ms]
            rows.append(
                [
                    f"{prefix}-{created:%y%m}-{n:05d}",
                    created.isoformat(),
                    tags,
                    grade[0],
                    grade[1],
                    handling,
                    "Not to be shared outside policing without the originator's consent"
                    if handling == "C"
                    else "",
                    route,
                    types,
                    summary,
                ]
            )
        month = end + timedelta(days=1)
    return rows


HEADER = [
    "reference",
    "created",
    "hashtags",
    "source_evaluation",
    "intelligence_assessment",
    "handling_code",
    "handling_conditions",
    "route",
    "exploitation_types",
    "summary",
]


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _plan_reviews(logs: list[IntelLog], rng: random.Random, last_day: date) -> dict[int, date]:
    """log id -> review date: most within the 28-day target, some later; exactly
    REVIEWED_TARGET first reviewed in 2023/24 (the others due then wait into April and
    May: the backlog at 31 March); logs received in the last weeks still wait."""
    planned: dict[int, date] = {}
    for log in logs:
        delay = (
            rng.choice([3, 5, 8, 10, 12, 14, 16, 20, 24, 27])
            if rng.random() < 0.85
            else rng.randrange(29, 60)
        )
        planned[log.pk] = log.received_on + timedelta(days=delay)
    year_end = month_end(YEAR.end)
    in_year = sorted(
        (pk for pk, on in planned.items() if YEAR.start <= on <= year_end),
        key=lambda pk: (planned[pk], pk),
    )
    if len(in_year) < REVIEWED_TARGET:
        raise IntelDemoError(
            f"only {len(in_year)} reviews fall in 2023/24: send more logs (MS_PER_MONTH)"
        )
    for pk in in_year[REVIEWED_TARGET:]:  # left over at 31 March, reviewed in the spring
        planned[pk] = year_end + timedelta(days=rng.randrange(5, 50))
    cutoff = last_day - timedelta(days=rng.randrange(40, 50))
    return {
        pk: on for pk, on in planned.items() if on <= last_day and on <= cutoff + timedelta(days=30)
    }


def build_intel_demo(national: Any, series: IntelSeries) -> IntelDemoReport:
    """Send the extracts, date their receipt, and record the reviews. Does nothing if the
    sending forces' logs are already there."""
    report = IntelDemoReport()
    forces = {o.code: o for o in OrgUnit.objects.filter(code__in=SENDERS)}
    if IntelLog.objects.filter(force__code__in=SENDERS).exists():
        report.already = True
    else:
        rng = random.Random(SEED)
        with transaction.atomic():
            for code in SENDERS:
                do_set_intel_sender(forces[code], FROM_MONTH, actor=national)
                sent = do_import_extract(
                    forces[code],
                    f"{code}-intel-extract.csv",
                    _csv(_rows(code, series, rng)),
                    actor=national,
                )
                if not sent.ok:
                    raise IntelDemoError("; ".join(str(p) for p in sent.problems[:3]))
                report.logs += sent.new
            logs = list(IntelLog.objects.filter(force__code__in=SENDERS).order_by("pk"))
            for log in logs:  # the unit received each log a few days after it was created
                log.received_on = log.created_on + timedelta(days=rng.randrange(1, 6))
            IntelLog.objects.bulk_update(logs, ["received_on"], batch_size=2000)
            refresh_tallies([f.pk for f in forces.values()])  # receipt moved: recount
            last_day = month_end(series.last_month)
            plan = _plan_reviews(logs, rng, last_day)
            weights = [w for _, w in OUTCOMES]
            choices = [o for o, _ in OUTCOMES]
            with tallies_deferred():  # one recount per force after the reviews, not two each
                _review(logs, plan, rng, weights, choices, national)
    nation = OrgUnit.objects.get(kind="national")
    report.reviewed = engine.query("intel_logs_reviewed", nation, YEAR).value
    report.tagged = engine.query(TAGGED, nation, "R12-2024-07").value
    report.backlog = IntelLog.objects.filter(reviewed_on__isnull=True).count()
    return report


def _review(
    logs: list[IntelLog],
    plan: dict[int, date],
    rng: random.Random,
    weights: list[int],
    choices: list[Outcome],
    national: Any,
) -> None:
    for log in logs:
        on = plan.get(log.pk)
        if on is None:
            continue
        outcome: str = rng.choices(choices, weights)[0]
        do_review_log(
            log,
            actor=national,
            outcome=outcome,
            reason=_reason(outcome),
            reviewed_on=on,
            recipient=RECIPIENT.get(outcome, ""),
            handling_authority="Force intelligence manager"
            if outcome in RECIPIENT and log.handling_code == "C"
            else "",
            linked_ref="Operation Innerste"
            if outcome == Outcome.LINKED_OPERATION
            else (
                f"{log.reference[:3]}/INV/{log.pk}"
                if outcome == Outcome.LINKED_INVESTIGATION
                else ""
            ),
            new_grading="1BP" if outcome == Outcome.REGRADED else "",
        )


def _reason(outcome: str) -> str:
    reasons: dict[str, str] = {
        Outcome.NFA: "No new lines of enquiry beyond the force's own action",
        Outcome.DISSEMINATED_FORCE: "Activity crosses into a neighbouring force area",
        Outcome.DISSEMINATED_NCA: "Links to an organised crime group the NCA leads on",
        Outcome.DISSEMINATED_ROCU: "Regional picture: passed for the ROCU's tasking",
        Outcome.LINKED_OPERATION: "Matches the operation's subjects and locations",
        Outcome.LINKED_INVESTIGATION: "Adds to a live investigation in the force",
        Outcome.REGRADED: "Corroborated by a second source",
    }
    return reasons[outcome]
