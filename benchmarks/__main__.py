"""``python -m benchmarks [--quick] [--only NAME] [--cps-scale N] [--cps-engine E]``: run the
benchmarks, print a table.

Each benchmark runs in its own process with its own throwaway SQLite database. The CPS
linkage's size and engine can be chosen (``--only cps_linkage --cps-scale 1000000``: the
million a side of issue 15, several GB of memory; ``--cps-engine spark``: PySpark in local
mode, the 'spark' extra installed).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.report import print_table

MODULES = {
    "import": "benchmarks.import_returns",
    "dashboard": "benchmarks.dashboard_queries",
    "peerreview": "benchmarks.peerreview",
    "assurance": "benchmarks.assurance",
    "operations": "benchmarks.operations",
    "commissioning": "benchmarks.commissioning",
    "register_import": "benchmarks.register_import",
    "register": "benchmarks.register",
    "terminus": "benchmarks.terminus",
    "support_tasking": "benchmarks.support_tasking",
    "cleanse": "benchmarks.cleanse",
    "nrm": "benchmarks.nrm",
    "readers": "benchmarks.readers",
    "home": "benchmarks.home",
    "training": "benchmarks.training",
    "intel": "benchmarks.intel",
    "surveys": "benchmarks.surveys",
    "annual_report": "benchmarks.annual_report",
    "cps_linkage": "benchmarks.cps_linkage",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    parser.add_argument(
        "--only", choices=sorted(MODULES), action="append", help="run only this benchmark"
    )
    parser.add_argument(
        "--cps-scale", type=int, metavar="N", help="the CPS linkage on about N CPS cases"
    )
    parser.add_argument(
        "--cps-engine", choices=("duckdb", "spark"), help="the CPS linkage's engine (duckdb)"
    )
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="msoic-bench-") as tmp:
        for name in args.only or list(MODULES):
            out = Path(tmp) / f"{name}.json"
            command = [sys.executable, "-m", MODULES[name], "--json-out", str(out)]
            if args.quick:
                command.append("--quick")
            if name == "cps_linkage" and args.cps_scale:
                command += ["--scale", str(args.cps_scale)]
            if name == "cps_linkage" and args.cps_engine:
                command += ["--engine", args.cps_engine]
            done = subprocess.run(command, check=False)
            if done.returncode != 0:
                print(f"benchmark {name} failed (exit {done.returncode})", file=sys.stderr)
                return 1
            results.append(json.loads(out.read_text(encoding="utf-8")))
    print_table(results, quick=args.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
