"""Benchmark: the data cleanse, the PNC marker and the NRM picture on a large register.

100,000 investigations across the 43 forces, each with one potential victim (referred to
the NRM, most with RG and CG decisions), are bulk-inserted; the load is not what is
measured. Then timed:

- opening a cleanse (the snapshot: matching every live case, worklist items, baseline),
  a few times, each a new cleanse;
- ``GET`` of the cleanse's progress page, the PNC marker coverage page and the NRM
  picture for a year (as a partner: suppressed), national scope: median and 95th
  percentile. The aim for pages, as elsewhere: 95th percentile under 150 ms.

Run alone: ``python -m benchmarks.cleanse [--quick]`` (quick: 20,000 investigations).
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
FULL, QUICK = 100_000, 20_000


def _load(n: int) -> None:
    from msoic.cases.models import Investigation, Person
    from msoic.orgunits.models import OrgUnit

    rng = random.Random(20231106)
    forces = list(OrgUnit.objects.forces().order_by("code"))
    types = ["criminal", "sexual", "labour", "domestic_servitude", "other"]
    start = date(2021, 4, 1)
    invs = []
    for i in range(n):
        opened = start + timedelta(days=rng.randint(0, 1000))
        closed = opened + timedelta(days=rng.randint(30, 700)) if rng.random() < 0.6 else None
        primary = rng.choice(types) if rng.random() > 0.03 else ""
        invs.append(
            Investigation(
                force=forces[i % len(forces)],
                crime_reference=f"B/{i:07d}",
                opened_on=opened,
                closed_on=closed,
                status="closed" if closed else "live",
                outcome="nfa" if closed else "",
                primary_exploitation=primary,
                exploitation_types=[primary] if primary else [],
                last_reviewed_on=opened + timedelta(days=rng.randint(0, 300)),
            )
        )
    saved = Investigation.objects.bulk_create(invs, batch_size=5000)
    people = []
    for i, inv in enumerate(saved):
        referred = inv.opened_on + timedelta(days=rng.randint(0, 60))
        rg = referred + timedelta(days=rng.randint(3, 40)) if rng.random() < 0.9 else None
        cg = rg + timedelta(days=rng.randint(60, 500)) if rg and rng.random() < 0.6 else None
        people.append(
            Person(
                investigation=inv,
                force_id=inv.force_id,
                reference=f"BENCH-P{i:07d}",
                category="victim",
                age_group=rng.choice(["adult", "adult", "child", "unknown"]),
                gender=rng.choice(["female", "male", "male", "unknown"]),
                nationality=rng.choice(["GB", "AL", "VN", "ER", "SD", "RO", "IN", ""]),
                nrm_referred_on=referred,
                nrm_referred_by_police=True,
                rg_decision=("positive" if rng.random() < 0.88 else "negative") if rg else "",
                rg_decided_on=rg,
                cg_decision=("positive" if rng.random() < 0.9 else "negative") if cg else "",
                cg_decided_on=cg,
                marker_requested_on=cg + timedelta(days=5) if cg and rng.random() < 0.7 else None,
            )
        )
    Person.objects.bulk_create(people, batch_size=5000)


def _time(client: Any, url: str, runs: int) -> dict[str, float]:
    response = client.get(url)  # warm up
    if response.status_code != 200:
        raise SystemExit(f"cleanse benchmark: GET {url} answered {response.status_code}")
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        client.get(url)
        samples.append(time.perf_counter_ns() - t0)
    return summary_ms(samples)


def run(*, quick: bool = False) -> dict[str, Any]:
    setup_django("cleanse")
    from django.test import Client

    from msoic.accounts.actions import do_create_user
    from msoic.cases.cleanse.actions import do_open_cleanse
    from msoic.catalogue.loader import load_catalogue

    n = QUICK if quick else FULL
    runs = 15 if quick else 40
    load_catalogue(actor="benchmark")
    users = {}
    for name, role, unit in (("bench.unit", "national", None), ("bench.nca", "partner", "nca")):
        users[role], _ = do_create_user(
            name,
            role=role,
            orgunit_code=unit,
            password="bench-password-1234",
            actor="benchmark",
            check_password=False,
        )
    progress(f"cleanse: loading {n:,} investigations with {n:,} potential victims")
    _load(n)

    opened = []
    open_ns = []
    for k in range(3):
        t0 = time.perf_counter_ns()
        cleanse = do_open_cleanse(
            title=f"Benchmark {k}",
            criteria={"stale_days": 180, "missing_exploitation": True, "nrm_days": 120},
            deadline=date(2024, 1, 31),
            opened_on=date(2023, 11, 6),
            actor=users["national"],
        )
        open_ns.append(time.perf_counter_ns() - t0)
        opened.append(cleanse)
    items = opened[0].items.count()
    open_summary = summary_ms(open_ns)

    unit, partner = Client(), Client()
    unit.force_login(users["national"])
    partner.force_login(users["partner"])
    progress(f"cleanse: timing pages, {runs} runs each")
    pages = {
        "progress": _time(unit, f"/investigations/cleanse/{opened[0].pk}/", runs),
        "marker": _time(unit, "/investigations/marker/", runs),
        "nrm": _time(partner, "/investigations/nrm/?period=FY2023-24", runs),
    }
    labels = {
        "progress": f"GET /investigations/cleanse/{opened[0].pk}/ (progress, 43 forces, national)",
        "marker": "GET /investigations/marker/ (coverage by force, national)",
        "nrm": "GET /investigations/nrm/?period=FY2023-24 (NRM picture, partner, suppressed)",
    }
    lines = [
        f"Cleanse, PNC marker, NRM picture: {n:,} investigations, {n:,} potential victims "
        f"(bulk-inserted); {runs} runs a page",
        f"  open a cleanse (snapshot of {items:,} cases): median {open_summary['median_ms']:.0f} "
        f"ms, max {max(open_ns) / 1e6:.0f} ms over 3",
    ]
    for key, summary in pages.items():
        verdict = "met" if summary["p95_ms"] < P95_AIM_MS else "MISSED"
        lines.append(
            f"  {labels[key]}: median {summary['median_ms']:.1f} ms, p95 {summary['p95_ms']:.1f}"
            f" ms (aim p95 < {P95_AIM_MS:g} ms: {verdict})"
        )
    return {
        "name": "cleanse",
        "investigations": n,
        "worklist_items": items,
        "open_ms": open_summary,
        **{f"{k}_ms": v for k, v in pages.items()},
        "lines": lines,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK:,} investigations")
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
