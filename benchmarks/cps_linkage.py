"""Benchmark: the CPS linkage (Splink on DuckDB) at scale, on labelled synthetic data.

A register of investigations with their suspects and the CPS extract of those charged
(``msoic.cps.synth``: references reformatted, mistyped or missing, dates shifted, one
investigation to several cases, cases with no investigation), linked by
``msoic.cps.linkage.link`` exactly as a run on the worker does (training: the match rate,
u by random sampling, m by two EM sessions; prediction over the blocking rules; one-to-one
single-best-links clustering). Printed: the sizes, each step's time, the process's peak
memory (resident set, the DuckDB engine included) and precision, recall and F1 of the
automatic links against the truth, with the clerical band's size.

Full run: about 100,000 CPS cases against the register's suspects; ``--scale 1000000`` for
the million a side (it needs several GB of memory). ``--quick``: about 10,000.
Run alone: ``python -m benchmarks.cps_linkage [--quick] [--scale N] [--engine spark]``.
"""

from __future__ import annotations

import resource
import sys
import time
from typing import Any

from benchmarks._env import progress

# CPS cases per investigation in the generator: suspects per investigation (1.83 on average)
# times the share charged (0.6, a few after the period) plus the unlinked cases (15 %).
CASES_PER_INVESTIGATION = 1.165


def run(*, quick: bool = False, scale: int | None = None, engine: str = "duckdb") -> dict[str, Any]:
    from msoic.cps import linkage, synth

    cases_wanted = scale or (10_000 if quick else 100_000)
    investigations = int(cases_wanted / CASES_PER_INVESTIGATION)
    started = time.perf_counter()
    data = synth.generate(investigations, seed=2026)
    cps_rows, register_rows = synth.records(data)
    generated = time.perf_counter() - started
    progress(
        f"cps linkage: {len(cps_rows):,} CPS cases, {len(register_rows):,} suspects "
        f"generated in {generated:.0f} s; linking on {engine}"
    )
    started = time.perf_counter()
    outcome = linkage.link(
        cps_rows,
        register_rows,
        engine=engine,
        u_max_pairs=5e6 if cases_wanted >= 100_000 else 1e6,
    )
    total = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    automatic = linkage.scores(outcome.pairs, data.truth)
    t = outcome.timings
    lines = [
        f"CPS linkage on {engine}: {len(cps_rows):,} CPS cases against {len(register_rows):,} "
        f"register suspects ({len(data.truth):,} true pairs)",
        f"  load {t.get('load', 0):.1f} s, training {t.get('training', 0):.1f} s, prediction "
        f"{t.get('prediction', 0):.1f} s ({outcome.scored:,} pairs at p >= 0.5), clustering "
        f"{t.get('clustering', 0):.1f} s; end to end {total:.1f} s; peak memory {peak_mb:,.0f} MB",
        f"  automatic links (p >= {linkage.Thresholds().automatic}): precision "
        f"{automatic['precision']:.4f}, recall {automatic['recall']:.4f}, F1 "
        f"{automatic['f1']:.4f}; clerical band {outcome.clerical:,} pairs",
    ]
    return {
        "name": "cps_linkage",
        "engine": engine,
        "cases": len(cps_rows),
        "suspects": len(register_rows),
        "seconds": total,
        "timings": t,
        "peak_mb": peak_mb,
        "f1": automatic["f1"],
        "clerical": outcome.clerical,
        "lines": lines,
    }


def main(argv: list[str] | None = None) -> None:
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="about 10,000 CPS cases")
    parser.add_argument("--scale", type=int, help="about this many CPS cases")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    parser.add_argument("--json-out", help="write the result as JSON to this file")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    result = run(quick=args.quick, scale=args.scale, engine=args.engine)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(result, handle)
    else:
        print("\n".join(result["lines"]))


if __name__ == "__main__":
    main()
