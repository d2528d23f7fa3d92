"""Every write to an activity: plan, report, submit, review. Each transition is checked on the
server, recorded as an ActivityEvent the organisation sees, and audited."""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import re
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qualityweek.activities import tally
from qualityweek.campaigns.models import Campaign
from qualityweek.core import audit, events, public_cache
from qualityweek.core.audit import Actor
from qualityweek.core.db import atomic_retrying
from qualityweek.core.permissions import can, require
from qualityweek.core.text import date_range_ru, ru_number
from qualityweek.directory.models import Organisation

from .models import CATEGORY_FIELDS, Activity, ActivityEvent, ActivityType, Category
from .rules import activity_allows

S = Activity.Status
MAX_COUNT = 100_000
MAX_LINKS = 10
PLAN_FIELDS = ("type", "title", "starts_on", "ends_on", "format", "audience", "venue", "expected_participants",
               "is_public")
REPORT_FIELDS = ("description", "links", "consent_on_file", "propose_best_practice", *CATEGORY_FIELDS)
LEARNERS = ("pupils_1_4", "pupils_5_9", "pupils_10_11", "students")


def _transition(actor: Actor, activity: Activity, to: str, comment: str = "", **fields: Any) -> Activity:
    before = audit.snapshot(activity, ["status", "review_comment", "is_late"])
    state = tally.ActivityState.of(activity)
    frm = activity.status
    activity.status = to
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.save(update_fields=["status", "updated_at", *fields])
    _public_changed(activity, step_only=True)
    tally.activity_changed(state, tally.ActivityState.of(activity))
    ActivityEvent.objects.create(activity=activity, actor=actor.user, from_status=frm, to_status=to,
                                 comment=comment)
    audit.record(actor=actor, action=f"activity.{to}", obj=activity, before=before,
                 after=audit.snapshot(activity, ["status", "review_comment", "is_late"]))
    return activity


def _public_changed(activity: Activity, *, step_only: bool = False) -> None:
    """After commit, rebuild the public pages showing the activity. A workflow step on a private
    activity changes only the counters, so the reporting rush does not keep emptying the listing's cache."""
    if not step_only:
        public_cache.bump_on_commit(*public_cache.SECTIONS)
    else:
        public_cache.bump_on_commit(*(("campaign", "events") if activity.is_public else ("campaign",)))


def _locked(activity: Activity) -> Activity:
    """The activity, row-locked alone: its campaign, region, organisation and type are read, not locked
    (locking the one campaign row on every write serialised and deadlocked the whole reporting rush)."""
    return Activity.objects.select_for_update(of=("self",)).select_related("campaign", "region", "organisation",
                                                                "type").get(pk=activity.pk)


# --- validation -------------------------------------------------------------------------------------

def activity_window(campaign: Campaign, organisation: Organisation) -> tuple[dt.date, dt.date]:
    """The dates activities may take: Quality Week, or the region's own window."""
    return campaign.dates_for(organisation.region)


def validate_plan(*, campaign: Campaign, organisation: Organisation, data: dict[str, Any]) -> dict[str, str]:
    """Field -> Russian message for everything wrong with a plan (empty when it is fine)."""
    errors: dict[str, str] = {}
    kind: ActivityType | None = data.get("type")
    if kind is None:
        errors["type"] = "Выберите тип мероприятия."
    elif not kind.is_active:
        errors["type"] = f"Тип «{kind.name}» больше не используется."
    elif not kind.allows(organisation.sector):
        errors["type"] = f"Тип «{kind.name}» не предназначен для сферы «{organisation.get_sector_display()}»."
    if not (data.get("title") or "").strip():
        errors["title"] = "Укажите название мероприятия."
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if starts is None:
        errors["starts_on"] = "Укажите дату начала."
    if ends is None:
        errors["ends_on"] = "Укажите дату окончания."
    if starts and ends:
        first, last = activity_window(campaign, organisation)
        if ends < starts:
            errors["ends_on"] = "Окончание не может быть раньше начала."
        elif starts < first or ends > last:
            errors["starts_on"] = (f"Даты вне сроков кампании: в регионе «{organisation.region.short_name}» "
                                   f"мероприятия проходят {date_range_ru(first, last)}")
    if organisation.status != Organisation.Status.ACTIVE:
        errors["__all__"] = "Организация ещё не подтверждена координатором или закрыта."
    if campaign.phase in {Campaign.Phase.DRAFT, Campaign.Phase.CLOSED}:
        errors["__all__"] = f"Кампания {campaign.year} года {campaign.get_phase_display().lower()}: " \
                            "мероприятия не принимаются."
    return errors


