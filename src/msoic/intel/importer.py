"""Reading and checking a force's extract of intelligence logs (CSV or XLSX).

The file is read through the one bounded reading path (:mod:`msoic.collection.reading`),
then every row is checked before anything is stored; :func:`check_extract` returns the logs
as plain values, or every problem found (file, sheet, row, column). A file with any problem
is refused whole.

Columns (a header row, any order, case ignored): ``reference``, ``created``, ``hashtags``,
``source_evaluation`` (1-3), ``intelligence_assessment`` (A-E), ``handling_code`` (P or C),
``handling_conditions`` (required with C), ``route``, ``exploitation_types``, ``summary``;
optional ``force``, ``investigation``, ``operation`` and ``names_confirmed``.

The summary must be sanitised (no personal names). Words that look like a person's name are
flagged and the file refused, unless the sender confirms on that row (``names_confirmed``:
yes) that the flagged words are not names: nothing is guessed or rewritten silently.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from json.encoder import encode_basestring_ascii as _quoted
from typing import Any

from msoic.collection.reading import FileRejected, column_letter, open_workbook, read_file_rows
from msoic.intel.models import OIC_HASHTAG, Assessment, HandlingCode, Route, SourceEvaluation

REQUIRED = (
    "reference",
    "created",
    "hashtags",
    "source_evaluation",
    "intelligence_assessment",
    "handling_code",
    "summary",
)
OPTIONAL = (
    "handling_conditions",
    "route",
    "exploitation_types",
    "force",
    "investigation",
    "operation",
    "names_confirmed",
)
COLUMNS = REQUIRED + OPTIONAL
MAX_SUMMARY = 2000
EARLIEST = date(2000, 1, 1)

_ROUTE_WORDS = {
    **{r.value: r.value for r in Route},
    **{r.label.lower(): r.value for r in Route},
    "small boat": "small_boat",
    "lorry": "hgv",
    "hgv/lorry": "hgv",
}
_YES = {"yes", "y", "true", "1"}
_HASHTAG = re.compile(r"^#[A-Za-z0-9_]{1,40}$")
_TAG_SEPARATORS = re.compile(r"[\s,;]+")
_TYPE_SEPARATORS = re.compile(r"[;,]")
# A title then a capitalised word, or two or more capitalised words in a row that are not
# words a sanitised summary uses (places, agencies, months): likely a person's name.
_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][a-z]+")
_CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)+\b")
NOT_NAMES = frozenset(
    """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday police force home office border
    force national crime agency regional organised unit rocu nca the a an on in at to of and
    north south east west england wales london channel dover kent essex sussex street road
    port airport harbour station motorway services lorry park industrial estate car wash
    nail bar county city town hotel operation intelligence modern slavery immigration crime
    """.split()
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an extract, and where: file, sheet (XLSX), row and column."""

    file: str
    message: str
    row: int | None = None
    column: str = ""
    sheet: str = ""

    @property
    def where(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class LogRow:
    """One log as sent: the values stored, and the row it came from."""

    row: int
    reference: str
    created_on: date
    hashtags: list[str]
    source_evaluation: str
    assessment: str
    handling_code: str
    handling_conditions: str
    route: str
    exploitation_types: list[str]
    summary: str
    investigation_ref: str
    operation: str
    oic_tagged: bool = False
    ms_referred: bool = False
    digest: str = field(default="", repr=False)

    def fields(self) -> dict[str, Any]:
        """The stored fields, as a version keeps them."""
        return {
            "created_on": self.created_on.isoformat(),
            "hashtags": self.hashtags,
            "source_evaluation": self.source_evaluation,
            "assessment": self.assessment,
            "handling_code": self.handling_code,
            "handling_conditions": self.handling_conditions,
            "route": self.route,
            "exploitation_types": self.exploitation_types,
            "summary": self.summary,
            "investigation_ref": self.investigation_ref,
            "operation": self.operation,
        }


# ``json.dumps(fields, sort_keys=True)`` builds an encoder per call; one kept encoder with the
# same options writes the same text.
_DIGEST_JSON = json.JSONEncoder(sort_keys=True)


def fields_digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(_DIGEST_JSON.encode(fields).encode("utf-8")).hexdigest()


def _fields_json(log: LogRow, lists: dict[tuple[str, ...], str]) -> str:
    """``json.dumps(log.fields(), sort_keys=True)``, written out (keys in sorted order, the
    same escaping) at half the cost: the digest of every row of a large extract. ``lists``
    keeps the JSON of the hashtag and type lists, which most logs share."""
    return (
        '{"assessment": '
        + _quoted(log.assessment)
        + ', "created_on": "'
        + log.created_on.isoformat()
        + '", "exploitation_types": '
        + json_list(log.exploitation_types, lists)
        + ', "handling_code": '
        + _quoted(log.handling_code)
        + ', "handling_conditions": '
        + _quoted(log.handling_conditions)
        + ', "hashtags": '
        + json_list(log.hashtags, lists)
        + ', "investigation_ref": '
        + _quoted(log.investigation_ref)
        + ', "operation": '
        + _quoted(log.operation)
        + ', "route": '
        + _quoted(log.route)
        + ', "source_evaluation": '
        + _quoted(log.source_evaluation)
        + ', "summary": '
        + _quoted(log.summary)
        + "}"
    )


def json_list(values: list[str], lists: dict[tuple[str, ...], str]) -> str:
    """``json.dumps(values)``, kept in ``lists`` for the next log with the same list."""
    key = tuple(values)
    text = lists.get(key)
    if text is None:
        text = lists[key] = json.dumps(values)
    return text


def row_digest(log: LogRow, lists: dict[tuple[str, ...], str]) -> str:
    """:func:`fields_digest` of ``log.fields()``."""
    return hashlib.sha256(_fields_json(log, lists).encode("utf-8")).hexdigest()


def likely_names(text: str) -> list[str]:
    """Words of ``text`` that look like a person's name (flagged, never removed)."""
    found = [m.group(0) for m in _TITLED.finditer(text)]
    for m in _CAPITALISED_RUN.finditer(text):
        if sum(w.lower() not in NOT_NAMES for w in m.group(0).split()) >= 2:
            found.append(m.group(0))
    return sorted(set(found))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.strip() if isinstance(value, str) else str(value)


_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    iso = _ISO_DAY.fullmatch(text)
    if iso:  # the usual form, without strptime's cost per call (same dates accepted)
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    return None


def read_extract(filename: str, data: bytes) -> tuple[list[list[Any]], str]:
    """The extract's rows through the bounded reading path, and the sheet read ("" for CSV)."""
    if filename.lower().endswith(".xlsx"):
        workbook = open_workbook(data)
        sheet = workbook.sheet_names[0]
        return workbook.rows(sheet), sheet
    return read_file_rows(filename, data), ""


def check_extract(
    filename: str,
    data: bytes,
    *,
    force_code: str,
    force_words: dict[str, str],
    exploitation_codes: frozenset[str],
    today: date,
) -> tuple[list[LogRow], list[Problem]]:
    """Every log of the file, or every problem found. ``force_words`` maps a force's code
    and name (lower-cased) to its code, to tell another force's logs."""
    try:
        rows, sheet = read_extract(filename, data)
    except FileRejected as exc:
        return [], [Problem(filename, exc.message, exc.row, exc.column, exc.sheet)]
    return check_rows(
        filename,
        rows,
        sheet,
        force_code=force_code,
        force_words=force_words,
        exploitation_codes=exploitation_codes,
        today=today,
    )


def check_rows(
    filename: str,
    rows: list[list[Any]],
    sheet: str,
    *,
    force_code: str,
    force_words: dict[str, str],
    exploitation_codes: frozenset[str],
    today: date,
) -> tuple[list[LogRow], list[Problem]]:
    problems: list[Problem] = []

    def problem(message: str, row: int | None = None, column: str = "") -> None:
        problems.append(Problem(filename, message, row, column, sheet))

    header_at = next((i for i, r in enumerate(rows) if r), None)
    if header_at is None:
        problem("the extract is empty: give a header row and a row per log")
        return [], problems
    index: dict[str, int] = {}
    for i, cell in enumerate(rows[header_at]):
        name = _text(cell).lower().replace(" ", "_")
        if name in COLUMNS:
            if name in index:
                problem(f"the column {name!r} is given twice", header_at + 1, column_letter(i))
            index[name] = i
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        problem(
            f"no column {', '.join(repr(m) for m in missing)} in the header row",
            header_at + 1,
        )
        return [], problems
    where = {c: f"{column_letter(i)} ({c})" for c, i in index.items()}
    grades_s = set(SourceEvaluation.values)
    grades_a = set(Assessment.values)
    codes_h = set(HandlingCode.values)
    logs: list[LogRow] = []
    first_row: dict[str, int] = {}
    lists: dict[tuple[str, ...], str] = {}
    columns = list(index.items())
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not row:
            continue
        width = len(row)
        cells = {
            c: ((v.strip() if type(v := row[i]) is str else _text(v)) if i < width else "")
            for c, i in columns
        }
        if not any(cells.values()):
            continue
        ok = True

        def bad(message: str, column: str, *, _n: int = number) -> None:
            nonlocal ok
            ok = False
            problem(message, _n, where[column])

        reference = cells["reference"]
        if not reference:
            bad("no log reference", "reference")
        elif len(reference) > 64:
            bad("the log reference is longer than 64 characters", "reference")
        elif reference in first_row:
            bad(
                f"log {reference} is in the file twice (as on row {first_row[reference]})",
                "reference",
            )
        else:
            first_row[reference] = number
        sent_force = cells.get("force", "")
        if sent_force and force_words.get(sent_force.lower()) != force_code:
            bad(
                f"{sent_force!r} is not this extract's force ({force_code}): a force sends "
                "its own logs only",
                "force",
            )
        raw_created = row[index["created"]] if index["created"] < len(row) else ""
        created = _date(raw_created)
        if created is None:
            bad(f"{cells['created']!r} is not a date (YYYY-MM-DD)", "created")
        elif created > today:
            bad(f"{created:%d %B %Y} is in the future", "created")
        elif created < EARLIEST:
            bad(f"{created:%d %B %Y} is too early for a log", "created")
        hashtags = sorted({h for h in _TAG_SEPARATORS.split(cells["hashtags"]) if h})
        for tag in hashtags:
            if not _HASHTAG.match(tag):
                bad(f"{tag!r} is not a hashtag (# then letters or digits)", "hashtags")
                break
        oic = OIC_HASHTAG.lower() in {h.lower() for h in hashtags}
        source = cells["source_evaluation"]
        if source not in grades_s:
            bad(f"unknown source evaluation {source!r} (1, 2 or 3)", "source_evaluation")
        assessment = cells["intelligence_assessment"].upper()
        if assessment not in grades_a:
            bad(
                f"unknown intelligence assessment {cells['intelligence_assessment']!r} (A to E)",
                "intelligence_assessment",
            )
        handling = cells["handling_code"].upper()
        conditions = cells.get("handling_conditions", "")
        if handling not in codes_h:
            bad(f"unknown handling code {cells['handling_code']!r} (P or C)", "handling_code")
        elif handling == HandlingCode.C and not conditions:
            bad(
                "handling code C needs its conditions (column handling_conditions)",
                "handling_conditions" if "handling_conditions" in where else "handling_code",
            )
        elif len(conditions) > 500:
            bad("the handling conditions are longer than 500 characters", "handling_conditions")
        route_word = cells.get("route", "")
        route = _ROUTE_WORDS.get(route_word.lower(), "") if route_word else ""
        if route_word and not route:
            bad(
                f"unknown route {route_word!r} (small boat, HGV/lorry, air, maritime, inland)",
                "route",
            )
        types = sorted(
            {
                t.strip().lower()
                for t in _TYPE_SEPARATORS.split(cells.get("exploitation_types", ""))
                if t.strip()
            }
        )
        unknown = [t for t in types if t not in exploitation_codes]
        if unknown:
            bad(
                f"unknown exploitation type {', '.join(map(repr, unknown))} "
                f"({', '.join(sorted(exploitation_codes))})",
                "exploitation_types",
            )
        if ok and not oic and not types:
            bad(
                f"the log carries neither the national hashtag {OIC_HASHTAG} nor an "
                "exploitation type (a modern slavery log referred to the unit)",
                "hashtags",
            )
        summary = cells["summary"]
        if not summary:
            bad("no summary", "summary")
        elif len(summary) > MAX_SUMMARY:
            bad(f"the summary is longer than {MAX_SUMMARY} characters", "summary")
        else:
            names = likely_names(summary)
            confirmed = cells.get("names_confirmed", "").lower() in _YES
            if names and not confirmed:
                bad(
                    f"the summary may name a person ({', '.join(names)}): remove names, or "
                    "if these are not names put yes in names_confirmed",
                    "summary",
                )
        investigation = cells.get("investigation", "")[:64]
        operation = cells.get("operation", "")[:100]
        if not ok or created is None:
            continue
        log = LogRow(
            row=number,
            reference=reference,
            created_on=created,
            hashtags=hashtags,
            source_evaluation=source,
            assessment=assessment,
            handling_code=handling,
            handling_conditions=conditions if handling == HandlingCode.C else "",
            route=route,
            exploitation_types=types,
            summary=summary,
            investigation_ref=investigation,
            operation=operation,
            oic_tagged=oic,
            ms_referred=bool(types),
        )
        log.digest = row_digest(log, lists)
        logs.append(log)
    if not logs and not problems:
        problem("the extract has a header row but no log")
    return logs, problems
