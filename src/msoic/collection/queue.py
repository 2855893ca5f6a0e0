"""The approval worklist: returns received and not yet approved, oldest first, that the
user may approve, filtered by dataset, period and region; and, from one return, the next
one awaiting approval under the same filters.

"Oldest first" is by period (the month or quarter returned), then dataset, region and
force: approval locks a period, so the longest-open periods come first. The queue is built
on :func:`msoic.collection.access.submissions_visible_to`; who may approve is
:func:`msoic.collection.access.can_approve`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict

from msoic.catalogue.loader import Catalogue
from msoic.collection.access import submissions_visible_to
from msoic.collection.models import Submission, Value
from msoic.metrics.periods import (
    MONTHLY,
    QUARTERLY,
    PeriodError,
    format_month,
    month_label,
    parse_month,
    period_label,
)
from msoic.orgunits.models import OrgUnit, OrgUnitKind

if TYPE_CHECKING:
    from msoic.accounts.models import User

QUEUE_ORDER = ("period", "dataset", "orgunit__parent__name", "orgunit__name", "pk")
# The filters a return's page carries back to the worklist and to "next".
FILTER_NAMES = ("dataset", "period", "region")


def awaiting_approval(user: User) -> QuerySet[Submission]:
    """Forces' returns the user may see that have a version and are not approved (locked);
    the unit's own datasets (the NRM statistics it loads) are not approved by anyone."""
    return submissions_visible_to(user).filter(
        current_version__isnull=False, locked=False, orgunit__kind=OrgUnitKind.FORCE
    )


@dataclass(frozen=True)
class QueueFilter:
    """The worklist's filters, as chosen (empty: all)."""

    dataset: str = ""
    period: date | None = None
    region: str = ""  # a region's code

    def apply(self, queryset: QuerySet[Submission]) -> QuerySet[Submission]:
        if self.dataset:
            queryset = queryset.filter(dataset=self.dataset)
        if self.period is not None:
            queryset = queryset.filter(period=self.period)
        if self.region:
            queryset = queryset.filter(orgunit__parent__code=self.region)
        return queryset

    def params(self) -> dict[str, str]:
        """The filters as URL parameters (only those chosen)."""
        out = {"dataset": self.dataset, "region": self.region}
        if self.period is not None:
            out["period"] = format_month(self.period)
        return {k: v for k, v in out.items() if v}

    def query(self) -> str:
        return urlencode(self.params())

    @property
    def any(self) -> bool:
        return bool(self.params())


class QueueFilterForm(forms.Form):
    """Filter the worklist by return, period and region; every choice is a select, so
    nobody types a period code (the codes stay in the URL)."""

    dataset = forms.ChoiceField(label="Return", required=False)
    period = forms.ChoiceField(label="Period", required=False)
    region = forms.ChoiceField(label="Region", required=False)

    def __init__(
        self,
        data: QueryDict | dict[str, Any] | None,
        *,
        catalogue: Catalogue,
        periods: list[date],
        regions: list[OrgUnit],
        period_kinds: dict[date, set[str]] | None = None,
    ) -> None:
        super().__init__(data)
        fields: dict[str, Any] = self.fields
        fields["dataset"].choices = [("", "All returns")] + [
            (d.code, d.label) for d in catalogue.datasets.values() if d.returned_by_forces
        ]
        fields["period"].choices = [("", "All periods")] + [
            (
                format_month(p),
                queue_period_label(p, period_kinds.get(p, set()) if period_kinds else set()),
            )
            for p in periods
        ]
        fields["region"].choices = [("", "All regions")] + [(r.code, r.name) for r in regions]

    def chosen(self) -> QueueFilter:
        """The valid filters; a value that is not among the choices is ignored."""
        if not self.is_bound:
            return QueueFilter()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        period = None
        if data.get("period"):
            try:
                period = parse_month(data["period"])
            except PeriodError:
                period = None
        return QueueFilter(
            dataset=data.get("dataset") or "", period=period, region=data.get("region") or ""
        )


def filter_from_query(query: QueryDict) -> QueueFilter:
    """The filters carried on a return's page (no form: unknown values simply match none)."""
    period = None
    text = str(query.get("period") or "")
    if text:
        try:
            period = parse_month(text)
        except PeriodError:
            period = None
    return QueueFilter(
        dataset=str(query.get("dataset") or "")[:64],
        period=period,
        region=str(query.get("region") or "")[:64],
    )


def queue_periods(user: User) -> list[date]:
    """The periods with a return awaiting approval, oldest first (for the period filter)."""
    return list(
        awaiting_approval(user).order_by("period").values_list("period", flat=True).distinct()
    )


