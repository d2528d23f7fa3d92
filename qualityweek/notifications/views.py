"""Thin views of the notification centre."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from qualityweek.core.audit import Actor
from qualityweek.core.forms import apply_errors
from qualityweek.core.pagination import paginate_ids
from qualityweek.core.permissions import can

from . import selectors, services
from .forms import PreferenceForm
from .kinds import KINDS, MAILED


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = paginate_ids(selectors.notifications_for(request.user), request.GET.get("page"), 30)
    return render(request, "notifications/list.html", {"page": page,
                                                       "unread": selectors.unread_count(request.user)})


@login_required
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The header's unread count (an htmx fragment polled by every signed-in page)."""
    return render(request, "notifications/_badge.html", {"unread": selectors.unread_count(request.user)})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
    services.mark_read(actor=Actor.from_request(request), notification=notification)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notification_list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(actor=Actor.from_request(request))
    if count:
        messages.success(request, "Все уведомления отмечены прочитанными.")
    return redirect("notification_list")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    pref = selectors.preference_of(request.user)
    digest_allowed = can(request.user, "digest", pref)
    initial = {"email_on": [k for k in MAILED if k not in pref.email_off], "daily_digest": pref.daily_digest}
    form = PreferenceForm(request.POST or None, initial=initial, digest_allowed=digest_allowed)
    if request.method == "POST" and form.is_valid():
        on = set(form.cleaned_data["email_on"])
        try:
            services.save_preferences(actor=Actor.from_request(request), email_off=[k for k in MAILED if k not in on],
                                      daily_digest=bool(form.cleaned_data.get("daily_digest")))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Настройки уведомлений сохранены.")
            return redirect("notification_settings")
    return render(request, "notifications/settings.html", {
        "form": form, "in_app_only": [k.label for k in KINDS.values() if not k.mailed_here]})
