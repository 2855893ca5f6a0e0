"""Intelligence logs sent by forces, and the unit's review of each.

A force sends extracts from its intelligence system: logs carrying the national OIC hashtag
and modern slavery logs it refers to the unit. A log is the force's log reference (unique
within the force), its created date, hashtags, the 3x5x2 grading, its themes and a
sanitised summary. Logs are personal data under the Data Protection Act 2018, Part 3:
every page showing one writes a consultation row (msoic.intel.consultation).

Re-sending a log updates it in place and keeps what it replaced as an
:class:`IntelLogVersion`: the log holds the current version (``version``), the versions
table every superseded one. A first import therefore writes the logs alone.

The unit's review (:class:`IntelReview`) records an outcome with its reason, reviewer and
date. The first review takes the log off the queue: ``reviewed_on`` and ``review_days``
(from receipt) are kept on the log, so the queue, the backlog and the engine's figures are
read from the log's own indexes.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

# The national hashtag forces put on organised immigration crime logs (launched August 2023).
OIC_HASHTAG = "#NATOIC"
REVIEW_TARGET_DAYS = 28


class SourceEvaluation(models.TextChoices):
    """3x5x2: how reliable the source is."""

    RELIABLE = "1", "1 – Reliable"
    UNTESTED = "2", "2 – Untested"
    NOT_RELIABLE = "3", "3 – Not reliable"


class Assessment(models.TextChoices):
    """3x5x2: how the intelligence itself is assessed."""

    A = "A", "A – Known directly to the source"
    B = "B", "B – Known indirectly, but corroborated"
    C = "C", "C – Known indirectly"
    D = "D", "D – Not known"
    E = "E", "E – Suspected to be false"


class HandlingCode(models.TextChoices):
    """3x5x2: P may be shared under the usual rules; C only under the conditions given."""

    P = "P", "P – Lawful sharing permitted"
    C = "C", "C – Lawful sharing permitted subject to conditions"


class Route(models.TextChoices):
    """The OIC route a log concerns."""

    SMALL_BOAT = "small_boat", "Small boat"
    HGV = "hgv", "HGV or lorry"
    AIR = "air", "Air"
    MARITIME = "maritime", "Maritime"
    INLAND = "inland", "Inland"


class Outcome(models.TextChoices):
    DISSEMINATED_NCA = "disseminated_nca", "Disseminated to the NCA"
    DISSEMINATED_ROCU = "disseminated_rocu", "Disseminated to a ROCU"
    DISSEMINATED_FORCE = "disseminated_force", "Disseminated to a force"
    LINKED_OPERATION = "linked_operation", "Linked to an operation"
    LINKED_INVESTIGATION = "linked_investigation", "Linked to an investigation"
    REGRADED = "regraded", "Re-graded"
    NFA = "nfa", "No further action"


DISSEMINATIONS = frozenset(
    {Outcome.DISSEMINATED_NCA, Outcome.DISSEMINATED_ROCU, Outcome.DISSEMINATED_FORCE}
)
LINKS = frozenset({Outcome.LINKED_OPERATION, Outcome.LINKED_INVESTIGATION})


class IntelSender(models.Model):
    """Force ``force`` sends extracts: from ``from_month`` on, its count of OIC-tagged logs
    is derived from the logs (it no longer returns ``oic_intel_logs_tagged``)."""

    force = models.OneToOneField("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    from_month = models.DateField(help_text="first day of the first month derived")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.force_id} sends extracts from {self.from_month:%Y-%m}"


class IntelLog(models.Model):
    """One log as the force last sent it."""

    force = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=64)
    created_on = models.DateField()
    hashtags = models.JSONField(default=list)
    oic_tagged = models.BooleanField(default=False)
    ms_referred = models.BooleanField(default=False)
    source_evaluation = models.CharField(max_length=1, choices=SourceEvaluation.choices)
    assessment = models.CharField(max_length=1, choices=Assessment.choices)
    handling_code = models.CharField(max_length=1, choices=HandlingCode.choices)
    handling_conditions = models.CharField(max_length=500, blank=True, default="")
    route = models.CharField(max_length=16, choices=Route.choices, blank=True, default="")
    exploitation_types = models.JSONField(default=list)
    summary = models.TextField()
    investigation_ref = models.CharField(max_length=64, blank=True, default="")
    operation = models.CharField(max_length=100, blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the fields as sent")
    received_on = models.DateField(help_text="when the unit first received the log")
    updated_at = models.DateTimeField(default=timezone.now)
    reviewed_on = models.DateField(null=True, blank=True, help_text="the first review's date")
    review_days = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["force", "reference"], name="intel_ref_unique_in_force"
            ),
            # A log is reviewed on or after the day it was received (do_review_log refuses an
            # earlier date): the tallies' backlog (received less reviewed) relies on it.
            models.CheckConstraint(
                condition=Q(reviewed_on__isnull=True) | Q(reviewed_on__gte=F("received_on")),
                name="intel_reviewed_after_received",
            ),
        ]
        indexes = [
            # The review queue: unreviewed logs, oldest first (partial: only the backlog).
            models.Index(
                fields=["received_on", "id"],
                name="intel_queue_idx",
                condition=Q(reviewed_on__isnull=True),
            ),
            # Recounting the tallies (msoic.intel.tally) of a force's days from its logs, one
            # index each by the day of creation, of review and of receipt (covering).
            models.Index(fields=["force", "oic_tagged", "created_on"], name="intel_tagged_idx"),
            # (partial: unreviewed logs are the queue's, and a new log costs one index less)
            models.Index(
                fields=["force", "reviewed_on", "review_days"],
                name="intel_reviewed_idx",
                condition=Q(reviewed_on__isnull=False),
            ),
            models.Index(
                fields=[
                    "force",
                    "received_on",
                    "reviewed_on",
                    "source_evaluation",
                    "assessment",
                    "handling_code",
                    "route",
                    "ms_referred",
                ],
                name="intel_received_idx",
            ),
            # The backlog as at a day: logs received in the 28 days before it, and whether
            # they had been reviewed by then.
            models.Index(fields=["received_on", "reviewed_on"], name="intel_waiting_idx"),
        ]
        ordering = ["received_on", "pk"]

    def __str__(self) -> str:
        return self.reference

    @property
    def grading(self) -> str:
        return f"{self.source_evaluation}{self.assessment}{self.handling_code}"

    @property
    def themes(self) -> list[str]:
        """The log's themes in words: its route, then its exploitation types (codes)."""
        out = [Route(self.route).label] if self.route else []
        return out + list(self.exploitation_types)

    def age_days(self, on: date | None = None) -> int:
        """Days since the unit received it (as at ``on``, today by default)."""
        return ((on or timezone.localdate()) - self.received_on).days

    def is_overdue(self, on: date | None = None) -> bool:
        """Unreviewed past the 28-day target."""
        return self.reviewed_on is None and self.age_days(on) > REVIEW_TARGET_DAYS


