"""Benchmark: the NRM picture with disclosure control, on a large register.

The register of the cleanse benchmark (100,000 investigations, each with one potential
victim referred to the NRM over three years, most with RG and CG decisions: about eight
times the national volume) is bulk-inserted; the load is not what is measured. Then
``GET /investigations/nrm/?period=FY2023-24`` is timed (median and 95th percentile):

- as a partner: every panel through disclosure control (record-keyed perturbation, the
  linked panels' suppression solved exactly), the figure issue 9 sets an aim for
  (p95 under 150 ms; it was 225 ms with the old suppression). The released picture is
  the same for every partner until the register changes, so it is cached, keyed on the
  register's state (checking the state is part of every timed request);
- as a partner with the cache emptied before every request (the first partner to ask
  after a change), and as the unit (exact figures, no disclosure control), for
  comparison.

MFA is switched off in this throwaway process (MSOIC_MFA_DEMO_OFF) so the unit's page can
be timed without a second factor.

Run alone: ``python -m benchmarks.nrm [--quick]`` (quick: 20,000 investigations).
"""

from __future__ import annotations

import os
import time
from typing import Any

from benchmarks._env import progress, run_main, setup_django, summary_ms

P95_AIM_MS = 150.0
FULL, QUICK = 100_000, 20_000
URL = "/investigations/nrm/?period=FY2023-24"


def _time(client: Any, url: str, runs: int, before: Any = None) -> dict[str, float]:
    response = client.get(url)  # warm up
    if response.status_code != 200:
        raise SystemExit(f"nrm benchmark: GET {url} answered {response.status_code}")
    samples = []
    for _ in range(runs):
        if before is not None:
            before()
        t0 = time.perf_counter_ns()
        client.get(url)
        samples.append(time.perf_counter_ns() - t0)
    return summary_ms(samples)


def run(*, quick: bool = False) -> dict[str, Any]:
    os.environ["MSOIC_MFA_DEMO_OFF"] = "1"
    setup_django("nrm")
    from django.core.cache import cache
    from django.test import Client

    from benchmarks.cleanse import _load
    from msoic.accounts.actions import do_create_user
    from msoic.catalogue.loader import load_catalogue

    n = QUICK if quick else FULL
    runs = 15 if quick else 40
    load_catalogue(actor="benchmark")
    clients = {}
    for name, role, unit in (("bench.unit", "national", None), ("bench.nca", "partner", "nca")):
        user, _ = do_create_user(
            name,
            role=role,
            orgunit_code=unit,
            password="bench-password-1234",
            actor="benchmark",
            check_password=False,
        )
        clients[role] = Client()
        clients[role].force_login(user)
    progress(f"nrm: loading {n:,} investigations with {n:,} potential victims")
    _load(n)
    progress(f"nrm: timing the picture, {runs} runs each")
    partner = _time(clients["partner"], URL, runs)
    cold = _time(clients["partner"], URL, max(5, runs // 3), before=cache.clear)
    unit = _time(clients["national"], URL, max(5, runs // 3))
    verdict = "met" if partner["p95_ms"] < P95_AIM_MS else "MISSED"
    lines = [
        f"NRM picture: {n:,} investigations, {n:,} potential victims (bulk-inserted); "
        f"{runs} runs a page",
        f"  GET {URL} as a partner (disclosure control on): median "
        f"{partner['median_ms']:.1f} ms, p95 {partner['p95_ms']:.1f} ms "
        f"(aim p95 < {P95_AIM_MS:g} ms: {verdict})",
        f"  the same, released afresh each time (cache emptied): median "
        f"{cold['median_ms']:.1f} ms, p95 {cold['p95_ms']:.1f} ms",
        f"  GET {URL} as the unit (exact figures): median {unit['median_ms']:.1f} ms, "
        f"p95 {unit['p95_ms']:.1f} ms",
    ]
    return {
        "name": "nrm",
        "investigations": n,
        "partner_ms": partner,
        "partner_uncached_ms": cold,
        "unit_ms": unit,
        "lines": lines,
    }


if __name__ == "__main__":
    run_main(run, __doc__, quick_help=f"{QUICK:,} investigations")
