"""Exchange with the Human Trafficking Case Data Standard (HTCDS v2.0, IOM, CC BY 4.0).

Export: a force's potential victims and their cases, one row a person, in the standard's
field names and picklist values, as CSV or as an XLSX laid out like the standard's own
spreadsheet (sheet ``Sheet1``, a row-number column, the field-name row and the label row,
the same columns in the same order). Only pseudonymous references leave: three columns
after the standard's carry our person reference, a case reference and the age group.
An export is a disclosure: :func:`do_export_htcds` writes the audit row with its recipient.

Import: such a file (e.g. from a partner NGO) adds potential victims to a named
investigation of the importing force. Every picklist value is checked against the
standard; names, contact details and dates of birth are never stored. The mapping, and
what does not map one to one, is in ``docs/htcds-mapping.md``.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.cases import access, rules
from msoic.cases.consultation import Subjects, do_record_disclosure
from msoic.cases.models import (
    Category,
    Gender,
    Investigation,
    NrmStatus,
    Outcome,
    Person,
    Status,
)
from msoic.cases.register.importer import CellError, ImportResult, parse_date
from msoic.collection import reading
from msoic.collection.reading import FileRejected, column_letter
from msoic.collection.validation import Problem
from msoic.orgunits.models import OrgUnit

SPEC_FILE = Path(__file__).with_name("htcds_v2.yaml")
MULTI_SEPARATOR = ";"
NRM_ORGANISATION = "National Referral Mechanism (Single Competent Authority)"
NRM_WORDS = ("national referral mechanism", "nrm", "single competent authority")
DECISION_ORG = "NonPoliceGovernmentalOrganization"

# Our columns after the standard's: pseudonymous references and what HTCDS has no field for.
EXTENSIONS: list[tuple[str, str]] = [
    ("ext_PersonReference", "Person Reference (MSOIC, pseudonymous)"),
    ("ext_CaseReference", "Case Reference (MSOIC, pseudonymous)"),
    ("ext_AgeGroup", "Age Group at Exploitation (MSOIC: adult, child, unknown)"),
]
# HTCDS fields outside the spreadsheet layout that an import also reads.
EXTRA_FIELDS = {"vic_AgeWhenTrafficked": "Age when Trafficked"}
# Personal data we never hold: present in a file, they are dropped and the user told.
NOT_HELD = (
    "prs_Salutation",
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Title",
    "prs_Email",
    "prs_HomePhone",
    "prs_MobilePhone",
    "prs_MailingCity",
    "prs_MailingCountry",
    "prs_MailingState",
    "prs_MailingStreet",
    "prs_MailingPostalCode",
)

GENDER_OUT = {
    Gender.FEMALE: "Feminine",
    Gender.MALE: "Masculine",
    Gender.OTHER: "NonConforming",
    Gender.UNKNOWN: "NonSpecifiedUnknown",
}
GENDER_IN = {
    "Feminine": Gender.FEMALE,
    "Masculine": Gender.MALE,
    "TransgenderFeminine": Gender.FEMALE,
    "TransgenderMasculine": Gender.MALE,
    "NonConforming": Gender.OTHER,
    "NonSpecifiedUnknown": Gender.UNKNOWN,
}
EXPLOITATION_OUT = {
    "labour": "ForcedLabour",
    "sexual": "SexualExploitation",
    "domestic_servitude": "Servitude",
    "organ_harvesting": "OrganRemoval",
    "criminal": "Other",
    "other": "Other",
}
EXPLOITATION_IN = {
    "ForcedLabour": "labour",
    "ChildLabour": "labour",
    "SexualExploitation": "sexual",
    "Servitude": "domestic_servitude",
    "OrganRemoval": "organ_harvesting",
    "ForcedBegging": "criminal",
    "ForcedMarriage": "other",
    "ForcedMilitaryByNonStateActors": "other",
    "ForcedAdoption": "other",
    "Surrogacy": "other",
    "Other": "other",
}


@dataclass(frozen=True)
class Column:
    heading: str  # row 1 of the standard's spreadsheet (blank in one column there)
    heading_label: str  # row 2 of the standard's spreadsheet
    field: str  # the field standards' name
    label: str
    type: str
    multi: bool
    values: tuple[tuple[str, str], ...]  # picklist (name, label)
    iso3166: bool

    @property
    def name(self) -> str:
        """The name a CSV header and our messages use: the spreadsheet's, else the field's."""
        return self.heading or self.field


@functools.cache
def spec() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))
    return data


@functools.cache
def columns() -> tuple[Column, ...]:
    return tuple(
        Column(
            heading=c["heading"],
            heading_label=c["heading_label"],
            field=c["field"],
            label=c["label"],
            type=c["type"],
            multi=bool(c.get("multi")),
            values=tuple((v["name"], v["label"]) for v in c.get("values", [])),
            iso3166=bool(c.get("iso3166")),
        )
        for c in spec()["columns"]
    )


def picklist(field_name: str) -> list[str]:
    for c in columns():
        if c.field == field_name:
            return [name for name, _ in c.values]
    raise KeyError(field_name)


# --- export ----------------------------------------------------------------------------


def case_reference(investigation: Investigation) -> str:
    from msoic.cases.register.actions import reference_prefix

    return f"{reference_prefix(investigation.force)}-C{investigation.pk:06d}"


# HTCDS vic_TraffickingStatus for each NRM status (the rule is Person.nrm_status).
TRAFFICKING_STATUS = {
    NrmStatus.CONFIRMED: "ActualVictimOfTrafficking",
    NrmStatus.NOT_A_VICTIM: "NotAVictimOfTrafficking",
    NrmStatus.POTENTIAL: "PossibleVictimOfTrafficking",
}


def trafficking_status(person: Person) -> str:
    return TRAFFICKING_STATUS[person.nrm_status]


def case_status(investigation: Investigation) -> str:
    if investigation.status == Status.LIVE:
        return "Active"
    return "ClosedReferred" if investigation.outcome == Outcome.TRANSFERRED else "Closed"


def exploitation_values(codes: list[str]) -> str:
    out: list[str] = []
    for code in codes:
        value = EXPLOITATION_OUT.get(code, "Other")
        if value not in out:
            out.append(value)
    return MULTI_SEPARATOR.join(out)


def person_row(person: Person) -> dict[str, Any]:
    """One potential victim in HTCDS terms (field name → value); fields we do not hold
    are absent."""
    inv = person.investigation
    row: dict[str, Any] = {
        "cas_CaseOwner": person.force.name,
        "prs_Gender": GENDER_OUT.get(Gender(person.gender), "NonSpecifiedUnknown"),
        "prs_Citizenship": person.nationality,
        "vic_TraffickingStatus": trafficking_status(person),
        "vic_TypeOfExploitation": exploitation_values(list(inv.exploitation_types or [])),
        "cas_Status": case_status(inv),
    }
    if person.rg_decision or person.cg_decision:
        row["vic_TraffickingStatusDecisionMakingOrg"] = DECISION_ORG
    if person.nrm_referred_on:
        row["cas_ReferredOrganisation"] = NRM_ORGANISATION
        row["cas_ReasonForOutgoingReferral"] = "Other"
        row["cas_OutgoingReferralDate"] = person.nrm_referred_on
        row["cas_OutgoingReferralDetails"] = (
            "NRM referral made by police" if person.nrm_referred_by_police else "NRM referral"
        )
    if inv.status == Status.CLOSED and inv.outcome:
        row["cas_ReasonForCaseClosure"] = Outcome(inv.outcome).label
    row["ext_PersonReference"] = person.reference
    row["ext_CaseReference"] = case_reference(inv)
    row["ext_AgeGroup"] = person.age_group
    return row


def export_people(user: Any, force: OrgUnit) -> QuerySet[Person]:
    return (
        access.people_visible_to(user)
        .filter(force=force, category=Category.VICTIM)
        .select_related("investigation__force", "force")
        .order_by("reference")
    )


def _cells(row: dict[str, Any]) -> list[Any]:
    from msoic.web.exports import safe_cell

    def text(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    return [safe_cell(text(row.get(c.field, ""))) for c in columns()] + [
        safe_cell(row.get(name, "")) for name, _ in EXTENSIONS
    ]


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.name for c in columns()] + [name for name, _ in EXTENSIONS])
    for row in rows:
        writer.writerow(_cells(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(rows: list[dict[str, Any]]) -> bytes:
    """The standard spreadsheet's layout: ``Sheet1``; column A numbers the records; row 1
    the field names and row 2 the labels exactly as the standard has them; records from
    row 3; our three reference columns after the standard's."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = spec()["sheet"]
    ws.append(["", *(c.heading for c in columns()), *(n for n, _ in EXTENSIONS)])
    ws.append(["", *(c.heading_label for c in columns()), *(lab for _, lab in EXTENSIONS)])
    for cell in (*ws[1], *ws[2]):
        cell.font = Font(bold=True)
    for n, row in enumerate(rows, start=1):
        ws.append([n, *_cells(row)])
    ws.freeze_panes = "B3"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@dataclass
