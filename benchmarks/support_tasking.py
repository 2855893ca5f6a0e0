"""Benchmark: the operations-supported summary and the CCA tasking national tracker on ten
years of records.

Ten financial years (FY2014-15 to FY2023-24) of operations supported (about 300 a year,
one or two kinds of support each, one in ten with a financial outcome) and ten yearly CCA
taskings (nine measures each, a progress row per force and ROCU, most with two updates)
are bulk-inserted, with the monthly returns the metric engine reads for the threshold
measure (April 2021 onwards, when the OIC return starts). The load is not what is
measured. Then, for a national analyst:

- ``GET /operations-supported/summary/?year=FY2023-24``
- ``GET /cca-tasking/<FY2023-24 tasking>/?as_of=2024-03-31``

are timed, and each page's query count is taken with one year and with ten years of data
to show it does not grow with the years. The issue's aim: 95th percentile under 150 ms.

Run alone: ``python -m benchmarks.support_tasking [--quick]``.
"""

from __future__ import annotations

import random
import re
import time
from datetime import date, timedelta
from typing import Any

from benchmarks._env import progress, run_main, setup_django, summary_ms

P95_AIM_MS = 150.0
OPERATIONS_PER_YEAR = 300
FIRST_YEAR, LAST_YEAR = 2014, 2023


def _load_operations(years: range, rng: random.Random) -> int:
    from msoic.orgunits.models import OrgUnit
    from msoic.support.models import (
        CrimeType,
        FinancialOutcome,
        OperationSupportType,
        OutcomeKind,
        Provider,
        SupportedOperation,
        SupportType,
    )

    forces = list(OrgUnit.objects.forces())
    ops = []
    for year in years:
        first = date(year, 4, 1)
        for n in range(OPERATIONS_PER_YEAR):
            start = first + timedelta(days=rng.randrange(365))
            ops.append(
                SupportedOperation(
                    force=rng.choice(forces),
                    operation_name=f"Operation B{year}-{n}",
                    crime_type=rng.choice(CrimeType.values),
                    provider=rng.choice(Provider.values),
                    start_date=start,
                    end_date=start + timedelta(days=60),
                    fy_start=year,
                )
            )
    SupportedOperation.objects.bulk_create(ops, batch_size=2000)
    types, outcomes = [], []
    for op in ops:
        for t in rng.sample(SupportType.values, rng.choice([1, 1, 2])):
            types.append(OperationSupportType(operation=op, support_type=t))
        if rng.random() < 0.1:
            outcomes.append(
                FinancialOutcome(
                    operation=op,
                    kind=rng.choice(OutcomeKind.values),
                    amount_pence=rng.randrange(50_000, 9_000_000),
                )
            )
    OperationSupportType.objects.bulk_create(types, batch_size=2000)
    FinancialOutcome.objects.bulk_create(outcomes, batch_size=2000)
    return len(ops)


def _load_taskings(years: range, rng: random.Random) -> Any:
    from django.utils import timezone

    from msoic.tasking.loader import SHIPPED_DIR, load_tasking_text
    from msoic.tasking.models import MeasureProgress, ProgressUpdate, Status

    text = (SHIPPED_DIR / "cca-oic-2022-23.yaml").read_text(encoding="utf-8")
    latest = None
    for year in years:
        shift = year - 2022
        label = f"{year}-{(year + 1) % 100:02d}"
        body = re.sub(  # move every date by whole years
            r"\b(20\d\d)-(\d\d)-(\d\d)\b",
            lambda m, shift=shift: f"{int(m.group(1)) + shift}-{m.group(2)}-{m.group(3)}",
            text,
        )
        body = body.replace("cca-oic-2022-23", f"cca-oic-{label}")
        body = body.replace("FY2022-23", f"FY{label}").replace("2022/23", label.replace("-", "/"))
        latest, _ = load_tasking_text(f"bench-{year}.yaml", body, actor="benchmark")
        rows = list(MeasureProgress.objects.filter(measure__tasking=latest))
        updates = []
        year_end = date(year + 1, 3, 31)
        for row in rows:
            draw = rng.random()
            row.status = (
                Status.DISCHARGED
                if draw < 0.7
                else Status.MET
                if draw < 0.8
                else Status.IN_PROGRESS
                if draw < 0.95
                else Status.NOT_STARTED
            )
            row.discharged_on = (
                year_end - timedelta(days=rng.randrange(200)) if draw < 0.7 else None
            )
            row.evidence = "Evidence" if draw < 0.8 else ""
            row.updated_at = timezone.now()
            if row.status != Status.NOT_STARTED:
                on = date(year, 6, 1)
                updates.append(
                    ProgressUpdate(
                        progress=row, on=on, status_from="not_started", status_to="in_progress"
                    )
                )
                updates.append(
                    ProgressUpdate(
                        progress=row,
                        on=row.discharged_on or year_end,
                        status_from="in_progress",
                        status_to=row.status,
                        evidence=row.evidence,
                    )
                )
        MeasureProgress.objects.bulk_update(
            rows, ["status", "discharged_on", "evidence", "updated_at"], batch_size=2000
        )
        ProgressUpdate.objects.bulk_create(updates, batch_size=2000)
    return latest


