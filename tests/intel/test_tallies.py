"""The logs' tallies by force and day, kept on write: after extracts, re-sent corrections and
reviews they are what a recount from the logs gives, and the figures read from them (the
engine's, the dashboard's mix and the backlog as at a day) are the ones counted from the logs
themselves. Also: the import's quick reading of an ISO date accepts what strptime did."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from msoic.intel.actions import do_review_log
from msoic.intel.importer import LogRow, _date, fields_digest, row_digest
from msoic.intel.models import IntelDayTally, IntelLog, IntelMonthTally
from msoic.intel.queue import backlog
from msoic.intel.tally import (
    backlog_at,
    rebuild_tallies,
    received_mix,
    refresh_tallies,
    tallies_deferred,
)
from msoic.metrics import engine
from msoic.metrics.periods import Period
from msoic.orgunits.models import OrgUnit
from tests.intel.conftest import log_row, send

pytestmark = pytest.mark.django_db

ROUTES = ["small boat", "hgv", "air", "maritime", "inland", ""]


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for model in (IntelDayTally, IntelMonthTally):
        fields = sorted(f.attname for f in model._meta.concrete_fields if f.name != "id")
        out[model.__name__] = sorted(
            tuple(r[f] for f in fields) for r in model.objects.values(*fields)
        )
    return out


def _rows(prefix: str, n: int, rng: random.Random) -> list[list[Any]]:
    rows = []
    for i in range(n):
        c = rng.random() < 0.3
        referred = rng.random() < 0.3
        rows.append(
            log_row(
                f"{prefix}-{i}",
                created=(timezone.localdate() - timedelta(days=rng.randrange(5, 200))).isoformat(),
                hashtags="#NATOIC" if not referred or rng.random() < 0.5 else "#LOCAL",
                source_evaluation=rng.choice("123"),
                intelligence_assessment=rng.choice("ABCDE"),
                handling_code="C" if c else "P",
                handling_conditions="Police only" if c else "",
                route=rng.choice(ROUTES),
                exploitation_types="labour" if referred else "",
            )
        )
    return rows


@pytest.fixture
def world(personas: dict[str, Any]) -> dict[str, Any]:
    """Logs of three forces received over 120 days (moved as the demo does, then recounted),
    a third of them reviewed on various days, a few re-sent with changes."""
    rng = random.Random(12)
    today = timezone.localdate()
    unit = personas["national"]
    sent = {"kent": _rows("KT", 30, rng), "essex": _rows("EX", 20, rng)}
    sent["cleveland"] = _rows("CL", 20, rng)
    for force, rows in sent.items():
        send(unit, force, rows)
    logs = list(IntelLog.objects.order_by("pk"))
    for log in logs:
        log.received_on = log.created_on + timedelta(days=rng.randrange(1, 5))
    IntelLog.objects.bulk_update(logs, ["received_on"])
    refresh_tallies({log.force_id for log in logs})
    for log in logs[::3]:
        on = min(today, log.received_on + timedelta(days=rng.randrange(0, 50)))
        do_review_log(log, actor=unit, outcome="nfa", reason="r", reviewed_on=on)
    do_review_log(logs[3], actor=unit, outcome="regraded", reason="r", new_grading="1AP")
    # re-sent: a new grading, route and creation day, the hashtag dropped for a type
    changed = sent["kent"][:4]
    changed[0][3] = "3"
    changed[1][7] = "air"
    changed[2][1] = (today - timedelta(days=2)).isoformat()
    changed[3][2], changed[3][8] = "#LOCAL", "sexual"
    send(unit, "kent", changed, "again.csv")
    return {"today": today}


def test_tallies_kept_on_write_are_what_a_recount_from_the_logs_gives(world):
    kept = _snapshot()
    received = IntelLog.objects.count()
    for model in (IntelDayTally, IntelMonthTally):
        assert model.objects.aggregate(n=Sum("received"))["n"] == received
    rebuild_tallies()
    assert _snapshot() == kept
    IntelDayTally.objects.filter(force__code="kent").delete()  # as if loaded behind its back
    out = StringIO()
    call_command("recount_intel", "--force", "kent", stdout=out)
    assert _snapshot() == kept and "force-days recounted" in out.getvalue()


def test_reviews_with_their_recount_deferred_leave_the_tallies_a_recount_gives(world, personas):
    """The demo's reviews recount once per force on leaving ``tallies_deferred`` instead of
    two days each: the tallies are the same as a full recount from the logs; nested blocks
    recount once, at the outer one's end; an error recounts nothing."""
    unit, today = personas["national"], world["today"]
    waiting = list(IntelLog.objects.filter(reviewed_on__isnull=True).order_by("pk"))
    before = _snapshot()
    with tallies_deferred():
        for n, log in enumerate(waiting[:12]):
            with tallies_deferred():
                on = min(today, log.received_on + timedelta(days=n))
                do_review_log(log, actor=unit, outcome="nfa", reason="r", reviewed_on=on)
        assert _snapshot() == before  # nothing recounted yet
    kept = _snapshot()
    assert kept != before
    rebuild_tallies()
    assert _snapshot() == kept

    with pytest.raises(RuntimeError), transaction.atomic():
        with tallies_deferred():
            do_review_log(waiting[12], actor=unit, outcome="nfa", reason="r", reviewed_on=today)
            raise RuntimeError("the caller's transaction is rolled back")
    assert _snapshot() == kept
    assert IntelLog.objects.get(pk=waiting[12].pk).reviewed_on is None


