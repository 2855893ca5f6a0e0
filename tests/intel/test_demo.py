"""The demo's intelligence logs: the engine gives the annual report's 1,190 logs reviewed in
2023/24, and the sending forces' tagged counts, now derived from their logs, are the counts
their returns would have held."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from msoic.catalogue.loader import get_catalogue
from msoic.demo.config import load_config
from msoic.demo.generator import generate
from msoic.intel.demo import FROM_MONTH, SENDERS, TAGGED, build_intel_demo, take_intel_series
from msoic.intel.models import IntelLog, IntelReview
from msoic.metrics import engine
from msoic.metrics.periods import Period
from msoic.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_the_demo_gives_1190_logs_reviewed_in_2023_24(personas: dict[str, Any]) -> None:
    forces = list(OrgUnit.objects.forces().values_list("code", flat=True))
    history = generate(load_config(), get_catalogue(), forces)
    series = take_intel_series(history)
    # the sending forces no longer return the tagged count; the others still do
    for (_dataset, force, month), rows in history.returns.items():
        if force in SENDERS and month >= FROM_MONTH and _dataset == "oic-monthly":
            assert all(r.metric != TAGGED for r in rows)
    report = build_intel_demo(personas["national"], series)

    out = StringIO()
    call_command(
        "query",
        "intel_logs_reviewed",
        "--orgunit",
        "national",
        "--period",
        "FY2023-24",
        "--format",
        "json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["value"] == 1190 == report.reviewed
    year = Period.parse("FY2023-24")
    first_reviews = IntelLog.objects.filter(reviewed_on__range=(year.start, date_end(year)))
    assert first_reviews.count() == 1190  # the same count straight from the records
    assert IntelReview.objects.count() >= IntelLog.objects.exclude(reviewed_on=None).count()

    # each sending force's derived tagged count is what its return held, month by month
    for code in SENDERS:
        force = OrgUnit.objects.get(code=code)
        for month in (FROM_MONTH, year.end):
            derived = engine.query(TAGGED, force, Period.month(month)).value
            assert derived == series.tagged[(code, month)]
            assert (
                derived
                == IntelLog.objects.filter(
                    force=force,
                    oic_tagged=True,
                    created_on__year=month.year,
                    created_on__month=month.month,
                ).count()
            )

    # a realistic backlog: waiting at 31 March 2024, some past the 28-day target
    from msoic.intel.queue import backlog

    at_year_end = backlog(IntelLog.objects.all(), date_end(year))
    assert 50 < at_year_end.count < 600 and at_year_end.overdue > 0
    assert 0 < report.backlog < IntelLog.objects.count() // 5
    # logs carry both themes: OIC routes and modern slavery referrals
    assert IntelLog.objects.filter(ms_referred=True).exists()
    assert IntelLog.objects.exclude(route="").exists()

    again = build_intel_demo(personas["national"], series)
    assert again.already and again.reviewed == 1190

    # the hashtag's launch, as the logs show it: the first tagged log, in August 2023
    out = StringIO()
    call_command("query", "date", "intel_hashtag_first_log", stdout=out)
    first = json.loads(out.getvalue())
    assert first["value"][:7] == f"{FROM_MONTH:%Y-%m}" and first["precision"] == "day"
    assert first["records"] == IntelLog.objects.filter(oic_tagged=True).count() > 0
    assert first["link"] == "/intelligence/dashboard/"


def date_end(period: Period) -> Any:
    from msoic.metrics.periods import month_end

    return month_end(period.end)
