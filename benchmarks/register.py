"""Benchmark: the investigation register at a million investigations.

1,000,000 investigations (100,000 with ``--quick``) over the 43 forces, opened across
twenty years with lifetimes drawn so some are still live, are bulk-inserted (the load is
not what is measured), every force derives live investigations from its register
(direct data entry), and the database's statistics are refreshed as in production. Then:

- the national live-investigations figure for an ``R12`` period through the metric engine
  (the month-end caseload of every force, counted from the register), with and without
  the split by exploitation type;
- a force's register list page (``GET /investigations/register/``) for a Kent user,
  the first page and the live cases only.

Median and 95th percentile of each; the issue's aim: 95th percentile under 150 ms.

Run alone: ``python -m benchmarks.register [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from typing import Any

from benchmarks._env import progress, setup_django, summary_ms

P95_AIM_MS = 150.0
FIRST_DAY = date(2005, 1, 1)
LAST_DAY = date(2024, 12, 31)


def _load(n: int) -> int:
    """Insert ``n`` investigations with SQLite's own bulk path: one INSERT ... SELECT over
    a generated sequence, every value a fixed function of the row number (the same rows on
    every run). Returns how many are live on the last day."""
    from django.db import connection, transaction
    from django.utils import timezone

    from msoic.cases.models import Investigation
    from msoic.orgunits.models import OrgUnit

    forces = list(OrgUnit.objects.forces().order_by("code").values_list("pk", "code"))
    # The Metropolitan Police gets a large share; the rest spread evenly.
    slots = [pk for pk, code in forces for _ in range(8 if code == "metropolitan" else 1)]
    force_case = " ".join(f"WHEN {i} THEN {pk}" for i, pk in enumerate(slots))
    span = (LAST_DAY - FIRST_DAY).days
    now = timezone.now().isoformat()
    table = Investigation._meta.db_table
    # u in [0, 1000): a skewed duration (median about 4 months) with a long tail.
    sql = f"""
        WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {n}),
        rows AS (
            SELECT n,
                   (n * 2654435761) % 4294967296 AS h,
                   (n * 40503 + 12345) % 65521 AS g,
                   (n * 97 + 31) % 1000 AS u
            FROM seq
        ),
        cases AS (
            SELECT n,
                   CASE h % {len(slots)} {force_case} END AS force_id,
                   date('{FIRST_DAY.isoformat()}', '+' || ((h / 64) % {span}) || ' days') AS opened,
                   1 + (u * u) / 2500 + CASE WHEN g % 20 = 0 THEN g % 1500 ELSE 0 END AS days,
                   CASE WHEN g % 1000 < 600 THEN 'criminal' WHEN g % 1000 < 770 THEN 'sexual'
                        WHEN g % 1000 < 930 THEN 'labour'
                        WHEN g % 1000 < 960 THEN 'domestic_servitude'
                        WHEN g % 1000 < 962 THEN 'organ_harvesting' ELSE 'other' END AS kind
            FROM rows
        ),
        dated AS (
            SELECT *, CASE WHEN date(opened, '+' || days || ' days') > '{LAST_DAY.isoformat()}'
                      THEN NULL ELSE date(opened, '+' || days || ' days') END AS closed
            FROM cases
        )
        INSERT INTO {table} (force_id, crime_reference, opened_on, closed_on, status, outcome,
            primary_exploitation, exploitation_types, ocg_linked, oic_related,
            officer_in_charge, last_reviewed_on, created_at, updated_at)
        SELECT force_id, 'MS/' || substr('0000000' || n, -8, 8), opened, closed,
               CASE WHEN closed IS NULL THEN 'live' ELSE 'closed' END,
               CASE WHEN closed IS NULL THEN '' WHEN n % 5 = 0 THEN 'charged' ELSE 'nfa' END,
               kind, '["' || kind || '"]', n % 3 = 0, 0, '',
               COALESCE(closed, date('{LAST_DAY.isoformat()}', '-' || (n % 400) || ' days')),
               '{now}', '{now}'
        FROM dated
    """  # noqa: S608 - every value is a constant of this benchmark
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    progress(f"register: {n:,} investigations stored")
    return Investigation.objects.filter(closed_on__isnull=True).count()


def _timed(runs: int, fn: Any) -> dict[str, float]:
    fn()  # warm up
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t0)
    return summary_ms(samples)


def run(*, quick: bool = False) -> dict[str, Any]:
    setup_django("register")
    from django.db import connection
    from django.test import Client

    from msoic.accounts.actions import do_create_user
    from msoic.cases.register.dde import do_set_dde_adoption
    from msoic.catalogue.loader import get_catalogue, load_catalogue
    from msoic.metrics.engine import query
    from msoic.orgunits.models import OrgUnit

    n = 100_000 if quick else 1_000_000
    runs = 15 if quick else 40
    load_catalogue(actor="benchmark")
    get_catalogue()
    t0 = time.perf_counter()
    live = _load(n)
    load_seconds = time.perf_counter() - t0
    for force in OrgUnit.objects.forces():
        do_set_dde_adoption(force, "ms_live_investigations", date(2010, 1, 1), actor="benchmark")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    nation = OrgUnit.objects.get(kind="national")
    period = "R12-2024-12"
    figure = query("ms_live_investigations", nation, period)
    if figure.value != live:
        raise SystemExit(f"register benchmark: engine says {figure.value}, {live} are live")
    progress(f"register: {n:,} stored in {load_seconds:.0f} s; {live:,} live; timing {runs} runs")

    national = _timed(runs, lambda: query("ms_live_investigations", nation, period))
    by_type = _timed(
        runs, lambda: query("ms_live_investigations", nation, period, by="exploitation_type")
    )
    user, _ = do_create_user(
        "bench.kent",
        role="force",
        orgunit_code="kent",
        password="bench-password-1234",
        actor="benchmark",
        check_password=False,
    )
    client = Client()
    client.force_login(user)
    kent_cases = user.orgunit.investigations.count()

    def page(url: str) -> Any:
        def get() -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"register benchmark: GET {url} answered {response.status_code}")

        return get

    first_page = _timed(runs, page("/investigations/register/"))
    live_page = _timed(runs, page("/investigations/register/?status=live"))
    worst = max(s["p95_ms"] for s in (national, by_type, first_page, live_page))
    verdict = "met" if worst < P95_AIM_MS else "MISSED"

    def line(label: str, s: dict[str, float]) -> str:
        return f"  {label}: median {s['median_ms']:.1f} ms, p95 {s['p95_ms']:.1f} ms"

    lines = [
        f"Investigation register: {n:,} investigations bulk-inserted ({load_seconds:.0f} s), "
        f"{live:,} live; all 43 forces on DDE; {runs} runs each",
        line(f"national live investigations {period} (engine, {figure.value:,})", national),
        line("  ... by exploitation type", by_type),
        line(f"register list, Kent user ({kent_cases:,} cases), first page", first_page),
        line("register list, live cases only", live_page),
        f"  aim p95 < {P95_AIM_MS:g} ms: {verdict}",
    ]
    return {
        "name": "register",
        "runs": runs,
        "median_ms": national["median_ms"],
        "p95_ms": worst,
        "lines": lines,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="100,000 investigations, 15 runs")
    parser.add_argument("--json-out", help="write the result as JSON to this file")
    args = parser.parse_args(argv)
    result = run(quick=args.quick)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(result, handle)
    else:
        print("\n".join(result["lines"]))


if __name__ == "__main__":
    main()
