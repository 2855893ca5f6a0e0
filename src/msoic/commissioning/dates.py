"""When the funding allocations end, as a dated fact reports can state (the registry of dated
facts, :mod:`msoic.metrics.dates`): registered by ``CommissioningConfig.ready()``.

``allocations_end period=FY2024-25 [programme=ms|oic]``: the day the year's allocations
must be spent by (their ``expires_on``; the latest when they differ).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Count, Max
from django.urls import reverse

from msoic.commissioning.models import FundingAllocation, Programme
from msoic.metrics.dates import DatedFact, DateError
from msoic.metrics.periods import Period, PeriodError


class AllocationsEnd:
    name = "allocations_end"
    label = "funding allocations"
    options = {
        "period": "the allocations' financial year (FY2024-25, or FY for the report's)",
        "programme": "ms or oic (default: both)",
    }

    def fact(self, options: Mapping[str, str]) -> DatedFact:
        text = options.get("period", "")
        try:
            period = Period.parse(text)
        except PeriodError as exc:
            raise DateError(f"{self.name} needs period= a financial year: {exc}") from None
        if period.kind != "fy":
            raise DateError(f"period={text!r}: allocations are made for a financial year")
        rows = FundingAllocation.objects.filter(financial_year=period.code)
        programme = options.get("programme")
        if programme is not None:
            if programme not in Programme.values:
                raise DateError(
                    f"programme={programme!r} is not one of {', '.join(Programme.values)}"
                )
            rows = rows.filter(programme=programme)
        found = rows.aggregate(end=Max("expires_on"), n=Count("pk"))
        if found["end"] is None:
            raise DateError(f"no funding allocation for {period.code} is recorded")
        what = f" for {Programme(programme).label.lower()}" if programme else ""
        return DatedFact(
            on=found["end"],
            precision="day",
            label=f"End of the funding allocations{what}, {period.label.lower()}",
            records=found["n"],
            link=reverse("commissioning"),
        )


ALLOCATIONS_END = AllocationsEnd()
