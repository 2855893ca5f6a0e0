"""Training courses and events, their sessions, and who attended each session.

An attendee is kept only as a pseudonymous key (:mod:`msoic.capability.keys`: a keyed
HMAC of the normalised work email), so the same person is recognised across sessions and
"people trained" counts distinct people, while the email itself is never stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from msoic.metrics.periods import Period


class EventKind(models.TextChoices):
    COURSE = "course", "Training course"
    WORKSHOP = "workshop", "Workshop"
    WEBINAR = "webinar", "Webinar"
    CONFERENCE = "conference", "Conference"
    PARTNERSHIP_MEETING = "partnership_meeting", "Partnership meeting"


class Mode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"


class DeliveredBy(models.TextChoices):
    UNIT = "unit", "The unit"
    COORDINATOR = "coordinator", "Regional coordinator"


class AttendeeRole(models.TextChoices):
    OFFICER = "officer", "Officer"
    STAFF = "staff", "Staff"
    PARTNER = "partner", "Partner"


class Event(models.Model):
    """A course or event, owned by the unit (national) or a region."""

    kind = models.CharField(max_length=24, choices=EventKind.choices)
    title = models.CharField(max_length=200)
    owner = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField()
    mode = models.CharField(max_length=16, choices=Mode.choices)
    venue = models.CharField(max_length=200, blank=True)
    delivered_by = models.CharField(max_length=16, choices=DeliveredBy.choices)
    audience = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["date"], name="capability_session_date_idx")]

    def __str__(self) -> str:
        return f"{self.event.title}, {self.date:%d %b %Y}"

    @property
    def financial_year(self) -> Period:
        return Period.financial_year_of(self.date)

    @property
    def place(self) -> str:
        """Where it was held, as a page shows it."""
        if self.mode == Mode.ONLINE:
            return "Online"
        return self.venue or "In person"


class Attendance(models.Model):
    """One person at one session: their pseudonymous key, force or partner, and role."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    attendee_key = models.CharField(max_length=64)
    orgunit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=AttendeeRole.choices)
    # The session's date, kept here too (set on import; sessions do not move) so that the
    # first attendance of each person in a year is read from one index, in key and date
    # order, without joining the sessions or sorting (msoic.capability.source).
    on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "attendee_key"], name="capability_one_attendance_per_person"
            )
        ]
        indexes = [
            models.Index(fields=["orgunit", "session"], name="capability_att_ou_idx"),
            models.Index(
                fields=["attendee_key", "on", "session", "orgunit"],
                name="capability_att_first_idx",
            ),
        ]

    def __str__(self) -> str:  # never the key: pages and logs name no attendee
        return f"an attendance at session {self.session_id}"
