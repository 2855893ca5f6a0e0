"""Building, approving and publishing a report on a small world: the engine's figures in
the draft, a frozen snapshot once published, corrections listed as changes, disclosure
control on what is published, and clear refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from msoic.metrics.periods import Period
from msoic.reports import actions, render
from msoic.reports.models import Build, Edition, ReportTemplate
from msoic.reports.resolve import PUBLICATION, build
from msoic.reports.tags import TemplateError, parse_template
from tests.reports.conftest import publish, small_world, submit

pytestmark = pytest.mark.django_db
FY = Period.parse("FY2023-24")


def _figures(built: Any) -> dict[str, Any]:
    return {fid: f["value"] for fid, f in built.figures.items()}


def test_a_draft_states_the_engines_figures_with_provenance(personas: dict[str, Any]) -> None:
    _, edition = small_world(personas["national"])
    built = actions.build_text(edition.template.current().text, FY)
    assert built.errors == [] and built.warnings == []
    assert _figures(built) == {"crimes": 20, "kent-crimes": 14, "disruptions": 4}
    crimes = built.figures["crimes"]
    assert crimes["text"] == "20" and crimes["line"] == 3
    provenance = crimes["provenance"]
    assert (
        provenance["query"] == "msoic query ms_recorded_crimes --orgunit national --period 2024-01"
    )
    assert (provenance["returns_received"], provenance["returns_expected"]) == (2, 43)
    assert provenance["complete"] is False and "kent" not in provenance["missing_forces"]
    assert crimes["link"] == "/dashboards/ms/?orgunit=national&period=2024-01"
    assert built.figures["disruptions"]["text"] == "over 2"


def test_a_correction_changes_the_draft_but_not_the_published_snapshot(
    personas: dict[str, Any],
) -> None:
    national = personas["national"]
    _, edition = small_world(national)
    edition = publish(edition, national)
    assert edition.is_published and edition.snapshot is not None
    published = {f["id"]: f["value"] for f in edition.snapshot["figures"]}
    assert published["crimes"] == 20
    submit(
        personas["kent"], [["kent", "2024-01", "ms_recorded_crimes", "", 15, "recount"]], "fix.csv"
    )

    draft = actions.build_text(edition.template.current().text, FY)
    assert _figures(draft)["crimes"] == 21 and _figures(draft)["kent-crimes"] == 15
    edition.refresh_from_db()
    assert {f["id"]: f["value"] for f in edition.snapshot["figures"]} == published
    changes = actions.changes_since_publication(edition)
    assert [(c["id"], c["published_text"], c["now_text"]) for c in changes] == [
        ("crimes", "20", "21"),
        ("kent-crimes", "14", "15"),
    ]
    # Every output of the published report is drawn from the snapshot.
    data = json.loads(render.render(actions.published(edition), "json"))
    assert {f["id"]: f["value"] for f in data["figures"]}["crimes"] == 20
    client = Client()
    client.force_login(national)
    page = client.get(f"/reports/{edition.pk}/changes/")
    assert page.status_code == 200 and "21" in page.content.decode()


def test_a_published_report_is_never_published_again(personas: dict[str, Any]) -> None:
    national = personas["national"]
    _, edition = small_world(national)
    publish(edition, national)
    with pytest.raises(actions.ReportError, match="never rebuilt"):
        actions.do_publish_edition(edition, actor=national)


def test_a_false_qualifier_warns_with_the_template_line(personas: dict[str, Any]) -> None:
    text = "# Figures\n\nDisruptions: [[oic_disruptions period=2024-01 q=over say=10]].\n"
    small_world(personas["national"], text)
    built = build(parse_template(text), FY)
    assert built.errors == []
    assert built.figures["oic_disruptions-value-2024-01-national"]["qualifier_holds"] is False
    assert built.warnings == [
        'line 3: [[oic_disruptions period=2024-01 q=over say=10]]: "over 10" no longer holds: '
        "the figure is 4"
    ]


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("[[ms_nothing]]", "unknown metric 'ms_nothing'"),
        ("[[ms_arrests orgunit=atlantis]]", "unknown org unit 'atlantis'"),
        ("[[ms_arrests period=FY2023-25]]", "a financial year runs into the next year"),
        ("[[ms_arrests period=someday]]", "'someday' is not a period"),
        ("[[ms_arrests dataset=nothing]]", "unknown dataset 'nothing'"),
        ("[[ms_arrests by=colour]]", "cannot be split by 'colour'"),
        (
            "[[ms_nrm_referrals by=age_group option=ancient show=share]]",
            "'ancient' is not an option of age_group",
        ),
    ],
)
def test_an_unknown_metric_org_unit_or_period_is_an_error_with_the_line(
    personas: dict[str, Any], tag: str, message: str
) -> None:
    small_world(personas["national"])
    built = build(parse_template(f"# Figures\n\nText {tag}.\n"), FY)
    assert len(built.errors) == 1
    assert built.errors[0].startswith(f"line 3: {tag}") and message in built.errors[0]


def test_publication_withholds_people_for_periods_disclosure_control_refuses(
    personas: dict[str, Any],
) -> None:
    national = personas["national"]
    submit(national, [["kent", "2024-01", "ms_arrests", "", 7, ""]])
    text = "# Figures\n\nArrests: [[ms_arrests period=2024-01]].\n"
    draft = build(parse_template(text), FY)
    assert draft.errors == [] and _figures(draft) == {"ms_arrests-value-2024-01-national": 7}
    published = build(parse_template(text), FY, mode=PUBLICATION)
    assert len(published.errors) == 1
    assert published.errors[0].startswith("line 3: [[ms_arrests period=2024-01]]: withheld")
    assert "financial years" in published.errors[0]
    template = ReportTemplate.objects.create(name="arrests", title="Arrests")
    actions.do_save_template_version(template, text, actor=national)
    edition = actions.do_approve_edition(
        actions.do_create_edition(template, "FY2023-24", actor=national), actor=national
    )
    with pytest.raises(actions.ReportError) as refused:
        actions.do_publish_edition(edition, actor=national)
    assert refused.value.problems == published.errors
    edition.refresh_from_db()
    assert edition.status == Edition.Status.APPROVED and edition.snapshot is None


def test_a_template_with_problems_is_not_saved(personas: dict[str, Any]) -> None:
    template, _ = small_world(personas["national"])
    with pytest.raises(TemplateError):
        actions.do_save_template_version(
            template, "[[ms_arrests q=maybe]]", actor=personas["national"]
        )
    assert template.versions.count() == 1
    client = Client()
    client.force_login(personas["national"])
    page = client.post("/reports/templates/small/", {"text": "Bad [[ms_arrests round=x]]"})
    assert page.status_code == 200
    assert (
        "line 1: [[ms_arrests round=x]]: round=&#x27;x&#x27; is not a whole number"
        in page.content.decode()
    )
    assert template.versions.count() == 1
    saved = client.post("/reports/templates/small/", {"text": "# New\n[[ms_arrests]]", "note": "x"})
    assert saved.status_code == 302 and template.versions.count() == 2


def test_a_build_runs_on_the_worker_with_progress_and_keeps_its_template_version(
    personas: dict[str, Any],
) -> None:
    national = personas["national"]
    template, edition = small_world(national)
    job = actions.do_start_build(edition, "xlsx", actor=national)
    assert job.status == Build.Status.PENDING and job.version.number == 1
    # The unit edits the template while the build waits: the build keeps version 1.
    actions.do_save_template_version(template, "# Other\n[[ms_arrests]]", actor=national)
    done = actions.run_build(job.pk)
    assert done.status == Build.Status.DONE and done.percent == 100 and done.figures == 3
    client = Client()
    client.force_login(national)
    page = client.get(f"/reports/builds/{job.pk}/", HTTP_HX_REQUEST="true")
    assert "Built: 3 figures" in page.content.decode()
    download = client.get(f"/reports/builds/{job.pk}/file/")
    assert download["Content-Disposition"] == 'attachment; filename="small-FY2023-24.xlsx"'


def test_the_shipped_annual_template_reads_without_a_problem() -> None:
    text, version = actions.template_text("annual")
    assert version is None
    template = parse_template(text)
    assert len(template.tags()) > 40


def test_the_queries_do_not_grow_with_the_figures(personas: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small_world(personas["national"])
    few = "[[ms_recorded_crimes period=2024-01]] [[oic_disruptions period=2024-01 orgunit=kent]]"
    many = few + " ".join(
        f" [[{m} period={p} orgunit={o}]]"
        for m in ("ms_recorded_crimes", "oic_disruptions")
        for p in ("2024-01", "FY2023-24", "R12-2024-02")
        for o in ("national", "kent", "eastern")
    )
    counts = []  # the org units asked about are the same three in both
    few += " [[ms_recorded_crimes period=2024-01 orgunit=eastern]]"
    for text in (few, many):
        template = parse_template(text)
        build(template, FY)  # the catalogue loaded once
        with CaptureQueriesContext(connection) as queries:
            built = build(template, FY)
        assert built.errors == []
        counts.append(len(queries))
    assert len(parse_template(many).tags()) == 20 and len(parse_template(few).tags()) == 3
    assert counts[0] == counts[1], counts


def test_the_command_builds_a_file_or_says_what_is_wrong(
    personas: dict[str, Any], tmp_path: Any
) -> None:
    from django.core.management import CommandError, call_command

    template, _ = small_world(personas["national"])
    out = tmp_path / "small.json"
    call_command(
        "report", "build", "small", "--period", "FY2023-24", "--format", "json", "--out", str(out)
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {f["id"]: f["value"] for f in data["figures"]} == {
        "crimes": 20,
        "kent-crimes": 14,
        "disruptions": 4,
    }
    with pytest.raises(
        CommandError, match="no report template 'nothing' \\(templates: annual, small\\)"
    ):
        call_command(
            "report",
            "build",
            "nothing",
            "--period",
            "FY2023-24",
            "--format",
            "json",
            "--out",
            str(out),
        )
    actions.do_save_template_version(
        template, "# A\n\n[[ms_nothing]]\n", actor=personas["national"]
    )
    with pytest.raises(CommandError, match="line 3: \\[\\[ms_nothing\\]\\]: unknown metric"):
        call_command(
            "report",
            "build",
            "small",
            "--period",
            "FY2023-24",
            "--format",
            "pdf",
            "--out",
            str(out),
        )


def test_the_audit_log_names_reports_for_the_unit(personas: dict[str, Any]) -> None:
    from msoic.audit.models import AuditEvent
    from msoic.audit.names import name_events

    national = personas["national"]
    _, edition = small_world(national)
    actions.do_start_build(edition, "json", actor=national)
    publish(edition, national)
    events = list(AuditEvent.objects.filter(object_type__startswith="reports."))
    assert {e.object_type for e in events} == {
        "reports.reporttemplate",
        "reports.edition",
        "reports.build",
    }
    names = [row.obj.label for row in name_events(national, events) if row.obj]
    assert len(names) == len(events)
    assert "Small report, FY2023-24" in names and "JSON build of Small report, FY2023-24" in names
    # Another user is told nothing about the unit's templates and builds.
    kent = name_events(personas["kent"], events)
    assert {r.obj.label for r in kent if r.obj} == {"Small report, FY2023-24"}


def test_the_unit_reads_the_draft_with_its_warnings_and_others_never_do(
    personas: dict[str, Any],
) -> None:
    text = "title: Small report\n# Figures\nDisruptions: [[oic_disruptions period=2024-01 q=over say=9]].\n"
    _, edition = small_world(personas["national"], text)
    client = Client()
    client.force_login(personas["national"])
    page = client.get(f"/reports/{edition.pk}/?preview=1").content.decode()
    assert "over 9" in page and "1 qualified figure no longer holds" in page
    assert "the figure is 4" in page
    other = Client()
    other.force_login(personas["eastern"])
    assert other.get(f"/reports/{edition.pk}/?preview=1").status_code == 404
