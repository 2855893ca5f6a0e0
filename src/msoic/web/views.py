"""Log in (throttled per username and per address), log out, home, health check."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from msoic.accounts.models import LoginFailure, Role


def client_address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def login_blocked(username: str, address: str | None) -> bool:
    since = timezone.now() - timedelta(seconds=settings.MSOIC_LOGIN_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    limit = settings.MSOIC_LOGIN_MAX_FAILURES
    by_user = recent.filter(username=username.lower()).count() >= limit if username else False
    by_address = recent.filter(address=address).count() >= limit * 4 if address else False
    return by_user or by_address


class ThrottledLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = (request.POST.get("username") or "").strip()
        address = client_address(request)
        if login_blocked(username, address):
            form = self.get_form()
            form.errors.clear()
            return self.render_to_response(
                self.get_context_data(form=form, throttled=True), status=429
            )
        response = super().post(request, *args, **kwargs)
        if response.status_code != 302:
            LoginFailure.objects.create(username=username.lower()[:150], address=address)
        else:
            LoginFailure.objects.filter(Q(username=username.lower())).delete()
        return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.role == Role.ADMIN:
        return redirect("dashboard-ms")
    return redirect("dashboard-ms")


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
