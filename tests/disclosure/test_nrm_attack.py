"""A partner attacks the NRM picture: they download every panel of every period they may
ask for, as the partner persona through the real views, write each released figure as an
equation over the true counts of people (every combination of referral month, age,
gender, nationality and exploitation type; every combination of decision month, outcome
and whether a referral date is known), solve the whole system exactly, and try to learn
every count under 5: each cell of each panel, each month, age group, nationality, gender
and exploitation type, and each combination of them. They learn none.

They also try the differencing attacks that broke the old suppression (a quarter minus its
months; a calendar year against a financial year): the periods are refused.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from datetime import date, timedelta
from itertools import combinations
from typing import Any

import pytest
from django.test import Client

from msoic.cases import rules
from msoic.cases.models import Gender, Person
from msoic.disclosure.policy import get_policy
from msoic.metrics.periods import Period, add_months, month_label
from tests.cases.cleanse_world import make_case, make_person
from tests.disclosure.attacker import Attacker

PANELS = ["over-time", "rates", "timing", "age", "uk", "nationalities", "gender", "exploitation"]
EXPLOITATION = ["sexual", "labour", "criminal", "domestic_servitude", ""]
NATIONALITIES = ["GB"] * 8 + ["AL"] * 5 + ["VN"] * 3 + ["ER", "SD", "RO", "IN", ""]
FYS = [2022, 2023]  # the years with referrals; a partner tries every year from 2015 to 2026


@pytest.fixture
def register(db: Any) -> list[Person]:
    """About 150 potential victims over FY2022-23 and FY2023-24 in three forces, drawn so
    that many cells are small: rare nationalities, few children, some decisions without a
    referral date in the period."""
    rng = random.Random(9)
    cases = {
        (force, expl): make_case(force, f"{force}-{expl or 'none'}", date(2022, 1, 5), primary=expl)
        for force in ("kent", "essex", "cleveland")
        for expl in EXPLOITATION
    }
    people = []
    for _ in range(150):
        force = rng.choice(["kent", "kent", "essex", "cleveland"])
        expl = rng.choice(["sexual", "labour", "labour", "criminal", "domestic_servitude", ""])
        referred = date(2022, 4, 1) + timedelta(days=rng.randint(0, 729))
        rg_on = referred + timedelta(days=rng.randint(2, 60)) if rng.random() < 0.85 else None
        cg_on = (
            rg_on + timedelta(days=rng.randint(30, 300)) if rg_on and rng.random() < 0.5 else None
        )
        people.append(
            make_person(
                cases[(force, expl)],
                age_group=rng.choice(["adult"] * 6 + ["child", "unknown"]),
                gender=rng.choice(["female", "male", "male", "unknown"]),
                nationality=rng.choice(NATIONALITIES),
                nrm_referred_on=referred,
                rg_decision=(rng.choice(["positive"] * 7 + ["negative"]) if rg_on else ""),
                rg_decided_on=rg_on,
                cg_decision=(rng.choice(["positive"] * 8 + ["negative"]) if cg_on else ""),
                cg_decided_on=cg_on,
            )
        )
    return people


def _csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _released(text: str) -> int | None:
    return None if text in ("<5", "[c]") else int(text)


# --- the unknowns: who the released figures are about ---------------------------------


def _referral_unknowns(fy: Period) -> Counter[tuple[Any, ...]]:
    """True counts of people referred in ``fy`` by (month, age, gender, nationality, type)."""
    out: Counter[tuple[Any, ...]] = Counter()
    for p in Person.objects.filter(
        nrm_referred_on__gte=fy.start, nrm_referred_on__lt=add_months(fy.end, 1)
    ).select_related("investigation"):
        assert p.nrm_referred_on is not None
        month = p.nrm_referred_on.replace(day=1)
        out[
            (month, p.age_group, p.gender, p.nationality, p.investigation.primary_exploitation)
        ] += 1
    return out


def _decision_unknowns(fy: Period, stage: str) -> Counter[tuple[Any, ...]]:
    """True counts of ``stage`` decisions made in ``fy`` by (month, outcome, referral date
    known and not after the decision)."""
    out: Counter[tuple[Any, ...]] = Counter()
    on = f"{stage}_decided_on"
    for p in Person.objects.filter(**{f"{on}__gte": fy.start, f"{on}__lt": add_months(fy.end, 1)}):
        decided = getattr(p, on)
        dated = p.nrm_referred_on is not None and p.nrm_referred_on <= decided
        out[(decided.replace(day=1), getattr(p, f"{stage}_decision"), dated)] += 1
    return out


Pred = Callable[[tuple[Any, ...]], bool]


def _matches(at: int, known: bool, value: Any) -> Pred:
    """Position ``at`` of the key equals ``value``; a row not known (the total) matches all."""
    return lambda k: not known or k[at] == value


def _referral_rows(panel: str, fy: Period, header: list[str], labels: list[str]) -> dict[str, Pred]:
    """What each row of a referral panel counts, as a test on an unknown's key."""
    if panel == "over-time":
        months = {month_label(m): m for m in fy.months()}
        return {label: _matches(0, label in months, months.get(label)) for label in labels}
    if panel == "age":
        codes = {v: c for c, v in rules.catalogue_options("age_group").items()}
        return {label: _matches(1, label in codes, codes.get(label)) for label in labels}
    if panel == "gender":
        codes = {v: c for c, v in Gender.choices}
        return {label: _matches(2, label in codes, codes.get(label)) for label in labels}
    if panel == "exploitation":
        codes = {v: c for c, v in rules.catalogue_options("exploitation_type").items()}
        codes["Not recorded"] = ""
        return {label: _matches(4, label in codes, codes.get(label)) for label in labels}
    if panel == "uk":
        return {
            "UK": lambda k: k[3] == "GB",
            "Non-UK": lambda k: k[3] not in ("GB", ""),
            "Not known": lambda k: k[3] == "",
            "Total": lambda k: True,
        }
    if panel == "nationalities":
        named = {rules.nationality_name(c): c for c in set(NATIONALITIES) if c}
        listed = {named[label] for label in labels if label in named}
        preds: dict[str, Pred] = {}
        for label in labels:
            if label in named:
                preds[label] = _matches(3, True, named[label])
            elif label == "Other or not known":
                preds[label] = lambda k: k[3] not in listed
            else:
                preds[label] = lambda k: True
        return preds
    raise AssertionError(panel)


