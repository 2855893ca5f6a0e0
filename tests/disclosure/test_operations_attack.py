"""A partner attacks the operations pages: every intensification's totals (page, CSV and
XLSX), every year's operations and totals, the rows by force and region it tries to
download, and the API's year figures of the same metrics. Solving everything, across
operations and against each operation's own rows, it learns no count of people under 5.
The unit, reading exact figures, learns them all by the same method (the attack works);
forces, coordinators and the unit see the figures unchanged. Terminus debriefs (people)
reach a partner for ended financial years only."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Hashable
from datetime import date
from itertools import combinations
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from msoic.catalogue.loader import get_catalogue
from msoic.collection.pipeline import import_file
from msoic.disclosure.policy import get_policy
from msoic.metrics.periods import Period
from msoic.operations.models import Operation
from msoic.operations.released import NOT_YET
from tests.conftest import csv_bytes
from tests.disclosure.attacker import Attacker
from tests.operations.conftest import make_operation, return_csv

pytestmark = pytest.mark.django_db

FORCES = ("kent", "essex", "cleveland")
FORCE_NAMES = {"Kent Police": "kent", "Essex Police": "essex", "Cleveland Police": "cleveland"}
REGIONS = {"Eastern": ("kent", "essex"), "North East": ("cleveland",)}
PEOPLE = (
    "op_potential_victims",
    "op_nrm_dtn_referrals",
    "op_arrests",
    "op_immigration_offenders",
    "op_safeguarding_engagements",
)
EXTRA = ("op_immigration_offenders", "op_safeguarding_engagements", "op_sites_visited")
# (number, start): two ended financial years of three operations, one in a year not over.
OPERATIONS = (
    (51, date(2022, 5, 9)),
    (52, date(2022, 9, 12)),
    (53, date(2023, 1, 16)),
    (61, date(2023, 6, 5)),
    (62, date(2023, 10, 2)),
    (63, date(2024, 2, 5)),
    (71, date(2026, 5, 11)),
)
Truth = dict[tuple[str, int, str], int]  # (metric, operation pk, force) -> count


@pytest.fixture
def operations(national_analyst: Any) -> tuple[list[Operation], Truth]:
    """Seven operations with every force's return: potential victims often 5 or more,
    referrals, arrests, immigration offenders and safeguarding engagements mostly 0 to 3
    per force, disruptions and sites visited (activity) any size."""
    rng = random.Random(9)
    ops: list[Operation] = []
    truth: Truth = {}
    for number, start in OPERATIONS:
        extra = EXTRA if number % 2 else ("op_sites_visited",)
        op = make_operation(
            national_analyst, number=number, forces=FORCES, start=start, activity=extra
        )
        ops.append(op)
        for force in FORCES:
            values = {
                "op_disruptions": rng.randint(0, 6),
                "op_potential_victims": rng.choice([0, 1, 2, 4, 6, 9]),
                "op_nrm_dtn_referrals": rng.randint(0, 3),
                "op_arrests": rng.randint(0, 2),
                "op_new_investigations": rng.randint(0, 2),
                "op_sites_visited": rng.randint(5, 40),
            }
            if "op_immigration_offenders" in extra:
                values["op_immigration_offenders"] = rng.randint(0, 3)
                values["op_safeguarding_engagements"] = rng.choice([0, 1, 3, 8])
            outcome = import_file(
                f"{op.slug}-{force}.csv", return_csv(op, force, values), actor=national_analyst
            )
            assert outcome.ok, outcome.lines()
            for metric, n in values.items():
                truth[(metric, op.pk, force)] = n
    return ops, truth


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _year_of(op: Operation) -> Period:
    return Period.financial_year_of(op.start_date)


class Attack:
    """Every figure of people a persona downloads, as equations over the true counts."""

    def __init__(self, ops: list[Operation], truth: Truth, *, exact: bool) -> None:
        self.ops, self.truth, self.exact = ops, truth, exact
        self.attacker = Attacker()
        self.codes = {get_catalogue().metrics[m].short_label: m for m in PEOPLE}
        self.seen: dict[tuple[Any, ...], int | None] = {}

    def group(
        self, metric: str, ops: list[Operation], forces: tuple[str, ...] = FORCES
    ) -> list[Hashable]:
        pks = {op.pk for op in ops}
        return [
            k
            for k, n in self.truth.items()
            if k[0] == metric and k[1] in pks and k[2] in forces and n
        ]

    def learn(self, name: tuple[Any, ...], group: list[Hashable], text: str) -> None:
        truth = sum(self.truth[k] for k in group)  # type: ignore[index]
        withheld = text in ("<5", "[c]", "", "–", NOT_YET) or text.startswith("not yet complete")
        value = None if withheld else int(text.replace(",", ""))
        if name in self.seen:
            assert self.seen[name] == value, f"{name}: two figures for one cell"
        self.seen[name] = value
        if value is None:
            return
        if self.exact:
            assert value == truth, name
        else:
            assert value >= get_policy().threshold and abs(value - truth) <= 2, (name, truth, value)
        self.attacker.learn(group, value)

    def rows(self, header: list[str], rows: list[list[str]], name: Any, group: Any) -> None:
        for row in rows:
            for label, text in zip(header, row, strict=True):
                metric = self.codes.get(label)
                if metric is not None:
                    self.learn((*name(row), metric), group(row, metric), text)

    def download(self, web: Client, api: Any) -> None:
        by_year: dict[Period, list[Operation]] = {}
        for op in self.ops:
            by_year.setdefault(_year_of(op), []).append(op)
        url = reverse("operations-intensifications")
        years = _csv(web.get(url, {"table": "years", "format": "csv"}))
        self.rows(
            years[0],
            years[1:],
            lambda row: ("year", row[0]),
            lambda row, m: self.group(m, by_year[Period.parse(row[0])]),
        )
        for fy, ops in by_year.items():
            names = {op.name: op for op in ops}
            table = _csv(web.get(url, {"year": fy.code, "format": "csv"}))
            self.rows(
                table[0],
                table[1:],
                lambda row: ("op", row[0]),
                lambda row, m, names=names: self.group(m, [names[row[0]]]),
            )
            for metric in PEOPLE:
                response = api.get("/api/v1/values", {"metric": metric, "period": fy.code})
                if fy.end >= date(2026, 4, 1):  # not over: refused to a partner
                    assert response.status_code == (200 if self.exact else 400)
                    continue
                body = response.json()
                text = "" if body.get("withheld") else str(body["value"] or "")
                if metric in ("op_immigration_offenders", "op_safeguarding_engagements"):
                    # no year total on the pages: the API's is one more equation
                    self.learn(("api", fy.code, metric), self.group(metric, ops), text)
                else:
                    self.learn(("year", fy.code, metric), self.group(metric, ops), text)
        for op in self.ops:
            detail = reverse("operations-detail", args=[op.pk])
            totals = _csv(web.get(detail, {"table": "totals", "format": "csv"}))
            for label, text in totals[1:]:
                if label in self.codes:
                    self.learn(
                        ("op", op.name, self.codes[label]),
                        self.group(self.codes[label], [op]),
                        text,
                    )
            forces = _csv(web.get(detail, {"table": "force", "format": "csv"}))
            names = {
                "Kent Police": "kent",
                "Essex Police": "essex",
                "Cleveland Police": "cleveland",
            }
            self.rows(
                forces[0],
                forces[1:],
                lambda row, op=op: ("force", op.name, row[0]),
                lambda row, m, op=op: self.group(m, [op], (FORCE_NAMES[row[0]],)),
            )
            region = web.get(detail, {"table": "region", "format": "csv"})
            if region.status_code == 404:
                continue
            rows = _csv(region)
            self.rows(
                rows[0],
                rows[1:],
                lambda row, op=op: ("region", op.name, row[0]),
                lambda row, m, op=op: self.group(m, [op], REGIONS[row[0]]),
            )

    def learned(self) -> list[str]:
        """Every count of people under 5 the equations give exactly: one operation's, one
        force's in one operation, two operations' of one year together."""
        threshold = get_policy().threshold
        found = []
        targets: list[tuple[str, list[Hashable]]] = []
        for metric in PEOPLE:
            for op in self.ops:
                targets.append((f"{metric} {op.name}", self.group(metric, [op])))
                for force in FORCES:
                    targets.append(
                        (f"{metric} {op.name} {force}", self.group(metric, [op], (force,)))
                    )
            for a, b in combinations(self.ops, 2):
                if _year_of(a) == _year_of(b):
                    targets.append((f"{metric} {a.name}+{b.name}", self.group(metric, [a, b])))
        for name, group in targets:
            truth = sum(self.truth[k] for k in group)  # type: ignore[index]
            if 0 < truth < threshold:
                answer = self.attacker.solve(group)
                if answer is not None and answer == truth:
                    found.append(f"{name}: true {truth}, solved {answer}")
        return found


def test_a_partner_solving_every_operations_figure_learns_no_count_under_5(
    operations, api_as, partner_user
):
    ops, truth = operations
    web = Client()
    web.force_login(partner_user)
    attack = Attack(ops, truth, exact=False)
    attack.download(web, api_as("partner"))
    assert attack.attacker.equations > 20  # figures were released
    assert attack.learned() == []
    small = [k for k in truth if k[0] in PEOPLE and 0 < truth[k] < 5]
    assert small  # there was something to find


def test_the_same_attack_on_the_units_exact_figures_learns_small_counts(
    operations, api_as, national_analyst
):
    """The attack is real: against the exact figures the unit reads (totals, rows by force
    and by region) it finds counts under 5 of one force in one operation."""
    ops, truth = operations
    web = Client()
    web.force_login(national_analyst)
    attack = Attack(ops, truth, exact=True)
    attack.download(web, api_as("national"))
    assert len(attack.learned()) > 10


def test_a_partner_asking_twice_gets_the_same_figures_and_no_force_rows(
    client, operations, partner_user
):
    ops, _ = operations
    client.force_login(partner_user)
    op = ops[0]
    detail = reverse("operations-detail", args=[op.pk])
    first = _csv(client.get(detail, {"table": "totals", "format": "csv"}))
    assert first == _csv(client.get(detail, {"table": "totals", "format": "csv"}))
    assert _csv(client.get(detail, {"table": "force", "format": "csv"}))[1:] == []
    assert client.get(detail, {"table": "region", "format": "csv"}).status_code == 404
    html = client.get(detail).content.decode()
    assert 'id="disclosure-note"' in html and 'id="by-force"' not in html


def test_a_partner_gets_no_figures_of_people_for_a_year_not_over_but_exact_activity(
    client, operations, partner_user
):
    ops, truth = operations
    current = ops[-1]
    client.force_login(partner_user)
    table = _csv(
        client.get(reverse("operations-intensifications"), {"year": "FY2026-27", "format": "csv"})
    )
    row = dict(zip(table[0], table[1], strict=True))
    labels = get_catalogue().metrics
    assert row[labels["op_arrests"].short_label] == NOT_YET
    assert row[labels["op_potential_victims"].short_label] == NOT_YET
    disruptions = sum(truth[("op_disruptions", current.pk, f)] for f in FORCES)
    assert row[labels["op_disruptions"].short_label] == str(disruptions)
    totals = dict(
        _csv(client.get(reverse("operations-detail", args=[current.pk]), {"format": "csv"}))[1:]
    )
    assert totals[labels["op_immigration_offenders"].short_label] == NOT_YET
    sites = sum(truth[("op_sites_visited", current.pk, f)] for f in FORCES)
    assert totals[labels["op_sites_visited"].short_label] == str(sites)


@pytest.mark.parametrize("persona", ["national_analyst", "eastern_coordinator", "kent_user"])
def test_internal_users_see_exact_figures(request, client, operations, persona):
    ops, truth = operations
    user = request.getfixturevalue(persona)
    client.force_login(user)
    label = get_catalogue().metrics["op_arrests"].short_label
    for op in ops:
        totals = dict(
            _csv(client.get(reverse("operations-detail", args=[op.pk]), {"format": "csv"}))[1:]
        )
        assert totals[label] == str(sum(truth[("op_arrests", op.pk, f)] for f in FORCES))
    html = client.get(reverse("operations-intensifications")).content.decode()
    assert 'id="disclosure-note"' not in html


# --- Terminus ---------------------------------------------------------------------------


@pytest.fixture
def debriefs(national_analyst: Any) -> dict[str, int]:
    """Kent and Essex debriefs by quarter of FY2023-24: 3 in Q1, 2 in Q3, 9 in all."""
    rows = []
    for force, quarter, n in (("kent", "Q1", 3), ("essex", "Q3", 2), ("kent", "Q4", 4)):
        rows.append([force, f"FY2023-24-{quarter}", "terminus_debriefs", "", n, ""])
        rows.append([force, f"FY2023-24-{quarter}", "terminus_lorry_stops", "", 10 * n, ""])
    outcome = import_file("terminus.csv", csv_bytes(rows), actor=national_analyst)
    assert outcome.status == "accepted", outcome.lines()
    return {"Q1": 3, "Q3": 2, "Q4": 4, "year": 9}


def _terminus(client: Client, user: Any, period: str) -> dict[tuple[str, str], str]:
    client.force_login(user)
    rows = _csv(client.get("/operations/terminus/", {"period": period, "format": "csv"}))
    header = rows[0]
    return {
        (r[header.index("period")], r[header.index("metric")]): r[header.index("value")]
        for r in rows[1:]
        if r[header.index("orgunit")] == "national"
    }


@pytest.mark.usefixtures("returns_counted_complete")
def test_a_partner_gets_terminus_debriefs_by_ended_year_only(
    client, debriefs, partner_user, api_as
):
    shown = _terminus(client, partner_user, "FY2023-24")
    year = int(shown[("FY2023-24", "terminus_debriefs")])
    assert abs(year - debriefs["year"]) <= 2 and year >= 5
    body = (
        api_as("partner")
        .get("/api/v1/values", {"metric": "terminus_debriefs", "period": "FY2023-24"})
        .json()
    )
    assert body["value"] == year  # the same figure the API releases
    for q in ("Q1", "Q2", "Q3", "Q4"):
        assert shown[(f"FY2023-24-{q}", "terminus_debriefs")] == "ended years only"
        assert shown[(f"FY2023-24-{q}", "terminus_lorry_stops")] in (
            "",
            str(10 * debriefs.get(q, 0)),
        )
    quarter = _terminus(client, partner_user, "FY2023-24-Q1")
    assert quarter[("FY2023-24-Q1", "terminus_debriefs")] == "ended years only"
    assert quarter[("FY2023-24-Q1", "terminus_lorry_stops")] == "30"


def test_the_unit_gets_terminus_debriefs_exactly_by_quarter(client, debriefs, national_analyst):
    shown = _terminus(client, national_analyst, "FY2023-24")
    assert shown[("FY2023-24", "terminus_debriefs")] == "9"
    assert shown[("FY2023-24-Q1", "terminus_debriefs")] == "3"
    assert shown[("FY2023-24-Q3", "terminus_debriefs")] == "2"


def test_a_release_protecting_sums_withholds_a_shown_cell_for_two_small_ones() -> None:
    """Operations of 1 and 3 beside one of 20 and the year's total: without protect_sums
    the total minus 20 gives the 4 of the two small ones; with it, the 20 is withheld."""
    from msoic.disclosure.control import Release, cell_key

    def resolve(protect: bool) -> dict[str, str]:
        release = Release(protect_sums=protect)
        for name, n in (("a", 1), ("b", 3), ("c", 20)):
            release.atom(name, n)
            release.cell(name, [name], key=cell_key("sum-test", name))
        release.cell("year", ["a", "b", "c"], key=cell_key("sum-test", "year"), fixed=True)
        return {name: shown.text for name, shown in release.resolve().items()}

    assert resolve(False)["c"] not in ("<5", "[c]")
    shown = resolve(True)
    assert (shown["a"], shown["b"], shown["c"]) == ("<5", "<5", "[c]")
    assert shown["year"] not in ("<5", "[c]")


@pytest.mark.parametrize("persona", ["partner_user", "admin_user"])
def test_operations_supported_and_cca_tasking_are_closed_to_controlled_users(
    request, client, persona
):
    """They show exact counts by force; nobody who reads through disclosure control opens
    them (if that changes, their figures of people must go through the layer first)."""
    client.force_login(request.getfixturevalue(persona))
    for url in ("/operations-supported/", "/operations-supported/summary/", "/cca-tasking/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/operations-supported/summary.csv").status_code == 403


def test_a_partners_overview_page_shows_what_its_download_gives(client, operations, partner_user):
    from html import unescape

    from tests.operations.test_pages import table_rows

    labels = {get_catalogue().metrics[m].short_label for m in PEOPLE}
    client.force_login(partner_user)
    url = reverse("operations-intensifications")
    for year in ("FY2022-23", "FY2023-24"):
        html = client.get(url, {"year": year}).content.decode()
        assert 'id="disclosure-note"' in html
        header, *download = _csv(client.get(url, {"year": year, "format": "csv"}))
        people = [i for i, label in enumerate(header) if label in labels]
        shown = {row[0]: [unescape(cell) for cell in row] for row in table_rows(html, "year-ops")}
        assert people and set(shown) == {row[0] for row in download} | {
            f"Total across {len(download)} operations"
        }
        total = shown[f"Total across {len(download)} operations"]
        years = {r[0]: r for r in _csv(client.get(url, {"table": "years", "format": "csv"}))}
        # the figures end every row: index them from the end
        ends = [i - len(header) for i in people]
        assert [total[e] for e in ends] == [years[year][e] or "–" for e in ends]
        for row in download:
            assert [shown[row[0]][e] for e in ends] == [row[e] or "–" for e in ends]
