"""Access cases for benchmarking URLs (msoic.assurance), for every persona."""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile

from msoic.assurance.actions import do_attach_evidence, do_submit_assessment
from msoic.assurance.models import Assessment
from tests.assurance.conftest import grade_all, open_campaign
from tests.security.test_url_access import FORCES, PERSONAS, SEES, Case, World

BENCHMARKING = {"kent", "essex", "cleveland", "eastern", "national"}
REVIEWS = {
    "kent": {"eastern", "national"},
    "essex": {"eastern", "national"},
    "cleveland": {"national"},
}


def _setup(w: World) -> dict[str, Assessment]:
    """A campaign for Kent, Essex and Cleveland; Kent's and Cleveland's submitted."""
    cached = getattr(w, "assurance", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    campaign = open_campaign(w.users["national"], FORCES)
    found = {a.orgunit.code: a for a in campaign.assessments.select_related("orgunit")}
    for force in ("kent", "cleveland"):
        grade_all(found[force], w.users[force])
        do_submit_assessment(found[force], actor=w.users[force])
    w.assurance = found  # type: ignore[attr-defined]
    return found


def _denied(p: str, force: str) -> set[int]:
    return {403} if force in SEES[p] else {404}


def hub(w: World) -> list[Case]:
    return [Case(p, "/assurance/", {200} if p in BENCHMARKING else {403}) for p in PERSONAS]


def campaign_new(w: World) -> list[Case]:
    return [
        Case(p, "/assurance/campaigns/new/", {200} if p == "national" else {403}) for p in PERSONAS
    ]


def campaign(w: World) -> list[Case]:
    pk = _setup(w)["kent"].campaign_id
    return [
        Case(p, f"/assurance/campaigns/{pk}/", {200} if p in BENCHMARKING else {403})
        for p in PERSONAS
    ] + [Case("national", "/assurance/campaigns/999999/", {404})]


def assessment(w: World) -> list[Case]:
    a = _setup(w)
    cases = [
        Case(p, f"/assurance/assessments/{a[f].pk}/", {200} if f in SEES[p] else {404})
        for p in PERSONAS
        for f in FORCES
    ]
    # saving a draft: the force itself and the unit; a coordinator reads but may not write
    essex = a["essex"].pk
    for p in PERSONAS:
        allowed = p in {"essex", "national"}
        cases.append(
            Case(
                p,
                f"/assurance/assessments/{essex}/",
                {302} if allowed else _denied(p, "essex"),
                method="post",
                data={"action": "save"},
            )
        )
    return cases


def challenge(w: World) -> list[Case]:
    a = _setup(w)
    cases = []
    for f in ("kent", "cleveland"):
        standard = a[f].grades.values_list("standard_id", flat=True).first()
        data = {"standard": standard, "agreed_grade": "red", "reason": "Evidence is thin"}
        for p in PERSONAS:
            expect = {302} if p in REVIEWS[f] else _denied(p, f)
            url = f"/assurance/assessments/{a[f].pk}/challenge/"
            cases.append(Case(p, url, expect, method="post", data=data))
    return cases


def review(w: World) -> list[Case]:
    a = _setup(w)
    cases = []
    for f, reviewer in (("kent", "eastern"), ("cleveland", "national")):
        order = [p for p in PERSONAS if p not in REVIEWS[f]] + [reviewer]
        for p in order:
            expect = {302} if p == reviewer else _denied(p, f)
            cases.append(Case(p, f"/assurance/assessments/{a[f].pk}/review/", expect, "post"))
    return cases


def finalise(w: World) -> list[Case]:
    a = _setup(w)
    order = [p for p in PERSONAS if p != "national"] + ["national"]
    return [
        Case(
            p,
            f"/assurance/assessments/{a['kent'].pk}/finalise/",
            {302} if p == "national" else _denied(p, "kent"),
            "post",
        )
        for p in order
    ]


def results(w: World) -> list[Case]:
    pk = _setup(w)["kent"].campaign_id
    cases = [
        Case(p, f"/assurance/campaigns/{pk}/results/", {200} if p in BENCHMARKING else {403})
        for p in PERSONAS
    ]
    return cases + [Case("national", "/assurance/campaigns/999999/results/", {404})]


def results_download(w: World) -> list[Case]:
    pk = _setup(w)["kent"].campaign_id
    return [
        Case(p, f"/assurance/campaigns/{pk}/results.{fmt}", {200} if p in BENCHMARKING else {403})
        for p in PERSONAS
        for fmt in ("csv", "xlsx")
    ] + [Case("national", f"/assurance/campaigns/{pk}/results.pdf", {404})]


def intervention_accept(w: World) -> list[Case]:
    a = _setup(w)
    campaign = a["kent"].campaign
    standard = campaign.framework_version.standards.get(reference="LG1")
    order = [p for p in PERSONAS if p != "national"] + ["national"]
    url = f"/assurance/campaigns/{campaign.pk}/interventions/"
    return [
        Case(p, url, {302} if p == "national" else {403}, "post", {"standard": standard.pk})
        for p in order
    ]


def intervention(w: World) -> list[Case]:
    from msoic.assurance.models import ThematicIntervention

    a = _setup(w)
    campaign = a["kent"].campaign
    standard = campaign.framework_version.standards.get(reference="LG1")
    item = ThematicIntervention.objects.create(campaign=campaign, standard=standard, reason="r")
    return [
        Case(p, f"/assurance/interventions/{item.pk}/", {200} if p == "national" else {403})
        for p in PERSONAS
    ]


def support(w: World) -> list[Case]:
    a = _setup(w)
    cases = [
        Case(p, f"/assurance/assessments/{a[f].pk}/support/", {200} if f in SEES[p] else {404})
        for p in PERSONAS
        for f in FORCES
    ]
    for f in ("kent", "cleveland"):  # proposing: the coordinator of the force, or the unit
        reviewer = "eastern" if f == "kent" else "national"
        order = [p for p in PERSONAS if p not in REVIEWS[f]] + [reviewer]
        for p in order:
            expect = {302} if p == reviewer else _denied(p, f)
            url = f"/assurance/assessments/{a[f].pk}/support/"
            cases.append(Case(p, url, expect, "post", {"op": "propose"}))
    return cases


def support_delivery(w: World) -> list[Case]:
    from msoic.assurance.actions import do_agree_support_package, do_propose_support_package

    a = _setup(w)
    cases = []
    for f in ("kent", "cleveland"):
        package = do_propose_support_package(a[f], actor=w.users["national"])
        do_agree_support_package(package, actor=w.users["national"])
        item = package.items.first()
        assert item is not None
        url = f"/assurance/assessments/{a[f].pk}/support/items/{item.pk}/"
        data = {"delivery": "delivered", "delivered_on": "2024-05-01"}
        for p in PERSONAS:
            expect = {302} if p in REVIEWS[f] else _denied(p, f)
            cases.append(Case(p, url, expect, "post", data))
    return cases


def report(w: World) -> list[Case]:
    a = _setup(w)
    return [
        Case(
            p, f"/assurance/assessments/{a[f].pk}/report{suffix}", {200} if f in SEES[p] else {404}
        )
        for p in PERSONAS
        for f in FORCES
        for suffix in ("/", ".xlsx", ".pdf")
    ]


def summary(w: World) -> list[Case]:
    pk = _setup(w)["kent"].campaign_id
    return [
        Case(p, f"/assurance/campaigns/{pk}/summary{suffix}", {200} if p == "national" else {403})
        for p in PERSONAS
        for suffix in ("/", ".xlsx", ".pdf")
    ]


def attachments(w: World) -> list[Case]:
    a = _setup(w)
    essex = a["essex"]  # still a draft
    standard = essex.grades.values_list("standard_id", flat=True).first()
    cases = []
    for p in PERSONAS:
        data = {"standard": standard, "file": SimpleUploadedFile("m.txt", b"Minutes")}
        allowed = p in {"essex", "national"}
        cases.append(
            Case(
                p,
                f"/assurance/assessments/{essex.pk}/attachments/",
                {302} if allowed else _denied(p, "essex"),
                "post",
                data,
            )
        )
    return cases


def attachment(w: World) -> list[Case]:
    a = _setup(w)
    cases = []
    for f in FORCES:
        if a[f].status != "draft":
            continue
        standard = a[f].grades.values_list("standard_id", flat=True).first()
        assert standard is not None
        found = do_attach_evidence(a[f], standard, "m.txt", b"Minutes", actor=w.users["national"])
        url = f"/assurance/assessments/{a[f].pk}/attachments/{found.pk}/"
        cases += [Case(p, url, {200} if f in SEES[p] else {404}) for p in PERSONAS]
    return cases


CASES: dict[str, Callable[[World], list[Case]]] = {
    "benchmarking": hub,
    "benchmarking-campaign-new": campaign_new,
    "benchmarking-campaign": campaign,
    "benchmarking-assessment": assessment,
    "benchmarking-challenge": challenge,
    "benchmarking-review": review,
    "benchmarking-finalise": finalise,
    "benchmarking-results": results,
    "benchmarking-results-download": results_download,
    "benchmarking-intervention-accept": intervention_accept,
    "benchmarking-intervention": intervention,
    "benchmarking-support": support,
    "benchmarking-support-delivery": support_delivery,
    "benchmarking-report": report,
    "benchmarking-report-download": report,
    "benchmarking-summary": summary,
    "benchmarking-summary-download": summary,
    "benchmarking-attachments": attachments,
    "benchmarking-attachment": attachment,
}