def _attack(partner: Client) -> tuple[int, list[str]]:
    """Download everything, solve, and list every count under 5 the attacker learns."""
    threshold = get_policy().threshold
    attacker = Attacker()
    targets: dict[
        str, tuple[Sequence[Hashable], int]
    ] = {}  # what they try to learn: unknowns, truth
    released = 0

    def target(name: str, unknowns: Sequence[Hashable], truth: int) -> None:
        if truth < threshold:
            targets[name] = (unknowns, truth)

    for year in range(2015, 2027):
        fy = Period.financial_year_starting(year)
        page = partner.get(f"/investigations/nrm/?period={fy.code}")
        if year > 2025:
            assert page.status_code == 400  # not over yet
            continue
        assert page.status_code == 200
        tables = {
            p: _csv(partner.get(f"/investigations/nrm/data/{p}.csv?period={fy.code}"))
            for p in PANELS
        }
        # the page shows what the downloads hold; a year holding no referrals is not offered
        # on the page (it says so in words and shows its default) but is downloadable
        if page.context["period"] == fy:
            assert [p.rows for p in page.context["panels"]] == [tables[p][1:] for p in PANELS]
        else:
            assert "There are no figures for" in page.content.decode()

        people = _referral_unknowns(fy)
        for panel in ("over-time", "age", "uk", "nationalities", "gender", "exploitation"):
            header, *rows = tables[panel]
            preds = _referral_rows(panel, fy, header, [r[0] for r in rows])
            for row in rows:
                keys = [(fy.code, "ref", *k) for k in people if preds[row[0]](k)]
                truth = sum(people[k[2:]] for k in keys)
                target(f"{fy.code} {panel} {row[0]}", keys, truth)
                value = _released(row[1])
                if value is not None:
                    attacker.learn(keys, value)
                    released += 1
                    assert abs(value - truth) <= 2 and value >= threshold
        for k, n in people.items():
            target(f"{fy.code} referred {k}", [(fy.code, "ref", *k)], n)
        for i, name in enumerate(["month", "age", "gender", "nationality", "type"]):
            for value in {k[i] for k in people}:
                keys = [(fy.code, "ref", *k) for k in people if k[i] == value]
                target(f"{fy.code} {name}={value}", keys, sum(people[k[2:]] for k in keys))
            for j in range(i + 1, 5):
                for pair in {(k[i], k[j]) for k in people}:
                    keys = [(fy.code, "ref", *k) for k in people if (k[i], k[j]) == pair]
                    target(f"{fy.code} {pair}", keys, sum(people[k[2:]] for k in keys))

        for col, stage in ((2, "rg"), (3, "cg")):
            decided = _decision_unknowns(fy, stage)
            months = {month_label(m): m for m in fy.months()}

            def learn(
                name: str,
                text: str,
                pred: Pred,
                stage: str = stage,
                fy: Period = fy,
                decided: Counter[tuple[Any, ...]] = decided,
            ) -> None:
                nonlocal released
                keys = [(fy.code, stage, *k) for k in decided if pred(k)]
                truth = sum(decided[k[2:]] for k in keys)
                target(f"{fy.code} {stage} {name}", keys, truth)
                value = _released(text)
                if value is not None:
                    attacker.learn(keys, value)
                    released += 1
                    assert abs(value - truth) <= 2

            for row in tables["over-time"][1:]:
                m = months.get(row[0])
                learn(f"month {row[0]}", row[col], _matches(0, m is not None, m))
            label = "Reasonable grounds" if stage == "rg" else "Conclusive grounds"
            rates = next(r for r in tables["rates"][1:] if r[0] == label)
            learn("positive", rates[1], lambda k: k[1] == "positive")
            learn("negative", rates[2], lambda k: k[1] == "negative")
            learn("decisions", rates[3], lambda k: k[1] in ("positive", "negative"))
            timing = next(r for r in tables["timing"][1:] if r[0] == label)
            learn("with a referral date", timing[1], lambda k: k[2])
            for k, n in decided.items():
                target(f"{fy.code} {stage} {k}", [(fy.code, stage, *k)], n)
            for a, b in combinations(range(3), 2):
                for pair in {(k[a], k[b]) for k in decided}:
                    keys = [(fy.code, stage, *k) for k in decided if (k[a], k[b]) == pair]
                    target(f"{fy.code} {stage} {pair}", keys, sum(decided[k[2:]] for k in keys))

    learned = []
    for name, (unknowns, truth) in targets.items():
        answer = attacker.solve(unknowns)
        if answer is not None:
            learned.append(f"{name}: true {truth}, solved {answer}")
    return released, learned


