"""The investigation register: modern slavery investigations a force keeps by direct data
entry (DDE), the people on them (Data Protection Act 2018 s.38 categories, pseudonymous
references only), NRM and Duty to Notify decisions, and the PNC vulnerability marker.

Which forces' figures come from the register rather than their monthly return is
:class:`DdeAdoption`: per force and metric, from a given month. The metric engine derives
those figures from here; nothing else re-counts them.

Codes shared with the catalogue (``exploitation_type``, ``age_group``) are stored as the
catalogue's option codes, so register and returns break down the same way.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone

# The monthly-return metrics a force may derive from its register instead.
DDE_METRICS = ("ms_live_investigations", "ms_nrm_referrals", "ms_dtn_reports")


class Status(models.TextChoices):
    LIVE = "live", "Live"
    CLOSED = "closed", "Closed"


class Outcome(models.TextChoices):
    CHARGED = "charged", "Charged"
    NFA = "nfa", "No further action"
    TRANSFERRED = "transferred", "Transferred to another force or agency"
    OTHER = "other", "Other"


class Category(models.TextChoices):
    """Data Protection Act 2018 s.38: categories of data subject."""

    VICTIM = "victim", "Potential victim"
    SUSPECT = "suspect", "Suspect"
    WITNESS = "witness", "Witness"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


class Decision(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"


class DdeAdoption(models.Model):
    """Force ``force`` derives ``metric`` from its register from ``from_month`` on."""

    force = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    metric = models.CharField(max_length=64)
    from_month = models.DateField(help_text="first day of the first month derived")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["force", "metric"], name="dde_one_per_force_metric")
        ]

    def __str__(self) -> str:
        return f"{self.force_id} {self.metric} from {self.from_month:%Y-%m}"


class Investigation(models.Model):
    """One modern slavery investigation owned by one force."""

    force = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="investigations"
    )
    crime_reference = models.CharField(max_length=64)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.LIVE)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True, default="")
    primary_exploitation = models.CharField(max_length=32, blank=True, default="")
    # Every exploitation type (catalogue codes), the primary one included.
    exploitation_types = models.JSONField(default=list, blank=True)
    ocg_linked = models.BooleanField(default=False)
    oic_related = models.BooleanField(default=False)
    officer_in_charge = models.CharField(max_length=128, blank=True, default="")
    last_reviewed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["force", "crime_reference"], name="investigation_ref_unique_in_force"
            )
        ]
        indexes = [
            # "live at the end of month M" = opened_on <= M_end and (closed_on null or > M_end),
            # counted as two range scans (msoic.cases.register.dde): the cases still open
            # (closed_on null) and those closed after M_end; closed_on leads so neither
            # scan reads the closed history. Covers the count by primary type.
            models.Index(
                fields=["force", "closed_on", "opened_on", "primary_exploitation"],
                name="inv_live_idx",
            ),
            models.Index(fields=["force", "status", "crime_reference"], name="inv_list_idx"),
        ]
        ordering = ["force_id", "crime_reference"]

    def __str__(self) -> str:
        return self.crime_reference

    def is_live_on(self, day: date) -> bool:
        return self.opened_on <= day and (self.closed_on is None or self.closed_on > day)


class NrmStatus(models.TextChoices):
    """Where a person stands in the National Referral Mechanism, from the decisions recorded:
    a positive conclusive grounds decision confirms them a victim; otherwise a negative
    reasonable or conclusive grounds decision says they are not one; otherwise they are a
    potential victim."""

    CONFIRMED = "confirmed", "Confirmed victim (positive conclusive grounds decision)"
    NOT_A_VICTIM = "not_a_victim", "Not a victim (a negative decision)"
    POTENTIAL = "potential", "Potential victim"


class PersonQuerySet(models.QuerySet["Person"]):
    def marker_eligible(self) -> PersonQuerySet:
        """Potential victims with a positive conclusive grounds decision: who should carry
        the PNC vulnerability marker (see :attr:`Person.is_marker_eligible`)."""
        return self.filter(category=Category.VICTIM, cg_decision=Decision.POSITIVE)


class Person(models.Model):
    """A person on an investigation. Lists show ``reference`` (pseudonymous) only."""

    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="people"
    )
    # Denormalised from the investigation: every scoped query filters on it.
    force = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=32, unique=True)
    category = models.CharField(max_length=8, choices=Category.choices)
    age_group = models.CharField(max_length=16, default="unknown")
    gender = models.CharField(max_length=8, choices=Gender.choices, default=Gender.UNKNOWN)
    nationality = models.CharField(
        max_length=2, blank=True, default="", help_text="ISO 3166-1 alpha-2"
    )
    is_assessment = models.BooleanField(
        default=False, help_text="an officer's assessment rather than a verified fact"
    )
    # Potential victims
    nrm_referred_on = models.DateField(null=True, blank=True)
    nrm_referred_by_police = models.BooleanField(default=False)
    rg_decision = models.CharField(max_length=8, choices=Decision.choices, blank=True, default="")
    rg_decided_on = models.DateField(null=True, blank=True)
    cg_decision = models.CharField(max_length=8, choices=Decision.choices, blank=True, default="")
    cg_decided_on = models.DateField(null=True, blank=True)
    dtn_reported_on = models.DateField(null=True, blank=True)
    # Suspects
    arrested_on = models.DateField(null=True, blank=True)
    charged_on = models.DateField(null=True, blank=True)
    # Recorded by forces that have it; the CPS linkage compares it with the defendant's.
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # PNC vulnerability marker (positive conclusive grounds)
    marker_requested_on = models.DateField(null=True, blank=True)
    marker_applied_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PersonQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["force", "nrm_referred_on"], name="person_nrm_idx"),
            models.Index(fields=["force", "dtn_reported_on"], name="person_dtn_idx"),
            models.Index(fields=["force", "cg_decision"], name="person_cg_idx"),
            # The NRM picture counts decisions made in a period, by outcome and delay since
            # referral, from these indexes alone.
            models.Index(
                fields=["force", "rg_decided_on", "rg_decision", "nrm_referred_on"],
                name="person_rg_on_idx",
            ),
            models.Index(
                fields=["force", "cg_decided_on", "cg_decision", "nrm_referred_on"],
                name="person_cg_on_idx",
            ),
            # ... and who was referred, by age, gender and nationality.
            models.Index(
                fields=[
                    "force",
                    "nrm_referred_on",
                    "age_group",
                    "gender",
                    "nationality",
                    "investigation",
                ],
                name="person_referred_idx",
            ),
            # PNC marker coverage by force, answered from the index alone.
            models.Index(
                fields=[
                    "force",
                    "cg_decision",
                    "category",
                    "marker_requested_on",
                    "marker_applied_on",
                ],
                name="person_marker_idx",
            ),
        ]
        ordering = ["reference"]

    def __str__(self) -> str:
        return self.reference

    @property
    def nrm_status(self) -> NrmStatus:
        if self.cg_decision == Decision.POSITIVE:
            return NrmStatus.CONFIRMED
        if Decision.NEGATIVE in (self.cg_decision, self.rg_decision):
            return NrmStatus.NOT_A_VICTIM
        return NrmStatus.POTENTIAL

    @property
    def is_marker_eligible(self) -> bool:
        """A potential victim with a positive conclusive grounds decision (the PNC marker);
        the same rule as :meth:`PersonQuerySet.marker_eligible`."""
        return self.category == Category.VICTIM and self.nrm_status == NrmStatus.CONFIRMED


class Review(models.Model):
    """A force confirmed an investigation is still live (a review, e.g. in a data cleanse),
    with its note. The investigation's ``last_reviewed_on`` is the newest one's date."""

    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="reviews"
    )
    reviewed_on = models.DateField()
    note = models.TextField()
    reviewed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.investigation_id} reviewed {self.reviewed_on}"


class Resolution(models.TextChoices):
    """What a force did with a case on its data cleanse worklist."""

    CONFIRMED = "confirmed", "Confirmed still live"
    UPDATED = "updated", "Updated"
    CLOSED = "closed", "Closed"


class Cleanse(models.Model):
    """A data cleanse the unit opened: which investigations it asks forces to look at
    (``criteria``, see :mod:`msoic.cases.cleanse.actions`), by when, and the live investigations
    per force when it opened (``baseline``: force code -> count), for the before-and-after."""

    title = models.CharField(max_length=200)
    criteria = models.JSONField(default=dict)
    opened_on = models.DateField()
    deadline = models.DateField()
    opened_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    baseline = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: date) -> bool:
        return today > self.deadline


class CleanseItem(models.Model):
    """One investigation on a force's cleanse worklist (a snapshot taken at opening), and
    what the force did with it."""

    cleanse = models.ForeignKey(Cleanse, on_delete=models.CASCADE, related_name="items")
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="cleanse_items"
    )
    force = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    reasons = models.JSONField(default=list)
    resolution = models.CharField(max_length=12, choices=Resolution.choices, blank=True, default="")
    resolved_on = models.DateField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cleanse", "investigation"], name="cleanse_item_once")
        ]
        indexes = [models.Index(fields=["cleanse", "force", "resolution"], name="cleanse_prog_idx")]
        ordering = ["cleanse_id", "force_id", "investigation_id"]

    def __str__(self) -> str:
        return f"{self.cleanse_id}:{self.investigation_id}"

    @property
    def is_done(self) -> bool:
        return bool(self.resolution)
