"""Synthetic monthly returns for every force, calibrated to the annual report.

Pure functions, no database. From the demo settings (``calibration.yaml``), the catalogue
and the list of forces, build each force's return for each month:

1. a national monthly *shape* per metric: trend between anchor months, a yearly season and
   noise (noise that persists from month to month for stocks);
2. national whole-number totals: the shape rescaled so each calibration target comes out
   exactly (a target's window is split by largest remainder), the months between targets
   following the interpolated scale;
3. force figures: flows are drawn as counts (a multinomial draw over force weights, so
   they add up to the national total exactly and look like counts); stocks are
   apportioned by largest remainder over slowly wandering force weights, so a force's
   caseload moves smoothly;
4. breakdowns: a flow's options are drawn per force from the national shares leaned per
   force; a stock's are *raked* (iterative proportional fitting, then controlled rounding)
   so every force's options add up to its total and the national mix matches the shares;
5. comments on the totals the outlier rule will flag, so the pipeline accepts every file.

Every random choice comes from a generator seeded with the settings' seed and a label, so
the history is the same on every run and on every machine.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from msoic.catalogue.loader import Catalogue, Metric
from msoic.demo.config import Check, DemoConfig, SeriesSpec
from msoic.metrics.periods import Period, add_months, format_month, month_index, parse_month

OptionShares = dict[str, float]


class GenerationError(ValueError):
    """The settings cannot produce a history that meets its targets and checks."""


@dataclass(frozen=True)
class ReturnRow:
    metric: str
    breakdown: str
    option: str
    value: int
    comment: str = ""


@dataclass
class History:
    """Every force's return for every month, and the national totals behind them."""

    months: list[date]
    forces: list[str]
    # (dataset, force, month) -> rows; returns configured as missing are left out.
    returns: dict[tuple[str, str, date], list[ReturnRow]]
    # metric -> month -> national total over all forces (before any return went missing).
    national: dict[str, dict[date, int]]
    # (force, metric, month) of the totals the outlier rule flags, with their comment.
    commented: dict[tuple[str, str, date], str] = field(default_factory=dict)

    def value(
        self, dataset: str, force: str, month: date, metric: str, option: str = ""
    ) -> int | None:
        for row in self.returns.get((dataset, force, month), []):
            if row.metric == metric and row.option == option:
                return row.value
        return None


