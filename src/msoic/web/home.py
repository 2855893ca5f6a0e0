"""The home page's panels, one set per role: what is waiting for the user, counted from the
records through each app's access helpers (``*_visible_to``, ``can_*``), each count with
the page where the user acts on it.

- a force user: their returns overdue, due and awaiting approval, uploads refused, the
  cleanse and PNC marker worklists, open peer review recommendations and their due dates,
  a benchmarking self-assessment to finish;
- a regional coordinator: the region's returns (overdue, late, awaiting approval), the
  self-assessments waiting for their review and challenge, the region's worklists and
  recommendations;
- the unit (national): returns awaiting approval, forces yet to return the latest month,
  the national worklists and recommendations, and the year at a glance;
- a partner: the pages partners may read;
- an administrator: accounts, second factors, API tokens and failed log-ins.

Nothing here changes anything, opens a personal record or counts by hand what a model
or a query helper already knows (lateness is :meth:`Submission.status_on`, an overdue
recommendation :meth:`Recommendation.is_overdue`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db.models import Count, Max, Min, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from msoic.accounts import access
from msoic.accounts.models import ApiToken, LoginFailure, Role, User
from msoic.assurance import access as assurance_access
from msoic.assurance.models import AssessmentStatus, Campaign
from msoic.cases import access as cases_access
from msoic.catalogue.loader import Catalogue, Dataset, get_catalogue
from msoic.collection.completeness import period_starts, submission_status
from msoic.collection.models import (
    LATE,
    MISSING,
    NOT_DUE,
    SUBMITTED,
    ImportJob,
    Submission,
)
from msoic.collection.queue import awaiting_approval
from msoic.metrics.engine import Ask, query_many
from msoic.metrics.periods import (
    Period,
    add_months,
    format_month,
    format_period,
    last_complete_month,
    month_end,
    period_due_date,
    period_label,
)
from msoic.operations import access as operations_access
from msoic.orgunits.models import OrgUnit, OrgUnitKind
from msoic.peerreview import access as review_access
from msoic.peerreview.models import LIVE_STATUSES, Recommendation, Stage
from msoic.referrals.home import home_lines as referral_lines
from msoic.support import access as support_access
from msoic.terminus import access as terminus_access

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

# Returns looked at on the home page: the last twelve months (or the quarters covering
# them), as on the returns page.
WINDOW_MONTHS = 12
UPLOAD_DAYS = 30  # uploads refused in the last month
SOONEST = 5  # recommendations listed by due date


@dataclass
class Line:
    """One count and the page where the user acts on it."""

    label: str
    count: int
    url: str
    noun: tuple[str, str] = ("", "")  # singular, plural ("return", "returns")
    hint: str = ""
    attention: bool = False  # something overdue or refused

    @property
    def link_text(self) -> str:
        word = self.noun[0] if self.count == 1 else self.noun[1]
        return f"{self.count:,} {word}".strip()


@dataclass
class Item:
    """A named thing in a short list (a recommendation with its due date)."""

    text: str
    url: str
    when: date | None = None
    overdue: bool = False


@dataclass
class Cell:
    """A count in a table, linking where it is acted on (no link: ``url`` empty)."""

    count: int
    url: str = ""
    attention: bool = False
    label: str = ""  # its column, said with the link for screen readers


@dataclass
class Table:
    caption: str
    head: list[str]  # the row heading's column first
    rows: list[tuple[str, list[Cell]]]


@dataclass
class Panel:
    title: str
    lines: list[Line] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    items_caption: str = ""
    intro: str = ""
    links: list[tuple[str, str, str]] = field(default_factory=list)  # url, label, what
    table: Table | None = None


def _url(name: str, *args: Any, **params: str) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(params)}" if params else url


def returns_datasets(catalogue: Catalogue) -> list[Dataset]:
    """The periodic returns forces send (operations' returns are on the operations' pages)."""
    return [d for d in catalogue.datasets.values() if d.returned_by_forces and not d.is_operation]


# --- returns ---------------------------------------------------------------------------


@dataclass
class ReturnsState:
    """The statuses of ``forces``' returns over the window, by dataset."""

    counts: dict[str, Counter[str]]  # dataset -> status -> count
    due: list[tuple[Dataset, date, date]]  # (dataset, period, deadline) not yet due
    oldest_missing: dict[str, date]  # dataset -> oldest period overdue


