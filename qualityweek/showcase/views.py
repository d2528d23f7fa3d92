"""The public campaign site (cached for visitors) and the best-practice workflow pages."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from qualityweek.activities.models import Activity, Photo
from qualityweek.analytics import mapsvg
from qualityweek.campaigns.selectors import current_campaign
from qualityweek.core import files
from qualityweek.core.audit import Actor
from qualityweek.core.forms import apply_errors
from qualityweek.core.permissions import actions_for, can
from qualityweek.core.public_cache import public_page
from qualityweek.core.ratelimit import limited_response, over_limit
from qualityweek.directory.models import Region

from . import ical, selectors, services
from .forms import ModerationForm, PracticeForm, ProblemForm
from .models import BestPractice, ProblemReport


def _query(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


@public_page("events", "campaign")
def event_list(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign()
    flt = selectors.EventFilter.from_params(request.GET)
    page = Paginator(selectors.events(flt, campaign), 30).get_page(request.GET.get("page"))
    regions = list(Region.objects.order_by("code"))
    counts = selectors.event_counts_by_region(flt, campaign)
    keep = _query({k: v for k, v in flt.as_params().items() if k != "region"})
    events_map = mapsvg.render_counts(
        regions, counts, href=lambda r: f"?{keep}&region={r.code}" if keep else f"?region={r.code}",
        title="Карта мероприятий Недели качества", noun=("мероприятие", "мероприятия", "мероприятий"),
        map_id="events-map")
    return render(request, "showcase/event_list.html", {
        "campaign": campaign, "filter": flt, "page": page, "query": _query(flt.as_params()),
        "regions": regions, "types": selectors.type_choices(),
        "events_map": events_map, "events_legend": mapsvg.legend_html(events_map),
    })


def _public_event(pk: int) -> Activity:
    return get_object_or_404(selectors.public_events(), pk=pk)


@public_page("events")
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _public_event(pk)
    return render(request, "showcase/event_detail.html", {"event": event, "photos": selectors.event_photos(event)})


@public_page("events")
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    event = _public_event(pk)
    response = HttpResponse(ical.event_calendar(event, request.build_absolute_uri(
        reverse("event_detail", args=[event.pk]))), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="quality-week-{event.pk}.ics"'
    return response


@public_page("practices")
def practice_list(request: HttpRequest) -> HttpResponse:
    flt = selectors.PracticeFilter.from_params(request.GET)
    page = Paginator(selectors.search_practices(flt), 20).get_page(request.GET.get("page"))
    return render(request, "showcase/practice_list.html", {
        "filter": flt, "page": page, "query": _query(flt.as_params()),
        "regions": selectors.region_choices(), "types": selectors.type_choices(),
        "years": selectors.campaign_years(),
    })


@public_page("practices")
def practice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    practice = get_object_or_404(selectors.published_practices(), pk=pk)
    return render(request, "showcase/practice_detail.html", {
        "practice": practice, "photos": selectors.practice_photos(practice)})


def report_problem(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Anyone can flag a public page; the report goes to the editors."""
    target: dict = {}
    if kind not in {"practice", "event"}:
        raise Http404
    if kind == "practice":
        target["practice"] = get_object_or_404(selectors.published_practices(), pk=pk)
        back = reverse("practice_detail", args=[pk])
    else:
        target["activity"] = _public_event(pk)
        back = reverse("event_detail", args=[pk])
    if request.method == "POST" and over_limit(request, "public_form"):
        return limited_response(request)
    form = ProblemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:  # the honeypot: pretend all is well
            return redirect(back)
        try:
            services.report_problem(message=form.cleaned_data["message"], contact=form.cleaned_data["contact"],
                                    ip=request.META.get("REMOTE_ADDR"), **target)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Спасибо! Редакция посмотрит страницу.")
            return redirect(back)
    return render(request, "showcase/problem_form.html", {"form": form, "back": back})


# --- workflow (signed in) ---------------------------------------------------------------------------

