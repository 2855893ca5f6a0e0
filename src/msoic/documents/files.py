"""Which files a document version may be: PDF, Word (.docx), Excel (.xlsx) or PowerPoint
(.pptx), told by their content, not their name, and checked before anything is stored.

The size limit and an Excel workbook's checks (macros, zip bombs, external links, DTDs) are
those of the one bounded reading path (:mod:`msoic.collection.reading`). The other Office
files are opened as zips within the same limits (parts, unzipped size) and refused when
they carry macros (a ``vbaProject.bin`` part or a macro-enabled content type). A file whose
name says one type and whose content is another (an executable named .pdf, a workbook
named .docx) is refused as disguised, and so are the old binary Office formats, which can
carry macros the checks cannot see."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from msoic.collection.reading import FileRejected, Limits, check_size, check_workbook

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# kind -> (extension, words, the part that makes a zip that kind of Office file)
KINDS: dict[str, tuple[str, str, str]] = {
    "pdf": (".pdf", "a PDF", ""),
    "docx": (".docx", "a Word document (.docx)", "word/document.xml"),
    "xlsx": (".xlsx", "an Excel workbook (.xlsx)", "xl/workbook.xml"),
    "pptx": (".pptx", "a PowerPoint presentation (.pptx)", "ppt/presentation.xml"),
}
MACRO_EXTENSIONS = (".docm", ".dotm", ".xlsm", ".xltm", ".xlsb", ".pptm", ".potm", ".ppsm")
_MACRO_MARKS = (b"macroEnabled", b"vbaProject", b"application/vnd.ms-office.activeX")
ACCEPTED = "PDF, Word (.docx), Excel (.xlsx) or PowerPoint (.pptx) without macros"


@dataclass(frozen=True)
class Checked:
    """A file that passed: its type as found in the content."""

    kind: str

    @property
    def content_type(self) -> str:
        return {
            "pdf": "application/pdf",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        }[self.kind]


def check_document_file(name: str, data: bytes, limits: Limits | None = None) -> Checked:
    """The file's type, or :class:`FileRejected` saying what is wrong (naming the file)."""
    limits = limits or Limits.from_settings()
    try:
        check_size(data, limits)
    except FileRejected as exc:
        raise FileRejected(f"{name}: {exc.message}") from exc
    extension = PurePath(name).suffix.lower()
    if extension in MACRO_EXTENSIONS:
        raise FileRejected(
            f"{name} is a macro-enabled Office file ({extension}), which is refused: save it "
            "without macros (.docx, .xlsx, .pptx) or as PDF"
        )
    kind = _kind_of(name, data, limits)
    expected, words, _ = KINDS[kind]
    if extension != expected:
        raise FileRejected(
            f"{name} is named {extension or 'without an extension'} but its content is "
            f"{words}: a file whose name hides its type is refused; name it {expected}"
        )
    return Checked(kind)


def _kind_of(name: str, data: bytes, limits: Limits) -> str:
    if data.startswith(PDF_MAGIC):
        return "pdf"
    if data.startswith(OLE_MAGIC):
        raise FileRejected(
            f"{name} is an old binary Office file (.doc, .xls or .ppt), or an encrypted one, "
            "which can carry macros: save it as .docx, .xlsx or .pptx, or as PDF"
        )
    if not data.startswith(ZIP_MAGIC):
        raise FileRejected(f"{name} is not a file type the library accepts ({ACCEPTED})")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileRejected(f"{name} is damaged: it cannot be opened") from exc
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_zip_members:
            raise FileRejected(
                f"{name} has {len(members):,} parts, over the limit of "
                f"{limits.max_zip_members:,} (MSOIC_READ_MAX_ZIP_MEMBERS)"
            )
        if sum(m.file_size for m in members) > limits.max_unzipped_bytes:
            raise FileRejected(
                f"{name} expands past {limits.max_unzipped_bytes:,} bytes "
                "(MSOIC_MAX_UNZIPPED_BYTES; a zip bomb or far too much content)"
            )
        names = {m.filename for m in members}
        if any(n.lower().endswith("vbaproject.bin") for n in names) or _macro_types(archive):
            raise FileRejected(
                f"{name} contains macros, which are refused: save it without macros "
                "(.docx, .xlsx, .pptx) or as PDF"
            )
        kind = next(
            (k for k, (_, _, part) in KINDS.items() if part and part in names),
            None,
        )
    if kind is None:
        raise FileRejected(
            f"{name} is a zip archive but not a Word, Excel or PowerPoint file ({ACCEPTED})"
        )
    if kind == "xlsx":
        try:
            check_workbook(data, limits)  # external links, DTDs, formulas reaching out
        except FileRejected as exc:
            raise FileRejected(f"{name}: {exc.message}") from exc
    return kind


def _macro_types(archive: zipfile.ZipFile) -> bool:
    """Whether ``[Content_Types].xml`` declares macro-enabled content (read within 1 MiB)."""
    try:
        with archive.open("[Content_Types].xml") as part:
            types = part.read(1 << 20)
    except KeyError:
        return False
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
        raise FileRejected("the file is damaged: its content types cannot be read") from exc
    return any(mark in types for mark in _MACRO_MARKS)
