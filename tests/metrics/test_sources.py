"""Derived sources: an app plugs figures it counts from its records into the engine, the
returns pipeline and the return forms through ``msoic.metrics.sources``, and the core
modules never import the app."""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator
from datetime import date
from pathlib import Path

import pytest

from msoic.catalogue.loader import Catalogue
from msoic.collection.pipeline import import_file
from msoic.metrics import sources
from msoic.metrics.engine import query, series
from msoic.metrics.sources import Cells, SourceError, covered_months
from msoic.orgunits.models import OrgUnit
from tests.conftest import csv_bytes
from tests.metrics.test_engine import load, monthly

SRC = Path(__file__).resolve().parents[2] / "src" / "msoic"
# The core: apps the feature apps build on; they find feature apps through registries.
# (accounts/access.py still holds each app's access rules: issue 8 item 3 moves them.)
CORE = ("orgunits", "audit", "catalogue", "collection", "metrics", "dashboards", "api")


def ou(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


class ArrestLog:
    """A made-up app deriving arrests: 4 a month for each force it covers."""

    label = "arrest log"

    def __init__(self, firsts: dict[int, date]) -> None:
        self.firsts = firsts

    def metrics(self) -> frozenset[str]:
        return frozenset({"ms_arrests"})

    def coverage(
        self, metrics: Collection[str], orgunit_ids: Collection[int] | None = None
    ) -> dict[str, dict[int, date]]:
        if "ms_arrests" not in metrics:
            return {}
        return {
            "ms_arrests": {
                k: v for k, v in self.firsts.items() if orgunit_ids is None or k in orgunit_ids
            }
        }

    def all_coverage(self) -> dict[tuple[str, str], date]:
        codes = dict(OrgUnit.objects.filter(pk__in=self.firsts).values_list("pk", "code"))
        return {(codes[k], "ms_arrests"): v for k, v in self.firsts.items()}

    def cells(
        self,
        metric: str,
        coverage: dict[int, date],
        months: list[date],
        breakdown: str | None,
        catalogue: Catalogue | None = None,
    ) -> Cells:
        return Cells(totals={pair: 4 for pair in covered_months(coverage, months)})


@pytest.fixture
def arrest_log_for_kent(db) -> Iterator[ArrestLog]:
    source = ArrestLog({ou("kent").pk: date(2024, 1, 1)})
    sources.register(source)
    yield source
    sources.unregister(source)


def test_the_register_is_the_source_of_its_three_metrics():
    register = sources.source_for("ms_live_investigations")
    assert register is not None and register.label == "investigation register"
    assert sources.source_for("ms_nrm_referrals") is register
    assert sources.source_for("ms_dtn_reports") is register
    assert sources.source_for("ms_recorded_crimes") is None


def test_a_second_source_for_a_metric_already_derived_is_refused():
    class Rival(ArrestLog):
        label = "rival register"

        def metrics(self) -> frozenset[str]:
            return frozenset({"ms_nrm_referrals"})

    with pytest.raises(SourceError, match="ms_nrm_referrals already derived by investigation"):
        sources.register(Rival({}))
    with pytest.raises(SourceError, match="does not implement"):
        sources.register(object())  # type: ignore[arg-type]


@pytest.mark.django_db
def test_an_app_plugged_in_replaces_a_forces_returns_from_its_first_month():
    # Kent returned 10 arrests a month before the app derived them (from January 2024).
    load(
        monthly("kent", "ms_arrests", "2023-11", 4, 10)
        + monthly("essex", "ms_arrests", "2023-11", 4, 1)
    )
    # Other apps' sources may derive other metrics for every force (training attendance).
    others = sources.derived_metrics(ou("kent").pk, date(2024, 2, 1))
    log = ArrestLog({ou("kent").pk: date(2024, 1, 1)})
    sources.register(log)
    try:
        result = query("ms_arrests", ou("eastern"), "2024-01", by="force")
        points = series("ms_arrests", ou("kent"), date(2023, 11, 1), date(2024, 2, 1))
        derived_feb = sources.derived_metrics(ou("kent").pk, date(2024, 2, 1))
        derived_dec = sources.derived_metrics(ou("kent").pk, date(2023, 12, 1))
    finally:
        sources.unregister(log)
    assert result.value == 4 + 1 and result.value_from_register == 4
    assert {r.key: r.value for r in result.rows}["kent"] == 4
    assert result.coverage.register_forces == ["kent"]
    assert [p.value for p in points] == [10, 10, 4, 4]
    assert derived_feb - others == {"ms_arrests"} and derived_dec == others
    assert query("ms_arrests", ou("kent"), "2024-01").value == 10  # unplugged: the return


@pytest.mark.django_db
def test_the_pipeline_refuses_a_return_of_a_figure_an_app_derives(arrest_log_for_kent):
    outcome = import_file(
        "kent.csv", csv_bytes([["kent", "2024-02", "ms_arrests", "", 3, ""]]), actor=None
    )
    assert outcome.status == "rejected"
    [problem] = outcome.errors
    assert problem.rule == "figure_from_register"
    assert "Kent Police has counted Modern slavery arrests" in problem.message
    assert "since January 2024" in problem.message


def _imported_modules(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


@pytest.mark.parametrize("app", CORE)
def test_no_core_module_imports_the_register_even_inside_a_function(app):
    offenders = [
        f"{path.relative_to(SRC)} imports {name}"
        for path in sorted((SRC / app).rglob("*.py"))
        for name in _imported_modules(path)
        if name == "msoic.cases" or name.startswith("msoic.cases.")
    ]
    assert offenders == []


def test_a_national_figures_source_without_its_national_values_cannot_be_made():
    """``national_values`` is each such source's own: the base declares it abstract, so a
    source that leaves it out fails when it is made, not when a dashboard first asks."""

    class Forgetful(sources.NationalFiguresSource):
        label = "forgetful"
        dataset = "ms-monthly"
        metric_codes = frozenset({"ms_arrests"})

    class Counting(Forgetful):
        def national_values(self, metric: str, months: list[date]) -> dict[date, int]:
            return dict.fromkeys(months, 1)

    with pytest.raises(TypeError, match="national_values"):
        Forgetful()  # type: ignore[abstract]
    assert Counting().national_values("ms_arrests", [date(2024, 1, 1)]) == {date(2024, 1, 1): 1}
