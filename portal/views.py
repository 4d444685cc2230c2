"""Pages of the shell: the home that sends each role to its place, the login lockouts (the page a
locked login gets, and the bureau's list to lift them), the health check, and the page for a form
the CSRF check refused."""

import datetime

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.lockouts import locked_until, lockout_lift, lockouts_now
from core.models import Profile
from core.outbox import backlog
from core.policy import can, require
from pairing.selectors import pairings_visible_to

from .celery import app as celery_app
from .forms import LockoutLiftForm


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if can(user, "pairing.list"):
        return redirect("pairing:list")
    if can(user, "report.own"):
        pairings = list(
            pairings_visible_to(user).select_related("town", "lead_university").order_by("number")[:50]
        )
        if len(pairings) == 1:
            return redirect("pairing:detail", pk=pairings[0].pk)
        return render(request, "portal/liaison_home.html", {"pairings": pairings})
    return render(request, "portal/no_role.html", status=403)


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; for a signed-in user the language of their e-mail and notices
    (Profile.language) follows the one they chose to read the portal in."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        profile = Profile.objects.filter(user=request.user).first()
        if profile is not None and profile.language != language:
            profile.language = language
            profile.save(update_fields=["language"])
    return response


def _next_minute(moment: datetime.datetime) -> datetime.datetime:
    """A time to print in minutes that is not before `moment` (a login at 10:15 must be let in)."""
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + datetime.timedelta(minutes=1)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What a refused login answers (django-axes' AXES_LOCKOUT_CALLABLE): locked, until when, whom to ask."""
    username = (credentials or {}).get("username")
    until = locked_until(username=username, address=getattr(request, "axes_ip_address", None))
    if until is None:  # lifted or expired since axes refused it: at most one cool-off away
        until = timezone.now() + get_cool_off()
    context = {"until": _next_minute(until), "limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/locked_out.html", context, status=429)


@login_required
def lockouts_view(request: HttpRequest) -> HttpResponse:
    """The accounts and addresses locked now, for bureau staff, each with a button that lifts it."""
    require(request.user, "accounts.unlock", hide=True)
    form = LockoutLiftForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        kind, value = form.cleaned_data["kind"], form.cleaned_data["value"]
        if lockout_lift(kind=kind, value=value, by=request.user):
            messages.success(
                request,
                _("Lifted the lockout of %(value)s: logins are let through again.") % {"value": value},
            )
        else:
            messages.info(request, _("%(value)s had no failed logins left to forget.") % {"value": value})
        return redirect("lockouts")
    context = {
        "lockouts": lockouts_now(),
        "form": form,
        "limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(get_cool_off().total_seconds() // 60),
    }
    return render(request, "portal/lockout_list.html", context, status=400 if form.is_bound else 200)


@require_GET
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(staticfiles_storage.url("portal/favicon.svg"))


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure is reported, not raised: this is a health check
        return f"error: {error.__class__.__name__}"
    return "ok"


def broker_status() -> str:
    if celery_app.conf.task_always_eager:
        return "eager"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(value in {"ok", "eager"} for value in checks.values())
    body = {"status": "ok" if healthy else "error", **checks}
    if checks["database"] == "ok":
        body["outbox_backlog"] = backlog()
    return JsonResponse(body, status=200 if healthy else 503)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check, usually because the user signed in again in another tab
    after opening it: said in words on the portal's page, with the way back to a fresh copy of it."""
    referer = request.META.get("HTTP_REFERER", "")
    same_site = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return render(request, "csrf_failure.html", {"again": referer if same_site else None}, status=403)
