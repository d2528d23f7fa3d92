"""A quiz as JSON and XLSX and back: the round trip keeps every question exactly; a teacher's
workbook with mistakes gets every problem in Russian by row and column, and nothing is stored."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qualityweek.core.audit import Actor
from qualityweek.quizzes import services, transfer
from qualityweek.quizzes.library import LIBRARY
from qualityweek.quizzes.models import Quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(world):
    """The operator's library, loaded the way the demo loads it."""
    operator = Actor(user=world.operator)
    quizzes = []
    for data in LIBRARY:
        quiz = services.create_quiz(actor=operator, organisation=None, title=data["title"],
                                    description=data["description"], age_group=data["age_group"], is_published=True)
        for question in data["questions"]:
            services.save_question(actor=operator, quiz=quiz, **question)
        quizzes.append(quiz)
    return quizzes


def _questions(quiz):
    return [transfer.question_data(q) for q in quiz.questions.order_by("position")]


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_every_library_quiz_survives_the_round_trip(world, library, fmt):
    teacher = Actor(user=world.teacher)
    for quiz in library:
        data = transfer.as_json(quiz) if fmt == "json" else transfer.quiz_xlsx(quiz)
        copy = services.import_quiz(actor=teacher, organisation=world.kirov_school, name=f"quiz.{fmt}", data=data)
        assert (copy.title, copy.description, copy.age_group) == (quiz.title, quiz.description, quiz.age_group)
        assert copy.organisation == world.kirov_school
        assert _questions(copy) == _questions(quiz)
        assert len(_questions(copy)) >= 10
        # … and the imported quiz exports to the same file again.
        again = transfer.as_json(copy) if fmt == "json" else transfer.quiz_xlsx(copy)
        assert transfer.parse(f"again.{fmt}", again).questions == transfer.parse(f"quiz.{fmt}", data).questions


def _workbook(rows, *, title="Квиз про маркировку", age="10–11 классы", header=None):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    about = book.add_worksheet("Квиз")
    for r, (label, value) in enumerate((("Название", title), ("Описание", ""), ("Для кого", age))):
        about.write_string(r, 0, label)
        about.write_string(r, 1, value)
    sheet = book.add_worksheet("Вопросы")
    sheet.write_row(0, 0, header or transfer.COLUMNS)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    return out.getvalue()


def _row(kind, text, options=(), correct="", accepted="", target=None, tolerance=None, seconds=30, points=1000,
         explanation=""):
    opts = list(options) + [None] * (6 - len(options))
    return [kind, text, *opts, correct, accepted, target, tolerance, seconds, points, explanation]


def test_a_teachers_workbook_imports_every_type(world):
    data = _workbook([
        _row("Один верный ответ", "Что означает знак EAC?", ["Соответствие регламентам ЕАЭС", "Скидка"], "1"),
        _row("Несколько верных ответов", "Что есть на этикетке?", ["Состав", "Срок годности", "Отзывы"], "1, 2"),
        _row("Верно / неверно", "Обувь маркируют.", correct="Верно", seconds=20),
        _row("Ввести ответ", "Буква пищевых добавок?", accepted="Е; E"),
        _row("Расставить по порядку", "По убыванию доли", ["Молоко", "Сахар", "Закваска"], seconds=None),
        _row("Числовая оценка", "Цифр в EAN-13?", target="13", tolerance="2,5"),
        _row("Опрос (без баллов)", "Проверяли код?", ["Да", "Нет"]),
        [None] * 15,  # an empty row between questions is skipped
        _row("Слайд (только текст)", "Спасибо за игру!", seconds=None, points=None),
    ])
    quiz = services.import_quiz(actor=Actor(user=world.teacher), organisation=world.kirov_school, name="мой.xlsx",
                                data=data)
    got = _questions(quiz)
    assert [q["kind"] for q in got] == ["single", "multiple", "true_false", "typed", "ordering", "estimate", "poll",
                                        "slide"]
    assert got[0]["correct"] == [0]
    assert got[1]["correct"] == [0, 1]
    assert got[2]["options"] == ["Верно", "Неверно"]
    assert got[2]["correct"] == [0]
    assert got[3]["accepted"] == ["Е", "E"]
    assert got[4]["seconds"] is None
    assert got[4]["options"] == ["Молоко", "Сахар", "Закваска"]
    assert (got[5]["target"], got[5]["tolerance"]) == (13, 2.5)
    assert got[6]["points"] == 0
    assert quiz.age_group == "10_11"


