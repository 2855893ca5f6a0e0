"""Operational intensifications (e.g. Project AIDANT): the operation record.

An operation's *return* is not stored here: it is a catalogue dataset generated from the
record (:mod:`msoic.operations.catalogue`) and collected by the one collection pipeline,
so its figures are ordinary submissions and values (docs/operations.md).
"""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from msoic.metrics.periods import Period, format_month

SERIES_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,31}$")
DATASET_PREFIX = "op-"


class Operation(models.Model):
    series = models.CharField(max_length=32, help_text="e.g. AIDANT")
    number = models.PositiveIntegerField(help_text="e.g. 33")
    theme = models.CharField(max_length=200)
    exploitation_type = models.CharField(
        max_length=32, blank=True, help_text="a catalogue exploitation_type option, if one fits"
    )
    sector = models.CharField(max_length=100, blank=True, help_text="e.g. construction, care")
    start_date = models.DateField()
    end_date = models.DateField()
    lead_agency = models.CharField(max_length=200)
    partner_agencies = models.JSONField(default=list, blank=True)
    forces = models.ManyToManyField(
        "orgunits.OrgUnit", related_name="operations", help_text="participating forces"
    )
    activity_metrics = models.JSONField(
        default=list, blank=True, help_text="codes of the activity metrics this operation collects"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="one_operation_per_number")
        ]
        indexes = [models.Index(fields=["start_date"], name="operation_start_idx")]
        ordering = ["-start_date", "series", "-number"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.series} {self.number}"

    @property
    def slug(self) -> str:
        return f"{self.series.lower()}-{self.number}"

    @property
    def dataset_code(self) -> str:
        """The catalogue dataset its returns are made against."""
        return f"{DATASET_PREFIX}{self.slug}"

    @property
    def month(self) -> date:
        """The period its returns are for: the month the operation starts."""
        return self.start_date.replace(day=1)

    @property
    def period_code(self) -> str:
        return format_month(self.month)

    @property
    def financial_year(self) -> Period:
        return Period.financial_year_of(self.start_date)
