"""Read a file laid out like the Home Office's published NRM statistics tables into the rows
the collection pipeline takes (docs/nrm-statistics.md).

A file (CSV, or XLSX with any number of sheets) holds one or more tables, each under a
header block (a title, notes, the source: any rows above it). A table is found by its header
row and is one of two shapes:

- a quarter per row: a header naming a quarter column (``Quarter``, ``Period``, ``Time
  period``; optionally with a ``Year`` column, carried down where blank) and the types as
  columns, e.g. ``Quarter | Police | Local authority | Home Office | NGO | Other | Total``;
- a quarter per column: a header whose first cell names the types (``First responder
  type``, ``Exploitation type``) and whose other cells are quarters, one type per row below.

A table's types are first responder types (police, local authority, Home Office and its
parts, NGO, other) or exploitation types (labour, sexual, criminal, domestic servitude,
organ harvesting, other or unknown); an optional ``Total`` column or row is checked against
the sum. Quarters are written as published (``Jan to Mar 2015``, ``2015 Q1``, ``Q1 2015``:
calendar quarters), as a financial year's quarter (``Q1 2023/24``) or as the product's code
(``FY2014-15-Q4``). A count is a whole number; ``-`` is none; a blank, ``..`` or ``[x]`` is
not published (no value). Rows that subtotal a year (``2015 total``) are skipped.

Every file goes through the one bounded reading path (:mod:`msoic.collection.reading`).
Nothing here stores anything: :func:`read_release` gives the pipeline's rows, or the
problems, each naming the file's sheet, row and column.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from msoic.collection.readers import ParsedFile, RawRow
from msoic.collection.reading import FileRejected, column_letter, open_workbook, read_csv_rows
from msoic.metrics.periods import QUARTERLY, format_period, quarter_start

DATASET = "nrm-national-quarterly"
METRIC = "nrm_national_referrals"
RESPONDER = "first_responder"
EXPLOITATION = "exploitation_type"
MAX_PROBLEMS = 50
MAX_TABLES = 20


def _norm(text: Any) -> str:
    """A header as a key: lower case, letters and digits, single spaces."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).split())


# Header (normalised) -> (breakdown, option). "other" and "unknown" belong to whichever
# breakdown the table's other columns name.
_RESPONDER_NAMES = {
    "police": "police",
    "police force": "police",
    "police forces": "police",
    "local authority": "local_authority",
    "local authorities": "local_authority",
    "home office": "home_office",
    "uk visas and immigration": "home_office",
    "ukvi": "home_office",
    "immigration enforcement": "home_office",
    "border force": "home_office",
    "ngo": "ngo",
    "ngos": "ngo",
    "non governmental organisation": "ngo",
    "non governmental organisations": "ngo",
    "other first responder": "other",
    "other first responders": "other",
    "other government agency": "other",
    "other government agencies": "other",
}
_EXPLOITATION_NAMES = {
    "labour": "labour",
    "labour exploitation": "labour",
    "sexual": "sexual",
    "sexual exploitation": "sexual",
    "criminal": "criminal",
    "criminal exploitation": "criminal",
    "domestic servitude": "domestic_servitude",
    "organ harvesting": "organ_harvesting",
    "labour and sexual": "other",
    "not specified or unknown": "other",
    "other or unknown": "other",
    "other exploitation": "other",
}
_SHARED_NAMES = {"other": "other", "unknown": "other", "not known": "other"}
_TOTAL_NAMES = {"total", "total referrals", "all referrals", "all first responders"}
_QUARTER_HEADERS = {"quarter", "period", "time period", "year and quarter", "quarter and year"}
_YEAR_HEADERS = {"year", "calendar year"}
_TYPE_HEADERS = {
    "first responder": RESPONDER,
    "first responder type": RESPONDER,
    "first responder organisation type": RESPONDER,
    "exploitation type": EXPLOITATION,
    "exploitation": EXPLOITATION,
    "type of exploitation": EXPLOITATION,
}
_NOT_PUBLISHED = {"", "..", "[x]", "x", "[c]", "n/a"}
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}


