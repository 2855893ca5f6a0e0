"""Anti-slavery partnerships: which forces and partner organisations belong, how often they
meet, who coordinates, and their meetings with attendance counted by force.

A partnership is of a force (its local partnership) or of a region (e.g. the Eastern Region
Anti-Slavery Partnership, ERSAP). A force is *covered* on a day when it is a member of at
least one partnership that has started by then and not ended. ``Partnership.forces`` are
the members today; :class:`Membership` keeps when each joined and left, which is what
coverage counts, so a force leaving does not change the months it was a member."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
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


class Membership(models.Model):
    """A force's membership of a partnership, from the day it joined to the last day it was
    a member (open while it still is). One open membership a force and partnership."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="memberships"
    )
    force = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "force"],
                condition=Q(left_on__isnull=True),
                name="partnerships_one_open_membership",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="partnerships_membership_left_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"force {self.force_id} in partnership {self.partnership_id} from {self.joined_on}"


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
