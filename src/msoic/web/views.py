"""Log in (password, then the second factor; both steps throttled per username-and-address
pair and per address, codes also per user across addresses with a short fixed wait), enrol a
second factor, log out, the home page (its panels are built in msoic.web.home), health check."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from msoic.accounts import access, mfa
from msoic.accounts.actions import (
    UserError,
    do_confirm_totp_enrolment,
    do_record_login,
    do_record_login_failure,
    do_record_logout,
    do_start_totp_enrolment,
    do_verify_second_factor,
)
from msoic.accounts.models import LoginFailure, LoginStep, RecoveryCodeDevice


def client_address(request: HttpRequest) -> str | None:
    """The caller's address. Behind ``MSOIC_TRUSTED_PROXIES`` reverse proxies, the address the
    nearest untrusted hop gave: the proxies append to X-Forwarded-For, so count from the right
    (anything further left was written by the client and proves nothing)."""
    hops = settings.MSOIC_TRUSTED_PROXIES
    if hops > 0:
        forwarded = [
            a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
        ]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return None
    return request.META.get("REMOTE_ADDR") or None


def throttle_key(username: str) -> str:
    """Usernames are counted case-insensitively, so ``Kent.User`` and ``kent.user`` share a count."""
    return username.strip().lower()[:150]


def pair_delay_seconds(failures: int) -> int:
    """The wait after ``failures`` recent failures for one (username, address) pair: none for
    the first MSOIC_LOGIN_MAX_FAILURES, then MSOIC_LOGIN_DELAY_SECONDS doubling with each
    further failure, up to MSOIC_LOGIN_DELAY_CAP_SECONDS."""
    free = settings.MSOIC_LOGIN_MAX_FAILURES
    if failures < free:
        return 0
    delay = settings.MSOIC_LOGIN_DELAY_SECONDS * 2 ** min(failures - free, 30)
    return int(min(delay, settings.MSOIC_LOGIN_DELAY_CAP_SECONDS))


def _seconds_until(moment: Any, now: Any) -> int:
    remaining = (moment - now).total_seconds()
    return max(0, int(remaining) + (1 if remaining % 1 else 0))


def login_wait_seconds(username: str, address: str | None, step: str = LoginStep.PASSWORD) -> int:
    """Seconds this (username, address) pair must still wait at ``step`` (the password or the
    second-factor code), or the address as a whole (too many failures of either step across
    usernames); 0 when a try is allowed. Failures for the same username from other addresses
    do not count here: nobody can lock someone else out. For codes, see also
    ``code_user_wait_seconds``."""
    now = timezone.now()
    since = now - timedelta(seconds=settings.MSOIC_LOGIN_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    if address:
        ceiling = settings.MSOIC_LOGIN_MAX_FAILURES * settings.MSOIC_LOGIN_ADDRESS_FACTOR
        from_address = recent.filter(address=address)
        if from_address.count() >= ceiling:
            oldest = from_address.order_by("at").values_list("at", flat=True).first()
            assert oldest is not None
            return max(1, int((oldest - since).total_seconds()) + 1)
    key = throttle_key(username)
    if not key:
        return 0
    pair = recent.filter(username=key, address=address, step=step)
    failures = pair.count()
    delay = pair_delay_seconds(failures)
    if not delay:
        return 0
    last = pair.order_by("-at").values_list("at", flat=True).first()
    assert last is not None
    return _seconds_until(last + timedelta(seconds=delay), now)


def code_user_wait_seconds(username: str) -> int:
    """The per-user cap on second-factor codes, across all addresses: after
    MSOIC_MFA_USER_MAX_FAILURES wrong codes within the window, one try per
    MSOIC_MFA_USER_DELAY_SECONDS since the user's last wrong code. The wait is fixed and never
    grows, so it slows a guesser spread over many addresses (about 1,440 tries a day instead
    of as many as it can send) without locking the user out for longer than that."""
    now = timezone.now()
    since = now - timedelta(seconds=settings.MSOIC_LOGIN_WINDOW_SECONDS)
    codes = LoginFailure.objects.filter(
        at__gte=since, username=throttle_key(username), step=LoginStep.CODE
    )
    if codes.count() < settings.MSOIC_MFA_USER_MAX_FAILURES:
        return 0
    last = codes.order_by("-at").values_list("at", flat=True).first()
    assert last is not None
    return _seconds_until(last + timedelta(seconds=settings.MSOIC_MFA_USER_DELAY_SECONDS), now)


def code_wait_seconds(username: str, address: str | None) -> int:
    """Seconds before a second-factor code from this (username, address) may be checked."""
    return max(
        login_wait_seconds(username, address, LoginStep.CODE), code_user_wait_seconds(username)
    )


def record_login_failure(
    username: str, address: str | None, step: str = LoginStep.PASSWORD
) -> None:
    LoginFailure.objects.create(username=throttle_key(username), address=address, step=step)
    # Rows older than the window no longer count: drop them so the table stays small.
    cutoff = timezone.now() - timedelta(seconds=2 * settings.MSOIC_LOGIN_WINDOW_SECONDS)
    LoginFailure.objects.filter(at__lt=cutoff).delete()


def _seconds_text(seconds: int) -> str:
    if seconds >= 60:
        return _minutes(seconds)
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def _minutes(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class ThrottledLoginView(LoginView):
    """The password step. Success logs the user in, but a user who must use a second factor
    (or has one) then goes to that step, and every other URL sends them back to it."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username") or ""
        address = client_address(request)
        wait = login_wait_seconds(username, address)
        if wait:
            # An unbound form: the password is not checked at all while blocked, so a
            # blocked guesser learns nothing, not even from timing. Not written to the audit
            # log either: the failures that led here were, and a flood of refusals is not.
            form = self.get_form_class()(request, initial={"username": username.strip()[:150]})
            response = self.render_to_response(
                self.get_context_data(form=form, throttled=True, wait=_minutes(wait)), status=429
            )
            response["Retry-After"] = str(wait)
            return response
        response = super().post(request, *args, **kwargs)
        if response.status_code != 302:
            record_login_failure(username, address)
            do_record_login_failure(username, address=address, reason="wrong username or password")
        else:
            LoginFailure.objects.filter(
                username=throttle_key(username), address=address, step=LoginStep.PASSWORD
            ).delete()
        return response

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        for key in (mfa.VERIFIED_USER_KEY, mfa.NO_FACTOR_USER_KEY):
            self.request.session.pop(key, None)
        next_url = self.get_success_url()
        auth_login(self.request, user)
        address = client_address(self.request)
        if mfa.mfa_enabled() and mfa.has_second_factor(user):
            return redirect(f"{reverse('mfa-verify')}?{urlencode({'next': next_url})}")
        if mfa.mfa_enabled() and mfa.mfa_required(user):
            return redirect(f"{reverse('mfa-enrol')}?{urlencode({'next': next_url})}")
        do_record_login(user, address=address, second_factor="none")
        return redirect(next_url)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _half_logged_in_user(request: HttpRequest) -> Any:
    """The user who passed the password step, or None (then: back to the login page)."""
    user = request.user
    return user if user.is_authenticated else None


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=40, strip=True, error_messages={"required": "Enter the code"}
    )


