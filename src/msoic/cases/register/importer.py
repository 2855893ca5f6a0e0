"""Bulk import of a force's register: investigations and the people on them, from an XLSX
workbook (sheets ``Investigations`` and ``People``; the downloadable template adds a
``Guidance`` sheet) or from CSV files (one per kind, told apart by their header).

The file goes through the bounded reading path (:mod:`msoic.collection.reading`: size,
zip bombs, macros, DTDs, external links, used ranges, cell counts and lengths), every row is typed here and then checked by the register
rules (:mod:`msoic.cases.rules`) exactly as the web forms are, and every problem is
reported with its file, sheet, row and column. A file is all or nothing: one error and
nothing from it is stored. Checks against what is stored already (a crime reference used
in the force, the investigations people attach to) are one query each, not one a row; the
rows are then written with ``bulk_create`` in one transaction with one audit row.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import operator
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.cases import access, rules
from msoic.cases.models import Investigation, Person
from msoic.collection import reading
from msoic.collection.reading import FileRejected, column_letter
from msoic.collection.validation import Problem
from msoic.orgunits.models import OrgUnit

INVESTIGATIONS_SHEET = "Investigations"
PEOPLE_SHEET = "People"
GUIDANCE_SHEET = "Guidance"
LIST_SEPARATOR = ";"

# (column, what it holds) in template order; the column names are the register's fields.
INVESTIGATION_COLUMNS: list[tuple[str, str]] = [
    ("crime_reference", "Required. Unique within your force."),
    ("opened_on", "Required. Date opened, YYYY-MM-DD (or a date cell)."),
    ("closed_on", "Date closed, if closed. Not before the date opened."),
    ("status", "live or closed; left blank it follows from the closed date."),
    ("outcome", "For a closed investigation: charged, nfa, transferred or other."),
    ("exploitation_types", "Catalogue codes separated by ';' (e.g. labour;sexual)."),
    ("primary_exploitation", "One of the exploitation types; may be blank if only one."),
    ("ocg_linked", "yes or no: linked to an organised crime group."),
    ("oic_related", "yes or no: related to an OIC."),
    ("officer_in_charge", "Name or collar number of the officer in charge."),
    ("last_reviewed_on", "Date last reviewed."),
]
PERSON_COLUMNS: list[tuple[str, str]] = [
    ("crime_reference", "Required. The investigation the person is on (this file or stored)."),
    ("category", "Required. victim, suspect or witness (DPA 2018 s.38)."),
    ("age_group", "adult, child or unknown: age at exploitation."),
    ("gender", "female, male, other or unknown."),
    ("nationality", "ISO 3166-1 code (GB, GBR) or English country name."),
    ("is_assessment", "yes if the record is an officer's assessment rather than a fact."),
    ("nrm_referred_on", "Potential victims: date of the NRM referral."),
    ("nrm_referred_by_police", "yes if police made the NRM referral."),
    ("rg_decision", "positive or negative: reasonable grounds decision."),
    ("rg_decided_on", "Date of the reasonable grounds decision."),
    ("cg_decision", "positive or negative: conclusive grounds decision."),
    ("cg_decided_on", "Date of the conclusive grounds decision."),
    ("dtn_reported_on", "Duty to Notify report date: adults who do not consent only."),
    ("arrested_on", "Suspects: arrest date."),
    ("charged_on", "Suspects: charge date."),
    ("birth_year", "Suspects: year of birth (YYYY), where your force records it."),
]
KINDS = {
    "investigations": [c for c, _ in INVESTIGATION_COLUMNS],
    "people": [c for c, _ in PERSON_COLUMNS],
}
REQUIRED = {"investigations": {"crime_reference", "opened_on"}, "people": {"crime_reference"}}
DATE_FIELDS = {name for name in KINDS["investigations"] + KINDS["people"] if name.endswith("_on")}
FLAG_FIELDS = {"ocg_linked", "oic_related", "is_assessment", "nrm_referred_by_police"}
TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0", ""}


@dataclass
class Table:
    """One sheet (or CSV file) of one kind, with the column letter of each field."""

    kind: str  # investigations | people
    sheet: str
    columns: dict[str, str]  # field name -> "C (opened_on)"
    plan: list[tuple[int, str]]  # (index in a row, field name)
    rows: list[tuple[int, list[Any]]]  # (spreadsheet row number, the row's raw cells)


@dataclass
class ImportResult:
    filename: str
    status: str = "rejected"  # accepted | checked (a dry run that passed) | rejected
    investigations: int = 0
    people: int = 0
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return self.status in {"accepted", "checked"}

    def problem_dicts(self) -> list[dict[str, Any]]:
        return [p.as_dict(self.filename) for p in self.problems]

    def lines(self) -> list[str]:
        head = f"{self.filename}: {self.status.upper()}"
        if self.ok:
            verb = "would store" if self.dry_run else "stored"
            head += f" ({verb} {self.investigations} investigations, {self.people} people)"
        else:
            head += f" ({len(self.problems)} problem(s); nothing stored)"
        return [head] + [f"  {p.location(self.filename)}: {p.message}" for p in self.problems]


# --- reading ---------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header(
    cells: list[Any], *, sheet: str, row: int, kind: str | None
) -> tuple[str, dict[int, str]]:
    import difflib

    names = [str(c or "").strip().lstrip("\ufeff").strip().lower().replace(" ", "_") for c in cells]
    present = {n for n in names if n}
    if kind is None:  # a CSV file: its header says which kind it is
        kind = "people" if "category" in present else "investigations"
    known = KINDS[kind]
    mapping: dict[int, str] = {}
    for i, name in enumerate(names):
        if not name:
            continue
        if name not in known:
            guess = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            raise FileRejected(
                f"header '{cells[i]}' is not a column of {kind}{hint}; the columns are "
                + ", ".join(known),
                sheet=sheet,
                row=row,
                column=column_letter(i),
            )
        if name in mapping.values():
            raise FileRejected(
                f"column '{name}' appears twice in the header",
                sheet=sheet,
                row=row,
                column=column_letter(i),
            )
        mapping[i] = name
    missing = sorted(REQUIRED[kind] - set(mapping.values()))
    if missing:
        raise FileRejected(
            f"the {kind} header is missing column(s) " + ", ".join(missing),
            sheet=sheet,
            row=row,
        )
    return kind, mapping


def _table(grid: list[list[Any]], *, sheet: str, kind: str | None) -> Table | None:
    start = 0
    while start < len(grid) and all(_blank(c) for c in grid[start]):
        start += 1
    if start >= len(grid):
        return None
    kind, mapping = _header(grid[start], sheet=sheet, row=start + 1, kind=kind)
    width = max(mapping) + 1
    items = list(mapping.items())
    rows: list[tuple[int, list[Any]]] = []
    for number, line in enumerate(grid[start + 1 :], start=start + 2):
        first = line[0] if line else None
        if not (first.__class__ is str and first.strip()) and all(_blank(c) for c in line):
            continue  # a blank row (checked cell by cell only when the first cell is blank)
        if len(line) > width:
            for i in range(width, len(line)):
                if not _blank(line[i]):
                    raise FileRejected(
                        "this row has a value in a column with no header",
                        sheet=sheet,
                        row=number,
                        column=column_letter(i),
                    )
        if len(line) < width:
            line = [*line, *([None] * (width - len(line)))]
        rows.append((number, line))
    columns = {name: f"{column_letter(i)} ({name})" for i, name in mapping.items()}
    return Table(kind=kind, sheet=sheet, columns=columns, plan=items, rows=rows)


def read_csv_table(data: bytes) -> Table:
    """A CSV file's table, read through the bounded reading path (size, not a workbook,
    not UTF-16, UTF-8, comma-separated, rows, columns, cells and cell length capped)."""
    table = _table(reading.read_csv_rows(data), sheet="", kind=None)
    if table is None:
        raise FileRejected("file has no header row and no data")
    return table


def read_xlsx_tables(data: bytes) -> list[Table]:
    workbook = reading.open_workbook(data)
    by_name = {n.strip().lower(): n for n in workbook.sheet_names}
    tables = []
    for kind, wanted in (("investigations", INVESTIGATIONS_SHEET), ("people", PEOPLE_SHEET)):
        name = by_name.get(wanted.lower())
        if name is None:
            continue
        table = _table(workbook.rows(name), sheet=name, kind=kind)
        if table is not None:
            tables.append(table)
    if not any(by_name.get(s.lower()) for s in (INVESTIGATIONS_SHEET, PEOPLE_SHEET)):
        raise FileRejected(
            f"workbook has no sheet named {INVESTIGATIONS_SHEET} or {PEOPLE_SHEET} "
            "(download the template for the layout)"
        )
    return tables


def read_register_file(filename: str, data: bytes) -> list[Table]:
    lowered = filename.lower()
    if lowered.endswith(".csv"):
        return [read_csv_table(data)]
    if lowered.endswith(".xlsx"):
        return read_xlsx_tables(data)
    if lowered.endswith((".xlsm", ".xltm", ".xlsb", ".xls")):
        raise FileRejected("only .xlsx workbooks without macros, or .csv files, are accepted")
    raise FileRejected("file type not accepted: send a .csv (CSV UTF-8) or .xlsx file")


# --- typing cells ----------------------------------------------------------------------


class CellError(ValueError):
    pass


def parse_date(value: Any) -> date | None:
    if value.__class__ is str and len(value) == 10 and value[4] == "-":
        try:
            return date.fromisoformat(value)  # the usual case, first
        except ValueError:
            pass
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
        if len(text) == 10 and text[2] == "/" and text[5] == "/":
            return date(int(text[6:]), int(text[3:5]), int(text[:2]))
    except ValueError:
        pass
    raise CellError(f'"{text}" is not a date: write it as YYYY-MM-DD (e.g. 2024-03-31)')


def parse_flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(f'"{value}" is not yes or no')


def parse_text(value: Any) -> str:
    if value.__class__ is str:
        return value.strip()  # type: ignore[no-any-return]
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a crime reference typed as a number in Excel
    return str(value).strip()


def parse_year(value: Any) -> int | None:
    text = parse_text(value)
    if not text:
        return None
    if not (len(text) == 4 and text.isdigit()):
        raise CellError(f'"{text}" is not a year: write it as YYYY (e.g. 1984)')
    return int(text)


def parse_list(value: Any) -> list[str]:
    return [p.strip() for p in parse_text(value).split(LIST_SEPARATOR) if p.strip()]


def _parser(name: str) -> Any:
    if name in DATE_FIELDS:
        return parse_date
    if name in FLAG_FIELDS:
        return parse_flag
    if name == "exploitation_types":
        return parse_list
    if name == "birth_year":
        return parse_year
    return parse_text


PARSERS = {name: _parser(name) for names in KINDS.values() for name in names}


def typed_values(
    line: list[Any], plan: list[tuple[int, str, Any]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """A row's raw cells → typed values for the rules, and the cells that could not be
    typed. ``plan`` is (index, field, parser) for each column of the file."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for i, name, parse in plan:
        try:
            values[name] = parse(line[i])
        except CellError as exc:
            errors[name] = str(exc)
    return values, errors


