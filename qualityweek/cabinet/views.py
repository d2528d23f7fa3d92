"""Thin views of «Мой кабинет»."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from qualityweek.core.audit import Actor
from qualityweek.outreach import selectors as outreach_selectors
from qualityweek.outreach import services as outreach_services

from . import selectors


@login_required
def cabinet(request: HttpRequest) -> HttpResponse:
    return render(request, "cabinet/cabinet.html", {"cab": selectors.cabinet_for(request.user)})


@login_required
@require_POST
def cabinet_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """«Ознакомлен» on a letter sent to the person's organisation (or authority), from the cabinet."""
    delivery = get_object_or_404(outreach_selectors.to_acknowledge(request.user), pk=pk)
    outreach_services.acknowledge_in_app(actor=Actor.from_request(request), delivery=delivery)
    messages.success(request, f"Ознакомление с письмом № {delivery.letter.reg_number} подтверждено.")
    return redirect("cabinet")
