"""When the peer reviews covered every force, as a dated fact reports can state (the registry
of dated facts, :mod:`msoic.metrics.dates`): registered by ``PeerReviewConfig.ready()``.

``peer_reviews_all_forces [orgunit=national|REGION]``: the day the last of the org unit's
forces had its first published review (the day coverage became whole). An error while any
of its forces has none.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Min
from django.urls import reverse

from msoic.metrics.dates import DatedFact, DateError
from msoic.orgunits.models import OrgUnit, OrgUnitKind
from msoic.peerreview.models import PeerReview, Stage


class PeerReviewsAllForces:
    name = "peer_reviews_all_forces"
    label = "peer reviews"
    options = {"orgunit": "national (the default) or a region's code"}

    def fact(self, options: Mapping[str, str]) -> DatedFact:
        code = options.get("orgunit", "national")
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None or unit.kind not in (OrgUnitKind.NATIONAL, OrgUnitKind.REGION):
            raise DateError(f"orgunit={code!r} is not the nation or a region")
        forces = OrgUnit.objects.forces()
        if unit.kind == OrgUnitKind.REGION:
            forces = forces.filter(parent=unit)
        force_ids = list(forces.values_list("pk", flat=True))
        if not force_ids:
            raise DateError(f"{unit.name} has no forces")
        first = dict(
            PeerReview.objects.filter(
                force_id__in=force_ids, stage=Stage.PUBLISHED, published_on__isnull=False
            )
            .values("force_id")
            .annotate(first=Min("published_on"))
            .values_list("force_id", "first")
        )
        if len(first) < len(force_ids):
            raise DateError(
                f"not every force is reviewed yet: {len(first)} of {len(force_ids)} forces "
                f"of {unit.name} have a published peer review"
            )
        where = "" if unit.kind == OrgUnitKind.NATIONAL else f" of {unit.name}"
        return DatedFact(
            on=max(first.values()),
            precision="day",
            label=f"Every force{where} peer reviewed",
            records=len(first),
            link=reverse("peer-reviews"),
        )


PEER_REVIEWS_ALL_FORCES = PeerReviewsAllForces()
