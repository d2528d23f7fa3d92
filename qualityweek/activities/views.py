"""Thin views for the activity loop: plan, report, submit, review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qualityweek.campaigns.selectors import current_campaign
from qualityweek.core.audit import Actor
from qualityweek.core.forms import apply_errors
from qualityweek.core.http import safe_next
from qualityweek.core.pagination import paginate_ids
from qualityweek.core.permissions import actions_for, can
from qualityweek.directory.models import Organisation
from qualityweek.directory.selectors import single_organisation_of

from . import selectors, services
from .forms import CommentForm, PlanForm, ReportForm
from .models import Activity, ActivityType, Category
from .rules import ACTIVITY_ACTIONS

PAGE_SIZE = 50


def _list_context(request: HttpRequest, flt: selectors.ActivityFilter, qs=None, extra: dict | None = None) -> dict:
    if qs is None:
        qs = selectors.activities_for(request.user, flt).order_by("-submitted_at", "-id")
    page = paginate_ids(qs, request.GET.get("page"), PAGE_SIZE)
    params = flt.as_params() | (extra or {})
    return {
        "page": page,
        "filter": flt,
        "query": "&".join(f"{k}={v}" for k, v in params.items()),
        "statuses": Activity.Status.choices,
        "types": ActivityType.objects.filter(is_active=True),
        "kinds": Organisation.Kind.choices,
        "campaign": flt.campaign(),
        # One organisation's person: no coordinator filters, no organisation column.
        "single_org": single_organisation_of(request.user) is not None,
    }


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    flt = selectors.ActivityFilter.from_params(request.GET)
    context = _list_context(request, flt)
    context["may_plan"] = can(request.user, "plan", Activity)
    context["may_import"] = can(request.user, "import", Activity)
    return render(request, "activities/activity_list.html", context)


@login_required
def activity_review(request: HttpRequest) -> HttpResponse:
    """The coordinator's queue: reports waiting for review, with bulk approval."""
    if not can(request.user, "review", Activity):
        raise PermissionDenied
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        approved = services.bulk_approve(actor=Actor.from_request(request), ids=ids)
        messages.success(request, f"Принято отчётов: {approved}.")
        return redirect(request.get_full_path())
    flt = selectors.ActivityFilter.from_params(request.GET, default_status=Activity.Status.SUBMITTED)
    sort = request.GET.get("sort", "")
    sort = sort if sort in selectors.REVIEW_SORTS else "oldest"
    context = _list_context(request, flt, selectors.review_rows(request.user, flt, sort),
                            {"sort": sort} if sort != "oldest" else {})
    now = timezone.now()
    for a in context["page"].object_list:
        a.waiting = selectors.waiting_ru(a.submitted_at, now)
    context |= {"sort": sort, "sorts": [(k, v[0]) for k, v in selectors.REVIEW_SORTS.items()]}
    # Bulk approval is offered when the listed reports are in a status that may be approved.
    context["may_bulk_approve"] = "approve" in ACTIVITY_ACTIONS.get(flt.status, frozenset())
    return render(request, "activities/activity_review.html", context)


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "plan", Activity):
        raise PermissionDenied
    campaign = current_campaign()
    organisations = selectors.organisations_planning_for(request.user)
    if campaign is None or not organisations:
        messages.error(request, "Сейчас нельзя запланировать мероприятие: нет объявленной кампании "
                                "или ваша организация ещё не подтверждена координатором.")
        return redirect("activity_list")
    chosen = _chosen_organisation(request, organisations)
    form = PlanForm(request.POST or None, organisations=organisations,
                    types=ActivityType.objects.filter(pk__in=[t.pk for t in selectors.activity_types_for(chosen)]),
                    initial={"organisation": chosen.pk, "starts_on": campaign.quality_day,
                             "ends_on": campaign.quality_day})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        try:
            activity = services.plan_activity(actor=Actor.from_request(request), campaign=campaign,
                                              organisation=organisation, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Мероприятие «{activity.title}» запланировано.")
            return redirect("activity_detail", pk=activity.pk)
    return render(request, "activities/activity_form.html", {"form": form, "campaign": campaign, "activity": None})


def _chosen_organisation(request: HttpRequest, organisations) -> Organisation:
    wanted = request.POST.get("organisation") or request.GET.get("organisation")
    return next((o for o in organisations if str(o.pk) == wanted), organisations[0])


def _visible(request: HttpRequest, pk: int) -> Activity:
    return get_object_or_404(selectors.activities_for(request.user), pk=pk)


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _visible(request, pk)
    actions = actions_for(request.user, activity)
    return render(request, "activities/activity_detail.html", {
        "activity": activity,
        "history": selectors.history_of(activity),
        "photos": selectors.photos_of(activity),
        "actions": actions,
        "may_edit": "edit" in actions,
        "may_hide": "hide" in actions and activity.is_public,
        "comment_form": CommentForm(),
        "counts": [(label, getattr(activity, field)) for field, label in _categories(activity)],
        "deadline": activity.campaign.deadline_at(activity.region),
    })


def _categories(activity: Activity) -> list[tuple[str, str]]:
    return [(c.value, c.label) for c in Category if c.value in activity.type.categories]


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _visible(request, pk)
    if not can(request.user, "edit", activity):
        raise PermissionDenied
    organisations = Organisation.objects.filter(pk=activity.organisation_id)
    initial = {name: getattr(activity, name) for name in services.PLAN_FIELDS} | {
        "organisation": activity.organisation_id}
    form = PlanForm(request.POST or None, initial=initial, organisations=organisations,
                    types=ActivityType.objects.filter(
                        pk__in=[t.pk for t in selectors.activity_types_for(activity.organisation)]))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.PLAN_FIELDS}
        try:
            services.update_plan(actor=Actor.from_request(request), activity=activity, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "План сохранён.")
            return redirect("activity_detail", pk=activity.pk)
    return render(request, "activities/activity_form.html",
                  {"form": form, "campaign": activity.campaign, "activity": activity})