def queue_period_kinds(user: User, catalogue: Catalogue) -> dict[date, set[str]]:
    """For each period with a return awaiting approval, the frequencies (monthly,
    quarterly) of the returns waiting in it: a quarterly return's period is the quarter's
    first month, and its filter choice must say the quarter, not that month."""
    kinds: dict[date, set[str]] = {}
    rows = awaiting_approval(user).values_list("period", "dataset").distinct()
    for period, code in rows:
        ds = catalogue.datasets.get(code)
        kinds.setdefault(period, set()).add(ds.frequency if ds else MONTHLY)
    return kinds


def queue_period_label(start: date, kinds: set[str]) -> str:
    """The period filter's words: the month, the quarter, or both when monthly and
    quarterly returns wait for the same start ("April 2024, and Q1 2024/25 for quarterly
    returns")."""
    if kinds == {QUARTERLY}:
        return period_label(QUARTERLY, start)
    if QUARTERLY in kinds:
        return f"{month_label(start)}, and {period_label(QUARTERLY, start)} for quarterly returns"
    return month_label(start)


@dataclass
class QueueItem:
    submission: Submission
    dataset_label: str
    period_label: str
    late: bool
    warnings: list[dict[str, Any]]
    comments: list[tuple[str, str]]  # (figure, comment)

    @property
    def choice(self) -> str:
        """The checkbox value: the return and the version the approver is looking at."""
        version = self.submission.current_version
        return f"{self.submission.pk}:{version.number if version else 0}"


def figure_label(catalogue: Catalogue, metric: str, breakdown: str, option: str) -> str:
    """A figure in words: the metric's label, then its breakdown option if any."""
    known = catalogue.metrics.get(metric)
    label = known.label if known else metric
    if not breakdown:
        return label
    if breakdown in catalogue.breakdowns:
        b = catalogue.breakdowns[breakdown]
        return f"{label} – {b.label}: {b.options.get(option, option)}"
    return f"{label} – {breakdown}: {option}"


def queue_items(catalogue: Catalogue, submissions: list[Submission]) -> list[QueueItem]:
    """The worklist rows for one page of submissions (with ``current_version`` and
    ``orgunit__parent`` selected): warnings explained and comments given, from one query."""
    comments: dict[int, list[tuple[str, str]]] = {}
    version_ids = [s.current_version_id for s in submissions if s.current_version_id]
    for version_id, metric, breakdown, option, comment in (
        Value.objects.filter(version_id__in=version_ids)
        .exclude(comment="")
        .order_by("version_id", "metric", "breakdown", "option")
        .values_list("version_id", "metric", "breakdown", "option", "comment")
    ):
        comments.setdefault(version_id, []).append(
            (figure_label(catalogue, metric, breakdown, option), comment)
        )
    items = []
    for sub in submissions:
        ds = catalogue.datasets.get(sub.dataset)
        frequency = ds.frequency if ds else "monthly"
        version = sub.current_version
        items.append(
            QueueItem(
                submission=sub,
                dataset_label=ds.label if ds else sub.dataset,
                period_label=period_label(frequency, sub.period),
                late=sub.is_late(ds.due_day, frequency) if ds else False,
                warnings=list(version.acknowledged_warnings or []) if version else [],
                comments=comments.get(sub.current_version_id or 0, []),
            )
        )
    return items


def describe(catalogue: Catalogue, sub: Submission) -> str:
    """A return in words: "Kent Police, Modern slavery monthly return, January 2024"."""
    ds = catalogue.datasets.get(sub.dataset)
    frequency = ds.frequency if ds else "monthly"
    label = ds.label if ds else sub.dataset
    return f"{sub.orgunit.name}, {label}, {period_label(frequency, sub.period)}"


@dataclass(frozen=True)
class NextReturn:
    pk: int
    text: str
    remaining: int  # awaiting approval under the filters, not counting the current return


def next_awaiting(
    user: User, catalogue: Catalogue, current: Submission, flt: QueueFilter
) -> NextReturn | None:
    """The return after ``current`` in the filtered worklist (or, past the end, the first
    still waiting), in one query; None when nothing else waits."""
    rows = list(
        flt.apply(awaiting_approval(user))
        .exclude(pk=current.pk)
        .order_by(*QUEUE_ORDER)
        .values_list("pk", "period", "dataset", "orgunit__parent__name", "orgunit__name")
    )
    if not rows:
        return None
    here = (
        current.period,
        current.dataset,
        current.orgunit.parent.name if current.orgunit.parent else "",
        current.orgunit.name,
        current.pk,
    )

    def key(row: tuple[Any, ...]) -> tuple[Any, ...]:
        pk, period, dataset, region, force = row
        return (period, dataset, region or "", force, pk)

    rows.sort(key=key)  # the same order whatever the database's collation
    after = [r for r in rows if key(r) > here]
    pk, period, dataset, _region, force = (after or rows)[0]
    ds = catalogue.datasets.get(dataset)
    label = ds.label if ds else dataset
    text = f"{force}, {label}, {period_label(ds.frequency if ds else 'monthly', period)}"
    return NextReturn(pk=pk, text=text, remaining=len(rows))
