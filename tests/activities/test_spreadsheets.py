"""Parsing and validating import spreadsheets: headers, dates, counts, nasty files, scoping."""

from __future__ import annotations

import datetime as dt

import pytest

from qualityweek.activities.imports import cells, headers, workbook
from qualityweek.activities.imports import rows as validation
from qualityweek.activities.imports.problems import SpreadsheetError, ValueProblem
from qualityweek.activities.models import Activity
from tests import factories as f

from .files import HEADERS, csv_bytes, lying_zip, not_a_zip_xlsx, plain_zip, row, xls_ole, xlsx, zip_bomb

# --- headers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "key"), [
    ("ИНН организации", "inn"), ("  инн ", "inn"), ("ИНН", "inn"), ("ИНН ОО", "inn"),
    ("Организация", "organisation"), ("Наименование организации", "organisation"),
    ("НАИМЕНОВАНИЕ  ОРГАНИЗАЦИИ", "organisation"), ("Образовательная организация", "organisation"),
    ("Тип мероприятия", "type"), ("тип  мероприятия:", "type"), ("Вид мероприятия", "type"),
    ("Название мероприятия", "title"), ("Наименование мероприятия", "title"), ("Тема", "title"),
    ("Дата начала", "starts_on"), ("Дата проведения", "starts_on"), ("дата", "starts_on"), ("Дата.", "starts_on"),
    ("Дата окончания", "ends_on"), ("Формат проведения", "format"), ("Формат", "format"),
    ("Учащиеся 1–4 классов", "pupils_1_4"), ("Учащиеся 1-4 классов", "pupils_1_4"),
    ("Количество учащихся 5-9 классов", "pupils_5_9"), ("Обучающиеся 10 – 11 классов", "pupils_10_11"),
    ("10-11 классы", "pupils_10_11"), ("Студенты колледжей", "students"), ("Педагогов, чел.", "teachers"),
    ("Родители (законные представители)", "parents"), ("Кол-во сотрудников", "employees"),
    ("Клиенты и посетители", "customers"), ("Клиенты/посетители", "customers"),
    ("Ссылки на публикации", "links"), ("Ссылка", "links"), ("Описание мероприятия", "description"),
    ("Показывать в афише", "is_public"), ("ПУБЛИЧНОЕ", "is_public"),
])
def test_headers_are_matched_leniently(header, key):
    assert headers.header_key(header) == key


@pytest.mark.parametrize("header", ["Погода", "", "   ", "Всего участников", "Населённый пункт"])
def test_unknown_headers_are_not_guessed(header):
    assert headers.header_key(header) is None


def test_normalise_ignores_case_yo_punctuation_and_spaces():
    assert cells.normalise("  Учащиеся\u00a01–4  КЛАССОВ!") == "учащиеся 1 4 классов"
    assert cells.normalise("Ёлочка «Зелёная»") == cells.normalise("елочка зеленая")


def test_header_row_below_a_title_and_unknown_columns_are_noted():
    rows = [["Отчёт Кировской области о Неделе качества"], [],
            ["№", "ИНН", "Вид мероприятия", "Тема", "Дата проведения", "Погода", "Населенный пункт"]]
    hmap = headers.match_headers(rows)
    assert hmap.row == 3
    assert hmap.index == {"inn": 1, "type": 2, "title": 3, "starts_on": 4}
    assert hmap.headers["starts_on"] == "Дата проведения"
    assert hmap.letters["starts_on"] == "E"
    assert hmap.unknown == ["«Погода» (F)"]  # «№» and «Населённый пункт» are known columns to skip


def test_wrong_headers_are_refused_with_what_was_found():
    with pytest.raises(SpreadsheetError, match=r"Не найдена строка заголовков.*«Фамилия»"):
        headers.match_headers([["Фамилия", "Имя", "Класс"], ["Иванов", "Иван", "5А"]])