@login_required
def activity_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill in the report; "Отправить на проверку" saves and submits in one step."""
    activity = _visible(request, pk)
    submitting = request.method == "POST" and "submit" in request.POST
    if not can(request.user, "edit", activity):
        if submitting and can(request.user, "report", activity):  # a second click: the service decides
            return _transition(request, pk, services.submit, "Отчёт отправлен координатору.")
        raise PermissionDenied
    initial = {f: getattr(activity, f) for f in services.REPORT_FIELDS} | {"links": "\n".join(activity.links)}
    form = ReportForm(request.POST or None, activity=activity, initial=initial)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        try:
            write = services.save_and_submit if submitting else services.save_report
            activity = write(actor=actor, activity=activity, **form.report_fields())
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error(None, "Отправить отчёт может представитель организации.")
        else:
            done = "Отчёт отправлен координатору." if submitting else "Отчёт сохранён."
            messages.success(request, done)
            return redirect("activity_detail", pk=activity.pk)
    return render(request, "activities/activity_report.html", {"form": form, "activity": activity})


def _transition(request: HttpRequest, pk: int, action, done: str, *, with_comment: bool = False) -> HttpResponse:
    activity = _visible(request, pk)
    kwargs = {}
    if with_comment:
        kwargs["comment" if action is services.return_for_changes else "reason"] = request.POST.get("comment", "")
    try:
        action(actor=Actor.from_request(request), activity=activity, **kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(safe_next(request, reverse("activity_detail", args=[activity.pk])))


@login_required
@require_POST
def activity_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.submit, "Отчёт отправлен координатору.")


@login_required
@require_POST
def activity_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.approve, "Отчёт принят.")


@login_required
@require_POST
def activity_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.return_for_changes, "Отчёт возвращён на доработку.",
                       with_comment=True)


@login_required
@require_POST
def activity_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.reopen, "Отчёт снова на проверке.", with_comment=True)


@login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.cancel, "Мероприятие отменено.", with_comment=True)


@login_required
@require_POST
def activity_hide(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _visible(request, pk)
    hidden = request.POST.get("hidden") == "1"
    services.set_hidden(actor=Actor.from_request(request), activity=activity, hidden=hidden)
    messages.success(request, "Мероприятие скрыто из афиши." if hidden else "Мероприятие снова в афише.")
    return redirect("activity_detail", pk=activity.pk)
