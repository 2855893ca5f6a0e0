"""Benchmark: bulk import of a force's register from CSV, against the database's own bulk load.

100,000 investigations and 150,000 people (10,000 and 15,000 with ``--quick``) are written
as two CSV files and imported with ``msoic.cases.register.importer.import_files`` (reading through
the readers' checks, typing every cell, the register rules on every row, the uniqueness
check against what is stored, one bulk insert a table in one transaction a file (COPY on
PostgreSQL), the audit rows).
The same rows, already typed in memory, are then inserted with the database's own bulk
load: on SQLite ``executemany`` in one transaction, on PostgreSQL ``COPY``. The issue's
aim: the full pipeline under 3x the bulk load.

SQLite by default (a throwaway file). With ``DATABASE_URL`` set to PostgreSQL the run uses
a throwaway test database on that server (created and dropped, like the test runner).

Run alone: ``python -m benchmarks.register_import [--quick]``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import time
from datetime import date, timedelta
from typing import Any

from benchmarks._env import progress

RATIO_AIM = 3.0
FORCE = "kent"
CODES = ["labour", "sexual", "criminal", "domestic_servitude", "other"]
COUNTRIES = ["GB", "AL", "VN", "RO", "ER", "SD", "PL", "CN"]
INV_HEADER = [
    "crime_reference",
    "opened_on",
    "closed_on",
    "outcome",
    "exploitation_types",
    "primary_exploitation",
    "ocg_linked",
    "oic_related",
    "officer_in_charge",
    "last_reviewed_on",
]
PEOPLE_HEADER = [
    "crime_reference",
    "category",
    "age_group",
    "gender",
    "nationality",
    "nrm_referred_on",
    "nrm_referred_by_police",
    "rg_decision",
    "rg_decided_on",
    "dtn_reported_on",
    "arrested_on",
]


def _setup() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        os.environ["DJANGO_SETTINGS_MODULE"] = "msoic.settings"
        os.environ["MSOIC_MAX_UPLOAD_BYTES"] = str(1 << 30)
        os.environ["MSOIC_MAX_UNZIPPED_BYTES"] = str(1 << 30)
        os.environ.setdefault("MSOIC_LOG_LEVEL", "ERROR")
        import django
        from django.db import connection

        django.setup()
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        return "postgresql"
    os.environ["MSOIC_MAX_UPLOAD_BYTES"] = str(1 << 30)
    os.environ["MSOIC_MAX_UNZIPPED_BYTES"] = str(1 << 30)
    from benchmarks._env import setup_django

    setup_django("register-import")
    return "sqlite"


def _teardown(vendor: str) -> None:
    if vendor == "postgresql":
        from django.conf import settings
        from django.db import connection

        connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)


def make_rows(investigations: int, people: int) -> tuple[list[list[str]], list[list[str]]]:
    """Deterministic rows: a mix of live and closed cases, victims, suspects and witnesses,
    NRM referrals and decisions, Duty to Notify reports for adults."""
    start = date(2019, 4, 1)
    inv_rows = []
    for n in range(investigations):
        opened = start + timedelta(days=n % 1800)
        closed = opened + timedelta(days=30 + n % 300) if n % 3 == 0 else None
        primary = CODES[n % len(CODES)]
        types = [primary] if n % 4 else [primary, CODES[(n + 1) % len(CODES)]]
        inv_rows.append(
            [
                f"46/{n:06d}/{opened:%y}",
                opened.isoformat(),
                closed.isoformat() if closed else "",
                ("charged", "nfa", "transferred", "other")[n % 4] if closed else "",
                ";".join(types),
                primary,
                "yes" if n % 5 == 0 else "no",
                "yes" if n % 7 == 0 else "no",
                f"DC {n % 500:04d}",
                (opened + timedelta(days=20)).isoformat() if n % 2 else "",
            ]
        )
    person_rows = []
    for k in range(people):
        n = k % investigations
        opened = start + timedelta(days=n % 1800)
        category = ("victim", "victim", "suspect", "witness")[k % 4]
        adult = k % 6 != 0
        row = [
            inv_rows[n][0],
            category,
            "adult" if adult else "child",
            ("female", "male", "unknown", "other")[k % 4],
            COUNTRIES[k % len(COUNTRIES)],
            "",
            "",
            "",
            "",
            "",
            "",
        ]
        if category == "victim" and k % 3 != 2:
            row[5] = (opened + timedelta(days=2)).isoformat()
            row[6] = "yes"
            if k % 2:
                row[7] = "positive"
                row[8] = (opened + timedelta(days=7)).isoformat()
        elif category == "victim" and adult:
            row[9] = (opened + timedelta(days=3)).isoformat()
        if category == "suspect":
            row[10] = (opened + timedelta(days=5)).isoformat()
        person_rows.append(row)
    return inv_rows, person_rows


def csv_file(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _clear(force_id: int) -> None:
    from django.db import transaction

    from msoic.cases.models import Investigation, Person

    with transaction.atomic():
        Person.objects.filter(force_id=force_id).delete()
        Investigation.objects.filter(force_id=force_id).delete()


def _typed(inv_rows: list[list[str]], person_rows: list[list[str]], force_id: int) -> Any:
    """The rows as the database takes them (column lists and value tuples), ids assigned:
    what the bulk load is given, prepared before its clock starts."""
    from django.utils import timezone

    def day(text: str) -> date | None:
        return date.fromisoformat(text) if text else None

    now = timezone.now()
    inv_cols = [
        "id",
        "force_id",
        "crime_reference",
        "opened_on",
        "closed_on",
        "status",
        "outcome",
        "primary_exploitation",
        "exploitation_types",
        "ocg_linked",
        "oic_related",
        "officer_in_charge",
        "last_reviewed_on",
        "created_at",
        "updated_at",
    ]
    ids = {}
    invs = []
    for i, r in enumerate(inv_rows, start=1):
        ids[r[0]] = i
        invs.append(
            (
                i,
                force_id,
                r[0],
                day(r[1]),
                day(r[2]),
                "closed" if r[2] else "live",
                r[3],
                r[5],
                json.dumps(r[4].split(";")),
                r[6] == "yes",
                r[7] == "yes",
                r[8],
                day(r[9]),
                now,
                now,
            )
        )
    person_cols = [
        "investigation_id",
        "force_id",
        "reference",
        "category",
        "age_group",
        "gender",
        "nationality",
        "is_assessment",
        "nrm_referred_on",
        "nrm_referred_by_police",
        "rg_decision",
        "rg_decided_on",
        "cg_decision",
        "dtn_reported_on",
        "arrested_on",
        "created_at",
        "updated_at",
    ]
    people = [
        (
            ids[r[0]],
            force_id,
            f"KENT-P{k:06d}",
            r[1],
            r[2],
            r[3],
            r[4],
            False,
            day(r[5]),
            r[6] == "yes",
            r[7],
            day(r[8]),
            "",
            day(r[9]),
            day(r[10]),
            now,
            now,
        )
        for k, r in enumerate(person_rows, start=1)
    ]
    return inv_cols, invs, person_cols, people


def bulk_load(vendor: str, typed: Any) -> None:
    from django.db import connection, transaction

    inv_cols, invs, person_cols, people = typed
    with transaction.atomic(), connection.cursor() as cursor:
        if vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            for table, cols, rows in (
                ("cases_investigation", inv_cols, invs),
                ("cases_person", person_cols, people),
            ):
                with raw.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('cases_investigation', 'id'), "
                "(SELECT MAX(id) FROM cases_investigation))"
            )
        else:
            for table, cols, rows in (
                ("cases_investigation", inv_cols, invs),
                ("cases_person", person_cols, people),
            ):
                marks = ", ".join(["%s"] * len(cols))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",  # noqa: S608
                    rows,
                )


def run(*, quick: bool = False) -> dict[str, Any]:
    vendor = _setup()
    try:
        return _run(vendor, quick=quick)
    finally:
        _teardown(vendor)


def _run(vendor: str, *, quick: bool) -> dict[str, Any]:
    from msoic.cases.models import Investigation, Person
    from msoic.cases.register.importer import import_files
    from msoic.orgunits.models import OrgUnit

    n_inv, n_people = (10_000, 15_000) if quick else (100_000, 150_000)
    repeats = 3 if quick else 2
    force = OrgUnit.objects.get(code=FORCE)
    inv_rows, person_rows = make_rows(n_inv, n_people)
    files = [
        ("investigations.csv", csv_file(INV_HEADER, inv_rows)),
        ("people.csv", csv_file(PEOPLE_HEADER, person_rows)),
    ]
    size = sum(len(d) for _, d in files)
    progress(
        f"register import: {n_inv:,} investigations, {n_people:,} people ({size / 1e6:.1f} MB CSV)"
    )

    pipeline_times, bulk_times = [], []
    for attempt in range(repeats):
        _clear(force.pk)
        t0 = time.perf_counter()
        results = import_files(files, force, actor="benchmark")
        pipeline_times.append(time.perf_counter() - t0)
        results = [r for r in results if not r.ok]
        bad = [line for r in results for line in r.lines()[:4]]
        if bad:
            raise SystemExit("register import benchmark: a file was refused:\n" + "\n".join(bad))
        stored = (Investigation.objects.count(), Person.objects.count())
        if stored != (n_inv, n_people):
            raise SystemExit(f"register import benchmark: stored {stored}, not {n_inv, n_people}")
        _clear(force.pk)
        # Typed here and dropped after, so neither run carries the other's objects.
        typed = _typed(inv_rows, person_rows, force.pk)
        t0 = time.perf_counter()
        bulk_load(vendor, typed)
        bulk_times.append(time.perf_counter() - t0)
        del typed
        if (Investigation.objects.count(), Person.objects.count()) != (n_inv, n_people):
            raise SystemExit("register import benchmark: the bulk load stored the wrong counts")
        progress(
            f"register import: run {attempt + 1} of {repeats}: pipeline "
            f"{pipeline_times[-1]:.2f} s, {vendor} bulk load {bulk_times[-1]:.2f} s"
        )
    # The best of the runs for each: the machine's other work only ever adds time.
    pipeline_s, bulk_s = min(pipeline_times), min(bulk_times)
    ratio = pipeline_s / bulk_s
    verdict = "met" if ratio < RATIO_AIM else "MISSED"
    how = "COPY" if vendor == "postgresql" else "executemany in one transaction"
    lines = [
        f"Register import ({vendor}): {n_inv:,} investigations + {n_people:,} people "
        f"from CSV ({size / 1e6:.1f} MB)",
        f"  full pipeline (read, type cells, register rules, uniqueness, insert, audit): {pipeline_s:.2f} s "
        f"({(n_inv + n_people) / pipeline_s:,.0f} rows/s); best of {repeats} runs",
        f"  database bulk load ({how}), rows typed beforehand: {bulk_s:.2f} s; best of {repeats}",
        f"  ratio {ratio:.2f}x (aim < {RATIO_AIM:g}x: {verdict})",
    ]
    return {
        "name": "register_import",
        "vendor": vendor,
        "investigations": n_inv,
        "people": n_people,
        "pipeline_s": pipeline_s,
        "bulk_s": bulk_s,
        "ratio": ratio,
        "lines": lines,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="10,000 investigations, not 100,000")
    parser.add_argument("--json-out", help="write the result as JSON to this file")
    args = parser.parse_args(argv)
    result = run(quick=args.quick)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(result, handle)
    else:
        print("\n".join(result["lines"]))


if __name__ == "__main__":
    main()
