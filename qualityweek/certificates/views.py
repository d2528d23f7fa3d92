"""Thin views: parse the request, call a selector or a service, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from qualityweek.core.audit import Actor
from qualityweek.core.forms import apply_errors
from qualityweek.core.http import client_ip
from qualityweek.core.permissions import actions_for, can
from qualityweek.core.ratelimit import limited_response
from qualityweek.core.text import plural_ru

from . import selectors, services
from .forms import FilterForm, IssueForm, RevokeForm
from .models import Certificate

VERIFY_RATE = "300/m"  # per client address; settings.RATE_LIMITS["certificate_verify_ip"] overrides it


def _certificate(request: HttpRequest, pk: int) -> Certificate:
    return get_object_or_404(selectors.certificates_for(request.user), pk=pk)


def _filtered(request: HttpRequest) -> tuple[FilterForm, QuerySet[Certificate]]:
    form = FilterForm(request.GET or None)
    qs = form.filter().apply(selectors.certificates_for(request.user))
    return form, qs


@login_required
def certificate_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "certificates/list.html", {
        "form": form, "page": page, "may_issue": can(request.user, "issue", Certificate),
        "query": request.GET.urlencode(), "count": page.paginator.count,
        "count_word": plural_ru(page.paginator.count, "сертификат", "сертификата", "сертификатов"),
    })


@login_required
def certificate_mine(request: HttpRequest) -> HttpResponse:
    return render(request, "certificates/mine.html", {"certificates": selectors.mine(request.user)[:500]})


@login_required
def certificate_issue(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "issue", Certificate):
        raise PermissionDenied
    form = IssueForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        code, subject = form.source_and_subject()
        try:
            job = services.start_issue(actor=Actor.from_request(request), source_code=code, subject=subject)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("scope", str(exc))
        else:
            messages.success(request, "Выдача запущена: сертификаты появятся в архиве, когда задача завершится.")
            return redirect("job_detail", pk=job.pk)
    return render(request, "certificates/issue.html", {"form": form})


@login_required
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _certificate(request, pk)
    return render(request, "certificates/detail.html", {
        "certificate": cert, "actions": actions_for(request.user, cert), "verify_url": services.verify_url(cert),
        "replaces": cert.replaces.all(),
    })


@login_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _certificate(request, pk)
    response = HttpResponse(services.pdf_of(cert), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, services.filename(cert)) or ""
    return response


@login_required
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _certificate(request, pk)
    if not can(request.user, "revoke", cert):
        if cert.is_valid:
            raise PermissionDenied
        messages.error(request, "Сертификат уже отозван.")
        return redirect("certificate_detail", pk=cert.pk)
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke(actor=Actor.from_request(request), certificate=cert, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc, "reason")
        else:
            messages.success(request, f"Сертификат № {cert.number_text} отозван.")
            return redirect("certificate_detail", pk=cert.pk)
    return render(request, "certificates/revoke.html", {"certificate": cert, "form": form})


@login_required
@require_POST
def certificate_reissue(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _certificate(request, pk)
    if not can(request.user, "reissue", cert):
        if cert.is_valid:
            raise PermissionDenied
        messages.error(request, "Отозванный сертификат переоформить нельзя.")
        return redirect("certificate_detail", pk=cert.pk)
    new = services.reissue(actor=Actor.from_request(request), certificate=cert)
    messages.success(request, f"Выдан новый сертификат № {new.number_text}; прежний отозван.")
    return redirect("certificate_detail", pk=new.pk)


def _start_send(request: HttpRequest, qs: QuerySet[Certificate]) -> HttpResponse:
    try:
        job = services.start_send(actor=Actor.from_request(request), certificates=qs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(request.POST.get("back") or "certificate_list")
    return redirect("job_detail", pk=job.pk)


@login_required
@require_POST
def certificate_send(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _certificate(request, pk)
    if not can(request.user, "send", cert):
        raise PermissionDenied
    try:
        job = services.start_send(actor=Actor.from_request(request),
                                  certificates=Certificate.objects.filter(pk=cert.pk))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("certificate_detail", pk=cert.pk)
    return redirect("job_detail", pk=job.pk)


def _chosen(request: HttpRequest) -> QuerySet[Certificate]:
    form = FilterForm(request.POST)
    return form.filter().apply(selectors.managed_by(request.user))


@login_required
@require_POST
def certificate_zip(request: HttpRequest) -> HttpResponse:
    qs = FilterForm(request.POST).filter().apply(selectors.certificates_for(request.user))
    try:
        job = services.start_zip(actor=Actor.from_request(request), certificates=qs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("certificate_list")
    return redirect("job_detail", pk=job.pk)


@login_required
@require_POST
def certificate_send_many(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "issue", Certificate):
        raise PermissionDenied
    return _start_send(request, _chosen(request))


def certificate_verify(request: HttpRequest, public_id: str) -> HttpResponse:
    """The page a QR code opens: the certificate as the database holds it, valid or revoked."""
    rate = getattr(settings, "RATE_LIMITS", {}).get("certificate_verify_ip", VERIFY_RATE)
    if is_ratelimited(request, group="qw:certificate_verify:ip", key=lambda _g, r: client_ip(r), rate=rate,
                      method=ALL, increment=True):
        return limited_response(request)
    cert = selectors.verified(public_id)
    if cert is None:
        return render(request, "certificates/verify.html", {"certificate": None}, status=404)
    return render(request, "certificates/verify.html", {"certificate": cert, "verify_url": services.verify_url(cert)})