class NrmFileError(Exception):
    """The file cannot be read as NRM statistics; ``sheet``/``row``/``column`` locate it."""

    def __init__(self, message: str, *, sheet: str = "", row: int | None = None, column: str = ""):
        super().__init__(message)
        self.message = message
        self.sheet = sheet
        self.row = row
        self.column = column

    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)


@dataclass
class Cell:
    value: int
    sheet: str
    row: int
    column: str
    quarter_column: str = ""  # where the cell's quarter is written (its row's or column's)


@dataclass
class Release:
    """What a file holds: quarter start -> breakdown -> option -> count, and the totals."""

    counts: dict[date, dict[str, dict[str, Cell]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    totals: dict[date, dict[str, Cell]] = field(default_factory=lambda: defaultdict(dict))
    tables: list[str] = field(default_factory=list)  # where each table was found, in words

    @property
    def quarters(self) -> list[date]:
        return sorted(set(self.counts) | set(self.totals))


# --- quarters ----------------------------------------------------------------------------

_CAL_Q = re.compile(r"^(?:(\d{4})\s*-?\s*q(?:uarter)?\s*([1-4])|q(?:uarter)?\s*([1-4])\s*(\d{4}))$")
_FY_Q = re.compile(r"^q(?:uarter)?\s*([1-4])\s*(?:of\s*)?(\d{4})\s*/\s*(\d{2}|\d{4})$")
_CODE_Q = re.compile(r"^fy(\d{4})-(\d{2})-q([1-4])$")
_MONTH_SPAN = re.compile(r"^([a-z]+)\s*(?:to|-|–)\s*([a-z]+)\s*(\d{4})?$")
_BARE_Q = re.compile(r"^q(?:uarter)?\s*([1-4])$")


def _calendar_quarter(year: int, q: int) -> date:
    return date(year, 3 * q - 2, 1)


def parse_quarter(cell: Any, year: int | None = None) -> date | None:
    """The first day of the quarter ``cell`` names (None when it names none). ``year`` is
    the year column's, for a quarter written without its year (``Q1``, ``Jan to Mar``)."""
    if isinstance(cell, datetime):
        cell = cell.date()
    if isinstance(cell, date):
        return quarter_start(cell.replace(day=1))
    text = " ".join(str(cell or "").strip().lower().split())
    if not text:
        return None
    m = _CODE_Q.match(text)
    if m:
        start, q = int(m.group(1)), int(m.group(3))
        if int(m.group(2)) != (start + 1) % 100:
            return None
        return date(start + (1 if q == 4 else 0), (4, 7, 10, 1)[q - 1], 1)
    m = _FY_Q.match(text)
    if m:
        q, start = int(m.group(1)), int(m.group(2))
        end = int(m.group(3)) % 100
        if end != (start + 1) % 100:
            return None
        return date(start + (1 if q == 4 else 0), (4, 7, 10, 1)[q - 1], 1)
    m = _CAL_Q.match(text)
    if m:
        written = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return _calendar_quarter(int(written[0]), int(written[1]))
    m = _MONTH_SPAN.match(text)
    if m:
        first, last = _MONTHS.get(m.group(1)), _MONTHS.get(m.group(2))
        y = int(m.group(3)) if m.group(3) else year
        if first is None or last is None or y is None:
            return None
        if first % 3 != 1 or last != first + 2:
            return None
        return date(y, first, 1)
    m = _BARE_Q.match(text)
    if m and year is not None:
        return _calendar_quarter(year, int(m.group(1)))
    return None


def quarter_words(start: date) -> str:
    """``FY2014-15-Q4 (Jan to Mar 2015)``."""
    end = {1: "Mar", 4: "Jun", 7: "Sep", 10: "Dec"}[start.month]
    return f"{format_period(QUARTERLY, start)} ({start:%b} to {end} {start.year})"


# --- counts ------------------------------------------------------------------------------


def parse_count(cell: Any) -> int | None:
    """A published count: a whole number of 0 or more; ``-`` is 0; None when not published.
    Raises ValueError for anything else."""
    if cell is None or isinstance(cell, bool):
        if cell is None:
            return None
        raise ValueError("a true/false cell is not a count")
    if isinstance(cell, int):
        if cell < 0:
            raise ValueError(f"{cell} is negative")
        return cell
    if isinstance(cell, float):
        if cell < 0:
            raise ValueError(f"{cell:g} is negative")
        if cell != cell or not cell.is_integer():
            raise ValueError(f"{cell:g} is not a whole number of 0 or more")
        return int(cell)
    if isinstance(cell, (date, datetime)):
        raise ValueError("a date is not a count")
    text = str(cell).strip()
    if text.lower() in _NOT_PUBLISHED:
        return None
    if text in {"-", "–", "—"}:
        return 0
    plain = text.replace(",", "")
    if re.fullmatch(r"\d+", plain):
        return int(plain)
    if re.fullmatch(r"\d+\.0+", plain):
        return int(plain.split(".")[0])
    shown = text if len(text) <= 40 else text[:40] + "…"
    raise ValueError(f"'{shown}' is not a whole number of 0 or more")


# --- tables ------------------------------------------------------------------------------


def _type_of(header: str, breakdown: str | None) -> tuple[str, str] | None:
    if header in _RESPONDER_NAMES:
        return RESPONDER, _RESPONDER_NAMES[header]
    if header in _EXPLOITATION_NAMES:
        return EXPLOITATION, _EXPLOITATION_NAMES[header]
    if header in _SHARED_NAMES and breakdown is not None:
        return breakdown, _SHARED_NAMES[header]
    return None


def _breakdown_of(headers: list[str]) -> str | None:
    """The breakdown a header's names choose (the one with more names among them)."""
    responders = sum(1 for h in headers if h in _RESPONDER_NAMES)
    exploitation = sum(1 for h in headers if h in _EXPLOITATION_NAMES)
    if not responders and not exploitation:
        return None
    return RESPONDER if responders >= exploitation else EXPLOITATION


def _at(cell: Cell) -> str:
    where = f"row {cell.row}, column {cell.column}"
    return f"sheet '{cell.sheet}', {where}" if cell.sheet else where


class _Reader:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.release = Release()
        self.problems: list[NrmFileError] = []
        self.seen: dict[tuple[date, str, str], Cell] = {}
        self.seen_total: dict[tuple[date, str], Cell] = {}
        self.seen_table: dict[tuple[date, str, str], int] = {}
        self.layout = "rows"
        self.quarter_column = "A"

    def problem(self, message: str, *, sheet: str, row: int, column: int | None = None) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            letter = column_letter(column) if column is not None else ""
            self.problems.append(NrmFileError(message, sheet=sheet, row=row, column=letter))

    def count(self, raw: Any, *, sheet: str, row: int, column: int, what: str) -> int | None:
        try:
            return parse_count(raw)
        except ValueError as exc:
            self.problem(f"{what}: {exc}", sheet=sheet, row=row, column=column)
            return None

    def add(
        self, quarter: date, breakdown: str, option: str, value: int, sheet: str, row: int, col: int
    ) -> None:
        cell = Cell(value, sheet, row, column_letter(col))
        cell.quarter_column = self.quarter_column if self.layout == "rows" else cell.column
        key = (quarter, breakdown, option)
        known = self.seen.get(key)
        options = self.release.counts[quarter].setdefault(breakdown, {})
        table = len(self.release.tables)
        if known is not None:
            line = row if self.layout == "rows" else cell.column
            known_line = known.row if self.layout == "rows" else known.column
            if self.seen_table.get(key) == table and known_line == line:
                # two columns (or rows) of one quarter map to one option (UKVI and Border
                # Force are both the Home Office): their counts add up
                options[option] = Cell(
                    known.value + value, sheet, row, cell.column, cell.quarter_column
                )
                self.seen[key] = options[option]
                return
            self.problem(
                f"{quarter_words(quarter)} is given twice for {option.replace('_', ' ')} "
                f"(also at {_at(known)})",
                sheet=sheet,
                row=row,
                column=col,
            )
            return
        options[option] = cell
        self.seen[key] = cell
        self.seen_table[key] = table

    def add_total(self, quarter: date, breakdown: str, value: int, sheet: str, row: int, col: int):
        key = (quarter, breakdown)
        if key in self.seen_total:
            known = self.seen_total[key]
            self.problem(
                f"{quarter_words(quarter)} has two totals (also at {_at(known)})",
                sheet=sheet,
                row=row,
                column=col,
            )
            return
        cell = Cell(value, sheet, row, column_letter(col))
        cell.quarter_column = self.quarter_column if self.layout == "rows" else cell.column
        self.seen_total[key] = cell
        self.release.totals[quarter][breakdown] = cell

    # one sheet: find each table's header and read the table under it
    def sheet(self, name: str, rows: list[list[Any]]) -> None:
        i = 0
        while i < len(rows):
            found = self._header(rows[i])
            if found is None:
                i += 1
                continue
            if len(self.release.tables) >= MAX_TABLES:
                raise NrmFileError(
                    f"more than {MAX_TABLES} tables: send the release's tables of first responder "
                    "and exploitation types only",
                    sheet=name,
                    row=i + 1,
                )
            kind, layout = found
            self.layout = kind
            if kind == "rows":
                i = self._rows_table(name, rows, i, layout)
            else:
                i = self._columns_table(name, rows, i, layout)

    def _header(self, line: list[Any]) -> tuple[str, Any] | None:
        names = [_norm(c) for c in line]
        if not any(names):
            return None
        breakdown = _breakdown_of(names)
        quarter_col = next((j for j, n in enumerate(names) if n in _QUARTER_HEADERS), None)
        if quarter_col is not None and breakdown is not None:
            return "rows", (names, breakdown, quarter_col)
        first = next((j for j, n in enumerate(names) if n), None)
        if first is not None and names[first] in _TYPE_HEADERS:
            quarters = [(j, parse_quarter(c)) for j, c in enumerate(line) if j > first]
            if sum(1 for _, q in quarters if q is not None) >= 1:
                return "columns", (first, _TYPE_HEADERS[names[first]], quarters)
        return None

    def _rows_table(self, sheet: str, rows: list[list[Any]], at: int, layout: Any) -> int:
        names, breakdown, quarter_col = layout
        self.quarter_column = column_letter(quarter_col)
        header_row = at + 1
        year_col = next((j for j, n in enumerate(names) if n in _YEAR_HEADERS), None)
        columns: dict[int, str] = {}
        total_col = None
        for j, n in enumerate(names):
            if j in (quarter_col, year_col) or not n:
                continue
            if n in _TOTAL_NAMES:
                total_col = j
                continue
            typed = _type_of(n, breakdown)
            if typed is None or typed[0] != breakdown:
                kind = "first responder" if breakdown == RESPONDER else "exploitation"
                self.problem(
                    f"column '{rows[at][j]}' is not a known {kind} type (see "
                    "docs/nrm-statistics.md for the names read)",
                    sheet=sheet,
                    row=header_row,
                    column=j,
                )
                continue
            columns[j] = typed[1]
        self.release.tables.append(f"sheet '{sheet}', row {header_row}")
        year: int | None = None
        i = at + 1
        while i < len(rows):
            line = rows[i]
            number = i + 1
            if not line:
                break
            if year_col is not None and year_col < len(line) and str(line[year_col]).strip():
                raw_year = line[year_col]
                text = str(int(raw_year) if isinstance(raw_year, float) else raw_year).strip()
                if re.fullmatch(r"\d{4}", text):
                    year = int(text)
                elif _norm(text).endswith("total") or _norm(text).startswith("total"):
                    i += 1
                    continue
                else:
                    self.problem(
                        f"'{text}' is not a year", sheet=sheet, row=number, column=year_col
                    )
                    i += 1
                    continue
            raw_quarter = line[quarter_col] if quarter_col < len(line) else ""
            label = _norm(raw_quarter)
            if label.endswith("total") or label.startswith("total"):
                i += 1
                continue
            quarter = parse_quarter(raw_quarter, year)
            values = {j: line[j] for j in (*columns, total_col) if j is not None and j < len(line)}
            if quarter is None:
                if not any(str(v).strip() for v in values.values()):
                    break  # the notes under the table
                self.problem(
                    f"'{raw_quarter}' is not a quarter (write e.g. Jan to Mar 2015, 2015 Q1 or "
                    "Q1 2023/24)",
                    sheet=sheet,
                    row=number,
                    column=quarter_col,
                )
                i += 1
                continue
            summed, given = 0, 0
            for j, option in columns.items():
                what = f"{quarter_words(quarter)}, {rows[at][j]}"
                value = self.count(
                    line[j] if j < len(line) else None, sheet=sheet, row=number, column=j, what=what
                )
                if value is not None:
                    self.add(quarter, breakdown, option, value, sheet, number, j)
                    summed += value
                    given += 1
            if total_col is not None:
                what = f"{quarter_words(quarter)}, total"
                raw_total = line[total_col] if total_col < len(line) else None
                total = self.count(raw_total, sheet=sheet, row=number, column=total_col, what=what)
                if total is not None:
                    if given == len(columns) and summed != total:
                        self.problem(
                            f"{quarter_words(quarter)}: the types add up to {summed:,} but the "
                            f"total is {total:,}",
                            sheet=sheet,
                            row=number,
                            column=total_col,
                        )
                    self.add_total(quarter, breakdown, total, sheet, number, total_col)
            i += 1
        return i

    def _columns_table(self, sheet: str, rows: list[list[Any]], at: int, layout: Any) -> int:
        first, breakdown, quarters = layout
        header_row = at + 1
        for j, q in quarters:
            raw = rows[at][j]
            if q is None and str(raw).strip() and _norm(raw) not in _TOTAL_NAMES:
                self.problem(
                    f"'{raw}' is not a quarter (write e.g. Jan to Mar 2015, 2015 Q1 or Q1 2023/24)",
                    sheet=sheet,
                    row=header_row,
                    column=j,
                )
        self.release.tables.append(f"sheet '{sheet}', row {header_row}")
        sums: dict[int, int] = defaultdict(int)
        i = at + 1
        while i < len(rows):
            line = rows[i]
            number = i + 1
            if not line or first >= len(line) or not str(line[first]).strip():
                break
            name = _norm(line[first])
            is_total = name in _TOTAL_NAMES
            typed = None if is_total else _type_of(name, breakdown)
            if not is_total and (typed is None or typed[0] != breakdown):
                kind = "first responder" if breakdown == RESPONDER else "exploitation"
                self.problem(
                    f"'{line[first]}' is not a known {kind} type (see docs/nrm-statistics.md)",
                    sheet=sheet,
                    row=number,
                    column=first,
                )
                i += 1
                continue
            for j, quarter in quarters:
                if quarter is None:
                    continue
                what = f"{quarter_words(quarter)}, {line[first]}"
                raw = line[j] if j < len(line) else None
                value = self.count(raw, sheet=sheet, row=number, column=j, what=what)
                if value is None:
                    continue
                if is_total:
                    self.add_total(quarter, breakdown, value, sheet, number, j)
                else:
                    assert typed is not None
                    self.add(quarter, breakdown, typed[1], value, sheet, number, j)
                    sums[j] += value
            i += 1
        for j, quarter in quarters:
            total = self.release.totals.get(quarter, {}).get(breakdown) if quarter else None
            if quarter is not None and total is not None and total.sheet == sheet:
                if sums[j] != total.value and len(self.release.counts[quarter].get(breakdown, {})):
                    self.problem(
                        f"{quarter_words(quarter)}: the types add up to {sums[j]:,} but the total "
                        f"is {total.value:,}",
                        sheet=sheet,
                        row=total.row,
                        column=j,
                    )
        return i


def _sheets(filename: str, data: bytes) -> list[tuple[str, list[list[Any]]]]:
    """Every sheet's rows through the bounded reading path (a CSV file is one sheet)."""
    lowered = filename.lower()
    if lowered.endswith(".csv"):
        return [("", read_csv_rows(data))]
    if lowered.endswith(".xlsx"):
        workbook = open_workbook(data)
        return [(name, workbook.rows(name)) for name in workbook.sheet_names]
    raise NrmFileError("file type not accepted: send the release's tables as .xlsx or .csv")


def read_release(filename: str, data: bytes) -> Release:
    """The counts a file holds. Raises :class:`NrmFileError` (the first problem; every
    problem found is on ``.problems``) when it cannot be read or holds a bad cell."""
    reader = _Reader(filename)
    try:
        for name, rows in _sheets(filename, data):
            reader.sheet(name, rows)
    except FileRejected as exc:
        raise NrmFileError(exc.message, sheet=exc.sheet, row=exc.row, column=exc.column) from exc
    if reader.problems:
        error = reader.problems[0]
        error.problems = reader.problems  # type: ignore[attr-defined]
        raise error
    if not reader.release.tables:
        raise NrmFileError(
            "no table of NRM referrals found: expected a header row naming a quarter column and "
            "first responder types (Police, Local authority, Home Office, NGO, Other) or "
            "exploitation types, or a row of quarters after 'First responder type'"
        )
    if not reader.release.quarters:
        raise NrmFileError("the tables hold no quarter's figures")
    return reader.release


def _raw(cell: Cell, breakdown: str, period: str, national_code: str) -> RawRow:
    """One pipeline row, located at the cell it came from."""
    return RawRow(
        sheet=cell.sheet,
        row=cell.row,
        cells={
            "force": national_code,
            "period": period,
            "metric": METRIC,
            "breakdown": breakdown,
            "value": cell.value,
            "comment": "",
            "dataset": DATASET,
        },
        columns={"value": cell.column, "period": cell.quarter_column},
    )


def to_rows(release: Release, national_code: str) -> ParsedFile:
    """The release as the pipeline's rows: per quarter, the total (the first responder
    types' sum, else the table's total, else the exploitation types' sum) and each option,
    each row pointing at the cell it came from."""
    rows: list[RawRow] = []
    for quarter in release.quarters:
        period = format_period(QUARTERLY, quarter)
        by = release.counts.get(quarter, {})
        totals = release.totals.get(quarter, {})
        total_cell: Cell | None = None
        for breakdown in (RESPONDER, EXPLOITATION):
            if breakdown in totals:
                total_cell = totals[breakdown]
                break
            options = by.get(breakdown)
            if options:
                first = next(iter(options.values()))
                total_cell = Cell(
                    sum(c.value for c in options.values()),
                    first.sheet,
                    first.row,
                    first.column,
                    first.quarter_column,
                )
                break
        if total_cell is None:
            continue
        rows.append(_raw(total_cell, "", period, national_code))
        for breakdown in (RESPONDER, EXPLOITATION):
            for option, cell in sorted(by.get(breakdown, {}).items()):
                rows.append(_raw(cell, f"{breakdown}={option}", period, national_code))
    return ParsedFile(kind="xlsx" if any(r.sheet for r in rows) else "csv", rows=rows)
