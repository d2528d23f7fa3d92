"""The issue's «Done when», walked as a new user on the demo data (``load_demo``), mail over real SMTP:

a citizen finds the forum on the campaign home page and registers for the regional day in person (the
seat count drops); the last seat of a session goes, the next person joins the waiting list, and a
cancellation sends them an offer; the Kirov coordinator registers the Kirov venue and a delegation of
12 (and names its members); the desk's login checks a ticket in on a phone and a second scan is
refused; the operator's dashboard shows registrations and attendance per region."""

from __future__ import annotations

import re
import time

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from qualityweek.directory.demo import DEMO_PASSWORD
from qualityweek.forum import demo as forum_demo
from qualityweek.forum import selectors
from qualityweek.forum.models import Forum, Registration, Session, Venue
from tests.browser.conftest import log_in, page  # noqa: F401 (fixture)
from tests.browser.test_csp import violations, watched
from tests.smtp import SmtpServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REGIONAL_DAY = "Региональный день: площадки регионов на связи с ВДНХ"


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                        "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10}}}
        yield server.inbox


def _mail_to(inbox, to: str, subject: str):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for m in inbox.messages:
            if m["To"] == to and subject in str(m["Subject"]):
                return m
        time.sleep(0.1)
    raise AssertionError(f"no message «{subject}» to {to}")


def _free(tab, session: Session) -> int:
    text = tab.get_by_test_id(f"seats-{session.pk}").inner_text()
    found = re.search(r"свободно (\d+)", text)
    return int(found.group(1)) if found else 0


def _register(tab, session: Session, name: str, email: str, venue: str) -> str:
    """From the programme: the session, its form; returns the personal page's URL."""
    tab.get_by_role("link", name=session.title).click()
    tab.get_by_role("link", name="Зарегистрироваться").click()
    tab.get_by_label("Фамилия, имя, отчество").fill(name)
    tab.get_by_label("E-mail").fill(email)
    tab.get_by_label("Регион", exact=True).select_option(label="Кировская область")
    tab.get_by_label("Где вы будете участвовать").select_option(label=venue)
    tab.get_by_label("Я даю согласие на обработку персональных данных").check()
    tab.get_by_role("button", name="Зарегистрироваться").click()
    expect(tab.get_by_test_id("status")).to_be_visible()
    return tab.url


