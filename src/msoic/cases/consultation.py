"""Consultation and disclosure logging (Data Protection Act 2018, Part 3, s.62).

Every page, export or API response that shows a register record writes an audit row
saying whose data it was:

- a page showing people or investigations writes a ``consultation`` row naming them
  (:func:`do_record_consultation`), with the justification the user gave;
- a file of register records writes a ``disclosure`` row naming the owning forces, the
  recipient, and the references disclosed: the list itself when short, and always a
  SHA-256 digest of the sorted references, so a list produced later (a copy of the file,
  a recipient's inventory) can be checked against the row (:func:`check_disclosure`,
  ``msoic disclosure_check``).

The detail of both rows has one shape (:class:`Subjects`): ``people`` (pseudonymous person
references), ``investigations`` (``force:crime reference``) and ``owners`` (force codes).

Opening an investigation or a person needs a justification, asked once per case per
session: an investigation and the people on it are one case record, so the reason given
for any of them opens them all. The session keeps the reason per case (``SESSION_KEY``), so
a page reload or a form round trip does not ask again, and every view of the investigation
or of a person on it is logged with it; logging out (a new session) asks again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from msoic.audit.log import record
from msoic.audit.models import AuditAction, AuditEvent
from msoic.cases.models import Investigation, Person

SESSION_KEY = "cases_consulted"
OTHER = "other"
# Why someone opens a record; "other" asks for the reason in words.
REASONS = (
    ("investigation", "Working on the investigation"),
    ("decision", "Recording an NRM decision, arrest or charge"),
    ("review", "Reviewing the case (data cleanse or supervision)"),
    ("safeguarding", "Safeguarding a potential victim"),
    ("quality", "Checking data quality for a return or the national picture"),
    (OTHER, "Another reason"),
)
REASON_LABELS = dict(REASONS)
# Worklist pages are not preceded by a question: the page's purpose is the justification.
PAGE_PURPOSES = {
    "cases.view_register": "Finding cases on the register",
    "cases.view_cleanse_worklist": "Working a data cleanse worklist",
    "cases.view_cleanse_item": "Working a data cleanse item",
    "cases.view_marker_list": "Working the PNC vulnerability marker worklist",
}
# A disclosure row lists the references themselves up to this many; beyond it, the
# digest and the count alone (the row stays small; the digest still proves the list).
LISTED_REFERENCES = 1000


# --- whose data: one shape for consultation and disclosure rows ---------------------------


def investigation_ref(force_code: str, crime_reference: str) -> str:
    """Crime references are unique within a force only, so the force qualifies them."""
    return f"{force_code}:{crime_reference}"


@dataclass(frozen=True)
class Subjects:
    """The people and investigations an output shows, and the forces that own them."""

    people: tuple[str, ...] = ()
    investigations: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()

    @classmethod
    def from_refs(
        cls,
        people: Iterable[tuple[str, str]] = (),
        investigations: Iterable[tuple[str, str]] = (),
    ) -> Subjects:
        """From ``(person reference, owning force code)`` and ``(force code, crime
        reference)`` pairs."""
        people = list(people)
        investigations = list(investigations)
        owners = {code for _, code in people} | {code for code, _ in investigations}
        return cls(
            people=tuple(sorted({ref for ref, _ in people})),
            investigations=tuple(sorted({investigation_ref(*pair) for pair in investigations})),
            owners=tuple(sorted(owners)),
        )

    @classmethod
    def of(
        cls, people: Iterable[Person] = (), investigations: Iterable[Investigation] = ()
    ) -> Subjects:
        """From records (their ``force`` loaded, or one query each)."""
        return cls.from_refs(
            ((p.reference, p.force.code) for p in people),
            ((i.force.code, i.crime_reference) for i in investigations),
        )

    @classmethod
    def of_people(cls, people: Iterable[Person]) -> Subjects:
        """People and the investigations they are on (each person's ``force`` and
        ``investigation`` loaded, or queries each)."""
        people = list(people)
        return cls.from_refs(
            ((p.reference, p.force.code) for p in people),
            ((p.force.code, p.investigation.crime_reference) for p in people),
        )

    def __bool__(self) -> bool:
        return bool(self.people or self.investigations)

    @property
    def orgunit(self) -> str:
        """The row's org unit: the owner when there is one, so the force sees it."""
        return self.owners[0] if len(self.owners) == 1 else ""

    def consultation_detail(self, step: str) -> dict[str, Any]:
        return {
            "step": step,
            "people": list(self.people),
            "investigations": list(self.investigations),
            "owners": list(self.owners),
        }

    def disclosure_detail(self, step: str, **extra: Any) -> dict[str, Any]:
        detail: dict[str, Any] = {
            "step": step,
            "owners": list(self.owners),
            "people_count": len(self.people),
            "people_sha256": references_digest(self.people),
            "investigations_count": len(self.investigations),
            "investigations_sha256": references_digest(self.investigations),
        }
        if len(self.people) <= LISTED_REFERENCES:
            detail["people"] = list(self.people)
        if len(self.investigations) <= LISTED_REFERENCES:
            detail["investigations"] = list(self.investigations)
        return {**detail, **extra}


def references_digest(references: Iterable[str]) -> str:
    """SHA-256 (hex) of the distinct references, sorted, one per line (UTF-8)."""
    text = "\n".join(sorted({r.strip() for r in references if r.strip()}))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class DisclosureCheck:
    ok: bool
    message: str


