"""Benchmark: the peer review recommendations roll-up with every force reviewed.

43 published peer reviews of 30 recommendations each (1,290 recommendations at a spread of
statuses, due dates and ages) are bulk-inserted; the load is not what is measured. Then
``GET /peer-reviews/tracker/`` is timed for a national analyst, and its query count is
taken with 10 forces reviewed and with all 43, to show it does not grow with the forces.
The issue's aim: 95th percentile under 150 ms.

Run alone: ``python -m benchmarks.peerreview [--quick]``.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from benchmarks._env import progress, run_main, setup_django, summary_ms

RECS_PER_REVIEW = 30
P95_AIM_MS = 150.0


def _load(forces: list[Any], start: int) -> None:
    from msoic.peerreview.models import PeerReview, Recommendation, RecStatus, Stage, Theme

    statuses = list(RecStatus.values)
    themes = list(Theme.values)
    reviews = PeerReview.objects.bulk_create(
        PeerReview(
            force=f,
            stage=Stage.PUBLISHED,
            published_on=date(2023, 4, 1) + timedelta(days=9 * (start + i)),
        )
        for i, f in enumerate(forces)
    )
    Recommendation.objects.bulk_create(
        Recommendation(
            review=r,
            number=n + 1,
            theme=themes[n % len(themes)],
            text=f"Recommendation {n + 1}",
            status=statuses[(n * 7 + i) % len(statuses)],
            due_date=(r.published_on or date(2024, 1, 1)) + timedelta(days=30 * (n % 14)),
        )
        for i, r in enumerate(reviews)
        for n in range(RECS_PER_REVIEW)
    )


def run(*, quick: bool = False) -> dict[str, Any]:
    setup_django("peerreview")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from msoic.accounts.actions import do_create_user
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
    url = "/peer-reviews/tracker/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"peer review benchmark: GET {url} answered {response.status_code}")
        return len(ctx.captured_queries)

    forces = list(OrgUnit.objects.forces().order_by("code"))
    _load(forces[:10], 0)
    queries_10 = queries()
    _load(forces[10:], 10)
    queries_43 = queries()
    progress(f"peerreview: {len(forces)} reviews loaded; timing {runs} runs")

    client.get(url)  # warm up
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        client.get(url)
        samples.append(time.perf_counter_ns() - t0)
    summary = summary_ms(samples)
    verdict = "met" if summary["p95_ms"] < P95_AIM_MS else "MISSED"
    lines = [
        f"Peer reviews: {len(forces)} published reviews x {RECS_PER_REVIEW} recommendations "
        f"(bulk-inserted); {runs} runs",
        f"  GET {url} (national analyst): median {summary['median_ms']:.1f} ms, "
        f"p95 {summary['p95_ms']:.1f} ms (aim p95 < {P95_AIM_MS:g} ms: {verdict})",
        f"  queries per page: {queries_10} with 10 forces reviewed, {queries_43} with 43",
    ]
    return {
        "name": "peerreview",
        "runs": runs,
        **summary,
        "queries": [queries_10, queries_43],
        "lines": lines,
    }


def main(argv: list[str] | None = None) -> None:
    run_main(run, __doc__, argv)


if __name__ == "__main__":
    main()