# --- Whole-number arithmetic --------------------------------------------------------------


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into whole parts proportional to ``weights`` (largest remainder).

    The parts always add up to ``total``; ties go to the earlier weight.
    """
    if total < 0:
        raise ValueError("cannot apportion a negative total")
    n = len(weights)
    if n == 0:
        if total:
            raise ValueError("cannot apportion a total over nothing")
        return []
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    whole = float(sum(weights))
    if whole <= 0:
        weights, whole = [1.0] * n, float(n)
    quotas = [total * w / whole for w in weights]
    parts = [math.floor(q) for q in quotas]
    short = total - sum(parts)
    for i in sorted(range(n), key=lambda i: (-(quotas[i] - parts[i]), i))[:short]:
        parts[i] += 1
    return parts


def draw_counts(rng: random.Random, total: int, weights: Sequence[float]) -> list[int]:
    """A multinomial draw: ``total`` events shared at random in proportion to ``weights``."""
    if total <= 0:
        return [0] * len(weights)
    if sum(weights) <= 0:
        weights = [1.0] * len(weights)
    counts = Counter(rng.choices(range(len(weights)), weights=weights, k=total))
    return [counts.get(i, 0) for i in range(len(weights))]


def rake(
    row_totals: Sequence[int],
    col_totals: Sequence[int],
    seed: Sequence[Sequence[float]],
    iterations: int = 60,
) -> list[list[int]]:
    """A whole-number table close to ``seed`` whose rows and columns add up exactly.

    Iterative proportional fitting scales ``seed`` to the margins; controlled rounding
    then rounds down and hands out what is left, largest fractions first, only where both
    the row and the column still lack something (always possible: nothing caps a cell).
    """
    if sum(row_totals) != sum(col_totals):
        raise ValueError("row and column totals differ")
    n_rows, n_cols = len(row_totals), len(col_totals)
    table = [[max(float(seed[i][j]), 1e-9) for j in range(n_cols)] for i in range(n_rows)]
    for _ in range(iterations):
        for i in range(n_rows):
            s = sum(table[i])
            table[i] = [x * row_totals[i] / s for x in table[i]] if s > 0 else [0.0] * n_cols
        for j in range(n_cols):
            s = sum(table[i][j] for i in range(n_rows))
            for i in range(n_rows):
                table[i][j] = table[i][j] * col_totals[j] / s if s > 0 else 0.0
    out = [[math.floor(x) for x in row] for row in table]
    row_left = [row_totals[i] - sum(out[i]) for i in range(n_rows)]
    col_left = [col_totals[j] - sum(out[i][j] for i in range(n_rows)) for j in range(n_cols)]
    if min(row_left + col_left, default=0) < 0:  # floating error pushed a floor too high
        raise ValueError("raking did not converge")
    cells = sorted(
        ((table[i][j] - out[i][j], i, j) for i in range(n_rows) for j in range(n_cols)),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    for _, i, j in cells:
        if row_left[i] > 0 and col_left[j] > 0:
            out[i][j] += 1
            row_left[i] -= 1
            col_left[j] -= 1
    for i in range(n_rows):
        for j in range(n_cols):
            while row_left[i] > 0 and col_left[j] > 0:
                out[i][j] += 1
                row_left[i] -= 1
                col_left[j] -= 1
    return out


# --- Interpolation --------------------------------------------------------------------------


def interpolate(anchors: dict[date, float], month: date) -> float:
    """Straight lines between anchor months; flat before the first and after the last."""
    keys = sorted(anchors)
    if month <= keys[0]:
        return anchors[keys[0]]
    if month >= keys[-1]:
        return anchors[keys[-1]]
    for left, right in zip(keys, keys[1:], strict=False):
        if left <= month <= right:
            span = month_index(right) - month_index(left)
            t = (month_index(month) - month_index(left)) / span
            return anchors[left] + t * (anchors[right] - anchors[left])
    raise AssertionError("unreachable")


def interpolate_shares(
    anchors: dict[date, OptionShares], month: date, options: Sequence[str]
) -> OptionShares:
    raw = {o: interpolate({m: s[o] for m, s in anchors.items()}, month) for o in options}
    whole = sum(raw.values())
    return {o: v / whole for o, v in raw.items()}


# --- The generator --------------------------------------------------------------------------


class Generator:
    def __init__(self, config: DemoConfig, catalogue: Catalogue, forces: Sequence[str]) -> None:
        self.config = config
        self.catalogue = catalogue
        self.forces = sorted(forces)
        self.months = config.months
        self._check_settings()

    def rng(self, *label: object) -> random.Random:
        # Seeding with a string is stable across processes and machines.
        return random.Random(":".join(str(p) for p in (self.config.seed, *label)))

    def active_months(self, spec: SeriesSpec) -> list[date]:
        first = max(spec.start or self.months[0], self._dataset_first(spec.metric))
        return [m for m in self.months if m >= first]

    def _dataset_first(self, metric: str) -> date:
        return parse_month(
            self.catalogue.datasets[self.catalogue.metrics[metric].dataset].first_period
        )

    def _check_settings(self) -> None:
        cfg, cat = self.config, self.catalogue
        # The foundation's monthly returns only: other datasets (quarterly Terminus
        # activity, operations' returns) are built by their own apps' demo code.
        wanted = {
            m for ds in cat.datasets.values() if ds.frequency == "monthly" for m in ds.metrics
        }
        missing = sorted(wanted - set(cfg.series))
        if missing:
            raise GenerationError(f"series: no shape for {', '.join(missing)}")
        for code, spec in cfg.series.items():
            metric = cat.metrics.get(code)
            if metric is None:
                raise GenerationError(f"series: {code} is not in the catalogue")
            if {b.name for b in spec.breakdowns} != set(metric.breakdowns):
                raise GenerationError(
                    f"series.{code}: give shares for exactly the breakdowns {list(metric.breakdowns)}"
                )
            for b in spec.breakdowns:
                options = set(cat.breakdowns[b.name].options)
                for month, shares in b.shares.items():
                    if set(shares) != options:
                        raise GenerationError(
                            f"series.{code}.breakdown.{b.name} {format_month(month)}: options must be {sorted(options)}"
                        )
        mix = cfg.mix
        if mix.metric not in cat.metrics or mix.breakdown not in cat.metrics[mix.metric].breakdowns:
            raise GenerationError(f"mix: {mix.metric} has no breakdown {mix.breakdown}")
        if set(mix.shares) != set(cat.breakdowns[mix.breakdown].options):
            raise GenerationError(
                f"mix: options must be {sorted(cat.breakdowns[mix.breakdown].options)}"
            )
        for t in cfg.targets:
            if t.metric not in cfg.series:
                raise GenerationError(f"targets: {t.metric} is not in the catalogue")
            window = self._window(cat.metrics[t.metric], t.period)
            active = set(self.active_months(cfg.series[t.metric]))
            if not set(window) <= active:
                raise GenerationError(
                    f"targets: {t.metric} {t.period.code} reaches outside the demo months"
                )
        known = set(self.forces)
        for item in (*cfg.late_returns, *cfg.missing_returns, *cfg.corrections):
            if (
                item.force not in known
                or item.dataset not in cat.datasets
                or item.month not in self.months
            ):
                raise GenerationError(f"{item}: unknown force, dataset or month")
        for late in cfg.late_returns:
            if late.day <= cat.datasets[late.dataset].due_day:
                raise GenerationError(
                    f"late_returns: {late.force} {format_month(late.month)} day {late.day} is on time"
                )
        for fix in cfg.corrections:
            metric = cat.metrics.get(fix.metric)
            if metric is None or metric.dataset != fix.dataset or metric.breakdowns:
                raise GenerationError(
                    f"corrections: {fix.metric} must be a metric of {fix.dataset} without breakdowns"
                )
        for event in cfg.events:
            if (
                event.force not in known
                or event.metric not in cat.metrics
                or event.month not in self.months
            ):
                raise GenerationError(
                    f"events: {event.force} {event.metric} {format_month(event.month)} is unknown"
                )

    @staticmethod
    def _window(metric: Metric, period: Period) -> list[date]:
        return [period.end] if metric.is_stock else period.months()

    # National level ---------------------------------------------------------------------

    def shape(self, spec: SeriesSpec) -> dict[date, float]:
        rng = self.rng("shape", spec.metric)
        stock = self.catalogue.metrics[spec.metric].is_stock
        out: dict[date, float] = {}
        z = 0.0
        for m in self.active_months(spec):
            base = interpolate(spec.shape, m)
            season = 1 + spec.seasonal * math.cos(2 * math.pi * (m.month - spec.peak_month) / 12)
            if stock:  # AR(1) with unit variance: a stock drifts, it does not jump
                z = 0.8 * z + 0.6 * rng.gauss(0, 1)
            else:
                z = rng.gauss(0, 1)
            out[m] = base * season * math.exp(spec.noise * z)
        return out

    def national_totals(self, spec: SeriesSpec) -> dict[date, int]:
        """Whole national totals that meet every target of the metric exactly."""
        metric = self.catalogue.metrics[spec.metric]
        shape = self.shape(spec)
        windows: list[tuple[list[date], int]] = []
        taken: set[date] = set()
        for t in self.config.targets:
            if t.metric != spec.metric:
                continue
            window = self._window(metric, t.period)
            if taken & set(window):
                raise GenerationError(
                    f"targets: windows of {spec.metric} overlap at {t.period.code}"
                )
            taken |= set(window)
            windows.append((window, t.value))
        centres = sorted(
            (sum(month_index(m) for m in w) / len(w), value / sum(shape[m] for m in w))
            for w, value in windows
        )

        def scale(month: date) -> float:
            if not centres:
                return 1.0
            x = month_index(month)
            if x <= centres[0][0]:
                return centres[0][1]
            if x >= centres[-1][0]:
                return centres[-1][1]
            for (x0, f0), (x1, f1) in zip(centres, centres[1:], strict=False):
                if x0 <= x <= x1:
                    return f0 + (f1 - f0) * (x - x0) / (x1 - x0)
            raise AssertionError("unreachable")

        totals = {
            m: max(0, math.floor(v * scale(m) + 0.5)) for m, v in shape.items() if m not in taken
        }
        for window, value in windows:
            for m, part in zip(window, apportion(value, [shape[m] for m in window]), strict=True):
                totals[m] = part
        return dict(sorted(totals.items()))

    # Forces -----------------------------------------------------------------------------

    def force_weights(self, metric: str) -> list[float]:
        dataset = self.catalogue.metrics[metric].dataset
        lean = self.config.dataset_lean.get(dataset, {})
        rng = self.rng("force", metric)
        return [
            self.config.force_size(f)
            * lean.get(f, 1.0)
            * math.exp(self.config.size_jitter * rng.gauss(0, 1))
            for f in self.forces
        ]

    def force_values(self, spec: SeriesSpec, totals: dict[date, int]) -> dict[str, dict[date, int]]:
        metric = self.catalogue.metrics[spec.metric]
        weights = self.force_weights(spec.metric)
        values: dict[str, dict[date, int]] = {f: {} for f in self.forces}
        if metric.is_stock:
            rng = self.rng("wander", spec.metric)
            z = [0.0] * len(self.forces)
            for m, total in totals.items():
                z = [0.9 * zi + math.sqrt(1 - 0.81) * rng.gauss(0, 1) for zi in z]
                moved = [
                    w * math.exp(spec.force_noise * zi) for w, zi in zip(weights, z, strict=True)
                ]
                for f, v in zip(self.forces, apportion(total, moved), strict=True):
                    values[f][m] = v
        else:
            rng = self.rng("draw", spec.metric)
            for m, total in totals.items():
                for f, v in zip(self.forces, draw_counts(rng, total, weights), strict=True):
                    values[f][m] = v
        return values

    def split(
        self, spec: SeriesSpec, values: dict[str, dict[date, int]]
    ) -> dict[tuple[str, date], list[ReturnRow]]:
        """Breakdown rows for every force and month; each force's options add up to its total."""
        metric = self.catalogue.metrics[spec.metric]
        out: dict[tuple[str, date], list[ReturnRow]] = {}
        for b in spec.breakdowns:
            options = list(self.catalogue.breakdowns[b.name].options)
            anchors = dict(b.shares)
            mix = self.config.mix
            if mix.metric == spec.metric and mix.breakdown == b.name:
                anchors[mix.month] = mix.shares
            lean_rng = self.rng("lean", spec.metric, b.name)
            lean = {
                f: [math.exp(b.lean * lean_rng.gauss(0, 1)) for _ in options] for f in self.forces
            }
            draw_rng = self.rng("split", spec.metric, b.name)
            for m in self.active_months(spec):
                shares = interpolate_shares(anchors, m, options)
                if metric.is_stock:
                    row_totals = [values[f][m] for f in self.forces]
                    col_totals = apportion(sum(row_totals), [shares[o] for o in options])
                    seed = [
                        [values[f][m] * shares[o] * lean[f][k] for k, o in enumerate(options)]
                        for f in self.forces
                    ]
                    table = rake(row_totals, col_totals, seed)
                    cells = dict(zip(self.forces, table, strict=True))
                else:
                    cells = {
                        f: draw_counts(
                            draw_rng,
                            values[f][m],
                            [shares[o] * lean[f][k] for k, o in enumerate(options)],
                        )
                        for f in self.forces
                    }
                for f in self.forces:
                    out.setdefault((f, m), []).extend(
                        ReturnRow(spec.metric, b.name, o, v)
                        for o, v in zip(options, cells[f], strict=True)
                    )
        return out

    # Outlier comments -------------------------------------------------------------------

    def _outlier_rule(self) -> Callable[[int, list[int]], bool]:
        rule = next((r for r in self.catalogue.rules if r.kind == "outlier_high"), None)
        if rule is None:
            return lambda value, window: False
        min_history = int(rule.params.get("min_history", 6))
        factor = float(rule.params.get("factor", 3))
        min_excess = float(rule.params.get("min_excess", 10))

        def flagged(value: int, window: list[int]) -> bool:
            if len(window) < min_history:
                return False
            median = statistics.median(window)
            return value > factor * median and value - median > min_excess

        return flagged

    def _lookback(self) -> int:
        rule = next((r for r in self.catalogue.rules if r.kind == "outlier_high"), None)
        return int(rule.params.get("lookback_months", 12)) if rule else 12

    # Putting it together ----------------------------------------------------------------

    def generate(self) -> History:
        cfg, cat = self.config, self.catalogue
        missing = {(r.dataset, r.force, r.month) for r in cfg.missing_returns}
        event_comments = {(e.force, e.metric, e.month): e.comment for e in cfg.events}
        flagged = self._outlier_rule()
        lookback = self._lookback()
        national: dict[str, dict[date, int]] = {}
        totals_by_metric: dict[str, dict[str, dict[date, int]]] = {}
        splits: dict[str, dict[tuple[str, date], list[ReturnRow]]] = {}
        for code, spec in cfg.series.items():
            totals = self.national_totals(spec)
            values = self.force_values(spec, totals)
            for e in cfg.events:
                if e.metric == code and e.month in values[e.force]:
                    values[e.force][e.month] += e.add
            national[code] = {m: sum(values[f][m] for f in self.forces) for m in totals}
            totals_by_metric[code] = values
            splits[code] = self.split(spec, values)

        commented: dict[tuple[str, str, date], str] = {}
        for code, values in totals_by_metric.items():
            dataset = cat.metrics[code].dataset
            for f in self.forces:
                stored = {m: v for m, v in values[f].items() if (dataset, f, m) not in missing}
                for m, v in stored.items():
                    window = [
                        stored[p]
                        for i in range(1, lookback + 1)
                        if (p := add_months(m, -i)) in stored
                    ]
                    key = (f, code, m)
                    if key in event_comments:
                        commented[key] = event_comments[key]
                    elif flagged(v, window):
                        commented[key] = cfg.outlier_comment

        returns: dict[tuple[str, str, date], list[ReturnRow]] = {}
        for dataset in sorted(d for d, ds in cat.datasets.items() if ds.frequency == "monthly"):
            for m in self.months:
                for f in self.forces:
                    if (dataset, f, m) in missing:
                        continue
                    rows: list[ReturnRow] = []
                    for metric in cat.dataset_metrics(dataset):
                        if m not in totals_by_metric[metric.code][f]:
                            continue  # not collected yet (e.g. before the hashtag existed)
                        value = totals_by_metric[metric.code][f][m]
                        rows.append(
                            ReturnRow(
                                metric.code, "", "", value, commented.get((f, metric.code, m), "")
                            )
                        )
                        rows.extend(splits[metric.code].get((f, m), []))
                    if rows:
                        returns[(dataset, f, m)] = rows
        history = History(self.months, self.forces, returns, national, commented)
        failures = [
            msg
            for check in cfg.checks
            for msg in check_failures(check, national.get(check.metric, {}))
        ]
        if failures:
            raise GenerationError(
                "the generated history breaks the report's statements: " + "; ".join(failures)
            )
        return history