CATEGORY_LABELS = {c.value: c.label for c in Category}


def validate_report(*, activity: Activity, data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    allowed = activity.type.categories
    for field in CATEGORY_FIELDS:
        value = data.get(field) or 0
        if not value:
            continue
        label = CATEGORY_LABELS[field]
        if value < 0:
            errors[field] = "Число участников не может быть отрицательным."
        elif value > MAX_COUNT:
            errors[field] = f"Слишком большое число ({value}): проверьте, нет ли лишних цифр."
        elif value and field not in allowed:
            errors[field] = f"Для типа «{activity.type.name}» категория «{label}» не учитывается."
    size = activity.organisation.size
    learners = sum(data.get(f) or 0 for f in LEARNERS)
    if size and activity.sector == "education" and learners > 2 * size and "pupils_1_4" not in errors:
        errors["pupils_1_4"] = (f"Учащихся указано {ru_number(learners)} — это больше чем вдвое превышает численность "
                                f"организации ({ru_number(size)}). Проверьте числа.")
    links = data.get("links") or []
    if len(links) > MAX_LINKS:
        errors["links"] = f"Не больше {MAX_LINKS} ссылок."
    for link in links:
        if not is_public_url(link):
            errors["links"] = f"Ссылка «{link[:80]}» не похожа на адрес страницы (нужен http:// или https://)."
            break
    return errors


# A host name as URLValidator accepts it (letters of any script, digits, hyphens; a top-level label of
# letters or punycode), checked with one regular expression instead of the validator's several: the
# import checks tens of thousands of links (docs/benchmarks.md).
_LABEL = r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?"
_HOST = re.compile(rf"(?:{_LABEL}\.)+(?:[^\W\d_]{{2,63}}|xn--[a-z0-9-]{{1,59}})\.?", re.IGNORECASE)
_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f<>\"\\^`{|}]")


