"""Report templates as structured text, and the figure tags in them (docs/reports.md).

A template is plain text, read line by line:

- ``# Heading`` starts a section, ``## Heading`` a subsection, ``### Heading`` a minor
  heading;
- consecutive lines of text make a paragraph; a blank line ends it;
- ``- item`` lines make a bulleted list;
- ``+ [[tag]] caption`` lines make a row of headline figures ("at a glance");
- ``> text`` lines make a quotation;
- ``| cell | cell`` lines make a table whose cells may hold figure tags, the first row
  its header; an optional ``|: caption`` line before them gives its caption;
- a line holding only ``[[table ...]]`` or ``[[chart ...]]`` is a table or a chart;
- ``// ...`` lines are notes for editors, never printed;
- ``title: ...`` on the first line names the report.

A figure tag, ``[[metric key=value ...]]`` (or ``[[figure metric ...]]``), may sit anywhere
in text. Values with spaces are quoted: ``label="People trained"``. The flag ``words`` prints
a whole count in words ("three"; :func:`msoic.reports.qualifiers.in_words`). A date tag,
``[[date SOURCE key=value ...]]``, states a dated fact an app reads from its records
(:mod:`msoic.metrics.dates`) and may sit wherever a figure may. This module only reads
the text: it checks the syntax and the options' shapes and says which line is wrong; the
metric, org unit and period are checked against the catalogue when the report is built
(:mod:`msoic.reports.resolve`).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from msoic.reports.qualifiers import said_date

TAG_RE = re.compile(r"\[\[((?:(?!\]\]|\[\[).)*)\]\]")  # no tag inside a tag
BLOCK_KINDS = ("table", "chart")
SHOWS = ("value", "previous", "change", "share", "register", "returns", "lowest", "highest")
PERS = ("month", "quarter")
QUALIFIERS = (
    "over",
    "more-than",
    "just-over",
    "around",
    "about",
    "approximately",
    "nearly",
    "almost",
    "just-under",
    "under",
    "less-than",
    "plus",
    "at-least",
    "at-most",
)
FIGURE_KEYS = {
    "metric",
    "orgunit",
    "period",
    "dataset",
    "compare",
    "show",
    "by",
    "option",
    "round",
    "q",
    "say",
    "id",
    "label",
    "per",
    "words",
}
# A date tag's own options; any other key goes to its date source (which refuses a key it
# does not know when the report is built).
DATE_KEYS = {"source", "show", "q", "say", "id", "label"}
DATE_SHOWS = ("day", "month", "quarter", "financial-year", "year")
DATE_QUALIFIERS = ("by-end-of", "by", "before", "after")
TABLE_KEYS = {"rows", "metric", "by", "orgunit", "period", "dataset", "round", "id", "caption"}
CHART_KEYS = {"metric", "by", "orgunit", "period", "dataset", "id", "title", "share"}


class TemplateError(ValueError):
    """Problems found reading a template: every one, each with its line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Tag:
    """One ``[[...]]`` tag: its kind (figure, date, table or chart), options and template line."""

    kind: str  # figure, date, table or chart
    options: dict[str, str]
    line: int
    source: str  # the tag as written, for messages

    def where(self) -> str:
        return f"line {self.line}: {self.source}"


@dataclass
class Text:
    """Running text: literal strings and figure tags, in order."""

    parts: list[str | Tag] = field(default_factory=list)

    def tags(self) -> list[Tag]:
        return [p for p in self.parts if isinstance(p, Tag)]


@dataclass
class Block:
    """A heading (level 1-3), paragraph, list, tiles, quote, table or chart."""

    kind: str
    line: int
    level: int = 0
    texts: list[Text] = field(default_factory=list)  # one per item (list, tiles) or one
    tag: Tag | None = None  # a table or chart
    rows: list[list[Text]] = field(default_factory=list)  # a grid: header first
    caption: str = ""


@dataclass
class Template:
    title: str
    blocks: list[Block]

    def tags(self) -> list[Tag]:
        out: list[Tag] = []
        for block in self.blocks:
            if block.tag is not None:
                out.append(block.tag)
            for text in block.texts + [c for row in block.rows for c in row]:
                out.extend(text.tags())
        return out


