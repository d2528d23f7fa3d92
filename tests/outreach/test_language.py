"""Russian as the letters write it: the date requisite, numbers and typography; addressees in the
dative (every regional education authority's head, names including indeclinable surnames) and the
salutation that agrees with them."""

from __future__ import annotations

import datetime as dt

import pytest

from qualityweek.directory.models import Region
from qualityweek.outreach import morph
from qualityweek.outreach.content import LetterContent
from qualityweek.outreach.typography import NBSP, letter_date, numeric_date, plain, typograph

# --- Dates and numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "text"), [
    (dt.date(2024, 10, 22), "«22» октября 2024 г."),
    (dt.date(2026, 11, 5), "«05» ноября 2026 г."),
    (dt.date(2026, 1, 1), "«01» января 2026 г."),
    (dt.date(2025, 3, 31), "«31» марта 2025 г."),
    (dt.date(2026, 5, 9), "«09» мая 2026 г."),
    (dt.date(2026, 8, 20), "«20» августа 2026 г."),
])
def test_letter_date_as_the_letters_write_it(day, text):
    assert plain(letter_date(day)) == text
    # The day, month and year never part from "г." at a line end.
    assert letter_date(day).endswith(f"{day.year}{NBSP}г.")


def _content(number: str, date: dt.date | None, reply_number: str = "", reply_date: dt.date | None = None):
    return LetterContent(sender_name=("РОСКАЧЕСТВО",), sender_details=(), number=number, date=date,
                         reply_number=reply_number, reply_date=reply_date, addressee=(), title="", salutation="",
                         paragraphs=(), attachment="", signer_position="", signer_name="", executor=())


def test_registration_and_reply_requisites():
    c = _content("2174-РСК", dt.date(2024, 10, 22), "15-02/311", dt.date(2024, 10, 1))
    assert plain(c.registration) == "№ 2174-РСК от «22» октября 2024 г."
    assert c.registration.startswith(f"№{NBSP}2174-РСК")  # the sign stays with the number
    assert plain(c.reply_line) == "На № 15-02/311 от 01.10.2024"
    assert numeric_date(dt.date(2018, 3, 29)) == "29.03.2018"


def test_a_draft_has_blanks_for_number_and_date():
    c = _content("", None)
    assert plain(c.registration) == "№ __________ от «___» __________ 20__ г."
    assert c.reply_line == ""


# --- Typography ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "expected"), [
    ('под девизом "Россия - страна со Знаком качества"', "под девизом «Россия — страна со Знаком качества»"),
    ('"Урок "Качество""', "«Урок „Качество“»"),
    ("в период 11-17 ноября", "в период 11–17 ноября"),
    ("Руководитель М.А. Протасов", "Руководитель М.А. Протасов"),
    ("Министру И. И. Иванову", "Министру И. И. Иванову"),
])
def test_typograph_quotes_dashes_ranges(source, expected):
    assert plain(typograph(source)) == expected


def test_typograph_binds_short_words_numbers_and_initials():
    text = typograph("В 2024 году Неделя качества пройдёт 11 ноября, подписал М.А. Протасов и И. И. Иванов")
    assert f"В{NBSP}2024{NBSP}году" in text
    assert f"11{NBSP}ноября" in text
    assert f"М.А.{NBSP}Протасов" in text
    assert f"И.{NBSP}И.{NBSP}Иванов" in text
    assert f"и{NBSP}И." in text
    assert typograph("") == ""


# --- Dative: every region's education authority ---------------------------------------------------

HEAD_DATIVE = {
    "Министр": "Министру",
    "Руководитель": "Руководителю",
    "Председатель": "Председателю",
    "Начальник": "Начальнику",
    "Директор": "Директору",
    "Исполняющий обязанности министра": "Исполняющему обязанности министра",
    "Временно исполняющий обязанности министра": "Временно исполняющему обязанности министра",
    "Заместитель Председателя Правительства Кировской области — министр":
        "Заместителю Председателя Правительства Кировской области — министру",
}

# Heads of the education authorities whose names differ from «Министерство образования <региона>».
SPECIAL_HEADS = {
    "02": ("Министр", "просвещения Республики Башкортостан"),
    "05": ("Министр", "образования и науки Республики Дагестан"),
    "14": ("Министр", "образования и науки Республики Саха (Якутия)"),
    "15": ("Министр", "образования и науки Республики Северная Осетия — Алания"),
    "16": ("Министр", "образования и науки Республики Татарстан"),
    "21": ("Министр", "образования Чувашской Республики"),
    "23": ("Министр", "образования, науки и молодёжной политики Краснодарского края"),
    "42": ("Министр", "образования Кузбасса"),
    "43": ("Заместитель Председателя Правительства Кировской области — министр", "образования Кировской области"),
    "50": ("Временно исполняющий обязанности министра", "образования Московской области"),
    "66": ("Министр", "образования и молодёжной политики Свердловской области"),
    "73": ("Министр", "просвещения и воспитания Ульяновской области"),
    "74": ("Исполняющий обязанности министра", "образования и науки Челябинской области"),
    "76": ("Министр", "образования Ярославской области"),
    "77": ("Руководитель", "Департамента образования и науки города Москвы"),
    "78": ("Председатель", "Комитета по образованию Санкт-Петербурга"),
    "83": ("Руководитель", "Департамента образования, культуры и спорта Ненецкого автономного округа"),
    "86": ("Директор", "Департамента образования и науки Ханты-Мансийского автономного округа — Югры"),
    "87": ("Начальник", "Управления образования и науки Чукотского автономного округа"),
    "89": ("Директор", "департамента образования Ямало-Ненецкого автономного округа"),
    "92": ("Директор", "Департамента образования и науки города Севастополя"),
}


