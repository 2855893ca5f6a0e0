"""The CCA tasking's issue dates, as dated facts reports can state (ADR 0011's registry of
dated facts, :mod:`msoic.metrics.dates`): registered by ``TaskingConfig.ready()``.

``tasking_issued tasking=CODE version=N|first|latest``: the day a version of the tasking was
issued (first: the tasking as first issued; latest: its newest revision).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.urls import reverse

from msoic.metrics.dates import DatedFact, DateError
from msoic.tasking.models import Tasking


class TaskingIssued:
    name = "tasking_issued"
    label = "CCA tasking versions"
    options = {
        "tasking": "the tasking's code (e.g. cca-oic-2022-23)",
        "version": "a version's number, first (the default) or latest",
    }

    def fact(self, options: Mapping[str, str]) -> DatedFact:
        code = options.get("tasking", "")
        if not code:
            raise DateError(f"{self.name} needs tasking= (the tasking's code)")
        tasking = Tasking.objects.filter(code=code).first()
        if tasking is None:
            known = ", ".join(Tasking.objects.order_by("code").values_list("code", flat=True))
            raise DateError(f"no CCA tasking {code!r} (known: {known or 'none'})")
        versions = list(tasking.versions.order_by("number"))
        if not versions:
            raise DateError(f"the tasking {code} has no version loaded")
        wanted = options.get("version", "first")
        if wanted == "first":
            version = versions[0]
        elif wanted == "latest":
            version = versions[-1]
        else:
            found = [v for v in versions if str(v.number) == wanted]
            if not found:
                numbers = ", ".join(str(v.number) for v in versions)
                raise DateError(
                    f"version={wanted!r}: {code} has versions {numbers} (or first, latest)"
                )
            version = found[0]
        return DatedFact(
            on=version.issued_on,
            precision="day",
            label=f"{tasking.title}: version {version.number} "
            f"({version.get_kind_display().lower()}) issued",
            records=1,
            link=reverse("tasking-tracker", args=[tasking.pk]),
        )


TASKING_ISSUED = TaskingIssued()
