"""Benchmark: the CPS linkage (Splink on DuckDB) at scale, on labelled synthetic data.

A register of investigations with their suspects and the CPS extract of those charged
(``msoic.cps.synth``: references reformatted, mistyped or missing, dates shifted, one
investigation to several cases, cases with no investigation), linked by
``msoic.cps.linkage.link`` exactly as a run on the worker does (training: the match rate,
u by random sampling, m by two EM sessions; prediction over the blocking rules; one-to-one
single-best-links clustering). Printed: the sizes, each step's time, peak memory
(resident set: this process's, the DuckDB engine included, and with Spark the JVM's, a child
process, as well) and precision, recall and F1 of the automatic links against the truth,
with the clerical band's size, and the machine (cores, memory, load average before and
after: figures from a shared machine are read with the load beside them).

Full run: about 100,000 CPS cases against the register's suspects; ``--scale 1000000`` for
the million a side (it needs several GB of memory). ``--quick``: about 10,000.
Run alone: ``python -m benchmarks.cps_linkage [--quick] [--scale N] [--engine spark]``.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks._env import progress

# CPS cases per investigation in the generator: suspects per investigation (1.83 on average)
# times the share charged (0.6, a few after the period) plus the unlinked cases (15 %).
CASES_PER_INVESTIGATION = 1.165


def _peak_kib(pid: int | str) -> int | None:
    """A process's peak resident set (``VmHWM``), in KiB; None when it is gone or unreadable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _descendants(root: int) -> list[int]:
    """The processes started from ``root``, at any depth (the Spark engine's JVM)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # the command may hold spaces or parentheses: the fields after its last ')'
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def peak_memory_mb() -> tuple[float, float]:
    """Peak resident set, in MB, of this process and of the processes it started (read while
    they still run: Spark's JVM keeps its own peak, which ``ru_maxrss`` of this process does
    not include). Each process's own peak: their sum is an upper bound of the peak together."""
    own = _peak_kib("self") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = sum(_peak_kib(pid) or 0 for pid in _descendants(os.getpid()))
    return own / 1024, children / 1024


def machine() -> str:
    """Cores, memory and the load average now: the context a timing on a shared host needs."""
    cores = os.cpu_count() or 0
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        memory = "memory unknown"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{cores} cores, {memory}, load average {load}"


def run(*, quick: bool = False, scale: int | None = None, engine: str = "duckdb") -> dict[str, Any]:
    from msoic.cps import linkage, synth

    cases_wanted = scale or (10_000 if quick else 100_000)
    investigations = int(cases_wanted / CASES_PER_INVESTIGATION)
    machine_before = machine()
    started = time.perf_counter()
    data = synth.generate(investigations, seed=2026)
    cps_rows, register_rows = synth.records(data)
    generated = time.perf_counter() - started
    progress(
        f"cps linkage: {len(cps_rows):,} CPS cases, {len(register_rows):,} suspects "
        f"generated in {generated:.0f} s; linking on {engine}"
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = linkage.link(
        cps_rows,
        register_rows,
        engine=engine,
        u_max_pairs=5e6 if cases_wanted >= 100_000 else 1e6,
    )
    total = time.perf_counter() - started
    # CPU time of this process (DuckDB's threads included; not Spark's JVM): on a shared
    # machine the wall time depends on the others' load, the CPU time much less
    cpu = time.process_time() - cpu_started
    own_mb, children_mb = peak_memory_mb()
    peak_mb = own_mb + children_mb
    memory = f"peak memory {peak_mb:,.0f} MB"
    if children_mb:
        memory += f" (Python {own_mb:,.0f} MB, Spark's JVM {children_mb:,.0f} MB)"
    automatic = linkage.scores(outcome.pairs, data.truth)
    t = outcome.timings
    cpu_note = ", Python's only" if engine == "spark" else ""
    lines = [
        f"CPS linkage on {engine}: {len(cps_rows):,} CPS cases against {len(register_rows):,} "
        f"register suspects ({len(data.truth):,} true pairs)",
        f"  load {t.get('load', 0):.1f} s, training {t.get('training', 0):.1f} s, prediction "
        f"{t.get('prediction', 0):.1f} s ({outcome.scored:,} pairs at p >= 0.5), clustering "
        f"{t.get('clustering', 0):.1f} s; end to end {total:.1f} s (CPU {cpu:.1f} s"
        f"{cpu_note}); {memory}",
        f"  automatic links (p >= {linkage.Thresholds().automatic}): precision "
        f"{automatic['precision']:.4f}, recall {automatic['recall']:.4f}, F1 "
        f"{automatic['f1']:.4f}; clerical band {outcome.clerical:,} pairs",
        f"  machine: before {machine_before}; after {machine()}",
    ]
    return {
        "name": "cps_linkage",
        "engine": engine,
        "cases": len(cps_rows),
        "suspects": len(register_rows),
        "seconds": total,
        "cpu_seconds": cpu,
        "timings": t,
        "peak_mb": peak_mb,
        "peak_mb_python": own_mb,
        "peak_mb_children": children_mb,
        "precision": automatic["precision"],
        "recall": automatic["recall"],
        "f1": automatic["f1"],
        "generated_seconds": generated,
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
