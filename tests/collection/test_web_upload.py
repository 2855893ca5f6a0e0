"""Web upload: limits checked before parsing, the job's progress page (HTML, HTMX fragment,
JSON), the summary with located problems, dry runs, and commenting on warnings."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from msoic.collection import views
from msoic.collection.actions import run_import_job
from msoic.collection.models import (
    ImportJob,
    ImportJobFile,
    StoredFile,
    Submission,
    SubmissionVersion,
    Value,
)
from tests.collection.web_support import history, text
from tests.conftest import csv_bytes, xlsx_bytes


@pytest.fixture(autouse=True)
def jobs_inline(settings):
    settings.MSOIC_RUN_JOBS_INLINE = True


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def upload(client: Client, *files: tuple[str, bytes], dry_run: bool = False):
    data = {"return_files": [SimpleUploadedFile(name, content) for name, content in files]}
    if dry_run:
        data["dry_run"] = "on"
    return client.post("/returns/upload/", data)


def nothing_stored() -> bool:
    return not (
        Submission.objects.exists() or Value.objects.exists() or StoredFile.objects.exists()
    )


GOOD_CSV = csv_bytes(
    [["kent", "2024-02", "ms_arrests", "", 3, ""], ["kent", "2024-02", "ms_charges", "", 1, ""]]
)


def test_upload_page_explains_the_limits(client, kent_user, settings):
    settings.MSOIC_MAX_FILES_PER_UPLOAD = 7
    page = text(login(client, kent_user).get("/returns/upload/"))
    assert "Up to 7 files of at most 5.0 MB each" in page
    assert "Check only (dry run)" in page


def test_good_files_are_stored_and_summarised(client, kent_user):
    xlsx = xlsx_bytes([["kent", "2024-03", "ms_arrests", "", 5, ""]])
    response = upload(login(client, kent_user), ("feb.csv", GOOD_CSV), ("mar.xlsx", xlsx))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/returns/jobs/{job.pk}/"
    assert (job.status, job.total_files, job.processed_files, job.created_by) == (
        "done",
        2,
        2,
        kent_user,
    )
    page = text(client.get(response["Location"]))
    assert "Upload complete" in page
    assert "Accepted 2 files, 3 rows" in page
    assert "Rejected 0 files, 0 rows" in page
    feb = Submission.objects.get(period="2024-02-01")
    assert (
        "Modern slavery monthly return, Kent Police, February 2024 : new return, version 1. "
        "Awaiting approval by the national team." in page  # text() spaces out the link
    )
    html = client.get(response["Location"]).content.decode()
    assert (
        f'<a class="govuk-link" href="/returns/{feb.pk}/">'
        "Modern slavery monthly return, Kent Police, February 2024</a>" in html
    )
    assert "ms-monthly kent" not in page  # codes stay in URLs
    assert Submission.objects.count() == 2
    # accepted bytes live on in StoredFile only
    assert set(ImportJobFile.objects.values_list("content", flat=True)) == {b""}
    assert StoredFile.objects.count() == 2


def test_a_bad_file_shows_located_messages_and_stores_nothing(client, kent_user):
    bad = csv_bytes(
        [
            ["kent", "2024-02", "ms_arrests", "", "12.5", ""],
            ["essex", "2024-02", "ms_arrests", "", 3, ""],
            ["kent", "2024-02", "ms_arrests_typo", "", 3, ""],
        ]
    )
    response = upload(login(client, kent_user), ("bad.csv", bad))
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert '<a href="#file-0">bad.csv: 3 errors, not stored</a>' in html
    body = text(page)
    assert (
        "bad.csv – 2 Modern slavery arrests E "
        "Value must be a whole number of 0 or more: 12.5 is not a whole number" in body
    )
    assert (
        "bad.csv – 3 Modern slavery arrests A You may not submit returns for this force: 'essex'"
        in body
    )
    assert "bad.csv – 4 – C Unknown metric code: 'ms_arrests_typo'" in body
    assert "Rejected 1 file, 3 rows" in body
    assert nothing_stored()


def test_a_bad_spreadsheet_names_its_sheet_row_and_column(client, kent_user):
    bad = xlsx_bytes([["kent", "2024-02", "ms_arrests", "", -3, ""]], preamble=2)
    page = text(client.get(upload(login(client, kent_user), ("return.xlsx", bad))["Location"]))
    assert (
        "return.xlsx Return 4 Modern slavery arrests E "
        "Value must be a whole number of 0 or more: -3 is negative" in page
    )
    assert nothing_stored()


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("return.xlsx", b"this is not a spreadsheet", "is not an Excel workbook"),
        ("return.xlsm", b"PK\x03\x04", "macro-enabled"),
        ("return.csv", b"force;period\n", "separated by semicolons"),
        ("notes.txt", b"hello", "file type not accepted"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_a_message(
    client, kent_user, name, content, says
):
    page = text(client.get(upload(login(client, kent_user), (name, content))["Location"]))
    assert says in page and "Rejected 1 file" in page
    assert nothing_stored()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(client, kent_user, settings):
    settings.MSOIC_MAX_UPLOAD_BYTES = 100
    big = GOOD_CSV + b"\n" * 200
    response = upload(login(client, kent_user), ("small.csv", GOOD_CSV[:90]), ("big.csv", big))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert (
        f'<a href="#id_return_files">big.csv is {len(big)} bytes, over the limit of 100 bytes'
        in html
    )
    assert not ImportJob.objects.exists()
    assert nothing_stored()


def test_a_zip_bomb_is_refused(client, kent_user):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    page = text(
        client.get(upload(login(client, kent_user), ("bomb.xlsx", buffer.getvalue()))["Location"])
    )
    assert "zip bomb" in page
    assert nothing_stored()


def test_too_many_files_at_once_are_refused(client, kent_user, settings):
    settings.MSOIC_MAX_FILES_PER_UPLOAD = 2
    response = upload(
        login(client, kent_user), ("a.csv", GOOD_CSV), ("b.csv", GOOD_CSV), ("c.csv", GOOD_CSV)
    )
    assert "You selected 3 files; upload at most 2 at a time" in text(response)
    assert not ImportJob.objects.exists()


def test_an_upload_without_files_asks_for_one(client, kent_user):
    response = login(client, kent_user).post("/returns/upload/", {})
    assert "Select one or more files to upload" in text(response)


def test_a_dry_run_reports_but_stores_nothing(client, kent_user):
    response = upload(login(client, kent_user), ("feb.csv", GOOD_CSV), dry_run=True)
    job = ImportJob.objects.get()
    assert job.dry_run
    page = text(client.get(response["Location"]))
    assert "check only, nothing is stored" in page
    assert "Check complete: no problems found" in page
    assert "Accepted (would be) 1 file, 2 rows" in page
    assert "would be stored" in page
    assert nothing_stored()


# --- progress ---------------------------------------------------------------------------


def test_progress_page_polls_with_htmx_and_offers_a_refresh_link(client, kent_user, monkeypatch):
    monkeypatch.setattr(views, "job_runner", lambda: lambda job_id: None)  # leave it waiting
    response = upload(login(client, kent_user), ("feb.csv", GOOD_CSV), ("feb2.csv", GOOD_CSV))
    job = ImportJob.objects.get()
    assert job.status == "pending"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert f'hx-get="/returns/jobs/{job.pk}/" hx-trigger="every 1s" hx-swap="outerHTML"' in html
    assert '<progress class="msoic-progress" max="2" value="0">0%</progress>' in html
    assert (
        f'<a class="govuk-link" href="/returns/jobs/{job.pk}/">Refresh to see progress</a>' in html
    )
    assert (
        '<script src="/static/vendor/htmx.min.js"></script><script src="/static/msoic/htmx-config.js"></script>'
        in html
    )
    assert "<script>" not in html and " style=" not in html  # CSP: no inline script or style
    assert "HX-Request" in page["Vary"]

    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<div id="job-progress"') and "<html" not in fragment
    assert client.get(f"/returns/jobs/{job.pk}/status.json").json() == {
        "id": job.pk,
        "status": "pending",
        "dry_run": False,
        "total_files": 2,
        "processed_files": 0,
        "percent": 0,
        "summary": {},
        "files": [
            {"position": 0, "name": "feb.csv", "status": "waiting"},
            {"position": 1, "name": "feb2.csv", "status": "waiting"},
        ],
    }

    run_import_job(job.pk)
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment  # finished: polling stops
    assert "Upload complete" in fragment
    status = client.get(f"/returns/jobs/{job.pk}/status.json").json()
    assert (status["status"], status["processed_files"], status["percent"]) == ("done", 2, 100)
    assert status["summary"] == {
        "accepted": 1,
        "unchanged": 1,
        "rejected": 0,
        "needs-comment": 0,
        "rows": 4,
    }
    assert [f["status"] for f in status["files"]] == ["accepted", "unchanged"]
    feb = Submission.objects.get(period="2024-02-01")
    assert status["files"][0]["submissions"] == [
        {
            "dataset": "ms-monthly",
            "force": "kent",
            "period": "2024-02",
            "version": 1,
            "state": "new",
            "label": "Modern slavery monthly return, Kent Police, February 2024",
            "id": feb.pk,
            "url": f"/returns/{feb.pk}/",
            "next_step": "Awaiting approval by the national team",
        }
    ]


def test_job_runner_follows_the_setting(settings):
    from msoic.collection import actions

    settings.MSOIC_RUN_JOBS_INLINE = True
    assert views.job_runner() is actions.run_import_job
    settings.MSOIC_RUN_JOBS_INLINE = False
    assert views.job_runner() is actions.start_import_job_in_background


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("kent", 200),
        ("national", 200),
        ("essex", 404),
        ("eastern", 404),
        ("partner", 404),
        ("admin", 404),
    ],
)
def test_job_pages_are_for_their_creator_and_national_users(client, personas, persona, status):
    upload(login(client, personas["kent"]), ("feb.csv", GOOD_CSV))
    job = ImportJob.objects.get()
    c = login(client, personas[persona])
    assert c.get(f"/returns/jobs/{job.pk}/").status_code == status
    assert c.get(f"/returns/jobs/{job.pk}/status.json").status_code == status
    assert c.get("/returns/jobs/999999/").status_code == 404


@pytest.mark.parametrize("persona", ["eastern", "partner", "admin"])
def test_users_who_cannot_submit_have_no_upload_page(client, personas, persona):
    c = login(client, personas[persona])
    assert c.get("/returns/upload/").status_code == 403
    assert upload(c, ("feb.csv", GOOD_CSV)).status_code == 403
    assert not ImportJob.objects.exists()


def test_upload_needs_a_csrf_token(kent_user):
    c = Client(enforce_csrf_checks=True)
    c.force_login(kent_user)
    assert upload(c, ("feb.csv", GOOD_CSV)).status_code == 403
    assert not ImportJob.objects.exists()


# --- warnings that need a comment ----------------------------------------------------------


@pytest.fixture
def held_for_comment(client, kent_user):
    """An upload whose second file carries a figure far above Kent's usual level."""
    history(
        kent_user, "kent", "ms_arrests", [f"2023-{m:02d}" for m in range(6, 13)] + ["2024-01"], 4
    )
    unusual = csv_bytes(
        [
            ["kent", "2024-02", "ms_arrests", "", 90, ""],
            ["kent", "2024-02", "ms_charges", "", 2, ""],
        ]
    )
    response = upload(
        login(client, kent_user),
        ("ok.csv", csv_bytes([["kent", "2024-03", "ms_charges", "", 1, ""]])),
        ("unusual.csv", unusual),
    )
    return ImportJob.objects.get(), response["Location"]