def _parse_plan(table: Table) -> list[tuple[int, str, Any]]:
    return [(i, name, PARSERS[name]) for i, name in table.plan]


# --- checking --------------------------------------------------------------------------


@dataclass
class Checked:
    investigations: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    people: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (crime ref, values)
    problems: list[Problem] = field(default_factory=list)


def _problem(message: str, *, table: Table, row: int, name: str, rule: str) -> Problem:
    return Problem(
        "error", rule, message, sheet=table.sheet, row=row, column=table.columns.get(name, "")
    )


def _rule_problems(
    found: Iterable[rules.Problem], table: Table, row: int, skip: Iterable[str] = ()
) -> list[Problem]:
    """The rules' problems located in the file, less those about a cell already reported
    as not typed (a bad date is one problem, not also a missing date)."""
    skipped = set(skip)
    return [
        _problem(p.message, table=table, row=row, name=p.field, rule=p.field or "record")
        for p in found
        if p.field not in skipped
    ]


def check_tables(
    tables: list[Table],
    force: OrgUnit,
    *,
    today: date | None = None,
    earlier: Mapping[str, str] | None = None,
) -> Checked:
    """Every row typed and checked, every problem collected; nothing written.

    ``earlier`` maps the crime references of investigations in other files of the same
    upload to their file: people may name them, investigations may not repeat them."""
    with rules.catalogue_pinned():
        return _check_tables(tables, force, today or timezone.localdate(), earlier or {})


