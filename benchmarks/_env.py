"""A throwaway database for one benchmark process: set the environment, set up Django, migrate."""

from __future__ import annotations

import math
import os
import statistics
import sys
import tempfile
from pathlib import Path


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