def run(*, quick: bool = False) -> dict[str, Any]:
    setup_django("support-tasking")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks._data import bulk_load
    from msoic.accounts.actions import do_create_user

    runs = 15 if quick else 50
    rng = random.Random(20240331)
    analyst, _ = do_create_user(
        "bench.unit",
        role="national",
        orgunit_code=None,
        password="bench-password-1234",
        actor="benchmark",
        check_password=False,
    )
    client = Client()
    client.force_login(analyst)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(
                f"support/tasking benchmark: GET {url} answered {response.status_code}"
            )
        return len(ctx.captured_queries)

    t0 = time.perf_counter()
    loaded = bulk_load(date(2021, 4, 1), date(2024, 3, 1))
    n_ops = _load_operations(range(LAST_YEAR, LAST_YEAR + 1), rng)
    tasking = _load_taskings(range(LAST_YEAR, LAST_YEAR + 1), rng)
    summary_url = "/operations-supported/summary/?year=FY2023-24"
    tracker_url = f"/cca-tasking/{tasking.pk}/?as_of=2024-03-31"
    first = (queries(summary_url), queries(tracker_url))
    n_ops += _load_operations(range(FIRST_YEAR, LAST_YEAR), rng)
    _load_taskings(range(FIRST_YEAR, LAST_YEAR), rng)
    ten = (queries(summary_url), queries(tracker_url))
    from msoic.tasking.models import MeasureProgress, Tasking

    n_taskings = Tasking.objects.count()
    n_rows = MeasureProgress.objects.count()
    progress(
        f"support/tasking: {n_ops:,} operations, {n_taskings} taskings ({n_rows:,} progress rows), "
        f"{loaded['values']:,} return values loaded in {time.perf_counter() - t0:.1f} s; "
        f"timing {runs} runs of each page"
    )

    results = {}
    for key, url in (("summary", summary_url), ("tracker", tracker_url)):
        client.get(url)  # warm up
        samples = []
        for _ in range(runs):
            started = time.perf_counter_ns()
            client.get(url)
            samples.append(time.perf_counter_ns() - started)
        results[key] = summary_ms(samples)

    def verdict(s: dict[str, float]) -> str:
        return "met" if s["p95_ms"] < P95_AIM_MS else "MISSED"

    s, t = results["summary"], results["tracker"]
    lines = [
        f"Operations supported and CCA tasking: {n_ops:,} operations over "
        f"{LAST_YEAR - FIRST_YEAR + 1} years, {n_taskings} taskings x 9 measures "
        f"({n_rows:,} progress rows), {loaded['values']:,} return values; {runs} runs",
        f"  GET {summary_url}: median {s['median_ms']:.1f} ms, p95 {s['p95_ms']:.1f} ms "
        f"(aim p95 < {P95_AIM_MS:g} ms: {verdict(s)}); queries {first[0]} with one year, "
        f"{ten[0]} with ten",
        f"  GET /cca-tasking/<FY2023-24>/ (national tracker): median {t['median_ms']:.1f} ms, "
        f"p95 {t['p95_ms']:.1f} ms (aim p95 < {P95_AIM_MS:g} ms: {verdict(t)}); queries "
        f"{first[1]} with one tasking, {ten[1]} with ten",
    ]
    return {
        "name": "support_tasking",
        "runs": runs,
        "summary": s,
        "tracker": t,
        "queries": {"summary": list(first[:1] + ten[:1]), "tracker": [first[1], ten[1]]},
        "lines": lines,
    }


def main(argv: list[str] | None = None) -> None:
    run_main(run, __doc__, argv)


if __name__ == "__main__":
    main()
