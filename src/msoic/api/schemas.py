"""The shapes of API v1's answers, as typed schemas: the OpenAPI document is generated from them.

The views build their JSON from the engine's and the collection's dictionaries; tests/api
checks each answer's fields against these schemas so the two cannot drift apart."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Schema

Aggregation = Literal["flow", "stock"]


class Error(Schema):
    error: str = Field(description="What went wrong, in words.")
    status: int
    parameter: str | None = Field(None, description="The parameter at fault (400, 413, 415).")


class Coverage(Schema):
    expected: int = Field(description="Force-months expected.")
    received: int = Field(description="Force-months with a value.")
    complete: bool
    missing_forces: list[str] = Field(
        description="Forces without a return, among those the caller may see."
    )
    from_register: int = Field(
        description="Of the force-months received, those derived from records by the "
        "metric's derived source (the investigation register for forces on direct data "
        "entry, the intelligence logs, the training records...) instead of a return."
    )
    register_forces: list[str] = Field(
        description="Forces whose figure comes (in part) from the metric's derived source "
        "(their register, their intelligence logs...), among those the caller may see."
    )


class Disclosure(Schema):
    controlled: bool = Field(description="True when the figures went through disclosure control.")
    note: str


class Row(Schema):
    key: str = Field(description="Force or region code, or breakdown option.")
    label: str
    value: int | None
    withheld: str | None = Field(
        None, description="Partners: `<5` or `[c]` where the value is withheld (value null)."
    )
    share: float | None = Field(None, description="Share of the total, 0 to 1.")
    complete: bool
    previous_value: int | None = Field(None, description="With compare.")
    previous_withheld: str | None = Field(
        None, description="Partners, with compare: the previous value withheld."
    )
    change_pct: float | None = Field(None, description="With compare; one decimal place.")
    previous_complete: bool | None = None


class Values(Schema):
    metric: str
    metric_label: str
    aggregation: Aggregation
    orgunit: str
    orgunit_name: str
    period: str
    period_label: str
    value: int | None = Field(description="Null when no force has returned (or withheld).")
    withheld: str | None = Field(
        None, description="Partners: `<5` or `[c]` where the value is withheld (value null)."
    )
    value_from_register: int | None = Field(
        description="The part of value derived from records by the metric's derived source "
        "(a force's investigation register, intelligence logs...) rather than returned "
        "(null for partners on people counts)."
    )
    complete: bool
    coverage: Coverage
    previous_period: str | None = Field(None, description="With compare=previous-year.")
    previous_value: int | None = Field(None, description="With compare=previous-year.")
    previous_withheld: str | None = Field(
        None, description="Partners, with compare: the previous value withheld."
    )
    change_pct: float | None = Field(
        None, description="Year-on-year change, one decimal place (with compare)."
    )
    previous_complete: bool | None = None
    previous_coverage: Coverage | None = None
    change_flag: str | None = Field(
        None, description="`incomplete` when either side lacks returns."
    )
    by: str | None = None
    rows: list[Row] | None = Field(None, description="With by.")
    disclosure: Disclosure | None = Field(
        None, description="Partners only: how the figures were released (ADR 0010)."
    )


class Point(Schema):
    month: str = Field(examples=["2024-02"])
    option: str = Field(description="Breakdown option, empty for the total.")
    value: int | None
    received: int = Field(description="Forces that returned that month.")
    expected: int


class Series(Schema):
    metric: str
    metric_label: str
    aggregation: Aggregation
    orgunit: str
    orgunit_name: str
    start: str
    end: str
    by: str | None
    points: list[Point]


class Dataset(Schema):
    code: str
    label: str
    description: str
    frequency: str
    orgunits: str
    due_day: int | None
    lock_on_approval: bool
    first_period: str | None
    metrics: list[str]
    participants: list[str] = Field(description="Force codes; empty means every force.")


class Metric(Schema):
    code: str
    dataset: str
    label: str
    short_label: str
    help: str
    aggregation: Aggregation
    unit: str
    breakdowns: list[str]


class Breakdown(Schema):
    name: str
    label: str
    options: dict[str, str]


class Catalogue(Schema):
    revision: int | None
    datasets: list[Dataset]
    metrics: list[Metric]
    breakdowns: list[Breakdown]


class Problem(Schema):
    severity: Literal["error", "warning"]
    rule: str
    message: str
    file: str
    sheet: str
    row: int | None
    column: str
    figure: str = Field(description="The figure the row carries, by its label ('' if unknown).")
    where: str = Field(description="Sheet, row, figure and column in words.")
    key: str = Field(description="For a warning: the key to acknowledge.")


class StoredSubmission(Schema):
    dataset: str
    force: str
    period: str
    version: int | None
    state: Literal["new", "corrected", "unchanged", "would-store", "rejected", "needs-comment"]
    label: str = Field(description="The return in words, e.g. its dataset, force and month.")
    id: int | None = Field(description="The submission's id, when it exists.")
    url: str | None = Field(description="The return's page.")
    next_step: str = Field(description="What happens to the return next, in words.")


class Outcome(Schema):
    file: str
    status: Literal["accepted", "unchanged", "rejected", "needs-comment"]
    rows: int
    dry_run: bool
    next_step: str = Field(description="What the sender does next about the file, in words.")
    problems: list[Problem]
    submissions: list[StoredSubmission]
    not_stored: list[StoredSubmission] = Field(
        description="Rejected or held for comments: the returns the file was for, not stored."
    )


class Submission(Schema):
    id: int
    dataset: str
    orgunit: str
    orgunit_name: str
    period: str
    status: Literal["submitted", "approved", "missing"]
    version: int | None = Field(description="Current version number.")
    locked: bool
    first_received_at: str | None = Field(json_schema_extra={"format": "date-time"})
    last_received_at: str | None = Field(json_schema_extra={"format": "date-time"})
    approved_at: str | None = Field(json_schema_extra={"format": "date-time"})
    deadline: str | None = Field(json_schema_extra={"format": "date"})
    late: bool | None


class SubmissionList(Schema):
    count: int
    limit: int
    offset: int
    submissions: list[Submission]


class Version(Schema):
    number: int
    source: str
    filename: str
    sha256: str
    received_at: str = Field(json_schema_extra={"format": "date-time"})
    submitted_by: str | None
    values: int
    acknowledged_warnings: Any


class StoredValue(Schema):
    metric: str
    breakdown: str
    option: str
    value: int
    comment: str


class SubmissionDetail(Submission):
    versions: list[Version]
    values: list[StoredValue]