class Export:
    filename: str
    content_type: str
    data: bytes
    people: int


FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def do_export_htcds(
    force: OrgUnit, fmt: str, *, actor: Any, recipient: str, purpose: str
) -> Export:
    """The potential victims of ``force`` the user may see, in HTCDS; a disclosure, so
    audited with its recipient (who the file is for) and its purpose."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt}")
    if not recipient.strip():
        raise ValueError("an export is a disclosure: name its recipient")
    if not purpose.strip():
        raise ValueError("an export is a disclosure: say what it is for (its purpose)")
    if not access.register_forces_readable(actor).filter(pk=force.pk).exists():
        raise PermissionDenied("You cannot export this force's register")
    people = list(export_people(actor, force))
    rows = [person_row(p) for p in people]
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    stamp = timezone.localdate().isoformat()
    filename = f"htcds-{force.code}-{stamp}.{fmt}"
    with transaction.atomic():
        # s.62: the owning force, the recipient and the references disclosed.
        do_record_disclosure(
            actor=actor,
            step="cases.export_htcds",
            subjects=Subjects.of_people(people),
            recipient=recipient,
            purpose=purpose,
            object_type="cases.htcds_export",
            object_id=force.code,
            format=fmt,
            file=filename,
            file_sha256=hashlib.sha256(data).hexdigest(),
        )
    return Export(filename, FORMATS[fmt], data, len(rows))


# --- import: reading -------------------------------------------------------------------


@dataclass
class Sheet:
    sheet: str
    columns: dict[str, tuple[int, str]]  # field → (index, column letter with its name)
    rows: list[tuple[int, list[Any]]]


def _known_names() -> dict[str, str]:
    """Every header we accept → the field it is: the spreadsheet's headings (typo and
    all), the field standards' names, our extensions and the extra HTCDS fields read."""
    names: dict[str, str] = {}
    for c in columns():
        if c.heading:
            names[c.heading.lower()] = c.field
        names[c.field.lower()] = c.field
    for name, _ in EXTENSIONS:
        names[name.lower()] = name
    for name in EXTRA_FIELDS:
        names[name.lower()] = name
    return names