def test_done_when_on_the_demo(page, smtp):  # noqa: F811
    call_command("load_demo", organisations=300, verbosity=0)
    forum = Forum.objects.get()
    regional_day = Session.objects.get(forum=forum, title=REGIONAL_DAY)
    last_seat = Session.objects.get(forum=forum, title=forum_demo.LAST_SEAT_SESSION)
    assert last_seat.capacity is not None
    assert last_seat.taken == last_seat.capacity - 1  # the demo leaves one seat, nobody waiting

    # A citizen finds the forum on the campaign home page and registers for the regional day in person.
    page.goto(page.base_url + "/")
    block = page.get_by_test_id("home-forum")
    expect(block).to_contain_text(forum.title)
    expect(block).to_contain_text("региональный день")
    expect(page.get_by_test_id("home-forum-seats")).to_contain_text("свободно")
    block.get_by_role("link", name="Программа и регистрация").click()
    before = _free(page, regional_day)
    _register(page, regional_day, "Сергеева Наталья Игоревна", "natalia@example.ru", "Павильон «Регионы»")
    expect(page.get_by_test_id("status")).to_have_text("Подтверждена")
    code = page.get_by_test_id("ticket-code").inner_text()
    ticket_mail = _mail_to(smtp, "natalia@example.ru", "ваш билет")
    assert code in ticket_mail.get_body(("plain",)).get_content()
    page.goto(f"{page.base_url}/forum/{forum.pk}/")
    assert _free(page, regional_day) == before - 1

    # The last seat goes; the next person queues; a cancellation sends them an offer by e-mail.
    expect(page.get_by_test_id(f"seats-{last_seat.pk}")).to_have_text("свободно 1 место")
    first = _register(page, last_seat, "Кузнецов Андрей Петрович", "andrey@example.ru", "Малый зал")
    expect(page.get_by_test_id("status")).to_have_text("Подтверждена")
    page.goto(f"{page.base_url}/forum/{forum.pk}/")
    expect(page.get_by_test_id(f"seats-{last_seat.pk}")).to_have_text("мест нет — лист ожидания")
    waiting = _register(page, last_seat, "Новикова Ольга Андреевна", "olga@example.ru", "Малый зал")
    expect(page.get_by_test_id("status")).to_have_text("В листе ожидания")
    expect(page.get_by_text("вы 1-й в очереди")).to_be_visible()
    page.goto(first)
    page.get_by_role("button", name="Отменить регистрацию").click()
    expect(page.get_by_test_id("status")).to_have_text("Отменена")
    offer = _mail_to(smtp, "olga@example.ru", "освободилось место")
    assert waiting.removeprefix(page.base_url) in offer.get_body(("plain",)).get_content()  # her personal link
    page.goto(waiting)
    expect(page.get_by_test_id("status")).to_have_text("Предложено место")
    page.get_by_role("button", name="Подтвердить участие").click()
    expect(page.get_by_test_id("status")).to_have_text("Подтверждена")

    # The Kirov coordinator registers the Kirov venue, then a delegation of 12 there, and names members.
    log_in(page, "kirov.edu@demo.qualityweek.ru", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/forum/{forum.pk}/")
    page.get_by_role("link", name="Площадка региона").click()
    page.get_by_label("Название площадки").fill("Киров: Вятский государственный университет")
    page.get_by_label("Адрес").fill("Киров, ул. Московская, 36, актовый зал")
    page.get_by_label("Мест", exact=True).fill("60")
    page.get_by_label("Контакт (ФИО, телефон, e-mail)").fill("Иванова И. И., +7 8332 00-00-00")
    page.get_by_label("Как подключается к трансляции").fill("Видеоконференция с павильоном ВДНХ")
    page.get_by_role("button", name="Сохранить площадку").click()
    expect(page.get_by_text("Площадка региона сохранена.")).to_be_visible()
    kirov = Venue.objects.get(forum=forum, kind=Venue.Kind.REGIONAL, region__code="43")
    page.get_by_role("link", name="Зарегистрировать делегацию").click()
    page.get_by_label("Вид заявки").select_option("delegation")
    page.get_by_label("Сессия").select_option(label=REGIONAL_DAY)
    page.get_by_label("Где вы будете участвовать").select_option(str(kirov.pk))
    page.get_by_label("Руководитель (ФИО)").fill("Лебедева Марина Викторовна")
    page.get_by_label("E-mail").fill("kirov.delegation@example.ru")
    page.get_by_label("Регион", exact=True).select_option(label="Кировская область")
    page.get_by_label("Учащихся").fill("0")
    page.get_by_label("Сопровождающих взрослых / участников делегации").fill("12")
    page.get_by_label("Я даю согласие на обработку персональных данных").check()
    page.get_by_role("button", name="Отправить заявку").click()
    expect(page.get_by_test_id("status")).to_have_text("Подтверждена")
    expect(page.get_by_text("12 мест")).to_be_visible()
    kirov.refresh_from_db()
    assert kirov.taken == 12
    page.get_by_role("link", name=re.compile("Участники делегации")).click()
    expect(page.get_by_test_id("members-count")).to_contain_text("Названо 0 из 12")
    page.get_by_label("Фамилия, имя, отчество").fill("Орлов Игорь Сергеевич")
    page.get_by_label("Должность").fill("Директор школы № 27")
    page.get_by_label("Организация").fill("МБОУ СОШ № 27 г. Кирова")
    page.get_by_label("E-mail (по желанию)").fill("not an address")
    page.get_by_role("button", name="Добавить участника").click()
    expect(page.get_by_text("Введите правильный адрес электронной почты")).to_be_visible()
    page.get_by_label("E-mail (по желанию)").fill("orlov@example.ru")
    page.get_by_role("button", name="Добавить участника").click()
    expect(page.get_by_test_id("members-count")).to_contain_text("Названо 1 из 12")
    member_mail = _mail_to(smtp, "orlov@example.ru", "ваш билет")
    member_code = re.search(r"Код вашего билета: ([A-Z0-9-]{14})",  # type: ignore[union-attr]
                            member_mail.get_body(("plain",)).get_content()).group(1)

    # The desk checks the citizen's ticket in on a phone; a second scan is refused; a member's ticket works.
    phone = page.context.browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
    staff = phone.new_page()
    staff.base_url = page.base_url
    console = watched(staff)
    log_in(staff, forum_demo.DESK_EMAIL, DEMO_PASSWORD)
    staff.goto(f"{page.base_url}/forum/{forum.pk}/")
    staff.get_by_role("link", name="Регистрация на входе").click()
    result = staff.get_by_test_id("checkin-result")
    for typed, verdict in ((code, "Вход отмечен"), (code.lower(), "Повторный вход: билет уже отмечен"),
                           (member_code, "Вход отмечен")):
        staff.get_by_label("Код билета").fill(typed)
        staff.get_by_role("button", name="Отметить вход").click()
        expect(result).to_contain_text(verdict)
    expect(result).to_contain_text("Орлов Игорь Сергеевич")
    assert staff.evaluate("document.documentElement.scrollWidth") <= 390
    assert violations(staff) == []
    assert console == []
    phone.close()

    # The operator's dashboard: registrations and attendance per region, Kirov with its new venue.
    log_in(page, "operator@demo.qualityweek.ru", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/forum/{forum.pk}/")
    page.get_by_role("link", name="Сводка").click()
    row = page.get_by_test_id("regions-table").get_by_role("row", name=re.compile("Кировская обл"))
    figures = next(r for r in selectors.by_region(forum) if r.region.code == "43")
    cells = row.get_by_role("cell").all_inner_texts()
    assert cells[0] == "Киров: Вятский государственный университет"
    assert cells[1:7] == [str(figures.registrations), str(figures.confirmed), str(figures.pending),
                          str(figures.waitlisted), str(figures.checked_in), str(figures.joined)]
    assert figures.registrations >= 4  # the citizen, the two of the last seat, the delegation
    assert figures.checked_in >= 1
    assert Registration.objects.filter(forum=forum, email="kirov.delegation@example.ru", seats=12).exists()