def check_failures(check: Check, monthly: Mapping[date, int | None]) -> list[str]:
    """What is wrong with a national monthly series against one of the report's statements."""
    months = Period(check.start, check.end, "range").months()
    label = f"{check.metric} {format_month(check.start)} to {format_month(check.end)}"
    if any(monthly.get(m) is None for m in months):
        return [f"{label}: months without a value"]
    values = {m: int(monthly[m] or 0) for m in months}
    high = check.high if check.high is not None else math.inf
    problems = []
    if check.kind == "quarterly_between":
        for m in months:
            if m.month % 3 == 1 and add_months(m, 2) in values:
                q = sum(values[add_months(m, i)] for i in range(3))
                if not check.low <= q <= high:
                    problems.append(
                        f"{label}: quarter from {format_month(m)} is {q}, not {check.low}-{check.high}"
                    )
    elif check.kind == "monthly_between":
        for m, v in values.items():
            if not check.low <= v <= high:
                problems.append(f"{label}: {format_month(m)} is {v}, not {check.low}-{check.high}")
    elif check.kind == "window_at_least":
        total = sum(values.values())
        if total < check.low:
            problems.append(f"{label}: {total} is under {check.low}")
    else:
        problems.append(f"{label}: unknown check kind {check.kind!r}")
    return problems


def generate(config: DemoConfig, catalogue: Catalogue, forces: Sequence[str]) -> History:
    return Generator(config, catalogue, forces).generate()