def _labels() -> dict[str, str]:
    labels = {c.heading_label.lower(): c.field for c in columns()}
    labels.update({c.label.lower(): c.field for c in columns()})
    return labels


def _grid_sheet(grid: list[list[Any]], sheet: str) -> Sheet:
    import difflib

    known = _known_names()
    header_at = next(
        (
            i
            for i, line in enumerate(grid[:10])
            if sum(1 for c in line if str(c or "").strip().lower() in known) >= 2
        ),
        None,
    )
    if header_at is None:
        raise FileRejected(
            "no header row of HTCDS field names (such as prs_Gender, prs_Citizenship, "
            "vic_TypeOfExploitation) in the first rows",
            sheet=sheet,
        )
    header = grid[header_at]
    labels_row: list[Any] = []
    nxt = grid[header_at + 1] if header_at + 1 < len(grid) else []
    label_names = _labels()
    if sum(1 for c in nxt if str(c or "").strip().lower() in label_names) >= 2:
        labels_row = nxt  # the standard's second header row: labels
    found: dict[str, tuple[int, str]] = {}
    for i, cell in enumerate(header):
        name = str(cell or "").strip()
        label = str(labels_row[i] if i < len(labels_row) else "").strip()
        if not name:
            # The standard's own spreadsheet leaves one field name blank; its label says it.
            if label and label.lower() in label_names and label_names[label.lower()] not in found:
                name = label_names[label.lower()]
            else:
                continue
        fld = known.get(name.lower())
        if fld is None:
            guess = difflib.get_close_matches(name, list(known.values()), n=1, cutoff=0.7)
            hint = f" (did you mean {guess[0]}?)" if guess else ""
            raise FileRejected(
                f"column '{name}' is not a field of the HTCDS v2.0 spreadsheet{hint}",
                sheet=sheet,
                row=header_at + 1,
                column=column_letter(i),
            )
        if fld in found:
            raise FileRejected(
                f"field {fld} appears twice in the header",
                sheet=sheet,
                row=header_at + 1,
                column=column_letter(i),
            )
        found[fld] = (i, f"{column_letter(i)} ({name})")
    start = header_at + (2 if labels_row else 1)
    rows = []
    for number, line in enumerate(grid[start:], start=start + 1):
        values = [line[i] if i < len(line) else None for i, _ in found.values()]
        if all(v is None or str(v).strip() == "" for v in values):
            continue  # blank rows (the standard's template numbers 1,000 empty ones)
        rows.append((number, line))
    return Sheet(sheet=sheet, columns=found, rows=rows)


