"""Evidence attachments: only real files of the accepted types, within the size limit,
checked before anything is stored; only on drafts; downloads only for who sees the assessment."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from msoic.assurance.actions import AssessmentError, do_attach_evidence, do_submit_assessment
from msoic.assurance.attachments import check_file
from msoic.assurance.models import Assessment, EvidenceAttachment
from tests.assurance.conftest import grade_all

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


def xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize(
    ("name", "data", "ok"),
    [
        ("minutes.pdf", PDF, True),
        ("chart.png", PNG, True),
        ("photo.JPG", b"\xff\xd8\xff\xe0rest", True),
        ("notes.txt", "Board met in May – minutes".encode(), True),
        ("plan.xlsx", xlsx(), True),
        ("tool.exe", b"MZ\x90\x00", False),
        ("minutes.pdf.exe", PDF, False),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", False),
        ("fake.docx", xlsx(), False),  # a zip, but not a Word document
        ("zip.xlsx", b"PK\x03\x04 broken", False),
        ("binary.txt", b"\x00\x01\x02", False),
        ("page.html", b"<script>alert(1)</script>", False),
        ("empty.pdf", b"", False),
    ],
)
def test_file_type_is_checked_by_extension_and_content(name: str, data: bytes, ok: bool) -> None:
    problem, _ = check_file(name, data)
    assert (problem is None) is ok, problem


def test_size_limit(settings: Any) -> None:
    settings.MSOIC_ASSURANCE_MAX_ATTACHMENT_BYTES = 100
    problem, _ = check_file("big.pdf", PDF + b" " * 100)
    assert problem is not None and "limit is 100 bytes" in problem


def test_force_attaches_evidence_and_others_cannot_download_it(
    assessments: dict[str, Assessment], kent_user: Any, essex_user: Any, eastern_coordinator: Any
) -> None:
    kent = assessments["kent"]
    standard = kent.grades.first().standard_id  # type: ignore[union-attr]
    c = client_for(kent_user)
    url = f"/assurance/assessments/{kent.pk}/attachments/"
    r = c.post(url, {"standard": standard, "file": SimpleUploadedFile("minutes.pdf", PDF)})
    assert r.status_code == 302
    found = EvidenceAttachment.objects.get()
    assert (found.name, found.kind, found.size) == ("minutes.pdf", "pdf", len(PDF))
    assert b"minutes.pdf" in c.get(f"/assurance/assessments/{kent.pk}/").content
    download = f"/assurance/assessments/{kent.pk}/attachments/{found.pk}/"
    got = c.get(download)
    assert got.content == PDF and got["Content-Type"] == "application/octet-stream"
    assert client_for(eastern_coordinator).get(download).status_code == 200
    assert client_for(essex_user).get(download).status_code == 404
    assert (
        client_for(essex_user).post(url, {"op": "remove", "attachment": found.pk}).status_code
        == 404
    )
    assert (
        client_for(eastern_coordinator)
        .post(url, {"op": "remove", "attachment": found.pk})
        .status_code
        == 403
    )
    assert c.post(url, {"op": "remove", "attachment": found.pk}).status_code == 302
    assert not EvidenceAttachment.objects.exists()


def test_wrong_type_and_oversize_are_refused_and_nothing_is_stored(
    assessments: dict[str, Assessment], kent_user: Any, settings: Any
) -> None:
    kent = assessments["kent"]
    standard = kent.grades.first().standard_id  # type: ignore[union-attr]
    c = client_for(kent_user)
    url = f"/assurance/assessments/{kent.pk}/attachments/"
    r = c.post(url, {"standard": standard, "file": SimpleUploadedFile("run.exe", b"MZ\x90")})
    assert r.status_code == 400 and b"not accepted" in r.content
    r = c.post(url, {"standard": standard, "file": SimpleUploadedFile("x.pdf", b"MZ\x90")})
    assert r.status_code == 400 and b"content does not match" in r.content
    settings.MSOIC_ASSURANCE_MAX_ATTACHMENT_BYTES = 10
    r = c.post(url, {"standard": standard, "file": SimpleUploadedFile("m.pdf", PDF)})
    assert r.status_code == 400 and b"the limit is 10 bytes" in r.content
    assert not EvidenceAttachment.objects.exists()


def test_no_attachments_once_submitted(assessments: dict[str, Assessment], kent_user: Any) -> None:
    kent = assessments["kent"]
    grade_all(kent, kent_user)
    do_submit_assessment(kent, actor=kent_user)
    standard = kent.grades.first().standard_id  # type: ignore[union-attr]
    with pytest.raises(AssessmentError, match="submitted"):
        do_attach_evidence(kent, standard, "m.pdf", PDF, actor=kent_user)


def test_path_in_file_name_is_dropped(assessments: dict[str, Assessment], kent_user: Any) -> None:
    kent = assessments["kent"]
    standard = kent.grades.first().standard_id  # type: ignore[union-attr]
    found = do_attach_evidence(kent, standard, "..\\..\\secret/minutes.pdf", PDF, actor=kent_user)
    assert found.name == "minutes.pdf"