def check_disclosure(
    event: AuditEvent, references: Iterable[str], *, kind: str = "people"
) -> DisclosureCheck:
    """Whether ``references`` (person references, or ``force:crime reference`` with
    ``kind="investigations"``) are exactly those the disclosure row ``event`` recorded."""
    if kind not in ("people", "investigations"):
        raise ValueError(f"kind is 'people' or 'investigations', not {kind!r}")
    if event.action != AuditAction.DISCLOSURE:
        return DisclosureCheck(False, f"row #{event.seq} is a {event.action} row, not a disclosure")
    digest = (event.detail or {}).get(f"{kind}_sha256")
    if not digest:
        return DisclosureCheck(
            False, f"row #{event.seq} records no digest of the {kind} it disclosed"
        )
    given = sorted({r.strip() for r in references if r.strip()})
    count = event.detail.get(f"{kind}_count")
    if references_digest(given) == digest:
        return DisclosureCheck(True, f"row #{event.seq}: the {len(given)} {kind} match")
    listed = event.detail.get(kind)
    if isinstance(listed, list):
        extra = sorted(set(given) - set(listed))
        missing = sorted(set(listed) - set(given))
        return DisclosureCheck(
            False,
            f"row #{event.seq}: the list differs: {len(extra)} not disclosed "
            f"({', '.join(extra[:5])}), {len(missing)} missing ({', '.join(missing[:5])})",
        )
    return DisclosureCheck(
        False, f"row #{event.seq}: the {len(given)} {kind} given do not match the {count} disclosed"
    )


# --- the rows -------------------------------------------------------------------------------


def do_record_consultation(
    *,
    actor: Any,
    step: str,
    subjects: Subjects,
    justification: str = "",
    obj: Any = None,
    object_type: str = "cases.person",
) -> AuditEvent | None:
    """A ``consultation`` row naming whose records an output showed (none when it showed
    none). Worklist pages without a question give their purpose as the justification.
    One row, written atomically by :func:`msoic.audit.log.record`."""
    if not subjects:
        return None
    return record(
        actor=actor,
        action=AuditAction.CONSULTATION,
        obj=obj,
        object_type="" if obj is not None else object_type,
        orgunit=subjects.orgunit,
        justification=(justification or PAGE_PURPOSES.get(step, ""))[:500],
        detail=subjects.consultation_detail(step),
    )


def do_record_disclosure(
    *,
    actor: Any,
    step: str,
    subjects: Subjects,
    recipient: str,
    purpose: str = "",
    object_type: str,
    object_id: str = "",
    **extra: Any,
) -> AuditEvent:
    """A ``disclosure`` row: the owning forces, the recipient, and the references
    disclosed (listed when short, always digested). Written even for an empty file: the
    disclosure of "nobody" is still a disclosure someone asked for."""
    return record(
        actor=actor,
        action=AuditAction.DISCLOSURE,
        object_type=object_type,
        object_id=object_id,
        orgunit=subjects.orgunit,
        recipient=recipient.strip()[:200],
        justification=purpose.strip()[:500],
        detail=subjects.disclosure_detail(step, **extra),
    )


# --- asking why before a record opens -------------------------------------------------------


def record_key(obj: Investigation | Person) -> str:
    """The case ``obj`` belongs to: a person shares the key of their investigation, so one
    reason opens the investigation and everyone on it (no query: the id is on the row)."""
    if isinstance(obj, Person):
        return f"investigation:{obj.investigation_id}"
    return f"investigation:{obj.pk}"


def _justified(request: HttpRequest) -> dict[str, str]:
    raw = request.session.get(SESSION_KEY, {})
    if isinstance(raw, list):  # sessions from before reasons were kept per record
        return {key: request.session.get("cases_last_reason", "") for key in raw}
    return dict(raw)


def has_consulted(request: HttpRequest, obj: Investigation | Person) -> bool:
    return record_key(obj) in _justified(request)


def justification_for(request: HttpRequest, obj: Investigation | Person) -> str:
    """The reason given in this session for opening ``obj``'s case ("" when none was)."""
    return _justified(request).get(record_key(obj), "")


def justify_url(obj: Investigation | Person, next_url: str) -> str:
    name = (
        "cases-investigation-justify" if isinstance(obj, Investigation) else "cases-person-justify"
    )
    return f"{reverse(name, args=[obj.pk])}?{urlencode({'next': next_url})}"


def require_consultation(
    request: HttpRequest, obj: Investigation | Person
) -> HttpResponseRedirect | None:
    """None when the user has justified opening ``obj`` in this session, else a redirect to
    the page asking why (coming back here afterwards)."""
    if has_consulted(request, obj):
        return None
    return HttpResponseRedirect(justify_url(obj, request.get_full_path()))


def safe_next(request: HttpRequest, candidate: str, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


class JustificationForm(forms.Form):
    """One question (the page's heading): the reasons as radios, none chosen beforehand,
    and "Your reason" revealed under "Another reason" only (cases/justify.html)."""

    reason = forms.ChoiceField(
        choices=REASONS,
        widget=forms.RadioSelect,
        label="Why are you opening this record?",
        error_messages={"required": "Choose why you are opening this record"},
    )
    other = forms.CharField(
        required=False,
        max_length=300,
        label="Your reason",
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == OTHER and not (data.get("other") or "").strip():
            self.add_error("other", "Enter your reason for opening this record")
        return data

    def justification(self) -> str:
        reason = self.cleaned_data["reason"]
        if reason == OTHER:
            return str(self.cleaned_data["other"]).strip()
        return REASON_LABELS[reason]


def note_justification(
    request: HttpRequest, obj: Investigation | Person, justification: str
) -> None:
    """Keep the reason for opening ``obj``'s case (the investigation and the people on it)
    for the rest of the session. No row here: each page that then shows a record of the
    case writes its own ``consultation`` row with this reason."""
    justified = _justified(request)
    justified[record_key(obj)] = justification
    request.session[SESSION_KEY] = justified
    request.session["cases_last_reason"] = justification
