"""When forces first used the national OIC hashtag, as a dated fact reports can state (the
registry of dated facts, :mod:`msoic.metrics.dates`): registered by ``IntelConfig.ready()``.

``intel_hashtag_first_log``: the day the earliest log the unit holds carrying the national
hashtag was created (its launch, as the logs show it).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Count, Min
from django.urls import reverse

from msoic.intel.models import OIC_HASHTAG, IntelLog
from msoic.metrics.dates import DatedFact, DateError


class HashtagFirstLog:
    name = "intel_hashtag_first_log"
    label = "intelligence logs"
    options: Mapping[str, str] = {}

    def fact(self, options: Mapping[str, str]) -> DatedFact:
        found = IntelLog.objects.filter(oic_tagged=True).aggregate(
            first=Min("created_on"), n=Count("pk")
        )
        if found["first"] is None:
            raise DateError(f"no intelligence log carrying {OIC_HASHTAG} is held")
        return DatedFact(
            on=found["first"],
            precision="day",
            label=f"First intelligence log carrying the national hashtag {OIC_HASHTAG}",
            records=found["n"],
            link=reverse("intel-dashboard"),
        )


HASHTAG_FIRST_LOG = HashtagFirstLog()
