"""Benchmark: time and peak memory of the bounded reading path on the largest files it
accepts and on hostile files it refuses.

Each file is made here (the hostile ones with ``tests.security.hostile_files``), written to
a temporary folder and read in a process of its own through
``msoic.collection.reading.read_file_rows`` (the path every reader uses), so that the
process's peak resident memory belongs to that one file. Reported per file: the outcome,
the wall time of one read, the peak of Python allocations during a second read
(tracemalloc), and how much the process's peak resident set grew during the first read.
The issue's aims: under 10 s and under 256 MB a file, whatever the file, for anything under
the upload size limit (5 MB by default).

Run alone: ``python -m benchmarks.readers [--quick]``.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from benchmarks._env import run_main

TIME_AIM_S = 10.0
MEMORY_AIM_MB = 256.0
UPLOAD_LIMIT = 5 * 1024 * 1024
UNZIPPED_LIMIT = 50 * 1024 * 1024
FORCES = ["kent", "essex", "surrey", "sussex", "herts", "beds", "cambs", "norfolk", "suffolk"]
METRICS = ["ms_arrests", "ms_charges", "ms_recorded_crimes", "ms_live_investigations"]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msoic.settings")
    os.environ.setdefault("MSOIC_LOG_LEVEL", "ERROR")
    os.environ.setdefault("MSOIC_VAR_DIR", tempfile.mkdtemp(prefix="msoic-bench-readers-"))
    import django

    django.setup()


# --- the files -------------------------------------------------------------------------


def largest_csv(limit: int = UPLOAD_LIMIT) -> bytes:
    """A long-format return as large as the upload limit allows."""
    out = io.StringIO()
    out.write("force,period,metric,breakdown,value,comment\n")
    n = 0
    while out.tell() < limit - 200:
        force = FORCES[n % len(FORCES)]
        out.write(f"{force},2024-{n % 12 + 1:02d},{METRICS[n % 4]},,{n % 997},\n")
        n += 1
    return out.getvalue().encode()


def _xlsx(sheet_xml: bytes, shared: list[str]) -> bytes:
    from tests.security.hostile_files import rezip, workbook

    items = "".join(f"<si><t>{s}</t></si>" for s in shared)
    sst = (
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>'
    ).encode()
    types = zipfile.ZipFile(io.BytesIO(workbook())).read("[Content_Types].xml")
    types = types.replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    return rezip(
        workbook(),
        replace={"xl/worksheets/sheet1.xml": sheet_xml, "[Content_Types].xml": types},
        extra={"xl/sharedStrings.xml": sst},
    )


def largest_xlsx(max_cells: int = 2_000_000) -> bytes:
    """A return workbook with as many cells as the limits allow (cells, unzipped size,
    upload size), text in shared strings as Excel writes it."""
    data = _return_xlsx(max_cells, 250_000)
    while len(data) > UPLOAD_LIMIT:  # the upload limit binds first: fewer rows
        fewer = int(_rows_in(data) * UPLOAD_LIMIT / len(data) * 0.98)
        data = _return_xlsx(max_cells, fewer)
    return data


def _rows_in(data: bytes) -> int:
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    return sheet.count(b"<row ")


def _return_xlsx(max_cells: int, max_rows: int) -> bytes:
    shared = ["force", "period", "metric", "breakdown", "value", "comment", *FORCES, *METRICS]
    shared += [f"2024-{m:02d}" for m in range(1, 13)]
    index = {s: i for i, s in enumerate(shared)}
    rows = [b'<row r="1">']
    rows += [f'<c r="{c}1" t="s"><v>{i}</v></c>'.encode() for i, c in enumerate("ABCDEF")]
    rows.append(b"</row>")
    size = 0
    n = 1
    # Eight columns a row: the row cap (250,000) times eight is the cell cap (2,000,000).
    while n < max_rows and (n + 1) * 8 <= max_cells and size < UNZIPPED_LIMIT - 2_000_000:
        n += 1
        k = n - 2
        line = (
            f'<row r="{n}"><c r="A{n}" t="s"><v>{index[FORCES[k % len(FORCES)]]}</v></c>'
            f'<c r="B{n}" t="s"><v>{index[f"2024-{k % 12 + 1:02d}"]}</v></c>'
            f'<c r="C{n}" t="s"><v>{index[METRICS[k % 4]]}</v></c>'
            f'<c r="E{n}"><v>{k % 997}</v></c><c r="F{n}"><v>{k % 13}</v></c>'
            f'<c r="G{n}"><v>{k % 7}</v></c><c r="H{n}"><v>{k % 101}</v></c></row>'
        ).encode()
        size += len(line)
        rows.append(line)
    head = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + f'<dimension ref="A1:F{n}"/><sheetData>'.encode()
    )
    return _xlsx(head + b"".join(rows) + b"</sheetData></worksheet>", shared)


def too_many_cells_csv() -> bytes:
    """Just under the upload limit, and more cells than the cap: short fields."""
    row = ",".join(["1"] * 50) + "\n"
    return (row * ((UPLOAD_LIMIT - 100) // len(row))).encode()


def many_rows_xlsx() -> bytes:
    """Row elements with styled empty cells, as many as fit: the XML a file can carry."""
    from tests.security import hostile_files as hostile

    return hostile.many_empty_rows(hostile.workbook(), 240_000)


def files(quick: bool) -> dict[str, tuple[str, bytes]]:
    from tests.security import hostile_files as hostile

    base = hostile.workbook()
    made = {
        "largest accepted CSV (5 MB return)": ("r.csv", largest_csv()),
        "largest accepted XLSX (cells at the cap)": (
            "r.xlsx",
            largest_xlsx(200_000 if quick else 2_000_000),
        ),
        "XLSX, 240,000 empty rows (accepted)": ("r.xlsx", many_rows_xlsx()),
        "XLSX, values spread over 7,800 rows × 512 columns (grid just under the cap)": (
            "r.xlsx",
            hostile.corner_at(base, "SR7800", 7_800),
        ),
        "XLSX, values spread over 200,000 rows × 512 columns (refused)": (
            "r.xlsx",
            hostile.corner_at(base, "SR200000", 200_000),
        ),
        "XLSX, blank cell at XFD1048576 (accepted)": ("r.xlsx", hostile.far_corner(base, None)),
        "XLSX, value at XFD1048576 (refused)": ("r.xlsx", hostile.far_corner(base, "x")),
        "XLSX, used range A1:F2, value at A400000": ("r.xlsx", hostile.dimension_lie(base)),
        "XLSX, 4,000 × 450 cells without references (refused)": (
            "r.xlsx",
            hostile.unreferenced_cells(base),
        ),
        "XLSX, 222 × 450 cells without references (just under their cap)": (
            "r.xlsx",
            hostile.unreferenced_cells(base, 222, 450),
        ),
        "XLSX, 1.6 million shared strings (accepted)": (
            "r.xlsx",
            hostile.many_shared_strings(base),
        ),
        "XLSX, 2.1 million shared strings, near the upload limit (accepted)": (
            "r.xlsx",
            hostile.many_shared_strings(base, 2_100_000),
        ),
        "XLSX, zip bomb (40 MB of spaces)": ("r.xlsx", hostile.zip_bomb(base)),
        "XLSX, cell of 40,000 characters": ("r.xlsx", hostile.long_cell(base)),
        "XLSX, WEBSERVICE formula": (
            "r.xlsx",
            hostile.formula(base, 'WEBSERVICE("http://example.invalid/")'),
        ),
        "XLSX, nested 5,000 deep": ("r.xlsx", hostile.deep_xml(base)),
        "XLSX, entity bomb": ("r.xlsx", hostile.entity_bomb(base)),
        "CSV, 5 MB of 1-character fields (too many cells)": ("r.csv", too_many_cells_csv()),
        "CSV, one field of 5 MB": (
            "r.csv",
            hostile.csv_giant_field(length=UPLOAD_LIMIT - 1_000),
        ),
    }
    return made


# --- measuring one file, in its own process --------------------------------------------


def _max_rss_mb() -> float:
    """The process's peak resident set. ``VmHWM`` where Linux has it: ``ru_maxrss`` carries
    the parent's peak over into a child process, which would hide the file's own."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(path: Path, name: str) -> dict[str, Any]:
    _setup()
    import tracemalloc

    from msoic.collection import reading

    data = path.read_bytes()

    def read(content: bytes = data) -> str:
        try:
            rows = reading.read_file_rows(name, content)
        except reading.FileRejected as exc:
            where = f" [{exc.sheet or '-'} row {exc.row or '-'}]" if exc.sheet or exc.row else ""
            return f"refused: {exc.message[:60]}…{where}"
        return f"accepted: {len(rows):,} rows"

    from tests.security.hostile_files import csv_text, workbook

    read(workbook() if name.endswith(".xlsx") else csv_text([["a", "b"]]))  # warm: imports
    baseline = _max_rss_mb()
    start, cpu_start = time.perf_counter(), time.process_time()
    outcome = read()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    rss_growth = _max_rss_mb() - baseline
    tracemalloc.start()
    read()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "bytes": len(data),
        "outcome": outcome,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "traced_mb": peak / 1024 / 1024,
        "rss_growth_mb": rss_growth,
    }