def test_the_backlog_as_at_any_day_is_the_one_counted_from_the_logs(world, personas):
    eastern = list(
        OrgUnit.objects.filter(parent__code="eastern", kind="force").values_list("pk", flat=True)
    )
    today = world["today"]
    for force_ids, logs in (
        (None, IntelLog.objects.all()),
        (eastern, IntelLog.objects.filter(force_id__in=eastern)),
    ):
        for back in (0, 1, 20, 45, 90, 150, 300):
            on = today - timedelta(days=back)
            assert backlog_at(force_ids, on) == backlog(logs, on), (force_ids, on)
    assert backlog_at(None, today).count == IntelLog.objects.filter(reviewed_on=None).count() > 0


def test_the_mix_and_the_engine_figures_are_those_counted_from_the_logs(world):
    today = world["today"]
    first = (today - timedelta(days=200)).replace(day=1)
    logs = list(IntelLog.objects.filter(received_on__gte=first, received_on__lte=today))
    mix = received_mix(None, first, today.replace(day=1))
    grading = Counter(f"{log.source_evaluation}{log.assessment}" for log in logs)
    assert {g: mix[f"graded_{g.lower()}"] for g in grading} == dict(grading)
    assert mix["handling_c"] == sum(log.handling_code == "C" for log in logs)
    assert mix["route_air"] == sum(log.route == "air" for log in logs)
    assert mix["ms_referred"] == sum(log.ms_referred for log in logs)
    nation = OrgUnit.objects.get(kind="national")
    month = Period.month(today.replace(day=1))
    in_month = IntelLog.objects.filter(reviewed_on__gte=month.start, reviewed_on__lte=today)
    assert engine.query("intel_logs_reviewed", nation, month).value == in_month.count()
    assert (
        engine.query("intel_logs_reviewed_in_time", nation, month).value
        == in_month.filter(review_days__lte=28).count()
    )


def test_the_dashboard_shows_the_figures_counted_from_the_logs(world, personas):
    client = Client()
    client.force_login(personas["eastern"])
    year = Period.financial_year_of(world["today"])
    page = client.get("/intelligence/dashboard/", {"period": year.code})
    scoped = IntelLog.objects.filter(force__parent__code="eastern")
    assert page.context["backlog"] == backlog(scoped, world["today"])
    routes = dict(page.context["routes"])
    assert routes["Air"] == scoped.filter(route="air", received_on__gte=year.start).count()


def test_a_log_cannot_be_reviewed_before_it_was_received(world):
    log = IntelLog.objects.filter(reviewed_on=None).first()
    assert log is not None
    log.reviewed_on = log.received_on - timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        log.save(update_fields=["reviewed_on"])


@pytest.mark.parametrize(
    "text",
    ["2023-09-04", "2023-9-4", "2023-02-30", "2024-02-29", "04/09/2023", "20230904", "2023-09-04x"],
)
def test_a_date_is_read_as_strptime_reads_it(text):
    expected = None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            expected = datetime.strptime(text, fmt).date()  # noqa: DTZ007
            break
        except ValueError:
            continue
    assert _date(text) == expected
    assert _date(date(2023, 9, 4)) == date(2023, 9, 4)


@pytest.mark.parametrize(
    "given",
    [
        {},
        {"summary": 'Quoted "words", a back\\slash, a tab\there, £ and é, 日本, 😀'},
        {"hashtags": ["#NATOIC", "#Ünïcode"], "exploitation_types": ["labour", "sexual"]},
        {"handling_code": "C", "handling_conditions": "Police only\nno onward sharing"},
        {"investigation_ref": "KT/INV/1", "operation": "Operation Innerste", "route": ""},
    ],
)
def test_a_rows_digest_is_the_digest_of_its_fields_as_json(given):
    log = LogRow(
        row=2,
        reference="KT-1",
        created_on=date(2023, 9, 4),
        hashtags=["#NATOIC"],
        source_evaluation="2",
        assessment="B",
        handling_code="P",
        handling_conditions="",
        route="small_boat",
        exploitation_types=[],
        summary="Small boat launch reported.",
        investigation_ref="",
        operation="",
    )
    for name, value in given.items():
        setattr(log, name, value)
    lists: dict[tuple[str, ...], str] = {}
    assert row_digest(log, lists) == fields_digest(log.fields())
    assert row_digest(log, lists) == fields_digest(log.fields())  # the kept lists too
