"""Survey links and their rate limits.

A link's token is ``<survey id>.<secret>.<mac>``: the secret is 24 random bytes (only its
SHA-256 is stored, on the invitation), the MAC a keyed hash of the rest under
``SECRET_KEY``. An altered or cut link fails the MAC and is refused before any lookup, so a
guessed link costs nothing but a counted hit; a link whose MAC holds but whose secret is
unknown (a reissued link) is refused the same way.

Rate limits count POSTs per link and per address, and refused links per address, in a
sliding window (``MSOIC_SURVEY_*`` settings). Buckets are keyed hashes: no address is
stored.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from msoic.capability.models import SurveyHit

_SALT = "msoic.capability.survey-link"


@dataclass(frozen=True)
class Link:
    survey_id: int
    secret: str

    @property
    def token_sha256(self) -> str:
        return token_sha256(self.secret)


def token_sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _mac(body: str) -> str:
    return salted_hmac(_SALT, body, algorithm="sha256").hexdigest()[:32]


def new_link(survey_id: int) -> tuple[str, Link]:
    """A fresh token for a survey, and what it stands for."""
    secret = secrets.token_urlsafe(24)
    body = f"{survey_id}.{secret}"
    return f"{body}.{_mac(body)}", Link(survey_id, secret)


def parse_token(token: str) -> Link | None:
    """The link a token stands for, or None when it was altered, cut or made up."""
    if len(token) > 200:
        return None
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1]:
        return None
    body = f"{parts[0]}.{parts[1]}"
    if not constant_time_compare(_mac(body), parts[2]):
        return None
    return Link(int(parts[0]), parts[1])


# --- rate limits ---------------------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The caller's address, as the login throttle reads it: behind
    ``MSOIC_TRUSTED_PROXIES`` proxies, the address the nearest untrusted hop gave."""
    hops = settings.MSOIC_TRUSTED_PROXIES
    if hops > 0:
        forwarded = [
            a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
        ]
        if len(forwarded) >= hops:
            try:
                return str(ipaddress.ip_address(forwarded[-hops]))
            except ValueError:
                return "unknown"
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _bucket(kind: str, value: str) -> str:
    return f"{kind}:" + salted_hmac(_SALT + ".bucket", value).hexdigest()[:36]


def link_bucket(token: str) -> str:
    return _bucket("l", token)


def address_bucket(address: str) -> str:
    return _bucket("a", address)


def over_limit(buckets: dict[str, int]) -> bool:
    """Count one hit in each bucket, and say whether any is now over its limit
    (``{bucket: limit}``) within the window. Old hits of these buckets are deleted. One
    transaction of its own (see :func:`count_hits` to count inside another)."""
    with transaction.atomic():  # one commit for the whole count
        return count_hits(buckets)


def count_hits(buckets: dict[str, int]) -> bool:
    """:func:`over_limit` inside the caller's transaction: a response counts its hits in
    the one transaction that stores it, so a POST commits once."""
    now = timezone.now()
    since = now - timedelta(seconds=settings.MSOIC_SURVEY_WINDOW_SECONDS)
    SurveyHit.objects.filter(bucket__in=list(buckets), at__lt=since).delete()
    SurveyHit.objects.bulk_create(SurveyHit(bucket=b, at=now) for b in buckets)
    counts = dict(
        SurveyHit.objects.filter(bucket__in=list(buckets), at__gte=since)
        .order_by()
        .values_list("bucket")
        .annotate(n=Count("pk"))
    )
    return any(counts.get(bucket, 0) > limit for bucket, limit in buckets.items())