def returns_state(forces: list[OrgUnit], datasets: list[Dataset], today: date) -> ReturnsState:
    """One query for every dataset's returns of ``forces`` in the window."""
    periods = {d.code: period_starts(d.frequency, None, WINDOW_MONTHS, today) for d in datasets}
    wanted = {p for ps in periods.values() for p in ps}
    subs = {
        (s.dataset, s.orgunit_id, s.period): s
        for s in Submission.objects.filter(
            orgunit__in=[f.pk for f in forces],
            dataset__in=[d.code for d in datasets],
            period__in=wanted,
        ).order_by()
    }
    counts: dict[str, Counter[str]] = {}
    due: set[tuple[str, date]] = set()
    oldest: dict[str, date] = {}
    for ds in datasets:
        tally: Counter[str] = Counter()
        for force in forces:
            if ds.participants and force.code not in ds.participants:
                continue
            for period in periods[ds.code]:
                sub = subs.get((ds.code, force.pk, period))
                status = submission_status(sub, ds.due_day, today, period, ds.frequency)
                tally[status] += 1
                if status == NOT_DUE:
                    due.add((ds.code, period))
                elif status == MISSING and period < oldest.get(ds.code, date.max):
                    oldest[ds.code] = period
        counts[ds.code] = tally
    by_code = {d.code: d for d in datasets}
    return ReturnsState(
        counts=counts,
        due=sorted(
            (
                (by_code[c], p, period_due_date(by_code[c].frequency, p, by_code[c].due_day))
                for c, p in due
            ),
            key=lambda t: (t[2], t[0].label),
        ),
        oldest_missing=oldest,
    )


def _force_returns_panel(user: User, force: OrgUnit, catalogue: Catalogue, today: date) -> Panel:
    datasets = returns_datasets(catalogue)
    state = returns_state([force], datasets, today)
    hub = reverse("returns")
    overdue = sum(c[MISSING] for c in state.counts.values())
    waiting = sum(c[SUBMITTED] + c[LATE] for c in state.counts.values())
    oldest = min(state.oldest_missing.items(), key=lambda kv: kv[1], default=None)
    newest = Submission.objects.filter(
        orgunit=force, dataset__in=[d.code for d in datasets], current_version__isnull=False
    ).aggregate(newest=Max("period"))["newest"]
    panel = Panel(
        "Your returns",
        intro=f"{force.name}'s returns over the last 12 months"
        + (f" (the newest received is for {newest:%B %Y})." if newest else "."),
    )
    panel.lines.append(
        Line(
            "Overdue: the deadline has passed and nothing has been received",
            overdue,
            hub,
            ("return", "returns"),
            hint=(
                f"Oldest: {catalogue.datasets[oldest[0]].label}, "
                f"{period_label(catalogue.datasets[oldest[0]].frequency, oldest[1])}"
                if oldest
                else ""
            ),
            attention=overdue > 0,
        )
    )
    for ds, period, deadline in state.due:
        panel.lines.append(
            Line(
                f"Due by {deadline:%-d %B %Y}: {ds.label}, {period_label(ds.frequency, period)}",
                1,
                _url("returns-enter", ds.code, force.code, format_period(ds.frequency, period)),
                ("return to send", "returns to send"),
            )
        )
    panel.lines.append(
        Line("Received, waiting for the unit's approval", waiting, hub, ("return", "returns"))
    )
    panel.lines.append(_refused_uploads(user))
    return panel


def _refused_uploads(user: User) -> Line:
    """Files refused (or held for comments) in the user's uploads of the last 30 days."""
    since = timezone.now() - timedelta(days=UPLOAD_DAYS)
    refused = 0
    newest: int | None = None
    for pk, summary in (
        ImportJob.objects.filter(created_by=user, created_at__gte=since, dry_run=False)
        .order_by("-created_at")
        .values_list("pk", "summary")
    ):
        n = int((summary or {}).get("rejected", 0)) + int((summary or {}).get("needs-comment", 0))
        if n and newest is None:
            newest = pk
        refused += n
    return Line(
        "Uploads refused or waiting for your comments (last 30 days)",
        refused,
        reverse("returns-job", args=[newest]) if newest else reverse("returns"),
        ("file", "files"),
        hint="The link opens the newest such upload" if newest else "",
        attention=refused > 0,
    )


