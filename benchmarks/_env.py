"""A throwaway database for one benchmark process: set the environment, set up Django, migrate."""

from __future__ import annotations

import math
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any


def setup_django(prefix: str) -> Path:
    """Point settings at a new SQLite file in a temporary directory and migrate it.

    Must run before anything imports Django models. The directory is removed when the
    process exits.
    """
    tmp = tempfile.TemporaryDirectory(prefix=f"msoic-bench-{prefix}-")
    path = Path(tmp.name)
    os.environ["DATABASE_URL"] = f"sqlite:///{path / 'bench.sqlite3'}"
    os.environ["MSOIC_VAR_DIR"] = str(path)
    os.environ.setdefault("MSOIC_LOG_LEVEL", "ERROR")
    # The page benchmarks log in with force_login, which passes the password step only: with
    # the second factor on, every page would answer a redirect to it and the timings would
    # measure that. They time pages, not the second factor (tests cover that).
    os.environ["MSOIC_MFA_DEMO_OFF"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "msoic.settings"
    # Keep the directory alive as long as the process.
    sys.modules[__name__].__dict__.setdefault("_tmpdirs", []).append(tmp)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    return path


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile (the value at or below which ``pct`` % of samples fall)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(samples_ns: list[int]) -> dict[str, float]:
    ms = [s / 1e6 for s in samples_ns]
    return {"n": len(ms), "median_ms": statistics.median(ms), "p95_ms": percentile(ms, 95)}


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_main(
    run: Any,
    doc: str | None,
    argv: list[str] | None = None,
    quick_help: str = "15 runs instead of 50",
) -> None:
    """The command line every benchmark module shares: ``--quick`` and ``--json-out FILE``
    (what ``python -m benchmarks`` collects); without ``--json-out`` the lines are printed."""
    import argparse
    import json

    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--json-out", help="write the result as JSON to this file")
    args = parser.parse_args(argv)
    result = run(quick=args.quick)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(result, handle)
    else:
        print("\n".join(result["lines"]))
