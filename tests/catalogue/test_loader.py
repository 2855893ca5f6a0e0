"""The catalogue is data: YAML files, checked on load, each change kept as a revision."""

from __future__ import annotations

import shutil

import pytest

from msoic.catalogue.loader import (
    DEFINITIONS_DIR,
    CatalogueError,
    get_catalogue,
    load_catalogue,
    parse_sources,
)
from msoic.catalogue.models import CatalogueRevision

METRICS = {
    "ms_live_investigations": ("stock", ("exploitation_type",)),
    "ms_recorded_crimes": ("flow", ()),
    "ms_nrm_referrals": ("flow", ("age_group",)),
    "ms_dtn_reports": ("flow", ()),
    "ms_arrests": ("flow", ()),
    "ms_charges": ("flow", ()),
    "oic_disruptions": ("flow", ("level",)),
    "oic_soc_master_list": ("stock", ()),
    "oic_ocgs_mapped": ("stock", ()),
    "oic_intel_logs_tagged": ("flow", ()),
}


@pytest.mark.django_db
def test_shipped_catalogue_has_the_issues_metrics_and_datasets():
    cat = get_catalogue()
    assert cat.revision is not None  # loaded by migrate
    foundation = {m: (d.aggregation, d.breakdowns) for m, d in cat.metrics.items() if m in METRICS}
    assert foundation == METRICS
    assert {"ms-monthly", "oic-monthly"} <= set(cat.datasets)
    for ds in (cat.datasets["ms-monthly"], cat.datasets["oic-monthly"]):
        assert (ds.frequency, ds.orgunits, ds.due_day, ds.lock_on_approval) == (
            "monthly",
            "forces",
            15,
            True,
        )
    assert list(cat.breakdowns["exploitation_type"].options) == [
        "criminal",
        "sexual",
        "labour",
        "domestic_servitude",
        "organ_harvesting",
        "other",
    ]
    assert {r.importance for r in cat.rules} == {"error", "warning"}


@pytest.mark.django_db
def test_reload_keeps_history_and_unchanged_files_make_no_revision(tmp_path):
    first = CatalogueRevision.objects.count()
    _, created = load_catalogue()
    assert not created and CatalogueRevision.objects.count() == first
    copy = tmp_path / "defs"
    shutil.copytree(DEFINITIONS_DIR, copy)
    rules = copy / "rules.yaml"
    rules.write_text(rules.read_text().replace("factor: 3 ", "factor: 4 "))
    revision, created = load_catalogue(directory=copy)
    assert created and CatalogueRevision.objects.count() == first + 1
    outlier = next(r for r in get_catalogue().rules if r.kind == "outlier_high")
    assert outlier.params["factor"] == 4
    older = CatalogueRevision.objects.order_by("pk")[first - 1]
    assert "factor: 3 " in older.sources["rules.yaml"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("dataset: {code: x}\nmetrics: []", "missing 'label'"),
        (
            "rules:\n  - {code: a, kind: b, importance: fatal, message: m}",
            "importance must be error or warning",
        ),
        ("breakdowns:\n  b: {label: B, options: {}}", "non-empty"),
        (
            "dataset: {code: d, label: D, frequency: monthly, due_day: 15, first_period: '2021-04'}\n"
            "metrics:\n  - {code: m, label: M, aggregation: average}",
            "aggregation must be flow or stock",
        ),
        (
            "dataset: {code: d, label: D, frequency: monthly, due_day: 15, first_period: '2021-04'}\n"
            "metrics:\n  - {code: m, label: M, aggregation: flow, breakdowns: [nope]}",
            "unknown breakdown",
        ),
        ("a: [", "not valid YAML"),
    ],
)
def test_malformed_definitions_are_named(text, says):
    with pytest.raises(CatalogueError, match=says):
        parse_sources({"bad.yaml": text})