def test_a_warning_holds_the_file_and_asks_for_a_comment(client, held_for_comment):
    job, url = held_for_comment
    job_file = job.files.get(position=1)
    assert job_file.outcome["status"] == "needs-comment"
    assert bytes(job_file.content)  # kept, to run again with the comments
    assert job.files.get(position=0).content == b""
    page = client.get(url)
    html = page.content.decode()
    assert '<a href="#file-1">unusual.csv: 1 warning to explain</a>' in html
    assert f'action="/returns/jobs/{job.pk}/files/1/comments/"' in html
    assert 'id="comment-1-0" name="comment-0"' in html
    body = text(page)
    assert (
        "unusual.csv – 2 Modern slavery arrests E Much higher than this force's recent level"
        in body
    )
    assert "Submit with these comments" in body
    assert "Waiting for comments 1 file, 2 rows" in body
    assert not Submission.objects.filter(period="2024-02-01").exists()


def test_submitting_comments_stores_the_file_with_them(client, kent_user, held_for_comment):
    job, url = held_for_comment
    response = client.post(
        f"/returns/jobs/{job.pk}/files/1/comments/",
        {"comment-0": "Operation Kestrel: 80 arrests in one day"},
    )
    assert response.status_code == 302 and response["Location"] == f"{url}#file-1"
    sub = Submission.objects.get(period="2024-02-01")
    version = sub.current_version
    assert version.filename == "unusual.csv" and version.submitted_by == kent_user
    [ack] = version.acknowledged_warnings
    assert ack["comment"] == "Operation Kestrel: 80 arrests in one day"
    assert (
        Value.objects.get(version=version, metric="ms_arrests").comment
        == "Operation Kestrel: 80 arrests in one day"
    )
    job_file = ImportJobFile.objects.get(job=job, position=1)
    assert job_file.outcome["status"] == "accepted" and job_file.content == b""
    job.refresh_from_db()
    assert job.summary == {
        "accepted": 2,
        "unchanged": 0,
        "rejected": 0,
        "needs-comment": 0,
        "rows": 3,
    }
    page = text(client.get(url))
    assert "unusual.csv was accepted with your comments" in page
    assert "Upload complete" in page
    # the comment is shown on the return's page too
    assert "Operation Kestrel: 80 arrests in one day" in text(client.get(f"/returns/{sub.pk}/"))
    # and the form cannot be sent twice
    again = client.post(f"/returns/jobs/{job.pk}/files/1/comments/", {"comment-0": "again"})
    assert again.status_code == 302
    assert SubmissionVersion.objects.filter(submission=sub).count() == 1