def _check_tables(
    tables: list[Table], force: OrgUnit, today: date, earlier: Mapping[str, str]
) -> Checked:
    out = Checked()
    stored = dict(
        Investigation.objects.filter(force=force).values_list("crime_reference", "pk")
    )  # the one query for uniqueness and for the people's investigations
    taken = set(stored)
    in_file: dict[str, int] = {}
    for table in (t for t in tables if t.kind == "investigations"):
        plan = _parse_plan(table)
        for row, line in table.rows:
            values, errors = typed_values(line, plan)
            for name, message in errors.items():
                out.problems.append(_problem(message, table=table, row=row, name=name, rule="type"))
                values.pop(name, None)
            ref = values.get("crime_reference", "")
            if ref in earlier:
                out.problems.append(
                    _problem(
                        f"Crime reference {ref} is also in {earlier[ref]}, sent with this file",
                        table=table,
                        row=row,
                        name="crime_reference",
                        rule="crime_reference",
                    )
                )
                continue
            if ref in in_file:
                out.problems.append(
                    _problem(
                        f"Crime reference {ref} is also on row {in_file[ref]} of this file",
                        table=table,
                        row=row,
                        name="crime_reference",
                        rule="crime_reference",
                    )
                )
                continue
            if ref:
                in_file[ref] = row
            checked = rules.check_investigation(
                values, force_id=force.pk, taken_references=taken, today=today
            )
            if checked.problems or errors:
                out.problems.extend(_rule_problems(checked.problems, table, row, errors))
                continue
            out.investigations.append((row, checked.values))
    for table in (t for t in tables if t.kind == "people"):
        plan = _parse_plan(table)
        for row, line in table.rows:
            values, errors = typed_values(line, plan)
            for name, message in errors.items():
                out.problems.append(_problem(message, table=table, row=row, name=name, rule="type"))
                values.pop(name, None)
            ref = values.pop("crime_reference", "")
            if not ref:
                out.problems.append(
                    _problem(
                        "Enter the crime reference of the investigation the person is on",
                        table=table,
                        row=row,
                        name="crime_reference",
                        rule="crime_reference",
                    )
                )
            elif ref not in in_file and ref not in stored and ref not in earlier:
                out.problems.append(
                    _problem(
                        f"No investigation {ref} in your force's register or in this file",
                        table=table,
                        row=row,
                        name="crime_reference",
                        rule="crime_reference",
                    )
                )
            checked = rules.check_person(values, today=today)
            if checked.problems or errors or not ref:
                out.problems.extend(_rule_problems(checked.problems, table, row, errors))
                continue
            out.people.append((ref, checked.values))
    out.problems.sort(key=lambda p: (p.sheet != INVESTIGATIONS_SHEET, p.sheet, p.row or 0))
    return out