def test_a_partner_solving_every_released_figure_learns_no_count_under_5(register, partner_user):
    partner = Client()
    partner.force_login(partner_user)
    released, learned = _attack(partner)
    assert released > 100  # the picture still says a good deal
    assert learned == [], "\n".join(learned)


@pytest.mark.parametrize("period", ["FY2023-24-Q4", "2024-03", "2024-02", "2023", "R12-2024-03"])
def test_the_differencing_periods_are_refused(register, partner_user, period):
    """A quarter minus its months, a year minus months, a calendar year against a financial
    year: none of those periods is given to a partner."""
    partner = Client()
    partner.force_login(partner_user)
    assert partner.get(f"/investigations/nrm/?period={period}").status_code == 400
    assert partner.get(f"/investigations/nrm/data/uk.csv?period={period}").status_code == 400


def test_the_unit_still_sees_exact_figures(register, national_analyst):
    unit = Client()
    unit.force_login(national_analyst)
    fy = Period.parse("FY2023-24")
    rows = _csv(unit.get(f"/investigations/nrm/data/uk.csv?period={fy.code}"))
    people = _referral_unknowns(fy)
    uk = sum(n for k, n in people.items() if k[3] == "GB")
    assert ["UK", str(uk)] in rows and ["Total", str(sum(people.values()))] in rows