def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app, or one of the recovery codes."""
    user = _half_logged_in_user(request)
    if user is None:
        return redirect("login")
    next_url = _safe_next(request)
    if mfa.session_verified(request):
        return redirect(next_url)
    if not mfa.has_second_factor(user):
        return redirect(f"{reverse('mfa-enrol')}?{urlencode({'next': next_url})}")
    form = CodeForm(request.POST or None)
    status = 200
    wait = 0
    if request.method == "POST" and form.is_valid():
        address = client_address(request)
        wait = code_wait_seconds(user.username, address)
        if wait:
            # As at the password step: the code is not checked while this pair, this address
            # or this user must wait, and the refusal is not audited (the failures were).
            form = CodeForm()
            status = 429
        else:
            device = do_verify_second_factor(user, form.cleaned_data["code"], address=address)
            if device is not None:
                LoginFailure.objects.filter(
                    username=throttle_key(user.username), address=address, step=LoginStep.CODE
                ).delete()
                mfa.mark_verified(request, device)
                kind = "recovery code" if isinstance(device, RecoveryCodeDevice) else "totp"
                do_record_login(user, address=address, second_factor=kind)
                return redirect(next_url)
            record_login_failure(user.username, address, LoginStep.CODE)
            form.add_error(
                "code",
                "The code is wrong or has expired: enter the current code from your "
                "authenticator app, or a recovery code (after several wrong codes, wait a "
                "little between tries)",
            )
            status = 400
    context = {"form": form, "next": next_url, "nav": [], "throttled": bool(wait)}
    if wait:
        context["wait"] = _seconds_text(wait)
    response = render(request, "mfa/verify.html", context, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: a QR code (and the secret to type), then a code from the
    app to confirm; the recovery codes are shown once, on the confirmation page."""
    user = _half_logged_in_user(request)
    if user is None:
        return redirect("login")
    next_url = _safe_next(request)
    if mfa.has_second_factor(user) and not mfa.session_verified(request):
        # Replacing a factor needs the current one first (or a reset by an administrator).
        return redirect(f"{reverse('mfa-verify')}?{urlencode({'next': next_url})}")
    device = do_start_totp_enrolment(user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        address = client_address(request)
        try:
            outcome = do_confirm_totp_enrolment(user, form.cleaned_data["code"], address=address)
        except UserError as exc:
            form.add_error("code", str(exc))
            outcome = None
        if outcome is not None:
            confirmed, codes = outcome
            mfa.mark_verified(request, confirmed)
            do_record_login(user, address=address, second_factor="totp (enrolled)")
            return render(
                request, "mfa/recovery_codes.html", {"codes": codes, "next": next_url, "nav": []}
            )
        if not form.errors:
            form.add_error(
                "code",
                "The code does not match: check the time on your phone and enter the "
                "6-digit code the app shows now",
            )
        status = 400
    return render(
        request,
        "mfa/enrol.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": mark_safe(mfa.qr_code_svg(device.config_url)),  # noqa: S308 (our own SVG)
            "secret": mfa.totp_secret_base32(device),
            "required": mfa.mfa_required(user),
            "nav": [],
        },
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        do_record_logout(request.user, address=client_address(request))  # type: ignore[arg-type]
    logout(request)
    return redirect("login")


def home(request: HttpRequest) -> HttpResponse:
    """What is waiting for the user, by role (msoic.web.home), with links to where they act
    on it and to their dashboards."""
    if not request.user.is_authenticated:
        return redirect("login")
    from msoic.dashboards.scope import default_orgunit_code
    from msoic.web.home import home_panels

    user = request.user
    context = home_panels(user)  # type: ignore[arg-type]
    area = default_orgunit_code(user)  # type: ignore[arg-type]
    # Partners and administrators have them, described, in their panel.
    if access.has_orgunit_role(user):
        context["dashboards"] = [
            (f"{reverse('dashboard-ms')}?orgunit={area}", "Modern slavery dashboard"),
            (f"{reverse('dashboard-oic')}?orgunit={area}", "Organised immigration crime dashboard"),
        ]
    return render(request, "web/home.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    """Up when the database answers (load balancers and `make demo-check` poll this)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "no answer"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
