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
import random
import time
from datetime import date, timedelta
from typing import Any

from benchmarks._env import progress, setup_django, summary_ms

P95_AIM_MS = 150.0
FIRST_DAY = date(2005, 1, 1)
LAST_DAY = date(2024, 12, 31)
CHUNK = 100_000


def _load(n: int) -> int:
    """Insert ``n`` investigations with the database's own bulk path (executemany, in
    chunks); returns how many are live at the last day."""
    from django.db import connection, transaction
    from django.utils import timezone

    from msoic.cases.models import Investigation, Outcome, Status
    from msoic.orgunits.models import OrgUnit

    rng = random.Random(20240229)
    forces = list(OrgUnit.objects.forces().order_by("code"))
    weights = [8.0 if f.code == "metropolitan" else 1.0 + (i % 5) / 2 for i, f in enumerate(forces)]
    types = ["criminal", "sexual", "labour", "domestic_servitude", "organ_harvesting", "other"]
    type_weights = [0.6, 0.17, 0.16, 0.03, 0.002, 0.038]
    outcomes = [Outcome.CHARGED, Outcome.NFA, Outcome.TRANSFERRED, Outcome.OTHER]
    columns = [
        "force_id",
        "crime_reference",
        "opened_on",
        "closed_on",
        "status",
        "outcome",
        "primary_exploitation",
        "exploitation_types",
        "ocg_linked",
        "oic_related",
        "officer_in_charge",
        "last_reviewed_on",
        "created_at",
        "updated_at",
    ]
    table = Investigation._meta.db_table
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - fixed names, no input
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    now = timezone.now()
    span = (LAST_DAY - FIRST_DAY).days
    live = 0
    done = 0
    numbers = dict.fromkeys(range(len(forces)), 0)
    while done < n:
        batch = []
        picks = rng.choices(range(len(forces)), weights=weights, k=min(CHUNK, n - done))
        for i in picks:
            numbers[i] += 1
            opened = FIRST_DAY + timedelta(days=rng.randint(0, span))
            closed: date | None = opened + timedelta(days=1 + int(rng.expovariate(1 / 150)))
            if closed is not None and closed > LAST_DAY:
                closed = None
                live += 1
            primary = rng.choices(types, weights=type_weights, k=1)[0]
            batch.append(
                (
                    forces[i].pk,
                    f"MS/{numbers[i]:07d}",
                    opened,
                    closed,
                    Status.LIVE if closed is None else Status.CLOSED,
                    "" if closed is None else rng.choice(outcomes),
                    primary,
                    json.dumps([primary]),
                    rng.random() < 0.3,
                    False,
                    "",
                    closed or LAST_DAY - timedelta(days=rng.randint(0, 400)),
                    now,
                    now,
                )
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
        done += len(batch)
        progress(f"register: {done:,} investigations stored")
    return live


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
    from msoic.cases.dde import do_set_dde_adoption
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