def read_htcds_file(filename: str, data: bytes) -> Sheet:
    lowered = filename.lower()
    if lowered.endswith(".csv"):
        return _grid_sheet(reading.read_csv_rows(data), "")
    if lowered.endswith(".xlsx"):
        workbook = reading.open_workbook(data)
        names = workbook.sheet_names
        name = spec()["sheet"] if spec()["sheet"] in names else names[0]
        return _grid_sheet(workbook.rows(name), name)
    raise FileRejected("file type not accepted: send a .csv (CSV UTF-8) or .xlsx file")


# --- import: checking ------------------------------------------------------------------


@dataclass
class HtcdsImportResult(ImportResult):
    received_from: str = ""
    notices: list[str] = field(default_factory=list)
    exploitation_added: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_value(column: Column, raw: Any) -> tuple[list[str], str | None]:
    """The picklist value names a cell holds, or the message saying what is wrong."""
    text = _text(raw)
    if not text:
        return [], None
    parts = [p.strip() for p in text.split(MULTI_SEPARATOR) if p.strip()]
    if len(parts) > 1 and not column.multi:
        return [], f'{column.field} takes one value, not several ("{text}")'
    if column.iso3166:
        codes = []
        for part in parts:
            code = rules.nationality_code(part)
            if not code:
                return [], (
                    f'{column.field}: "{part}" is not an ISO 3166 country (give a code such '
                    "as GB or ALB)"
                )
            codes.append(code)
        return codes, None
    lookup = {name.lower(): name for name, _ in column.values}
    lookup.update({label.lower(): name for name, label in column.values})
    names = []
    for part in parts:
        name = lookup.get(part.lower())
        if name is None:
            allowed = ", ".join(n for n, _ in column.values)
            return [], (
                f'{column.field}: "{part}" is not in the HTCDS v2.0 picklist; allowed: {allowed}'
            )
        names.append(name)
    return names, None


def _age_group(values: dict[str, Any], referral: date | None, today: date) -> str:
    group = values.get("ext_AgeGroup")
    if group:
        return str(group)
    age = values.get("vic_AgeWhenTrafficked")
    if age is not None:
        return "child" if age < 18 else "adult"
    born = values.get("prs_Birthdate")
    if born is not None:
        on = referral or today
        years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        return "child" if years < 18 else "adult"
    return "unknown"