# --- storing ---------------------------------------------------------------------------


def bulk_insert(model: Any, rows: list[dict[str, Any]], **constants: Any) -> None:
    """INSERT ``rows`` (field name → value, already checked) with one ``executemany``.

    What ``bulk_create`` does, less its cost of compiling every value of every row
    through the ORM (three quarters of an import's time at 250,000 rows): each column's
    database adaptation is chosen once, and fields a row leaves out take their default.
    On PostgreSQL the rows go in with ``COPY``.
    Used only for rows the register rules have passed; call inside a transaction.
    """
    from django.db import connection

    ops = connection.ops
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    adapters: list[Any] = []
    defaults: list[Any] = []
    for f in fields:
        kind = f.get_internal_type()
        if kind == "DateField":
            adapters.append(ops.adapt_datefield_value)
        elif kind == "JSONField":
            adapters.append(lambda v, f=f: f.get_db_prep_save(v, connection))
        else:
            adapters.append(None)
        default = constants.get(f.attname, constants.get(f.name, f.get_default()))
        if kind == "DateTimeField" and default is not None:
            default = ops.adapt_datetimefield_value(default)
        elif kind == "JSONField" or (kind == "DateField" and default is not None):
            default = adapters[-1](default)
        defaults.append(default)
    names = [f.attname for f in fields]
    base = dict(zip(names, defaults, strict=True))
    to_adapt = [(n, a) for n, a in zip(names, adapters, strict=True) if a is not None]
    in_order = operator.itemgetter(*names)
    params = []
    for row in rows:
        full = {**base, **row}
        for name, adapt in to_adapt:
            if name in row:
                full[name] = adapt(full[name])
        params.append(in_order(full))
    quote = ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model, quoted)
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: PostgreSQL's own bulk load (executemany is a round trip a row).
            columns = ", ".join(quote(f.column) for f in fields)
            with cursor.cursor.copy(
                f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
            ) as copy:
                for row_params in params:
                    copy.write_row(row_params)
        else:
            cursor.executemany(sql, params)