def run(quick: bool) -> dict[str, Any]:
    results = []
    with tempfile.TemporaryDirectory(prefix="msoic-bench-readers-") as tmp:
        for i, (label, (name, data)) in enumerate(files(quick).items()):
            path = Path(tmp) / f"{i}-{name}"
            path.write_bytes(data)
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.readers", "--measure", str(path), name],
                check=True,
                capture_output=True,
                text=True,
            )
            results.append({"file": label, **json.loads(done.stdout)})
    return {"name": "readers", "results": results, "lines": lines(results)}


def lines(results: list[dict[str, Any]]) -> list[str]:
    from benchmarks.report import _table

    worst_s = max(r["cpu_seconds"] for r in results)
    worst_wall = max(r["seconds"] for r in results)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    worst_mb = max(max(r["traced_mb"], r["rss_growth_mb"]) for r in results)
    met = worst_s < TIME_AIM_S and worst_mb < MEMORY_AIM_MB
    out = [
        "Readers: the bounded reading path (msoic.collection.reading.read_file_rows: zip and "
        "formula checks, a pre-scan of each sheet's XML by regular expressions, then "
        "python-calamine reads the values), each file in a process of its own; time = wall clock and CPU time of one read (the aim is "
        "judged on CPU time: on a shared machine the wall clock also counts other work; load "
        f"average {load:.1f} on {os.cpu_count()} CPUs at the end); peak memory = Python "
        "allocations (tracemalloc) and growth of the process's peak resident set (VmHWM)",
    ]
    rows = [
        [
            r["file"],
            f"{r['bytes'] / 1024:,.0f} KiB",
            r["outcome"],
            f"{r['seconds']:.2f} s",
            f"{r['cpu_seconds']:.2f} s",
            f"{r['traced_mb']:.1f} MB",
            f"{r['rss_growth_mb']:.1f} MB",
        ]
        for r in results
    ]
    out += _table(
        ["file", "size", "outcome", "wall", "CPU", "peak alloc", "RSS growth"],
        rows,
        right={1, 3, 4, 5, 6},
    )
    out.append(
        f"  worst: {worst_s:.2f} s CPU ({worst_wall:.2f} s wall; aim < {TIME_AIM_S:g} s), "
        f"{worst_mb:.1f} MB "
        f"(aim < {MEMORY_AIM_MB:g} MB): {'met' if met else 'MISSED'}"
    )
    return out


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--measure"]:
        # One file read in a process of its own (how run() measures each file's peak memory).
        print(json.dumps(measure(Path(args[1]), args[2])))
        return
    run_main(run, __doc__, args, quick_help="a smaller largest workbook")


if __name__ == "__main__":
    main()
