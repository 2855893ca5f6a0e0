"""Anti-slavery partnerships: which forces and partner organisations belong, how often they
meet, who coordinates, and their meetings with attendance counted by force.

A partnership is of a force (its local partnership) or of a region (e.g. the Eastern Region
Anti-Slavery Partnership, ERSAP). A force is *covered* on a day when it is a member of at
least one partnership that has started by then and not ended."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone


class Cadence(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    BIMONTHLY = "bimonthly", "Every two months"
    QUARTERLY = "quarterly", "Quarterly"
    TWICE_YEARLY = "twice_yearly", "Twice a year"
    ANNUAL = "annual", "Once a year"


class Partnership(models.Model):
    name = models.CharField(max_length=200, unique=True)
    area = models.ForeignKey(
        "orgunits.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the force or region the partnership serves",
    )
    cadence = models.CharField(max_length=16, choices=Cadence.choices)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    forces = models.ManyToManyField("orgunits.OrgUnit", related_name="+", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def active_on(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)


class PartnerOrganisation(models.Model):
    """A member that is not a force (a council, a charity, an agency), kept as its name."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="organisations"
    )
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"], name="partnerships_one_organisation_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    venue = models.CharField(max_length=200, blank=True)
    partner_attendees = models.PositiveIntegerField(
        default=0, help_text="people from partner organisations"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return f"{self.partnership.name}, {self.date:%d %b %Y}"


class MeetingAttendance(models.Model):
    """How many people a member force sent to a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    force = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    people = models.PositiveIntegerField()

    class Meta:
        ordering = ["force__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "force"], name="partnerships_one_count")
        ]

    def __str__(self) -> str:
        return f"{self.people} from force {self.force_id} at meeting {self.meeting_id}"
