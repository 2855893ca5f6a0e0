"""Commissioning: funding envelopes, bid windows, bids from forces and ROCUs, the unit's
decisions (the award is the decided bid's ``amount_awarded_pence``), spend returns against
awards, and next year's funding allocations by programme.

Money is whole pence in integers (``*_pence``, ADR 0007), as everywhere else: typed and
written as £ only at the boundary, through :mod:`msoic.metrics.money`. The envelope's
position (committed, spent, remaining) is computed from the bids and spend returns, never
stored, so it cannot drift from the records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone

from msoic.metrics.money import format_pounds

ZERO = 0  # pence


class Programme(models.TextChoices):
    MS = "ms", "Modern slavery"
    OIC = "oic", "Organised immigration crime"


class ActivityType(models.TextChoices):
    LAND = "land", "Land"
    AIR = "air", "Air"
    SEA = "sea", "Sea"
    OTHER = "other", "Other"


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", "Awaiting decision"
    APPROVED = "approved", "Approved"
    PART_FUNDED = "part_funded", "Part-funded"
    DECLINED = "declined", "Declined"


AWARDED = (BidStatus.APPROVED, BidStatus.PART_FUNDED)


@dataclass(frozen=True)
class Position:
    """An envelope's money, in pence."""

    amount: int
    committed: int
    spent: int

    @property
    def uncommitted(self) -> int:
        return self.amount - self.committed

    @property
    def unspent(self) -> int:
        return self.committed - self.spent


class FundingEnvelope(models.Model):
    """Money from one source for one financial year, for a purpose (e.g. Project Terminus)."""

    name = models.CharField(max_length=200)
    source = models.CharField(max_length=200, help_text="e.g. Home Office in-year funding")
    amount_pence = models.BigIntegerField()
    financial_year = models.CharField(max_length=9, help_text="e.g. FY2023-24")
    programme = models.CharField(max_length=8, choices=Programme.choices)
    purpose = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-financial_year", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="envelope_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.financial_year})"

    def committed(self) -> int:
        """The sum of awards against this envelope in pence (read inside the award's
        transaction)."""
        total = Bid.objects.filter(window__envelope=self, status__in=AWARDED).aggregate(
            s=Sum("amount_awarded_pence")
        )["s"]
        return total or ZERO

    def position(self) -> Position:
        spent = SpendReturn.objects.filter(bid__window__envelope=self).aggregate(
            s=Sum("amount_pence")
        )["s"]
        return Position(self.amount_pence, self.committed(), spent or ZERO)


class BidWindow(models.Model):
    """A period in which forces and ROCUs may bid against an envelope."""

    envelope = models.ForeignKey(FundingEnvelope, on_delete=models.PROTECT, related_name="windows")
    title = models.CharField(max_length=200)
    opens = models.DateField()
    closes = models.DateField()

    class Meta:
        ordering = ["opens", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gte=models.F("opens")), name="window_order")
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, on: date) -> bool:
        return self.opens <= on <= self.closes


class Bid(models.Model):
    """A force's or ROCU's bid for money from an envelope, and the unit's decision on it."""

    window = models.ForeignKey(BidWindow, on_delete=models.PROTECT, related_name="bids")
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="funding_bids"
    )
    region = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", help_text="for the tables"
    )
    title = models.CharField(max_length=200)
    purpose = models.TextField()
    activity_type = models.CharField(max_length=8, choices=ActivityType.choices)
    amount_requested_pence = models.BigIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=BidStatus.choices, default=BidStatus.SUBMITTED, db_index=True
    )
    amount_awarded_pence = models.BigIntegerField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["window", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested_pence__gt=0), name="bid_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="bid_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.orgunit.name}: {self.title}"

    @property
    def is_decided(self) -> bool:
        return self.status != BidStatus.SUBMITTED

    @property
    def is_awarded(self) -> bool:
        return self.status in AWARDED

    def spent(self) -> int:
        """Pence spent against the award."""
        total = self.spend_returns.aggregate(s=Sum("amount_pence"))["s"]
        return total or ZERO


class SpendReturn(models.Model):
    """Money spent against an award, as the bidder reports it."""

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="spend_returns")
    amount_pence = models.BigIntegerField()
    spent_on = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["spent_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="spend_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{format_pounds(self.amount_pence)} on {self.spent_on:%Y-%m-%d}"


class FundingAllocation(models.Model):
    """Money allocated to the unit for a programme for a (coming) financial year."""

    financial_year = models.CharField(max_length=9)
    programme = models.CharField(max_length=8, choices=Programme.choices)
    amount_pence = models.BigIntegerField()
    source = models.CharField(max_length=200)
    expires_on = models.DateField(help_text="the date by which the money must be spent")
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-financial_year", "programme"]
        constraints = [
            models.UniqueConstraint(
                fields=["financial_year", "programme"], name="one_allocation_per_programme_year"
            ),
            models.CheckConstraint(
                condition=Q(amount_pence__gt=0), name="allocation_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_programme_display()} {self.financial_year}"