def test_workbook_mistakes_are_listed_by_row_and_column_and_nothing_is_stored(world):
    data = _workbook([
        _row("Один верный ответ", "Кто присваивает Знак качества?", ["Роскачество", "Магазин"], "1, 2"),  # row 2
        _row("Загадка", "Что это?"),  # row 3: no such type
        _row("Несколько верных ответов", "Что проверяют?", ["Состав", "Вкус"], "3"),  # row 4
        _row("Верно / неверно", "Знак можно купить.", correct="может быть"),  # row 5
        _row("Один верный ответ", "", ["Да", "Нет"], "1"),  # row 6: no text
        _row("Один верный ответ", "Сколько?", ["Да", None, "Нет"], "1"),  # row 7: a gap in the options
        _row("Числовая оценка", "Год?", target="тысяча"),  # row 8
        _row("Один верный ответ", "Долго?", ["Да", "Нет"], "1", seconds=600),  # row 9
        _row("Ввести ответ", "Слово?"),  # row 10: no accepted answer
    ], age="детям")
    before = Quiz.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.import_quiz(actor=Actor(user=world.teacher), organisation=world.kirov_school, name="q.xlsx",
                             data=data)
    problems = exc.value.message_dict["file"]
    text = "\n".join(problems)
    assert Quiz.objects.count() == before
    for where, words in [
        ("Лист «Квиз», строка «Для кого» (ячейка B3)", "Выберите из списка"),
        ("Строка 2, «Верные» (столбец I)", "ровно один номер"),
        ("Строка 3, «Тип» (столбец A)", "Выберите тип из списка"),
        ("Строка 4, «Верные» (столбец I)", "от 1 до 2"),
        ("Строка 5, «Верные» (столбец I)", "«Верно» или «Неверно»"),
        ("Строка 6, «Вопрос» (столбец B)", "Напишите текст вопроса"),
        ("Строка 7, «Вариант 2» (столбец D)", "Пустой вариант"),
        ("Строка 8, «Верное число» (столбец K)", "должно быть число"),
        ("Строка 9, «Время, с» (столбец M)", "от 5 секунд до 4 минут"),
        ("Строка 10, «Принимаемые ответы» (столбец J)", "хотя бы один"),
    ]:
        assert any(p.startswith(where) and words in p for p in problems), (where, text)
    assert len(problems) == 10


