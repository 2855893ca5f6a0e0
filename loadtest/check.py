"""The database side of `make load`, run with the same environment as the server.

    python loadtest/check.py mark FILE            remember where the queue and versions stand
    python loadtest/check.py drain FILE SECONDS   wait until every upload job since the mark ended
    python loadtest/check.py verify FILE UPLOADS  prove each upload Locust made was stored once
    python loadtest/check.py size                 the database's size, per table, with row counts

``verify`` reads the uploads log the locustfile wrote (``MSOIC_LOAD_UPLOADS_LOG``) and
compares it with the database: every upload Locust posted has its job; a file the pipeline
accepted is stored as exactly one version (found by its unique file name), any other
outcome as none; and no other version appeared during the run. It prints one JSON line
and exits 1 if any of that fails.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msoic.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from msoic.collection.models import ImportJob, Submission, SubmissionVersion  # noqa: E402

UPLOAD_MARK = "_load-"  # in every file name the locustfile uploads


def mark(path: str) -> None:
    state = {
        "job": ImportJob.objects.aggregate(m=Max("pk"))["m"] or 0,
        "version": SubmissionVersion.objects.aggregate(m=Max("pk"))["m"] or 0,
        "at": timezone.now().isoformat(),
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(state, fh)


def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def drain(path: str, seconds: float) -> None:
    """Wait for the worker to finish the jobs the run queued (uploads posted near the end)."""
    since = _load(path)["job"]
    deadline = time.monotonic() + seconds
    waiting = 0
    while time.monotonic() < deadline:
        waiting = ImportJob.objects.filter(
            pk__gt=since, status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING]
        ).count()
        if not waiting:
            return
        time.sleep(1)
    print(f"check.py: {waiting} upload jobs still waiting after {seconds:.0f} s", file=sys.stderr)


def verify(path: str, uploads_log: str) -> int:
    state = _load(path)
    posted: dict[int, dict[str, Any]] = {}
    seen: dict[int, dict[str, Any]] = {}
    if os.path.exists(uploads_log):
        with open(uploads_log, encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                if record["event"] == "posted":
                    posted[record["job"]] = record
                else:
                    seen[record["job"]] = record
    problems: list[str] = []
    jobs = {
        j.pk: j for j in ImportJob.objects.filter(pk__gt=state["job"]).prefetch_related("files")
    }
    for pk in sorted(set(posted) - set(jobs)):
        problems.append(f"job {pk} posted by Locust is not in the database")
    for pk in sorted(set(jobs) - set(posted)):
        problems.append(f"job {pk} in the database was not seen by Locust")
    new_versions = list(
        SubmissionVersion.objects.filter(pk__gt=state["version"]).values_list("filename", flat=True)
    )
    per_name = Counter(new_versions)
    outcomes: Counter[str] = Counter()
    for pk in posted:
        job = jobs.get(pk)
        if job is None:
            continue
        if job.status not in {ImportJob.Status.DONE, ImportJob.Status.FAILED}:
            outcomes["unfinished"] += 1
            problems.append(f"job {pk} is still {job.status}")
            continue
        for f in job.files.all():
            status = (f.outcome or {}).get("status", "no outcome")
            outcomes[status] += 1
            expected = 1 if status == "accepted" else 0
            if per_name.get(f.name, 0) != expected:
                problems.append(
                    f"{f.name} ({status}) is stored as {per_name.get(f.name, 0)} versions, "
                    f"not {expected}"
                )
    stray = [name for name in new_versions if UPLOAD_MARK not in name]
    if stray:
        problems.append(f"{len(stray)} versions stored during the run that Locust did not upload")
    approved = Submission.objects.filter(approved_at__gt=state["at"]).count()
    result = {
        "uploads": len(posted),
        "jobs": len(jobs),
        "outcomes": dict(sorted(outcomes.items())),
        "versions_stored": len(new_versions),
        "approved": approved,
        "locust_saw_finish": len(seen),
        "stored_exactly_once": not problems,
        "problems": problems[:20],
    }
    print(json.dumps(result))
    return 0 if not problems else 1


def size() -> None:
    """pg_database_size and each table's total size (with indexes and TOAST) and rows."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_database_size(current_database())")
        total = cur.fetchone()[0]
        cur.execute(
            """
            SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname = 'public'
            ORDER BY pg_total_relation_size(c.oid) DESC
            """
        )
        tables = cur.fetchall()
        rows = {}
        for name, _, _ in tables:
            # The table names come from pg_class, quoted: nothing here is input.
            cur.execute(f"SELECT count(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608
            rows[name] = cur.fetchone()[0]
    print(
        json.dumps(
            {
                "database_bytes": total,
                "tables": [
                    {"table": n, "total_bytes": t, "heap_bytes": h, "rows": rows[n]}
                    for n, t, h in tables
                ],
            }
        )
    )


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "mark":
        mark(argv[1])
    elif len(argv) >= 3 and argv[0] == "drain":
        drain(argv[1], float(argv[2]))
    elif len(argv) >= 3 and argv[0] == "verify":
        return verify(argv[1], argv[2])
    elif argv[:1] == ["size"]:
        size()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
