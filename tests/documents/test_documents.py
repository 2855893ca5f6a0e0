"""The library: publishing, versions, markings deciding who downloads, the upload checks and
documents_produced through the engine."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from msoic.audit.models import AuditEvent
from msoic.collection.reading import FileRejected
from msoic.documents.actions import do_add_version, do_download_version
from msoic.documents.files import check_document_file
from msoic.documents.models import Document, Version
from msoic.metrics import engine
from msoic.orgunits.models import OrgUnit
from tests.documents.conftest import DOCX, PDF, docm_bytes, office_zip, publish

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_new_version_keeps_the_old_one_downloadable(personas: dict[str, Any]) -> None:
    unit = personas["national"]
    document = publish(unit)
    second = PDF.replace(b"Test guidance", b"Test guidance, revised")
    do_add_version(
        document,
        actor=unit,
        published_on=date(2023, 9, 1),
        file_name="guidance-v2.pdf",
        data=second,
        note="new referral routes",
    )
    versions = {v.number: v for v in document.versions.all()}
    assert set(versions) == {1, 2}
    assert bytes(versions[1].content) == PDF and bytes(versions[2].content) == second
    assert versions[2].note == "new referral routes"
    kent = client_for(personas["kent"])
    first = kent.get(f"/documents/{document.pk}/versions/1/download/")
    assert first.status_code == 200 and first.content == PDF
    assert first["Content-Type"] == "application/pdf"
    assert "attachment" in first["Content-Disposition"]
    assert kent.get(f"/documents/{document.pk}/versions/2/download/").content == second
    page = kent.get(f"/documents/{document.pk}/")
    assert b"guidance-v2.pdf" in page.content and b"guidance.pdf" in page.content
    # each download counted on its version and written to the audit log
    versions = {v.number: v for v in document.versions.all()}
    assert (versions[1].downloads, versions[2].downloads) == (1, 1)
    rows = AuditEvent.objects.filter(action="disclosure", object_type="documents.document")
    assert rows.count() == 2 and {r.detail["version"] for r in rows} == {1, 2}
    # a version cannot be back-dated before the last one
    with pytest.raises(Exception, match="cannot be published before"):
        do_add_version(
            document, actor=unit, published_on=date(2023, 7, 1), file_name="x.pdf", data=PDF
        )
    assert document.versions.count() == 2


def test_partner_is_refused_an_official_sensitive_download(personas: dict[str, Any]) -> None:
    unit = personas["national"]
    sensitive = publish(unit, title="Car wash problem profile", marking="official_sensitive")
    official = publish(unit, title="First responder guidance")
    partner = client_for(personas["partner"])
    refused = partner.get(f"/documents/{sensitive.pk}/versions/1/download/")
    assert refused.status_code == 404 and PDF not in refused.content
    assert partner.get(f"/documents/{sensitive.pk}/").status_code == 404
    listing = partner.get("/documents/")
    assert b"First responder guidance" in listing.content
    assert b"Car wash problem profile" not in listing.content
    assert b"OFFICIAL documents only" in listing.content
    assert partner.get(f"/documents/{official.pk}/versions/1/download/").content == PDF
    assert Version.objects.get(document=sensitive).downloads == 0
    assert AuditEvent.objects.filter(
        action="denied", actor=personas["partner"], object_id=str(sensitive.pk)
    ).exists()
    with pytest.raises(PermissionDenied):  # the action refuses too, whatever the caller
        do_download_version(sensitive.versions.get(), actor=personas["partner"])
    # police users download it
    kent = client_for(personas["kent"])
    assert kent.get(f"/documents/{sensitive.pk}/versions/1/download/").content == PDF


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("guide.docm", DOCX, "macro-enabled Office file (.docm)"),
        ("guide.docx", docm_bytes(), "contains macros"),
        ("guide.pdf", b"MZ\x90\x00" + b"\x00" * 200, "not a file type the library accepts"),
        ("guide.pdf", DOCX, "named .pdf but its content is a Word document"),
        ("guide.docx", PDF, "named .docx but its content is a PDF"),
        ("guide.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old binary Office"),
        ("guide.docx", office_zip({"evil.sh": "rm -rf /"}), "not a Word, Excel or PowerPoint"),
        ("guide.pdf", b"", "file is empty"),
    ],
)
def test_hostile_files_are_refused_by_their_content(name: str, data: bytes, message: str) -> None:
    with pytest.raises(FileRejected, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_document_file(name, data)


def test_the_size_limit_applies(settings: Any) -> None:
    settings.MSOIC_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(FileRejected, match="over the limit of 1,000 bytes"):
        check_document_file("big.pdf", PDF + b"%" * 1000)
    assert check_document_file("small.pdf", PDF).kind == "pdf"
    assert check_document_file("t.docx", DOCX).kind == "docx"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("plan.docm", docm_bytes(), "macro-enabled Office file"),
        ("plan.pdf", DOCX, "a file whose name hides its type is refused"),
    ],
)
def test_web_upload_of_a_bad_file_says_why_and_stores_nothing(
    personas: dict[str, Any], name: str, data: bytes, message: str
) -> None:
    unit = client_for(personas["national"])
    response = unit.post(
        "/documents/new/",
        {
            "title": "National Response Plan template",
            "kind": "template",
            "audience": "senior_leaders",
            "owner": "national",
            "marking": "official",
            "published_on": "2023-06-01",
            "document_file": SimpleUploadedFile(name, data),
        },
    )
    assert response.status_code == 200
    assert (
        message in response.content.decode() and "Nothing was stored" in response.content.decode()
    )
    assert not Document.objects.exists() and not Version.objects.exists()
    reject = AuditEvent.objects.get(action="reject", actor=personas["national"])
    assert reject.detail["file"] == name and reject.detail["step"] == "documents.check_file"


def test_web_new_version_refused_keeps_the_history(personas: dict[str, Any]) -> None:
    document = publish(personas["national"])
    unit = client_for(personas["national"])
    response = unit.post(
        f"/documents/{document.pk}/versions/new/",
        {
            "published_on": "2023-08-01",
            "marking": "official",
            "document_file": SimpleUploadedFile("guidance.docx", docm_bytes()),
        },
    )
    assert "contains macros" in response.content.decode()
    assert list(document.versions.values_list("number", flat=True)) == [1]
    ok = unit.post(
        f"/documents/{document.pk}/versions/new/",
        {
            "published_on": "2023-08-01",
            "marking": "official_sensitive",
            "note": "restricted",
            "document_file": SimpleUploadedFile("guidance-2.pdf", PDF),
        },
    )
    assert ok.status_code == 302
    document.refresh_from_db()
    assert document.marking == "official_sensitive"
    assert sorted(document.versions.values_list("number", flat=True)) == [1, 2]


def test_documents_produced_counts_first_publication_by_owner(personas: dict[str, Any]) -> None:
    unit = personas["national"]
    nation = OrgUnit.objects.get(code="national")
    eastern = OrgUnit.objects.get(code="eastern")
    publish(unit, title="A", on=date(2023, 4, 3))
    publish(unit, title="B", on=date(2024, 3, 31), owner="eastern")
    publish(unit, title="C", on=date(2024, 4, 1))  # next year
    revised = publish(unit, title="D", on=date(2022, 12, 1))  # last year, revised this year
    do_add_version(revised, actor=unit, published_on=date(2023, 5, 1), file_name="d.pdf", data=PDF)
    year = engine.query("documents_produced", nation, "FY2023-24", compare="previous-year")
    assert year.value == 2 and year.coverage.complete
    assert year.previous_value == 1
    assert engine.query("documents_produced", eastern, "FY2023-24").value == 1
    assert (
        engine.query("documents_produced", OrgUnit.objects.get(code="kent"), "FY2023-24").value == 0
    )
    assert engine.query("documents_produced", nation, "2024-03").value == 1
    points = engine.series("documents_produced", nation, date(2023, 4, 1), date(2023, 6, 1))
    assert [p.value for p in points] == [1, 0, 0]
    many = engine.query_many(nation, [engine.Ask("documents_produced", year.period)])
    assert many.query(engine.Ask("documents_produced", year.period)).value == 2
    periods = engine.query_periods(["documents_produced"], nation, [year.period])
    assert periods["documents_produced"][0].value == 2


def test_list_query_count_does_not_grow_with_documents(
    personas: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    unit = personas["national"]
    for n in range(3):
        publish(unit, title=f"Doc {n}")
    kent = client_for(personas["kent"])
    kent.get("/documents/")  # warm the session and the catalogue
    with django_assert_max_num_queries(12) as few:
        kent.get("/documents/")
    for n in range(3, 12):
        publish(unit, title=f"Doc {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = kent.get("/documents/")
    assert response.content.count(b'href="/documents/') >= 12