def test_missing_required_columns_are_named():
    with pytest.raises(SpreadsheetError, match="нет обязательного столбца: «Дата начала»"):
        headers.match_headers([["ИНН", "Тип мероприятия", "Название мероприятия", "Формат"]])
    with pytest.raises(SpreadsheetError, match="«ИНН организации» или «Организация»"):
        headers.match_headers([["Тип мероприятия", "Название мероприятия", "Дата"]])


def test_two_columns_meaning_the_same_are_refused():
    with pytest.raises(SpreadsheetError, match="«Дата» \\(C\\) и «Дата проведения» \\(D\\) означают одно и то же"):
        headers.match_headers([["ИНН", "Тип", "Дата", "Дата проведения", "Название"]])


def test_column_letters():
    assert [headers.column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


# --- dates ---------------------------------------------------------------------------------------------

NOV14 = dt.date(2026, 11, 14)


@pytest.mark.parametrize("value", [
    NOV14, dt.datetime(2026, 11, 14, 10, 30),  # noqa: DTZ001 - a spreadsheet cell holds a naive date-time
    46340, 46340.0, 46340.5, "46340",
    "14.11.2026", "14.11.26", "14/11/2026", "14.11.2026 ", "2026-11-14", "2026-11-14 00:00:00", "2026-11-14T09:00",
    "14 ноября 2026", "14 ноября 2026 г.", "14 ноября 2026г", "14 ноября 2026 года", "14 Ноября 2026",
    "14\u00a0ноября\u00a02026\u00a0г.", "14 нояб. 2026", "14 ноя 2026",
])
def test_every_date_format_is_understood(value):
    assert cells.parse_dates(value) == (NOV14, None)


@pytest.mark.parametrize(("value", "start", "end"), [
    ("14–15.11.2026", NOV14, dt.date(2026, 11, 15)),
    ("9-15 ноября 2026 г.", dt.date(2026, 11, 9), dt.date(2026, 11, 15)),
    ("14.11.2026 - 15.11.2026", NOV14, dt.date(2026, 11, 15)),
    ("с 14.11 по 16.11.2026", NOV14, dt.date(2026, 11, 16)),
    ("31 октября – 2 ноября 2026", dt.date(2026, 10, 31), dt.date(2026, 11, 2)),
])
def test_date_ranges_in_one_cell(value, start, end):
    assert cells.parse_dates(value) == (start, end)


@pytest.mark.parametrize(("value", "message"), [
    ("31.02.2026", "Такой даты нет"), ("середина ноября", "Не удалось распознать дату"),
    ("14 брюмера 2026", "Не удалось распознать дату"), (15, "не похоже на дату"), (True, "не похоже на дату"),
    ("2026-13-01", "Такой даты нет"),
])
def test_bad_dates_get_a_russian_message(value, message):
    with pytest.raises(ValueProblem, match=message):
        cells.parse_dates(value)


def test_empty_date_is_none():
    assert cells.parse_dates("") is None
    assert cells.parse_dates(None) is None
    assert cells.parse_dates("  ") is None


# --- other values --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "count"), [
    ("", 0), (None, 0), (0, 0), (15, 15), (15.0, 15), ("15", 15), (" 1 500 ", 1500), ("1\u00a0500", 1500),
    ("-", 0), ("—", 0), ("-3", -3), (-3.0, -3), ("12,0", 12),
])
def test_counts(value, count):
    assert cells.parse_count(value) == count


@pytest.mark.parametrize(("value", "message"), [
    (12.5, "целым"), ("12,5", "целым"), ("много", "не число"), (True, "не число"), (NOV14, "не число"),
])
def test_bad_counts(value, message):
    with pytest.raises(ValueProblem, match=message):
        cells.parse_count(value)


def test_inn_keeps_leading_zero_excel_dropped():
    assert cells.parse_inn(434500000.0) == "0434500000"
    assert cells.parse_inn("4345 000 000") == "4345000000"
    assert cells.parse_inn("") == ""
    with pytest.raises(ValueProblem, match="10 или 12 цифр"):
        cells.parse_inn("12345")
    with pytest.raises(ValueProblem, match="только из цифр"):
        cells.parse_inn("ИНН 4345")