@dataclass
class _Row:
    number: int
    person: dict[str, Any]
    exploitation: list[str]


def check_sheet(sheet: Sheet, today: date) -> tuple[list[_Row], list[Problem], list[str]]:
    by_field = {c.field: c for c in columns()}
    problems: list[Problem] = []
    rows: list[_Row] = []
    held_personal: set[str] = set()
    several_citizenships = 0

    def where(fld: str) -> str:
        return sheet.columns[fld][1] if fld in sheet.columns else ""

    for number, line in sheet.rows:
        values: dict[str, Any] = {}
        bad: set[str] = set()

        def fail(fld: str, message: str, *, number: int = number) -> None:
            problems.append(
                Problem("error", "htcds", message, sheet=sheet.sheet, row=number, column=where(fld))
            )

        for fld, (index, _) in sheet.columns.items():
            raw = line[index] if index < len(line) else None
            if fld in NOT_HELD and _text(raw):
                held_personal.add(fld)
            column = by_field.get(fld)
            try:
                if column is not None and (column.values or column.iso3166):
                    names, message = check_value(column, raw)
                    if message:
                        fail(fld, message)
                        bad.add(fld)
                    values[fld] = names
                elif (column is not None and column.type == "Date") or fld == "prs_Birthdate":
                    values[fld] = parse_date(raw)
                elif column is not None and column.type == "Checkbox":
                    text = _text(raw).lower()
                    if text not in {"", "true", "false", "yes", "no", "1", "0"}:
                        raise CellError(f'{fld}: "{_text(raw)}" is not TRUE or FALSE')
                elif fld == "vic_AgeWhenTrafficked":
                    text = _text(raw)
                    if text:
                        if not text.isdigit() or int(text) > 120:
                            raise CellError(f'{fld}: "{text}" is not an age in whole years')
                        values[fld] = int(text)
                elif fld == "ext_AgeGroup":
                    text = _text(raw).lower()
                    options = rules.catalogue_options("age_group")
                    if text and text not in options:
                        raise CellError(f'{fld}: "{text}" is not one of {", ".join(options)}')
                    values[fld] = text
                else:
                    values[fld] = _text(raw)
            except CellError as exc:
                fail(fld, str(exc))
                bad.add(fld)
        citizenship = values.get("prs_Citizenship") or []
        if len(citizenship) > 1:
            several_citizenships += 1
        genders = values.get("prs_Gender") or []
        referred_to = str(values.get("cas_ReferredOrganisation", "")).lower()
        referral = values.get("cas_OutgoingReferralDate")
        nrm_on = referral if any(w in referred_to for w in NRM_WORDS) else None
        person = {
            "category": Category.VICTIM.value,
            "gender": GENDER_IN[genders[0]] if genders else Gender.UNKNOWN.value,
            "nationality": citizenship[0] if citizenship else "",
            "age_group": _age_group(values, values.get("cas_IncomingReferralDate"), today),
            "nrm_referred_on": nrm_on,
        }
        checked = rules.check_person(person, today=today)
        columns_for = {
            "gender": "prs_Gender",
            "nationality": "prs_Citizenship",
            "age_group": "ext_AgeGroup",
            "nrm_referred_on": "cas_OutgoingReferralDate",
            "dtn_reported_on": "",
        }
        for p in checked.problems:
            fld = columns_for.get(p.field, "")
            if fld not in bad:
                fail(fld, p.message)
        exploitation: list[str] = []
        for value in values.get("vic_TypeOfExploitation") or []:
            code = EXPLOITATION_IN[value]
            if code not in exploitation:
                exploitation.append(code)
        if not bad and checked.ok:
            rows.append(_Row(number, checked.values, exploitation))
    notices = []
    if held_personal:
        notices.append(
            "The file holds names, contact details or dates of birth ("
            + ", ".join(sorted(held_personal))
            + "); the register does not keep them, so they were read only to work out the "
            "age group and were not stored."
        )
    if several_citizenships:
        notices.append(
            f"{several_citizenships} row(s) list several citizenships; the register holds one "
            "nationality, so the first listed was kept."
        )
    return rows, problems, notices


