"""Data Protection Act 2018 s.62: every output of the register that shows a person's record
writes an audit row saying whose data it was.

The register's URLs are enumerated from the URLconf (every route whose view lives in
``msoic.cases``). Each is either in ``SHOWS`` (an output holding register records: the test
requests it as a persona entitled to it and checks that the audit rows written by that one
request name exactly the people and investigations it showed, and for a file that the
disclosure row's digest matches the references in the file) or in ``NOTHING_PERSONAL``
(with the reason; those that can be fetched are fetched and must not carry any person's
reference). A new register URL in neither fails ``test_every_register_url_is_classified``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from msoic.audit.models import AuditAction, AuditEvent
from msoic.cases.cleanse.actions import do_open_cleanse
from msoic.cases.consultation import check_disclosure, investigation_ref
from msoic.cases.models import CleanseItem, Investigation, Person
from tests.cases.cleanse_world import make_case, make_person
from tests.security.urlconf import all_patterns

pytestmark = pytest.mark.django_db


@dataclass
class Register:
    """Kent: a stale live case with a potential victim (positive conclusive grounds, so on
    the PNC marker list) and a suspect; Essex: a case with a victim. A cleanse holds both
    cases. Essex's records must never be named in what Kent's outputs log."""

    users: dict[str, Any]
    case: Investigation
    victim: Person
    suspect: Person
    essex_case: Investigation
    essex_victim: Person
    item: CleanseItem
    clients: dict[str, Client] = field(default_factory=dict)

    def client(self, persona: str) -> Client:
        if persona not in self.clients:
            client = Client()
            client.force_login(self.users[persona])
            self.clients[persona] = client
        return self.clients[persona]

    def justified(self, persona: str, *records: Investigation | Person) -> Client:
        client = self.client(persona)
        for obj in records:
            kind = "people/" if isinstance(obj, Person) else ""
            answer = client.post(
                f"/investigations/{kind}{obj.pk}/justify/", {"reason": "investigation"}
            )
            assert answer.status_code == 302
        return client

    @property
    def everyone(self) -> list[str]:
        return [p.reference for p in (self.victim, self.suspect, self.essex_victim)]


@pytest.fixture
def register(personas: dict[str, Any]) -> Register:
    old = timezone.localdate() - timedelta(days=400)
    decided = {
        "nrm_referred_on": old,
        "rg_decision": "positive",
        "rg_decided_on": old,
        "cg_decision": "positive",
        "cg_decided_on": old,
    }
    case = make_case("kent", "S62/KENT/1", old)
    victim = make_person(case, age_group="adult", **decided)
    suspect = make_person(case, "suspect", arrested_on=old)
    essex_case = make_case("essex", "S62/ESSEX/1", old)
    essex_victim = make_person(essex_case, **decided)
    cleanse = do_open_cleanse(
        title="s.62",
        criteria={"stale_days": 180},
        deadline=timezone.localdate() + timedelta(days=10),
        actor=personas["national"],
    )
    return Register(
        users=personas,
        case=case,
        victim=victim,
        suspect=suspect,
        essex_case=essex_case,
        essex_victim=essex_victim,
        item=cleanse.items.get(investigation=case),
    )


@dataclass
class Shown:
    """One request of an output, and whose records it shows."""

    persona: str
    url: str
    people: set[str]
    investigations: set[str]
    action: str = AuditAction.CONSULTATION
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)
    justify: tuple[Any, ...] = ()
    file: str = ""  # "csv" or "xlsx" for a download
    # The references the output displays, when not all it names: a page opening one case
    # record (its status, dates, exploitation) is about everyone on it, listed or not.
    displays: set[str] | None = None

    @property
    def displayed(self) -> set[str]:
        return self.people if self.displays is None else self.displays


def _kent(r: Register, *people: Person) -> tuple[set[str], set[str]]:
    return {p.reference for p in people}, {investigation_ref("kent", r.case.crime_reference)}


def _investigation(suffix: str, displays: set[str] | None = None) -> Callable[[Register], Shown]:
    def build(r: Register) -> Shown:
        people, cases = _kent(r, r.victim, r.suspect)
        url = f"/investigations/{r.case.pk}/{suffix}"
        return Shown("kent", url, people, cases, justify=(r.case,), displays=displays)

    return build


def _person(suffix: str) -> Callable[[Register], Shown]:
    def build(r: Register) -> Shown:
        people, cases = _kent(r, r.victim)
        url = f"/investigations/people/{r.victim.pk}/{suffix}"
        return Shown("kent", url, people, cases, justify=(r.victim,))

    return build


def _register_page(r: Register) -> Shown:
    return Shown("eastern", "/investigations/register/?force=kent", set(), _kent(r)[1])


def _register_export(r: Register) -> Shown:
    people, cases = _kent(r, r.victim, r.suspect)
    return Shown(
        "kent",
        "/investigations/register/export/",
        people,
        cases,
        action=AuditAction.DISCLOSURE,
        method="post",
        data={"format": "csv", "purpose": "s.62 test", "recipient": "Kent analysts"},
        file="csv",
    )


def _htcds_export(r: Register) -> Shown:
    people, cases = _kent(r, r.victim)  # potential victims only
    return Shown(
        "national",
        "/investigations/htcds/export/",
        people,
        cases,
        action=AuditAction.DISCLOSURE,
        method="post",
        data={"force": "kent", "format": "xlsx", "recipient": "Unseen UK", "purpose": "support"},
        file="xlsx",
    )


def _cleanse_worklist(r: Register) -> Shown:
    url = f"/investigations/cleanse/{r.item.cleanse_id}/worklist/?force=kent"
    return Shown("national", url, set(), _kent(r)[1])


def _cleanse_item(r: Register) -> Shown:
    people, cases = _kent(r, r.victim, r.suspect)
    url = f"/investigations/cleanse/items/{r.item.pk}/"
    return Shown("kent", url, people, cases, displays=set())


def _marker_list(r: Register) -> Shown:
    people, cases = _kent(r, r.victim)
    return Shown("eastern", "/investigations/marker/?force=kent", people, cases)


def _marker_export(r: Register) -> Shown:
    people, cases = _kent(r, r.victim)
    return Shown(
        "kent",
        "/investigations/marker/export/",
        people,
        cases,
        action=AuditAction.DISCLOSURE,
        method="post",
        data={"recipient": "Kent PNC bureau", "purpose": "apply markers", "fmt": "xlsx"},
        file="xlsx",
    )


# Every register output that shows people or their cases.
SHOWS: dict[str, Callable[[Register], Shown]] = {
    "cases-register": _register_page,
    "cases-register-export": _register_export,
    "cases-investigation": _investigation(""),
    "cases-investigation-edit": _investigation("edit/", displays=set()),
    "cases-person": _person(""),
    "cases-person-edit": _person("edit/"),
    "cases-person-record": _person("record/"),
    "cases-htcds-export": _htcds_export,
    "cleanse-worklist": _cleanse_worklist,
    "cleanse-item": _cleanse_item,
    "marker": _marker_list,
    "marker-export": _marker_export,
}

# Register URLs that show no one's record, and why. A URL given is fetched as the unit and
# as Kent, and must not carry any person's reference.
NOTHING_PERSONAL: dict[str, tuple[str, str | None]] = {
    "investigations": ("links to the register's pages", "/investigations/"),
    "cases-new": ("an empty form", "/investigations/new/"),
    "cases-investigation-justify": (
        "asks why before the record opens; names the record asked for, shows nothing of it",
        None,
    ),
    "cases-person-justify": (
        "asks why before the record opens; names the record asked for, shows nothing of it",
        None,
    ),
    "cases-investigation-close": ("a form titled with the crime reference; nothing of it", None),
    "cases-investigation-review": ("a form titled with the crime reference; nothing of it", None),
    "cases-person-add": ("an empty form for a new person", None),
    "cases-import": ("the import form; results are counts", "/investigations/import/"),
    "cases-import-template": ("an empty template", "/investigations/import/template.xlsx"),
    "cases-htcds": ("the exchange forms; import results are counts", "/investigations/htcds/"),
    "cases-htcds-import": ("a posted upload: collection, logged by the import", None),
    "cleanse-list": ("cleanses with counts", "/investigations/cleanse/"),
    "cleanse-new": ("an empty form", None),
    "cleanse-detail": ("progress counts by force", None),
    "cleanse-progress-download": ("progress counts by force", None),
    "marker-record": ("a posted date, then back to the list (an alteration row)", None),
    "marker-coverage-download": (
        "coverage counts by force",
        "/investigations/marker/coverage.csv",
    ),
    "nrm-picture": ("aggregate figures, small counts withheld", "/investigations/nrm/"),
    "nrm-download": ("aggregate figures, small counts withheld", None),
}


def register_urls() -> dict[str, str]:
    """URL name -> route of every route whose view is the register's (msoic.cases)."""
    found = {}
    for pattern in all_patterns():
        module = getattr(pattern.callback, "__module__", "") or ""
        if module.startswith("msoic.cases") and pattern.name:
            found[pattern.name] = pattern.route
    return found


