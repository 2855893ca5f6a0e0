"""Benchmark: one month's XLSX returns from all 43 forces through the full pipeline.

86 files (ms-monthly and oic-monthly for each force) are imported with
``msoic.collection.pipeline.import_file`` as a national analyst (reading, checks, validation
against the catalogue's rules with twelve months of history for the outlier rule, a new
submission version, the stored file and an audit row, one transaction per file), and
compared with the time only to read the same files with python-calamine. The issue's aim:
the pipeline under 2x the read time.

Run alone: ``python -m benchmarks.import_returns [--quick] [--profile]``.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from typing import Any

from benchmarks._env import progress, setup_django

HISTORY_MONTHS = 12


def _reset_month(month: Any, hashes: list[str]) -> None:
    """Remove what an import of ``month`` stored, so the next repetition imports afresh.

    Audit rows stay (the chain is append-only); they add 86 rows a repetition.
    """
    from django.db import transaction

    from msoic.collection.models import StoredFile, Submission, SubmissionVersion, Value

    with transaction.atomic():
        Submission.objects.filter(period=month).update(current_version=None)
        Value.objects.filter(period=month).delete()
        SubmissionVersion.objects.filter(submission__period=month).delete()
        Submission.objects.filter(period=month).delete()
        StoredFile.objects.filter(sha256__in=hashes).delete()


def _read_with_calamine(files: list[tuple[str, bytes]]) -> int:
    from python_calamine import CalamineWorkbook

    rows = 0
    for _, data in files:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows += len(workbook.get_sheet_by_name("Return").to_python())
    return rows


def _read_upload(files: list[tuple[str, bytes]]) -> int:
    from msoic.collection.readers import read_upload

    return sum(len(read_upload(name, data).rows) for name, data in files)


def _import_all(
    files: list[tuple[str, bytes]], actor: Any, *, shared_context: bool = False
) -> list[Any]:
    """Import every file; with ``shared_context`` build the validation context once for the
    batch, as the web import job does, instead of once a file."""
    from msoic.collection.pipeline import build_context, import_file

    ctx = build_context(actor) if shared_context else None
    return [import_file(name, data, actor=actor, context=ctx) for name, data in files]


def _check(outcomes: list[Any]) -> None:
    bad = [o for o in outcomes if o.status != "accepted"]
    if bad:
        lines = "\n".join(line for o in bad[:3] for line in o.lines())
        raise SystemExit(
            f"import benchmark: {len(bad)} file(s) not accepted, so nothing fair to time:\n{lines}"
        )


def run(*, quick: bool = False, profile: bool = False) -> dict[str, Any]:
    setup_django("import")
    import hashlib

    from django.utils import timezone

    from benchmarks._data import bulk_load, month_cells, monthly_datasets, xlsx_return
    from msoic.accounts.actions import do_create_user
    from msoic.catalogue.loader import get_catalogue
    from msoic.metrics.periods import add_months, format_month, last_complete_month
    from msoic.orgunits.models import OrgUnit

    repeats = 1 if quick else 5
    month = last_complete_month(timezone.localdate())
    progress(
        f"import: loading {HISTORY_MONTHS} months of history before {format_month(month)} (bulk insert)"
    )
    loaded = bulk_load(add_months(month, -HISTORY_MONTHS), add_months(month, -1))
    analyst, _ = do_create_user(
        "bench.analyst",
        role="national",
        orgunit_code=None,
        password="bench-password-1234",
        actor="benchmark",
        check_password=False,
    )
    catalogue = get_catalogue()
    period = format_month(month)
    files: list[tuple[str, bytes]] = []
    cells = 0
    for force in OrgUnit.objects.forces().order_by("code"):
        for dataset in monthly_datasets(catalogue):
            rows = month_cells(catalogue, dataset, force.code, month)
            cells += len(rows)
            files.append(
                (f"{dataset}_{force.code}_{period}.xlsx", xlsx_return(force.code, period, rows))
            )
    hashes = [hashlib.sha256(data).hexdigest() for _, data in files]
    total_bytes = sum(len(d) for _, d in files)
    progress(
        f"import: {len(files)} files, {cells} values, {total_bytes / 1024:.0f} KiB; {repeats} repetition(s)"
    )

    read_times, upload_times, pipeline_times, batch_times = [], [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        _read_with_calamine(files)
        read_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        _read_upload(files)
        upload_times.append(time.perf_counter() - t0)
        _reset_month(month, hashes)
        t0 = time.perf_counter()
        outcomes = _import_all(files, analyst)
        pipeline_times.append(time.perf_counter() - t0)
        _check(outcomes)
        _reset_month(month, hashes)
        t0 = time.perf_counter()
        outcomes = _import_all(files, analyst, shared_context=True)
        batch_times.append(time.perf_counter() - t0)
        _check(outcomes)

    profile_text = ""
    if profile:
        import cProfile
        import pstats

        _reset_month(month, hashes)
        profiler = cProfile.Profile()
        profiler.enable()
        _import_all(files, analyst)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        profile_text = out.getvalue()

    read_s = statistics.median(read_times)
    upload_s = statistics.median(upload_times)
    pipeline_s = statistics.median(pipeline_times)
    return {
        "name": "import",
        "files": len(files),
        "values": cells,
        "bytes": total_bytes,
        "month": period,
        "history_months": HISTORY_MONTHS,
        "history_values": loaded["values"],
        "repeats": repeats,
        "read_s": read_s,
        "read_upload_s": upload_s,
        "pipeline_s": pipeline_s,
        "pipeline_batch_s": statistics.median(batch_times),
        "ratio": pipeline_s / read_s,
        "profile": profile_text,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="one repetition instead of five")
    parser.add_argument(
        "--profile", action="store_true", help="also profile one import (cProfile, to stderr)"
    )
    parser.add_argument("--json-out", help="write the result as JSON to this file")
    args = parser.parse_args(argv)
    result = run(quick=args.quick, profile=args.profile)
    if result["profile"]:
        print(result["profile"], file=sys.stderr)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(result, handle)
    else:
        from benchmarks.report import print_table

        print_table([result], quick=args.quick)


if __name__ == "__main__":
    main()
