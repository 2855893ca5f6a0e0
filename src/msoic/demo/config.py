"""The demo's settings file (``calibration.yaml``) read into typed, checked objects.

The file holds every number the demo uses: the report's figures it must reproduce, the
made-up shapes of the series, force sizes, which returns are late, missing or corrected,
and the demo accounts. This module only reads and checks it; ``generator`` uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from msoic.metrics.periods import Period, parse_month

CALIBRATION_FILE = Path(__file__).resolve().parent / "calibration.yaml"


class DemoConfigError(ValueError):
    """The demo settings file is malformed; the message says where."""


@dataclass(frozen=True)
class Target:
    metric: str
    period: Period
    value: int


@dataclass(frozen=True)
class Mix:
    metric: str
    breakdown: str
    month: date
    shares: dict[str, float]


@dataclass(frozen=True)
class Check:
    kind: str  # quarterly_between | monthly_between | window_at_least
    metric: str
    start: date
    end: date
    low: int
    high: int | None = None


@dataclass(frozen=True)
class BreakdownSpec:
    name: str
    lean: float
    shares: dict[date, dict[str, float]]


@dataclass(frozen=True)
class SeriesSpec:
    metric: str
    shape: dict[date, float]
    noise: float = 0.0
    seasonal: float = 0.0
    peak_month: int = 1
    force_noise: float = 0.0
    start: date | None = None
    breakdowns: tuple[BreakdownSpec, ...] = ()


@dataclass(frozen=True)
class ReturnKey:
    force: str
    dataset: str
    month: date


@dataclass(frozen=True)
class LateReturn(ReturnKey):
    day: int = 16


@dataclass(frozen=True)
class Correction(ReturnKey):
    metric: str = ""
    first_value: int = 0
    day: int = 16


@dataclass(frozen=True)
class Event:
    force: str
    metric: str
    month: date
    add: int
    comment: str


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    orgunit: str | None


@dataclass(frozen=True)
class DemoConfig:
    seed: int
    first_month: date
    last_month: date
    targets: tuple[Target, ...]
    mix: Mix
    checks: tuple[Check, ...]
    series: dict[str, SeriesSpec]
    size_default: float
    size_jitter: float
    size_tiers: dict[str, float]
    dataset_lean: dict[str, dict[str, float]]
    on_time_day: int
    late_returns: tuple[LateReturn, ...]
    missing_returns: tuple[ReturnKey, ...]
    corrections: tuple[Correction, ...]
    events: tuple[Event, ...]
    outlier_comment: str
    approve_through: date
    password: str
    users: tuple[DemoUser, ...]

    @property
    def months(self) -> list[date]:
        return Period(self.first_month, self.last_month, "range").months()

    def force_size(self, code: str) -> float:
        return self.size_tiers.get(code, self.size_default)


def _month(value: Any, where: str) -> date:
    try:
        return parse_month(str(value))
    except ValueError as exc:
        raise DemoConfigError(f"{where}: {exc}") from exc


def _need(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise DemoConfigError(f"{where}: '{key}' is required")
    return mapping[key]


def _day(value: Any, where: str) -> int:
    day = int(value)
    if not 1 <= day <= 28:
        raise DemoConfigError(f"{where}: day {day} must be between 1 and 28")
    return day


def _series(metric: str, raw: dict[str, Any]) -> SeriesSpec:
    where = f"series.{metric}"
    shape = {_month(k, where): float(v) for k, v in (_need(raw, "shape", where) or {}).items()}
    if not shape or any(v <= 0 for v in shape.values()):
        raise DemoConfigError(f"{where}: shape needs at least one positive anchor")
    breakdowns = []
    for name, bdef in (raw.get("breakdown") or {}).items():
        shares = {
            _month(k, f"{where}.breakdown.{name}"): {str(o): float(s) for o, s in v.items()}
            for k, v in _need(bdef, "shares", f"{where}.breakdown.{name}").items()
        }
        breakdowns.append(
            BreakdownSpec(name=name, lean=float(bdef.get("lean", 0.0)), shares=shares)
        )
    return SeriesSpec(
        metric=metric,
        shape=dict(sorted(shape.items())),
        noise=float(raw.get("noise", 0.0)),
        seasonal=float(raw.get("seasonal", 0.0)),
        peak_month=int(raw.get("peak_month", 1)),
        force_noise=float(raw.get("force_noise", 0.0)),
        start=_month(raw["start"], where) if raw.get("start") else None,
        breakdowns=tuple(breakdowns),
    )


def parse_config(doc: dict[str, Any]) -> DemoConfig:
    targets = tuple(
        Target(
            str(_need(t, "metric", "targets")),
            Period.parse(str(_need(t, "period", "targets"))),
            int(_need(t, "value", "targets")),
        )
        for t in doc.get("targets") or []
    )
    raw_mix = _need(doc, "mix", "calibration")
    mix = Mix(
        metric=str(raw_mix["metric"]),
        breakdown=str(raw_mix["breakdown"]),
        month=_month(raw_mix["month"], "mix"),
        shares={str(k): float(v) for k, v in raw_mix["shares"].items()},
    )
    if abs(sum(mix.shares.values()) - 1) > 1e-6:
        raise DemoConfigError("mix: shares must add up to 1")
    checks = tuple(
        Check(
            kind=str(c["kind"]),
            metric=str(c["metric"]),
            start=_month(c["from"], "checks"),
            end=_month(c["to"], "checks"),
            low=int(c["low"]),
            high=int(c["high"]) if c.get("high") is not None else None,
        )
        for c in doc.get("checks") or []
    )
    sizes = _need(doc, "force_size", "calibration")
    tiers: dict[str, float] = {}
    for tier in sizes.get("tiers") or []:
        for code in tier["forces"]:
            if code in tiers:
                raise DemoConfigError(f"force_size: {code} is in two tiers")
            tiers[str(code)] = float(tier["weight"])

    def key(raw: dict[str, Any], where: str) -> dict[str, Any]:
        return {
            "force": str(_need(raw, "force", where)),
            "dataset": str(_need(raw, "dataset", where)),
            "month": _month(_need(raw, "month", where), where),
        }

    late = tuple(
        LateReturn(**key(r, "late_returns"), day=_day(r["day"], "late_returns"))
        for r in doc.get("late_returns") or []
    )
    missing = tuple(
        ReturnKey(**key(r, "missing_returns")) for r in doc.get("missing_returns") or []
    )
    corrections = tuple(
        Correction(
            **key(r, "corrections"),
            metric=str(r["metric"]),
            first_value=int(r["first_value"]),
            day=_day(r["day"], "corrections"),
        )
        for r in doc.get("corrections") or []
    )
    events = tuple(
        Event(
            force=str(e["force"]),
            metric=str(e["metric"]),
            month=_month(e["month"], "events"),
            add=int(e["add"]),
            comment=str(e["comment"]),
        )
        for e in doc.get("events") or []
    )
    users = tuple(
        DemoUser(username=str(u["username"]), role=str(u["role"]), orgunit=u.get("orgunit"))
        for u in _need(doc, "users", "calibration")
    )
    on_time = _day(doc.get("on_time_day", 10), "on_time_day")
    config = DemoConfig(
        seed=int(_need(doc, "seed", "calibration")),
        first_month=_month(_need(doc, "first_month", "calibration"), "first_month"),
        last_month=_month(_need(doc, "last_month", "calibration"), "last_month"),
        targets=targets,
        mix=mix,
        checks=checks,
        series={
            m: _series(m, raw) for m, raw in (_need(doc, "series", "calibration") or {}).items()
        },
        size_default=float(sizes.get("default", 1.0)),
        size_jitter=float(sizes.get("jitter", 0.0)),
        size_tiers=tiers,
        dataset_lean={
            ds: {str(k): float(v) for k, v in lean.items()}
            for ds, lean in (doc.get("dataset_lean") or {}).items()
        },
        on_time_day=on_time,
        late_returns=late,
        missing_returns=missing,
        corrections=corrections,
        events=events,
        outlier_comment=str(doc.get("outlier_comment") or "Checked with the force"),
        approve_through=_month(_need(doc, "approve_through", "calibration"), "approve_through"),
        password=str(_need(doc, "password", "calibration")),
        users=users,
    )
    _check_consistency(config)
    return config


def _check_consistency(config: DemoConfig) -> None:
    if config.first_month > config.last_month:
        raise DemoConfigError("first_month is after last_month")
    for late in config.late_returns:
        if late.day <= config.on_time_day:
            raise DemoConfigError(
                f"late_returns: {late.force} {late.dataset} arrives on day {late.day}, which is not late"
            )
    special: dict[tuple[str, str, date], str] = {}
    for label, items in (
        ("late", config.late_returns),
        ("missing", config.missing_returns),
        ("corrected", config.corrections),
    ):
        for item in items:
            k = (item.force, item.dataset, item.month)
            if k in special:
                raise DemoConfigError(
                    f"{item.force} {item.dataset} {item.month:%Y-%m} is both {special[k]} and {label}"
                )
            special[k] = label
    target_metrics = {t.metric for t in config.targets}
    for event in config.events:
        if event.metric in target_metrics:
            raise DemoConfigError(
                f"events: {event.metric} has calibration targets; an event would break them"
            )


def load_config(path: Path = CALIBRATION_FILE) -> DemoConfig:
    with path.open(encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    if not isinstance(doc, dict):
        raise DemoConfigError(f"{path.name}: expected a mapping at the top")
    return parse_config(doc)