def _region_returns_panel(forces: list[OrgUnit], catalogue: Catalogue, today: date) -> Panel:
    datasets = returns_datasets(catalogue)
    state = returns_state(forces, datasets, today)
    panel = Panel(
        "Your region's returns",
        intro=f"Returns of the region's {len(forces)} forces over the last 12 months.",
    )
    rows = []
    for ds in datasets:
        counts = state.counts[ds.code]
        grid = _url("completeness", dataset=ds.code)
        rows.append(
            (
                ds.label,
                [
                    Cell(counts[NOT_DUE], grid, label="due, deadline not yet passed"),
                    Cell(counts[MISSING], grid, counts[MISSING] > 0, "overdue"),
                    Cell(counts[LATE], grid, label="received late"),
                    Cell(counts[SUBMITTED] + counts[LATE], grid, label="awaiting approval"),
                ],
            )
        )
    panel.table = Table(
        caption="Returns by status (each count opens the completeness grid)",
        head=[
            "Return",
            "Due, deadline not yet passed",
            "Overdue, nothing received",
            "Received late",
            "Awaiting approval (with those received late)",
        ],
        rows=rows,
    )
    return panel


# --- the unit's returns ----------------------------------------------------------------


def reporting_months(datasets: list[Dataset], forces: int, today: date) -> dict[str, date]:
    """For each dataset, the newest period (over by ``today``) that at least half the
    forces have returned: one early return does not move it (one query)."""
    newest = last_complete_month(today)
    rows = (
        Submission.objects.filter(
            dataset__in=[d.code for d in datasets],
            current_version__isnull=False,
            period__lte=newest,
            period__gte=add_months(newest, -36),
        )
        .values("dataset", "period")
        .annotate(n=Count("pk"))
        .filter(n__gte=max(1, forces // 2))
        .order_by("dataset", "-period")
    )
    out: dict[str, date] = {}
    for row in rows:
        out.setdefault(row["dataset"], row["period"])
    return out


def _unit_returns_panel(
    user: User, catalogue: Catalogue, today: date, months: dict[str, date], forces: list[int]
) -> Panel:
    queue = awaiting_approval(user).aggregate(n=Count("pk"), oldest=Min("period"))
    panel = Panel("Returns")
    panel.lines.append(
        Line(
            "Awaiting your approval",
            queue["n"],
            reverse("returns-approvals"),
            ("return", "returns"),
            hint=f"Oldest: {queue['oldest']:%B %Y}" if queue["oldest"] else "",
        )
    )
    datasets = [d for d in returns_datasets(catalogue) if d.frequency == "monthly"]
    if months:
        received: dict[tuple[str, date], dict[int, Submission]] = {}
        pairs = Q()
        for code, first in months.items():
            pairs |= Q(dataset=code, period=first)
        for sub in Submission.objects.filter(pairs, current_version__isnull=False).order_by():
            received.setdefault((sub.dataset, sub.period), {})[sub.orgunit_id] = sub
        rows = []
        for ds in datasets:
            month = months.get(ds.code)
            if month is None:
                continue
            got = received.get((ds.code, month), {})
            missing = len([f for f in forces if f not in got])
            late = sum(
                1 for s in got.values() if s.status_on(today, ds.due_day, ds.frequency) == LATE
            )
            grid = _url("completeness", dataset=ds.code, end=format_month(month))
            rows.append(
                (
                    f"{ds.label}, {period_label(ds.frequency, month)}",
                    [
                        Cell(missing, grid, missing > 0, "forces yet to return it"),
                        Cell(late, grid, label="returned late, not yet approved"),
                    ],
                )
            )
        panel.table = Table(
            caption="The newest month most forces have returned (each count opens the "
            "completeness grid)",
            head=["Return", "Forces yet to return it", "Returned late, not yet approved"],
            rows=rows,
        )
    return panel


# --- register worklists, recommendations, benchmarking --------------------------------------


def _register_panel(user: User, force: OrgUnit | None) -> Panel | None:
    if not cases_access.can_see_register(user):
        return None
    panel = Panel("Investigation register")
    for row in (
        cases_access.cleanse_items_visible_to(user)
        .filter(resolution="")
        .values("cleanse_id", "cleanse__title", "cleanse__deadline")
        .annotate(n=Count("pk"))
        .order_by("cleanse__deadline", "cleanse_id")
    ):
        url = (
            _url("cleanse-worklist", row["cleanse_id"], force=force.code)
            if force is not None
            else reverse("cleanse-detail", args=[row["cleanse_id"]])
        )
        deadline = row["cleanse__deadline"]
        panel.lines.append(
            Line(
                f"Data cleanse “{row['cleanse__title']}”: cases still to review",
                row["n"],
                url,
                ("case", "cases"),
                hint=f"Deadline {deadline:%-d %B %Y}",
                attention=deadline < timezone.localdate(),
            )
        )
    markers = (
        cases_access.marker_people_visible_to(user).filter(marker_applied_on__isnull=True).count()
    )
    panel.lines.append(
        Line(
            "PNC vulnerability marker worklist: still to apply",
            markers,
            reverse("marker"),
            ("person", "people"),
        )
    )
    return panel


def _recommendations_panel(user: User, today: date, *, list_soonest: bool) -> Panel | None:
    if not review_access.can_see_peer_reviews(user):
        return None
    live = review_access.recommendations_visible_to(user).filter(
        review__stage=Stage.PUBLISHED, status__in=LIVE_STATUSES
    )
    counts = live.aggregate(n=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    tracker = reverse("peerreview-tracker")
    panel = Panel("Peer review recommendations")
    panel.lines.append(
        Line("Open or in progress", counts["n"], tracker, ("recommendation", "recommendations"))
    )
    panel.lines.append(
        Line(
            "Past their due date",
            counts["overdue"],
            tracker,
            ("recommendation", "recommendations"),
            attention=counts["overdue"] > 0,
        )
    )
    if list_soonest and counts["n"]:
        soonest: Iterable[Recommendation] = (
            live.filter(due_date__isnull=False)
            .select_related("review__force", "theme")
            .order_by("due_date", "review__force__name", "number")[:SOONEST]
        )
        panel.items = [
            Item(
                f"{r.review.force.name} R{r.number}: {r.theme.label}",
                reverse("peerreview-recommendation", args=[r.pk]),
                r.due_date,
                r.is_overdue(today),
            )
            for r in soonest
        ]
        panel.items_caption = "Due soonest"
    return panel


def _benchmarking_panel(user: User) -> Panel | None:
    """A force's self-assessments to finish; a coordinator's to review and challenge; the
    unit's submitted ones waiting for review."""
    if not assurance_access.can_see_benchmarking(user):
        return None
    role = access.role_of(user)
    status = AssessmentStatus.DRAFT if role == Role.FORCE else AssessmentStatus.SUBMITTED
    waiting = assurance_access.assessments_visible_to(user).filter(status=status)
    labels: dict[str | None, str] = {
        Role.FORCE: "Self-assessments to complete and submit",
        Role.REGIONAL: "Self-assessments waiting for your review (grades to check or challenge)",
    }
    panel = Panel("Benchmarking")
    panel.lines.append(
        Line(
            labels.get(role, "Self-assessments submitted, waiting for review"),
            waiting.count(),
            reverse("benchmarking"),
            ("assessment", "assessments"),
        )
    )
    if role != Role.NATIONAL:
        today = timezone.localdate()
        panel.items = [
            Item(
                f"{a.orgunit.name}: {a.campaign.name}",
                reverse("benchmarking-assessment", args=[a.pk]),
                a.campaign.deadline,
                a.campaign.deadline < today,
            )
            for a in waiting.select_related("campaign", "orgunit").order_by(
                "campaign__deadline", "orgunit__name"
            )[:SOONEST]
        ]
        panel.items_caption = "By deadline"
    return panel


# --- the year at a glance ------------------------------------------------------------------


def year_at_a_glance(
    user: User, reporting: date | None, today: date, catalogue: Catalogue | None = None
) -> dict[str, Any]:
    """The unit's year from its records: the financial year of the newest month most forces
    have returned (to date) beside the year before it, so that a demo, or a year just
    begun, still reads sensibly."""
    anchor = reporting or last_complete_month(today)
    this = Period.financial_year_of(anchor)
    last = this.previous_year()
    years = [last, this]
    starts = [p.financial_year for p in years]
    ops = Counter(
        dict(
            support_access.supported_operations_visible_to(user)
            .filter(fy_start__in=starts)
            .values("fy_start")
            .annotate(n=Count("pk"))
            .values_list("fy_start", "n")
        )
    )

    def within(model_dates: Iterable[date | None]) -> list[int]:
        dates = [d for d in model_dates if d is not None]
        return [sum(1 for d in dates if y.start <= d <= month_end(y.end)) for y in years]

    first, final = last.start, month_end(this.end)
    campaigns = within(
        Campaign.objects.filter(deadline__range=(first, final)).values_list("deadline", flat=True)
    )
    reviews = within(
        review_access.peer_reviews_visible_to(user)
        .filter(stage=Stage.PUBLISHED, published_on__range=(first, final))
        .values_list("published_on", flat=True)
    )
    intensifications = within(
        operations_access.operations_visible_to(user)
        .filter(start_date__range=(first, final))
        .values_list("start_date", flat=True)
    )
    rows: list[tuple[str, Sequence[int | str], list[str]]] = [
        (
            "Operations supported",
            [ops.get(s, 0) for s in starts],
            [_url("support-summary", year=y.code) for y in years],
        ),
        ("Benchmarking campaigns (deadline in the year)", campaigns, [reverse("benchmarking")] * 2),
        ("Peer reviews published", reviews, [reverse("peer-reviews")] * 2),
        (
            "Intensifications begun",
            intensifications,
            [reverse("operations-intensifications")] * 2,
        ),
    ]
    rows += _capability_rows(this, catalogue or get_catalogue())
    labels = [
        f"{y.label} (to {anchor:%B %Y})" if y is this and anchor < y.end else y.label for y in years
    ]
    return {
        "years": labels,
        "rows": [
            {"label": label, "cells": list(zip(values, urls, labels, strict=True))}
            for label, values, urls in rows
        ],
    }


# Capability building (issue 13): the figures the annual report gives, asked of the metric
# engine (the training, documents and partnerships apps' derived sources), each with the
# page that lists its records. Labels are the catalogue's.
CAPABILITY_GLANCE = [
    ("training_people_trained", "capability-list"),
    ("training_events_held", "capability-list"),
    ("documents_produced", "documents-list"),
    ("partnership_coverage", "partnerships-list"),
]


def _capability_rows(
    this: Period, catalogue: Catalogue
) -> list[tuple[str, list[int | str], list[str]]]:
    """The nation's figures for the year before ``this`` and ``this``: one
    :func:`query_many`, each metric asked once with its previous year (a stock, partnership
    coverage, is the year's last month). A year before the records begin (the dataset's
    first period) has no figure: a dash."""
    national = OrgUnit.objects.get(kind=OrgUnitKind.NATIONAL)
    asks = [Ask(code, this, compare="previous-year") for code, _ in CAPABILITY_GLANCE]
    answers = query_many(national, list(asks), catalogue=catalogue)
    rows = []
    for ask, (code, page) in zip(asks, CAPABILITY_GLANCE, strict=True):
        result = answers.query(ask)
        metric = catalogue.metrics[code]
        rows.append(
            (
                f"{metric.label} (at the year's end)" if metric.is_stock else metric.label,
                ["–" if v is None else v for v in (result.previous_value, result.value)],
                [reverse(page)] * 2,
            )
        )
    return rows


def _referrals_panel(user: User) -> Panel | None:
    """Organ-harvesting referrals and SPOC coverage (msoic.referrals.home says what counts)."""
    lines = referral_lines(user)
    if not lines:
        return None
    panel = Panel("Organ-harvesting referrals and SPOCs")
    panel.lines = [
        Line(x.label, x.count, x.url, x.noun, hint=x.hint, attention=x.attention) for x in lines
    ]
    return panel


# --- partners and administrators ---------------------------------------------------------


def _partner_panel(user: User) -> Panel:
    panel = Panel(
        "Figures you can see",
        intro="National figures only; counts of people are released by financial year, "
        "with small numbers withheld.",
    )
    national = {"orgunit": "national"}
    panel.links = [
        (
            _url("dashboard-ms", **national),
            "Modern slavery dashboard",
            "national trends and year-on-year change",
        ),
        (
            _url("dashboard-oic", **national),
            "Organised immigration crime dashboard",
            "national trends and disruptions",
        ),
    ]
    if operations_access.can_see_operations(user):
        n = operations_access.operations_visible_to(user).count()
        panel.links.append(
            (
                reverse("operations-intensifications"),
                "Intensifications",
                f"{n:,} operation{'s' if n != 1 else ''} recorded, with national totals",
            )
        )
    if terminus_access.can_see_terminus(user):
        panel.links.append(
            (reverse("terminus"), "Project Terminus", "quarterly activity, nationally")
        )
    if access.can_see_investigations_hub(user):
        panel.links.append(
            (
                reverse("investigations"),
                "NRM picture",
                "referrals nationally, small counts withheld",
            )
        )
    panel.links.append((reverse("api-docs"), "API", "the same figures as JSON or CSV"))
    return panel


def _admin_users_url() -> str:
    """The user management pages, where they exist (issue 11 item 12); else no link."""
    try:
        return reverse("admin-users")
    except NoReverseMatch:
        return ""


def _admin_panel() -> Panel:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    now = timezone.now()
    users = User.objects.filter(is_active=True)
    by_role = dict(users.values("role").annotate(n=Count("pk")).values_list("role", "n"))
    without_factor = users.exclude(
        pk__in=TOTPDevice.objects.filter(confirmed=True).values("user_id")
    ).count()
    tokens = ApiToken.objects.filter(revoked=False).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    token_counts = tokens.aggregate(
        n=Count("pk"), soon=Count("pk", filter=Q(expires_at__lte=now + timedelta(days=14)))
    )
    failures = LoginFailure.objects.filter(at__gte=now - timedelta(days=1)).count()
    users_url = _admin_users_url()
    panel = Panel(
        "Administration",
        intro="Each count opens the user management pages."
        if users_url
        else "Accounts, second factors and API tokens are managed with the msoic command "
        "(msoic create_user, msoic mfa reset, msoic tokens list).",
    )
    panel.table = Table(
        caption="Active accounts by role",
        head=["Role", "Accounts"],
        rows=[(label, [Cell(by_role.get(value, 0))]) for value, label in Role.choices],
    )
    panel.lines = [
        Line(
            "Active accounts without a second factor",
            without_factor,
            users_url,
            ("account", "accounts"),
            hint="" if users_url else "msoic create_user enrols one at first log-in",
        ),
        Line(
            "API tokens in use",
            token_counts["n"],
            users_url,
            ("token", "tokens"),
            hint="" if users_url else "msoic tokens list",
        ),
        Line(
            "API tokens expiring within 14 days",
            token_counts["soon"],
            users_url,
            ("token", "tokens"),
            attention=token_counts["soon"] > 0,
        ),
        Line(
            "Failed log-ins in the last 24 hours",
            failures,
            users_url,
            ("attempt", "attempts"),
            attention=failures > 0,
        ),
    ]
    return panel


# --- the page ------------------------------------------------------------------------------


def home_panels(user: User) -> dict[str, Any]:
    """Everything the home page shows for ``user``."""
    today = timezone.localdate()
    catalogue = get_catalogue()
    role = access.role_of(user)
    panels: list[Panel | None] = []
    glance = None
    if role == Role.FORCE and user.orgunit is not None:
        force = user.orgunit
        panels = [
            _force_returns_panel(user, force, catalogue, today),
            _register_panel(user, force),
            _recommendations_panel(user, today, list_soonest=True),
            _benchmarking_panel(user),
            _referrals_panel(user),
        ]
    elif role == Role.REGIONAL and user.orgunit is not None:
        forces = list(access.detail_orgunits(user).filter(kind=OrgUnitKind.FORCE).order_by("name"))
        panels = [
            _region_returns_panel(forces, catalogue, today),
            _benchmarking_panel(user),
            _register_panel(user, None),
            _recommendations_panel(user, today, list_soonest=True),
            _referrals_panel(user),
        ]
    elif role == Role.NATIONAL:
        force_pks = list(
            access.detail_orgunits(user).filter(kind=OrgUnitKind.FORCE).values_list("pk", flat=True)
        )
        months = reporting_months(
            [d for d in returns_datasets(catalogue) if d.frequency == "monthly"],
            len(force_pks),
            today,
        )
        panels = [
            _unit_returns_panel(user, catalogue, today, months, force_pks),
            _benchmarking_panel(user),
            _register_panel(user, None),
            _recommendations_panel(user, today, list_soonest=False),
            _referrals_panel(user),
        ]
        glance = year_at_a_glance(user, max(months.values(), default=None), today, catalogue)
    elif role == Role.PARTNER:
        panels = [_referrals_panel(user), _partner_panel(user)]
    elif role == Role.ADMIN:
        panels = [_admin_panel(), _partner_panel(user)]
    return {"panels": [p for p in panels if p is not None], "glance": glance}
