"""Register pages: who may see and change what, consultation logging, forms with their
error messages, filters and exports."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from msoic.audit.models import AuditEvent
from msoic.cases import actions
from msoic.cases.models import Investigation, Person
from msoic.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db
D = date


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def justified(user: Any, *records: Any) -> Client:
    """A logged-in client that has already given its reason for opening ``records``."""
    client = client_for(user)
    for obj in records:
        kind = "people/" if isinstance(obj, Person) else ""
        response = client.post(
            f"/investigations/{kind}{obj.pk}/justify/", {"reason": "investigation"}
        )
        assert response.status_code == 302
    return client


def rows(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_the_hub_is_in_the_navigation_for_register_users_and_partners(
    personas: dict[str, Any],
) -> None:
    for name, user in personas.items():
        response = client_for(user).get("/investigations/")
        expected = 403 if name == "admin" else 200
        assert response.status_code == expected, name
        home = client_for(user).get("/dashboards/ms/")
        assert (b'href="/investigations/"' in home.content) is (name != "admin"), name
    assert (
        b"/investigations/register/" in client_for(personas["kent"]).get("/investigations/").content
    )
    assert b"/investigations/register/" not in (
        client_for(personas["partner"]).get("/investigations/").content
    )


# --- the register list ---------------------------------------------------------------------


@pytest.fixture
def registers(kent_user: Any, essex_user: Any, kent_case: Investigation) -> dict[str, Any]:
    essex = OrgUnit.objects.get(code="essex")
    essex_case = actions.do_create_investigation(
        essex,
        actor=essex_user,
        crime_reference="ESX/77/24",
        opened_on=D(2024, 2, 1),
        exploitation_types=["sexual"],
    )
    old = actions.do_create_investigation(
        kent_case.force,
        actor=kent_user,
        crime_reference="46/0001/20",
        opened_on=D(2020, 5, 1),
        exploitation_types=["criminal"],
    )
    closed = actions.do_create_investigation(
        kent_case.force,
        actor=kent_user,
        crime_reference="46/0002/21",
        opened_on=D(2021, 5, 1),
        closed_on=D(2022, 1, 1),
        outcome="nfa",
    )
    return {"kent": kent_case, "essex": essex_case, "old": old, "closed": closed}


def test_each_persona_lists_only_the_registers_it_may_see(
    personas: dict[str, Any], registers: dict[str, Any]
) -> None:
    expected = {
        "kent": {"46/1000/24", "46/0001/20", "46/0002/21"},
        "essex": {"ESX/77/24"},
        "cleveland": set(),
        "eastern": {"46/1000/24", "46/0001/20", "46/0002/21", "ESX/77/24"},
        "national": {"46/1000/24", "46/0001/20", "46/0002/21", "ESX/77/24"},
    }
    for name, user in personas.items():
        response = client_for(user).get("/investigations/register/")
        if name in ("partner", "admin"):
            assert response.status_code == 403, name
            continue
        text = response.content.decode()
        shown = {
            ref for ref in ("46/1000/24", "46/0001/20", "46/0002/21", "ESX/77/24") if ref in text
        }
        assert shown == expected[name], name
        assert "DC Example" not in text  # lists carry no names


def test_a_force_user_cannot_ask_for_another_forces_register(
    kent_user: Any, registers: dict[str, Any]
) -> None:
    assert client_for(kent_user).get("/investigations/register/?force=essex").status_code == 403


def test_filters_status_exploitation_and_not_reviewed(
    kent_user: Any, registers: dict[str, Any]
) -> None:
    client = client_for(kent_user)

    def refs(query: str) -> set[str]:
        text = client.get(f"/investigations/register/?{query}").content.decode()
        return {r for r in ("46/1000/24", "46/0001/20", "46/0002/21") if r in text}

    assert refs("status=live") == {"46/1000/24", "46/0001/20"}
    assert refs("status=closed") == {"46/0002/21"}
    assert refs("exploitation=criminal") == {"46/0001/20"}
    days = (timezone.localdate() - D(2024, 1, 10)).days + 1
    assert refs(f"status=live&not_reviewed_days={days}") == {"46/0001/20"}
    actions.do_review_investigation(registers["old"], actor=kent_user, note="still working")
    assert refs(f"status=live&not_reviewed_days={days}") == set()


def test_the_list_pages_and_its_query_count_does_not_grow(
    kent_user: Any, kent: OrgUnit, django_assert_max_num_queries: Any
) -> None:
    for n in range(60):
        Investigation.objects.create(
            force=kent, crime_reference=f"P/{n:03d}", opened_on=D(2024, 1, 1)
        )
    client = client_for(kent_user)
    client.get("/investigations/register/")  # warm the session and catalogue caches
    # 14 for the page, and the consultation row naming its investigations (s.62): the
    # audit head read under lock, the row, the head moved on, and the savepoint around them.
    with django_assert_max_num_queries(19):
        first = client.get("/investigations/register/")
    assert "Page 1 of 2" in first.content.decode()
    assert "P/059" in client.get("/investigations/register/?page=2").content.decode()


EXPORT = "/investigations/register/export/"


def test_export_is_pseudonymous_formula_safe_and_a_disclosure(
    kent_user: Any, kent: OrgUnit, kent_victim: Person
) -> None:
    actions.do_create_investigation(
        kent, actor=kent_user, crime_reference="=HYPERLINK(1)", opened_on=D(2024, 3, 1)
    )
    client = client_for(kent_user)
    response = client.post(
        EXPORT,
        {
            "format": "csv",
            "status": "live",
            "purpose": "Monthly return check",
            "recipient": "Kent performance team",
        },
    )
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "KENT-P000001" in text and "46/1000/24" in text
    assert "DC Example" not in text and "'=HYPERLINK(1)" in text
    row = rows("disclosure")[-1]
    assert row.justification == "Monthly return check"
    assert row.recipient == "Kent performance team" and row.actor == kent_user
    assert row.detail["rows"] == 2 and row.detail["filters"] == {"status": "live"}
    assert row.detail["owners"] == ["kent"] and row.orgunit_code == "kent"
    assert row.detail["people"] == ["KENT-P000001"]
    assert row.detail["investigations"] == ["kent:46/1000/24", "kent:=HYPERLINK(1)"]

    xlsx = client.post(EXPORT, {"format": "xlsx", "purpose": "check", "recipient": "me"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = [c for r in sheet.iter_rows(values_only=True) for c in r]
    assert "KENT-P000001" in values and "Person references (pseudonymous)" in values


def test_an_export_without_a_purpose_is_refused_and_not_logged(
    kent_user: Any, kent_case: Investigation
) -> None:
    client = client_for(kent_user)
    for missing in ({"recipient": "me"}, {"purpose": "check"}):
        response = client.post(EXPORT, {"format": "csv", **missing})
        assert response.status_code == 302
    assert not rows("disclosure")


def test_the_export_is_a_posted_form_never_a_link(
    kent_user: Any, kent_case: Investigation, kent_victim: Person
) -> None:
    """A GET (a link, an image, a prefetch) discloses nothing; a POST needs the CSRF token."""
    client = client_for(kent_user)
    data = {"format": "csv", "purpose": "check", "recipient": "me"}
    assert client.get(EXPORT, data).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(kent_user)
    assert strict.post(EXPORT, data).status_code == 403
    assert not rows("disclosure")
    page = strict.get("/investigations/register/").content.decode()
    assert f'<form method="post" action="{EXPORT}"' in page
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert strict.post(EXPORT, {**data, "csrfmiddlewaretoken": token}).status_code == 200
    assert len(rows("disclosure")) == 1


# --- consultation logging ----------------------------------------------------------------


def test_opening_a_case_asks_why_once_per_session_and_logs_it(
    eastern_coordinator: Any, kent_case: Investigation, kent_victim: Person
) -> None:
    client = client_for(eastern_coordinator)
    url = f"/investigations/{kent_case.pk}/"
    first = client.get(url)
    assert (
        first.status_code == 302 and f"/investigations/{kent_case.pk}/justify/" in first["Location"]
    )
    form = client.get(first["Location"])
    assert b"Why are you opening this record?" in form.content
    assert b"Albania" not in form.content and b"DC Example" not in form.content

    empty = client.post(first["Location"], {"reason": "other", "other": " "})
    assert b"Enter your reason for opening this record" in empty.content
    assert not rows("consultation")

    done = client.post(first["Location"], {"reason": "other", "other": "Regional tasking meeting"})
    assert done.status_code == 302 and done["Location"] == url
    assert not rows("consultation")  # nothing shown yet
    page = client.get(url)
    assert page.status_code == 200 and b"KENT-P000001" in page.content
    client.get(url)
    # Asked once; every view is a row naming the investigation and the people it shows.
    logged = rows("consultation")
    assert len(logged) == 2
    for row in logged:
        assert (row.object_type, row.object_id) == ("cases.investigation", str(kent_case.pk))
        assert row.justification == "Regional tasking meeting"
        assert row.actor == eastern_coordinator and row.orgunit_code == "kent"
        assert row.detail["people"] == ["KENT-P000001"]
        assert row.detail["investigations"] == ["kent:46/1000/24"]
        assert row.detail["owners"] == ["kent"]

    # The people on the investigation are part of the case: not asked again, each view of
    # a person logged with the reason given for the investigation.
    person_url = f"/investigations/people/{kent_victim.pk}/"
    person_page = client.get(person_url)
    assert person_page.status_code == 200 and b"Albania" in person_page.content
    person_row = rows("consultation")[-1]
    assert person_row.justification == "Regional tasking meeting"
    assert (person_row.object_type, person_row.detail["people"]) == (
        "cases.person",
        ["KENT-P000001"],
    )

    # A new session asks again.
    assert client_for(eastern_coordinator).get(url).status_code == 302


def test_a_reason_given_for_a_person_opens_their_investigation_but_not_another_case(
    eastern_coordinator: Any, kent_user: Any, kent_case: Investigation, kent_victim: Person
) -> None:
    client = client_for(eastern_coordinator)
    person_url = f"/investigations/people/{kent_victim.pk}/"
    asked = client.get(person_url)
    assert asked.status_code == 302 and "/justify/" in asked["Location"]
    assert client.post(asked["Location"], {"reason": "safeguarding"})["Location"] == person_url
    case = client.get(f"/investigations/{kent_case.pk}/")
    assert case.status_code == 200 and b"KENT-P000001" in case.content
    assert rows("consultation")[-1].justification == "Safeguarding a potential victim"
    other = actions.do_create_investigation(
        kent_case.force,
        actor=kent_user,
        crime_reference="46/2000/24",
        opened_on=D(2024, 3, 1),
        exploitation_types=["sexual"],
    )
    assert client.get(f"/investigations/{other.pk}/").status_code == 302  # another case: asked


def test_the_question_is_the_heading_with_no_reason_chosen_and_your_reason_under_another(
    eastern_coordinator: Any, kent_user: Any, kent_case: Investigation
) -> None:
    client = client_for(eastern_coordinator)
    url = f"/investigations/{kent_case.pk}/justify/"
    html = client.get(url).content.decode()
    main = html[html.index('id="main-content"') :]
    # one question, asked once: the legend is the page's only heading
    assert main.count("Why are you opening this record?") == 1
    legend = main[main.index("<legend") : main.index("</legend>")]
    assert '<h1 class="govuk-fieldset__heading">Why are you opening this record?</h1>' in legend
    assert main.count("<h1") == 1
    assert "Investigation 46/1000/24, Kent Police" in legend
    # no reason chosen beforehand
    assert " checked" not in main
    # "Your reason" is revealed under "Another reason" only
    assert 'value="other" data-reveal="conditional-other"' in main
    assert main.count('data-reveal="') == 1
    conditional = main[main.index('id="conditional-other"') :]
    assert 'class="govuk-radios__conditional govuk-radios__conditional--hidden"' in main
    assert main.count('type="text"') == 1 and 'type="text" name="other"' in conditional
    assert main.index('value="other"') < main.index('id="conditional-other"')
    assert "data-msoic-reveal" in main and "msoic/reveal.js" in main

    # errors link to the first radio and to the box; the user's own choice stays chosen
    refused = client.post(url, {"reason": "other", "other": ""}).content.decode()
    assert 'href="#id_other">Enter your reason for opening this record</a>' in refused
    assert 'value="other" checked data-reveal="conditional-other"' in refused
    missing = client.post(url, {}).content.decode()
    assert 'href="#id_reason_0">Choose why you are opening this record</a>' in missing
    # a reason given for one case is not chosen beforehand for the next
    assert client.post(url, {"reason": "safeguarding"}).status_code == 302
    other = actions.do_create_investigation(
        kent_case.force,
        actor=kent_user,
        crime_reference="46/3000/24",
        opened_on=D(2024, 3, 1),
        exploitation_types=["sexual"],
    )
    next_case = client.get(f"/investigations/{other.pk}/justify/").content.decode()
    assert " checked" not in next_case[next_case.index('id="main-content"') :]


def test_justify_only_goes_back_to_this_site(
    national_analyst: Any, kent_case: Investigation
) -> None:
    response = client_for(national_analyst).post(
        f"/investigations/{kent_case.pk}/justify/?next=https://evil.example/",
        {"reason": "quality"},
    )
    assert response["Location"] == f"/investigations/{kent_case.pk}/"


def test_another_forces_case_is_a_404_and_a_denied_row(
    essex_user: Any, kent_case: Investigation, kent_victim: Person
) -> None:
    client = client_for(essex_user)
    for url in (
        f"/investigations/{kent_case.pk}/",
        f"/investigations/{kent_case.pk}/justify/",
        f"/investigations/{kent_case.pk}/edit/",
        f"/investigations/people/{kent_victim.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    denied = rows("denied")
    assert len(denied) == 4
    assert {r.object_type for r in denied} == {"cases.investigation", "cases.person"}
    assert all(r.actor == essex_user for r in denied)
    assert not rows("consultation")


def test_coordinators_and_the_unit_read_but_do_not_change(
    eastern_coordinator: Any, national_analyst: Any, kent_case: Investigation
) -> None:
    for user in (eastern_coordinator, national_analyst):
        client = justified(user, kent_case)
        page = client.get(f"/investigations/{kent_case.pk}/")
        assert page.status_code == 200 and b"Add a person" not in page.content
        assert client.get(f"/investigations/{kent_case.pk}/edit/").status_code == 403
        assert client.post(f"/investigations/{kent_case.pk}/people/new/", {}).status_code == 403
        assert client.get("/investigations/new/").status_code == 403


# --- forms ---------------------------------------------------------------------------------


def test_a_force_user_records_an_investigation_on_the_web(
    kent_user: Any, kent_case: Investigation
) -> None:
    client = client_for(kent_user)
    data = {
        "crime_reference": "46/1000/24",
        "opened_on": "2024-03-01",
        "exploitation_types": ["labour", "sexual"],
        "primary_exploitation": "",
    }
    page = client.post("/investigations/new/", data)
    text = page.content.decode()
    assert "There is a problem" in text and text.startswith("<!DOCTYPE html>")
    assert (
        "Crime reference 46/1000/24 is already used by another investigation in this force" in text
    )
    assert "Choose which exploitation type is the primary one" in text
    assert '<a href="#id_crime_reference">' in text

    data.update(crime_reference="46/2000/24", primary_exploitation="sexual")
    done = client.post("/investigations/new/", data)
    created = Investigation.objects.get(crime_reference="46/2000/24")
    assert done["Location"] == f"/investigations/{created.pk}/"
    assert created.exploitation_types == ["labour", "sexual"]
    # Its author is not asked why they open what they just recorded; the row says so.
    assert client.get(done["Location"]).status_code == 200
    assert rows("consultation")[-1].justification.startswith("Recorded it")


def test_closing_before_opening_is_refused_on_the_form(
    kent_user: Any, kent_case: Investigation
) -> None:
    client = justified(kent_user, kent_case)
    url = f"/investigations/{kent_case.pk}/close/"
    page = client.post(url, {"closed_on": "2024-01-01", "outcome": "nfa"})
    assert (
        "Date closed (01/01/2024) cannot be before the date opened (10/01/2024)"
        in page.content.decode()
    )
    client.post(url, {"closed_on": "2024-02-01", "outcome": "charged"})
    kent_case.refresh_from_db()
    assert (kent_case.status, kent_case.outcome) == ("closed", "charged")


def test_review_and_update_on_the_web(kent_user: Any, kent_case: Investigation) -> None:
    client = justified(kent_user, kent_case)
    client.post(f"/investigations/{kent_case.pk}/review/", {"note": "Awaiting phone download"})
    kent_case.refresh_from_db()
    assert kent_case.last_reviewed_on == timezone.localdate()
    assert b"Awaiting phone download" in client.get(f"/investigations/{kent_case.pk}/").content
    client.post(
        f"/investigations/{kent_case.pk}/edit/",
        {
            "crime_reference": "46/1000/24",
            "opened_on": "2024-01-10",
            "exploitation_types": ["labour"],
            "ocg_linked": "on",
        },
    )
    kent_case.refresh_from_db()
    assert kent_case.ocg_linked and kent_case.officer_in_charge == ""


def test_adding_people_and_recording_decisions_with_their_errors(
    kent_user: Any, kent_case: Investigation
) -> None:
    client = justified(kent_user, kent_case)
    add = f"/investigations/{kent_case.pk}/people/new/"
    bad = client.post(
        add,
        {"category": "victim", "age_group": "child", "gender": "female", "nationality": "Wakanda"},
    )
    assert "Nationality &quot;Wakanda&quot; is not a country in ISO 3166-1" in bad.content.decode()
    done = client.post(
        add, {"category": "victim", "age_group": "child", "gender": "female", "nationality": "vnm"}
    )
    child = Person.objects.get()
    assert done["Location"] == f"/investigations/people/{child.pk}/"
    assert (child.reference, child.nationality) == ("KENT-P000001", "VN")

    record = f"/investigations/people/{child.pk}/record/"
    cg = client.post(record, {"event": "cg", "date": "2024-03-01", "decision": "positive"})
    assert "needs a reasonable grounds decision before it" in cg.content.decode()
    dtn = client.post(record, {"event": "dtn", "date": "2024-03-01"})
    assert "a child is referred to the NRM (no consent is needed)" in dtn.content.decode()
    no_decision = client.post(record, {"event": "rg", "date": "2024-03-01"})
    assert "Choose the decision: positive or negative" in no_decision.content.decode()

    client.post(record, {"event": "nrm", "date": "2024-02-01", "by_police": "on"})
    client.post(record, {"event": "rg", "date": "2024-02-05", "decision": "positive"})
    early = client.post(record, {"event": "cg", "date": "2024-02-04", "decision": "positive"})
    assert "cannot be before the reasonable grounds decision date" in early.content.decode()
    assert 'href="#id_date"' in early.content.decode()
    client.post(record, {"event": "cg", "date": "2024-06-01", "decision": "positive"})
    child.refresh_from_db()
    assert (child.nrm_referred_by_police, child.rg_decision, child.cg_decision) == (
        True,
        "positive",
        "positive",
    )
    steps = [r.detail["step"] for r in rows("alteration")]
    assert steps[-3:] == [
        "cases.record_nrm_referral",
        "cases.record_rg_decision",
        "cases.record_cg_decision",
    ]


def test_suspects_get_arrest_and_charge_and_witnesses_nothing(
    kent_user: Any, kent_case: Investigation
) -> None:
    suspect = actions.do_add_person(kent_case, actor=kent_user, category="suspect")
    witness = actions.do_add_person(kent_case, actor=kent_user, category="witness")
    client = justified(kent_user, suspect, witness)
    record = f"/investigations/people/{suspect.pk}/record/"
    page = client.get(record).content.decode()
    assert "Arrest" in page and "Conclusive grounds" not in page
    assert (
        "not one of the available choices"
        in client.post(
            record, {"event": "cg", "date": "2024-03-01", "decision": "positive"}
        ).content.decode()
    )
    client.post(record, {"event": "arrest", "date": "2024-03-01"})
    charge = client.post(record, {"event": "charge", "date": "2024-02-01"})
    assert "Charge date (01/02/2024) cannot be before the arrest date" in charge.content.decode()
    assert client.get(f"/investigations/people/{witness.pk}/record/").status_code == 302
    today = timezone.localdate()
    future = client.post(
        record, {"event": "charge", "date": (today + timedelta(days=2)).isoformat()}
    )
    assert "cannot be in the future" in future.content.decode()
