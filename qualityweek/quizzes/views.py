"""Thin views: author quizzes, start and host a game, join it, read and export its results,
attach it to an activity."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from qualityweek.core import files, reporting
from qualityweek.core.audit import Actor
from qualityweek.core.forms import apply_errors
from qualityweek.core.http import client_ip
from qualityweek.core.permissions import actions_for, can
from qualityweek.core.ratelimit import limited_response
from qualityweek.core.text import ru_number

from . import engine, exports, selectors, services, transfer
from .forms import (
    AttachForm,
    CopyForm,
    GameForm,
    HomeworkForm,
    HomeworkJoinForm,
    ImportForm,
    QuestionForm,
    QuizForm,
    homework_value,
)
from .models import Game, Player, Question, Quiz


@login_required
def quiz_list(request: HttpRequest) -> HttpResponse:
    quizzes = list(selectors.quizzes_for(request.user).order_by("organisation_id", "age_group", "title"))
    return render(request, "quizzes/quiz_list.html", {
        "library": [q for q in quizzes if q.is_library],
        "own": [q for q in quizzes if not q.is_library],
        "may_create": can(request.user, "create", Quiz),
        "games": selectors.games_for(request.user)[:20],
    })


@login_required
def quiz_create(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "create", Quiz):
        raise PermissionDenied
    organisations = list(selectors.authoring_organisations(request.user))
    library = not organisations  # the operator writes library quizzes
    form = QuizForm(request.POST or None, library=library)
    if request.method == "POST" and form.is_valid():
        try:
            quiz = services.create_quiz(actor=Actor.from_request(request),
                                        organisation=organisations[0] if organisations else None, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Квиз создан. Добавьте вопросы.")
            return redirect("quiz_detail", quiz.pk)
    return render(request, "quizzes/quiz_form.html", {"form": form, "quiz": None})


@login_required
def quiz_import(request: HttpRequest) -> HttpResponse:
    """A new quiz from a JSON or XLSX file; every problem of the file is listed by row and column."""
    if not can(request.user, "create", Quiz):
        raise PermissionDenied
    organisations = list(selectors.authoring_organisations(request.user))
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > transfer.MAX_FILE_BYTES:
                raise ValidationError({"file": "Файл больше 2 МБ: для квиза это слишком много. Проверьте, тот ли "
                                               "это файл."})
            quiz = services.import_quiz(actor=Actor.from_request(request),
                                        organisation=organisations[0] if organisations else None,
                                        name=upload.name or "", data=upload.read(transfer.MAX_FILE_BYTES + 1))
        except ValidationError as exc:
            apply_errors(form, exc, default_field="file")
        else:
            messages.success(request, f"Квиз загружен: вопросов — {ru_number(quiz.questions.count())}. Проверьте его и "
                                      "проведите игру.")
            return redirect("quiz_detail", quiz.pk)
    return render(request, "quizzes/quiz_import.html", {"form": form})


@login_required
def quiz_import_template(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "create", Quiz):
        raise PermissionDenied
    response = HttpResponse(transfer.as_xlsx(title="", description="", age_group=Quiz.AgeGroup.GRADES_5_9,
                                             questions=[]), content_type=transfer.XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="quiz-template.xlsx"'
    return response


@login_required
def quiz_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The quiz as a file to keep, share or edit in Excel (any quiz the user sees, library included)."""
    quiz = selectors.quiz_for(request.user, pk)
    if fmt == "json":
        response = HttpResponse(transfer.as_json(quiz), content_type="application/json; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(transfer.quiz_xlsx(quiz), content_type=transfer.XLSX_TYPE)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="quiz-{quiz.pk}.{fmt}"'
    return response


@login_required
def quiz_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = selectors.quiz_for(request.user, pk)
    return render(request, "quizzes/quiz_detail.html", {
        "quiz": quiz, "questions": quiz.questions.all(), "actions": actions_for(request.user, quiz),
        "game_form": GameForm(), "homework_form": HomeworkForm(),
        "copy_form": CopyForm(organisations=selectors.authoring_organisations(request.user)),
    })


@login_required
def quiz_edit(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = selectors.quiz_for(request.user, pk)
    if not can(request.user, "edit", quiz):
        raise PermissionDenied
    initial = {f: getattr(quiz, f) for f in services.QUIZ_FIELDS}
    form = QuizForm(request.POST or None, initial=initial, library=quiz.is_library)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_quiz(actor=Actor.from_request(request), quiz=quiz, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Квиз сохранён.")
            return redirect("quiz_detail", quiz.pk)
    return render(request, "quizzes/quiz_form.html", {"form": form, "quiz": quiz})


@login_required
@require_POST
def quiz_copy(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = selectors.quiz_for(request.user, pk)
    if not can(request.user, "copy", quiz):
        raise PermissionDenied
    form = CopyForm(request.POST, organisations=selectors.authoring_organisations(request.user))
    if not form.is_valid():
        messages.error(request, "Выберите организацию, в которую скопировать квиз.")
        return redirect("quiz_detail", quiz.pk)
    copy = services.copy_quiz(actor=Actor.from_request(request), quiz=quiz,
                              organisation=form.cleaned_data["organisation"])
    messages.success(request, "Квиз скопирован в вашу организацию: его можно менять.")
    return redirect("quiz_detail", copy.pk)


def _editable(request: HttpRequest, pk: int) -> Quiz:
    quiz = selectors.quiz_for(request.user, pk)
    if not can(request.user, "edit", quiz):
        raise PermissionDenied
    return quiz


@login_required
def quiz_question(request: HttpRequest, pk: int, question_pk: int | None = None) -> HttpResponse:
    quiz = _editable(request, pk)
    question = get_object_or_404(Question, pk=question_pk, quiz=quiz) if question_pk else None
    form = QuestionForm(request.POST or None, request.FILES or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_question(actor=Actor.from_request(request), quiz=quiz, question=question,
                                   **form.service_fields())
        except ValidationError as exc:
            apply_errors(form, exc, default_field="text")
        else:
            messages.success(request, "Вопрос сохранён.")
            return redirect("quiz_detail", quiz.pk)
    return render(request, "quizzes/question_form.html", {"form": form, "quiz": quiz, "question": question})


@login_required
@require_POST
def quiz_question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    quiz = _editable(request, pk)
    services.delete_question(actor=Actor.from_request(request), question=get_object_or_404(Question, pk=question_pk,
                                                                                           quiz=quiz))
    messages.success(request, "Вопрос удалён.")
    return redirect("quiz_detail", quiz.pk)


@login_required
@require_POST
def quiz_game_create(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = selectors.quiz_for(request.user, pk)
    if not can(request.user, "host", quiz):
        raise PermissionDenied
    form = GameForm(request.POST)
    valid = form.is_valid()
    scoring = form.cleaned_data["scoring"] if valid else "accuracy"
    try:
        game = services.start_game(actor=Actor.from_request(request), quiz=quiz, scoring=scoring,
                                   teams=form.team_names() if valid else [])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("quiz_detail", quiz.pk)
    return redirect("quiz_game_host", game.pk)


@login_required
def quiz_game_host(request: HttpRequest, pk: int) -> HttpResponse:
    game = selectors.game_for(request.user, pk)
    if not can(request.user, "host", game):
        if can(request.user, "results", game):
            return redirect("quiz_game_results", game.pk)
        raise PermissionDenied
    if game.is_homework:
        return _homework_host(request, game)
    join_url = request.build_absolute_uri(f"{reverse('quiz_play')}?pin={game.pin}")
    qr = segno.make(join_url, error="m").svg_inline(scale=6, border=2, dark="#111", light="#fff",
                                                    title="QR-код для входа в игру")
    return render(request, "quizzes/game_host.html", {"game": game, "join_url": join_url, "qr": qr,
                                                      "play_url": request.build_absolute_uri(reverse("quiz_play"))})


@login_required
def quiz_game_results(request: HttpRequest, pk: int) -> HttpResponse:
    game = selectors.game_for(request.user, pk)
    if not can(request.user, "results", game):
        raise PermissionDenied
    return render(request, "quizzes/game_results.html", {
        "results": selectors.results(game), "game": game, "actions": actions_for(request.user, game)})


@login_required
def quiz_game_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    game = selectors.game_for(request.user, pk)
    if not can(request.user, "results", game):
        raise PermissionDenied
    results = selectors.results(game)
    if fmt == "csv":
        response = HttpResponse(exports.as_csv(results), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(exports.as_xlsx(results),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="quiz-{game.pk}-results.{fmt}"'
    return response


@login_required
def quiz_game_attach(request: HttpRequest, pk: int) -> HttpResponse:
    game = selectors.game_for(request.user, pk)
    if not can(request.user, "results", game):
        raise PermissionDenied
    if not can(request.user, "attach", game):
        messages.error(request, "Привязать можно только завершённую игру, ещё не учтённую в отчёте.")
        return redirect("quiz_game_results", game.pk)
    form = AttachForm(request.POST or None, activities=reporting.report_targets(request.user),
                      categories=reporting.categories())
    if request.method == "POST" and form.is_valid():
        try:
            services.attach_game(actor=Actor.from_request(request), game=game,
                                 activity_id=form.cleaned_data["activity"], category=form.cleaned_data["category"],
                                 site_url=settings.SITE_URL)
        except ValidationError as exc:
            apply_errors(form, exc, default_field="activity")
        else:
            messages.success(request, "Игроки учтены в отчёте о мероприятии.")
            return redirect("quiz_game_results", game.pk)
    return render(request, "quizzes/game_attach.html", {"form": form, "game": game})


def quiz_play(request: HttpRequest) -> HttpResponse:
    """The player's page: PIN and nickname, then the game (the socket does the rest)."""
    pin = request.GET.get("pin", "")
    return render(request, "quizzes/play.html", {"pin": pin if pin.isdigit() and len(pin) == 6 else ""})


# --- question pictures ---------------------------------------------------------------------------------------

@login_required
def quiz_question_image(request: HttpRequest, pk: int, question_pk: int) -> HttpResponseBase:
    """A question's picture, for whoever sees the quiz (its authors, the library's readers)."""
    quiz = selectors.quiz_for(request.user, pk)
    question = get_object_or_404(Question, pk=question_pk, quiz=quiz)
    if not question.image:
        raise Http404
    return files.file_response(question.image, content_type="image/jpeg")


def quiz_game_image(request: HttpRequest, pk: int, n: int) -> HttpResponseBase:
    """A picture of a game's question: for its host and colleagues, or with the key the game gave its
    players (in the question frame or the homework page); anyone else gets a 404."""
    if not selectors.image_key_valid(request.GET.get("k", ""), pk, n):
        if not request.user.is_authenticated:
            raise Http404
        selectors.game_for(request.user, pk)
    game = get_object_or_404(Game, pk=pk)
    if not 0 <= n < len(game.questions) or not game.questions[n].get("image"):
        raise Http404
    response = files.file_response(game.questions[n]["image"], content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- self-paced games (homework) ------------------------------------------------------------------------------

@login_required
@require_POST
def quiz_homework_create(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = selectors.quiz_for(request.user, pk)
    if not can(request.user, "host", quiz):
        raise PermissionDenied
    form = HomeworkForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("quiz_detail", quiz.pk)
    assert quiz.organisation is not None  # noqa: S101 - «host» is allowed for organisation quizzes only
    zone = quiz.organisation.region.zone
    closes_at = dt.datetime.combine(form.cleaned_data["closes_on"], form.cleaned_data["closes_time"], tzinfo=zone)
    try:
        game = services.start_homework(actor=Actor.from_request(request), quiz=quiz, closes_at=closes_at,
                                       scoring=form.cleaned_data["scoring"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("quiz_detail", quiz.pk)
    messages.success(request, "Домашнее задание создано: отправьте ученикам ссылку или покажите QR-код.")
    return redirect("quiz_game_host", game.pk)


def _homework_host(request: HttpRequest, game: Game) -> HttpResponse:
    link = request.build_absolute_uri(reverse("quiz_homework_play", args=[game.code]))
    qr = segno.make(link, error="m").svg_inline(scale=5, border=2, dark="#111", light="#fff",
                                                title="QR-код ссылки на домашнее задание")
    return render(request, "quizzes/homework_host.html", {
        "game": game, "link": link, "qr": qr, "open": services.homework_open(game),
        "closes": services.local_time(game, game.closes_at) if game.closes_at else "",
        "answers": game.answers.count(), "players": game.players.count()})


@login_required
@require_POST
def quiz_game_close(request: HttpRequest, pk: int) -> HttpResponse:
    game = selectors.game_for(request.user, pk)
    if not game.is_homework:
        raise Http404
    try:
        services.close_homework(actor=Actor.from_request(request), game=game)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Приём ответов закрыт. Результаты — ниже.")
    return redirect("quiz_game_results", game.pk)


COOKIE_SALT = "quiz-homework"


def _cookie(game: Game) -> str:
    return f"qw_hw_{game.pk}"


def _homework_player(request: HttpRequest, game: Game) -> Player | None:
    number = request.get_signed_cookie(_cookie(game), default=None, salt=COOKIE_SALT)
    if number is None or not str(number).isdigit():
        return None
    return Player.objects.filter(game=game, number=int(number), kicked=False).first()


def _join_limited(request: HttpRequest) -> bool:
    rate = getattr(settings, "RATE_LIMITS", {}).get("quiz_homework_join_ip", "60/10m")
    return bool(is_ratelimited(request, group="qw:quiz_homework_join:ip", key=lambda _g, r: client_ip(r), rate=rate,
                               method="POST", increment=True))


def _question_context(game: Game, player: Player, index: int) -> dict[str, Any]:
    raw = game.questions[index]
    spec = engine.QuestionSpec.from_dict(raw)
    order = list(range(len(spec.options)))
    if spec.kind == engine.ORDERING:  # shown shuffled, the same way on every refresh
        random.Random(f"{game.pk}-{player.number}-{index}").shuffle(order)  # noqa: S311 - not a secret
    left = None
    if spec.seconds and player.served_at is not None:
        from django.utils import timezone

        left = max(0, round(spec.seconds - (timezone.now() - player.served_at).total_seconds()))
    return {"index": index, "number": index + 1, "total": len(game.questions), "q": spec,
            "options": [(i, spec.options[i], "АБВГДЕ"[n]) for n, i in enumerate(order)],
            "places": range(len(spec.options)), "left": left,
            "image": selectors.image_url(game.pk, index) if raw.get("image") else "",
            "image_alt": raw.get("image_alt", "")}


def quiz_homework_play(request: HttpRequest, code: str) -> HttpResponse:  # noqa: C901 - join, answer, show
    """A self-paced game by its link: a nickname, then one question per page, as plain forms (no
    script needed). The signed cookie names the player: a refresh continues where they were."""
    game = selectors.homework_by_code(code)
    player = _homework_player(request, game)
    is_open = services.homework_open(game)
    context: dict[str, Any] = {"game": game, "player": player, "open": is_open,
                               "closes": services.local_time(game, game.closes_at) if game.closes_at else ""}
    template = "quizzes/homework_play.html"
    if request.method == "POST" and request.POST.get("action") == "join" and player is None:
        if _join_limited(request):
            return limited_response(request)
        form = HomeworkJoinForm(request.POST)
        if form.is_valid():
            try:
                player = services.join_homework(game=game, nickname=form.cleaned_data["nickname"],
                                                team=request.POST.get("team", ""))
            except engine.Refused as exc:
                form.add_error("nickname", exc.message)
            else:
                response = redirect("quiz_homework_play", game.code)
                max_age = int(max(60.0, ((game.closes_at or dt.datetime.now(dt.UTC)) - dt.datetime.now(dt.UTC))
                                  .total_seconds() + 86400 * 7))
                response.set_signed_cookie(_cookie(game), str(player.number), salt=COOKIE_SALT, max_age=max_age,
                                           path=reverse("quiz_homework_play", args=[game.code]), httponly=True,
                                           samesite="Lax", secure=request.is_secure())
                return response
        return render(request, template, {**context, "form": form, "stage": "join"}, status=400)
    if player is None:
        return render(request, template, {**context, "form": HomeworkJoinForm(), "stage": "join"})
    if request.method == "POST" and request.POST.get("action") == "answer":
        try:
            index = int(request.POST.get("question", ""))
        except ValueError:
            index = -1
        if not 0 <= index < len(game.questions):
            return redirect("quiz_homework_play", game.code)
        spec = engine.QuestionSpec.from_dict(game.questions[index])
        value = homework_value(spec.kind, request.POST, len(spec.options))
        if value is None and spec.kind != engine.SLIDE and index == player.position:
            return render(request, template, {**context, **_question_context(game, player, index),
                                              "stage": "question", "error": "Выберите или введите ответ."},
                          status=400)
        try:
            outcome = services.homework_answer(game=game, player=player, question=index, value=value)
        except engine.Refused as exc:
            player.refresh_from_db()
            return render(request, template, {**context, "stage": "refused", "message": exc.message},
                          status=403 if exc.code == "closed" else 200)
        if outcome.get("slide"):
            return redirect("quiz_homework_play", game.code)
        player.refresh_from_db()
        return render(request, template, {**context, "stage": "feedback", "outcome": outcome, "player": player,
                                          "last": player.position >= len(game.questions)})
    current = services.serve_question(game=game, player=player) if is_open else None
    if current is None:
        place = game.players.filter(kicked=False, score__gt=player.score).count() + 1
        return render(request, template, {**context, "stage": "done", "place": place,
                                          "players": game.players.filter(kicked=False).count()})
    return render(request, template, {**context, **_question_context(game, player, current), "stage": "question"})
