"""The catalogue of support offers (training products, guidance, workshops), each mapped to
standards by reference, read from ``frameworks/support-offers.yaml``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from msoic.assurance.loader import LINE, SHIPPED_DIR, FrameworkError, _LineLoader

OFFERS_FILE = SHIPPED_DIR / "support-offers.yaml"
KINDS = {"training", "guidance", "workshop"}


def parse_offers(name: str, text: str) -> list[dict[str, Any]]:
    try:
        doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{name}: not valid YAML ({exc})") from exc
    offers: list[dict[str, Any]] = []
    for item in (doc or {}).get("offers") or []:
        line = item.get(LINE, 1) if isinstance(item, dict) else 1
        if not isinstance(item, dict) or not all(item.get(k) for k in ("code", "kind", "title")):
            raise FrameworkError(f"{name} line {line}: an offer needs code, kind and title")
        if item["kind"] not in KINDS:
            raise FrameworkError(f"{name} line {line}: unknown kind {item['kind']!r}")
        if any(o["code"] == item["code"] for o in offers):
            raise FrameworkError(f"{name} line {line}: duplicate offer code {item['code']!r}")
        offers.append(
            {
                "code": str(item["code"]),
                "kind": str(item["kind"]),
                "title": str(item["title"]),
                "standards": [str(s) for s in item.get("standards") or []],
            }
        )
    return offers


def load_offers(path: Path = OFFERS_FILE, actor: Any = None) -> int:
    """Create or update the offers in the file; offers no longer listed are retired."""
    from django.db import transaction

    from msoic.assurance.models import SupportOffer
    from msoic.audit.log import record
    from msoic.audit.models import AuditAction

    offers = parse_offers(path.name, path.read_text(encoding="utf-8"))
    with transaction.atomic():
        changed = 0
        for o in offers:
            _, created = SupportOffer.objects.update_or_create(
                code=o["code"],
                defaults={
                    "kind": o["kind"],
                    "title": o["title"],
                    "standards": o["standards"],
                    "active": True,
                },
            )
            changed += created
        SupportOffer.objects.exclude(code__in=[o["code"] for o in offers]).update(active=False)
        if changed:
            record(
                actor=actor,
                action=AuditAction.ADMIN,
                object_type="assurance.supportoffer",
                detail={"step": "load_support_offers", "file": path.name, "new": changed},
            )
    return len(offers)