def test_a_blank_comment_is_an_error_and_stores_nothing(client, held_for_comment):
    job, _ = held_for_comment
    response = client.post(f"/returns/jobs/{job.pk}/files/1/comments/", {"comment-0": "   "})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#comment-1-0">unusual.csv: explain the warning on row 2</a>' in html
    assert "govuk-textarea--error" in html
    assert not Submission.objects.filter(period="2024-02-01").exists()
    assert ImportJobFile.objects.get(job=job, position=1).outcome["status"] == "needs-comment"


@pytest.mark.parametrize(
    ("persona", "status"), [("national", 403), ("essex", 404), ("eastern", 404)]
)
def test_only_the_uploader_comments_on_warnings(
    client, personas, held_for_comment, persona, status
):
    job, _ = held_for_comment
    c = login(client, personas[persona])
    response = c.post(f"/returns/jobs/{job.pk}/files/1/comments/", {"comment-0": "not mine"})
    assert response.status_code == status
    assert not Submission.objects.filter(period="2024-02-01").exists()
    if persona == "national":
        page = text(c.get(f"/returns/jobs/{job.pk}/"))
        assert "Only the person who uploaded this file can add the comments" in page


def test_comments_on_a_file_that_is_not_waiting_are_refused(client, held_for_comment):
    job, url = held_for_comment
    response = client.post(f"/returns/jobs/{job.pk}/files/0/comments/", {"comment-0": "x"})
    assert response.status_code == 200
    assert (
        client.post(f"/returns/jobs/{job.pk}/files/7/comments/", {"comment-0": "x"}).status_code
        == 404
    )


def test_a_failed_job_says_so_and_what_was_kept(client, kent_user, monkeypatch):
    monkeypatch.setattr(views, "job_runner", lambda: lambda job_id: None)
    upload(login(client, kent_user), ("feb.csv", GOOD_CSV))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED, summary={"error": "disk full"}
    )
    page = client.get(f"/returns/jobs/{job.pk}/")
    assert "The upload stopped before the end" in text(page)
    assert "hx-trigger" not in page.content.decode()
    assert client.get(f"/returns/jobs/{job.pk}/status.json").json()["status"] == "failed"


@pytest.mark.django_db
def test_oversized_request_is_refused_before_its_body_is_read(client, kent_user, settings):
    from msoic.collection.models import ImportJob

    settings.MSOIC_MAX_UPLOAD_BYTES = 1000
    settings.MSOIC_MAX_FILES_PER_UPLOAD = 2
    client.force_login(kent_user)

    class Unreadable:
        def read(self, *args):
            raise AssertionError("the body was read")

        readline = read

    response = client.generic(
        "POST",
        "/returns/upload/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(10_000_000),
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    assert "The upload is too large" in response.content.decode()
    assert response["Content-Security-Policy"]
    assert not ImportJob.objects.exists()
