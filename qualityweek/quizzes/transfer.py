"""A quiz as a file and back: JSON (the full, exact form) and an XLSX workbook for teachers who write
in Excel (one row per question, a sheet with the quiz's title). Reading never trusts the file: size
and archive caps first, then every cell is parsed and checked, and each problem is reported in
Russian by row and column (XLSX) or by question and field (JSON). Nothing here writes to the
database: ``services.import_quiz`` validates each question as any other (``validate_question``)
and stores what ``parse`` returns, all or nothing.

The XLSX layout (also the template teachers download): sheet «Квиз» — «Название», «Описание»,
«Для кого» in column A with the values in column B; sheet «Вопросы» — a header row, then one
question per row: «Тип» (the Russian name of the type), «Вопрос», «Вариант 1»…«Вариант 6» (for
ordering: the items in the right order), «Верные» (the numbers of the right options: «1» or
«1, 3»; for «Верно / неверно»: «Верно» or «Неверно»), «Принимаемые ответы» (separated by «;»),
«Верное число», «Допуск», «Время, с» (empty: untimed), «Баллы», «Пояснение»."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from python_calamine import CalamineError, CalamineWorkbook

from . import engine
from .models import MAX_SECONDS, MIN_SECONDS, Question, Quiz

FORMAT, VERSION = "qualityweek-quiz", 1
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 30 * 1024 * 1024
MAX_ROWS = 500
MAX_OPTIONS = 6
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

QUIZ_SHEET, QUESTIONS_SHEET = "Квиз", "Вопросы"
COLUMNS = ["Тип", "Вопрос", *[f"Вариант {n}" for n in range(1, MAX_OPTIONS + 1)], "Верные",
           "Принимаемые ответы", "Верное число", "Допуск", "Время, с", "Баллы", "Пояснение"]
FIELD_COLUMN = {"kind": "Тип", "text": "Вопрос", "options": "Вариант 1", "correct": "Верные",
                "accepted": "Принимаемые ответы", "target": "Верное число", "tolerance": "Допуск",
                "seconds": "Время, с", "points": "Баллы", "explanation": "Пояснение"}
FIELD_LABEL = {"kind": "тип", "text": "вопрос", "options": "варианты", "correct": "верные варианты",
               "accepted": "принимаемые ответы", "target": "верное число", "tolerance": "допуск",
               "seconds": "время", "points": "баллы", "explanation": "пояснение"}
QUIZ_ROWS = {"Название": "title", "Описание": "description", "Для кого": "age_group"}
TRUE_WORDS = {"верно", "да", "true", "правда", "1"}
FALSE_WORDS = {"неверно", "нет", "false", "ложь", "2"}


class TransferError(Exception):
    """The whole file is unusable; the message is Russian and says what to do."""


@dataclass(frozen=True)
class Problem:
    where: str  # «Строка 5, «Верные» (столбец K)» or «Вопрос 3, поле «варианты»»
    message: str
    order: int = 0  # the row or question number, to list the problems in the file's order

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class ParsedQuiz:
    title: str = ""
    description: str = ""
    age_group: str = Quiz.AgeGroup.GRADES_5_9
    questions: list[dict[str, Any]] = field(default_factory=list)
    # Per question: its row or number, and field → where it is in the file.
    places: list[tuple[int, Callable[[str], str]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _kind_of(value: str) -> str | None:
    wanted = engine.normalise(value)
    for code, label in Question.Kind.choices:
        if wanted in (engine.normalise(code), engine.normalise(label)):
            return code
    return None


def _age_of(value: str) -> str | None:
    wanted = engine.normalise(value).replace("-", "–")
    for code, label in Quiz.AgeGroup.choices:
        if wanted in (engine.normalise(code), engine.normalise(label), engine.normalise(label).split(" ")[0]):
            return code
    return None


EXAMPLE: dict[str, Any] = {
    "kind": "single", "text": "Кто присваивает российский Знак качества?",
    "options": ["Роскачество", "Магазин", "Сам производитель"], "correct": [0], "accepted": [], "target": None,
    "tolerance": 0, "seconds": 30, "points": 1000, "explanation": "Знак присваивает Роскачество."}


# --- writing ---------------------------------------------------------------------------------------------

def question_data(question: Question) -> dict[str, Any]:
    return {"kind": question.kind, "text": question.text, "options": list(question.options),
            "correct": list(question.correct), "accepted": list(question.accepted), "target": question.target,
            "tolerance": question.tolerance, "seconds": question.seconds, "points": question.points,
            "explanation": question.explanation}


def as_json(quiz: Quiz) -> bytes:
    data = {"format": FORMAT, "version": VERSION, "title": quiz.title, "description": quiz.description,
            "age_group": quiz.age_group, "questions": [question_data(q) for q in quiz.questions.all()]}
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def _cells(q: dict[str, Any]) -> list[Any]:
    kind = q["kind"]
    options = [] if kind == engine.TRUE_FALSE else list(q["options"])
    if kind == engine.TRUE_FALSE:
        correct = "Верно" if q["correct"] == [0] else "Неверно"
    else:
        correct = ", ".join(str(i + 1) for i in q["correct"])
    return [dict(Question.Kind.choices)[kind], q["text"], *(options + [""] * MAX_OPTIONS)[:MAX_OPTIONS], correct,
            "; ".join(q["accepted"]), q["target"] if kind == engine.ESTIMATE else "",
            q["tolerance"] if kind == engine.ESTIMATE else "", q["seconds"] if q["seconds"] is not None else "",
            q["points"], q["explanation"]]


def as_xlsx(*, title: str, description: str, age_group: str, questions: list[dict[str, Any]]) -> bytes:
    """The workbook of a quiz (or, with no questions, the empty template with its hints)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(QUIZ_SHEET)
    for r, (label, value) in enumerate((("Название", title), ("Описание", description),
                                        ("Для кого", dict(Quiz.AgeGroup.choices).get(age_group, "")))):
        sheet.write_string(r, 0, label, bold)
        sheet.write_string(r, 1, value, wrap)
    sheet.data_validation(2, 1, 2, 1, {"validate": "list", "source": [label for _, label in Quiz.AgeGroup.choices]})
    sheet.write_string(4, 0, "Вопросы — на листе «Вопросы», по одному в строке.")
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 70)
    sheet = book.add_worksheet(QUESTIONS_SHEET)
    sheet.write_row(0, 0, COLUMNS, bold)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 50)
    sheet.set_column(2, 1 + MAX_OPTIONS, 22)
    sheet.set_column(2 + MAX_OPTIONS, len(COLUMNS) - 1, 14)
    sheet.data_validation(1, 0, MAX_ROWS, 0, {"validate": "list",
                                              "source": [label for _, label in Question.Kind.choices]})
    # The empty template shows one example row (replace it with your own questions).
    for r, q in enumerate(questions or [EXAMPLE], start=1):
        for c, value in enumerate(_cells(q)):
            if isinstance(value, str):
                sheet.write_string(r, c, value, wrap)
            else:
                sheet.write_number(r, c, value)
    book.close()
    return out.getvalue()


