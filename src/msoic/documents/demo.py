"""Demo library for 2023/24: the 102 documents the annual report counts ("at a glance"),
among them the Romania and Roma cultural resource guide and the National Response Plan
template, with guidance, briefings and problem profiles of the unit and the regional
coordinators. The titles are invented for the demo; the files are small generated PDFs (and
Word files for the templates).

Everything goes through the actions (:func:`~msoic.documents.actions.do_publish_document`,
``do_add_version``), so every file passes the upload checks and is audited. A few documents
get a second version later in the year, which is not a new document. Idempotent: a year that
already has documents is left as it is.
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta

from msoic.accounts.models import User
from msoic.documents.actions import do_add_version, do_publish_document
from msoic.documents.models import Audience, Document, DocumentKind, Marking
from msoic.metrics import engine
from msoic.orgunits.models import OrgUnit

YEAR = "FY2023-24"
START, END = date(2023, 4, 1), date(2024, 3, 31)
DOCUMENTS_PRODUCED = 102  # annual report 2023/24, "at a glance"
SEED = 1022
ROMA_GUIDE = "Romania and Roma cultural resource guide"
NRP_TEMPLATE = "National Response Plan template"

# (title, kind, audience, marking) of the unit's named products
NAMED: list[tuple[str, str, str, str]] = [
    (ROMA_GUIDE, DocumentKind.CULTURAL_GUIDE, Audience.ALL_FORCES, Marking.OFFICIAL),
    (NRP_TEMPLATE, DocumentKind.TEMPLATE, Audience.SENIOR_LEADERS, Marking.OFFICIAL),
    (
        "National Response Plan: guidance for gold commanders",
        DocumentKind.GUIDANCE,
        Audience.SENIOR_LEADERS,
        Marking.OFFICIAL_SENSITIVE,
    ),
    (
        "Vietnamese communities cultural resource guide",
        DocumentKind.CULTURAL_GUIDE,
        Audience.ALL_FORCES,
        Marking.OFFICIAL,
    ),
    (
        "Albanian communities cultural resource guide",
        DocumentKind.CULTURAL_GUIDE,
        Audience.ALL_FORCES,
        Marking.OFFICIAL,
    ),
    (
        "Intelligence opportunities in modern slavery investigations",
        DocumentKind.GUIDANCE,
        Audience.ANALYSTS,
        Marking.OFFICIAL_SENSITIVE,
    ),
    (
        "Small boats and organised immigration crime: problem profile",
        DocumentKind.PROBLEM_PROFILE,
        Audience.ANALYSTS,
        Marking.OFFICIAL_SENSITIVE,
    ),
    (
        "Labour exploitation in car washes: problem profile",
        DocumentKind.PROBLEM_PROFILE,
        Audience.ANALYSTS,
        Marking.OFFICIAL_SENSITIVE,
    ),
    (
        "Victim-centred approach: first responder guidance",
        DocumentKind.GUIDANCE,
        Audience.FIRST_RESPONDERS,
        Marking.OFFICIAL,
    ),
    (
        "Section 45 defence: investigator guidance",
        DocumentKind.GUIDANCE,
        Audience.INVESTIGATORS,
        Marking.OFFICIAL,
    ),
    (
        "Slavery and Trafficking Prevention Orders: application template",
        DocumentKind.TEMPLATE,
        Audience.INVESTIGATORS,
        Marking.OFFICIAL,
    ),
    ("Operation debrief template", DocumentKind.TEMPLATE, Audience.INVESTIGATORS, Marking.OFFICIAL),
]
TOPICS = [
    "county lines and child criminal exploitation",
    "sexual exploitation through adult services websites",
    "labour exploitation in agriculture",
    "nail bars and beauty services",
    "forced criminality and cannabis cultivation",
    "hand car washes",
    "domestic servitude",
    "clandestine entry at ports",
    "document fraud and facilitation",
    "care sector visa sponsorship",
    "financial investigation in trafficking cases",
    "the National Referral Mechanism",
]
MONTHLY_BRIEFINGS = "Modern slavery and immigration crime monthly briefing"


@dataclass
class _Planned:
    title: str
    kind: str
    audience: str
    marking: str
    owner: str
    on: date


def plan(rng: random.Random, regions: list[str]) -> list[_Planned]:
    """The year's 102 documents, varied in type, owner, audience and marking."""
    days = (END - START).days

    def day() -> date:
        return START + timedelta(days=rng.randrange(days + 1))

    out = [_Planned(t, k, a, m, "national", day()) for t, k, a, m in NAMED]
    for month in range(12):  # the unit's monthly briefing
        on = date(2023 + (month + 3) // 12, (month + 3) % 12 + 1, 5)
        out.append(
            _Planned(
                f"{MONTHLY_BRIEFINGS}, {on:%B %Y}",
                DocumentKind.BRIEFING,
                Audience.ALL_FORCES,
                Marking.OFFICIAL_SENSITIVE,
                "national",
                on,
            )
        )
    for topic in TOPICS:  # a briefing and a guidance note on each theme
        out.append(
            _Planned(
                f"Briefing: {topic}",
                DocumentKind.BRIEFING,
                Audience.INVESTIGATORS,
                rng.choice([Marking.OFFICIAL, Marking.OFFICIAL_SENSITIVE]),
                "national",
                day(),
            )
        )
        out.append(
            _Planned(
                f"Practice note: {topic}",
                DocumentKind.GUIDANCE,
                Audience.FIRST_RESPONDERS,
                Marking.OFFICIAL,
                "national",
                day(),
            )
        )
    region_names = {r.code: r.name for r in OrgUnit.objects.filter(code__in=regions)}
    for code in regions:  # each region's quarterly threat briefing and a problem profile
        name = region_names[code]
        for quarter in range(1, 5):
            out.append(
                _Planned(
                    f"{name} quarterly threat briefing, Q{quarter} 2023/24",
                    DocumentKind.BRIEFING,
                    Audience.SENIOR_LEADERS,
                    Marking.OFFICIAL_SENSITIVE,
                    code,
                    date(2023, 3 * quarter + 1, 20) if quarter < 4 else date(2024, 1, 20),
                )
            )
    leftover = DOCUMENTS_PRODUCED - len(out)
    for i in range(leftover):
        code = regions[i % len(regions)]
        topic = TOPICS[(i * 5) % len(TOPICS)]
        out.append(
            _Planned(
                f"{region_names[code]} problem profile: {topic}",
                DocumentKind.PROBLEM_PROFILE,
                Audience.ANALYSTS,
                Marking.OFFICIAL_SENSITIVE,
                code,
                day(),
            )
        )
    return out[:DOCUMENTS_PRODUCED]


def pdf_bytes(title: str) -> bytes:
    """A small, valid one-page PDF whose page says ``title``."""
    text = title.encode("latin-1", "replace").replace(b"\\", b"\\\\")
    text = text.replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 14 Tf 56 780 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def docx_bytes(title: str) -> bytes:
    """A minimal Word document (.docx) holding ``title`` as its one paragraph."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{w}"><w:body><w:p><w:r><w:t>{title}</w:t></w:r></w:p>'
        f"</w:body></w:document>"
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/document.xml", body)
    return out.getvalue()


def _file(planned: _Planned, version: int = 1) -> tuple[str, bytes]:
    slug = "".join(c if c.isalnum() else "-" for c in planned.title.lower()).strip("-")[:80]
    suffix = f"-v{version}" if version > 1 else ""
    if planned.kind == DocumentKind.TEMPLATE:
        return f"{slug}{suffix}.docx", docx_bytes(planned.title)
    return f"{slug}{suffix}.pdf", pdf_bytes(f"{planned.title} (version {version})")


@dataclass
class DocumentsDemoReport:
    created: int = 0
    versions: int = 0
    already: bool = False
    produced: int | None = None

    def lines(self) -> list[str]:
        out = ["Documents produced:"]
        if self.already:
            out.append(f"  {YEAR}: documents already there, left as they are")
        else:
            out.append(f"  {YEAR}: {self.created} documents published, {self.versions} revised")
        out.append(
            f"  {YEAR}: {self.produced} documents produced (target {DOCUMENTS_PRODUCED}, engine)"
        )
        return out


def build_documents_demo(national: User) -> DocumentsDemoReport:
    """Publish the year's documents (unless there already are some) and count them back."""
    report = DocumentsDemoReport()
    if Document.objects.filter(published_on__range=(START, END)).exists():
        report.already = True
    else:
        owners = {o.code: o for o in OrgUnit.objects.filter(kind__in=["national", "region"])}
        regions = sorted(c for c, o in owners.items() if o.kind == "region")
        rng = random.Random(SEED)
        for n, planned in enumerate(plan(rng, regions)):
            name, data = _file(planned)
            document = do_publish_document(
                owners[planned.owner],
                actor=national,
                title=planned.title,
                kind=planned.kind,
                audience=planned.audience,
                marking=planned.marking,
                published_on=planned.on,
                file_name=name,
                data=data,
            )
            report.created += 1
            revised = planned.title in (ROMA_GUIDE, NRP_TEMPLATE) or n % 17 == 0
            if revised and planned.on < date(2024, 2, 1):
                name, data = _file(planned, 2)
                do_add_version(
                    document,
                    actor=national,
                    published_on=planned.on + timedelta(days=45),
                    file_name=name,
                    data=data,
                    note="Contacts and referral routes brought up to date",
                )
                report.versions += 1
    nation = OrgUnit.objects.get(kind="national")
    report.produced = engine.query("documents_produced", nation, YEAR).value
    return report
