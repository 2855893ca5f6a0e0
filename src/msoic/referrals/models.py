"""Referrals of suspected organ harvesting from the Human Tissue Authority to the police, the
local authority districts that route them, and the single points of contact (SPOCs) that
forces name for each theme.

A referral names no donor or recipient: it carries the referrer's pseudonymous references
only (:data:`PSEUDONYM`). Its life: submitted (routed to a force and that force's
organ-harvesting SPOC) → acknowledged → assigned → closed with an outcome. One not
acknowledged within :data:`ACKNOWLEDGE_WITHIN` of its submission is escalated to the unit
(:func:`msoic.referrals.actions.do_escalate_overdue_referrals`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# The Human Tissue Authority's org unit (a partner, made by migration 0002); its users submit.
HTA_CODE = "hta"
HTA_NAME = "Human Tissue Authority"
ACKNOWLEDGE_WITHIN = timedelta(hours=48)
# A pseudonymous reference: letters, digits and separators, with at least one digit, so a
# name ("John Smith") is refused and a reference ("D-2024-118") accepted.
PSEUDONYM = re.compile(r"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9/_.-]{2,39}$")


class LocalAuthority(models.Model):
    """A local authority district (ONS code) and the force whose area holds it (reference data,
    ``data/lad_to_force.csv``)."""

    code = models.CharField(max_length=9, primary_key=True)
    name = models.CharField(max_length=100)
    force = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


class Theme(models.TextChoices):
    INNERSTE = "innerste", "Operation Innerste"
    ORGAN_HARVESTING = "organ_harvesting", "Organ harvesting"
    OIC_HASHTAG = "oic_hashtag", "OIC hashtag"
    PNC_MARKER = "pnc_marker", "PNC marker"
    MS_LEAD = "ms_lead", "Modern slavery lead"
    OIC_LEAD = "oic_lead", "OIC lead"


class SpocQuerySet(models.QuerySet["Spoc"]):
    def current(self, on: date | None = None) -> SpocQuerySet:
        """SPOCs in post on ``on`` (today by default): started, and not yet ended."""
        on = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on)


class Spoc(models.Model):
    """A force's single point of contact for a theme, from a start date to an end date (open
    while in post). A force may have more than one at a time (a deputy)."""

    force = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    theme = models.CharField(max_length=24, choices=Theme.choices)
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=120, blank=True)
    email = models.EmailField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = SpocQuerySet.as_manager()

    class Meta:
        ordering = ["force__name", "theme", "starts_on", "pk"]
        indexes = [models.Index(fields=["theme", "force"], name="referrals_spoc_theme_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="referrals_spoc_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_theme_display()} SPOC for {self.force_id}"

    def is_current(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Awaiting acknowledgement"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ASSIGNED = "assigned", "Assigned to an investigator"
    CLOSED = "closed", "Outcome recorded"


class Outcome(models.TextChoices):
    CRIME_RECORDED = "crime_recorded", "Crime recorded"
    LINKED = "linked", "Linked to an investigation"
    NO_CRIME = "no_crime", "No crime"


class Routing(models.TextChoices):
    LOOKUP = "lookup", "By the local authority of the place of concern"
    MANUAL = "manual", "Chosen by the referrer (place of concern not known)"
    UNIT = "unit", "Re-routed by the national unit"


def overdue_filter(now: datetime) -> Q:
    """Referrals awaiting acknowledgement 48 hours after they reached their force."""
    cut = now - ACKNOWLEDGE_WITHIN
    return Q(status=Status.SUBMITTED) & (
        Q(rerouted_at__isnull=True, submitted_at__lte=cut) | Q(rerouted_at__lte=cut)
    )


class Referral(models.Model):
    """One referral of suspected organ harvesting (the proforma), and what the force did."""

    reference = models.CharField(max_length=20, unique=True)
    referrer = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    # The proforma
    clinician = models.CharField(max_length=120)
    hospital = models.CharField(max_length=200)
    concern_on = models.DateField()
    indicators = models.JSONField(default=list)
    narrative = models.TextField()
    donor_ref = models.CharField(max_length=40, blank=True)
    recipient_ref = models.CharField(max_length=40, blank=True)
    local_authority = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Where it went
    force = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    routing = models.CharField(max_length=8, choices=Routing.choices)
    spoc = models.ForeignKey(
        Spoc, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the force did
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    outcome_reference = models.CharField(max_length=60, blank=True)
    outcome_note = models.TextField(blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    # When the unit last re-routed it to another force (the 48 hours run from then).
    rerouted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["force", "status"], name="referrals_force_status_idx"),
            models.Index(fields=["status", "submitted_at"], name="referrals_due_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def acknowledge_by(self) -> datetime:
        """When the force must have acknowledged it: 48 hours after it reached the force."""
        return (self.rerouted_at or self.submitted_at) + ACKNOWLEDGE_WITHIN

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Not acknowledged, and the 48 hours are over."""
        now = now or timezone.now()
        return self.status == Status.SUBMITTED and now >= self.acknowledge_by

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def indicator_labels(self) -> list[str]:
        from msoic.referrals.pathway import indicator_label

        return [indicator_label(code) for code in self.indicators]

    @property
    def people(self) -> list[str]:
        """The pseudonymous references of the people the referral is about (for audit rows)."""
        return [f"{self.reference}:{r}" for r in (self.donor_ref, self.recipient_ref) if r]