def _public_host(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host != "localhost" and _HOST.fullmatch(host) is not None
    return not (address.is_loopback or address.is_unspecified)


@functools.lru_cache(maxsize=4096)
def is_public_url(value: str) -> bool:
    """An http(s) address of a page on another host: no loopback, no user:password, no stray characters."""
    if len(value) > 2048 or _FORBIDDEN.search(value):
        return False
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return False
    host = parts.hostname or ""
    return (parts.scheme in ("http", "https") and bool(host) and "@" not in parts.netloc
            and (port is None or port > 0) and _public_host(host))


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def validate_submission(*, kind: ActivityType, ends_on: dt.date, today: dt.date, counts: dict[str, int],
                        description: str, links: list[str]) -> dict[str, str]:
    """What a report needs before it goes to the coordinator (the web form and the import alike)."""
    errors: dict[str, str] = {}
    if ends_on > today:
        errors["ends_on"] = "Мероприятие ещё не прошло: отчёт можно отправить после его окончания."
    if kind.categories and not any(counts.get(f) for f in kind.categories):
        labels = ", ".join(CATEGORY_LABELS[f].lower() for f in kind.categories[:4])
        errors[kind.categories[0]] = (f"Укажите число участников хотя бы в одной категории (для типа "
                                      f"«{kind.name}»: {labels}{'…' if len(kind.categories) > 4 else ''}).")
    if not description.strip() and not links:
        errors["description"] = "Опишите мероприятие или дайте ссылку на публикацию о нём."
    return errors


# --- plan and report ---------------------------------------------------------------------------------

@atomic_retrying
def plan_activity(*, actor: Actor, campaign: Campaign, organisation: Organisation,
                  client_token: uuid.UUID | None = None, source: str = Activity.Source.WEB,
                  **fields: Any) -> Activity:
    """Plan an activity. A repeated request with the same client token returns the first one."""
    require(actor, "plan", Activity(campaign=campaign, organisation=organisation, region_id=organisation.region_id,
                                    sector=organisation.sector))
    if client_token is not None:
        existing = Activity.objects.filter(organisation=organisation, client_token=client_token).first()
        if existing:
            return existing
    data = {k: fields.get(k) for k in PLAN_FIELDS}
    _raise(validate_plan(campaign=campaign, organisation=organisation, data=data))
    activity = Activity(campaign=campaign, organisation=organisation, region_id=organisation.region_id,
                        sector=organisation.sector, client_token=client_token, source=source,
                        created_by=actor.user, **{k: v for k, v in data.items() if v is not None})
    activity.title = activity.title.strip()
    try:
        with transaction.atomic():
            activity.save()
            _public_changed(activity)
    except IntegrityError:  # the same token raced in from a second request
        return Activity.objects.get(organisation=organisation, client_token=client_token)
    ActivityEvent.objects.create(activity=activity, actor=actor.user, to_status=S.PLANNED)
    tally.activity_changed(None, tally.ActivityState.of(activity))
    audit.record(actor=actor, action="activity.plan", obj=activity, after=audit.snapshot(activity))
    return activity


@atomic_retrying
def update_plan(*, actor: Actor, activity: Activity, **fields: Any) -> Activity:
    activity = _locked(activity)
    require(actor, "edit", activity)
    data = {k: fields.get(k, getattr(activity, k)) for k in PLAN_FIELDS}
    _raise(validate_plan(campaign=activity.campaign, organisation=activity.organisation, data=data))
    before = audit.snapshot(activity)
    state = tally.ActivityState.of(activity)
    for name, value in data.items():
        setattr(activity, name, value)
    activity.save()
    _public_changed(activity)
    tally.activity_changed(state, tally.ActivityState.of(activity))
    audit.record(actor=actor, action="activity.update_plan", obj=activity, before=before,
                 after=audit.snapshot(activity))
    return activity


@atomic_retrying
def save_report(*, actor: Actor, activity: Activity, **fields: Any) -> Activity:
    """Store what happened: participants by category, description, links, flags."""
    activity = _locked(activity)
    require(actor, "edit", activity)
    data = {k: fields.get(k, getattr(activity, k)) for k in REPORT_FIELDS}
    data["links"] = [link.strip() for link in data["links"] or [] if link and link.strip()]
    _raise(validate_report(activity=activity, data=data))
    before = audit.snapshot(activity)
    state = tally.ActivityState.of(activity)
    for name, value in data.items():
        setattr(activity, name, value if value is not None else 0)
    activity.save()
    _public_changed(activity)
    tally.activity_changed(state, tally.ActivityState.of(activity))
    audit.record(actor=actor, action="activity.report", obj=activity, before=before,
                 after=audit.snapshot(activity))
    return activity


# --- transitions -------------------------------------------------------------------------------------

def is_late(activity: Activity, at: dt.datetime) -> bool:
    return at > activity.campaign.deadline_at(activity.region)


@atomic_retrying
def submit(*, actor: Actor, activity: Activity, now: dt.datetime | None = None) -> Activity:
    """Send the report for review. Submitting again (a double click, a retried request) changes
    nothing. After the deadline it is accepted and flagged late, unless the operator closed
    submissions for the campaign."""
    activity = _locked(activity)
    require(actor, "report", activity)
    if activity.status == S.SUBMITTED:
        return activity
    if not activity_allows(activity, "submit"):
        raise ValidationError(f"Отчёт нельзя отправить: статус «{activity.get_status_display()}».")
    now = now or timezone.now()
    campaign = activity.campaign
    if campaign.submissions_closed:
        raise ValidationError(f"Приём отчётов кампании {campaign.year} года закрыт оператором.")
    _raise(validate_submission(kind=activity.type, ends_on=activity.ends_on,
                               today=now.astimezone(activity.region.zone).date(), counts=activity.counts(),
                               description=activity.description, links=activity.links))
    late = is_late(activity, now)
    return _transition(actor, activity, S.SUBMITTED, submitted_at=now, is_late=late,
                       comment="Отправлено с опозданием" if late else "")


@atomic_retrying
def save_and_submit(*, actor: Actor, activity: Activity, now: dt.datetime | None = None, **fields: Any) -> Activity:
    """Save the report and send it for review in one transaction: both happen or neither. Sent again
    (a double click, a retried request) it changes nothing and returns the report as submitted."""
    locked = _locked(activity)
    if locked.status == S.SUBMITTED:
        require(actor, "report", locked)
        return locked
    return submit(actor=actor, activity=save_report(actor=actor, activity=locked, **fields), now=now)


@atomic_retrying
def approve(*, actor: Actor, activity: Activity) -> Activity:
    activity = _locked(activity)
    require(actor, "review", activity)
    if not activity_allows(activity, "approve"):
        raise ValidationError(f"Принять можно только отчёт на проверке, а этот — «{activity.get_status_display()}».")
    activity = _transition(actor, activity, S.APPROVED, reviewed_at=timezone.now(), review_comment="")
    events.emit("activity.approved", activity=activity)
    return activity


@atomic_retrying
def return_for_changes(*, actor: Actor, activity: Activity, comment: str) -> Activity:
    activity = _locked(activity)
    require(actor, "review", activity)
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": "Напишите, что нужно исправить: организация увидит комментарий."})
    if not activity_allows(activity, "return"):
        raise ValidationError(f"Вернуть можно только отчёт на проверке, а этот — «{activity.get_status_display()}».")
    activity = _transition(actor, activity, S.RETURNED, comment=comment, reviewed_at=timezone.now(),
                           review_comment=comment)
    events.emit("activity.returned", activity=activity, comment=comment)
    return activity


@atomic_retrying
def reopen(*, actor: Actor, activity: Activity, reason: str) -> Activity:
    """Approved reports are locked; the coordinator may put one back under review, with a reason."""
    activity = _locked(activity)
    require(actor, "review", activity)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"comment": "Укажите причину: она попадёт в историю отчёта."})
    if not activity_allows(activity, "reopen"):
        raise ValidationError("Снова открыть можно только принятый отчёт.")
    return _transition(actor, activity, S.SUBMITTED, comment=reason, reviewed_at=None)