# --- import: storing -------------------------------------------------------------------


def do_import_htcds(
    filename: str,
    data: bytes,
    investigation: Investigation,
    *,
    actor: Any,
    received_from: str,
    dry_run: bool = False,
    today: date | None = None,
) -> HtcdsImportResult:
    """Add the file's people as potential victims on ``investigation`` (of the actor's own
    force): all or nothing. Exploitation types the file names that the investigation does
    not have yet are added to it."""
    from msoic.cases.register.actions import allocate_person_references

    if not access.can_edit_investigation(actor, investigation):
        raise PermissionDenied("Only the force's own users add people to its investigations")
    today = today or timezone.localdate()
    result = HtcdsImportResult(filename=filename, dry_run=dry_run, received_from=received_from)
    try:
        sheet = read_htcds_file(filename, data)
    except FileRejected as exc:
        result.problems.append(
            Problem("error", "file", exc.message, sheet=exc.sheet, row=exc.row, column=exc.column)
        )
        _refuse(actor, result, investigation)
        return result
    with rules.catalogue_pinned():
        rows, problems, notices = check_sheet(sheet, today)
    result.problems, result.notices, result.people = problems, notices, len(rows)
    added = []
    for row in rows:
        for code in row.exploitation:
            if code not in (investigation.exploitation_types or []) and code not in added:
                added.append(code)
    result.exploitation_added = added
    if added:
        values = rules.merged(
            investigation,
            rules.INVESTIGATION_FIELDS,
            {"exploitation_types": [*(investigation.exploitation_types or []), *added]},
        )
        check = rules.check_investigation(
            values, force_id=investigation.force_id, pk=investigation.pk
        )
        for p in check.problems:
            result.problems.append(
                Problem(
                    "error",
                    "htcds",
                    f"investigation {investigation.crime_reference} cannot take the file's "
                    f"exploitation types: {p.message}",
                    sheet=sheet.sheet,
                    column=sheet.columns.get("vic_TypeOfExploitation", (0, ""))[1],
                )
            )
    if not result.problems and not rows:
        result.problems.append(Problem("error", "file", "file holds no people"))
    if result.problems:
        _refuse(actor, result, investigation)
        return result
    if dry_run:
        result.status = "checked"
        return result
    with transaction.atomic():
        inv = Investigation.objects.select_for_update().get(pk=investigation.pk)
        now = timezone.now()
        if added:
            inv.exploitation_types = [*(inv.exploitation_types or []), *added]
            inv.updated_at = now
            inv.save(update_fields=["exploitation_types", "updated_at"])
            record(
                actor=actor,
                action=AuditAction.ALTERATION,
                obj=inv,
                orgunit=inv.force,
                detail={"step": "cases.import_htcds", "fields": ["exploitation_types"]},
            )
        refs = allocate_person_references(inv.force, len(rows))
        Person.objects.bulk_create(
            Person(
                investigation=inv,
                force_id=inv.force_id,
                reference=ref,
                created_at=now,
                updated_at=now,
                **row.person,
            )
            for row, ref in zip(rows, refs, strict=True)
        )
        record(
            actor=actor,
            action=AuditAction.COLLECTION,
            obj=inv,
            orgunit=inv.force,
            detail={
                "step": "cases.import_htcds",
                "file": filename,
                "file_sha256": hashlib.sha256(data).hexdigest(),
                "received_from": received_from,
                "people_count": len(rows),
            },
        )
    result.status = "accepted"
    return result


def _refuse(actor: Any, result: HtcdsImportResult, investigation: Investigation) -> None:
    if result.dry_run:
        return
    record(
        actor=actor,
        action=AuditAction.REJECT,
        object_type="cases.htcds_import",
        object_id=result.filename[:64],
        orgunit=investigation.force,
        detail={
            "step": "cases.import_htcds",
            "investigation": investigation.pk,
            "errors": len(result.problems),
            "first": result.problem_dicts()[0] if result.problems else None,
        },
    )
