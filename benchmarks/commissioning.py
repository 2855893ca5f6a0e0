"""Benchmark: the commissioning position with 5,000 bids, and 50 awards at once.

Ten yearly funding envelopes (2014/15 to 2023/24) with 5,000 bids between them from every
force and ROCU, decided (approved, part-funded, declined), with spend returns against many
awards, are bulk-inserted; the load is not what is measured. Then, for a national analyst:

- ``GET /commissioning/`` (every envelope's committed, spent and remaining) and
  ``GET /commissioning/envelopes/<newest>/`` (approved bids by region, chart and table)
  are timed: median and 95th percentile (the issue's aim: p95 under 150 ms);
- 50 threads, each with its own database connection, try at the same moment to approve
  a £30,000 bid against one £1,000,000 envelope: 33 fit, 17 must be refused, and the
  envelope's committed total must be exactly the sum of the awards made.

On the benchmark's SQLite file the awards queue on ``BEGIN IMMEDIATE``. With
``--postgres URL`` (or a ``postgres://`` DATABASE_URL in the environment) the award race
runs on that server as well, in a throwaway database created and dropped for the run.

Run alone: ``python -m benchmarks.commissioning [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlparse, urlunparse

from benchmarks._env import progress, setup_django, summary_ms
from msoic.metrics.money import format_pounds

P95_AIM_MS = 150.0
BIDS = 5000
YEARS = 10
RACE_THREADS = 50
RACE_ENVELOPE = 100_000_000  # pence: £1,000,000
RACE_BID = 3_000_000  # pence: £30,000


def _load(national: Any, bids: int, rng: random.Random) -> Any:
    from msoic.commissioning.models import (
        Bid,
        BidStatus,
        BidWindow,
        FundingEnvelope,
        SpendReturn,
    )
    from msoic.orgunits.models import OrgUnit

    units = list(OrgUnit.objects.filter(kind__in=["force", "region"]).select_related("parent"))
    per_year = bids // YEARS
    newest = None
    for y in range(YEARS):
        first = 2014 + y
        envelope = FundingEnvelope.objects.create(
            name="Project Terminus",
            source="Home Office in-year funding",
            amount_pence=2_000_000_000,
            financial_year=f"FY{first}-{(first + 1) % 100:02d}",
            programme="oic",
            purpose="Benchmark",
            created_by=national,
        )
        window = BidWindow.objects.create(
            envelope=envelope,
            title="Round 1",
            opens=date(first, 5, 1),
            closes=date(first, 5, 31),
        )
        rows = []
        for i in range(per_year):
            unit = units[(i * 7 + y) % len(units)]
            asked = rng.randint(1_500_000, 5_000_000)
            status = rng.choices(
                [BidStatus.APPROVED, BidStatus.PART_FUNDED, BidStatus.DECLINED], [6, 1, 2]
            )[0]
            awarded = (
                asked
                if status == BidStatus.APPROVED
                else asked // 2
                if status == BidStatus.PART_FUNDED
                else None
            )
            rows.append(
                Bid(
                    window=window,
                    orgunit=unit,
                    region=unit if unit.kind == "region" else unit.parent,
                    title=f"Bid {i}",
                    purpose="Benchmark",
                    activity_type=rng.choice(["land", "air", "sea"]),
                    amount_requested_pence=asked,
                    period_start=date(first, 7, 1),
                    period_end=date(first, 9, 30),
                    submitted_at=datetime(first, 5, 15, 12, tzinfo=UTC),
                    submitted_by=national,
                    status=status,
                    amount_awarded_pence=awarded,
                    decision_reason="Benchmark",
                    decided_at=datetime(first, 6, 15, 12, tzinfo=UTC),
                    decided_by=national,
                )
            )
        made = Bid.objects.bulk_create(rows)
        SpendReturn.objects.bulk_create(
            SpendReturn(
                bid=b,
                amount_pence=b.amount_awarded_pence // 3,
                spent_on=date(first, 8, 1) + timedelta(days=n),
                recorded_by=national,
            )
            for b in made
            if b.amount_awarded_pence is not None
            for n in range(2)
        )
        newest = envelope
    return newest


def _time(client: Any, url: str, runs: int) -> dict[str, float]:
    response = client.get(url)  # warm up
    if response.status_code != 200:
        raise SystemExit(f"commissioning benchmark: GET {url} answered {response.status_code}")
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        client.get(url)
        samples.append(time.perf_counter_ns() - t0)
    return summary_ms(samples)


def award_race(national: Any, threads: int = RACE_THREADS) -> dict[str, Any]:
    """``threads`` awards at once against one envelope; counts and the balance check."""
    from django.core.exceptions import ValidationError
    from django.db import connection

    from msoic.commissioning import actions
    from msoic.commissioning.models import ActivityType, Bid, BidWindow, FundingEnvelope
    from msoic.orgunits.models import OrgUnit

    envelope = FundingEnvelope.objects.create(
        name="Award race",
        source="Benchmark",
        amount_pence=RACE_ENVELOPE,
        financial_year="FY2024-25",
        programme="oic",
        purpose="Benchmark",
    )
    window = BidWindow.objects.create(
        envelope=envelope, title="Race", opens=date(2024, 5, 1), closes=date(2024, 5, 31)
    )
    forces = list(OrgUnit.objects.forces().select_related("parent"))
    bids = Bid.objects.bulk_create(
        Bid(
            window=window,
            orgunit=forces[i % len(forces)],
            region=forces[i % len(forces)].parent,
            title=f"Race {i}",
            purpose="Benchmark",
            activity_type=ActivityType.LAND,
            amount_requested_pence=RACE_BID,
            period_start=date(2024, 7, 1),
            period_end=date(2024, 9, 30),
        )
        for i in range(threads)
    )
    barrier = threading.Barrier(threads)
    results: list[str] = []
    guard = threading.Lock()

    def award(bid: Any) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                actions.do_decide_bid(bid, actor=national, outcome="approved", reason="race")
                outcome = "awarded"
            except ValidationError:
                outcome = "refused"
            except Exception as exc:  # noqa: BLE001 - reported, and the check fails
                outcome = f"error: {exc}"
            with guard:
                results.append(outcome)
        finally:
            connection.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=award, args=(b,)) for b in bids]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    seconds = time.perf_counter() - started
    awarded = results.count("awarded")
    refused = results.count("refused")
    errors = [r for r in results if r.startswith("error")]
    committed = envelope.committed()
    expected = min(threads, int(RACE_ENVELOPE // RACE_BID))
    ok = (
        not errors
        and awarded == expected
        and refused == threads - expected
        and committed == RACE_BID * awarded
        and committed <= RACE_ENVELOPE
    )
    return {
        "vendor": connection.vendor,
        "threads": threads,
        "awarded": awarded,
        "refused": refused,
        "errors": errors[:3],
        "committed": committed,
        "remaining": RACE_ENVELOPE - committed,
        "seconds": seconds,
        "ok": ok,
    }


def _race_line(r: dict[str, Any]) -> str:
    verdict = "balance right" if r["ok"] else f"WRONG {r['errors']}"
    return (
        f"  {r['threads']} awards of £30,000 at once against £1,000,000 ({r['vendor']}): "
        f"{r['awarded']} awarded, {r['refused']} refused, "
        f"committed {format_pounds(r['committed'])}, remaining {format_pounds(r['remaining'])} "
        f"({verdict}; {r['seconds']:.2f} s)"
    )


def run(*, quick: bool = False, postgres: str = "") -> dict[str, Any]:
    setup_django("commissioning")
    from django.test import Client

    from msoic.accounts.actions import do_create_user

    runs = 15 if quick else 50
    bids = 1000 if quick else BIDS
    national, _ = do_create_user(
        "bench.unit",
        role="national",
        orgunit_code=None,
        password="bench-password-1234",
        actor="benchmark",
        check_password=False,
    )
    newest = _load(national, bids, random.Random(2024))
    progress(f"commissioning: {bids} bids loaded; timing {runs} runs")
    client = Client()
    client.force_login(national)
    hub = _time(client, "/commissioning/", runs)
    envelope_page = _time(client, f"/commissioning/envelopes/{newest.pk}/", runs)
    progress(f"commissioning: {RACE_THREADS} awards at once on SQLite")
    race = award_race(national)
    races = [race]
    if postgres:
        progress("commissioning: the award race on PostgreSQL")
        races.append(_postgres_race(postgres))
    lines = [
        f"Commissioning: {YEARS} envelopes, {bids:,} bids (bulk-inserted), {runs} runs",
        *(
            f"  GET {url} (national analyst): median {s['median_ms']:.1f} ms, "
            f"p95 {s['p95_ms']:.1f} ms (aim p95 < {P95_AIM_MS:g} ms: "
            f"{'met' if s['p95_ms'] < P95_AIM_MS else 'MISSED'})"
            for url, s in (
                ("/commissioning/", hub),
                (f"/commissioning/envelopes/{newest.pk}/", envelope_page),
            )
        ),
        *(_race_line(r) for r in races),
    ]
    return {
        "name": "commissioning",
        "runs": runs,
        **hub,
        "envelope_page": envelope_page,
        "races": races,
        "ok": all(r["ok"] for r in races),
        "lines": lines,
    }


def _postgres_race(url: str) -> dict[str, Any]:
    """Run the race in a child process against a throwaway database on ``url``'s server."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.commissioning", "--race-only", url],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"commissioning benchmark on PostgreSQL failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def race_only_on_postgres(url: str) -> dict[str, Any]:
    """Create a database on the server, migrate, race, drop it."""
    import psycopg

    from msoic.env import parse_database_url

    base = parse_database_url(url, os.getcwd())
    name = f"msoic_bench_{os.getpid()}"
    admin = {
        "dbname": base["NAME"],
        "user": base["USER"] or None,
        "password": base["PASSWORD"] or None,
        "host": base["HOST"] or None,
        "port": base["PORT"] or None,
    }
    with psycopg.connect(**{k: v for k, v in admin.items() if v}, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        os.environ["DATABASE_URL"] = urlunparse(urlparse(url)._replace(path=f"/{name}"))
        os.environ["DJANGO_SETTINGS_MODULE"] = "msoic.settings"
        os.environ.setdefault("MSOIC_LOG_LEVEL", "ERROR")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        from django.db import connections

        from msoic.accounts.actions import do_create_user

        national, _ = do_create_user(
            "bench.unit",
            role="national",
            orgunit_code=None,
            password="bench-password-1234",
            actor="benchmark",
            check_password=False,
        )
        result = award_race(national)
        connections.close_all()
    finally:
        with psycopg.connect(**{k: v for k, v in admin.items() if v}, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1,000 bids and 15 runs")
    parser.add_argument("--json-out", help="write the result as JSON to this file")
    parser.add_argument("--postgres", default="", help="also race on this PostgreSQL server")
    parser.add_argument("--race-only", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.race_only:
        print(json.dumps(race_only_on_postgres(args.race_only)))
        return
    postgres = args.postgres
    env_url = os.environ.get("DATABASE_URL", "")
    if not postgres and env_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        postgres = env_url
    result = run(quick=args.quick, postgres=postgres)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(result, handle)
    else:
        print("\n".join(result["lines"]))
    if not result["ok"]:
        raise SystemExit("commissioning benchmark: the award race left a wrong balance")


if __name__ == "__main__":
    main()
