"""The register's validation rules, one place for every way data arrives: the web forms,
the bulk import and the HTCDS import all call :func:`check_investigation` and
:func:`check_person` on already-typed values (dates as ``date``, lists as lists) and get
back the values normalised (nationality as ISO 3166-1 alpha-2, exploitation types with
the primary among them, status from the closed date) plus every problem found, each
naming its field. An importer adds file, sheet, row and column with :func:`locate`.

Nothing here writes; the actions refuse to store a record with problems
(:class:`RegisterRuleError`).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.utils import timezone

from msoic.cases.models import Category, Decision, Gender, Outcome, Status

INVESTIGATION_FIELDS = (
    "crime_reference",
    "opened_on",
    "closed_on",
    "status",
    "outcome",
    "exploitation_types",
    "primary_exploitation",
    "ocg_linked",
    "oic_related",
    "officer_in_charge",
    "last_reviewed_on",
)

PERSON_FIELDS = (
    "category",
    "age_group",
    "gender",
    "nationality",
    "is_assessment",
    "nrm_referred_on",
    "nrm_referred_by_police",
    "rg_decision",
    "rg_decided_on",
    "cg_decision",
    "cg_decided_on",
    "dtn_reported_on",
    "arrested_on",
    "charged_on",
    "birth_year",
    "marker_requested_on",
    "marker_applied_on",
)

# Fields that only mean something for one category of person (s.38).
VICTIM_ONLY = (
    "nrm_referred_on",
    "nrm_referred_by_police",
    "rg_decision",
    "rg_decided_on",
    "cg_decision",
    "cg_decided_on",
    "dtn_reported_on",
    "marker_requested_on",
    "marker_applied_on",
)
SUSPECT_ONLY = ("arrested_on", "charged_on", "birth_year")

FIELD_LABELS = {
    "crime_reference": "Crime reference",
    "opened_on": "Date opened",
    "closed_on": "Date closed",
    "status": "Status",
    "outcome": "Outcome",
    "exploitation_types": "Exploitation types",
    "primary_exploitation": "Primary exploitation type",
    "ocg_linked": "Linked to an organised crime group",
    "oic_related": "Related to an OIC",
    "officer_in_charge": "Officer in charge",
    "last_reviewed_on": "Last reviewed",
    "category": "Category",
    "age_group": "Age group at exploitation",
    "gender": "Gender",
    "nationality": "Nationality",
    "is_assessment": "Officer's assessment",
    "nrm_referred_on": "NRM referral date",
    "nrm_referred_by_police": "Referred by police",
    "rg_decision": "Reasonable grounds decision",
    "rg_decided_on": "Reasonable grounds decision date",
    "cg_decision": "Conclusive grounds decision",
    "cg_decided_on": "Conclusive grounds decision date",
    "dtn_reported_on": "Duty to Notify date",
    "arrested_on": "Arrest date",
    "charged_on": "Charge date",
    "birth_year": "Year of birth",
    "marker_requested_on": "PNC marker requested",
    "marker_applied_on": "PNC marker applied",
}

# The models' choices as plain dicts, built once: a bulk import checks every row against
# them, and an enum's ``choices`` builds a new list on every access.
OUTCOMES = dict(Outcome.choices)
STATUSES = dict(Status.choices)
CATEGORIES = dict(Category.choices)
GENDERS = dict(Gender.choices)
DECISIONS = dict(Decision.choices)

# Not ISO 3166-1, but what people type for the United Kingdom.
NATIONALITY_ALIASES = {"UK": "GB", "BRITISH": "GB", "GREAT BRITAIN": "GB"}


@dataclass(frozen=True)
class Problem:
    """One broken rule: the field it is about (a model field name, or "" for the record)
    and a message a person can act on. Importers fill in where it was found."""

    field: str
    message: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def where(self) -> str:
        parts = [
            self.file,
            f"sheet {self.sheet}" if self.sheet else "",
            f"row {self.row}" if self.row is not None else "",
            f"column {self.column}" if self.column else "",
        ]
        return ", ".join(p for p in parts if p)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


def locate(
    problems: Iterable[Problem],
    *,
    file: str = "",
    sheet: str = "",
    row: int | None = None,
    columns: Mapping[str, str] | None = None,
) -> list[Problem]:
    """The same problems, saying where they were found (``columns`` maps a field name to
    the file's column heading)."""
    columns = columns or {}
    return [
        Problem(
            field=p.field,
            message=p.message,
            file=file,
            sheet=sheet,
            row=row,
            column=columns.get(p.field, p.field) if p.field else "",
        )
        for p in problems
    ]


class RegisterRuleError(ValidationError):
    """Raised by the actions when a record breaks the rules; keeps the problems."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__([p.message for p in problems])


@dataclass
class Checked:
    """Normalised values and the problems found; store ``values`` only when ``ok``."""

    values: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, field_name: str, message: str) -> None:
        self.problems.append(Problem(field_name, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise RegisterRuleError(self.problems)


# --- codes -------------------------------------------------------------------------------


_PINNED_OPTIONS: contextvars.ContextVar[dict[str, dict[str, str]] | None] = contextvars.ContextVar(
    "register_pinned_options", default=None
)


@contextlib.contextmanager
def catalogue_pinned() -> Iterator[None]:
    """Inside the block the catalogue's options are read once, not once a row: a bulk
    import checks 100,000 rows against one catalogue without 100,000 queries."""
    token = _PINNED_OPTIONS.set({})
    try:
        yield
    finally:
        _PINNED_OPTIONS.reset(token)


def catalogue_options(breakdown: str) -> dict[str, str]:
    """The catalogue's option codes and labels for a breakdown (exploitation_type, age_group)."""
    from msoic.catalogue.loader import get_catalogue

    pinned = _PINNED_OPTIONS.get()
    if pinned is None:
        return dict(get_catalogue().breakdowns[breakdown].options)
    if breakdown not in pinned:
        pinned[breakdown] = dict(get_catalogue().breakdowns[breakdown].options)
    return pinned[breakdown]


def nationality_code(value: str) -> str | None:
    """ISO 3166-1 alpha-2 for an alpha-2 or alpha-3 code or an English country name
    (any case), or None when it names no country. Blank stays blank."""
    text = " ".join(str(value or "").split())
    if not text:
        return ""
    upper = text.upper()
    if upper in NATIONALITY_ALIASES:
        return NATIONALITY_ALIASES[upper]
    country: Any = None
    if len(text) == 2:
        country = pycountry.countries.get(alpha_2=upper)
    elif len(text) == 3:
        country = pycountry.countries.get(alpha_3=upper)
    if country is None:
        lowered = text.casefold()
        for candidate in pycountry.countries:
            names = (
                candidate.name,
                getattr(candidate, "official_name", ""),
                getattr(candidate, "common_name", ""),
            )
            if any(n and n.casefold() == lowered for n in names):
                country = candidate
                break
    return country.alpha_2 if country is not None else None


def nationality_name(code: str) -> str:
    if not code:
        return "Not known"
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def nationality_choices() -> list[tuple[str, str]]:
    return sorted(
        ((c.alpha_2, str(getattr(c, "common_name", None) or c.name)) for c in pycountry.countries),
        key=lambda pair: pair[1],
    )


# --- helpers -----------------------------------------------------------------------------


def _label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


def _lower(label: str) -> str:
    """Lower-case a label's first letter for use mid-sentence, keeping acronyms (NRM, PNC)."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value is False


def _date(checked: Checked, name: str, today: date) -> date | None:
    value = checked.values.get(name)
    if value in (None, ""):
        checked.values[name] = None
        return None
    if not isinstance(value, date):
        checked.add(name, f"{_label(name)} must be a date")
        return None
    if value > today:
        checked.add(name, f"{_label(name)} cannot be in the future ({value:%d/%m/%Y})")
    return value


def _text(checked: Checked, name: str) -> str:
    value = checked.values.get(name)
    text = "" if value is None else str(value).strip()
    checked.values[name] = text
    return text


def _choice(checked: Checked, name: str, choices: Mapping[str, str], *, blank: bool) -> str:
    value = _text(checked, name)
    if not value:
        if not blank:
            checked.add(name, f"Enter the {_lower(_label(name))}")
        return ""
    if value not in choices:
        allowed = ", ".join(choices)
        checked.add(name, f'{_label(name)} "{value}" is not one of: {allowed}')
    return value


def _not_before(checked: Checked, later: str, earlier: str) -> None:
    a, b = checked.values.get(later), checked.values.get(earlier)
    if isinstance(a, date) and isinstance(b, date) and a < b:
        checked.add(
            later,
            f"{_label(later)} ({a:%d/%m/%Y}) cannot be before the "
            f"{_lower(_label(earlier))} ({b:%d/%m/%Y})",
        )


# --- investigations ----------------------------------------------------------------------


def check_investigation(
    data: Mapping[str, Any],
    *,
    force_id: int,
    pk: int | None = None,
    taken_references: Container[str] | None = None,
    today: date | None = None,
) -> Checked:
    """Validate and normalise one investigation of force ``force_id``.

    ``pk`` is the record being updated (its own crime reference is not a clash).
    ``taken_references`` lets a bulk import check uniqueness against a set it holds
    (the force's stored references plus the file's earlier rows); without it the
    database is asked.
    """
    today = today or timezone.localdate()
    unknown = set(data) - set(INVESTIGATION_FIELDS)
    checked = Checked({k: data.get(k) for k in INVESTIGATION_FIELDS if k in data})
    for name in sorted(unknown):
        checked.add(name, f'"{name}" is not a field of an investigation')

    ref = _text(checked, "crime_reference")
    if not ref:
        checked.add("crime_reference", "Enter the crime reference")
    elif len(ref) > 64:
        checked.add("crime_reference", "Crime reference must be 64 characters or fewer")
    elif _reference_taken(ref, force_id=force_id, pk=pk, taken=taken_references):
        checked.add(
            "crime_reference",
            f"Crime reference {ref} is already used by another investigation in this force",
        )

    opened = _date(checked, "opened_on", today)
    if opened is None and "opened_on" not in {p.field for p in checked.problems}:
        checked.add("opened_on", "Enter the date the investigation was opened")
    closed = _date(checked, "closed_on", today)
    _date(checked, "last_reviewed_on", today)
    _not_before(checked, "closed_on", "opened_on")
    _not_before(checked, "last_reviewed_on", "opened_on")

    outcome = _choice(checked, "outcome", OUTCOMES, blank=True)
    status = _text(checked, "status") or (Status.CLOSED if closed else Status.LIVE)
    checked.values["status"] = status
    if status not in STATUSES:
        checked.add("status", f'Status "{status}" is not one of: live, closed')
    elif status == Status.CLOSED and closed is None:
        checked.add("closed_on", "A closed investigation needs the date it was closed")
    elif status == Status.LIVE and closed is not None:
        checked.add("status", "An investigation with a closed date cannot be live")
    if closed is not None and not outcome:
        checked.add("outcome", "A closed investigation needs an outcome")
    if outcome and closed is None:
        checked.add("closed_on", "An outcome is recorded when the investigation is closed")

    _check_exploitation(checked)

    for flag in ("ocg_linked", "oic_related"):
        checked.values[flag] = bool(checked.values.get(flag))
    officer = _text(checked, "officer_in_charge")
    if len(officer) > 128:
        checked.add("officer_in_charge", "Officer in charge must be 128 characters or fewer")
    return checked


def _reference_taken(
    ref: str, *, force_id: int, pk: int | None, taken: Container[str] | None
) -> bool:
    if taken is not None:
        return ref in taken
    from msoic.cases.models import Investigation

    clash = Investigation.objects.filter(force_id=force_id, crime_reference=ref)
    if pk is not None:
        clash = clash.exclude(pk=pk)
    return clash.exists()


def _check_exploitation(checked: Checked) -> None:
    options = catalogue_options("exploitation_type")
    raw = checked.values.get("exploitation_types") or []
    if isinstance(raw, str):
        raw = [part for part in raw.replace(";", ",").split(",")]
    types: list[str] = []
    for value in raw:
        code = str(value).strip()
        if not code or code in types:
            continue
        if code not in options:
            checked.add(
                "exploitation_types",
                f'Exploitation type "{code}" is not in the catalogue '
                f"(one of: {', '.join(options)})",
            )
            continue
        types.append(code)
    primary = _text(checked, "primary_exploitation")
    if primary and primary not in options:
        checked.add(
            "primary_exploitation",
            f'Primary exploitation type "{primary}" is not in the catalogue '
            f"(one of: {', '.join(options)})",
        )
    elif primary and types and primary not in types:
        checked.add(
            "primary_exploitation",
            "The primary exploitation type must be one of the investigation's exploitation types",
        )
    elif primary and not types:
        types = [primary]
    elif not primary and len(types) == 1:
        primary = types[0]
        checked.values["primary_exploitation"] = primary
    elif not primary and len(types) > 1:
        checked.add("primary_exploitation", "Choose which exploitation type is the primary one")
    checked.values["exploitation_types"] = types


# --- people ------------------------------------------------------------------------------


def check_person(data: Mapping[str, Any], *, today: date | None = None) -> Checked:
    """Validate and normalise one person on an investigation."""
    today = today or timezone.localdate()
    unknown = set(data) - set(PERSON_FIELDS)
    checked = Checked({k: data.get(k) for k in PERSON_FIELDS if k in data})
    for name in sorted(unknown):
        checked.add(name, f'"{name}" is not a field of a person')

    category = _choice(checked, "category", CATEGORIES, blank=False)
    age_group = _text(checked, "age_group") or "unknown"
    checked.values["age_group"] = age_group
    ages = catalogue_options("age_group")
    if age_group not in ages:
        checked.add("age_group", f'Age group "{age_group}" is not one of: {", ".join(ages)}')
    checked.values["gender"] = _text(checked, "gender") or Gender.UNKNOWN
    _choice(checked, "gender", GENDERS, blank=False)

    raw_nationality = _text(checked, "nationality")
    code = nationality_code(raw_nationality)
    if code is None:
        checked.add(
            "nationality",
            f'Nationality "{raw_nationality}" is not a country in ISO 3166-1: give a two- or '
            "three-letter code (GB, GBR) or the English name",
        )
    else:
        checked.values["nationality"] = code

    for flag in ("is_assessment", "nrm_referred_by_police"):
        checked.values[flag] = bool(checked.values.get(flag))
    dates = {
        name: _date(checked, name, today)
        for name in PERSON_FIELDS
        if name.endswith("_on") and name in checked.values
    }
    rg = _choice(checked, "rg_decision", DECISIONS, blank=True)
    cg = _choice(checked, "cg_decision", DECISIONS, blank=True)
    year = checked.values.get("birth_year")
    if year in ("", None):
        checked.values.pop("birth_year", None)
    elif not isinstance(year, int) or not 1900 <= year <= today.year:
        checked.add("birth_year", f"Year of birth must be a year from 1900 to {today.year}")

    if category in CATEGORIES:
        _check_category_fields(checked, category)
    if category != Category.VICTIM:
        return checked

    # Potential victims: the NRM sequence referral -> reasonable -> conclusive grounds.
    for decision, name, on, label in (
        (rg, "rg_decision", "rg_decided_on", "reasonable grounds"),
        (cg, "cg_decision", "cg_decided_on", "conclusive grounds"),
    ):
        if decision and not dates.get(on):
            checked.add(on, f"Enter the date of the {label} decision")
        if dates.get(on) and not decision:
            checked.add(name, f"Choose the {label} decision (positive or negative)")
    if rg and not dates.get("nrm_referred_on"):
        checked.add(
            "rg_decision", "A reasonable grounds decision needs an NRM referral (enter its date)"
        )
    _not_before(checked, "rg_decided_on", "nrm_referred_on")
    if cg and not rg:
        checked.add(
            "cg_decision",
            "A conclusive grounds decision needs a reasonable grounds decision before it",
        )
    elif cg and rg == Decision.NEGATIVE:
        checked.add(
            "cg_decision",
            "A conclusive grounds decision follows a positive reasonable grounds decision, "
            "not a negative one",
        )
    _not_before(checked, "cg_decided_on", "rg_decided_on")
    if checked.values.get("nrm_referred_by_police") and not dates.get("nrm_referred_on"):
        checked.add("nrm_referred_on", "Enter the date of the NRM referral made by police")

    if dates.get("dtn_reported_on") and age_group != "adult":
        checked.add(
            "dtn_reported_on",
            "A Duty to Notify report is only for an adult who does not consent to an NRM "
            "referral; a child is referred to the NRM (no consent is needed)",
        )

    if dates.get("marker_requested_on") and cg != Decision.POSITIVE:
        checked.add(
            "marker_requested_on",
            "A PNC vulnerability marker is for a person with a positive conclusive grounds "
            "decision",
        )
    if dates.get("marker_applied_on") and not dates.get("marker_requested_on"):
        checked.add("marker_applied_on", "Record when the PNC marker was requested first")
    _not_before(checked, "marker_requested_on", "cg_decided_on")
    _not_before(checked, "marker_applied_on", "marker_requested_on")
    return checked


def _check_category_fields(checked: Checked, category: str) -> None:
    label = CATEGORIES[category].lower()
    if category != Category.VICTIM:
        for name in VICTIM_ONLY:
            if not is_blank(checked.values.get(name)):
                checked.add(
                    name,
                    f"{_label(name)} is only recorded for a potential victim, not a {label}",
                )
    if category != Category.SUSPECT:
        for name in SUSPECT_ONLY:
            if not is_blank(checked.values.get(name)):
                checked.add(name, f"{_label(name)} is only recorded for a suspect, not a {label}")
    else:
        _not_before(checked, "charged_on", "arrested_on")


def merged(instance: Any, fields: Iterable[str], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The record's current values with ``changes`` applied: what an update is checked on."""
    values = {name: getattr(instance, name) for name in fields}
    values.update(changes)
    return values
