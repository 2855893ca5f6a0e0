"""Benchmark: the national dashboard's data calls over ten years of returns.

Ten years of monthly returns for all 43 forces (both datasets, about 5% of them corrected
once, so superseded values are in the table too) are bulk-inserted straight into
Submission, SubmissionVersion and Value; the load is not what is measured. Then each call
the national dashboards make is timed over many runs: the metric engine's ``query`` for
every metric (rolling twelve months, compared with the previous year; split by region;
split by exploitation type) and ``series`` for 36 months, and
``GET /api/v1/values?...&by=force`` through Django's test client with a national analyst's
API token. Then the same questions asked together (``engine.query_many``, one grouped
query), and each national dashboard page's figures as the page builds them
(``DashboardData``: every block, batched). The issue's aim: 95th percentile under 100 ms.

Run alone: ``python -m benchmarks.dashboard_queries [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

from benchmarks._env import progress, setup_django, summary_ms


def _time(fn: Callable[[], Any], runs: int) -> list[int]:
    fn()  # warm up: first-call imports and caches are not what a dashboard user waits for
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t0)
    return samples


def run(*, quick: bool = False) -> dict[str, Any]:
    setup_django("dashboard")
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from benchmarks._data import bulk_load
    from msoic.accounts.actions import do_create_user
    from msoic.catalogue.loader import get_catalogue
    from msoic.collection.models import Value
    from msoic.metrics import engine
    from msoic.metrics.periods import Period, add_months, format_month, last_complete_month
    from msoic.orgunits.models import OrgUnit

    years = 3 if quick else 10
    runs = 15 if quick else 50
    latest = last_complete_month(timezone.localdate())
    first = add_months(latest, -(12 * years - 1))
    progress(
        f"dashboard: bulk-inserting {years} years of returns, {format_month(first)} to {format_month(latest)}"
    )
    t0 = time.perf_counter()
    loaded = bulk_load(first, latest)
    load_s = time.perf_counter() - t0
    progress(
        f"dashboard: {loaded['values']:,} values in {load_s:.1f} s; timing {runs} runs of each call"
    )

    cat = get_catalogue()
    national = OrgUnit.objects.get(kind="national")
    r12 = f"R12-{format_month(latest)}"
    start36 = add_months(latest, -35)
    metrics = list(cat.metrics)
    ms_metrics = [m for m in metrics if cat.metrics[m].dataset == "ms-monthly"]
    oic_metrics = [m for m in metrics if cat.metrics[m].dataset == "oic-monthly"]

    def headline(m: str) -> Any:
        return engine.query(m, national, r12, compare="previous-year")

    def by_region(m: str) -> Any:
        return engine.query(m, national, r12, by="region", compare="previous-year")

    def by_breakdown(m: str, b: str) -> Any:
        return engine.query(m, national, r12, by=b, compare="previous-year")

    def trend(m: str, by: str | None = None) -> Any:
        return engine.series(m, national, start36, latest, by=by)

    rows: list[dict[str, Any]] = []

    def measure(label: str, calls: list[Callable[[], Any]]) -> None:
        samples: list[int] = []
        for call in calls:
            samples.extend(_time(call, runs))
        rows.append({"label": label, "calls": len(calls), **summary_ms(samples)})

    measure(
        f"engine.query national {r12}, compare previous-year (each of {len(metrics)} metrics)",
        [lambda m=m: headline(m) for m in metrics],
    )
    measure(
        "engine.query by=region, compare (each metric)", [lambda m=m: by_region(m) for m in metrics]
    )
    breakdown_calls = [(m, b) for m in metrics for b in cat.metrics[m].breakdowns]
    measure(
        "engine.query by=exploitation_type, compare",
        [lambda: by_breakdown("ms_live_investigations", "exploitation_type")],
    )
    measure(
        f"engine.query by=<breakdown>, compare ({len(breakdown_calls)} metric/breakdown pairs)",
        [lambda m=m, b=b: by_breakdown(m, b) for m, b in breakdown_calls],
    )
    measure("engine.series 36 months (each metric)", [lambda m=m: trend(m) for m in metrics])
    measure(
        "engine.series 36 months by=exploitation_type",
        [lambda: trend("ms_live_investigations", "exploitation_type")],
    )

    def dashboard(ds_metrics: list[str]) -> Callable[[], None]:
        def calls() -> None:
            for m in ds_metrics:
                headline(m)
                by_region(m)
                trend(m)
                for b in cat.metrics[m].breakdowns:
                    by_breakdown(m, b)
                    trend(m, b)

        return calls

    per_page = {
        ds: sum(3 + 2 * len(cat.metrics[m].breakdowns) for m in ms)
        for ds, ms in (("ms", ms_metrics), ("oic", oic_metrics))
    }
    measure(
        f"national MS dashboard, all {per_page['ms']} engine calls together",
        [dashboard(ms_metrics)],
    )
    measure(
        f"national OIC dashboard, all {per_page['oic']} engine calls together",
        [dashboard(oic_metrics)],
    )

    def batched(ds_metrics: list[str]) -> Callable[[], None]:
        period = Period.parse(r12)
        asks: list[engine.Ask | engine.SeriesAsk] = []
        for m in ds_metrics:
            asks.append(engine.Ask(m, period, compare="previous-year"))
            asks.append(engine.Ask(m, period, by="region", compare="previous-year"))
            asks.append(engine.SeriesAsk(m, start36, latest))
            for b in cat.metrics[m].breakdowns:
                asks.append(engine.Ask(m, period, by=b, compare="previous-year"))
                asks.append(engine.SeriesAsk(m, start36, latest, by=b))

        def calls() -> None:
            engine.query_many(national, asks)

        return calls

    measure(
        f"national MS dashboard, the same {per_page['ms']} questions in one engine.query_many",
        [batched(ms_metrics)],
    )
    measure(
        f"national OIC dashboard, the same {per_page['oic']} questions in one engine.query_many",
        [batched(oic_metrics)],
    )

    def page_data(code: str) -> Callable[[], None]:
        from msoic.dashboards.blocks import DASHBOARDS, DashboardData
        from msoic.dashboards.scope import DashboardScope

        scope = DashboardScope(national, [], by_region=True, by_force=True)

        def calls() -> None:
            data = DashboardData(
                DASHBOARDS[code], scope, latest, DASHBOARDS[code].headline[0].metric, cat
            )
            data.headline()
            data.blocks()

        return calls

    measure("national MS dashboard page: every block's figures (DashboardData)", [page_data("ms")])
    measure(
        "national OIC dashboard page: every block's figures (DashboardData)", [page_data("oic")]
    )

    notes: list[str] = []
    try:
        url = reverse("api-values")
    except NoReverseMatch:
        url = ""
    if url:
        analyst, token = do_create_user(
            "bench.analyst",
            role="national",
            orgunit_code=None,
            password="bench-password-1234",
            with_token=True,
            actor="benchmark",
            check_password=False,
        )
        client = Client()
        query = f"?metric=ms_recorded_crimes&orgunit=national&period={r12}&by=force"
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        response = client.get(url + query, **headers)
        if response.status_code != 200:
            raise SystemExit(
                f"dashboard benchmark: GET {url}{query} answered {response.status_code}: "
                f"{response.content[:300]!r}"
            )
        body = response.json()
        if len(body.get("rows", [])) != OrgUnit.objects.forces().count():
            raise SystemExit(
                f"dashboard benchmark: GET {url}{query} did not return a row per force"
            )
        measure(
            "GET /api/v1/values R12 by=force, national analyst's token (*)",
            [lambda: client.get(url + query, **headers)],
        )
        notes.append(f"(*) GET {url}{query}")
    else:
        notes.append(
            "GET /api/v1/values is not in the URLconf yet: timed engine.query by=force instead"
        )
        measure(
            f"engine.query ms_recorded_crimes {r12} by=force (no API endpoint yet)",
            [lambda: engine.query("ms_recorded_crimes", national, r12, by="force")],
        )

    return {
        "name": "dashboard",
        "years": years,
        "runs": runs,
        "first": format_month(first),
        "latest": format_month(latest),
        "loaded": loaded,
        "value_rows": Value.objects.count(),
        "load_s": load_s,
        "rows": rows,
        "notes": notes,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="three years of data and 15 runs of each call"
    )
    parser.add_argument("--json-out", help="write the result as JSON to this file")
    args = parser.parse_args(argv)
    result = run(quick=args.quick)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(result, handle)
    else:
        from benchmarks.report import print_table

        print_table([result], quick=args.quick)


if __name__ == "__main__":
    main()
