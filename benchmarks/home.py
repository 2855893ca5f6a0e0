"""Benchmark: each role's home page and the approval worklist on the demo's data.

The demo (``msoic demo``: April 2021 to September 2024 for all 43 forces, registers, a
cleanse, peer reviews, benchmarking, operations) is built first; building it is not what is
measured. Then, for each demo account, ``GET /`` is timed, and for the national analyst
``GET /returns/approvals/`` (the worklist's first page of about 700 returns awaiting
approval) and a return's page with its "next awaiting approval" link. The query count of
each page is printed beside its timing. The aim, as for other pages: 95th percentile under
150 ms.

Run alone: ``python -m benchmarks.home [--quick]``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

from benchmarks._env import progress, run_main, setup_django, summary_ms

P95_AIM_MS = 150.0
ACCOUNTS = ("kent.demo", "eastern.demo", "national.demo", "nca.demo", "admin.demo")


def run(*, quick: bool = False) -> dict[str, Any]:
    setup_django("home")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from msoic.accounts.models import User
    from msoic.collection.queue import awaiting_approval

    runs = 15 if quick else 50
    t0 = time.perf_counter()
    # The demo is built by the command, in its own process, as `make demo` does (on the
    # database setup_django pointed the environment at).
    subprocess.run([sys.executable, "-m", "msoic", "demo"], check=True, stdout=subprocess.DEVNULL)
    national = User.objects.get(username="national.demo")
    waiting = awaiting_approval(national).order_by("period").first()
    assert waiting is not None, "the demo leaves returns awaiting approval"
    progress(f"home: demo built in {time.perf_counter() - t0:.1f} s; timing {runs} runs a page")

    pages: list[tuple[str, str]] = [(name, "/") for name in ACCOUNTS]
    pages += [
        ("national.demo", "/returns/approvals/"),
        ("national.demo", "/returns/approvals/?region=eastern"),
        ("national.demo", f"/returns/{waiting.pk}/?queue=1"),
    ]
    results = []
    for username, url in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        client.get(url)  # warm up
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"home benchmark: GET {url} as {username}: {response.status_code}")
        queries = len(ctx.captured_queries)  # now: each request clears the query log
        samples = []
        for _ in range(runs):
            started = time.perf_counter_ns()
            client.get(url)
            samples.append(time.perf_counter_ns() - started)
        results.append(
            {
                "user": username,
                "url": url,
                "queries": queries,
                **summary_ms(samples),
            }
        )

    def verdict(s: dict[str, Any]) -> str:
        return "met" if s["p95_ms"] < P95_AIM_MS else "MISSED"

    lines = [f"Home pages and the approval worklist on the demo's data; {runs} runs a page"]
    for r in results:
        lines.append(
            f"  GET {r['url']} as {r['user']}: median {r['median_ms']:.1f} ms, p95 "
            f"{r['p95_ms']:.1f} ms (aim p95 < {P95_AIM_MS:g} ms: {verdict(r)}); "
            f"{r['queries']} queries"
        )
    return {"name": "home", "runs": runs, "pages": results, "lines": lines}


def main(argv: list[str] | None = None) -> None:
    run_main(run, __doc__, argv)


if __name__ == "__main__":
    main()
