"""Benchmark: the national benchmarking picture (heatmap) with five years of campaigns.

Five yearly campaigns for all 43 forces against the 47-standard framework (about 10,000
grades, finalised, a spread of Red/Amber/Green, some challenged) are bulk-inserted; the load
is not what is measured. Then ``GET /assurance/campaigns/<newest>/results/`` – heatmap,
distribution, thresholds, year-on-year against the year before – is timed for a national
analyst, and its query count is taken with 10 forces in the newest campaign and with all 43,
to show it does not grow with the forces. The issue's aim: 95th percentile under 150 ms.

Run alone: ``python -m benchmarks.assurance [--quick]``.
"""

from __future__ import annotations

import random
import time
from datetime import date
from typing import Any

from benchmarks._env import progress, run_main, setup_django, summary_ms

YEARS = 5
P95_AIM_MS = 150.0


def _load(campaign: Any, forces: list[Any], standards: list[Any], rng: random.Random) -> None:
    from msoic.assurance.models import Assessment, AssessmentStatus, Grade

    assessments = Assessment.objects.bulk_create(
        Assessment(campaign=campaign, orgunit=f, status=AssessmentStatus.FINALISED) for f in forces
    )
    grades = []
    for a in assessments:
        for s in standards:
            grade = rng.choices(["red", "amber", "green"], weights=[1, 3, 5])[0]
            agreed = "amber" if grade == "green" and rng.random() < 0.02 else ""
            grades.append(
                Grade(assessment=a, standard=s, grade=grade, agreed_grade=agreed, evidence="E")
            )
    Grade.objects.bulk_create(grades)


def run(*, quick: bool = False) -> dict[str, Any]:
    setup_django("assurance")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from msoic.accounts.actions import do_create_user
    from msoic.assurance.models import Campaign, FrameworkVersion
    from msoic.orgunits.models import OrgUnit

    runs = 15 if quick else 50
    rng = random.Random(43)
    analyst, _ = do_create_user(
        "bench.unit",
        role="national",
        orgunit_code=None,
        password="bench-password-1234",
        actor="benchmark",
        check_password=False,
    )
    version = FrameworkVersion.objects.get(framework="nsts", version="2023-24")
    standards = list(version.standards.all())
    forces = list(OrgUnit.objects.forces().order_by("code"))
    newest = None
    for year in range(2024 - YEARS + 1, 2025):
        newest = Campaign.objects.create(
            name=f"Benchmarking {year - 1}/{year % 100:02d}",
            framework_version=version,
            deadline=date(year, 3, 31),
        )
        _load(newest, forces[:10] if year == 2024 else forces, standards, rng)
    assert newest is not None
    client = Client()
    client.force_login(analyst)
    url = f"/assurance/campaigns/{newest.pk}/results/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"assurance benchmark: GET {url} answered {response.status_code}")
        return len(ctx.captured_queries)

    queries_10 = queries()
    _load(newest, forces[10:], standards, rng)
    queries_43 = queries()
    progress(f"assurance: {YEARS} campaigns x {len(forces)} forces loaded; timing {runs} runs")
    client.get(url)  # warm up
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        client.get(url)
        samples.append(time.perf_counter_ns() - t0)
    summary = summary_ms(samples)
    verdict = "met" if summary["p95_ms"] < P95_AIM_MS else "MISSED"
    lines = [
        f"Benchmarking: {YEARS} yearly campaigns x {len(forces)} forces x {len(standards)} "
        f"standards (bulk-inserted); {runs} runs",
        f"  GET national picture (heatmap, distribution, year-on-year): median "
        f"{summary['median_ms']:.1f} ms, p95 {summary['p95_ms']:.1f} ms "
        f"(aim p95 < {P95_AIM_MS:g} ms: {verdict})",
        f"  queries per page: {queries_10} with 10 forces, {queries_43} with 43",
    ]
    return {
        "name": "assurance",
        "runs": runs,
        **summary,
        "queries": [queries_10, queries_43],
        "lines": lines,
    }


def main(argv: list[str] | None = None) -> None:
    run_main(run, __doc__, argv)


if __name__ == "__main__":
    main()
