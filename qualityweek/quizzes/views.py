"""Thin views: author quizzes, start and host a game, join it, read and export its results,
attach it to an activity."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from qualityweek.core import reporting
from qualityweek.core.audit import Actor
from qualityweek.core.forms import apply_errors
from qualityweek.core.permissions import actions_for, can

from . import exports, selectors, services, transfer
from .forms import AttachForm, CopyForm, GameForm, ImportForm, QuestionForm, QuizForm
from .models import Question, Quiz


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
            messages.success(request, f"Квиз загружен: вопросов — {quiz.questions.count()}. Проверьте его и "
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
        "game_form": GameForm(),
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
    form = QuestionForm(request.POST or None, question=question)
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