def test_flags_formats_and_links():
    assert [cells.parse_flag(v) for v in ("да", "Нет", "", "+", 1, True, "x")] == [True, False, False, True, True, True,
                                                                             True]
    with pytest.raises(ValueProblem, match="«да» или «нет»"):
        cells.parse_flag("может быть")
    assert [cells.parse_format(v) for v in ("", "Очно", "онлайн", "дистанционно", "Гибридно", "очно-онлайн")] == [
        "in_person", "in_person", "online", "online", "hybrid", "hybrid"]
    with pytest.raises(ValueProblem, match="очно"):
        cells.parse_format("по телефону")
    assert cells.split_links("https://a.ru/1 https://b.ru/2;\nwww.c.ru/3") == [
        "https://a.ru/1", "https://b.ru/2", "https://www.c.ru/3"]


def test_import_key_ignores_title_case_and_spacing():
    assert cells.import_key(1, 2, NOV14, NOV14, "Урок  качества") == \
        cells.import_key(1, 2, NOV14, NOV14, "урок качества!")
    assert cells.import_key(1, 2, NOV14, NOV14, "Урок") != cells.import_key(1, 3, NOV14, NOV14, "Урок")


# --- nasty files at upload -----------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "data", "message"), [
    ("отчёт.xlsx", not_a_zip_xlsx(), "не книга Excel"),
    ("отчёт.xlsx", xls_ole(), "старого формата Excel"),
    ("отчёт.xlsx", plain_zip(), "не книга Excel"),
    ("отчёт.xlsx", b"PK\x03\x04broken", "повреждён"),
    ("отчёт.csv", xlsx([HEADERS]), "это архив"),
    ("фото.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "Это не таблица"),
    ("отчёт.pdf", b"%PDF-1.7", "Это не таблица"),
    ("отчёт.docx", "просто текст".encode(), "Поддерживаются файлы XLSX и CSV"),
    ("пусто.xlsx", b"", "Файл пуст"),
])
def test_files_that_are_not_spreadsheets_are_refused(name, data, message):
    with pytest.raises(SpreadsheetError, match=message):
        workbook.check_upload(name, data)


def test_zip_bomb_is_refused_before_parsing():
    with pytest.raises(SpreadsheetError, match="распакованном виде занимает 300 МБ"):
        workbook.check_upload("bomb.xlsx", zip_bomb(300))
    with pytest.raises(SpreadsheetError, match="zip-бомбу"):
        workbook.check_upload("bomb.xlsx", zip_bomb(50))  # small enough in total, but a 1000:1 ratio


def test_zip_that_lies_about_its_sizes_is_refused():
    with pytest.raises(SpreadsheetError, match="повреждён"):
        workbook.check_upload("liar.xlsx", lying_zip())


def test_oversized_upload_is_refused(monkeypatch):
    monkeypatch.setattr(workbook, "MAX_UPLOAD_BYTES", 2**20)
    with pytest.raises(SpreadsheetError, match=r"Файл больше 1 МБ\. Разбейте таблицу"):
        workbook.check_upload("big.csv", b"a;b\n" * 300_000)


def test_real_xlsx_and_csv_are_accepted():
    assert workbook.check_upload("a.xlsx", xlsx([HEADERS])) == "xlsx"
    assert workbook.check_upload("a.csv", csv_bytes([HEADERS])) == "csv"
    assert workbook.check_upload("без расширения", csv_bytes([HEADERS])) == "csv"