def quiz_xlsx(quiz: Quiz) -> bytes:
    return as_xlsx(title=quiz.title, description=quiz.description, age_group=quiz.age_group,
                   questions=[question_data(q) for q in quiz.questions.all()])


# --- reading -------------------------------------------------------------------------------------------

def parse(name: str, data: bytes) -> ParsedQuiz:
    """A quiz from an uploaded file, by its content (the name only breaks ties)."""
    if not data:
        raise TransferError("Файл пустой: выберите файл квиза (XLSX или JSON).")
    if len(data) > MAX_FILE_BYTES:
        raise TransferError(f"Файл больше {MAX_FILE_BYTES // (1024 * 1024)} МБ: для квиза это слишком много. "
                            "Проверьте, тот ли это файл.")
    if data.startswith(b"PK\x03\x04"):
        return parse_xlsx(data)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return parse_json(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TransferError("Это файл старого формата Excel (.xls): откройте его в Excel и сохраните как "
                            "«Книга Excel (.xlsx)».")
    raise TransferError("Загрузите квиз в формате XLSX (по шаблону) или JSON (выгрузка квиза с платформы).")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number(value: Any) -> float | None:
    """A number from a cell: a number, or text with a comma or spaces; ValueError when it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        return float(value)
    cleaned = re.sub(r"[\s\u00a0]", "", str(value)).replace(",", ".")
    number = float(cleaned)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError
    return number


def _add(parsed: ParsedQuiz, q: dict[str, Any], order: int, where: Callable[[str], str]) -> None:
    """A question that passed the file's own checks; ``where(field)`` names its place in the file for
    the service's validation messages (services.import_quiz)."""
    parsed.questions.append(q)
    parsed.places.append((order, where))


def _zip_ok(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TransferError("Файл повреждён или это не книга Excel (.xlsx): откройте его в Excel и сохраните "
                            "заново.") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > 200 or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
            raise TransferError("Книга Excel распаковывается в слишком большой объём: это не шаблон квиза.")
        if "[Content_Types].xml" not in {i.filename for i in infos}:
            raise TransferError("Это архив, но не книга Excel (.xlsx): загрузите квиз по шаблону.")


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def parse_xlsx(data: bytes) -> ParsedQuiz:  # noqa: C901 - one check per part of the workbook
    _zip_ok(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
        if QUESTIONS_SHEET not in names:
            raise TransferError(f"В книге нет листа «{QUESTIONS_SHEET}»: скачайте шаблон и заполните его.")
        about = _grid(book, QUIZ_SHEET, 10) if QUIZ_SHEET in names else []
        sheet = book.get_sheet_by_name(QUESTIONS_SHEET)
        if sheet.height > MAX_ROWS + 1:
            raise TransferError(f"В квизе не больше {MAX_ROWS} вопросов.")
        questions = _grid(book, QUESTIONS_SHEET, MAX_ROWS + 1)
    except TransferError:
        raise
    except (CalamineError, ValueError, OSError, RuntimeError):
        raise TransferError("Не удалось прочитать книгу Excel: откройте её в Excel и сохраните заново как "
                            "«Книга Excel (.xlsx)».") from None
    parsed = ParsedQuiz()
    for row in about:
        label, value = (_text(row[0]) if row else ""), (_text(row[1]) if len(row) > 1 else "")
        if label in QUIZ_ROWS:
            setattr(parsed, QUIZ_ROWS[label], value)
    if not parsed.title:
        parsed.problems.append(Problem(f"Лист «{QUIZ_SHEET}», строка «Название» (ячейка B1)",
                                       "Укажите название квиза."))
    elif len(parsed.title) > 200:
        parsed.problems.append(Problem(f"Лист «{QUIZ_SHEET}», ячейка B1", "Название — не длиннее 200 символов."))
    age = _age_of(parsed.age_group) if parsed.age_group else Quiz.AgeGroup.GRADES_5_9
    if age is None:
        parsed.problems.append(Problem(f"Лист «{QUIZ_SHEET}», строка «Для кого» (ячейка B3)",
                                       "Выберите из списка: " + ", ".join(lbl for _, lbl in Quiz.AgeGroup.choices)
                                       + "."))
    else:
        parsed.age_group = age
    header = [_text(v) for v in (questions[0] if questions else [])]
    missing = [c for c in ("Тип", "Вопрос") if c not in header]
    if missing:
        raise TransferError(f"На листе «{QUESTIONS_SHEET}» в первой строке нет столбцов "
                            + ", ".join(f"«{c}»" for c in missing) + ": скачайте шаблон и заполните его.")
    at = {name: header.index(name) for name in COLUMNS if name in header}
    for number, row in enumerate(questions[1:], start=2):
        cells = {name: (row[i] if i < len(row) else None) for name, i in at.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue
        _xlsx_row(parsed, number, cells, at)
    if not parsed.questions and not parsed.problems:
        parsed.problems.append(Problem(f"Лист «{QUESTIONS_SHEET}»", "Нет ни одного вопроса: заполните строки "
                                                                    "под заголовком."))
    return parsed


def _grid(book: Any, name: str, limit: int) -> list[list[Any]]:
    """The sheet's rows from A1 (calamine starts at the first used cell), at most ``limit`` of them."""
    sheet = book.get_sheet_by_name(name)
    rows = sheet.to_python(nrows=limit)
    top, left = sheet.start or (0, 0)
    return [[] for _ in range(top)] + [[None] * left + list(row) for row in rows][: max(limit - top, 0)]


def _xlsx_row(parsed: ParsedQuiz, number: int, cells: dict[str, Any], at: dict[str, int]) -> None:  # noqa: C901
    def where(column: str) -> str:
        letter = f" (столбец {_column_letter(at[column])})" if column in at else ""
        return f"Строка {number}, «{column}»{letter}"

    before = len(parsed.problems)

    def problem(column: str, message: str) -> None:
        parsed.problems.append(Problem(where(column), message, number))

    kind = _kind_of(_text(cells.get("Тип")))
    if kind is None:
        problem("Тип", "Выберите тип из списка: " + ", ".join(f"«{lbl}»" for _, lbl in Question.Kind.choices) + ".")
        return
    options = [_text(cells.get(f"Вариант {n}")) for n in range(1, MAX_OPTIONS + 1)]
    while options and not options[-1]:
        options.pop()
    if kind in (*engine.CHOICE_KINDS, engine.ORDERING) and kind != engine.TRUE_FALSE:
        if "" in options:
            problem(f"Вариант {options.index('') + 1}", "Пустой вариант между заполненными: заполните его или "
                                                       "сдвиньте варианты влево.")
        elif len(options) < 2:
            problem("Вариант 1", f"Заполните от 2 до {MAX_OPTIONS} вариантов (столбцы «Вариант 1»–«Вариант "
                                 f"{MAX_OPTIONS}»).")
    correct: list[int] = []
    said = _text(cells.get("Верные"))
    if kind == engine.TRUE_FALSE:
        word = engine.normalise(said)
        if word in TRUE_WORDS:
            correct = [0]
        elif word in FALSE_WORDS:
            correct = [1]
        else:
            problem("Верные", "Напишите «Верно» или «Неверно».")
    elif kind in (engine.SINGLE, engine.MULTIPLE):
        parts = [p for p in re.split(r"[,;\s]+", said) if p]
        if not parts:
            problem("Верные", "Укажите номер верного варианта (например, «1»)" if kind == engine.SINGLE
                    else "Укажите номера верных вариантов через запятую (например, «1, 3»).")
        elif not all(p.isdigit() and 1 <= int(p) <= max(len(options), 1) for p in parts):
            problem("Верные", f"Номера вариантов — числа от 1 до {max(len(options), 1)} через запятую.")
        else:
            correct = sorted({int(p) - 1 for p in parts})
            if kind == engine.SINGLE and len(correct) != 1:
                problem("Верные", "В вопросе с одним верным ответом укажите ровно один номер.")
    elif said and kind in (engine.POLL, engine.ORDERING, engine.SLIDE):
        problem("Верные", "Для этого типа столбец «Верные» оставьте пустым" +
                (" (пункты — сразу в верном порядке)." if kind == engine.ORDERING else "."))
    values: dict[str, Any] = {}
    for column, name in (("Верное число", "target"), ("Допуск", "tolerance"), ("Время, с", "seconds"),
                         ("Баллы", "points")):
        try:
            values[name] = _number(cells.get(column))
        except (TypeError, ValueError):
            problem(column, "Здесь должно быть число.")
            values[name] = None
    seconds = values["seconds"]
    if seconds is not None and not seconds.is_integer():
        problem("Время, с", f"Время — целое число секунд от {MIN_SECONDS} до {MAX_SECONDS}.")
    points = values["points"]
    if len(parsed.problems) > before:
        return
    q = {"kind": kind, "text": _text(cells.get("Вопрос")), "options": options, "correct": correct,
         "accepted": [a.strip() for a in re.split(r"[;\n]", _text(cells.get("Принимаемые ответы"))) if a.strip()],
         "target": values["target"], "tolerance": values["tolerance"] or 0,
         "seconds": int(seconds) if seconds is not None else None,
         "points": 0 if kind in engine.UNSCORED else (int(points) if points is not None and points.is_integer()
                                                      else 1000 if points is None else -1),
         "explanation": _text(cells.get("Пояснение"))}
    _add(parsed, q, number, lambda name: where(FIELD_COLUMN.get(name, "Вопрос")))


def parse_json(data: bytes) -> ParsedQuiz:  # noqa: C901 - one check per field
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: nesting a thousand levels deep
        raise TransferError("Файл JSON повреждён: выгрузите квиз с платформы заново.") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise TransferError("Это не выгрузка квиза с платформы (в файле нет «format»: «qualityweek-quiz»).")
    if raw.get("version") != VERSION:
        raise TransferError(f"Версия файла {raw.get('version')!r} не поддерживается: нужна {VERSION}.")
    parsed = ParsedQuiz()
    for name in ("title", "description", "age_group"):
        value = raw.get(name, "")
        if not isinstance(value, str):
            parsed.problems.append(Problem(f"Поле «{name}»", "Должно быть строкой."))
            value = ""
        setattr(parsed, name, value.strip())
    if not parsed.title:
        parsed.problems.append(Problem("Поле «title»", "Укажите название квиза."))
    elif len(parsed.title) > 200:
        parsed.problems.append(Problem("Поле «title»", "Название — не длиннее 200 символов."))
    if parsed.age_group not in Quiz.AgeGroup.values:
        parsed.problems.append(Problem("Поле «age_group»", "Возраст — один из: " + ", ".join(Quiz.AgeGroup.values)))
    questions = raw.get("questions")
    if not isinstance(questions, list) or not questions:
        parsed.problems.append(Problem("Поле «questions»", "Нужен непустой список вопросов."))
        return parsed
    if len(questions) > MAX_ROWS:
        raise TransferError(f"В квизе не больше {MAX_ROWS} вопросов.")
    for number, item in enumerate(questions, start=1):
        def where(name: str, number: int = number) -> str:
            return f"Вопрос {number}, поле «{FIELD_LABEL.get(name, name)}»"

        if not isinstance(item, dict):
            parsed.problems.append(Problem(f"Вопрос {number}", "Должен быть объектом с полями вопроса.", number))
            continue
        q: dict[str, Any] = {}
        broken = False
        for name, kinds in (("kind", str), ("text", str), ("explanation", str)):
            value = item.get(name, "")
            if not isinstance(value, kinds):
                parsed.problems.append(Problem(where(name), "Должно быть строкой.", number))
                broken = True
            q[name] = value if isinstance(value, str) else ""
        for name, of in (("options", str), ("accepted", str), ("correct", int)):
            value = item.get(name, [])
            if not isinstance(value, list) or not all(isinstance(v, of) and not isinstance(v, bool) for v in value):
                parsed.problems.append(Problem(where(name), "Должно быть списком " +
                                               ("строк." if of is str else "номеров (целых чисел с нуля)."), number))
                broken = True
                value = []
            q[name] = value
        for name, nullable in (("target", True), ("tolerance", False), ("seconds", True), ("points", False)):
            value = item.get(name, None if nullable else (1000 if name == "points" else 0))
            ok = (value is None and nullable) or (isinstance(value, int | float) and not isinstance(value, bool))
            if name in ("seconds", "points") and isinstance(value, float):
                ok = ok and value.is_integer()
                value = int(value) if ok else value
            if not ok:
                parsed.problems.append(Problem(where(name), "Должно быть числом" + (" или null." if nullable else "."),
                                               number))
                broken = True
            q[name] = value
        if broken:
            continue
        if q["kind"] in (engine.SINGLE, engine.MULTIPLE, engine.TRUE_FALSE):
            size = 2 if q["kind"] == engine.TRUE_FALSE else len(q["options"])
            if any(not 0 <= i < size for i in q["correct"]):
                parsed.problems.append(Problem(where("correct"), f"Номера верных вариантов — от 0 до {size - 1}.",
                                               number))
                continue
            if q["kind"] in (engine.SINGLE, engine.TRUE_FALSE) and len(set(q["correct"])) != 1:
                parsed.problems.append(Problem(where("correct"), "Нужен ровно один верный вариант.", number))
                continue
            if q["kind"] == engine.MULTIPLE and not q["correct"]:
                parsed.problems.append(Problem(where("correct"), "Укажите хотя бы один верный вариант.", number))
                continue
        _add(parsed, q, number, where)
    return parsed
