"""Helpers for the library's tests: real files of each kind, and hostile ones."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

from msoic.documents.actions import do_publish_document
from msoic.documents.demo import docx_bytes, pdf_bytes
from msoic.documents.models import Document
from msoic.orgunits.models import OrgUnit

PDF = pdf_bytes("Test guidance")
DOCX = docx_bytes("Test template")


def office_zip(parts: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            z.writestr(name, body)
    return out.getvalue()


def docm_bytes() -> bytes:
    """A macro-enabled Word document: a vbaProject part and the macro content type."""
    return office_zip(
        {
            "[Content_Types].xml": '<Types><Override PartName="/word/document.xml" ContentType='
            '"application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
            "word/document.xml": "<w:document/>",
            "word/vbaProject.bin": b"\x00attribute vb_name",
        }
    )


def publish(
    actor: Any,
    *,
    title: str = "Section 45 defence guidance",
    marking: str = "official",
    owner: str = "national",
    on: date = date(2023, 6, 1),
    name: str = "guidance.pdf",
    data: bytes = PDF,
) -> Document:
    return do_publish_document(
        OrgUnit.objects.get(code=owner),
        actor=actor,
        title=title,
        kind="guidance",
        audience="investigators",
        marking=marking,
        published_on=on,
        file_name=name,
        data=data,
    )