@atomic_retrying
def cancel(*, actor: Actor, activity: Activity, reason: str = "") -> Activity:
    activity = _locked(activity)
    require(actor, "report", activity)
    if not activity_allows(activity, "cancel"):
        raise ValidationError("Отменить можно только запланированное или возвращённое мероприятие.")
    return _transition(actor, activity, S.CANCELLED, comment=reason.strip())


def bulk_approve(*, actor: Actor, ids: Iterable[int]) -> int:
    """Approve every listed report the coordinator may review that is still on review."""
    approved = 0
    candidates = Activity.objects.visible_to(actor.user).filter(pk__in=list(ids), status=S.SUBMITTED)
    for activity in candidates.select_related("region"):
        if can(actor, "approve", activity):
            approve(actor=actor, activity=activity)
            approved += 1
    return approved


@atomic_retrying
def set_hidden(*, actor: Actor, activity: Activity, hidden: bool) -> Activity:
    """A coordinator can take an activity off the public listing."""
    activity = _locked(activity)
    require(actor, "hide", activity)
    before = audit.snapshot(activity, ["is_hidden"])
    activity.is_hidden = hidden
    activity.save(update_fields=["is_hidden", "updated_at"])
    _public_changed(activity)
    audit.record(actor=actor, action="activity.hide" if hidden else "activity.unhide", obj=activity,
                 before=before, after=audit.snapshot(activity, ["is_hidden"]))
    return activity
