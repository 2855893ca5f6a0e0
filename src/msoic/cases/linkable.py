"""The register's suspects and investigations offered to record linkage (the CPS linkage
in msoic.cps) through the core's registry, :mod:`msoic.metrics.linkable`: that app never
imports this one. Read in batches by primary key, so a national register streams."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date

from django.db.models import Min, Q
from django.urls import reverse

from msoic.cases.models import Category, Investigation, Person
from msoic.metrics.linkable import LinkableInvestigation, LinkableSuspect

BATCH = 5000


class RegisterRecords:
    label = "investigation register"

    def suspects(
        self, force_ids: Collection[int] | None = None, ids: Collection[int] | None = None
    ) -> Iterator[LinkableSuspect]:
        rows = Person.objects.filter(category=Category.SUSPECT)
        if force_ids is not None:
            rows = rows.filter(force_id__in=list(force_ids))
        if ids is not None:
            rows = rows.filter(pk__in=list(ids))
        fields = (
            "pk",
            "reference",
            "investigation_id",
            "force_id",
            "force__code",
            "investigation__crime_reference",
            "investigation__opened_on",
            "investigation__exploitation_types",
            "gender",
            "birth_year",
            "arrested_on",
            "charged_on",
        )
        last = 0
        while True:
            batch = list(rows.filter(pk__gt=last).order_by("pk").values_list(*fields)[:BATCH])
            for row in batch:
                yield LinkableSuspect(
                    id=row[0],
                    reference=row[1],
                    investigation_id=row[2],
                    force_id=row[3],
                    force_code=row[4],
                    crime_reference=row[5],
                    opened_on=row[6],
                    exploitation_types=tuple(row[7] or ()),
                    gender=row[8],
                    birth_year=row[9],
                    arrested_on=row[10],
                    charged_on=row[11],
                )
            if len(batch) < BATCH:
                return
            last = batch[-1][0]

    def investigations(
        self,
        force_ids: Collection[int],
        opened_from: date | None = None,
        opened_to: date | None = None,
    ) -> Iterator[LinkableInvestigation]:
        rows = Investigation.objects.filter(force_id__in=list(force_ids))
        if opened_from:
            rows = rows.filter(opened_on__gte=opened_from)
        if opened_to:
            rows = rows.filter(opened_on__lte=opened_to)
        charged = Min("people__charged_on", filter=Q(people__category=Category.SUSPECT))
        for pk, force_id, ref, opened, primary, types, first in (
            rows.order_by()
            .annotate(first_charged=charged)
            .values_list(
                "pk",
                "force_id",
                "crime_reference",
                "opened_on",
                "primary_exploitation",
                "exploitation_types",
                "first_charged",
            )
            .iterator(chunk_size=BATCH)
        ):
            yield LinkableInvestigation(
                id=pk,
                force_id=force_id,
                crime_reference=ref,
                opened_on=opened,
                primary_exploitation=primary or (types[0] if types else "other"),
                first_charged_on=first,
            )

    def url(self, investigation_id: int) -> str:
        return reverse("cases-investigation", args=[investigation_id])


REGISTER_RECORDS = RegisterRecords()