def test_csv_encodings_and_separators():
    rows = [HEADERS, row(organisation="Школа «Ёлочка»", title="Урок")]
    for encoding in ("utf-8", "utf-8-sig", "cp1251"):
        for delimiter in (";", ",", "\t"):
            sheet = workbook.read_csv(csv_bytes(rows, encoding=encoding, delimiter=delimiter))
            assert sheet.rows[0] == HEADERS, (encoding, delimiter)
            assert sheet.rows[1][1] == "Школа «Ёлочка»", (encoding, delimiter)


def test_merged_cells_are_found():
    sheet = workbook.read_xlsx(xlsx([HEADERS, row(inn="4345000000"), row(), row()], merge=["A2:A4"]))
    assert sheet.merged == ["A2:A4"]


# --- validation against the registry -------------------------------------------------------------------


@pytest.fixture
def validator(world, campaign):
    from qualityweek.campaigns.models import Campaign

    c = Campaign.objects.prefetch_related("windows").get(pk=campaign.pk)
    return validation.Validator(campaign=c, region=world.kirov_school.region, sector="education")


def good(world, campaign, **over):
    values = dict(inn=world.kirov_school.inn, type="Урок качества", title="Урок качества для 5 классов",
                  starts_on=campaign.quality_day, pupils_5_9=75, teachers=3,
                  links="https://school1.example.ru/news/1", description="Провели урок.")
    return row(**(values | over))


