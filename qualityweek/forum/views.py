"""Forum pages: thin — parse, call a selector or a service, render. A foreign object is a 404."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qualityweek.core.audit import Actor
from qualityweek.core.forms import apply_errors
from qualityweek.core.permissions import actions_for, can
from qualityweek.core.text import date_ru, ru_number
from qualityweek.directory.models import Region

from . import ical, selectors, services
from .forms import (
    DayForm,
    DeclineForm,
    EditForm,
    ForumForm,
    GroupForm,
    HallForm,
    MemberForm,
    QuestionForm,
    RegistrationForm,
    SessionForm,
    VenueForm,
    WatchersForm,
)
from .models import Forum, Registration, Ticket, Venue
from .pdf import ticket_pdf
from .rules import coordinator_regions, registration_open

S = Registration.Status


# --- public: programme, session, iCal -----------------------------------------------------------------

def programme(request: HttpRequest) -> HttpResponse:
    forum = selectors.current_forum(request.user)
    return _programme(request, forum)


def forum_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _programme(request, selectors.forum_for(request.user, pk))


def _programme(request: HttpRequest, forum: Forum | None) -> HttpResponse:
    return render(request, "forum/programme.html", {
        "forum": forum, "days": selectors.programme(forum) if forum else [],
        "open": forum is not None and registration_open(forum),
        "actions": actions_for(request.user, forum) if forum else frozenset(),
        "offers": selectors.offers_for(request.user),
    })


def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for(request.user, pk)
    return render(request, "forum/session.html", {
        "session": session, "forum": session.forum, "open": registration_open(session.forum),
        "venues": services.allowed_venues(session),
    })


def _ics(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for(request.user, pk)
    return _ics(ical.calendar([session], name=session.forum.title), f"session-{session.pk}.ics")


# --- registration -------------------------------------------------------------------------------------

def register(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for(request.user, pk)
    forum = session.forum
    if not registration_open(forum):
        return render(request, "forum/closed.html", {"forum": forum, "session": session})
    venues = services.allowed_venues(session)
    form = RegistrationForm(request.POST or None, forum=forum, session=session, venues=venues,
                            initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            registration, token = services.register(
                actor=Actor.from_request(request), forum=forum, session=session, venue=form.cleaned_data["venue"],
                applicant=services.Applicant(name=form.cleaned_data["name"], email=form.cleaned_data["email"],
                                             region=form.cleaned_data["region"], answers=form.answers()),
                consent=form.cleaned_data["consent"], partners_consent=form.cleaned_data["partners_consent"],
                waitlist_ok=form.cleaned_data["waitlist_ok"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("forum_registration", pk=registration.pk, token=token)
    return render(request, "forum/register.html", {"form": form, "session": session, "forum": forum})


def _initial(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"waitlist_ok": True}
    return {"name": user.full_name, "email": user.email, "waitlist_ok": True}


def _by_link(pk: int, token: str) -> Registration:
    registration = (Registration.objects.select_related("forum", "session", "venue", "region")
                    .filter(pk=pk).first())
    if registration is None or not services.token_matches(registration, token):
        raise Http404
    return registration


def registration_page(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    registration = _by_link(pk, token)
    ticket = Ticket.objects.filter(registration=registration).first()
    form = EditForm(forum=registration.forum, initial={
        "name": registration.name, "email": registration.email, "region": registration.region_id,
        **{f"q_{k}": (v.get("name") if isinstance(v, dict) else v) for k, v in registration.answers.items()}})
    form.fields["email"].disabled = True
    return render(request, "forum/registration.html", {
        "r": registration, "token": token, "ticket": ticket,
        "code": services.display_code(ticket.code) if ticket else "",
        "actions": actions_for(Actor.public(None), registration), "position": selectors.queue_position(registration),
        "form": form, "online": registration.venue.kind == Venue.Kind.ONLINE,
    })


@require_POST
def registration_edit(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    registration = _by_link(pk, token)
    form = EditForm(request.POST, forum=registration.forum)
    form.fields["email"].required = False
    if form.is_valid():
        try:
            services.edit(actor=Actor.public(request.META.get("REMOTE_ADDR")), registration=registration,
                          name=form.cleaned_data["name"], region=form.cleaned_data["region"],
                          organisation=registration.organisation, answers=form.answers())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Изменения сохранены.")
    else:
        messages.error(request, "Проверьте поля: " + "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("forum_registration", pk=pk, token=token)


def _link_step(request: HttpRequest, pk: int, token: str, step: Any, done: str) -> HttpResponse:
    registration = _by_link(pk, token)
    try:
        step(actor=Actor.public(request.META.get("REMOTE_ADDR")), registration=registration)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("forum_registration", pk=pk, token=token)


@require_POST
def registration_cancel(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    return _link_step(request, pk, token, services.cancel, "Регистрация отменена, место освобождено.")


@require_POST
def registration_accept(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    return _link_step(request, pk, token, services.accept_offer, "Место ваше: билет отправлен на e-mail.")


def members(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """A delegation's named members: add one at a time (up to the delegation's seats), each with a ticket."""
    registration = _by_link(pk, token)
    if registration.kind != Registration.Kind.DELEGATION:
        raise Http404
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.add_member(actor=Actor.public(request.META.get("REMOTE_ADDR")),
                                         registration=registration, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{member.name}: участник добавлен, код билета "
                                      f"{services.display_code(member.code)}.")
            return redirect("forum_members", pk=pk, token=token)
    rows = [(m, services.display_code(m.code)) for m in selectors.members_of(registration)]
    return render(request, "forum/members.html", {
        "r": registration, "token": token, "form": form, "rows": rows, "left": max(0, registration.seats - len(rows)),
        "actions": actions_for(Actor.public(None), registration),
    })


@require_POST
def member_remove(request: HttpRequest, pk: int, token: str, member_pk: int) -> HttpResponse:
    registration = _by_link(pk, token)
    try:
        services.remove_member(actor=Actor.public(request.META.get("REMOTE_ADDR")), registration=registration,
                               member_id=member_pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Участник удалён из списка делегации.")
    return redirect("forum_members", pk=pk, token=token)


def member_ticket(request: HttpRequest, pk: int, token: str, member_pk: int) -> HttpResponse:
    registration = _by_link(pk, token)
    member = selectors.members_of(registration).filter(pk=member_pk).first()
    if member is None or registration.status != S.CONFIRMED:
        raise Http404
    response = HttpResponse(ticket_pdf(registration, member), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bilet-{member.code}.pdf"'
    return response


def ticket_file(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    registration = _by_link(pk, token)
    if registration.status != S.CONFIRMED or not Ticket.objects.filter(registration=registration).exists():
        raise Http404
    registration = Registration.objects.select_related("forum", "session", "venue", "ticket").get(pk=pk)
    response = HttpResponse(ticket_pdf(registration), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bilet-{registration.ticket.code}.pdf"'
    return response


@login_required
def my_registrations(request: HttpRequest) -> HttpResponse:
    rows = [(r, services.link_token(r)) for r in selectors.my_registrations(request.user)]
    return render(request, "forum/my.html", {"rows": rows})


@login_required
def my_ics(request: HttpRequest) -> HttpResponse:
    sessions = [r.session for r in selectors.my_registrations(request.user).filter(status=S.CONFIRMED)
                .select_related("session__venue")]
    return _ics(ical.calendar(sessions, name="Моя программа форума"), "my-forum.ics")


def join(request: HttpRequest, token: str) -> HttpResponse:
    registration = services.record_join(token=token)
    if registration is None or not registration.venue.stream_url:
        raise Http404
    return HttpResponseRedirect(registration.venue.stream_url)


# --- regional coordinator -----------------------------------------------------------------------------

@login_required
def regional(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator's page: their region's venue (register or update it), who registered there, the head count."""
    forum = selectors.forum_for(request.user, pk)
    regions = sorted(coordinator_regions(request.user))
    if not regions:
        raise PermissionDenied
    region_id = regions[0]
    if request.GET.get("region", "").isdigit() and int(request.GET["region"]) in regions:
        region_id = int(request.GET["region"])
    venue = selectors.regional_venue_for(request.user, forum, region_id)
    form = VenueForm(request.POST or None, initial=_venue_initial(venue))
    if request.method == "POST" and form.is_valid():
        from_region = Region.objects.get(pk=region_id)
        try:
            services.register_regional_venue(actor=Actor.from_request(request), forum=forum, region=from_region,
                                             **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Площадка региона сохранена.")
            return redirect(f"{reverse('forum_regional', args=[forum.pk])}?region={region_id}")
    registrants = (selectors.registrations_for(request.user, forum)
                   .filter(venue=venue) if venue else Registration.objects.none())
    return render(request, "forum/regional.html", {
        "forum": forum, "venue": venue, "form": form, "registrants": registrants.order_by("name")[:500],
        "watchers_form": WatchersForm(initial={"count": venue.watchers if venue else 0}),
        "region_choices": Region.objects.filter(pk__in=regions), "region_id": region_id,
    })


def _venue_initial(venue: Venue | None) -> dict[str, Any]:
    if venue is None:
        return {}
    return {"name": venue.name, "address": venue.address, "capacity": venue.capacity, "contact": venue.contact,
            "connection": venue.connection}


@login_required
@require_POST
def venue_watchers(request: HttpRequest, pk: int) -> HttpResponse:
    venue = selectors.venue_for(request.user, pk)
    form = WatchersForm(request.POST)
    if form.is_valid():
        try:
            services.record_watchers(actor=Actor.from_request(request), venue=venue, count=form.cleaned_data["count"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Число зрителей записано.")
    else:
        messages.error(request, "Укажите число зрителей: целое, от 0 до 100 000.")
    return redirect("forum_regional", pk=venue.forum_id)


@login_required
def group(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator registers a delegation, a school a class: counted against the quotas."""
    forum = selectors.forum_for(request.user, pk)
    if not can(request.user, "register_group", forum):
        raise PermissionDenied
    venues = Venue.objects.filter(forum=forum).exclude(kind=Venue.Kind.ONLINE).order_by("kind", "name")
    form = GroupForm(request.POST or None, forum=forum, venues=venues, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration, token = services.register(
                actor=Actor.from_request(request), forum=forum, session=data["session"], venue=data["venue"],
                applicant=services.Applicant(name=data["name"], email=data["email"], region=data["region"],
                                             answers=form.answers(), kind=data["kind"], pupils=data["pupils"] or 0,
                                             adults=data["adults"] or 0),
                consent=data["consent"], partners_consent=data["partners_consent"], waitlist_ok=data["waitlist_ok"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Заявка на {ru_number(registration.seats)} чел. принята: "
                                      f"{registration.get_status_display().lower()}.")
            return redirect("forum_registration", pk=registration.pk, token=token)
    return render(request, "forum/group.html", {"form": form, "forum": forum})


# --- approvals (operator, or the registrant's region's coordinator) ---------------------------------------

@login_required
def approvals(request: HttpRequest, pk: int) -> HttpResponse:
    forum = selectors.forum_for(request.user, pk)
    if not (can(request.user, "manage", forum) or coordinator_regions(request.user)):
        raise PermissionDenied
    pending = selectors.pending_for(request.user, forum)[:300]
    return render(request, "forum/approvals.html", {"forum": forum, "pending": pending,
                                                    "decline_form": DeclineForm()})


def _decision(request: HttpRequest, pk: int, approve: bool) -> HttpResponse:
    registration = selectors.registration_for(request.user, pk)
    try:
        if approve:
            services.approve(actor=Actor.from_request(request), registration=registration)
        else:
            form = DeclineForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.decline(actor=Actor.from_request(request), registration=registration, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{registration.name}: " + ("подтверждено." if approve else "отклонено."))
    return redirect("forum_approvals", pk=registration.forum_id)


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(request, pk, approve=True)


@login_required
@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(request, pk, approve=False)


@login_required
def registrations(request: HttpRequest, pk: int) -> HttpResponse:
    forum = selectors.forum_for(request.user, pk)
    if not (can(request.user, "manage", forum) or coordinator_regions(request.user)):
        raise PermissionDenied
    qs = selectors.registrations_for(request.user, forum).select_related("ticket").order_by("-created_at")
    status = request.GET.get("status", "")
    if status in S.values:
        qs = qs.filter(status=status)
    return render(request, "forum/registrations.html", {"forum": forum, "rows": qs[:500], "count": qs.count(),
                                                        "status": status, "statuses": S.choices})


# --- operator: dashboard, programme, export ---------------------------------------------------------------

@login_required
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    forum = selectors.managed_forum(request.user, pk)
    regions = selectors.by_region(forum)
    peak = max((r.registrations for r in regions), default=0) or 1
    for row in regions:
        row.level = 0 if not row.registrations else 1 + min(3, 4 * row.registrations // (peak + 1))  # type: ignore[attr-defined]
    return render(request, "forum/dashboard.html", {
        "forum": forum, "regions": regions, "sessions": selectors.by_session(forum),
        "venues": selectors.by_venue(forum), "grid_cols": max(r.region.tile_x for r in regions) + 1 if regions else 0,
        "totals": _totals(regions),
    })


def _totals(rows: list[selectors.RegionRow]) -> dict[str, int]:
    keys = ("registrations", "people", "confirmed", "pending", "waitlisted", "checked_in", "joined")
    totals = {k: sum(getattr(r, k) for r in rows) for k in keys}
    totals["venues"] = sum(1 for r in rows if r.venue)
    totals["watchers"] = sum(r.venue.watchers or 0 for r in rows if r.venue)
    return totals


@login_required
def create(request: HttpRequest) -> HttpResponse:
    """The operator opens the forum of a campaign year."""
    if not can(request.user, "manage", Forum):
        raise PermissionDenied
    form = ForumForm(request.POST or None, initial={"title": "Всемирный день качества"})
    if request.method == "POST" and form.is_valid():
        try:
            forum = services.create_forum(actor=Actor.from_request(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("forum_manage", pk=forum.pk)
    return render(request, "forum/create.html", {"form": form})


@login_required
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The operator's programme page: days, halls, sessions, questions, publication."""
    forum = selectors.managed_forum(request.user, pk)
    actor = Actor.from_request(request)
    which = request.POST.get("form", "")
    forms = {"day": DayForm(request.POST if which == "day" else None),
             "hall": HallForm(request.POST if which == "hall" else None),
             "session": SessionForm(request.POST if which == "session" else None, forum=forum),
             "question": QuestionForm(request.POST if which == "question" else None)}
    if request.method == "POST":
        if which == "publish":
            services.update_forum(actor=actor, forum=forum, is_published=not forum.is_published)
            return redirect("forum_manage", pk=forum.pk)
        form = forms.get(which)
        if form is not None and form.is_valid():
            try:
                _add(actor, forum, which, form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Добавлено.")
                return redirect("forum_manage", pk=forum.pk)
    return render(request, "forum/manage.html", {"forum": forum, "forms": forms, "days": selectors.programme(forum),
                                                 "venues": forum.venues.order_by("kind", "name"),
                                                 "questions": forum.questions.all()})


def _add(actor: Actor, forum: Forum, which: str, data: dict[str, Any]) -> None:
    if which == "day":
        services.add_day(actor=actor, forum=forum, **data)
    elif which == "hall":
        services.add_venue(actor=actor, forum=forum, **data)
    elif which == "session":
        services.add_session(actor=actor, **data)
    else:
        choices = [c for c in data.pop("choices").splitlines()]
        services.add_question(actor=actor, forum=forum, choices=choices, **data)


@login_required
@require_POST
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """Starts the export job; its page shows the progress and then the download."""
    forum = selectors.managed_forum(request.user, pk)
    job = services.start_export(actor=Actor.from_request(request), forum=forum)
    return redirect("job_detail", pk=job.pk)


# --- check-in (forum staff of this forum, or the operator) -------------------------------------------------

@login_required
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    forum = selectors.staffed_forum(request.user, pk)
    result = None
    if request.method == "POST":
        result = services.check_in(actor=Actor.from_request(request), forum=forum, code=request.POST.get("code", ""))
    return render(request, "forum/checkin.html", {
        "forum": forum, "result": result, "venues": forum.venues.exclude(kind=Venue.Kind.ONLINE).order_by("name"),
        "first_at": timezone.localtime(result.first_at) if result and result.first_at else None,
    })


def _result_json(result: services.CheckIn) -> dict[str, Any]:
    data: dict[str, Any] = {"ok": result.ok, "message": result.message}
    r = result.registration
    if r is not None:
        first = timezone.localtime(result.first_at) if result.first_at else None
        data |= {"name": result.name,
                 "kind": "Участник делегации" if result.member is not None else r.get_kind_display(),
                 "seats": 1 if result.member is not None else r.seats, "status": r.get_status_display(),
                 "session": r.session.title, "venue": r.venue.name,
                 "first_at": f"{first:%H:%M:%S}, {date_ru(first.date())}" if first else ""}
    return data


@login_required
@require_POST
def checkin_scan(request: HttpRequest, pk: int) -> JsonResponse:
    forum = selectors.staffed_forum(request.user, pk)
    source = Ticket.Source.SCAN if request.POST.get("source") == "scan" else Ticket.Source.TYPED
    result = services.check_in(actor=Actor.from_request(request), forum=forum, code=request.POST.get("code", ""),
                               source=source)
    return JsonResponse(_result_json(result))


@login_required
def checkin_list(request: HttpRequest, pk: int, venue_pk: int) -> JsonResponse:
    forum = selectors.staffed_forum(request.user, pk)
    venue = Venue.objects.filter(forum=forum, pk=venue_pk).first()
    if venue is None:
        raise Http404
    response = JsonResponse({"forum": forum.pk, "venue": venue.name, "generated_at": timezone.now().isoformat(),
                             "tickets": list(selectors.offline_list(forum, venue))})
    response["Content-Disposition"] = f'attachment; filename="checkin-{venue.pk}.json"'
    return response


@login_required
@require_POST
def checkin_sync(request: HttpRequest, pk: int) -> JsonResponse:
    forum = selectors.staffed_forum(request.user, pk)
    try:
        raw = request.POST.get("checkins")  # a form field holding JSON, or a JSON body
        payload = {"checkins": json.loads(raw)} if raw is not None else json.loads(request.body or b"{}")
        entries = payload.get("checkins", []) if isinstance(payload, dict) else []
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ValueError
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "Ожидался JSON вида {\"checkins\": [{\"code\": …, \"at\": …}]}."}, status=400)
    return JsonResponse(services.sync_offline(actor=Actor.from_request(request), forum=forum, entries=entries))
