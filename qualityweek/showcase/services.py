"""Writes for best practices and problem reports."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qualityweek.activities.models import Activity
from qualityweek.core import audit, public_cache
from qualityweek.core.audit import Actor
from qualityweek.core.permissions import require

from . import search
from .models import BestPractice, ProblemReport
from .rules import MODERATION_MOVES, practice_allows

S = BestPractice.Status
TEXT_FIELDS = ["title", "story", "results"]


def _clean_text(title: str, story: str, results: str) -> dict[str, str]:
    data = {"title": " ".join(title.split()), "story": story.strip(), "results": results.strip()}
    errors = {}
    if not data["title"]:
        errors["title"] = "Дайте практике заголовок."
    elif len(data["title"]) > 200:
        errors["title"] = "Заголовок длиннее 200 символов."
    if len(data["story"]) < 40:
        errors["story"] = "Расскажите о практике подробнее — хотя бы пару предложений."
    if errors:
        raise ValidationError(errors)
    return data


def search_text(practice: BestPractice) -> str:
    a = practice.activity
    parts = [practice.title, practice.story, practice.results, a.organisation.name, a.region.name, a.type.name]
    return " ".join(" ".join(parts).casefold().replace("ё", "е").split())


def _save(practice: BestPractice) -> None:
    practice.search_text = search_text(practice)
    practice.save()
    public_cache.bump_on_commit("practices", "campaign")
    search.reindex([practice])


@transaction.atomic
def rebuild_search_index() -> int:
    """Recompute every practice's search text (organisation and region names may have changed) and
    rebuild the Russian search index from scratch (``manage.py rebuild_search_index``)."""
    search.clear_index()
    practices = list(BestPractice.objects.select_related("activity__organisation", "activity__region",
                                                         "activity__type"))
    for practice in practices:
        practice.search_text = search_text(practice)
    BestPractice.objects.bulk_update(practices, ["search_text"], batch_size=500)
    search.reindex(BestPractice.objects.all())
    public_cache.bump_on_commit("practices")
    return len(practices)


@transaction.atomic
def nominate(*, actor: Actor, activity: Activity, title: str, story: str, results: str = "") -> BestPractice:
    """A coordinator puts an approved activity forward (also how an organisation's proposal is accepted)."""
    activity = Activity.objects.select_for_update(of=("self",)).select_related("organisation", "region", "type").get(
        pk=activity.pk)
    require(actor, "nominate", activity)
    if BestPractice.objects.filter(activity=activity).exists():
        raise ValidationError("Это мероприятие уже выдвинуто как лучшая практика.")
    practice = BestPractice(activity=activity, nominated_by=actor.user, **_clean_text(title, story, results))
    _save(practice)
    audit.record(actor=actor, action="practice.nominate", obj=practice, after=audit.snapshot(practice))
    return practice


@transaction.atomic
def revise(*, actor: Actor, practice: BestPractice, title: str, story: str, results: str = "") -> BestPractice:
    """Improve the text; a practice waiting for changes goes back to the editors."""
    practice = BestPractice.objects.select_for_update().get(pk=practice.pk)
    require(actor, "edit", practice)
    before = audit.snapshot(practice, [*TEXT_FIELDS, "status"])
    for name, value in _clean_text(title, story, results).items():
        setattr(practice, name, value)
    practice.status = S.NOMINATED
    _save(practice)
    audit.record(actor=actor, action="practice.revise", obj=practice, before=before,
                 after=audit.snapshot(practice, [*TEXT_FIELDS, "status"]))
    return practice


def _moderate(actor: Actor, practice: BestPractice, action: str, comment: str, *, need_comment: bool) -> BestPractice:
    practice = BestPractice.objects.select_for_update().get(pk=practice.pk)
    require(actor, "moderate", practice)
    comment = comment.strip()
    if need_comment and not comment:
        raise ValidationError({"comment": "Напишите комментарий: его увидит организация."})
    status = MODERATION_MOVES[action]
    if not practice_allows(practice, action):
        raise ValidationError(f"Нельзя: практика в статусе «{practice.get_status_display()}».")
    before = audit.snapshot(practice, ["status", "editor_comment"])
    practice.status = status
    practice.editor_comment = comment
    if status == S.PUBLISHED:
        practice.published_at = practice.published_at or timezone.now()
    practice.save()
    search.reindex([practice])
    public_cache.bump_on_commit("practices", "campaign")
    audit.record(actor=actor, action=f"practice.{status}", obj=practice, before=before,
                 after=audit.snapshot(practice, ["status", "editor_comment"]))
    return practice


@transaction.atomic
def publish(*, actor: Actor, practice: BestPractice, comment: str = "") -> BestPractice:
    return _moderate(actor, practice, "publish", comment, need_comment=False)


@transaction.atomic
def request_changes(*, actor: Actor, practice: BestPractice, comment: str) -> BestPractice:
    return _moderate(actor, practice, "changes", comment, need_comment=True)


@transaction.atomic
def reject(*, actor: Actor, practice: BestPractice, comment: str) -> BestPractice:
    return _moderate(actor, practice, "reject", comment, need_comment=True)


@transaction.atomic
def report_problem(*, practice: BestPractice | None = None, activity: Activity | None = None, message: str,
                   contact: str = "", ip: str | None = None) -> ProblemReport:
    message = message.strip()
    if len(message) < 5:
        raise ValidationError({"message": "Опишите проблему: что именно не так на странице."})
    if len(message) > 3000:
        raise ValidationError({"message": "Слишком длинное сообщение: не больше 3000 символов."})
    return ProblemReport.objects.create(practice=practice, activity=activity, message=message,
                                        contact=contact.strip()[:200], ip=ip)


@transaction.atomic
def resolve_problem(*, actor: Actor, problem: ProblemReport) -> ProblemReport:
    require(actor, "moderate", problem)
    problem.status = ProblemReport.Status.RESOLVED
    problem.save(update_fields=["status"])
    audit.record(actor=actor, action="problem.resolve", obj=problem)
    return problem