@login_required
def practice_manage(request: HttpRequest) -> HttpResponse:
    moderate = can(request.user, "moderate", BestPractice)
    return render(request, "showcase/practice_manage.html", {
        "practices": selectors.practices_for(request.user).order_by("status", "-nominated_at")[:300],
        "proposals": selectors.proposals_for(request.user)[:100],
        "problems": ProblemReport.objects.filter(status="new").select_related("practice", "activity")[:100]
        if moderate else [],
        "moderate": moderate,
    })


@login_required
def practice_nominate(request: HttpRequest, activity_pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.visible_to(request.user).select_related("organisation"),
                                 pk=activity_pk)
    if not can(request.user, "nominate", activity):
        raise PermissionDenied
    form = PracticeForm(request.POST or None, initial={"title": activity.title, "story": activity.description})
    if request.method == "POST" and form.is_valid():
        try:
            practice = services.nominate(actor=Actor.from_request(request), activity=activity, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Практика отправлена редакции.")
            return redirect("practice_manage_detail", pk=practice.pk)
    return render(request, "showcase/practice_form.html", {"form": form, "activity": activity, "practice": None})


def _managed(request: HttpRequest, pk: int) -> BestPractice:
    return get_object_or_404(selectors.practices_for(request.user), pk=pk)


@login_required
def practice_manage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    practice = _managed(request, pk)
    actions = actions_for(request.user, practice)
    form = PracticeForm(request.POST or None, initial={
        "title": practice.title, "story": practice.story, "results": practice.results})
    if request.method == "POST":
        if not can(request.user, "edit", practice):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.revise(actor=Actor.from_request(request), practice=practice, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Изменения отправлены редакции.")
                return redirect("practice_manage_detail", pk=practice.pk)
    return render(request, "showcase/practice_form.html", {
        "form": form, "activity": practice.activity, "practice": practice,
        "may_edit": "edit" in actions, "moderate": "moderate" in actions,
        "moderation": [step for step in MODERATION if step in actions], "actions": actions,
        "moderation_form": ModerationForm()})


MODERATION: dict[str, tuple[Callable[..., BestPractice], str]] = {
    "publish": (services.publish, "Практика опубликована."),
    "changes": (services.request_changes, "Организация получит ваш комментарий."),
    "reject": (services.reject, "Практика отклонена."),
}


@login_required
@require_POST
def practice_moderate(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    practice = _managed(request, pk)
    if action not in MODERATION:
        raise Http404
    service, done = MODERATION[action]
    try:
        service(actor=Actor.from_request(request), practice=practice, comment=request.POST.get("comment", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("practice_manage_detail", pk=practice.pk)


@login_required
@require_POST
def problem_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_object_or_404(ProblemReport, pk=pk)
    services.resolve_problem(actor=Actor.from_request(request), problem=problem)
    messages.success(request, "Сообщение отмечено как разобранное.")
    return redirect("practice_manage")


def robots(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /accounts/", "Disallow: /directory/",
             "Disallow: /activities/", "Disallow: /jobs/", f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def _public_photo(photo: Photo, variant: str, name: str) -> FileResponse:
    """The re-encoded image or its thumbnail (the image where an old photo has no thumbnail)."""
    stored = (photo.thumbnail or photo.image) if variant == "thumb" else photo.image
    response = files.file_response(stored or "", content_type="image/jpeg", filename=f"{name}-{variant}.jpg")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def practice_photo(request: HttpRequest, pk: int, photo_pk: int, variant: str = "image") -> FileResponse:
    """A published practice's photo — only when the organisation confirmed publishing consents."""
    practice = get_object_or_404(selectors.published_practices(), pk=pk)
    photo = get_object_or_404(selectors.practice_photos(practice), pk=photo_pk)
    return _public_photo(photo, variant, f"practice-{practice.pk}-{photo.pk}")


def event_photo(request: HttpRequest, pk: int, photo_pk: int, variant: str = "image") -> FileResponse:
    """A public event's photo, on the same terms as a practice's."""
    event = _public_event(pk)
    photo = get_object_or_404(selectors.event_photos(event), pk=photo_pk)
    return _public_photo(photo, variant, f"event-{event.pk}-{photo.pk}")
