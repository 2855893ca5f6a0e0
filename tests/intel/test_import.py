"""Extracts of intelligence logs: what is stored, what is refused (whole, with file, sheet,
row and column), and re-sending (updates, never duplicates, keeps versions)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from msoic.audit.models import AuditEvent
from msoic.intel.actions import do_import_extract
from msoic.intel.models import IntelImport, IntelLog, IntelLogVersion, IntelSender
from msoic.orgunits.models import OrgUnit
from tests.intel.conftest import HEADER, extract_csv, extract_xlsx, log_row, send
from tests.security.hostile_files import dimension_lie, long_cell, workbook, zip_bomb

pytestmark = pytest.mark.django_db


def _import(actor: Any, data: bytes, *, force: str = "kent", name: str = "extract.csv") -> Any:
    return do_import_extract(OrgUnit.objects.get(code=force), name, data, actor=actor)


def test_an_extract_is_stored_with_its_grading_themes_and_sender(personas):
    rows = [
        log_row("KT-1"),
        log_row(
            "KT-2",
            hashtags="#MSREF",
            route="",
            exploitation_types="labour; criminal",
            handling_code="C",
            handling_conditions="Not to be shared outside law enforcement",
            intelligence_assessment="c",
            investigation="KT/123/24",
        ),
    ]
    outcome = send(personas["kent"], "kent", rows)
    assert (outcome.new, outcome.updated, outcome.unchanged) == (2, 0, 0)
    tagged = IntelLog.objects.get(reference="KT-1")
    assert (tagged.oic_tagged, tagged.ms_referred, tagged.route, tagged.grading) == (
        True,
        False,
        "small_boat",
        "2BP",
    )
    referred = IntelLog.objects.get(reference="KT-2")
    assert (referred.oic_tagged, referred.ms_referred) == (False, True)
    assert referred.exploitation_types == ["criminal", "labour"]
    assert referred.grading == "2CC" and referred.investigation_ref == "KT/123/24"
    assert referred.received_on == timezone.localdate()
    # Kent now sends extracts: its tagged count is derived from the month of its first log.
    assert IntelSender.objects.get(force__code="kent").from_month.isoformat() == "2023-09-01"
    row = AuditEvent.objects.get(detail__step="intel.import_extract")
    assert row.action == "collection" and row.detail["intel_logs_count"] == 2


def test_an_xlsx_extract_is_read_like_a_csv(personas):
    outcome = _import(personas["kent"], extract_xlsx([log_row("KT-9")]), name="logs.xlsx")
    assert outcome.ok and IntelLog.objects.filter(reference="KT-9").exists()


def test_resending_updates_never_duplicates_and_keeps_versions(personas):
    kent = personas["kent"]
    send(kent, "kent", [log_row("KT-1"), log_row("KT-2")])
    again = send(kent, "kent", [log_row("KT-1"), log_row("KT-2")])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    regraded = send(
        kent, "kent", [log_row("KT-1", source_evaluation="1", intelligence_assessment="A")]
    )
    assert (regraded.new, regraded.updated, regraded.unchanged) == (0, 1, 0)
    assert IntelLog.objects.filter(reference="KT-1").count() == 1
    log = IntelLog.objects.get(reference="KT-1")
    assert (log.version, log.grading) == (2, "1AP")
    old = IntelLogVersion.objects.get(log=log)
    assert old.number == 1
    assert (old.fields["source_evaluation"], old.fields["assessment"]) == ("2", "B")


def test_the_same_reference_in_another_force_is_another_log(personas):
    send(personas["kent"], "kent", [log_row("REF-1")])
    send(personas["essex"], "essex", [log_row("REF-1")])
    assert IntelLog.objects.filter(reference="REF-1").count() == 2


def _refused(actor: Any, data: bytes, *, name: str = "extract.csv", force: str = "kent") -> Any:
    before = (IntelLog.objects.count(), IntelLogVersion.objects.count())
    outcome = _import(actor, data, force=force, name=name)
    assert not outcome.ok
    assert (IntelLog.objects.count(), IntelLogVersion.objects.count()) == before
    assert AuditEvent.objects.filter(action="reject", detail__step="intel.import_extract").exists()
    return outcome


@pytest.mark.parametrize(
    ("given", "column", "says"),
    [
        ({"source_evaluation": "4"}, "D (source_evaluation)", "unknown source evaluation '4'"),
        (
            {"intelligence_assessment": "F"},
            "E (intelligence_assessment)",
            "unknown intelligence assessment 'F'",
        ),
        ({"handling_code": "X"}, "F (handling_code)", "unknown handling code 'X'"),
        ({"handling_code": "C"}, "G (handling_conditions)", "handling code C needs its conditions"),
        ({"route": "rail"}, "H (route)", "unknown route 'rail'"),
        (
            {"exploitation_types": "forced begging"},
            "I (exploitation_types)",
            "unknown exploitation type",
        ),
        ({"created": "2023-13-01"}, "B (created)", "is not a date"),
        (
            {"hashtags": "#OTHER", "exploitation_types": ""},
            "C (hashtags)",
            "neither the national hashtag",
        ),
        ({"summary": ""}, "J (summary)", "no summary"),
        (
            {"summary": "Intelligence that Ahmed Khan runs crossings from the coast."},
            "J (summary)",
            "may name a person (Ahmed Khan)",
        ),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_row_and_column(personas, given, column, says):
    data = extract_csv([log_row("KT-1"), log_row("KT-2", **given)])
    outcome = _refused(personas["kent"], data)
    [problem] = outcome.problems
    assert (problem.file, problem.row, problem.column) == ("extract.csv", 3, column)
    assert says in problem.message


def test_a_date_in_the_future_is_refused(personas):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    outcome = _refused(personas["kent"], extract_csv([log_row("KT-1", created=tomorrow)]))
    assert "in the future" in outcome.problems[0].message


def test_a_reference_twice_in_a_file_is_refused(personas):
    outcome = _refused(personas["kent"], extract_csv([log_row("KT-1"), log_row("KT-1")]))
    assert outcome.problems[0].row == 3
    assert "twice (as on row 2)" in outcome.problems[0].message


def test_another_forces_logs_are_refused(personas):
    header = [*HEADER, "force"]
    rows = [[*log_row("KT-1"), "kent"], [*log_row("ES-1"), "Essex Police"]]
    outcome = _refused(personas["national"], extract_csv(rows, header))
    [problem] = outcome.problems
    assert problem.row == 3 and problem.column == "M (force)"
    assert "not this extract's force (kent)" in problem.message


def test_names_the_sender_confirms_are_not_names_are_accepted(personas):
    header = [*HEADER, "names_confirmed"]
    summary = "Lorries seen at Thurrock Services heading for Purfleet Docks."
    assert not _import(
        personas["kent"], extract_csv([[*log_row("KT-1", summary=summary), ""]], header)
    ).ok
    outcome = _import(
        personas["kent"], extract_csv([[*log_row("KT-1", summary=summary), "yes"]], header)
    )
    assert outcome.ok
    assert IntelLog.objects.get(reference="KT-1").summary == summary  # kept as sent, not guessed


def test_every_problem_of_a_file_is_listed_together(personas):
    data = extract_csv([log_row("KT-1", source_evaluation="9"), log_row("KT-2", handling_code="Q")])
    outcome = _refused(personas["kent"], data)
    assert [(p.row, p.column[:1]) for p in outcome.problems] == [(2, "D"), (3, "F")]


def test_a_missing_column_is_refused_on_the_header_row(personas):
    header = [c for c in HEADER if c != "handling_code"]
    rows = [[v for c, v in zip(HEADER, log_row(), strict=True) if c != "handling_code"]]
    outcome = _refused(personas["kent"], extract_csv(rows, header))
    assert outcome.problems[0].row == 1 and "'handling_code'" in outcome.problems[0].message


@pytest.mark.parametrize(
    ("hostile", "says"),
    [
        (lambda base: zip_bomb(base), "compress"),
        (lambda base: dimension_lie(base), ""),
        (lambda base: long_cell(base), "characters"),
    ],
)
def test_hostile_workbooks_are_refused_through_the_bounded_reading_path(personas, hostile, says):
    base = workbook([log_row("KT-1")], sheet="Logs", header=HEADER)
    outcome = _refused(personas["kent"], hostile(base), name="logs.xlsx")
    assert outcome.problems and says in str(outcome.problems[0]).lower()


def test_an_oversize_file_is_refused(personas, settings):
    settings.MSOIC_MAX_UPLOAD_BYTES = 2000
    rows = [log_row(f"KT-{i}") for i in range(40)]
    outcome = _refused(personas["kent"], extract_csv(rows))
    assert "bytes" in outcome.problems[0].message or "large" in outcome.problems[0].message


def test_a_force_cannot_send_another_forces_extract(personas):
    with pytest.raises(PermissionDenied):
        _import(personas["kent"], extract_csv([log_row()]), force="essex")
    for who in ("eastern", "partner", "admin"):
        with pytest.raises(PermissionDenied):
            _import(personas[who], extract_csv([log_row()]))
    assert not IntelLog.objects.exists()


def test_the_command_imports_checks_and_refuses(personas, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(extract_csv([log_row("KT-1")]))
    call_command("import_intel", str(good), "--force", "kent", "--dry-run", "--user", "kent.user")
    assert "would store 1 new" in capsys.readouterr().out
    assert not IntelLog.objects.exists()
    call_command("import_intel", str(good), "--force", "kent", "--user", "kent.user")
    assert IntelLog.objects.count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_bytes(extract_csv([log_row("KT-2", handling_code="C")]))
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_intel", str(bad), "--force", "kent")
    assert "bad.csv, row 2, column G (handling_conditions)" in capsys.readouterr().out
    with pytest.raises(CommandError, match="cannot send"):
        call_command("import_intel", str(good), "--force", "essex", "--user", "kent.user")
    assert IntelImport.objects.filter(status="rejected").count() == 1


def _stored(force: str) -> list[tuple[Any, ...]]:
    """Every stored log of ``force`` and its versions, as the database gives them back."""
    out = []
    for log in IntelLog.objects.filter(force__code=force).order_by("reference"):
        versions = [
            (v.number, v.fields) for v in IntelLogVersion.objects.filter(log=log).order_by("number")
        ]
        out.append(
            (
                log.reference,
                log.created_on.isoformat(),
                log.hashtags,
                log.oic_tagged,
                log.ms_referred,
                log.grading,
                log.handling_conditions,
                log.route,
                log.exploitation_types,
                log.summary,
                log.investigation_ref,
                log.operation,
                log.version,
                log.digest,
                log.received_on == timezone.localdate(),
                versions,
            )
        )
    return out


def test_new_resent_and_refused_files_store_the_same_on_every_database(personas):
    """The import writes new logs with the database's bulk load (COPY on PostgreSQL,
    executemany on SQLite): the same file gives the same stored rows, versions and JSON on
    both (this test runs in each pass), quotes, tabs, backslashes and non-ASCII included."""
    from msoic.intel.importer import fields_digest

    kent = personas["kent"]
    odd = 'Quoted "boat" \\ back\tslash, café at the harbour; 50% paid at night.'
    referred = {
        "hashtags": "#MSREF",
        "route": "",
        "exploitation_types": "labour; criminal",
        "handling_code": "C",
        "handling_conditions": "Law enforcement only; \\N is not null",
        "summary": odd,
        "operation": "Op Ünterste",
    }
    first = [
        log_row("KT-1"),
        log_row("KT-2", **referred),
        log_row("KT-3", route="HGV/lorry", summary="Lorry stopped at the port."),
    ]
    assert (send(kent, "kent", first).new, IntelLog.objects.count()) == (3, 3)
    # re-sent: one unchanged, one changed, one new
    second = [
        first[0],
        log_row("KT-2", **{**referred, "summary": odd + " Again.", "exploitation_types": "labour"}),
        log_row("KT-4", created="2024-01-31", hashtags="#NATOIC", route="air"),
    ]
    again = send(kent, "kent", second)
    assert (again.new, again.updated, again.unchanged) == (1, 1, 1)
    before = _stored("kent")
    # refused: a good new row and a bad one; nothing of it is stored
    refused = _import(kent, extract_csv([log_row("KT-5"), log_row("KT-6", route="bicycle")]))
    assert not refused.ok and "row 3" in str(refused.problems[0])
    assert _stored("kent") == before
    refs = [r[0] for r in before]
    assert refs == ["KT-1", "KT-2", "KT-3", "KT-4"]
    by_ref = {r[0]: r for r in before}
    assert by_ref["KT-1"][12] == 1 and by_ref["KT-1"][15] == []
    kt2 = by_ref["KT-2"]
    assert kt2[2:13] == (
        ["#MSREF"],
        False,
        True,
        "2BC",
        "Law enforcement only; \\N is not null",
        "",
        ["labour"],
        odd + " Again.",
        "",
        "Op Ünterste",
        2,
    )
    # the version kept is the first sending, as sent
    [(number, fields)] = kt2[15]
    assert number == 1
    assert (fields["summary"], fields["exploitation_types"], fields["operation"]) == (
        odd,
        ["criminal", "labour"],
        "Op Ünterste",
    )
    assert by_ref["KT-4"][1:4] == ("2024-01-31", ["#NATOIC"], True)
    assert by_ref["KT-4"][7] == "air" and by_ref["KT-3"][7] == "hgv"
    # each stored digest is the digest of the fields as stored (what a re-send compares)
    for log in IntelLog.objects.filter(force__code="kent"):
        stored = {
            "created_on": log.created_on.isoformat(),
            **{
                f: getattr(log, f)
                for f in (
                    "hashtags",
                    "source_evaluation",
                    "assessment",
                    "handling_code",
                    "handling_conditions",
                    "route",
                    "exploitation_types",
                    "summary",
                    "investigation_ref",
                    "operation",
                )
            },
        }
        assert log.digest == fields_digest(stored), log.reference
    assert all(r[14] for r in before)
