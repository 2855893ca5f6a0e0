"""Benchmark: the intensifications overview with ten years of operations.

Ten financial years of about 40 intensifications each (400 operations), 20 participating
forces per operation returning the five standard outcomes and three activity metrics
(8,000 returns, 64,000 values), are bulk-inserted and the catalogue is loaded once (one
generated dataset per operation); the load is not what is measured. Then
``GET /operations/intensifications/`` (totals by year across every operation and the
newest year's operations) and one operation's page are timed for a national analyst, and
the overview's query count is taken with one year and with ten, to show it does not grow
with the operations. The issue's aim: 95th percentile under 150 ms.

Run alone: ``python -m benchmarks.operations [--quick]``.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from typing import Any

from benchmarks._env import progress, run_main, setup_django, summary_ms

YEARS = 10
PER_YEAR = 40
FORCES_PER_OP = 20
ACTIVITY = ("op_sites_visited", "op_businesses_reached", "op_intelligence_submissions")
P95_AIM_MS = 150.0


def _load(first_year: int, years: int, forces: list[Any], number: int) -> int:
    """Bulk-insert ``years`` years of operations and their returns; returns the next number."""
    from django.utils import timezone

    from msoic.collection.models import Submission, SubmissionVersion, Value
    from msoic.operations.catalogue import STANDARD_METRICS
    from msoic.operations.models import Operation

    rng = random.Random(first_year)
    ops = []
    for y in range(first_year, first_year + years):
        for i in range(PER_YEAR):
            start = date(y, 4, 3) + timedelta(days=9 * i)
            ops.append(
                Operation(
                    series="AIDANT",
                    number=number,
                    theme=f"Intensification {number}",
                    exploitation_type="labour",
                    start_date=start,
                    end_date=start + timedelta(days=6),
                    lead_agency="MSOIC Unit",
                    activity_metrics=list(ACTIVITY),
                )
            )
            number += 1
    ops = Operation.objects.bulk_create(ops)
    through = Operation.forces.through
    chosen = {op.pk: rng.sample(forces, FORCES_PER_OP) for op in ops}
    through.objects.bulk_create(
        through(operation_id=op.pk, orgunit_id=f.pk) for op in ops for f in chosen[op.pk]
    )
    subs = Submission.objects.bulk_create(
        Submission(
            dataset=op.dataset_code, orgunit=f, period=op.month, first_received_at=timezone.now()
        )
        for op in ops
        for f in chosen[op.pk]
    )
    versions = SubmissionVersion.objects.bulk_create(
        SubmissionVersion(submission=s, number=1, source="csv", content_sha256="x" * 64)
        for s in subs
    )
    for s, v in zip(subs, versions, strict=True):
        s.current_version = v
    Submission.objects.bulk_update(subs, ["current_version"], batch_size=2000)
    Value.objects.bulk_create(
        (
            Value(
                version=v,
                orgunit_id=s.orgunit_id,
                period=s.period,
                metric=m,
                value=rng.randint(0, 12),
                is_current=True,
            )
            for s, v in zip(subs, versions, strict=True)
            for m in (*STANDARD_METRICS, *ACTIVITY)
        ),
        batch_size=5000,
    )
    return number


def run(*, quick: bool = False) -> dict[str, Any]:
    setup_django("operations")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from msoic.accounts.actions import do_create_user
    from msoic.catalogue.loader import get_catalogue, load_catalogue
    from msoic.operations.models import Operation
    from msoic.orgunits.models import OrgUnit

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
    overview = "/operations/intensifications/"

    def get(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"operations benchmark: GET {url} answered {response.status_code}")
        return len(ctx.captured_queries)

    forces = list(OrgUnit.objects.forces().order_by("code"))
    first = 2024 - YEARS + 1
    t0 = time.perf_counter()
    number = _load(first, 1, forces, 1)
    queries_1 = get(overview)
    _load(first + 1, YEARS - 1, forces, number)
    loaded = time.perf_counter() - t0
    t0 = time.perf_counter()
    load_catalogue(actor="benchmark")
    get_catalogue()
    catalogue_s = time.perf_counter() - t0
    queries_10 = get(overview)
    n_ops = Operation.objects.count()
    progress(f"operations: {n_ops} operations loaded in {loaded:.1f} s; timing {runs} runs")
    op = Operation.objects.order_by("-start_date").first()
    assert op is not None
    detail = f"/operations/intensifications/{op.pk}/"
    detail_queries = get(detail)

    def timed(url: str, before: Any = None) -> dict[str, float]:
        client.get(url)  # warm up
        samples = []
        for _ in range(runs):
            if before is not None:
                before()
            t = time.perf_counter_ns()
            client.get(url)
            samples.append(time.perf_counter_ns() - t)
        return summary_ms(samples)

    summary = timed(overview)
    detail_summary = timed(detail)
    from django.core.cache import cache

    def cold() -> None:
        cache.clear()  # as after a new return: the totals by year are computed again

    cold_summary = timed(overview, before=cold)
    verdict = "met" if summary["p95_ms"] < P95_AIM_MS else "MISSED"
    detail_verdict = "met" if detail_summary["p95_ms"] < P95_AIM_MS else "MISSED"
    lines = [
        f"Operations: {YEARS} years x {PER_YEAR} intensifications ({n_ops}), {FORCES_PER_OP} "
        f"force returns each (bulk-inserted); catalogue with {n_ops} generated datasets "
        f"loaded in {catalogue_s:.1f} s; {runs} runs",
        f"  GET {overview} (national analyst): median {summary['median_ms']:.1f} ms, "
        f"p95 {summary['p95_ms']:.1f} ms (aim p95 < {P95_AIM_MS:g} ms: {verdict})",
        f"  the same just after a new return (totals by year recomputed): median "
        f"{cold_summary['median_ms']:.1f} ms, p95 {cold_summary['p95_ms']:.1f} ms",
        f"  GET one operation's page: median {detail_summary['median_ms']:.1f} ms, "
        f"p95 {detail_summary['p95_ms']:.1f} ms ({detail_verdict}; {detail_queries} queries)",
        f"  overview queries: {queries_1} with 1 year of operations, {queries_10} with {YEARS}",
    ]
    return {
        "name": "operations",
        "runs": runs,
        **summary,
        "queries": [queries_1, queries_10],
        "lines": lines,
    }


def main(argv: list[str] | None = None) -> None:
    run_main(run, __doc__, argv)


if __name__ == "__main__":
    main()