def parse_tag(body: str, line: int) -> Tag:
    """``metric key=value ...`` (or ``figure|table|chart ...``) as a :class:`Tag`; a
    :class:`TemplateError` naming the line for anything malformed."""
    source = f"[[{body}]]"
    try:
        words = shlex.split(body)
    except ValueError as exc:
        raise TemplateError([f"line {line}: {source}: {exc} (close the quotes)"]) from None
    if not words:
        raise TemplateError([f"line {line}: an empty tag [[]]"])
    kind = "figure"
    if words[0] in ("figure", "date", *BLOCK_KINDS):
        kind, words = words[0], words[1:]
    options: dict[str, str] = {}
    allowed = {"figure": FIGURE_KEYS, "table": TABLE_KEYS, "chart": CHART_KEYS}.get(kind)
    problems: list[str] = []
    for i, word in enumerate(words):
        if "=" not in word:
            if i == 0 and kind == "date":
                options["source"] = word
            elif i == 0 and kind != "table":
                options["metric"] = word
            elif kind == "chart" and word == "share":
                options["share"] = "yes"
            elif kind == "figure" and word == "words":
                options["words"] = "yes"
            else:
                problems.append(f"line {line}: {source}: {word!r} is not key=value")
            continue
        key, _, value = word.partition("=")
        if allowed is not None and key not in allowed:
            keys = ", ".join(sorted(allowed))
            problems.append(f"line {line}: {source}: unknown option {key!r} (allowed: {keys})")
            continue
        if key in options:
            problems.append(f"line {line}: {source}: {key} given twice")
            continue
        options[key] = value
    tag = Tag(kind, options, line, source)
    problems += _check_date(tag) if kind == "date" else _check_shape(tag)
    if problems:
        raise TemplateError(problems)
    return tag


def _check_shape(tag: Tag) -> list[str]:
    """Options whose shape is wrong whatever the data: a missing metric, an unknown
    qualifier, a rounding that is no integer, a stated figure that is no number."""
    o, where = tag.options, tag.where()
    out: list[str] = []
    if tag.kind in ("figure", "chart") and not o.get("metric"):
        out.append(f"{where}: names no metric")
    if tag.kind == "table" and not (o.get("rows") or o.get("metric")):
        out.append(f"{where}: a table needs rows=metric,metric... or metric=... by=...")
    if tag.kind == "table" and o.get("metric") and not o.get("by"):
        out.append(f"{where}: a table of one metric needs by= (force, region or a breakdown)")
    if tag.kind == "chart" and not o.get("by"):
        out.append(f"{where}: a chart needs by= (force, region or a breakdown)")
    show = o.get("show", "value")
    if show not in SHOWS:
        out.append(f"{where}: show={show!r} is not one of {', '.join(SHOWS)}")
    if show == "share" and not (o.get("by") and o.get("option")):
        out.append(f"{where}: show=share needs by= and option=")
    if o.get("option") and not o.get("by"):
        out.append(f"{where}: option= needs by=")
    if show in ("lowest", "highest"):
        if o.get("per") not in PERS:
            out.append(f"{where}: show={show} needs per= ({' or '.join(PERS)})")
        if o.get("by") or o.get("compare"):
            out.append(f"{where}: show={show} takes neither by= nor compare=")
    elif "per" in o:
        out.append(f"{where}: per= goes with show=lowest or show=highest")
    if o.get("compare") not in (None, "previous-year"):
        out.append(f"{where}: compare must be previous-year")
    if "round" in o and not re.fullmatch(r"-?[0-9]", o["round"]):
        out.append(f"{where}: round={o['round']!r} is not a whole number from -9 to 9")
    if "words" in o:
        if o["words"] != "yes":
            out.append(f"{where}: words is a flag: write it alone, without a value")
        if show in ("change", "share"):
            out.append(f"{where}: words prints a count in words, not a per cent (show={show})")
    if "q" in o and o["q"] not in QUALIFIERS:
        out.append(f"{where}: unknown qualifier q={o['q']!r} (use {', '.join(QUALIFIERS)})")
    if "say" in o:
        if "q" not in o:
            out.append(f"{where}: say= states a figure for a qualifier: add q=")
        try:
            float(o["say"].replace(",", ""))
        except ValueError:
            out.append(f"{where}: say={o['say']!r} is not a number")
    if "id" in o and not re.fullmatch(r"[a-z0-9][a-z0-9_.-]{0,79}", o["id"]):
        out.append(f"{where}: id={o['id']!r}: use lower-case letters, digits, '_', '-', '.'")
    return out


SAY_DATE_RE = {
    "day": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "month": re.compile(r"^\d{4}-\d{2}$"),
    "quarter": re.compile(r"^FY\d{4}-\d{2}-Q[1-4]$"),
    "financial-year": re.compile(r"^FY\d{4}-\d{2}$"),
    "year": re.compile(r"^\d{4}$"),
}
SAY_DATE_EXAMPLE = {
    "day": "2025-03-31",
    "month": "2024-09",
    "quarter": "FY2024-25-Q2",
    "financial-year": "FY2024-25",
    "year": "2024",
}


def said_show(say: str) -> str | None:
    """How a stated date is written (``2024-09``: a month), or None for no date shape."""
    return next((show for show, shape in SAY_DATE_RE.items() if shape.match(say)), None)


