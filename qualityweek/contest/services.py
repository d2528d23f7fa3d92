"""Every write to the contest: one function per use case, atomic, checked with ``require``, audited."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from qualityweek.campaigns.models import Campaign
from qualityweek.core import audit, public_cache
from qualityweek.core.audit import Actor
from qualityweek.core.jobs import start_job
from qualityweek.core.mail import send_later
from qualityweek.core.models import Job
from qualityweek.core.permissions import require
from qualityweek.core.text import datetime_ru, ru_number, strip_control
from qualityweek.directory import services as directory_services
from qualityweek.directory.access import principal
from qualityweek.directory.models import Invitation, Organisation, Region, Role, RoleAssignment, User

from . import scoring, selectors
from .files import check_upload
from .models import (
    ApplicantConflict,
    Application,
    Attachment,
    Contest,
    Criterion,
    FormField,
    JurorConflict,
    Nomination,
    Reminder,
    Round,
    RoundResult,
    Score,
)
from .rules import PHASE_MOVES, REVIEW_PHASE, ROUND_OF, allows

S = Application.Status
P = Contest.Phase
K = FormField.Kind
LINK = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$", re.IGNORECASE)

CONTEST_FIELDS = ["phase", "applications_open", "applications_close", "regional_review_until",
                  "regional_results_on", "national_review_until", "results_on", "blind_review", "min_reviews",
                  "advance_top", "jurors_see_scores", "release_comments", "forum_link", "early_review"]


def _locked(model: Any, obj: Any) -> Any:
    return model.objects.select_for_update(of=("self",)).get(pk=obj.pk)


# --- Contest and configuration ------------------------------------------------------------------------

@transaction.atomic
def create_contest(*, actor: Actor, campaign: Campaign, applications_open: dt.date, applications_close: dt.date,
                   regional_review_until: dt.date, regional_results_on: dt.date, national_review_until: dt.date,
                   results_on: dt.date, title: str = "Лидер качества", description: str = "",
                   min_reviews: int = 2, advance_top: int = 3) -> Contest:
    require(actor, "manage", Contest)
    if Contest.objects.filter(campaign=campaign).exists():
        raise ValidationError({"campaign": f"Конкурс {campaign.year} года уже создан."})
    contest = Contest(campaign=campaign, title=title, description=description,
                      applications_open=applications_open, applications_close=applications_close,
                      regional_review_until=regional_review_until, regional_results_on=regional_results_on,
                      national_review_until=national_review_until, results_on=results_on,
                      min_reviews=min_reviews, advance_top=advance_top)
    contest.full_clean()
    contest.save()
    audit.record(actor=actor, action="contest.create", obj=contest, after=audit.snapshot(contest, CONTEST_FIELDS))
    return contest


@transaction.atomic
def add_nomination(*, actor: Actor, contest: Contest, title: str, description: str = "",
                   sectors: Sequence[str] = (), kinds: Sequence[str] = (), for_person: bool = False,
                   fields: Sequence[Mapping[str, Any]] = (), criteria: Sequence[Mapping[str, Any]] = ()) -> Nomination:
    """A nomination with its application form and criteria (each a dict of the model's fields)."""
    require(actor, "manage", contest)
    if contest.phase not in (P.DRAFT, P.OPEN):
        raise ValidationError("Номинации добавляют, пока идёт подготовка конкурса или приём заявок.")
    if contest.nominations.filter(title=title.strip()).exists():
        raise ValidationError({"title": "Такая номинация уже есть."})
    order = contest.nominations.count()
    nomination = Nomination(contest=contest, title=title.strip(), description=description, sectors=list(sectors),
                            kinds=list(kinds), for_person=for_person, order=order)
    nomination.full_clean()
    nomination.save()
    for i, spec in enumerate(fields):
        field = FormField(nomination=nomination, order=i, **spec)
        field.full_clean()
        field.save()
    for i, spec in enumerate(criteria):
        criterion = Criterion(nomination=nomination, order=i, **spec)
        criterion.full_clean()
        criterion.save()
    audit.record(actor=actor, action="contest.nomination.create", obj=nomination,
                 after={"title": title, "fields": len(fields), "criteria": len(criteria)})
    return nomination


@transaction.atomic
def update_settings(*, actor: Actor, contest: Contest, blind_review: bool, jurors_see_scores: bool,
                    release_comments: bool, min_reviews: int, advance_top: int, forum_link: str = "",
                    early_review: bool = False) -> Contest:
    require(actor, "manage", contest)
    contest = _locked(Contest, contest)
    before = audit.snapshot(contest, CONTEST_FIELDS)
    if not 1 <= min_reviews <= 20:
        raise ValidationError({"min_reviews": "Укажите от 1 до 20 оценок."})
    if not 1 <= advance_top <= 50:
        raise ValidationError({"advance_top": "Укажите от 1 до 50 заявок."})
    contest.blind_review, contest.jurors_see_scores = blind_review, jurors_see_scores
    contest.release_comments, contest.min_reviews, contest.advance_top = release_comments, min_reviews, advance_top
    contest.forum_link, contest.early_review = forum_link.strip(), early_review
    contest.full_clean()
    contest.save(update_fields=["blind_review", "jurors_see_scores", "release_comments", "min_reviews",
                                "advance_top", "forum_link", "early_review"])
    audit.record(actor=actor, action="contest.settings", obj=contest, before=before,
                 after=audit.snapshot(contest, CONTEST_FIELDS))
    return contest


def latest_close(contest: Contest) -> dt.datetime:
    """When the last region's applications close (the westernmost zone closes last)."""
    return max(contest.closes_at(region) for region in Region.objects.all())


def _check_move(contest: Contest, to: str, now: dt.datetime, close_early: bool) -> None:
    if to not in P.values:
        raise ValidationError("Такого этапа конкурса нет.")
    if to not in PHASE_MOVES.get(contest.phase, ()):
        raise ValidationError(f"Из этапа «{contest.get_phase_display()}» нельзя перейти в «{P(to).label}».")
    if to == P.REGIONAL_REVIEW and now <= latest_close(contest) and not close_early:
        raise ValidationError("Приём заявок ещё идёт хотя бы в одном регионе: экспертизу можно начать, когда "
                              "срок закончится везде, или закрыть приём досрочно с указанием причины.")
    if to == P.NATIONAL_REVIEW:
        missing = _unconfirmed(contest, Round.REGIONAL)
        if missing:
            raise ValidationError(f"Не утверждены итоги регионального тура: {', '.join(missing[:5])}.")
    if to == P.RESULTS:
        missing = _unconfirmed(contest, Round.NATIONAL)
        if missing:
            raise ValidationError(f"Не утверждены итоги национального тура: {', '.join(missing[:5])}.")


def _unconfirmed(contest: Contest, round_: str) -> list[str]:
    pools = Application.objects.filter(contest=contest, status__in=selectors.STAGE[round_]).values_list(
        "nomination_id", "nomination__title", "region_id", "region__short_name").distinct()
    done = set(RoundResult.objects.filter(contest=contest, round=round_).values_list("nomination_id", "region_id"))
    missing = []
    for nomination_id, title, region_id, region_name in sorted(pools, key=lambda x: (x[1], x[3])):
        key = (nomination_id, region_id if round_ == Round.REGIONAL else None)
        label = f"{title} ({region_name})" if round_ == Round.REGIONAL else title
        if key not in done and label not in missing:
            missing.append(label)
    return missing


def _close_now(contest: Contest, now: dt.datetime) -> None:
    """Close applications early: the closing day becomes the last one already over in every region."""
    day = now.date()
    contest.applications_close = min(contest.applications_close, day)
    while latest_close(contest) >= now:
        day -= dt.timedelta(days=1)
        contest.applications_close = day
    contest.applications_open = min(contest.applications_open, contest.applications_close)


@transaction.atomic
def move_phase(*, actor: Actor, contest: Contest, to: str, now: dt.datetime | None = None,
               close_early: bool = False, reason: str = "") -> Contest:
    """Move the contest to its next phase; applications follow (submitted → regional review,
    advanced → national round). ``close_early`` starts the regional review before applications
    close everywhere: the operator's decision, with a reason, moves the closing day back."""
    require(actor, "manage", contest)
    contest = _locked(Contest, contest)
    before = audit.snapshot(contest, ["phase", "applications_open", "applications_close"])
    now = now or timezone.now()
    reason = strip_control(reason).strip()
    early = to == P.REGIONAL_REVIEW and close_early and now <= latest_close(contest)
    if early and not reason:
        raise ValidationError({"reason": "Чтобы закрыть приём заявок досрочно, укажите причину."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Не длиннее 500 знаков."})
    _check_move(contest, to, now, close_early)
    if early:
        _close_now(contest, now)
        contest.save(update_fields=["applications_open", "applications_close"])
    if to == P.REGIONAL_REVIEW:
        Application.objects.filter(contest=contest, status=S.SUBMITTED).update(status=S.REGIONAL_REVIEW)
    elif to == P.NATIONAL_REVIEW:
        Application.objects.filter(contest=contest, status=S.ADVANCED).update(status=S.NATIONAL)
    contest.phase = to
    contest.save(update_fields=["phase"])
    after = audit.snapshot(contest, ["phase", "applications_open", "applications_close"])
    audit.record(actor=actor, action="contest.phase", obj=contest, before=before,
                 after={**after, "reason": reason} if early else after)
    if to == P.RESULTS:  # the campaign's archive page links the winners
        public_cache.bump_on_commit("campaign")
    return contest


# --- Applications ----------------------------------------------------------------------------------

def _clean_text(field: FormField, value: Any) -> str:
    text = strip_control(str(value or "")).strip()
    if len(text) < field.min_length:
        raise ValidationError(f"Не короче {field.min_length} знаков (сейчас {len(text)}).")
    if len(text) > field.max_length:
        raise ValidationError(f"Не длиннее {field.max_length} знаков (сейчас {len(text)}).")
    return text


def _clean_number(field: FormField, value: Any) -> int:
    raw = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if not re.fullmatch(r"-?\d{1,12}", raw):
        raise ValidationError("Введите целое число.")
    number = int(raw)
    if field.min_value is not None and number < field.min_value:
        raise ValidationError(f"Не меньше {field.min_value}.")
    if field.max_value is not None and number > field.max_value:
        raise ValidationError(f"Не больше {field.max_value}.")
    return number


def _clean_answer(field: FormField, value: Any) -> Any:
    if field.kind == K.TEXT:
        return _clean_text(field, value)
    if field.kind == K.NUMBER:
        return _clean_number(field, value)
    if field.kind == K.CHOICE:
        if value not in field.choices:
            raise ValidationError("Выберите вариант из списка.")
        return value
    link = str(value).strip()
    if len(link) > 500 or not LINK.match(link):
        raise ValidationError("Введите ссылку, начинающуюся с http:// или https://.")
    return link


def _form_key(field: FormField) -> str:
    return f"f_{field.key}"


def clean_answers(nomination: Nomination, data: Mapping[str, Any], files: Mapping[str, Any],
                  *, existing: Mapping[str, Any], attached: set[str], complete: bool) -> dict[str, Any]:
    """Validated answers by field key; errors by form field name («f_<key>»). ``complete`` demands
    every required answer (submitting); a draft may leave them empty."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in nomination.fields.all():
        name = _form_key(field)
        if field.kind == K.FILE:
            upload = files.get(name)
            if upload is not None:
                try:
                    check_upload(upload, max_mb=field.max_size_mb)
                except ValidationError as exc:
                    errors[name] = exc.messages[0]
            elif complete and field.required and field.key not in attached:
                errors[name] = "Приложите файл."
            continue
        value = data.get(name, existing.get(field.key, ""))
        if value in ("", None):
            if complete and field.required:
                errors[name] = "Заполните это поле."
            continue
        try:
            answers[field.key] = _clean_answer(field, value)
        except ValidationError as exc:
            errors[name] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    return answers


def _check_open(contest: Contest, region: Region, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    if contest.phase != P.OPEN:
        raise ValidationError("Приём заявок закрыт.")
    if now > contest.closes_at(region):
        raise ValidationError(f"Приём заявок в вашем регионе закончился "
                              f"{datetime_ru(contest.closes_at(region), region.zone)} "
                              "по местному времени.")
    if now.astimezone(region.zone).date() < contest.applications_open:
        raise ValidationError("Приём заявок ещё не начался.")


def _check_nominee(nomination: Nomination, nominee_name: str, nominee_position: str, consent: bool) -> None:
    if nomination.for_person:
        errors = {}
        if not nominee_name:
            errors["nominee_name"] = "Укажите ФИО номинируемого сотрудника."
        if not consent:
            errors["nominee_consent"] = "Подтвердите, что сотрудник согласен на участие и обработку данных."
        if errors:
            raise ValidationError(errors)
    elif nominee_name or nominee_position:
        raise ValidationError({"nominee_name": "В этой номинации участвует организация, а не сотрудник."})


def _store_files(application: Application, nomination: Nomination, files: Mapping[str, Any]) -> None:
    for field in nomination.fields.filter(kind=K.FILE):
        upload = files.get(_form_key(field))
        if upload is None:
            continue
        content_type, ext = check_upload(upload, max_mb=field.max_size_mb)
        Attachment.objects.filter(application=application, key=field.key).delete()
        name = strip_control(str(getattr(upload, "name", "") or f"file.{ext}"))[-150:]
        Attachment.objects.create(application=application, key=field.key, name=name, content_type=content_type,
                                  size=upload.size,
                                  file=ContentFile(upload.read(), name=f"{secrets.token_hex(16)}.{ext}"))


@transaction.atomic
def save_application(*, actor: Actor, nomination: Nomination, organisation: Organisation, title: str,
                     data: Mapping[str, Any], files: Mapping[str, Any] | None = None,
                     nominee_name: str = "", nominee_position: str = "", nominee_consent: bool = False,
                     application: Application | None = None, now: dt.datetime | None = None) -> Application:
    """Create or change a draft (or a submitted application before the deadline)."""
    files = files or {}
    contest = nomination.contest
    if application is None:
        require(actor, "apply", nomination)
        require(actor, "apply", Application(organisation=organisation, contest=contest),
                "Подать заявку может только представитель организации.")
        if not nomination.admits(organisation):
            raise ValidationError({"nomination": "Ваша организация не может участвовать в этой номинации."})
        if organisation.status != Organisation.Status.ACTIVE:
            raise ValidationError("Заявку подаёт действующая организация.")
        application = Application(contest=contest, nomination=nomination, organisation=organisation,
                                  region=organisation.region, sector=organisation.sector, created_by=actor.user)
        before: dict[str, Any] = {}
    else:
        application = _locked(Application, application)
        require(actor, "edit", application)
        before = audit.snapshot(application, ["title", "answers", "nominee_name", "status"])
    _check_open(contest, application.region, now)
    title = strip_control(title or "").strip()
    nominee_name = strip_control(nominee_name).strip()
    nominee_position = strip_control(nominee_position).strip()
    if not title or len(title) > 300:
        raise ValidationError({"title": "Укажите название заявки (до 300 знаков)."})
    _check_nominee(nomination, nominee_name, nominee_position, nominee_consent)
    attached = set(application.attachments.values_list("key", flat=True)) if application.pk else set()
    complete = application.status == S.SUBMITTED
    answers = clean_answers(nomination, data, files, existing=application.answers, attached=attached,
                            complete=complete)
    duplicate = Application.objects.filter(nomination=nomination, organisation=application.organisation,
                                           nominee_name=nominee_name).exclude(status=S.WITHDRAWN)
    if duplicate.exclude(pk=application.pk).exists():
        raise ValidationError({"title": "Эта организация уже подала заявку в номинации"
                               + (" с этим номинантом." if nominee_name else ".")})
    application.title, application.answers = title, answers
    application.nominee_name, application.nominee_position = nominee_name, nominee_position
    if nominee_name and application.nominee_consent_at is None:
        application.nominee_consent_at = timezone.now()
    if not nominee_name:
        application.nominee_consent_at = None
    application.save()
    _store_files(application, nomination, files)
    audit.record(actor=actor, action="contest.application.save", obj=application, before=before or None,
                 after=audit.snapshot(application, ["title", "answers", "nominee_name", "status"]) if before else
                 audit.snapshot(application, ["title", "nomination_id", "organisation_id", "nominee_name",
                                              "nominee_consent_at"]))
    return application


@transaction.atomic
def submit_application(*, actor: Actor, application: Application, now: dt.datetime | None = None) -> Application:
    require(actor, "apply", application)
    application = _locked(Application, application)
    if application.status == S.SUBMITTED:
        return application  # submitting twice changes nothing
    if not allows(application, "submit"):
        raise ValidationError(f"Заявку в статусе «{application.get_status_display()}» отправить нельзя.")
    _check_open(application.contest, application.region, now)
    attached = set(application.attachments.values_list("key", flat=True))
    clean_answers(application.nomination, {}, {}, existing=application.answers, attached=attached, complete=True)
    application.status, application.submitted_at = S.SUBMITTED, timezone.now()
    application.save(update_fields=["status", "submitted_at", "updated_at"])
    audit.record(actor=actor, action="contest.application.submit", obj=application, before={"status": S.DRAFT},
                 after={"status": S.SUBMITTED})
    return application


@transaction.atomic
def withdraw_application(*, actor: Actor, application: Application) -> Application:
    require(actor, "apply", application)
    application = _locked(Application, application)
    if not allows(application, "withdraw"):
        raise ValidationError(f"Заявку в статусе «{application.get_status_display()}» отозвать нельзя.")
    before = application.status
    application.status, application.withdrawn_at = S.WITHDRAWN, timezone.now()
    application.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit.record(actor=actor, action="contest.application.withdraw", obj=application, before={"status": before},
                 after={"status": S.WITHDRAWN})
    return application


# --- Conflicts of interest ---------------------------------------------------------------------------

@transaction.atomic
def name_conflict(*, actor: Actor, application: Application, named: str, reason: str) -> ApplicantConflict:
    """The applicant names a juror they consider conflicted; the operator decides."""
    require(actor, "name_conflict", application)
    named, reason = strip_control(named).strip(), strip_control(reason).strip()
    errors = {}
    if not named or len(named) > 200:
        errors["named"] = "Укажите члена жюри (ФИО или e-mail, до 200 знаков)."
    if not reason or len(reason) > 500:
        errors["reason"] = "Опишите причину (до 500 знаков)."
    if errors:
        raise ValidationError(errors)
    conflict = ApplicantConflict.objects.create(application=application, named=named, reason=reason)
    audit.record(actor=actor, action="contest.conflict.name", obj=conflict, after={"named": named, "reason": reason})
    return conflict


def _drop_scores(actor: Actor, contest: Contest, juror: Any) -> None:
    """Remove the scores a now-recused juror gave (they never appear on a conflicted application)."""
    visible = Application.objects.filter(selectors.juror_filter(juror, None, contest.pk)).values("pk")
    gone = Score.objects.filter(juror=juror, application__contest=contest).exclude(application_id__in=visible)
    for score in gone:
        audit.record(actor=actor, action="contest.score.recused", obj=score.application,
                     before={"juror": juror.pk, "total": score.total})
    gone.delete()


@transaction.atomic
def decide_conflict(*, actor: Actor, conflict: ApplicantConflict, juror: Any | None,
                    confirm: bool) -> ApplicantConflict:
    contest = conflict.application.contest
    require(actor, "manage", contest)
    conflict = _locked(ApplicantConflict, conflict)
    if conflict.status != ApplicantConflict.Status.PENDING:
        raise ValidationError("Решение по этому конфликту уже принято.")
    if confirm and juror is None:
        raise ValidationError({"juror": "Выберите члена жюри, к которому относится конфликт."})
    if confirm and not principal(juror).judges(contest.pk):
        raise ValidationError({"juror": "Этот человек не входит в жюри конкурса."})
    conflict.status = ApplicantConflict.Status.CONFIRMED if confirm else ApplicantConflict.Status.REJECTED
    conflict.juror = juror if confirm else None
    conflict.decided_by, conflict.decided_at = actor.user, timezone.now()
    conflict.save()
    if confirm:
        _drop_scores(actor, contest, juror)
    audit.record(actor=actor, action="contest.conflict.decide", obj=conflict,
                 after={"status": conflict.status, "juror": juror.pk if confirm and juror else None})
    return conflict


@transaction.atomic
def declare_conflict(*, actor: Actor, contest: Contest, juror: Any, organisation: Organisation, reason: str,
                     kind: str = JurorConflict.Kind.DECLARED) -> JurorConflict:
    """A juror declares a conflict with an organisation (or the operator records a juror's employer):
    from then on the juror is recused from all its applications."""
    if actor.user is None or actor.user.pk != juror.pk:
        require(actor, "manage", contest, "Конфликт интересов заявляет сам член жюри или оператор.")
    if not principal(juror).judges(contest.pk):
        raise ValidationError("Этот человек не входит в жюри конкурса.")
    reason = strip_control(reason).strip()
    if len(reason) > 500:
        raise ValidationError({"reason": "Не длиннее 500 знаков."})
    conflict, created = JurorConflict.objects.get_or_create(
        contest=contest, juror=juror, organisation=organisation, defaults={"reason": reason, "kind": kind})
    if created:
        _drop_scores(actor, contest, juror)
        audit.record(actor=actor, action="contest.conflict.declare", obj=conflict,
                     after={"organisation": organisation.pk, "kind": kind, "reason": reason})
    return conflict


# --- Scores ---------------------------------------------------------------------------------------------

def _criterion_values(criteria: list[Criterion], values: Mapping[str, Any]) -> tuple[dict[int, int], dict[str, str]]:
    clean: dict[int, int] = {}
    errors: dict[str, str] = {}
    for c in criteria:
        name = f"c_{c.pk}"
        raw = str(values.get(name, "")).strip()
        if not re.fullmatch(r"-?\d{1,3}", raw):
            errors[name] = f"Поставьте оценку от {c.scale_min} до {c.scale_max}."
            continue
        v = int(raw)
        if not c.scale_min <= v <= c.scale_max:
            errors[name] = f"Оценка должна быть от {c.scale_min} до {c.scale_max}."
            continue
        clean[c.pk] = v
    return clean, errors


def _locked_score(application: Application, juror: Any, round_: str) -> Score | None:
    return Score.objects.select_for_update(of=("self",)).filter(
        application=application, juror=juror, round=round_).first()


def extreme(criterion: Criterion, value: int) -> bool:
    """Very low or very high: the ends of the scale, which need a comment."""
    return value in (criterion.scale_min, criterion.scale_max)


@transaction.atomic
def save_score(*, actor: Actor, application: Application, values: Mapping[str, Any], comment: str = "") -> Score:
    """A juror scores an application in its current round (again: the score is replaced)."""
    require(actor, "score", application, "Оценивать эту заявку сейчас нельзя.")
    round_ = ROUND_OF[application.status]
    criteria = list(application.nomination.criteria.all())
    clean, errors = _criterion_values(criteria, values)
    comment = strip_control(comment or "").strip()
    if len(comment) > 3000:
        errors["comment"] = "Комментарий не длиннее 3000 знаков."
    elif not comment and any(extreme(c, clean[c.pk]) for c in criteria if c.pk in clean):
        errors["comment"] = "Для самой низкой или самой высокой оценки нужен комментарий."
    if errors:
        raise ValidationError(errors)
    scales = {c.pk: scoring.Scale(weight=c.weight, low=c.scale_min, high=c.scale_max) for c in criteria}
    total = round(scoring.weighted_total(clean, scales), 4)
    values_ = {str(k): v for k, v in clean.items()}
    score = _locked_score(application, actor.user, round_)
    before = audit.snapshot(score, ["values", "total", "comment"]) if score else None
    if score is None:
        try:
            with transaction.atomic():  # a savepoint: a double submit meets the unique constraint
                score = Score.objects.create(application=application, juror=actor.user, round=round_,
                                             values=values_, total=total, comment=comment)
        except IntegrityError:
            score = _locked_score(application, actor.user, round_)
    if score is None:  # pragma: no cover - the row the constraint found is gone again
        raise ValidationError("Не удалось сохранить оценку: попробуйте ещё раз.")
    score.values, score.total, score.comment = values_, total, comment
    score.save()
    audit.record(actor=actor, action="contest.score", obj=score, before=before,
                 after=audit.snapshot(score, ["values", "total", "comment"]))
    return score


# --- Results ----------------------------------------------------------------------------------------

def _check_reviews(ranked: list[selectors.Ranked], minimum: int) -> None:
    short = [r.application.title for r in ranked if r.row.count < minimum]
    if short:
        raise ValidationError(f"Не у всех заявок есть {minimum} оценки жюри: {', '.join(short[:3])}"
                              + (" и другие." if len(short) > 3 else "."))


def _snapshot(ranked: list[selectors.Ranked], outcome: Mapping[int, tuple[str, int | None]]) -> list[dict[str, Any]]:
    return [{"application": r.application.pk, "raw": round(r.row.raw, 2), "normalised": round(r.row.normalised, 2),
             "raw_rank": r.row.raw_rank, "rank": r.row.rank, "scores": r.row.count,
             "outcome": outcome[r.application.pk][0], "place": outcome[r.application.pk][1]} for r in ranked]


def _save_result(actor: Actor, contest: Contest, nomination: Nomination, round_: str, region: Region | None,
                 snapshot: list[dict[str, Any]], reason: str) -> RoundResult:
    existing = RoundResult.objects.select_for_update(of=("self",)).filter(
        nomination=nomination, round=round_, region=region).first()
    reason = strip_control(reason).strip()
    if existing is not None and not reason:
        raise ValidationError({"reason": "Итоги уже утверждены: чтобы изменить их, укажите причину."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Не длиннее 500 знаков."})
    before = {"ranking": existing.ranking, "version": existing.version} if existing else None
    result = existing or RoundResult(contest=contest, nomination=nomination, round=round_, region=region, version=0)
    result.ranking, result.confirmed_by, result.confirmed_at = snapshot, actor.user, timezone.now()
    result.version += 1
    result.reason = reason
    try:
        with transaction.atomic():  # a savepoint: two chairs confirming at once meet at the unique constraint
            result.save()
    except IntegrityError:
        raise ValidationError("Итоги только что утвердил другой председатель: обновите страницу и, если нужно, "
                              "измените их с указанием причины.") from None
    audit.record(actor=actor, action="contest.result.confirm" if before is None else "contest.result.change",
                 obj=result, before=before, after={"ranking": snapshot, "version": result.version, "reason": reason})
    return result


@transaction.atomic
def confirm_regional(*, actor: Actor, contest: Contest, nomination: Nomination, region: Region,
                     advance: Sequence[int], reason: str = "") -> RoundResult:
    """The regional chair confirms which applications (at most ``advance_top``) go to the national round."""
    if not selectors.chairs(actor.user, Round.REGIONAL, region.pk) and not actor.is_system:
        require(actor, "manage", contest, "Утверждать итоги регионального тура может председатель жюри региона.")
    if contest.phase not in (P.REGIONAL_REVIEW, P.REGIONAL_RESULTS):
        raise ValidationError("Итоги регионального тура утверждают во время региональной экспертизы и подведения "
                              "её итогов.")
    ranked = selectors.ranking(contest, nomination, Round.REGIONAL, region.pk)
    ids = {r.application.pk for r in ranked}
    chosen = list(dict.fromkeys(advance))
    if not set(chosen) <= ids:
        raise ValidationError({"advance": "Выберите заявки из этого рейтинга."})
    if len(chosen) > contest.advance_top:
        raise ValidationError({"advance": f"В национальный тур выходят не больше {contest.advance_top} заявок."})
    _check_reviews(ranked, contest.min_reviews)
    outcome: dict[int, tuple[str, int | None]] = {
        pk: (S.ADVANCED if pk in chosen else S.NOT_ADVANCED, None) for pk in ids}
    result = _save_result(actor, contest, nomination, Round.REGIONAL, region, _snapshot(ranked, outcome), reason)
    for status in (S.ADVANCED, S.NOT_ADVANCED):
        Application.objects.filter(pk__in=[pk for pk, (o, _) in outcome.items() if o == status]).update(status=status)
    return result


@transaction.atomic
def confirm_national(*, actor: Actor, contest: Contest, nomination: Nomination, places: Mapping[int, int],
                     reason: str = "") -> RoundResult:
    """The operator confirms the winner (place 1) and prize places (2, 3…); the rest take part."""
    require(actor, "manage", contest, "Утверждать итоги национального тура может только оператор.")
    if contest.phase != P.NATIONAL_REVIEW:
        raise ValidationError("Итоги национального тура утверждают во время национальной экспертизы.")
    ranked = selectors.ranking(contest, nomination, Round.NATIONAL, None)
    ids = {r.application.pk for r in ranked}
    places = {pk: place for pk, place in places.items() if place}
    if not set(places) <= ids:
        raise ValidationError({"places": "Места присуждают заявкам из этого рейтинга."})
    if any(not 1 <= p <= 3 for p in places.values()):
        raise ValidationError({"places": "Места — с 1 по 3."})
    if 1 not in places.values():
        raise ValidationError({"places": "Назовите победителя (1 место)."})
    _check_reviews(ranked, contest.min_reviews)
    outcome: dict[int, tuple[str, int | None]] = {}
    for pk in ids:
        place = places.get(pk)
        outcome[pk] = (S.WINNER if place == 1 else S.PRIZE if place else S.PARTICIPANT, place)
    result = _save_result(actor, contest, nomination, Round.NATIONAL, None, _snapshot(ranked, outcome), reason)
    for pk, (status, place) in outcome.items():
        Application.objects.filter(pk=pk).update(status=status, place=place)
    return result


# --- Jury -------------------------------------------------------------------------------------------

@transaction.atomic
def invite_juror(*, actor: Actor, contest: Contest, email: str, round_: str, region: Region | None,
                 last_name: str = "", first_name: str = "", patronymic: str = "") -> Invitation:
    """The operator invites the national jury; a regional coordinator their region's jury."""
    require(actor, "invite", contest)
    p = principal(actor.user) if actor.user is not None else None
    if round_ == Round.REGIONAL and region is None:
        raise ValidationError({"region": "Для регионального тура укажите регион."})
    if round_ == Round.NATIONAL and region is not None:
        raise ValidationError({"region": "Национальное жюри оценивает все регионы: регион не указывают."})
    if p is not None and not p.is_operator_admin and (round_ != Round.REGIONAL or region is None
                                                      or not any(r == region.pk for r, _ in p.regions)):
        raise ValidationError({"round": "Координатор приглашает жюри регионального тура своего региона."})
    invitation, _ = directory_services.invite(
        actor=actor, email=email, role=Role.JUROR, region=region, contest_id=contest.pk, contest_round=round_,
        last_name=last_name, first_name=first_name, patronymic=patronymic)
    return invitation


# --- Reminders -----------------------------------------------------------------------------------------

REMIND_DAYS = 3  # how long before a review deadline the jury is reminded (once)


@transaction.atomic
def send_reminders(*, actor: Actor, today: dt.date | None = None) -> int:
    """E-mail every juror with unscored applications whose round's review ends within
    ``REMIND_DAYS``, once per juror and round (the ``Reminder`` row is the record)."""
    require(actor, "manage", Contest)
    today = today or timezone.localdate()
    sent = 0
    for contest in Contest.objects.filter(phase__in=list(REVIEW_PHASE.values())).select_related("campaign"):
        round_ = Round.REGIONAL if contest.phase == P.REGIONAL_REVIEW else Round.NATIONAL
        deadline = contest.review_deadline(round_)
        if not today <= deadline <= today + dt.timedelta(days=REMIND_DAYS):
            continue
        reminded = set(Reminder.objects.filter(contest=contest, round=round_).values_list("juror_id", flat=True))
        ids = RoleAssignment.objects.filter(role=Role.JUROR, contest_id=contest.pk,
                                            contest_round__in=["", round_]).values_list("user_id", flat=True)
        for juror in User.objects.filter(pk__in=set(ids) - reminded, is_active=True).order_by("pk"):
            queue = selectors.jury_queue(juror, contest, round_)
            total = queue.count()
            done = Score.objects.filter(juror=juror, round=round_, application__in=queue).count()
            if done >= total:
                continue
            Reminder.objects.create(contest=contest, juror=juror, round=round_)
            send_later(to=[juror.email], subject=f"Экспертиза конкурса «{contest.title}»: осталось оценить "
                                                 f"{ru_number(total - done)} из {ru_number(total)}",
                       template="contest/email/reminder.txt",
                       context={"juror": juror, "contest": contest, "round_label": Round(round_).label,
                                "deadline": deadline, "done": done, "total": total,
                                "link": settings.SITE_URL + reverse("contest_jury")})
            sent += 1
    return sent


# --- Export ---------------------------------------------------------------------------------------------

@transaction.atomic
def start_export(*, actor: Actor, contest: Contest) -> Job:
    """The XLSX of every application with each juror's scores, written by a worker (a job)."""
    require(actor, "export", contest, "Выгружать заявки конкурса могут оператор и региональные координаторы.")
    job = start_job(owner=actor.user, kind="contest.export", title=f"Выгрузка заявок конкурса {contest.year} в XLSX",
                    task="qualityweek.contest.tasks.export_task", contest_id=contest.pk)
    audit.record(actor=actor, action="contest.export", obj=contest, after={"job": str(job.pk)})
    return job


def start_reminders(*, actor: Actor) -> Job:
    """The daily job (``manage.py contest_reminders``, from cron): reminders go out from a worker."""
    require(actor, "manage", Contest)
    return start_job(owner=actor.user, kind="contest.reminders", title="Напоминания жюри конкурса",
                     task="qualityweek.contest.tasks.send_reminders_task")
