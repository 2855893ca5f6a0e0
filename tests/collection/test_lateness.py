"""One lateness rule, on the submission: approved, on time, late, missing or not yet due,
by the deadline (the due day of the month after the period, UK time)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from msoic.collection.completeness import submission_status
from msoic.collection.models import (
    APPROVED,
    LATE,
    MISSING,
    NOT_DUE,
    SUBMITTED,
    Submission,
)

FEBRUARY = date(2024, 2, 1)
Q1 = date(2024, 4, 1)  # FY2024-25 Q1, due 15 July 2024


def submission(period: date, *, locked=False, received: datetime | None, version=True):
    sub = Submission(dataset="ms-monthly", period=period, locked=locked)
    sub.current_version_id = 1 if version else None
    sub.first_received_at = received
    return sub


@pytest.mark.parametrize(
    ("period", "frequency", "locked", "received", "version", "today", "expected"),
    [
        (FEBRUARY, "monthly", True, datetime(2024, 3, 20, 12, tzinfo=UTC), True, None, APPROVED),
        (FEBRUARY, "monthly", False, datetime(2024, 3, 15, 12, tzinfo=UTC), True, None, SUBMITTED),
        # 23:30 UK summer time on the 15th is 22:30 UTC: still on time
        (Q1, "quarterly", False, datetime(2024, 7, 15, 22, 30, tzinfo=UTC), True, None, SUBMITTED),
        # 00:30 UK time on the 16th is 23:30 UTC on the 15th: late
        (Q1, "quarterly", False, datetime(2024, 7, 15, 23, 30, tzinfo=UTC), True, None, LATE),
        (FEBRUARY, "monthly", False, datetime(2024, 3, 16, 9, tzinfo=UTC), True, None, LATE),
        # a quarter is due after its last month, not its first
        (Q1, "quarterly", False, datetime(2024, 5, 20, 9, tzinfo=UTC), True, None, SUBMITTED),
        (FEBRUARY, "monthly", False, None, False, date(2024, 3, 16), MISSING),
        (FEBRUARY, "monthly", False, None, False, date(2024, 3, 15), NOT_DUE),
    ],
)
def test_submission_knows_its_status_against_the_deadline(
    period, frequency, locked, received, version, today, expected
):
    sub = submission(period, locked=locked, received=received, version=version)
    today = today or date(2024, 12, 1)
    assert sub.status_on(today, 15, frequency) == expected
    assert submission_status(sub, 15, today, period, frequency) == expected


@pytest.mark.parametrize(
    ("today", "frequency", "expected"),
    [
        (date(2024, 3, 15), "monthly", NOT_DUE),
        (date(2024, 3, 16), "monthly", MISSING),
        (date(2024, 7, 15), "quarterly", NOT_DUE),
        (date(2024, 7, 16), "quarterly", MISSING),
    ],
)
def test_a_return_never_received_is_missing_once_its_deadline_has_passed(
    today, frequency, expected
):
    period = FEBRUARY if frequency == "monthly" else Q1
    assert submission_status(None, 15, today, period, frequency) == expected


@pytest.mark.parametrize(
    ("locked", "version", "status"),
    [(True, True, APPROVED), (False, True, SUBMITTED), (False, False, MISSING)],
)
def test_status_without_a_deadline_is_approved_submitted_or_missing(locked, version, status):
    received = datetime(2024, 9, 1, tzinfo=UTC)  # late, which this status does not say
    assert submission(FEBRUARY, locked=locked, received=received, version=version).status == status
