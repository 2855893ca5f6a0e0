"""Benchmark: people trained in a year counted from 100,000 attendance rows.

One financial year (FY2023-24) of training: 1,000 sessions of 100 attendances each
(100,000 rows, bulk-inserted; about 40,000 distinct people from the 43 forces, many at
several sessions). Timed: the metric engine's answer for ``training_people_trained``,
national FY2023-24 (the derived source reads the year's attendance once and attributes
each person to the month and force of their first attendance), and the same split by
region. Aim (issue 13): 95th percentile under 150 ms.

Run alone: ``python -m benchmarks.training [--quick]``.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from typing import Any

from benchmarks._env import progress, run_main, setup_django, summary_ms

P95_AIM_MS = 150.0
SESSIONS = 1000
PER_SESSION = 100
PEOPLE = 40_000


def _load(forces: list[Any]) -> int:
    from msoic.capability.keys import attendee_key
    from msoic.capability.models import Attendance, Event, Session
    from msoic.orgunits.models import OrgUnit

    rng = random.Random(20240331)
    owner = OrgUnit.objects.get(kind="national")
    event = Event.objects.create(kind="course", title="Benchmark course", owner=owner)
    first = date(2023, 4, 1)
    sessions = Session.objects.bulk_create(
        Session(
            event=event,
            date=first + timedelta(days=rng.randrange(366)),
            mode="online",
            delivered_by="unit",
        )
        for _ in range(SESSIONS)
    )
    people = [(attendee_key(f"p{n}@bench"), rng.choice(forces).pk) for n in range(PEOPLE)]
    rows = []
    for session in sessions:
        for key, force_id in rng.sample(people, PER_SESSION):
            rows.append(
                Attendance(
                    session=session,
                    attendee_key=key,
                    orgunit_id=force_id,
                    role="staff",
                    on=session.date,
                )
            )
    Attendance.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _time(call: Any, runs: int) -> dict[str, float]:
    call()  # warm up
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        call()
        samples.append(time.perf_counter_ns() - t0)
    return summary_ms(samples)


def run(*, quick: bool = False) -> dict[str, Any]:
    setup_django("training")
    from msoic.capability.models import Attendance
    from msoic.catalogue.loader import get_catalogue
    from msoic.metrics import engine
    from msoic.orgunits.models import OrgUnit, OrgUnitKind

    runs = 15 if quick else 50
    forces = list(OrgUnit.objects.forces())
    loaded = _load(forces)
    national = OrgUnit.objects.get(kind=OrgUnitKind.NATIONAL)
    catalogue = get_catalogue()
    distinct = Attendance.objects.values("attendee_key").distinct().count()
    answer = engine.query("training_people_trained", national, "FY2023-24", catalogue=catalogue)
    if answer.value != distinct:
        raise SystemExit(f"training benchmark: engine says {answer.value}, records {distinct}")
    progress(f"training: {loaded:,} attendances, {distinct:,} people; timing {runs} runs")
    total = _time(
        lambda: engine.query("training_people_trained", national, "FY2023-24", catalogue=catalogue),
        runs,
    )
    by_region = _time(
        lambda: engine.query(
            "training_people_trained", national, "FY2023-24", by="region", catalogue=catalogue
        ),
        runs,
    )
    verdict = "met" if max(total["p95_ms"], by_region["p95_ms"]) < P95_AIM_MS else "MISSED"
    lines = [
        f"Training: {loaded:,} attendances in FY2023-24 ({SESSIONS:,} sessions, "
        f"{distinct:,} distinct people, bulk-inserted); {runs} runs",
        f"  people trained, national FY2023-24: median {total['median_ms']:.1f} ms, "
        f"p95 {total['p95_ms']:.1f} ms",
        f"  the same by region: median {by_region['median_ms']:.1f} ms, "
        f"p95 {by_region['p95_ms']:.1f} ms (aim p95 < {P95_AIM_MS:g} ms: {verdict})",
    ]
    return {"name": "training", "runs": runs, **total, "lines": lines}


def main(argv: list[str] | None = None) -> None:
    run_main(run, __doc__, argv)


if __name__ == "__main__":
    main()