@pytest.mark.parametrize(("name", "data", "words"), [
    ("q.xlsx", b"", "Файл пустой"),
    ("q.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "старого формата"),
    ("q.pdf", b"%PDF-1.4 hello", "XLSX (по шаблону) или JSON"),
    ("q.json", b"{not json", "повреждён"),
    ("q.json", b"{" + b'"a":[' * 200_000 + b"]" * 200_000 + b"}", "повреждён"),
    ("q.json", json.dumps({"title": "x"}).encode(), "не выгрузка квиза"),
    ("q.json", json.dumps({"format": "qualityweek-quiz", "version": 9}).encode(), "не поддерживается"),
    ("q.xlsx", b"PK\x03\x04broken", "повреждён"),
    ("q.xlsx", b"x" * (transfer.MAX_FILE_BYTES + 1), "больше 2 МБ"),
])
def test_unusable_files_get_one_clear_message(world, name, data, words):
    with pytest.raises(ValidationError) as exc:
        services.import_quiz(actor=Actor(user=world.teacher), organisation=world.kirov_school, name=name, data=data)
    assert words in " ".join(exc.value.message_dict["file"])


def test_a_zip_that_unpacks_to_too_much_is_refused(world):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/big.xml", b"\x00" * (transfer.MAX_UNPACKED_BYTES + 1))
    with pytest.raises(ValidationError) as exc:
        services.import_quiz(actor=Actor(user=world.teacher), organisation=world.kirov_school, name="q.xlsx",
                             data=out.getvalue())
    assert "слишком большой объём" in exc.value.message_dict["file"][0]


def test_a_workbook_without_the_questions_sheet_or_header(world):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.add_worksheet("Лист1").write(0, 0, "Вопрос")
    book.close()
    with pytest.raises(ValidationError) as exc:
        services.import_quiz(actor=Actor(user=world.teacher), organisation=world.kirov_school, name="q.xlsx",
                             data=out.getvalue())
    assert "нет листа «Вопросы»" in exc.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as exc:
        services.import_quiz(actor=Actor(user=world.teacher), organisation=world.kirov_school, name="q.xlsx",
                             data=_workbook([], header=["Что", "Где"]))
    assert "нет столбцов «Тип», «Вопрос»" in exc.value.message_dict["file"][0]


def test_json_with_wrong_types_is_reported_by_question_and_field(world):
    data = json.dumps({"format": "qualityweek-quiz", "version": 1, "title": "Квиз", "age_group": "5_9",
                       "questions": [
                           {"kind": "single", "text": "Да?", "options": ["Да", 5], "correct": [0]},
                           {"kind": "single", "text": "Да?", "options": ["Да", "Нет"], "correct": [7]},
                           {"kind": "typed", "text": "Слово?", "accepted": ["да"], "seconds": "долго"},
                           "вопрос",
                           {"kind": "estimate", "text": "Год?", "target": None},
                           {"kind": "single", "text": "Хорошо?", "options": ["Да", "Нет"], "correct": [True]},
                       ]}).encode()
    with pytest.raises(ValidationError) as exc:
        services.import_quiz(actor=Actor(user=world.teacher), organisation=world.kirov_school, name="q.json",
                             data=data)
    problems = exc.value.message_dict["file"]
    assert problems == [
        "Вопрос 1, поле «варианты»: Должно быть списком строк.",
        "Вопрос 2, поле «верные варианты»: Номера верных вариантов — от 0 до 1.",
        "Вопрос 3, поле «время»: Должно быть числом или null.",
        "Вопрос 4: Должен быть объектом с полями вопроса.",
        "Вопрос 5, поле «верное число»: Укажите верное число.",
        "Вопрос 6, поле «верные варианты»: Должно быть списком номеров (целых чисел с нуля).",
    ]


def test_only_authors_import(world):
    with pytest.raises(PermissionDenied):
        services.import_quiz(actor=Actor(user=world.kirov_edu), organisation=None, name="q.json", data=b"{}")


def test_the_pages_export_and_import_a_quiz(client, world, library):
    client.force_login(world.teacher)
    page = client.get(reverse("quiz_detail", args=[library[1].pk])).content.decode()
    assert reverse("quiz_export", args=[library[1].pk, "xlsx"]) in page
    xlsx = client.get(reverse("quiz_export", args=[library[1].pk, "xlsx"]))
    assert xlsx["Content-Type"] == transfer.XLSX_TYPE
    assert client.get(reverse("quiz_export", args=[library[1].pk, "pdf"])).status_code == 404
    template = client.get(reverse("quiz_import_template"))
    assert transfer.parse("t.xlsx", template.content).problems[0].where.startswith("Лист «Квиз»")  # no title yet

    response = client.post(reverse("quiz_import"), {"file": SimpleUploadedFile("Маркировка.xlsx", xlsx.content)})
    quiz = Quiz.objects.get(organisation=world.kirov_school, title=library[1].title)
    assert response.status_code == 302
    assert response["Location"] == reverse("quiz_detail", args=[quiz.pk])
    assert _questions(quiz) == _questions(library[1])

    bad = _workbook([_row("Загадка", "Что это?")])
    response = client.post(reverse("quiz_import"), {"file": SimpleUploadedFile("bad.xlsx", bad)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Строка 2, «Тип» (столбец A)" in page
    assert 'aria-invalid="true"' in page
    response = client.post(reverse("quiz_import"), {})
    assert response.status_code == 200
    assert "Выберите файл квиза." in response.content.decode()
