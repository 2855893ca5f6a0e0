"""User management for administrators (and only them): list and find accounts, create one,
change its role and org unit, deactivate or reactivate it, reset its second factor, issue a
set-password link, and list and revoke its API tokens.

Views read input, check :func:`msoic.accounts.access.can_manage_users`, and call the
actions in :mod:`msoic.accounts.actions`, each of which writes its own audit row. Every
change is a POST (CSRF-protected). Passwords are never shown or chosen by an administrator:
a new account has no usable password, and its owner chooses one through a one-time
set-password link that the administrator hands over (see ``set_password``); the second
factor is then set up at the first login, as for every user.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from msoic.accounts import access
from msoic.accounts.actions import (
    UserError,
    do_change_user_role,
    do_create_user,
    do_issue_set_password_link,
    do_reset_mfa,
    do_revoke_token,
    do_set_password_from_link,
    do_set_user_active,
)
from msoic.accounts.forms import ActiveForm, CreateUserForm, ReasonForm, RoleForm, UserFilterForm
from msoic.accounts.mfa import mfa_required
from msoic.accounts.models import ApiToken, RecoveryCode, User

PAGE_SIZE = 50
# Where the messages of orgunit_for_role say the org unit is chosen.
ORGUNIT_FIELD = "the org unit"


class AdminRequest(HttpRequest):
    user: User


def _require_admin(request: HttpRequest) -> User:
    user = request.user
    if not access.can_manage_users(user):
        raise PermissionDenied("User management is for administrators")
    return user  # type: ignore[return-value]


def _users_with_factor() -> QuerySet[User]:
    return User.objects.select_related("orgunit").annotate(
        has_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    )


def _get_user(pk: int) -> User:
    return access.get_or_404(_users_with_factor(), pk, message="No such user")


def _no_store(response: HttpResponse) -> HttpResponse:
    """Pages showing a set-password link are not kept by the browser or a proxy."""
    response["Cache-Control"] = "no-store"
    return response


def set_password_url(request: HttpRequest, user: User, token: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return request.build_absolute_uri(reverse("set-password", args=[uid, token]))


def _link_page(request: HttpRequest, user: User, token: str, *, created: bool) -> HttpResponse:
    expires = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    return _no_store(
        render(
            request,
            "accounts/admin_link.html",
            {
                "target": user,
                "link": set_password_url(request, user, token),
                "expires": expires,
                "created": created,
                "needs_factor": mfa_required(user),
            },
        )
    )


@login_required
@require_GET
def user_list(request: AdminRequest) -> HttpResponse:
    _require_admin(request)
    form = UserFilterForm(request.GET or None)
    users = _users_with_factor().order_by("username")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        for word in data["q"].split():
            users = users.filter(
                Q(username__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
            )
        if data["role"]:
            users = users.filter(role=data["role"])
        if data["orgunit"]:
            users = users.filter(orgunit__code=data["orgunit"])
        if data["active"]:
            users = users.filter(is_active=data["active"] == "yes")
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/admin_user_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: AdminRequest) -> HttpResponse:
    admin = _require_admin(request)
    form = CreateUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, _ = do_create_user(
                data["username"],
                role=data["role"],
                orgunit_code=data["orgunit"] or None,
                password=None,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                actor=admin,
            )
        except UserError as exc:
            field = "username" if "already exists" in str(exc) else "orgunit"
            form.add_error(field, str(exc).replace("--orgunit", ORGUNIT_FIELD))
        else:
            token = do_issue_set_password_link(user, actor=admin)
            return _link_page(request, user, token, created=True)
    status = 400 if form.errors else 200
    return render(request, "accounts/admin_user_new.html", {"form": form}, status=status)


def _detail(request: AdminRequest, target: User, status: int = 200, **forms: Any) -> HttpResponse:
    admin = request.user
    tokens = list(target.api_tokens.order_by("-created_at"))
    now = timezone.now()
    context = {
        "target": target,
        "is_self": target.pk == admin.pk,
        "role_form": forms.get("role_form")
        or RoleForm(
            initial={"role": target.role, "orgunit": target.orgunit.code if target.orgunit else ""}
        ),
        "active_form": forms.get("active_form") or ActiveForm(),
        "mfa_form": forms.get("mfa_form") or ReasonForm(prefix="mfa"),
        "revoke_errors": forms.get("revoke_errors") or {},
        "tokens": [
            {
                "token": t,
                "state": "revoked" if t.revoked else ("usable" if t.is_usable(now) else "expired"),
            }
            for t in tokens
        ],
        "recovery_codes_left": RecoveryCode.objects.filter(device__user=target).count(),
        "mfa_required": mfa_required(target),
    }
    return render(request, "accounts/admin_user_detail.html", context, status=status)


@login_required
@require_GET
def user_detail(request: AdminRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    return _detail(request, _get_user(pk))


@login_required
@require_POST
def user_role(request: AdminRequest, pk: int) -> HttpResponse:
    admin = _require_admin(request)
    target = _get_user(pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            do_change_user_role(
                target,
                role=form.cleaned_data["role"],
                orgunit_code=form.cleaned_data["orgunit"] or None,
                actor=admin,
                field=ORGUNIT_FIELD,
            )
        except UserError as exc:
            form.add_error("orgunit" if "org unit" in str(exc) else "role", str(exc))
        else:
            messages.success(request, f"{target.username}: role and org unit saved")
            return redirect("admin-users-detail", pk=target.pk)
    return _detail(request, target, status=400, role_form=form)


@login_required
@require_POST
def user_active(request: AdminRequest, pk: int) -> HttpResponse:
    admin = _require_admin(request)
    target = _get_user(pk)
    form = ActiveForm(request.POST)
    active = request.POST.get("active") == "1"
    if form.is_valid():
        try:
            do_set_user_active(target, active, actor=admin, reason=form.cleaned_data["reason"])
        except UserError as exc:
            form.add_error("reason", str(exc))
        else:
            done = "reactivated" if active else "deactivated: they can no longer log in"
            messages.success(request, f"{target.username} {done}")
            return redirect("admin-users-detail", pk=target.pk)
    return _detail(request, target, status=400, active_form=form)


@login_required
@require_POST
def user_mfa_reset(request: AdminRequest, pk: int) -> HttpResponse:
    admin = _require_admin(request)
    target = _get_user(pk)
    form = ReasonForm(request.POST, prefix="mfa")
    if form.is_valid():
        removed = do_reset_mfa(target, actor=admin, reason=form.cleaned_data["reason"])
        messages.success(
            request,
            f"{target.username}: second factor reset ({removed} device{'s' if removed != 1 else ''}"
            " removed, sessions ended); they set up their authenticator app at their next login",
        )
        return redirect("admin-users-detail", pk=target.pk)
    return _detail(request, target, status=400, mfa_form=form)


@login_required
@require_POST
def user_link(request: AdminRequest, pk: int) -> HttpResponse:
    admin = _require_admin(request)
    target = _get_user(pk)
    try:
        token = do_issue_set_password_link(target, actor=admin)
    except UserError as exc:
        messages.error(request, str(exc))
        return redirect("admin-users-detail", pk=target.pk)
    return _link_page(request, target, token, created=False)


@login_required
@require_POST
def token_revoke(request: AdminRequest, pk: int, token_pk: int) -> HttpResponse:
    admin = _require_admin(request)
    target = _get_user(pk)
    token = access.get_or_404(
        ApiToken.objects.filter(user=target), token_pk, message="No such token"
    )
    form = ReasonForm(request.POST, prefix=f"revoke-{token.pk}")
    if form.is_valid():
        do_revoke_token(token, actor=admin, reason=form.cleaned_data["reason"])
        messages.success(request, f"Token {token.prefix}… of {target.username} revoked")
        return redirect("admin-users-detail", pk=target.pk)
    errors = {token.pk: form.errors["reason"][0]}
    return _detail(request, target, status=400, revoke_errors=errors)


class SetPasswordView(PasswordResetConfirmView):
    """The owner of a new account (or one whose administrator issued a new link) chooses a
    password. Django's reset view: the token moves from the URL into the session at once, so
    it does not leak in a Referer; it is void once used, after PASSWORD_RESET_TIMEOUT, and
    after the user logs in."""

    template_name = "accounts/set_password.html"
    reset_url_token = "set-password"  # noqa: S105 (a URL segment, not a secret)
    success_url = reverse_lazy("login")
    post_reset_login = False

    def get_user(self, uidb64: str) -> Any:
        """Only an active account: a deactivated user's outstanding link opens nothing."""
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def dispatch(self, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(*args, **kwargs)
        if not self.validlink and response.status_code == 200:
            response.status_code = 404  # used, run out, or made up: the page says so
        return response

    def form_valid(self, form: Any) -> HttpResponse:
        from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN

        do_set_password_from_link(form.user, form.cleaned_data["new_password1"])
        self.request.session.pop(INTERNAL_RESET_SESSION_TOKEN, None)
        messages.success(self.request, "Your password is set: log in with it")
        return HttpResponseRedirect(self.get_success_url())
