"""The demo generator on its own: whole-number splitting, determinism, shapes, settings.

No database: the catalogue is read from its YAML files and the forces from the shipped
reference CSV.
"""

from __future__ import annotations

import csv
import dataclasses
import random
from datetime import date

import pytest
import yaml

from msoic.catalogue.loader import build, parse_sources, read_sources
from msoic.demo.config import (
    CALIBRATION_FILE,
    Check,
    DemoConfigError,
    LateReturn,
    load_config,
    parse_config,
)
from msoic.demo.generator import (
    GenerationError,
    History,
    apportion,
    check_failures,
    draw_counts,
    generate,
    rake,
)
from msoic.metrics.periods import Period
from msoic.orgunits.reference import FORCES_CSV


@pytest.fixture(scope="module")
def catalogue():
    return build(parse_sources(read_sources()), None)


@pytest.fixture(scope="module")
def forces() -> list[str]:
    with FORCES_CSV.open(encoding="utf-8", newline="") as handle:
        return [row["force_code"] for row in csv.DictReader(handle)]


@pytest.fixture(scope="module")
def history(catalogue, forces) -> History:
    return generate(load_config(), catalogue, forces)


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (10, [1, 1, 1], [4, 3, 3]),  # ties go to the earlier weight
        (7, [0.5, 0.25, 0.25], [3, 2, 2]),  # largest fractions first
        (100, [1, 0, 3], [25, 0, 75]),
        (0, [1, 2], [0, 0]),
        (5, [0, 0], [3, 2]),  # no weight at all: shared evenly
        (3552, [0.6, 0.17, 0.16, 0.03, 0.002, 0.038], [2131, 604, 568, 107, 7, 135]),
    ],
)
def test_apportion_splits_a_whole_number_exactly(total, weights, expected):
    parts = apportion(total, weights)
    assert parts == expected
    assert sum(parts) == total


def test_apportion_refuses_negative_totals_and_weights():
    with pytest.raises(ValueError):
        apportion(-1, [1])
    with pytest.raises(ValueError):
        apportion(3, [1, -1])


def test_draw_counts_adds_up_and_repeats_with_the_same_seed():
    first = draw_counts(random.Random(7), 500, [8, 1, 1, 0.1])
    again = draw_counts(random.Random(7), 500, [8, 1, 1, 0.1])
    assert sum(first) == 500
    assert first == again
    assert first[0] > first[1] > 0


def test_rake_keeps_both_margins_exactly():
    rng = random.Random(3)
    rows = [rng.randint(0, 600) for _ in range(43)]
    cols = apportion(sum(rows), [0.6, 0.17, 0.16, 0.03, 0.002, 0.038])
    seed = [[r * rng.uniform(0.5, 1.5) for _ in cols] for r in rows]
    table = rake(rows, cols, seed)
    assert [sum(r) for r in table] == rows
    assert [sum(r[j] for r in table) for j in range(len(cols))] == cols
    assert all(v >= 0 for r in table for v in r)


def test_the_history_is_the_same_on_every_run(catalogue, forces, history):
    again = generate(load_config(), catalogue, forces)
    assert again.returns == history.returns


def test_every_return_has_breakdowns_that_add_up_to_its_total(catalogue, history):
    for (_dataset, force, month), rows in history.returns.items():
        totals = {r.metric: r.value for r in rows if not r.breakdown}
        parts: dict[tuple[str, str], int] = {}
        for r in rows:
            if r.breakdown:
                parts[(r.metric, r.breakdown)] = parts.get((r.metric, r.breakdown), 0) + r.value
        for (metric, breakdown), summed in parts.items():
            assert summed == totals[metric], (force, month, metric, breakdown)
        for metric, _ in totals.items():
            assert len([r for r in rows if r.metric == metric and r.breakdown]) == sum(
                len(catalogue.breakdowns[b].options) for b in catalogue.metrics[metric].breakdowns
            )


def test_big_forces_carry_more_cases_than_small_ones(history):
    def live(force: str) -> int:
        value = history.value("ms-monthly", force, date(2024, 2, 1), "ms_live_investigations")
        assert value is not None
        return value

    assert (
        live("metropolitan")
        > live("west-midlands")
        > live("kent")
        > live("dyfed-powys")
        > live("city-of-london")
    )
    assert live("city-of-london") < 40


