"""The second factor: who must have one, whether a session has passed it, enrolment QR codes.

A session passes the second factor when ``django_otp.login`` has put the verifying device's
id in it (and ours, the user it was verified for). The check reads the session only, so a
verified request costs no query; resetting a user's factors ends their sessions.
"""

from __future__ import annotations

import base64
import io
import re
from typing import Any

import django_otp
from django.conf import settings
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from msoic.accounts.models import RecoveryCodeDevice, Role

# Roles with record-level access (force users keep the register, regional coordinators open
# their forces' records, national users see everything) must use a second factor, and so
# must administrators: they see no records, but they create accounts, change roles and reset
# second factors, so a password alone would be a way to every record. Partners see neither
# records nor accounts; they may enrol, and once enrolled must use it.
MFA_REQUIRED_ROLES = frozenset(
    {Role.FORCE.value, Role.REGIONAL.value, Role.NATIONAL.value, Role.ADMIN.value}
)
VERIFIED_USER_KEY = "msoic_mfa_user"
NO_FACTOR_USER_KEY = "msoic_mfa_none"
RECOVERY_CODE_COUNT = 10


def mfa_enabled() -> bool:
    return not settings.MSOIC_MFA_DEMO_OFF


def mfa_required(user: Any) -> bool:
    return user.role in MFA_REQUIRED_ROLES


def has_second_factor(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def session_verified(request: HttpRequest) -> bool:
    session = request.session
    return bool(session.get(django_otp.DEVICE_ID_SESSION_KEY)) and session.get(
        VERIFIED_USER_KEY
    ) == getattr(request.user, "pk", None)


def mark_verified(request: HttpRequest, device: Any) -> None:
    """Record in the session that ``device`` verified the logged-in user (django-otp's login)."""
    django_otp.login(request, device)
    request.session[VERIFIED_USER_KEY] = request.user.pk
    # A new session key once both factors are in, as after the password.
    request.session.cycle_key()


def verifying_devices(user: Any) -> list[Any]:
    """The user's confirmed TOTP device, then their recovery codes."""
    devices: list[Any] = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    devices += list(RecoveryCodeDevice.objects.filter(user=user, confirmed=True))
    return devices


def totp_secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def qr_code_svg(text: str) -> str:
    """An inline SVG of ``text`` as a QR code: a path, no script, no image file, so the
    strict Content-Security-Policy allows it."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    # Drop the XML declaration (the SVG goes inline in an HTML page); draw it at a size a
    # phone's camera reads easily, on white (presentation attributes, not styles).
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'width="[^"]*" height="[^"]*"', 'width="240" height="240"', svg, count=1)
    return svg.replace("<path", '<rect width="100%" height="100%" fill="#ffffff"/><path', 1)