def _check_date(tag: Tag) -> list[str]:
    """A date tag's own options, whatever the records: a source named, a known way to show
    it and qualifier, a stated date written for that way, an id of the right shape. The
    source and its options are checked when the report is built."""
    o, where = tag.options, tag.where()
    out: list[str] = []
    if not o.get("source"):
        out.append(f"{where}: names no date (write [[date SOURCE ...]])")
    show = o.get("show")
    if show is not None and show not in DATE_SHOWS:
        out.append(f"{where}: show={show!r} is not one of {', '.join(DATE_SHOWS)}")
    if "q" in o and o["q"] not in DATE_QUALIFIERS:
        out.append(
            f"{where}: unknown date qualifier q={o['q']!r} (use {', '.join(DATE_QUALIFIERS)})"
        )
    if o.get("q") == "by-end-of" and (show or said_show(o.get("say", ""))) == "day":
        out.append(f"{where}: q=by-end-of needs show=month, quarter, financial-year or year")
    if "say" in o:
        if "q" not in o:
            out.append(f"{where}: say= states a date for a qualifier: add q=")
        said = said_show(o["say"])
        if said is None:
            examples = ", ".join(SAY_DATE_EXAMPLE.values())
            out.append(f"{where}: say={o['say']!r} is not a date written like one of {examples}")
        elif show is not None and said != show:
            out.append(
                f"{where}: say={o['say']!r} is a {said}, but show={show}: write it like "
                f"{SAY_DATE_EXAMPLE[show]}"
            )
        else:
            try:
                said_date(o["say"], said)
            except ValueError as exc:
                out.append(f"{where}: {exc}")
    if "id" in o and not re.fullmatch(r"[a-z0-9][a-z0-9_.-]{0,79}", o["id"]):
        out.append(f"{where}: id={o['id']!r}: use lower-case letters, digits, '_', '-', '.'")
    return out


def parse_text(text: str, line: int) -> Text:
    """Running text with its figure tags (a table or chart tag here is an error)."""
    out = Text()
    problems: list[str] = []
    at = 0
    for match in TAG_RE.finditer(text):
        if match.start() > at:
            out.parts.append(text[at : match.start()])
        try:
            tag = parse_tag(match.group(1), line)
        except TemplateError as exc:
            problems += exc.problems
        else:
            if tag.kind not in ("figure", "date"):
                problems.append(f"{tag.where()}: a {tag.kind} goes on a line of its own")
            out.parts.append(tag)
        at = match.end()
    rest = text[at:]
    if "[[" in rest or "]]" in rest:
        problems.append(f"line {line}: an unclosed tag: {rest.strip()[:60]}")
    if rest:
        out.parts.append(rest)
    if problems:
        raise TemplateError(problems)
    return out


_PREFIXES = {"- ": "list", "+ ": "tiles", "> ": "quote"}


def parse_template(source: str) -> Template:
    """Read a whole template; a :class:`TemplateError` lists every problem with its line."""
    lines = source.replace("\r\n", "\n").split("\n")
    title = ""
    blocks: list[Block] = []
    problems: list[str] = []
    current: Block | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            blocks.append(current)
        current = None

    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        stripped = line.strip()
        if number == 1 and stripped.lower().startswith("title:"):
            title = stripped[6:].strip()
            continue
        if not stripped:
            close()
            continue
        if stripped.startswith("//"):
            continue
        try:
            heading = re.match(r"^(#{1,3})\s+(.*)$", stripped)
            if heading:
                close()
                level = len(heading.group(1))
                blocks.append(
                    Block("heading", number, level, [parse_text(heading.group(2), number)])
                )
                continue
            whole = TAG_RE.fullmatch(stripped)
            if whole:
                tag = parse_tag(whole.group(1), number)
                if tag.kind in BLOCK_KINDS:
                    close()
                    blocks.append(Block(tag.kind, number, tag=tag))
                    continue
            if stripped.startswith("|"):
                if current is None or current.kind != "grid":
                    close()
                    current = Block("grid", number)
                if stripped.startswith("|:"):
                    current.caption = stripped[2:].strip()
                    continue
                cells = [c.strip() for c in stripped[1:].split("|")]
                row = [parse_text(c, number) for c in cells]
                if current.rows and len(row) != len(current.rows[0]):
                    problems.append(
                        f"line {number}: {len(row)} cells where the table's header has "
                        f"{len(current.rows[0])}"
                    )
                    continue
                current.rows.append(row)
                continue
            kind = _PREFIXES.get(stripped[:2])
            if kind is not None:
                text = parse_text(stripped[2:].strip(), number)
                if current is not None and current.kind == kind:
                    if kind == "quote":
                        current.texts[0].parts += [" ", *text.parts]
                    else:
                        current.texts.append(text)
                else:
                    close()
                    current = Block(kind, number, texts=[text])
                continue
            text = parse_text(stripped, number)
            if current is not None and current.kind == "paragraph":
                current.texts[0].parts += [" ", *text.parts]
            else:
                close()
                current = Block("paragraph", number, texts=[text])
        except TemplateError as exc:
            problems += exc.problems
    close()
    if problems:
        raise TemplateError(problems)
    return Template(title or "Report", blocks)
