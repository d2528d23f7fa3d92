"""Thin views of the contest: parse, call a selector or a service, render. Every application is
fetched through ``selectors.applications_for`` (or the juror's narrower queue), so a foreign or
conflicted application is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from qualityweek.campaigns.models import Campaign
from qualityweek.core.audit import Actor
from qualityweek.core.forms import apply_errors
from qualityweek.core.permissions import actions_for, can
from qualityweek.directory.access import principal
from qualityweek.directory.models import Organisation, Region, Role, User

from . import selectors, services
from .forms import (
    ApplicationForm,
    ConflictForm,
    ContestForm,
    DeclareForm,
    InviteForm,
    NominationForm,
    ReasonForm,
    ScoreForm,
    SettingsForm,
)
from .models import ApplicantConflict, Application, Contest, Nomination, Round, RoundResult, Score
from .rules import PHASE_MOVES, ROUND_OF, early_review

S = Application.Status


def _contest(request: HttpRequest, year: int) -> Contest:
    return get_object_or_404(selectors.contests_for(request.user), campaign__year=year)


def _application(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(selectors.applications_for(request.user), pk=pk)


# --- Public pages -------------------------------------------------------------------------------------

@require_GET
def contest_index(request: HttpRequest) -> HttpResponse:
    contest = selectors.current_contest(request.user)
    if contest is None:
        return render(request, "contest/none.html")
    return redirect("contest_detail", year=contest.year)


@require_GET
def contest_detail(request: HttpRequest, year: int) -> HttpResponse:
    contest = _contest(request, year)
    nominations = contest.nominations.prefetch_related("criteria")
    may_apply = request.user.is_authenticated and contest.phase == Contest.Phase.OPEN and any(
        Role.ORG_REP in roles for roles in principal(request.user).organisations.values())
    years = selectors.public_contests().values_list("campaign__year", flat=True)
    return render(request, "contest/detail.html", {
        "contest": contest, "nominations": nominations, "may_apply": may_apply, "years": years,
        "actions": actions_for(request.user, contest),
        "archive": selectors.public_contests().filter(phase=Contest.Phase.RESULTS, campaign__year__lt=contest.year)
        .order_by("-campaign__year").values_list("campaign__year", flat=True),
        "judges": request.user.is_authenticated and bool(selectors.jury_rounds(request.user, contest)),
        "has_results": contest.phase in (Contest.Phase.REGIONAL_RESULTS, Contest.Phase.NATIONAL_REVIEW,
                                         Contest.Phase.RESULTS),
    })


@require_GET
def contest_winners(request: HttpRequest, year: int) -> HttpResponse:
    contest = _contest(request, year)
    regional = contest.phase in (Contest.Phase.REGIONAL_RESULTS, Contest.Phase.NATIONAL_REVIEW, Contest.Phase.RESULTS)
    final = contest.phase == Contest.Phase.RESULTS
    diplomas = selectors.diplomas(contest) if final else {}
    winners = list(selectors.winners(contest)) if final else []
    for a in winners:
        a.diploma = diplomas.get(a.pk)  # type: ignore[attr-defined]
    return render(request, "contest/winners.html", {
        "contest": contest, "winners": winners, "diplomas": bool(diplomas),
        "regional": selectors.regional_winners(contest) if regional else [],
        "years": selectors.public_contests().filter(phase=Contest.Phase.RESULTS).exclude(pk=contest.pk)
        .values_list("campaign__year", flat=True),
    })


# --- Applicants -----------------------------------------------------------------------------------------

def _organisations(request: HttpRequest, nomination: Nomination) -> list[Organisation]:
    p = principal(request.user)
    ids = [pk for pk, roles in p.organisations.items() if Role.ORG_REP in roles]
    return [o for o in Organisation.objects.filter(pk__in=ids, status=Organisation.Status.ACTIVE)
            if nomination.admits(o)]


def _save(request: HttpRequest, form: ApplicationForm, nomination: Nomination, organisation: Organisation,
          application: Application | None) -> Application | None:
    try:
        application = services.save_application(
            actor=Actor.from_request(request), nomination=nomination, organisation=organisation,
            title=request.POST.get("title", ""), data=request.POST, files=request.FILES,
            nominee_name=request.POST.get("nominee_name", ""),
            nominee_position=request.POST.get("nominee_position", ""),
            nominee_consent=request.POST.get("nominee_consent") == "on", application=application)
        if "submit" in request.POST:
            application = services.submit_application(actor=Actor.from_request(request), application=application)
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    return application


@login_required
def contest_apply(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = get_object_or_404(Nomination.objects.select_related("contest__campaign").filter(
        contest__in=selectors.contests_for(request.user)), pk=pk)
    if not can(request.user, "apply", nomination):
        raise PermissionDenied
    organisations = _organisations(request, nomination)
    if not organisations:
        return render(request, "contest/not_admitted.html", {"nomination": nomination}, status=403)
    organisation = organisations[0]
    form = ApplicationForm(request.POST or None, request.FILES or None, nomination=nomination)
    if request.method == "POST" and form.is_valid():
        application = _save(request, form, nomination, organisation, None)
        if application is not None:
            messages.success(request, "Заявка отправлена." if application.status == S.SUBMITTED
                             else "Черновик сохранён: его можно дополнять до окончания приёма.")
            return redirect("contest_application", pk=application.pk)
    return render(request, "contest/apply.html", {"form": form, "nomination": nomination, "organisation": organisation,
                                                  "deadline": nomination.contest.applications_close})


@login_required
def contest_application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if not can(request.user, "edit", application):
        raise PermissionDenied
    form = ApplicationForm(request.POST or None, request.FILES or None, nomination=application.nomination,
                           application=application)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, application.nomination, application.organisation, application)
        if saved is not None:
            messages.success(request, "Заявка сохранена.")
            return redirect("contest_application", pk=saved.pk)
    return render(request, "contest/apply.html", {
        "form": form, "nomination": application.nomination, "organisation": application.organisation,
        "application": application, "deadline": application.contest.applications_close})


@login_required
def contest_my(request: HttpRequest) -> HttpResponse:
    return render(request, "contest/my.html", {"applications": selectors.my_applications(request.user)})


def _comments(request: HttpRequest, application: Application) -> list[Score]:
    """Jury comments for the applicant: after the results, if the operator released them."""
    contest = application.contest
    if not (contest.release_comments and contest.phase in (Contest.Phase.REGIONAL_RESULTS,
                                                           Contest.Phase.NATIONAL_REVIEW, Contest.Phase.RESULTS)):
        return []
    return list(application.scores.exclude(comment="").order_by("round", "id"))


def _blind(request: HttpRequest, application: Application) -> bool:
    """A juror in a blind review sees neither the applicant's names nor the organisation."""
    p = principal(request.user)
    return (application.contest.blind_review and not p.is_operator
            and not p.organisations.get(application.organisation_id)
            and not any(r == application.region_id for r, _ in p.regions))