def test_organised_immigration_crime_leans_to_kent(history):
    def fy_disruptions(force: str) -> int:
        return sum(
            history.value("oic-monthly", force, m, "oic_disruptions") or 0
            for m in Period.parse("FY2023-24").months()
        )

    assert fy_disruptions("kent") > fy_disruptions("lancashire")


def test_the_hashtag_metric_starts_in_august_2023(history, forces):
    for (dataset, _force, month), rows in history.returns.items():
        tagged = [r for r in rows if r.metric == "oic_intel_logs_tagged"]
        if dataset == "oic-monthly":
            assert bool(tagged) == (month >= date(2023, 8, 1))
    first = sum(
        history.value("oic-monthly", f, date(2023, 8, 1), "oic_intel_logs_tagged") or 0
        for f in forces
    )
    later = sum(
        history.value("oic-monthly", f, date(2024, 6, 1), "oic_intel_logs_tagged") or 0
        for f in forces
    )
    assert 0 < first < later


def test_missing_returns_are_left_out(history):
    assert ("ms-monthly", "city-of-london", date(2024, 9, 1)) not in history.returns
    assert ("ms-monthly", "city-of-london", date(2024, 8, 1)) in history.returns


def test_recorded_crime_shows_seasonality_and_noise(history):
    series = history.national["ms_recorded_crimes"]
    values = [series[m] for m in Period.parse("FY2021-22").months()]
    assert len(set(values)) > 6  # not a flat line


def test_rows_the_outlier_rule_flags_carry_a_comment(history):
    rows = history.returns[("ms-monthly", "west-yorkshire", date(2023, 10, 1))]
    arrests = next(r for r in rows if r.metric == "ms_arrests" and not r.breakdown)
    assert "Day of action" in arrests.comment


def test_check_failures_name_the_quarter_out_of_band():
    check = Check(
        "quarterly_between", "ms_recorded_crimes", date(2022, 1, 1), date(2022, 6, 1), 2500, 2700
    )
    monthly = {date(2022, m, 1): 850 for m in range(1, 7)}
    assert check_failures(check, monthly) == []
    monthly[date(2022, 5, 1)] = 1100
    assert check_failures(check, monthly) == [
        "ms_recorded_crimes 2022-01 to 2022-06: quarter from 2022-04 is 2800, not 2500-2700"
    ]


def test_a_target_outside_the_demo_months_is_refused(catalogue, forces):
    config = load_config()
    bad = dataclasses.replace(
        config,
        targets=(
            *config.targets,
            dataclasses.replace(config.targets[2], period=Period.parse("R12-2021-05")),
        ),
    )
    with pytest.raises(GenerationError, match="outside the demo months"):
        generate(bad, catalogue, forces)


def test_overlapping_target_windows_are_refused(catalogue, forces):
    config = load_config()
    overlap = dataclasses.replace(config.targets[2], period=Period.parse("R12-2023-08"))
    with pytest.raises(GenerationError, match="overlap"):
        generate(dataclasses.replace(config, targets=(*config.targets, overlap)), catalogue, forces)


def test_a_late_return_must_arrive_after_the_deadline(catalogue, forces):
    config = load_config()
    early = LateReturn(force="kent", dataset="ms-monthly", month=date(2022, 1, 1), day=14)
    with pytest.raises(GenerationError, match="on time"):
        generate(dataclasses.replace(config, late_returns=(early,)), catalogue, forces)


def test_settings_refuse_an_event_on_a_calibrated_metric():
    doc = yaml.safe_load(CALIBRATION_FILE.read_text(encoding="utf-8"))
    doc["events"] = [
        {
            "force": "kent",
            "metric": "ms_recorded_crimes",
            "month": "2022-05",
            "add": 5,
            "comment": "x",
        }
    ]
    with pytest.raises(DemoConfigError, match="calibration targets"):
        parse_config(doc)


def test_a_generated_history_that_breaks_the_report_is_refused(catalogue, forces):
    config = load_config()
    spec = config.series["ms_recorded_crimes"]
    jumpy = dataclasses.replace(spec, seasonal=0.4)
    with pytest.raises(GenerationError, match="breaks the report"):
        generate(
            dataclasses.replace(config, series={**config.series, "ms_recorded_crimes": jumpy}),
            catalogue,
            forces,
        )
