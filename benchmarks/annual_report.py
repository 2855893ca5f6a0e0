"""Benchmark: the whole 2023/24 annual report built from the demo's records.

The demo stages the report reads (returns, register, AIDANT, Terminus, training, documents,
partnerships, intelligence, operations supported, peer reviews, benchmarking, commissioning,
the CCA tasking, national NRM statistics) are loaded into a throwaway database; the
shipped ``annual`` template is then built for FY2023-24. Timed: resolving every figure
through the metric engine (figures resolved per second), and the whole report drawn in HTML,
PDF (tagged), DOCX and XLSX together from a fresh resolve, the charts drawn again each time
(vl-convert's cache cleared). Aim (issue 14): the four formats together under 10 s. The
machine's load average is printed with the timings (the machine is shared: a loaded one
slows every figure).

Run alone: ``python -m benchmarks.annual_report [--quick]``.
"""

from __future__ import annotations

import io
import os
import statistics
import time
from typing import Any

from benchmarks._env import progress, run_main, setup_django, summary_ms

AIM_S = 10.0
FORMATS = ("html", "pdf", "docx", "xlsx")


def run(*, quick: bool = False) -> dict[str, Any]:
    setup_django("annual-report")
    from django.core.management import call_command

    from msoic.metrics.periods import Period
    from msoic.reports import actions, render

    progress("annual report: loading the demo stages the report reads")
    # The stages tests/reports/test_annual_demo.py loads: every record the template reads,
    # its dated facts (tasking versions, peer reviews, allocations) among them.
    stages = ["returns", "register", "intensifications", "terminus", "training"]
    stages += ["documents", "partnerships", "intelligence", "operations-supported"]
    stages += ["peer-reviews", "benchmarking", "commissioning", "cca-tasking"]
    stages += ["nrm-statistics"]
    call_command("demo", *[a for s in stages for a in ("--only", s)], stdout=io.StringIO())
    text, _ = actions.template_text("annual")
    period = Period.parse("FY2023-24")
    built = actions.build_text(text, period)
    if built.errors:
        raise SystemExit(f"annual report benchmark: {built.errors}")
    figures = len(built.figures)

    load_before = os.getloadavg()
    resolve_runs = 5 if quick else 20
    samples = []
    for _ in range(resolve_runs):
        t0 = time.perf_counter_ns()
        actions.build_text(text, period)
        samples.append(time.perf_counter_ns() - t0)
    resolve = summary_ms(samples)

    runs = 2 if quick else 5
    whole: list[int] = []
    each: dict[str, list[float]] = {f: [] for f in FORMATS}
    sizes: dict[str, int] = {}
    for _ in range(runs):
        render._svg.cache_clear()
        t0 = time.perf_counter_ns()
        fresh = actions.build_text(text, period)
        for fmt in FORMATS:
            t1 = time.perf_counter()
            sizes[fmt] = len(render.render(fresh, fmt))
            each[fmt].append(time.perf_counter() - t1)
        whole.append(time.perf_counter_ns() - t0)
    load_after = os.getloadavg()
    total = summary_ms(whole)
    verdict = "met" if total["median_ms"] / 1000 < AIM_S else "MISSED"
    per_second = figures / (resolve["median_ms"] / 1000)
    lines = [
        f"Annual report 2023/24 from the demo: {figures} figures, {len(built.warnings)} warnings",
        f"  resolving every figure ({resolve_runs} runs): median {resolve['median_ms']:.0f} ms, "
        f"p95 {resolve['p95_ms']:.0f} ms ({per_second:,.0f} figures resolved per second)",
        f"  HTML, PDF, DOCX and XLSX together ({runs} runs, charts redrawn): median "
        f"{total['median_ms'] / 1000:.2f} s, p95 {total['p95_ms'] / 1000:.2f} s "
        f"(aim < {AIM_S:g} s: {verdict})",
        "  each (median): "
        + ", ".join(
            f"{fmt.upper()} {statistics.median(each[fmt]):.2f} s ({sizes[fmt] // 1024} KB)"
            for fmt in FORMATS
        ),
        "  machine load (1, 5, 15 min) before and after the timed runs: "
        + " -> ".join(", ".join(f"{x:.2f}" for x in load) for load in (load_before, load_after)),
    ]
    return {"name": "annual_report", "runs": runs, **total, "lines": lines}


def main(argv: list[str] | None = None) -> None:
    run_main(run, __doc__, argv)


if __name__ == "__main__":
    main()