@login_required
def contest_application(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    p = principal(request.user)
    applicant = application.organisation_id in p.organisations
    fields = list(application.nomination.fields.all())
    return render(request, "contest/application.html", {
        "application": application, "actions": actions_for(request.user, application),
        "answers": [(f, application.answers.get(f.key)) for f in fields if f.kind != "file"],
        "attachments": application.attachments.all(), "applicant": applicant,
        "comments": _comments(request, application) if applicant else [],
        "conflicts": application.named_conflicts.all() if applicant else [],
        "conflict_form": ConflictForm(), "blind": _blind(request, application),
        "deadline": application.contest.applications_close,
        "closed_here": timezone.now() > application.contest.closes_at(application.region),
        "may_score": can(request.user, "score", application),
    })


def _post_step(request: HttpRequest, pk: int, step: Any, done: str) -> HttpResponse:
    application = _application(request, pk)
    try:
        step(actor=Actor.from_request(request), application=application)
        messages.success(request, done)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("contest_application", pk=application.pk)


@login_required
@require_POST
def contest_application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_step(request, pk, services.submit_application, "Заявка отправлена.")


@login_required
@require_POST
def contest_application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_step(request, pk, services.withdraw_application, "Заявка отозвана.")


@login_required
@require_POST
def contest_application_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    try:
        services.name_conflict(actor=Actor.from_request(request), application=application,
                               named=request.POST.get("named", ""), reason=request.POST.get("reason", ""))
        messages.success(request, "Сообщение о конфликте интересов передано оператору.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("contest_application", pk=application.pk)


@login_required
@require_GET
def contest_attachment(request: HttpRequest, pk: int, key: str) -> FileResponse:
    application = _application(request, pk)
    attachment = get_object_or_404(application.attachments, key=key)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                            as_attachment=True, filename=attachment.name)
    response["Cache-Control"] = "private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Jury -------------------------------------------------------------------------------------------------

@login_required
def contest_jury(request: HttpRequest) -> HttpResponse:
    p = principal(request.user)
    if not p.juries:
        raise PermissionDenied
    contest_ids = {c for c, _, _ in p.juries}
    queues = []
    for contest in Contest.objects.filter(pk__in=contest_ids).select_related("campaign"):
        for round_ in selectors.jury_rounds(request.user, contest):
            apps = list(selectors.jury_queue(request.user, contest, round_))
            scored = set(Score.objects.filter(juror_id=request.user.pk, round=round_, application__in=apps)
                         .values_list("application_id", flat=True))
            queues.append({"contest": contest, "round": Round(round_), "applications": apps, "scored": scored,
                           "done": len(scored), "total": len(apps), "deadline": contest.review_deadline(round_),
                           "open": contest.phase == ("regional_review" if round_ == Round.REGIONAL
                                                     else "national_review")
                           or (round_ == Round.REGIONAL and early_review(contest))})
    return render(request, "contest/jury.html", {"queues": queues})


def _judged(request: HttpRequest, pk: int) -> Application:
    """An application in the user's jury queue for its current round (or 404)."""
    application = get_object_or_404(Application.objects.select_related("contest__campaign", "nomination"), pk=pk)
    round_ = ROUND_OF.get(application.status) or (Round.NATIONAL if application.status in selectors.NATIONAL_STAGE
                                                  else Round.REGIONAL)
    if not Application.objects.filter(selectors.juror_filter(request.user, round_), pk=pk).exists():
        raise Http404
    return application


@login_required
def contest_score(request: HttpRequest, pk: int) -> HttpResponse:
    application = _judged(request, pk)
    round_ = ROUND_OF.get(application.status, Round.REGIONAL)
    criteria = list(application.nomination.criteria.all())
    mine = Score.objects.filter(application=application, juror_id=request.user.pk, round=round_).first()
    initial: dict[str, Any] = {"comment": mine.comment} if mine else {}
    if mine:
        initial |= {f"c_{k}": v for k, v in mine.values.items()}
    form = ScoreForm(request.POST or None, criteria=criteria, initial=initial)
    if request.method == "POST":
        if not can(request.user, "score", application):
            raise PermissionDenied
        try:
            services.save_score(actor=Actor.from_request(request), application=application, values=request.POST,
                                comment=request.POST.get("comment", ""))
            messages.success(request, "Оценка сохранена.")
            return redirect("contest_jury")
        except ValidationError as exc:
            form.is_valid()
            apply_errors(form, exc)
    others = []
    if selectors.may_see_others(request.user, application.contest, round_, application.region_id):
        others = list(application.scores.filter(round=round_).exclude(juror_id=request.user.pk))
    fields = list(application.nomination.fields.all())
    return render(request, "contest/score.html", {
        "application": application, "form": form, "round": Round(round_), "others": others,
        "answers": [(f, application.answers.get(f.key)) for f in fields if f.kind != "file"],
        "attachments": application.attachments.all(), "blind": _blind(request, application),
        "may_score": can(request.user, "score", application), "declare_form": DeclareForm(),
    })


@login_required
@require_POST
def contest_declare_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    application = _judged(request, pk)
    try:
        services.declare_conflict(actor=Actor.from_request(request), contest=application.contest,
                                  juror=request.user, organisation=application.organisation,
                                  reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("contest_score", pk=pk)
    messages.success(request, "Конфликт интересов записан: заявки этой организации убраны из вашей очереди.")
    return redirect("contest_jury")


# --- Chairs -------------------------------------------------------------------------------------------------

@login_required
def contest_chair(request: HttpRequest, year: int) -> HttpResponse:
    contest = _contest(request, year)
    if not can(request.user, "chair", contest):
        raise PermissionDenied
    regions = selectors.chair_regions(request.user)
    stage = (S.SUBMITTED, *selectors.REGIONAL_STAGE) if early_review(contest) else selectors.REGIONAL_STAGE
    pools = Application.objects.filter(contest=contest, status__in=stage)
    if regions is not None:
        pools = pools.filter(region_id__in=regions)
    rows = pools.values("nomination_id", "nomination__title", "region__code", "region__short_name").annotate(
        n=Count("id")).order_by("nomination__order", "nomination_id", "region__short_name")
    done = {(r.nomination_id, r.region_id) for r in RoundResult.objects.filter(contest=contest, round="regional")}
    codes = dict(Region.objects.values_list("code", "id"))
    national = []
    if regions is None:
        national = list(Application.objects.filter(contest=contest, status__in=selectors.NATIONAL_STAGE)
                        .values("nomination_id", "nomination__title").annotate(n=Count("id"))
                        .order_by("nomination__order", "nomination_id"))
    national_done = set(RoundResult.objects.filter(contest=contest, round="national").values_list("nomination_id",
                                                                                                   flat=True))
    return render(request, "contest/chair.html", {
        "contest": contest,
        "rows": [{**r, "done": (r["nomination_id"], codes[r["region__code"]]) in done} for r in rows],
        "national": [{**r, "done": r["nomination_id"] in national_done} for r in national],
    })


def _pool(request: HttpRequest, year: int, nomination: int, round_: str, region: str) -> tuple[Any, ...]:
    contest = _contest(request, year)
    if round_ not in Round.values:
        raise Http404
    nom = get_object_or_404(contest.nominations, pk=nomination)
    reg = None
    if round_ == Round.REGIONAL:
        reg = get_object_or_404(Region, code=region)
    elif region != "rf":
        raise Http404
    if not selectors.chairs(request.user, round_, reg.pk if reg else None):
        if principal(request.user).is_coordinator:
            raise Http404  # another region's pool
        raise PermissionDenied
    return contest, nom, reg


def _ranking_context(request: HttpRequest, contest: Contest, nom: Nomination, round_: str,
                     reg: Region | None) -> dict[str, Any]:
    ranked = selectors.ranking(contest, nom, round_, reg.pk if reg else None)
    jurors = {s.juror_id: s.juror for r in ranked for s in r.scores}
    result = RoundResult.objects.filter(nomination=nom, round=round_, region=reg).first()
    places = {e["application"]: e["place"] for e in result.ranking} if result else {}
    for item in ranked:
        item.place = places.get(item.application.pk)
    return {"contest": contest, "nomination": nom, "round": Round(round_), "region": reg, "ranked": ranked,
            "jurors": sorted(jurors.values(), key=lambda u: u.pk), "result": result, "reason_form": ReasonForm(),
            "region_code": reg.code if reg else "rf",
            "preliminary": round_ == Round.REGIONAL and early_review(contest),
            "may_confirm": contest.phase in ((Contest.Phase.REGIONAL_REVIEW, Contest.Phase.REGIONAL_RESULTS)
                                             if round_ == Round.REGIONAL else (Contest.Phase.NATIONAL_REVIEW,)),
            "chosen": {e["application"] for e in result.ranking if e["outcome"] == S.ADVANCED} if result else
            {r.application.pk for r in ranked[:contest.advance_top]}}


@login_required
def contest_ranking(request: HttpRequest, year: int, nomination: int, round: str, region: str) -> HttpResponse:
    contest, nom, reg = _pool(request, year, nomination, round, region)
    return render(request, "contest/ranking.html", _ranking_context(request, contest, nom, round, reg))


@login_required
@require_POST
def contest_confirm(request: HttpRequest, year: int, nomination: int, round: str, region: str) -> HttpResponse:
    contest, nom, reg = _pool(request, year, nomination, round, region)
    actor = Actor.from_request(request)
    reason = request.POST.get("reason", "")
    try:
        if round == Round.REGIONAL:
            ids = [int(i) for i in request.POST.getlist("advance") if i.isdigit()]
            services.confirm_regional(actor=actor, contest=contest, nomination=nom, region=reg, advance=ids,
                                      reason=reason)
        else:
            places = {int(k[6:]): int(request.POST.get(k, "")) for k in request.POST
                      if k.startswith("place_") and k[6:].isdigit() and request.POST.get(k, "").isdigit()}
            services.confirm_national(actor=actor, contest=contest, nomination=nom, places=places, reason=reason)
    except ValidationError as exc:
        context = _ranking_context(request, contest, nom, round, reg)
        context["errors"] = exc.messages
        return render(request, "contest/ranking.html", context, status=400)
    messages.success(request, "Итоги утверждены.")
    return redirect("contest_ranking", year=year, nomination=nom.pk, round=round, region=region)


@login_required
@require_POST
def contest_export(request: HttpRequest, year: int) -> HttpResponse:
    contest = _contest(request, year)
    if not can(request.user, "export", contest):
        raise PermissionDenied
    job = services.start_export(actor=Actor.from_request(request), contest=contest)
    return redirect("job_detail", pk=job.pk)


# --- Operator --------------------------------------------------------------------------------------------------

@login_required
def contest_manage(request: HttpRequest, year: int) -> HttpResponse:
    contest = _contest(request, year)
    if not can(request.user, "manage", contest):
        raise PermissionDenied
    form = SettingsForm(request.POST or None, instance=Contest.objects.get(pk=contest.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(actor=Actor.from_request(request), contest=contest, **form.cleaned_data)
            messages.success(request, "Настройки сохранены.")
            return redirect("contest_manage", year=year)
        except ValidationError as exc:
            apply_errors(form, exc)
    conflicts = ApplicantConflict.objects.filter(application__contest=contest, status="pending").select_related(
        "application__organisation")
    juror_ids = [u for u in User.objects.filter(roles__role=Role.JUROR, roles__contest_id=contest.pk).distinct()]
    return render(request, "contest/manage.html", {
        "contest": contest, "form": form, "moves": [Contest.Phase(p) for p in PHASE_MOVES[contest.phase]],
        "conflicts": conflicts, "jurors": juror_ids,
        "still_open": contest.phase == Contest.Phase.OPEN and timezone.now() <= services.latest_close(contest),
        "counts": [(S(row["status"]).label, row["n"]) for row in Application.objects.filter(contest=contest)
                   .values("status").annotate(n=Count("id")).order_by("status")],
    })


@login_required
@require_POST
def contest_phase(request: HttpRequest, year: int) -> HttpResponse:
    contest = _contest(request, year)
    if not can(request.user, "manage", contest):
        raise PermissionDenied
    try:
        services.move_phase(actor=Actor.from_request(request), contest=contest, to=request.POST.get("to", ""),
                            close_early=request.POST.get("close_early") == "on",
                            reason=request.POST.get("reason", ""))
        messages.success(request, "Этап конкурса изменён.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("contest_manage", year=year)


@login_required
@require_POST
def contest_conflict_decide(request: HttpRequest, pk: int) -> HttpResponse:
    conflict = get_object_or_404(ApplicantConflict.objects.select_related("application__contest__campaign"), pk=pk)
    contest = conflict.application.contest
    if not can(request.user, "manage", contest):
        raise Http404
    juror = User.objects.filter(pk=request.POST.get("juror") or 0).first() if request.POST.get(
        "juror", "").isdigit() else None
    try:
        services.decide_conflict(actor=Actor.from_request(request), conflict=conflict, juror=juror,
                                 confirm=request.POST.get("decision") == "confirm")
        messages.success(request, "Решение по конфликту интересов записано.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("contest_manage", year=contest.year)


@login_required
def contest_invite(request: HttpRequest, year: int) -> HttpResponse:
    contest = _contest(request, year)
    if not can(request.user, "invite", contest):
        raise PermissionDenied
    p = principal(request.user)
    regions = Region.objects.all() if p.is_operator_admin else Region.objects.filter(
        pk__in=[r for r, _ in p.regions])
    form = InviteForm(request.POST or None, regions=regions,
                      initial={"round": Round.NATIONAL if p.is_operator_admin else Round.REGIONAL})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.invite_juror(actor=Actor.from_request(request), contest=contest, email=data["email"],
                                  round_=data["round"], region=data["region"], last_name=data["last_name"],
                                  first_name=data["first_name"], patronymic=data["patronymic"])
            messages.success(request, f"Приглашение в жюри отправлено на {data['email']}.")
            return redirect(reverse("contest_invite", args=[year]))
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "contest/invite.html", {"contest": contest, "form": form})


@login_required
def contest_create(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "manage", Contest):
        raise PermissionDenied
    years = list(Campaign.objects.filter(contest__isnull=True).order_by("-year").values_list("year", flat=True))
    form = ContestForm(request.POST or None, years=years)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        campaign = Campaign.objects.get(year=data.pop("year"))
        try:
            contest = services.create_contest(actor=Actor.from_request(request), campaign=campaign, **data)
            messages.success(request, "Конкурс создан. Добавьте номинации и откройте приём заявок.")
            return redirect("contest_manage", year=contest.year)
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "contest/form.html", {"form": form, "title": "Новый конкурс «Лидер качества»"})


@login_required
def contest_nomination_create(request: HttpRequest, year: int) -> HttpResponse:
    contest = _contest(request, year)
    if not can(request.user, "manage", contest):
        raise PermissionDenied
    form = NominationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_nomination(actor=Actor.from_request(request), contest=contest, title=data["title"],
                                    description=data["description"], sectors=data["sectors"], kinds=data["kinds"],
                                    for_person=data["for_person"], fields=data["questions"],
                                    criteria=data["criteria"])
            messages.success(request, "Номинация добавлена.")
            return redirect("contest_detail", year=year)
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "contest/form.html", {"form": form, "contest": contest,
                                                 "title": f"Новая номинация конкурса {contest.year}"})
