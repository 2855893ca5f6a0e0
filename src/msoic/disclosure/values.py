"""Disclosure control for the metric engine's answers (figures from returns and from the
register's derived counts): what the API's ``/values`` and the partners' dashboards show.

A metric that counts people (the policy's ``people``) is released for the policy's fixed
periods only, each figure perturbed by its cell key (metric, org unit, period, breakdown,
option) and suppressed with everything that would give a suppressed count away: the rows
of a breakdown with their total (the total is the figure every request for the metric
shows, so it is never the one withheld in its place). Activity metrics pass unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from msoic.disclosure.control import NOTE, Release, Shown, check_period, value_key
from msoic.disclosure.policy import get_policy
from msoic.metrics.engine import Coverage, Result, change_pct

TOTAL = "total"


@dataclass
class Released:
    """The released form of one engine answer: total, rows by option, previous year."""

    value: Shown | None
    rows: dict[str, Shown] = field(default_factory=dict)
    previous_value: Shown | None = None
    previous_rows: dict[str, Shown] = field(default_factory=dict)


def _release(
    metric: str,
    orgunit: str,
    period: str,
    breakdown: str | None,
    total: int | None,
    options: dict[str, int | None],
) -> tuple[Shown | None, dict[str, Shown]]:
    if total is None:
        return None, {}
    release = Release()
    atoms = [release.atom(f"option:{option}", value or 0) for option, value in options.items()]
    release.total(TOTAL, atoms, total, key=value_key(metric, orgunit, period, "", "", total))
    for option, value in options.items():
        release.cell(
            option,
            [f"option:{option}"],
            key=value_key(metric, orgunit, period, breakdown or "", option, value or 0),
        )
    shown = release.resolve()
    return shown[TOTAL], {o: shown[o] for o in options}


def incomplete(coverage: Coverage | None) -> str | None:
    """Why a period's people figures are withheld from partners while its returns are still
    coming in (a late return would move the figure by its own count), or None."""
    if coverage is None:
        return None
    share = get_policy().complete_share
    if coverage.expected > 0 and coverage.received >= share * coverage.expected:
        return None
    return f"not yet complete: {coverage.received} of {coverage.expected} returns"


def _withheld(
    reason: str, total: int | None, options: dict[str, int | None]
) -> tuple[Shown | None, dict[str, Shown]]:
    if total is None:
        return None, {}
    return Shown(None, reason), {o: Shown(None, reason) for o in options}


def release_result(result: Result) -> Released:
    """Perturb and suppress one engine answer of a people metric (raises DisclosureError for
    a period partners may not ask for). ``by`` may be a breakdown only: partners are never
    given force or region splits."""
    check_period(result.period, f"figures of {result.metric.short_label.lower()}")
    if result.previous_period is not None:
        check_period(result.previous_period)
    code, unit = result.metric.code, result.orgunit.code
    breakdown = result.by if result.rows else None
    if result.by and result.by in ("force", "region"):
        raise ValueError("disclosure control releases national figures, not force or region")
    reason = incomplete(result.coverage)
    options = {r.key: r.value for r in result.rows}
    total, rows = (
        _withheld(reason, result.value, options)
        if reason
        else _release(
            code,
            unit,
            result.period.code,
            breakdown,
            result.value,
            options,
        )
    )
    out = Released(total, rows)
    if result.previous_period is not None:
        previous = {r.key: r.previous_value for r in result.rows}
        reason = incomplete(result.previous_coverage)
        out.previous_value, out.previous_rows = (
            _withheld(reason, result.previous_value, previous)
            if reason
            else _release(
                code,
                unit,
                result.previous_period.code,
                breakdown,
                result.previous_value,
                previous,
            )
        )
    return out


def counts_people(metric: str) -> bool:
    return get_policy().counts_people(metric)


def _figure(shown: Shown | None) -> tuple[int | None, str | None]:
    if shown is None:
        return None, None
    return shown.value, shown.text if shown.withheld else None


def controlled_dict(result: Result) -> dict[str, Any]:
    """``result.as_dict()`` as a partner may see it: people metrics released through
    :func:`release_result` (``value`` null with ``withheld`` "<5" or "[c]" where withheld),
    the register-derived part of a value left out (it would give the rest away), and a
    ``disclosure`` note. Activity metrics are returned as they are, with the note saying so."""
    data = result.as_dict()
    if not counts_people(result.metric.code):
        data["disclosure"] = {"controlled": False, "note": "Activity figures, released exactly."}
        return data
    released = release_result(result)
    data["value"], data["withheld"] = _figure(released.value)
    data["value_from_register"] = None
    data["disclosure"] = {"controlled": True, "note": NOTE}
    reason = incomplete(result.coverage)
    if reason and result.value is not None:
        data["disclosure"]["reason"] = f"Figures of people withheld: {reason}."
    compare = result.previous_period is not None
    if compare:
        data["previous_value"], data["previous_withheld"] = _figure(released.previous_value)
        data["change_pct"] = change_pct(data["value"], data["previous_value"])
    if "rows" in data:
        total = data["value"]
        for row in data["rows"]:
            row["value"], row["withheld"] = _figure(released.rows.get(row["key"]))
            if "share" in row or row["value"] is not None:
                row["share"] = (
                    round(row["value"] / total, 4) if row["value"] is not None and total else None
                )
            if compare:
                row["previous_value"], row["previous_withheld"] = _figure(
                    released.previous_rows.get(row["key"])
                )
                row["change_pct"] = change_pct(row["value"], row["previous_value"])
    return data