def _heads(regions) -> list[tuple[str, str, str]]:
    """(region code, position in the nominative, the dative expected) for all 89 regions."""
    rows = []
    for region in regions:
        head, rest = SPECIAL_HEADS.get(region.code, ("Министр", f"образования {region.name_genitive}"))
        rows.append((region.code, f"{head} {rest}", f"{HEAD_DATIVE[head]} {rest}"))
    return rows


@pytest.mark.django_db
def test_dative_of_every_education_authority_head():
    regions = list(Region.objects.order_by("code"))
    assert len(regions) == 89
    wrong = [(code, morph.dative(position), expected) for code, position, expected in _heads(regions)
             if morph.dative(position) != expected]
    assert not wrong, wrong


@pytest.mark.django_db
def test_head_position_from_every_demo_authority_name():
    """The demo (and a new directory) names each authority «Министерство образования <региона>»; the
    default head is the minister, and the dative keeps the region's name untouched — including the
    names with a dash («Республики Северная Осетия — Алания», «… — Югры»)."""
    for region in Region.objects.order_by("code"):
        position = morph.head_position(f"Министерство образования {region.name_genitive}")
        assert position == f"Министр образования {region.name_genitive}"
        assert morph.dative(position) == f"Министру образования {region.name_genitive}"


@pytest.mark.parametrize(("organisation", "head"), [
    ("Министерство промышленности, предпринимательства и торговли Кировской области",
     "Министр промышленности, предпринимательства и торговли Кировской области"),
    ("Департамент образования и науки города Москвы", "Директор департамента образования и науки города Москвы"),
    ("Комитет по образованию Санкт-Петербурга", "Председатель комитета по образованию Санкт-Петербурга"),
    ("Управление образования Чукотского автономного округа",
     "Начальник управления образования Чукотского автономного округа"),
    ("Агентство по образованию Тульской области", "Руководитель агентства по образованию Тульской области"),
    ("Главное управление образования", "Руководитель главного управления образования"),
])
def test_head_position_of_an_organisation(organisation, head):
    assert morph.head_position(organisation) == head


@pytest.mark.parametrize(("group", "dative"), [
    ("Руководители органов управления образованием", "Руководителям органов управления образованием"),
    ("Руководители образовательных организаций", "Руководителям образовательных организаций"),
    ("Руководители организаций и индивидуальные предприниматели",
     "Руководителям организаций и индивидуальным предпринимателям"),
    ("Руководители органов исполнительной власти субъектов Российской Федерации в сфере промышленности",
     "Руководителям органов исполнительной власти субъектов Российской Федерации в сфере промышленности"),
    ("Министр образования и науки Республики Татарстан", "Министру образования и науки Республики Татарстан"),
    ("Глава администрации города Кирова", "Главе администрации города Кирова"),
    ("Главный государственный санитарный врач", "Главному государственному санитарному врачу"),
])
def test_dative_of_groups_and_positions(group, dative):
    assert morph.dative(group) == dative


# --- Names, including indeclinable surnames --------------------------------------------------------

@pytest.mark.parametrize(("full_name", "dative", "salutation"), [
    ("Иванов Иван Иванович", "И. И. Иванову", "Уважаемый Иван Иванович!"),
    ("Иванова Ольга Николаевна", "О. Н. Ивановой", "Уважаемая Ольга Николаевна!"),
    ("Лебедева Ольга Николаевна", "О. Н. Лебедевой", "Уважаемая Ольга Николаевна!"),
    ("Шевчук Тарас Григорьевич", "Т. Г. Шевчуку", "Уважаемый Тарас Григорьевич!"),
    ("Шевчук Анна Петровна", "А. П. Шевчук", "Уважаемая Анна Петровна!"),  # a woman's -ук does not change
    ("Дюма Александр Александрович", "А. А. Дюма", "Уважаемый Александр Александрович!"),
    ("Гёте Иоганн Вольфгангович", "И. В. Гёте", "Уважаемый Иоганн Вольфгангович!"),
    ("Черных Павел Петрович", "П. П. Черных", "Уважаемый Павел Петрович!"),
    ("Черных Мария Ивановна", "М. И. Черных", "Уважаемая Мария Ивановна!"),
    ("Седых Инна Петровна", "И. П. Седых", "Уважаемая Инна Петровна!"),
    ("Бондаренко Олег Иванович", "О. И. Бондаренко", "Уважаемый Олег Иванович!"),
    ("Кох Роберт Германович", "Р. Г. Коху", "Уважаемый Роберт Германович!"),
    ("Грин Елена Сергеевна", "Е. С. Грин", "Уважаемая Елена Сергеевна!"),
    ("Цой Виктор Робертович", "В. Р. Цою", "Уважаемый Виктор Робертович!"),
    ("Римский-Корсаков Николай Андреевич", "Н. А. Римскому-Корсакову", "Уважаемый Николай Андреевич!"),
    ("Мамедов Ильхам Гейдар оглы", "И. Г. Мамедову", "Уважаемый Ильхам Гейдар оглы!"),
])
def test_names_in_the_dative_and_the_salutation(full_name, dative, salutation):
    person = morph.parse_person(full_name)
    assert person is not None
    assert plain(person.dative_short()) == dative
    assert person.salutation() == salutation


def test_addressee_block_for_one_person():
    block = morph.addressee_block(position="Министр образования Кировской области",
                                  person=morph.parse_person("Иванов Иван Иванович"))
    assert plain(block) == "Министру образования Кировской области\nИ. И. Иванову"
    assert morph.salutation_for(None) == "Уважаемые коллеги!"


@pytest.mark.parametrize("bad", ["Иванов", "", "   ", "Иванов Иван Иванович Петрович Сидоров"])
def test_a_name_that_is_not_a_full_name_is_refused(bad):
    assert morph.parse_person(bad) is None
