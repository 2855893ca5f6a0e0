"""The plain-text table that ``python -m benchmarks`` prints."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from typing import Any

IMPORT_AIM = 2.0  # pipeline time / read time
P95_AIM_MS = 100.0


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        out = [
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  " + "  ".join(out).rstrip()

    return [line(header), "  " + "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def _import_lines(r: dict[str, Any]) -> list[str]:
    n = r["files"]
    lines = [
        f"Import: {n} XLSX returns for {r['month']} (43 forces x 2 datasets, {r['values']:,} values, "
        f"{r['bytes'] / 1024:.0f} KiB), {r['history_months']} months of history loaded "
        f"({r['history_values']:,} values); median of {r['repeats']} repetition(s)",
    ]
    ok = r["ratio"] < IMPORT_AIM
    rows = [
        [
            "read only: python-calamine, open + sheet.to_python()",
            f"{r['read_s']:.3f} s",
            f"{1000 * r['read_s'] / n:.1f} ms",
            "",
        ],
        [
            "read_upload: size, zip and formula checks, sheet pre-scan + calamine + header",
            f"{r['read_upload_s']:.3f} s",
            f"{1000 * r['read_upload_s'] / n:.1f} ms",
            "",
        ],
        [
            "full pipeline: import_file (validate, version, audit)",
            f"{r['pipeline_s']:.3f} s",
            f"{1000 * r['pipeline_s'] / n:.1f} ms",
            "",
        ],
        [
            "  the same with one validation context for the batch",
            f"{r['pipeline_batch_s']:.3f} s",
            f"{1000 * r['pipeline_batch_s'] / n:.1f} ms",
            "",
        ],
        [
            "ratio: full pipeline / calamine read",
            f"{r['ratio']:.1f}x",
            "",
            f"< {IMPORT_AIM:g}x: {'met' if ok else 'MISSED'}",
        ],
    ]
    lines += _table(["measure", "total", "per file", "aim"], rows, right={1, 2})
    return lines


def _dashboard_lines(r: dict[str, Any]) -> list[str]:
    loaded = r["loaded"]
    lines = [
        f"Dashboard: {r['years']} years of returns, {r['first']} to {r['latest']}, 43 forces "
        f"({loaded['submissions']:,} submissions, {loaded['versions']:,} versions, {loaded['values']:,} values; "
        f"bulk-inserted directly in {r['load_s']:.0f} s, not through the pipeline); "
        f"{r['runs']} runs of each call",
    ]
    rows = []
    for row in r["rows"]:
        page = "together" in row["label"]
        if page:
            verdict = "(a page's calls)"
        else:
            verdict = "met" if row["p95_ms"] < P95_AIM_MS else "MISSED"
        rows.append(
            [
                row["label"],
                str(row["n"]),
                f"{row['median_ms']:.1f} ms",
                f"{row['p95_ms']:.1f} ms",
                verdict,
            ]
        )
    lines += _table(
        ["call", "samples", "median", "p95", f"p95 < {P95_AIM_MS:g} ms"], rows, right={1, 2, 3}
    )
    for note in r.get("notes", []):
        lines.append(f"  {note}")
    return lines


def print_table(results: list[dict[str, Any]], *, quick: bool) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"MSOIC Insight benchmarks ({'quick' if quick else 'full'} run) on SQLite, {now}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs"
    )
    for r in results:
        print()
        if "lines" in r:  # a benchmark that formats its own lines
            lines = r["lines"]
        elif r["name"] == "import":
            lines = _import_lines(r)
        else:
            lines = _dashboard_lines(r)
        print("\n".join(lines))
