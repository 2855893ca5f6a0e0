"""Benchmark: the Project Terminus headline with ten years of quarterly returns.

Ten financial years (FY2014-15 to FY2023-24) of quarterly Terminus returns from all 43
forces – 40 quarters x 43 forces x 8 metrics, money in pence – are bulk-inserted as
submissions, versions and values; the load is not what is measured. Then timed, for a
national analyst: the headline panel for a year (``terminus.figures.headline``, eight
metric engine queries), and the whole Terminus page (``GET /operations/terminus/``:
panel, the year by quarter, by region). Query counts are taken at 5 and 10 years of
data, to show they do not grow with the history. Aim: 95th percentile under 150 ms.

Run alone: ``python -m benchmarks.terminus [--quick]``.
"""

from __future__ import annotations

import random
import time
from datetime import date
from typing import Any

from benchmarks._env import progress, run_main, setup_django, summary_ms

P95_AIM_MS = 150.0
YEARS = 10
FIRST_YEAR = 2014


def _load(forces: list[Any], years: range) -> int:
    """Bulk-insert the quarterly returns of ``years`` (financial years starting then)."""
    from django.utils import timezone

    from msoic.collection.models import Submission, SubmissionVersion, Value
    from msoic.metrics.periods import add_months
    from msoic.terminus.figures import HEADLINE_METRICS

    rng = random.Random(20240331)
    starts = [add_months(date(y, 4, 1), 3 * q) for y in years for q in range(4)]
    now = timezone.now()
    subs = Submission.objects.bulk_create(
        Submission(dataset="terminus-quarterly", orgunit=f, period=p, first_received_at=now)
        for p in starts
        for f in forces
    )
    versions = SubmissionVersion.objects.bulk_create(
        SubmissionVersion(
            submission=s,
            number=1,
            source="csv",
            content_sha256=f"{s.pk:064d}",
            received_at=now,
            value_count=len(HEADLINE_METRICS),
        )
        for s in subs
    )
    for s, v in zip(subs, versions, strict=True):
        s.current_version = v
    Submission.objects.bulk_update(subs, ["current_version"], batch_size=2000)
    values = [
        Value(
            version=v,
            orgunit_id=s.orgunit_id,
            period=s.period,
            metric=code,
            value=rng.randint(0, 5_000_000)
            if "cash" in code or "value" in code
            else rng.randint(0, 200),
            is_current=True,
        )
        for s, v in zip(subs, versions, strict=True)
        for code in HEADLINE_METRICS
    ]
    Value.objects.bulk_create(values, batch_size=5000)
    return len(values)


def _time(call: Any, runs: int) -> dict[str, float]:
    call()  # warm up
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        call()
        samples.append(time.perf_counter_ns() - t0)
    return summary_ms(samples)


def run(*, quick: bool = False) -> dict[str, Any]:
    setup_django("terminus")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from msoic.accounts.actions import do_create_user
    from msoic.catalogue.loader import get_catalogue
    from msoic.metrics.periods import Period
    from msoic.orgunits.models import OrgUnit, OrgUnitKind
    from msoic.terminus.figures import headline

    runs = 15 if quick else 50
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
    url = "/operations/terminus/?period=FY2023-24&orgunit=national"
    national = OrgUnit.objects.get(kind=OrgUnitKind.NATIONAL)
    year = Period.parse("FY2023-24")
    forces = list(OrgUnit.objects.forces().order_by("code"))

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"terminus benchmark: GET {url} answered {response.status_code}")
        return len(ctx.captured_queries)

    loaded = _load(forces, range(FIRST_YEAR + YEARS // 2, FIRST_YEAR + YEARS))
    queries_5 = page_queries()
    loaded += _load(forces, range(FIRST_YEAR, FIRST_YEAR + YEARS // 2))
    queries_10 = page_queries()
    progress(f"terminus: {loaded:,} values loaded; timing {runs} runs")

    catalogue = get_catalogue()
    panel = _time(lambda: headline(national, year, catalogue), runs)
    page = _time(lambda: client.get(url), runs)
    verdict = "met" if page["p95_ms"] < P95_AIM_MS and panel["p95_ms"] < P95_AIM_MS else "MISSED"
    lines = [
        f"Terminus: {YEARS} years x 4 quarters x {len(forces)} forces x 8 metrics "
        f"({loaded:,} values, bulk-inserted); {runs} runs",
        f"  headline panel, national FY2023-24: median {panel['median_ms']:.1f} ms, "
        f"p95 {panel['p95_ms']:.1f} ms",
        f"  GET /operations/terminus/ (panel, quarters, regions): median "
        f"{page['median_ms']:.1f} ms, p95 {page['p95_ms']:.1f} ms "
        f"(aim p95 < {P95_AIM_MS:g} ms: {verdict})",
        f"  queries per page: {queries_5} with 5 years of returns, {queries_10} with 10",
    ]
    return {
        "name": "terminus",
        "runs": runs,
        **page,
        "panel_median_ms": panel["median_ms"],
        "panel_p95_ms": panel["p95_ms"],
        "queries": [queries_5, queries_10],
        "lines": lines,
    }


def main(argv: list[str] | None = None) -> None:
    run_main(run, __doc__, argv)


if __name__ == "__main__":
    main()