def test_every_register_url_is_classified() -> None:
    urls = register_urls()
    unlisted = sorted(set(urls) - set(SHOWS) - set(NOTHING_PERSONAL))
    assert not unlisted, (
        f"register URLs neither in SHOWS nor in NOTHING_PERSONAL of {__name__}: "
        f"{[(n, urls[n]) for n in unlisted]}. An output showing a person must log whose "
        "record it showed: add it to SHOWS with a request that shows someone."
    )
    assert not sorted(set(SHOWS) & set(NOTHING_PERSONAL))
    assert not sorted((set(SHOWS) | set(NOTHING_PERSONAL)) - set(urls)), "stale entries"


def _file_references(content: bytes, fmt: str) -> set[str]:
    if fmt == "csv":
        cells = [c for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for c in row]
    else:
        sheet = load_workbook(io.BytesIO(content)).active
        cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    found = set()
    for cell in cells:  # the register export joins a case's people with "; "
        found.update(part.strip() for part in cell.split(";"))
    return found


@pytest.mark.parametrize("name", sorted(SHOWS))
def test_an_output_showing_people_logs_whose_records_it_showed(
    register: Register, name: str
) -> None:
    shown = SHOWS[name](register)
    client = register.justified(shown.persona, *shown.justify)
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    response = getattr(client, shown.method)(shown.url, shown.data)
    assert response.status_code == 200, f"{name}: {shown.url} -> {response.status_code}"

    if shown.file:
        in_output = _file_references(response.content, shown.file)
    else:
        text = response.content.decode()
        in_output = {ref for ref in register.everyone if ref in text}
    assert shown.displayed == in_output & set(register.everyone), (
        f"{name}: the output should show {sorted(shown.displayed)}, shows {sorted(in_output)}"
    )

    written = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
    logged = [e for e in written if e.action in (AuditAction.CONSULTATION, AuditAction.DISCLOSURE)]
    assert len(logged) == 1, f"{name}: one row per output, got {[str(e) for e in written]}"
    row = logged[0]
    assert row.action == shown.action, name
    assert row.actor == register.users[shown.persona], name
    assert row.justification, f"{name}: the row gives no justification (s.62(2)(a))"
    assert set(row.detail["people"]) == shown.people, name
    assert set(row.detail["investigations"]) == shown.investigations, name
    assert row.detail["owners"] == ["kent"] and row.orgunit_code == "kent", name
    if shown.action == AuditAction.DISCLOSURE:
        assert row.recipient == shown.data["recipient"], name
        assert check_disclosure(row, in_output & set(register.everyone)).ok, name
        assert not check_disclosure(row, register.everyone).ok, name


@pytest.mark.parametrize(
    "name", sorted(n for n, (_, url) in NOTHING_PERSONAL.items() if url is not None)
)
def test_a_register_url_said_to_show_nobody_shows_no_person(register: Register, name: str) -> None:
    url = NOTHING_PERSONAL[name][1]
    assert url is not None
    for persona in ("national", "kent"):
        response = register.client(persona).get(url)
        assert response.status_code in (200, 403), f"{persona} {url} -> {response.status_code}"
        body = response.content.decode("utf-8", "replace")
        assert not [ref for ref in register.everyone if ref in body], f"{persona} {url}"
