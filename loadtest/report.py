"""The tables `make load` prints (standard library only, no Django).

    python loadtest/report.py size SIZE_JSON          the database's size per table
    python loadtest/report.py tenyears SIZE_JSON [AFTER_JSON]
                                                      ten years of national data, projected
                                                      from the demo's tables (see below)
    python loadtest/report.py runs OUT_DIR 1 2 4      one table per gunicorn configuration
                                                      (requests per second, median, p95 and
                                                      p99 in ms, errors), then a comparison

``runs`` reads ``results-wN.json`` (written by the locustfile) and ``check-wN.json``
(written by ``check.py verify``) for each worker count N, and exits 1 if any request
failed or any upload was not stored exactly once. With gunicorn's access log
(``access-wN.log``: process id, status, method, path) it also says how the requests were
spread over the processes and how many upload jobs were followed (their status polled,
each poll needing the uploader's session) through more than one process.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

PAGE_AIM_MS = 500
TOTALS = ("(all pages)", "(all requests)")


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f}"


def print_size(path: str, top: int = 15) -> None:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    print(f"database: {_mb(data['database_bytes'])} MB (pg_database_size)")
    print(f"{'table':<40} {'rows':>10} {'MB total':>9} {'MB heap':>8}")
    for t in data["tables"][:top]:
        print(
            f"{t['table']:<40} {t['rows']:>10,} {_mb(t['total_bytes']):>9} {_mb(t['heap_bytes']):>8}"
        )
    rest = data["tables"][top:]
    if rest:
        total = sum(t["total_bytes"] for t in rest)
        rows = sum(t["rows"] for t in rest)
        print(f"{f'({len(rest)} other tables)':<40} {rows:>10,} {_mb(total):>9}")


JOB_STATUS = re.compile(r"^/returns/jobs/(\d+)/status\.json$")


def spread(access_log: Path) -> str | None:
    """How one configuration's requests were shared between gunicorn's processes."""
    if not access_log.exists():
        return None
    per_process: Counter[str] = Counter()
    polls: dict[str, set[str]] = defaultdict(set)
    poll_statuses: Counter[str] = Counter()
    for line in access_log.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ", 3)
        if len(parts) != 4:
            continue
        pid, status, _method, path = parts
        per_process[pid] += 1
        match = JOB_STATUS.match(path)
        if match:
            polls[match.group(1)].add(pid)
            poll_statuses[status] += 1
    if not per_process:
        return None
    shares = ", ".join(f"{n:,}" for _, n in per_process.most_common())
    crossed = sum(1 for pids in polls.values() if len(pids) > 1)
    return (
        f"processes: {len(per_process)} answered {sum(per_process.values()):,} requests "
        f"({shares}); {crossed} of {len(polls)} upload jobs had their status polled through "
        f"more than one process (poll answers: {dict(sorted(poll_statuses.items()))})"
    )


# The demo's span (README): returns from April 2021 to September 2024 for 43 forces; the
# investigation register on 30 forces from April 2022.
DEMO_MONTHS = 42
REGISTER_FORCE_MONTHS = 30 * 30
TEN_YEARS = 120
FORCES = 43
# Reference tables, and the audit head (one row, rewritten at each audit row).
FIXED = (
    "auth_",
    "django_content_type",
    "django_migrations",
    "orgunits_",
    "catalogue_",
    "audit_audithead",
)


def _driver(table: str) -> tuple[str, float]:
    """How a table grows over ten years: the register with force-months of direct data
    entry (all 43 forces, an upper bound), reference tables not at all, the rest with
    months of national data."""
    if table.startswith("cases_"):
        return "register force-months", FORCES * TEN_YEARS / REGISTER_FORCE_MONTHS
    if table.startswith(FIXED):
        return "fixed", 1.0
    return "months", TEN_YEARS / DEMO_MONTHS


def ten_years(path: str, after_path: str | None = None) -> None:
    """Each table's ten-year size from the demo's, by its driver. Stored files are counted
    apart: the demo loads its history in a few large files, a force sends one file a
    return, so with ``AFTER_JSON`` (the database after the load test's uploads, each one
    return from the real template) a file is the load test's measured average size, one
    per version."""
    before = json.loads(Path(path).read_text(encoding="utf-8"))
    tables = {t["table"]: t for t in before["tables"]}
    file_bytes = None
    if after_path:
        after = {t["table"]: t for t in json.loads(Path(after_path).read_text())["tables"]}
        name = "collection_storedfile"
        added = after[name]["rows"] - tables[name]["rows"]
        if added > 0:
            file_bytes = (after[name]["total_bytes"] - tables[name]["total_bytes"]) / added
    print(
        f"ten years of national data projected from the demo ({DEMO_MONTHS} months of returns "
        f"for {FORCES} forces; the register: 30 forces for 30 months)"
    )
    print(f"{'table':<36} {'demo rows':>10} {'demo MB':>8} {'driver':<26} {'x':>5} {'10y MB':>8}")
    total_demo = total_ten = 0.0
    rows_out = []
    for t in before["tables"]:
        driver, factor = _driver(t["table"])
        projected = t["total_bytes"] * factor
        if t["table"] == "collection_storedfile" and file_bytes:
            versions = tables["collection_submissionversion"]["rows"] * TEN_YEARS / DEMO_MONTHS
            driver, projected = (
                f"a file a version, {file_bytes / 1024:.1f} KB",
                versions * file_bytes,
            )
            factor = projected / t["total_bytes"]
        total_demo += t["total_bytes"]
        total_ten += projected
        rows_out.append((projected, t, driver, factor))
    for projected, t, driver, factor in sorted(rows_out, key=lambda r: r[0], reverse=True)[:12]:
        print(
            f"{t['table']:<36} {t['rows']:>10,} {_mb(t['total_bytes']):>8} {driver:<26} "
            f"{factor:>5.1f} {_mb(int(projected)):>8}"
        )
    print(
        f"{'(all tables)':<36} {'':>10} {_mb(int(total_demo)):>8} {'':<26} {'':>5} "
        f"{_mb(int(total_ten)):>8}"
    )


def _row(name: str, s: dict[str, Any]) -> str:
    return (
        f"{name:<34} {s['count']:>7,} {s['errors']:>6} {s['rps']:>7.2f} "
        f"{s['median']:>7} {s['p95']:>7} {s['p99']:>7}"
    )


def print_runs(out: str, workers: list[str]) -> int:
    failed = False
    summary: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for w in workers:
        results_path = Path(out) / f"results-w{w}.json"
        check_path = Path(out) / f"check-w{w}.json"
        if not results_path.exists():
            print(f"\n{w} gunicorn worker(s): no results (Locust did not finish)")
            failed = True
            continue
        results = json.loads(results_path.read_text(encoding="utf-8"))
        check = json.loads(check_path.read_text(encoding="utf-8")) if check_path.exists() else {}
        requests = results["requests"]
        print(f"\n{w} gunicorn worker(s), Locust ran {results['seconds']} s")
        print(
            f"{'request':<34} {'count':>7} {'errors':>6} {'req/s':>7} "
            f"{'median':>7} {'p95':>7} {'p99':>7}  (ms)"
        )
        for name in sorted(n for n in requests if n not in TOTALS):
            print(_row(name, requests[name]))
        for name in TOTALS:
            print(_row(name, requests[name]))
        if check:
            print(
                f"uploads: {check['uploads']} posted, outcomes {check['outcomes']}, "
                f"{check['versions_stored']} versions stored, each accepted file stored exactly "
                f"once: {'yes' if check['stored_exactly_once'] else 'NO'}; "
                f"{check['approved']} returns approved"
            )
            for problem in check["problems"]:
                print(f"  problem: {problem}")
        spread_line = spread(Path(out) / f"access-w{w}.log")
        if spread_line:
            print(spread_line)
        summary.append((w, requests, check))
        if requests["(all requests)"]["errors"] or not check.get("stored_exactly_once"):
            failed = True
    if summary:
        print(
            "\ncomparison (page = the HTML pages people wait for; aim: 0 errors, page p95 under "
            f"{PAGE_AIM_MS} ms)"
        )
        print(
            f"{'workers':>7} {'req/s':>7} {'errors':>6} {'page med':>8} {'page p95':>8} "
            f"{'page p99':>8} {'all p95':>7} {'uploads':>7} {'stored once':>11}"
        )
        for w, requests, check in summary:
            pages, every = requests["(all pages)"], requests["(all requests)"]
            once = "yes" if check.get("stored_exactly_once") else "NO"
            print(
                f"{w:>7} {every['rps']:>7.2f} {every['errors']:>6} {pages['median']:>8} "
                f"{pages['p95']:>8} {pages['p99']:>8} {every['p95']:>7} "
                f"{check.get('uploads', 0):>7} {once:>11}"
            )
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "size":
        print_size(argv[1])
        return 0
    if len(argv) in (2, 3) and argv[0] == "tenyears":
        ten_years(argv[1], argv[2] if len(argv) == 3 else None)
        return 0
    if len(argv) >= 3 and argv[0] == "runs":
        return print_runs(argv[1], argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