def _store(checked: Checked, force: OrgUnit, *, actor: Any, filename: str, digest: str) -> None:
    from msoic.cases.register.actions import allocate_person_references

    now = timezone.now()
    if checked.investigations:
        bulk_insert(
            Investigation,
            [values for _, values in checked.investigations],
            force=force.pk,
            created_at=now,
            updated_at=now,
        )
    if checked.people:
        ids = dict(Investigation.objects.filter(force=force).values_list("crime_reference", "pk"))
        references = allocate_person_references(force, len(checked.people))
        rows = []
        for (ref, values), reference in zip(checked.people, references, strict=True):
            values["investigation_id"] = ids[ref]
            values["reference"] = reference
            rows.append(values)
        bulk_insert(Person, rows, force=force.pk, created_at=now, updated_at=now)
    record(
        actor=actor,
        action=AuditAction.COLLECTION,
        object_type="cases.register_import",
        object_id=filename[:64],
        orgunit=force,
        detail={
            "step": "cases.import_register",
            "file": filename,
            "file_sha256": digest,
            "investigations_count": len(checked.investigations),
            "people_count": len(checked.people),
        },
    )


def _refuse(actor: Any, result: ImportResult, force: OrgUnit) -> None:
    if result.dry_run:
        return
    record(
        actor=actor,
        action=AuditAction.REJECT,
        object_type="cases.register_import",
        object_id=result.filename[:64],
        orgunit=force,
        detail={
            "step": "cases.import_register",
            "errors": len(result.problems),
            "first": result.problem_dicts()[0] if result.problems else None,
        },
    )


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Checking a file makes hundreds of thousands of small dicts and lists that live until
    it is stored; the cyclic collector would walk all of them again and again (a fifth of
    the time at 250,000 rows). Reference counting still frees what is dropped; the
    collector runs again when the block ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _may_import(actor: Any, force: OrgUnit) -> None:
    if (
        not isinstance(actor, str)
        and not access.register_forces_writable(actor).filter(pk=force.pk).exists()
    ):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Only the force's own users import into its register")


def _read_and_check(
    filename: str,
    data: bytes,
    force: OrgUnit,
    *,
    dry_run: bool,
    today: date | None,
    earlier: Mapping[str, str],
) -> tuple[ImportResult, Checked | None]:
    """One file read and checked: its result, and what would be stored if it passed."""
    result = ImportResult(filename=filename, dry_run=dry_run)
    try:
        tables = read_register_file(filename, data)
    except FileRejected as exc:
        result.problems.append(
            Problem("error", "file", exc.message, sheet=exc.sheet, row=exc.row, column=exc.column)
        )
        return result, None
    with _cyclic_gc_paused():
        checked = check_tables(tables, force, today=today, earlier=earlier)
    result.problems = checked.problems
    result.investigations = len(checked.investigations)
    result.people = len(checked.people)
    if not checked.problems and not checked.investigations and not checked.people:
        result.problems.append(Problem("error", "file", "file holds no investigations or people"))
    return result, checked


def do_import_register(
    filename: str,
    data: bytes,
    force: OrgUnit,
    *,
    actor: Any,
    dry_run: bool = False,
    today: date | None = None,
) -> ImportResult:
    """Read, check and (unless ``dry_run``) store one file for ``force``: all or nothing.

    ``actor`` is a user who may write ``force``'s register, or a label for a system
    process (the ``import_register`` command without ``--user``). Never raises for bad
    input: the problems are in the result, and a refused file leaves a ``reject`` row.
    """
    return import_files([(filename, data)], force, actor=actor, dry_run=dry_run, today=today)[0]