class IntelLogVersion(models.Model):
    """A superseded version of a log: the fields as the force sent them then."""

    log = models.ForeignKey(IntelLog, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    fields = models.JSONField()
    replaced_at = models.DateTimeField(default=timezone.now)
    replaced_by_import = models.ForeignKey(
        "IntelImport", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["log", "number"], name="intel_one_version_number")
        ]
        ordering = ["log_id", "number"]

    def __str__(self) -> str:
        return f"{self.log_id} v{self.number}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the worker"
    RUNNING = "running", "Being read"
    ACCEPTED = "accepted", "Stored"
    CHECKED = "checked", "Checked (dry run): nothing stored"
    REJECTED = "rejected", "Refused: nothing stored"
    FAILED = "failed", "Failed"


class IntelImport(models.Model):
    """One extract sent by (or for) a force: queued on upload, read by the worker."""

    force = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200)
    data = models.BinaryField(help_text="the file, until it is read")
    sha256 = models.CharField(max_length=64)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    problems = models.JSONField(default=list)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def done(self) -> bool:
        return self.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING)


class IntelReview(models.Model):
    """The unit's review of a log: an outcome, why, by whom and when."""

    log = models.ForeignKey(IntelLog, on_delete=models.PROTECT, related_name="reviews")
    outcome = models.CharField(max_length=24, choices=Outcome.choices)
    reason = models.CharField(max_length=1000)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_on = models.DateField()
    recorded_at = models.DateTimeField(default=timezone.now)
    handling_authority = models.CharField(max_length=200, blank=True, default="")
    recipient = models.CharField(max_length=200, blank=True, default="")
    linked_ref = models.CharField(max_length=100, blank=True, default="")
    grading_before = models.CharField(max_length=3, blank=True, default="")
    grading_after = models.CharField(max_length=3, blank=True, default="")

    class Meta:
        ordering = ["log_id", "reviewed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.log_id}: {self.outcome} on {self.reviewed_on}"


GRADINGS = tuple(f"{s}{a}" for s in SourceEvaluation.values for a in Assessment.values)


class TallyCounts(models.Model):
    """The counters a tally keeps (see :class:`IntelDayTally`)."""

    received = models.PositiveIntegerField(default=0)
    reviewed = models.PositiveIntegerField(default=0)
    in_time = models.PositiveIntegerField(default=0, help_text="reviewed within 28 days")
    tagged = models.PositiveIntegerField(default=0)
    # the mix of the logs received: 3x5 grading, handling code C, route, MS referral
    graded_1a = models.PositiveIntegerField(default=0)
    graded_1b = models.PositiveIntegerField(default=0)
    graded_1c = models.PositiveIntegerField(default=0)
    graded_1d = models.PositiveIntegerField(default=0)
    graded_1e = models.PositiveIntegerField(default=0)
    graded_2a = models.PositiveIntegerField(default=0)
    graded_2b = models.PositiveIntegerField(default=0)
    graded_2c = models.PositiveIntegerField(default=0)
    graded_2d = models.PositiveIntegerField(default=0)
    graded_2e = models.PositiveIntegerField(default=0)
    graded_3a = models.PositiveIntegerField(default=0)
    graded_3b = models.PositiveIntegerField(default=0)
    graded_3c = models.PositiveIntegerField(default=0)
    graded_3d = models.PositiveIntegerField(default=0)
    graded_3e = models.PositiveIntegerField(default=0)
    handling_c = models.PositiveIntegerField(default=0)
    route_small_boat = models.PositiveIntegerField(default=0)
    route_hgv = models.PositiveIntegerField(default=0)
    route_air = models.PositiveIntegerField(default=0)
    route_maritime = models.PositiveIntegerField(default=0)
    route_inland = models.PositiveIntegerField(default=0)
    ms_referred = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class IntelDayTally(TallyCounts):
    """What a force's logs count on one day, kept by :mod:`msoic.intel.tally` whenever logs
    change (never typed in): recounted from the logs themselves, so a row is always what the
    logs say. The backlog as at a day is read from these rows (one per force and day), the
    engine's figures and the dashboard's mix from their sums by month
    (:class:`IntelMonthTally`), instead of from the logs (millions).

    Each counter counts logs by its own day: ``received``, ``pending``, ``last_reviewed`` and
    the grading and theme mix by the day the unit received them; ``reviewed`` and
    ``in_time`` by the day of their first review; ``tagged`` (OIC hashtag) by the day the
    force created them.
    """

    force = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    month = models.DateField(help_text="the first day of the day's month")
    pending = models.PositiveIntegerField(default=0, help_text="received that day, not reviewed")
    last_reviewed = models.DateField(
        null=True, blank=True, help_text="the latest first review of the logs received that day"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["force", "day"], name="intel_one_tally_a_day")
        ]
        indexes = [
            # the backlog as at a day reads these columns only
            models.Index(
                fields=["force", "day", "received", "reviewed", "pending", "last_reviewed"],
                name="intel_tally_backlog_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.force_id} {self.day}"


class IntelMonthTally(TallyCounts):
    """A force's day tallies summed over a month (kept with them by
    :func:`msoic.intel.tally.refresh_tallies`)."""

    force = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="the month's first day")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["force", "month"], name="intel_one_tally_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.force_id} {self.month:%Y-%m}"
