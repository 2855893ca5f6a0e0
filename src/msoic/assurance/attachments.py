"""Which evidence files are accepted: a short list of document and image types, each checked
by its extension *and* its first bytes (a renamed executable is refused), and a size limit
(``MSOIC_ASSURANCE_MAX_ATTACHMENT_BYTES``, default 2 MiB), all before anything is stored."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import PurePath

from django.conf import settings

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
# extension → (kind, magic prefixes; None = plain text)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".pdf": ("pdf", (b"%PDF-",)),
    ".png": ("png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("jpeg", (b"\xff\xd8\xff",)),
    ".docx": ("docx", (ZIP_MAGIC,)),
    ".xlsx": ("xlsx", (ZIP_MAGIC,)),
    ".txt": ("txt", None),
}
OFFICE_MARKER = {"docx": "word/", "xlsx": "xl/"}


def max_bytes() -> int:
    return int(getattr(settings, "MSOIC_ASSURANCE_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_BYTES))


def describe_allowed() -> str:
    return "PDF, Word (.docx), Excel (.xlsx), PNG, JPEG or plain text"


def check_size(size: int) -> str | None:
    limit = max_bytes()
    if size > limit:
        return f"The file is {size:,} bytes; the limit is {limit:,} bytes."
    if size == 0:
        return "The file is empty."
    return None


def check_file(name: str, data: bytes) -> tuple[str | None, str]:
    """(problem or None, kind) for a file's name and content."""
    problem = check_size(len(data))
    if problem:
        return problem, ""
    ext = PurePath(name).suffix.lower()
    if ext not in ALLOWED:
        return f"{name}: files of this type are not accepted; use {describe_allowed()}.", ""
    kind, magics = ALLOWED[ext]
    if magics is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return f"{name} is not plain text.", ""
        if "\x00" in text:
            return f"{name} is not plain text.", ""
        return None, kind
    if not data.startswith(magics):
        return f"{name} is not a real {kind.upper()} file (its content does not match).", ""
    if kind in OFFICE_MARKER:
        try:
            with zipfile.ZipFile(BytesIO(data)) as z:
                names = z.namelist()
        except zipfile.BadZipFile:
            return f"{name} is not a real {kind.upper()} file.", ""
        if not any(n.startswith(OFFICE_MARKER[kind]) for n in names):
            return f"{name} is not a real {kind.upper()} file.", ""
    return None, kind