def errors_of(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def test_ten_rows_two_bad_give_exactly_two_errors(world, campaign, validator):
    rows = [HEADERS] + [good(world, campaign, title=f"Урок качества № {i}") for i in range(10)]
    rows[4] = good(world, campaign, title="Урок качества № 3", pupils_5_9=-5)
    rows[8] = good(world, campaign, title="Урок качества № 7", starts_on="середина ноября")
    result = validator.validate(workbook.read_xlsx(xlsx(rows)))
    assert result.rows_total == 10
    assert len(result.valid) == 8
    assert [(e.row, e.column, e.cell) for e in result.errors] == [
        (5, "Учащиеся 5–9 классов", "I5"), (9, "Дата начала", "E9")]
    assert "отрицательным" in result.errors[0].message
    assert "Не удалось распознать дату «середина ноября»" in result.errors[1].message


def test_every_import_check_reports_row_and_column(world, campaign):
    day = campaign.quality_day
    f.organisation("43", name="Гимназия № 5", inn="", municipality="Киров")
    f.organisation("43", name="Гимназия № 5", inn="", municipality="Слободской")
    f.organisation("43", name="Лицей № 9", status="closed")
    validator = validation.Validator(campaign=campaign, region=world.kirov_school.region, sector="education")
    rows = [
        HEADERS,
        good(world, campaign, inn="7707083893"),                                          # 2 unknown INN
        good(world, campaign, inn=world.moscow_school.inn),                              # 3 other region
        good(world, campaign, inn=world.kirov_company.inn),                              # 4 other sector
        good(world, campaign, inn="", organisation="Гимназия № 5"),                      # 5 ambiguous name
        good(world, campaign, inn="", organisation="Лицей № 9"),                         # 6 closed
        good(world, campaign, type="Дегустация вин"),                                    # 7 unknown type
        good(world, campaign, type="День открытых дверей", title="ДОД"),                 # 8 valid
        good(world, campaign, type="Экскурсия на производство"),                         # 9 business type
        good(world, campaign, starts_on=day - dt.timedelta(days=60)),                    # 10 outside campaign
        good(world, campaign, title=""),                                                 # 11 missing title
        good(world, campaign, starts_on=""),                                             # 12 missing date
        good(world, campaign, pupils_5_9=250_000),                                       # 13 absurd
        good(world, campaign, pupils_5_9="много"),                                       # 14 non-numeric
        good(world, campaign, employees=5),                                              # 15 category not for type
        good(world, campaign, pupils_5_9=0, teachers=0),                                 # 16 nobody
        good(world, campaign, description="", links=""),                                 # 17 no evidence
        good(world, campaign, links="vk.com/school"),                                    # 18 bad link
        good(world, campaign, ends_on=day - dt.timedelta(days=1)),                       # 19 end before start
        good(world, campaign, title="Повтор"),                                           # 20 valid
        good(world, campaign, title="  повтор "),                                        # 21 duplicate of 20
        good(world, campaign, format="по радио"),                                        # 22 bad format
        good(world, campaign, is_public="возможно"),                                     # 23 bad flag
        good(world, campaign, pupils_5_9=2000),                                          # 24 more than the school
    ]
    result = validator.validate(workbook.read_xlsx(xlsx(rows)))
    got = {(e.row, e.column): e.message for e in result.errors}
    expected = {
        (2, "ИНН организации"): "не найдена в реестре",
        (3, "ИНН организации"): "относится к региону «Москва»",
        (4, "ИНН организации"): "относится к сфере «бизнес»",
        (5, "Организация"): "несколько организаций",
        (6, "Организация"): "не подтверждена",
        (7, "Тип мероприятия"): "не найден в справочнике",
        (9, "Тип мероприятия"): "не предназначен для сферы",
        (10, "Дата начала"): "вне сроков кампании",
        (11, "Название мероприятия"): "Укажите название",
        (12, "Дата начала"): "Укажите дату начала",
        (13, "Учащиеся 5–9 классов"): "Слишком большое число",
        (14, "Учащиеся 5–9 классов"): "не число",
        (15, "Сотрудники"): "не учитывается",
        (16, "Учащиеся 1–4 классов"): "хотя бы в одной категории",
        (17, "Описание"): "ссылку на публикацию",
        (18, "Ссылки на публикации"): "не похожа на адрес",
        (19, "Дата окончания"): "раньше начала",
        (21, "Название мероприятия"): "повторяет строку 20",
        (22, "Формат"): "не распознан",
        (23, "Показывать в афише"): "«да» или «нет»",
        (24, "Учащиеся 5–9 классов"): "больше чем вдвое",
    }
    for where, fragment in expected.items():
        assert where in got, (where, errors_of(result))
        assert fragment in got[where], (where, got[where])
    assert set(got) == set(expected), errors_of(result)
    assert [c.row for c in result.valid] == [8, 20]


def test_names_are_matched_leniently_within_the_scope(world, campaign, validator):
    rows = [HEADERS,
            good(world, campaign, inn="", organisation="мбоу  сош № 1 г. кирова"),
            good(world, campaign, inn="", organisation=world.moscow_school.name),
            good(world, campaign, inn="", organisation=world.kirov_company.name)]
    result = validator.validate(workbook.read_xlsx(xlsx(rows)))
    assert [r.organisation_id for r in result.valid] == [world.kirov_school.pk]
    assert [(e.row, e.column) for e in result.errors] == [(3, "Организация"), (4, "Организация")]
    assert "к региону «Москва»" in result.errors[0].message
    assert "к сфере «бизнес»" in result.errors[1].message


def test_activity_not_yet_held_is_refused(world, campaign, validator):
    from django.utils import timezone

    from qualityweek.campaigns.models import RegionalWindow

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    RegionalWindow.objects.create(campaign=campaign, region=world.kirov_school.region, ends_on=tomorrow)
    from qualityweek.campaigns.models import Campaign

    c = Campaign.objects.prefetch_related("windows").get(pk=campaign.pk)
    v = validation.Validator(campaign=c, region=world.kirov_school.region, sector="education")
    result = v.validate(workbook.read_xlsx(xlsx([HEADERS, good(world, campaign, ends_on=tomorrow)])))
    assert [(e.row, e.column) for e in result.errors] == [(2, "Дата окончания")]
    assert "ещё не прошло" in result.errors[0].message


def test_lenient_types_codes_and_text_dates(world, campaign, validator):
    day = campaign.quality_day
    rows = [HEADERS,
            good(world, campaign, type="урок КАЧЕСТВА", title="1", starts_on=f"{day:%d.%m.%Y}"),
            good(world, campaign, type="quality_lesson", title="2", starts_on=day.isoformat()),
            good(world, campaign, type="Классный час", title="3", starts_on=(day - cells.EXCEL_EPOCH).days),
            good(world, campaign, type="Размещение баннера", title="4", teachers=0, pupils_5_9=0,
                 starts_on=f"{day.day} ноября {day.year} г." if day.month == 11 else day)]
    result = validator.validate(workbook.read_xlsx(xlsx(rows)))
    assert not result.errors, errors_of(result)
    assert [r.type_id for r in result.valid][:2] == [result.valid[0].type_id] * 2
    assert all(r.starts_on == day == r.ends_on for r in result.valid)


def test_empty_rows_are_skipped_and_numbering_follows_excel(world, campaign, validator):
    rows = [HEADERS, good(world, campaign, title="A"), row(), ["", "  ", None],
            good(world, campaign, title="B", pupils_5_9="x")]
    result = validator.validate(workbook.read_xlsx(xlsx(rows, start_row=2, title="Сведения о мероприятиях")))
    assert result.rows_total == 2
    assert [(e.row, e.column) for e in result.errors] == [(7, "Учащиеся 5–9 классов")]
    assert [r.row for r in result.valid] == [4]


def test_formula_cells_use_their_values(world, campaign, validator):
    rows = [HEADERS, good(world, campaign)]
    data = xlsx(rows, formulas={"I2": ("=50+25", 75), "C2": ('="Урок "&"качества"', "Урок качества")})
    result = validator.validate(workbook.read_xlsx(data))
    assert not result.errors, errors_of(result)
    assert result.valid[0].counts["pupils_5_9"] == 75


def test_merged_cells_refuse_the_file(world, campaign, validator):
    rows = [HEADERS, good(world, campaign, title="A"), good(world, campaign, title="B")]
    with pytest.raises(SpreadsheetError, match="объединённые ячейки \\(A2:A3\\)"):
        validator.validate(workbook.read_xlsx(xlsx(rows, merge=["A2:A3"])))


def test_csv_cp1251_with_commas_validates(world, campaign, validator):
    rows = [HEADERS, good(world, campaign, organisation="МБОУ СОШ № 1 г. Кирова", inn="")]
    result = validator.validate(workbook.read_csv(csv_bytes(rows, encoding="cp1251", delimiter=",")))
    assert not result.errors, errors_of(result)
    assert result.valid[0].organisation_id == world.kirov_school.pk


def test_header_only_file_is_refused(world, campaign, validator):
    with pytest.raises(SpreadsheetError, match="нет ни одной строки с данными"):
        validator.validate(workbook.read_xlsx(xlsx([HEADERS, row(), row()])))


def test_fifty_thousand_rows_validate(world, campaign, validator):
    base = good(world, campaign)
    title = HEADERS.index("Название мероприятия")
    rows = [HEADERS]
    for i in range(50_000):
        r = list(base)
        r[title] = f"Урок качества № {i}"
        rows.append(r)
    data = xlsx(rows)
    assert workbook.check_upload("50000.xlsx", data) == "xlsx"
    result = validator.validate(workbook.read_xlsx(data))
    assert result.rows_total == 50_000
    assert len(result.valid) == 50_000
    assert not result.errors
    assert result.valid[-1].row == 50_001


def test_too_many_rows_are_refused(world, campaign, validator, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_ROWS", 100)
    rows = [HEADERS] + [good(world, campaign, title=f"№ {i}") for i in range(150)]
    with pytest.raises(SpreadsheetError, match="больше 100 строк"):
        validator.validate(workbook.read_csv(csv_bytes(rows)))
    with pytest.raises(SpreadsheetError, match="больше допустимых 100"):
        workbook.read_xlsx(xlsx(rows))


def test_nothing_is_written_by_validation(world, campaign, validator):
    validator.validate(workbook.read_xlsx(xlsx([HEADERS, good(world, campaign)])))
    assert not Activity.objects.exists()
