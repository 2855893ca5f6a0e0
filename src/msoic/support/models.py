"""An operation the unit or a regional coordinator supported, the kinds of support given,
and the financial outcomes (orders and forfeitures) it led to. Amounts are whole pence
(integers), read and written by :mod:`msoic.metrics.money`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from msoic.metrics.money import format_pounds
from msoic.metrics.periods import Period


class CrimeType(models.TextChoices):
    MS = "ms", "Modern slavery"
    OIC = "oic", "Organised immigration crime"
    BOTH = "both", "Both"


class SupportType(models.TextChoices):
    ADVICE = "advice", "Advice"
    TACTICAL = "tactical", "Tactical"
    INTELLIGENCE = "intelligence", "Intelligence"
    FINANCIAL = "financial", "Financial investigation"
    VICTIM_CARE = "victim_care", "Victim care"


class Provider(models.TextChoices):
    UNIT = "unit", "The unit"
    REGIONAL = "regional", "Regional coordinator"


class OutcomeKind(models.TextChoices):
    REPARATION = "reparation", "Reparation order"
    CONFISCATION = "confiscation", "Confiscation order"
    CASH_FORFEITURE = "cash_forfeiture", "Cash forfeiture"
    ACCOUNT_FORFEITURE = "account_forfeiture", "Account forfeiture"
    COMPENSATION = "compensation", "Compensation order"


class SupportedOperation(models.Model):
    force = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="supported_operations"
    )
    operation_name = models.CharField(max_length=200)
    crime_type = models.CharField(max_length=8, choices=CrimeType.choices)
    provider = models.CharField(max_length=16, choices=Provider.choices)
    adviser = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who gave the support, e.g. financial investigation adviser",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    # Kept from start_date by the actions: the financial year the support counts in.
    fy_start = models.PositiveSmallIntegerField(db_index=True)
    outcome = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start_date", "operation_name", "pk"]
        indexes = [models.Index(fields=["fy_start", "force"])]

    def __str__(self) -> str:
        return self.operation_name

    @property
    def financial_year(self) -> str:
        return Period.financial_year_starting(self.fy_start).code

    def support_type_labels(self) -> list[str]:
        return [SupportType(s.support_type).label for s in self.support_types.all()]

    def financial_total_pence(self) -> int:
        return sum(o.amount_pence for o in self.financial_outcomes.all())


class OperationSupportType(models.Model):
    """One kind of support given to an operation (an operation may have several)."""

    operation = models.ForeignKey(
        SupportedOperation, on_delete=models.CASCADE, related_name="support_types"
    )
    support_type = models.CharField(max_length=16, choices=SupportType.choices)

    class Meta:
        ordering = ["support_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "support_type"], name="support_type_once_per_operation"
            )
        ]

    def __str__(self) -> str:
        return self.get_support_type_display()


class FinancialOutcome(models.Model):
    operation = models.ForeignKey(
        SupportedOperation, on_delete=models.CASCADE, related_name="financial_outcomes"
    )
    kind = models.CharField(max_length=24, choices=OutcomeKind.choices)
    amount_pence = models.PositiveBigIntegerField(help_text="Exact amount in pence")
    made_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["made_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_pence__gt=0), name="support_outcome_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_pounds(self.amount_pence)}"