def import_files(
    files: list[tuple[str, bytes]],
    force: OrgUnit,
    *,
    actor: Any,
    dry_run: bool = False,
    today: date | None = None,
) -> list[ImportResult]:
    """Several files sent together, as one unit: every file is read and checked first,
    and either all of them are stored, in one transaction, or none is (a refused people
    file leaves its investigations file unstored too, so the corrected pair can be sent
    again as it is). Workbooks and investigation CSVs are checked first, so a people CSV
    can name investigations from a file of the same upload."""
    _may_import(actor, force)

    def order(item: tuple[str, bytes]) -> int:
        name, data = item
        if name.lower().endswith(".csv") and b"category" in data.split(b"\n", 1)[0].lower():
            return 1
        return 0

    ordered = sorted(files, key=order)
    earlier: dict[str, str] = {}
    checked: list[tuple[ImportResult, Checked | None, bytes]] = []
    for name, data in ordered:
        result, found = _read_and_check(
            name, data, force, dry_run=dry_run, today=today, earlier=earlier
        )
        if found is not None:
            for _, values in found.investigations:
                earlier.setdefault(values["crime_reference"], name)
        checked.append((result, found, data))
    refused = [r.filename for r, _, _ in checked if r.problems]
    if refused:
        for result, _, _ in checked:
            if not result.problems:
                result.problems.append(
                    Problem(
                        "error",
                        "file",
                        "not stored because "
                        + ", ".join(refused)
                        + " (sent with it) was refused: files sent together are stored "
                        "together or not at all; send them again once corrected",
                    )
                )
            _refuse(actor, result, force)
        return [r for r, _, _ in checked]
    if dry_run:
        for result, _, _ in checked:
            result.status = "checked"
        return [r for r, _, _ in checked]
    with _cyclic_gc_paused(), transaction.atomic():
        for result, found, data in checked:
            assert found is not None
            _store(
                found,
                force,
                actor=actor,
                filename=result.filename,
                digest=hashlib.sha256(data).hexdigest(),
            )
            result.status = "accepted"
    return [r for r, _, _ in checked]


# --- the template ----------------------------------------------------------------------


def template_bytes() -> bytes:
    """The XLSX template: the two data sheets with their headers and a guidance sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from msoic.web.exports import safe_cell

    exploitation = rules.catalogue_options("exploitation_type")
    ages = rules.catalogue_options("age_group")
    wb = Workbook()
    guide = wb.active
    guide.title = GUIDANCE_SHEET
    guide.append(["MSOIC Insight: importing your investigation register"])
    guide["A1"].font = Font(bold=True, size=14)
    for line in (
        "Fill in the Investigations and People sheets; leave this sheet as it is.",
        "Each person row names the crime reference of an investigation in this file or "
        "already on your register. Do not enter names: people get a pseudonymous reference.",
        "The whole file is checked first; if any row has a problem nothing is stored, and "
        "every problem is listed with its sheet, row and column.",
        "Dates as YYYY-MM-DD; yes/no columns take yes or no; several exploitation types "
        "are separated by ';'.",
        "",
    ):
        guide.append([safe_cell(line)])
    for sheet_name, columns in (
        (INVESTIGATIONS_SHEET, INVESTIGATION_COLUMNS),
        (PEOPLE_SHEET, PERSON_COLUMNS),
    ):
        guide.append([safe_cell(f"Sheet {sheet_name}")])
        guide.cell(row=guide.max_row, column=1).font = Font(bold=True)
        for name, help_text in columns:
            guide.append([safe_cell(name), safe_cell(help_text)])
        guide.append([])
    guide.append(["Exploitation type codes"])
    guide.cell(row=guide.max_row, column=1).font = Font(bold=True)
    for code, label in exploitation.items():
        guide.append([safe_cell(code), safe_cell(label)])
    guide.append([])
    guide.append(["Age group codes"])
    guide.cell(row=guide.max_row, column=1).font = Font(bold=True)
    for code, label in ages.items():
        guide.append([safe_cell(code), safe_cell(label)])
    guide.column_dimensions["A"].width = 26
    guide.column_dimensions["B"].width = 80
    for sheet_name, columns in (
        (INVESTIGATIONS_SHEET, INVESTIGATION_COLUMNS),
        (PEOPLE_SHEET, PERSON_COLUMNS),
    ):
        ws = wb.create_sheet(sheet_name)
        ws.append([name for name, _ in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for i in range(len(columns)):
            ws.column_dimensions[column_letter(i)].width = 20
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
