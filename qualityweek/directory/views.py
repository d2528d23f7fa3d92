"""Thin views: parse the request, call a selector or a service, render."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from qualityweek.core.audit import Actor
from qualityweek.core.forms import apply_errors
from qualityweek.core.jobs import start_job
from qualityweek.core.permissions import actions_for, can
from qualityweek.core.ratelimit import limited_response, over_limit

from . import selectors, services
from .access import principal
from .forms import AcceptInvitationForm, InvitationForm, OrganisationForm, RejectForm, SignUpForm
from .models import Invitation, Organisation, Region, RoleAssignment, Sector, User
from .tasks import export_organisations_task

PAGE_SIZE = 50


@login_required
def region_list(request: HttpRequest) -> HttpResponse:
    regions = list(selectors.regions_for(request.user))
    return render(request, "directory/region_list.html", {
        "regions": regions,
        "grid": tile_grid(regions),
        "total": sum(r.organisation_count for r in regions),  # type: ignore[attr-defined]
    })


def tile_grid(regions: list[Region]) -> dict:
    if not regions:
        return {"cols": 0, "rows": 0, "cells": []}
    return {"cols": max(r.tile_x for r in regions) + 1, "rows": max(r.tile_y for r in regions) + 1,
            "cells": regions}


@login_required
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(selectors.regions_for(request.user), code=code)
    authorities = selectors.organisations_for(request.user).filter(region=region).exclude(authority="")
    return render(request, "directory/region_detail.html", {"region": region, "authorities": authorities})


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    single = selectors.single_organisation_of(request.user)
    if single is not None:  # a list of one row is no list: the person's organisation's own page
        return redirect("organisation_detail", pk=single)
    flt = selectors.OrganisationFilter.from_params(request.GET)
    qs = selectors.organisations_for(request.user, flt).order_by("region__code", "name", "id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    p = principal(request.user)
    return render(request, "directory/organisation_list.html", {
        "page": page,
        "filter": flt,
        "query": "&".join(f"{k}={v}" for k, v in flt.as_dict().items()),
        "regions": selectors.region_choices_for(request.user),
        "kinds": Organisation.Kind.choices,
        "sectors": Sector.choices,
        "statuses": Organisation.Status.choices,
        "may_create": can(request.user, "create", Organisation),
        "may_export": can(request.user, "export", Organisation),
        "is_scoped": not p.is_operator,
    })


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(selectors.organisations_for(request.user), pk=pk)
    return render(request, "directory/organisation_detail.html", {
        "org": org,
        "people": selectors.people_of(org),
        "may_change": can(request.user, "change", org),
        "may_approve": can(request.user, "approve", org),
        "actions": actions_for(request.user, org),
        "reject_form": RejectForm(),
    })


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "create", Organisation):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, regions=selectors.region_choices_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_organisation(actor=Actor.from_request(request), **_org_fields(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error("region", "Вы можете добавлять организации только своего региона и своей сферы.")
        else:
            messages.success(request, f"Организация «{org.name}» добавлена.")
            return redirect("organisation_detail", pk=org.pk)
    return render(request, "directory/organisation_form.html", {"form": form, "org": None})


def _org_fields(form: OrganisationForm) -> dict:
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(selectors.organisations_for(request.user), pk=pk)
    if not can(request.user, "change", org):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, instance=Organisation.objects.get(pk=org.pk),
                            regions=selectors.region_choices_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organisation(actor=Actor.from_request(request), organisation=org, **_org_fields(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Изменения сохранены.")
            return redirect("organisation_detail", pk=org.pk)
    return render(request, "directory/organisation_form.html", {"form": form, "org": org})


STATUS_ACTIONS = {
    "approve": (services.approve_organisation, "Организация подтверждена."),
    "close": (services.close_organisation, "Организация отмечена как закрытая."),
    "reopen": (services.reopen_organisation, "Организация снова действует."),
}


@login_required
@require_POST
def organisation_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action != "reject" and action not in STATUS_ACTIONS:
        raise Http404
    org = get_object_or_404(selectors.organisations_for(request.user), pk=pk)
    actor = Actor.from_request(request)
    try:
        if action == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors["reason"][0])
            services.reject_organisation(actor=actor, organisation=org, reason=form.cleaned_data["reason"])
            messages.success(request, "Заявка отклонена, заявитель получит письмо с причиной.")
        else:
            service, done = STATUS_ACTIONS[action]
            service(actor=actor, organisation=org)
            messages.success(request, done)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("organisation_detail", pk=org.pk)


@login_required
@require_POST
def organisation_export(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "export", Organisation):
        raise PermissionDenied
    flt = selectors.OrganisationFilter.from_params(request.POST)
    job = start_job(owner=request.user, kind="directory.export", title="Выгрузка организаций в XLSX",
                    task=export_organisations_task, filters=flt.as_dict())
    return redirect("job_detail", pk=job.pk)


# --- People --------------------------------------------------------------------------------------

@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "create", Invitation):
        raise PermissionDenied
    roles = selectors.invitable_roles(request.user)
    organisations = selectors.invitable_organisations(request.user)
    initial = {"organisation": request.GET.get("organisation")} if request.GET.get("organisation") else None
    form = InvitationForm(request.POST or None, initial=initial, organisations=organisations, roles=roles)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inv, _ = services.invite(
                actor=Actor.from_request(request), email=data["email"], role=data["role"],
                region=data.get("region"), sector=data.get("sector") or "", organisation=data.get("organisation"),
                last_name=data["last_name"], first_name=data["first_name"], patronymic=data["patronymic"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error(None, "У вас нет права приглашать на эту роль в эту организацию или регион.")
        else:
            messages.success(request, f"Приглашение отправлено на {inv.email}.")
            return redirect("invitation_list")
    invitations = selectors.invitations_for(request.user)[:200]
    return render(request, "directory/invitation_list.html", {"form": form, "invitations": invitations})


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    inv = get_object_or_404(selectors.invitations_for(request.user), pk=pk)
    try:
        services.revoke_invitation(actor=Actor.from_request(request), invitation=inv)
        messages.success(request, f"Приглашение для {inv.email} отозвано.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("invitation_list")


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST" and over_limit(request, "invitation"):
        return limited_response(request)
    try:
        inv = services.find_invitation(token)
    except services.InvitationInvalid as exc:
        return render(request, "directory/invitation_invalid.html", {"reason": str(exc)}, status=404)
    form = AcceptInvitationForm(request.POST or None, initial={
        "last_name": inv.last_name, "first_name": inv.first_name, "patronymic": inv.patronymic})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.accept_invitation(
                token=token, last_name=data["last_name"], first_name=data["first_name"],
                patronymic=data["patronymic"], password=data["password1"],
                personal_data_consent=data["personal_data_consent"], ip=request.META.get("REMOTE_ADDR"))
        except services.InvitationInvalid as exc:
            return render(request, "directory/invitation_invalid.html", {"reason": str(exc)}, status=404)
        except ValidationError as exc:
            apply_errors(form, exc, default_field="password1")
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Добро пожаловать! Приглашение принято.")
            return redirect("home")
    return render(request, "directory/invitation_accept.html", {"form": form, "invitation": inv})


def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    if request.method == "POST" and over_limit(request, "sign_up", email=request.POST.get("email")):
        return limited_response(request)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.sign_up_organisation(
                organisation={k: data[k] for k in form.ORGANISATION_FIELDS},
                person={k: data[k] for k in form.PERSON_FIELDS},
                password=data["password1"], personal_data_consent=data["personal_data_consent"],
                ip=request.META.get("REMOTE_ADDR"),
            )
        except ValidationError as exc:
            apply_errors(form, exc, default_field="password1")
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Заявка отправлена. Региональный координатор подтвердит организацию; "
                                      "мы сообщим об этом письмом.")
            return redirect("profile")
    return render(request, "directory/sign_up.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    roles = RoleAssignment.objects.filter(user=cast(User, request.user)).select_related("region", "organisation")
    return render(request, "directory/profile.html", {"roles": roles,
                                                      "invite_url": reverse("invitation_list")})
