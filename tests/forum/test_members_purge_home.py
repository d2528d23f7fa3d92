"""Delegation members (each with a ticket), the personal-data purge after the forum, and the forum's
block on the campaign home page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail as django_mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry
from qualityweek.forum import selectors, services
from qualityweek.forum.models import Consent, Forum, Member, Registration
from qualityweek.forum.services import Applicant

from .conftest import plenary, regional_session, sign

pytestmark = pytest.mark.django_db
S = Registration.Status


def _delegation(forum, coordinator, size=3):
    return services.register(actor=Actor(user=coordinator), forum=forum, session=plenary(forum),
                             venue=plenary(forum).venue, consent=True,
                             applicant=Applicant(name="Лебедев Олег Иванович", email="lead@example.ru",
                                                 region=coordinator_region(), kind="delegation", adults=size))


def coordinator_region():
    from qualityweek.directory.models import Region

    return Region.objects.get(code="43")


def test_members_up_to_the_delegation_size_each_with_a_ticket_mailed(world, forum,
                                                                     django_capture_on_commit_callbacks):
    registration, _ = _delegation(forum, world.kirov_edu)
    django_mail.outbox.clear()
    actor = Actor(user=world.kirov_edu)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.add_member(actor=actor, registration=registration, name="Иванова  Анна",
                                    position="Методист", organisation="Школа № 1", email="Anna@Example.ru")
    assert first.name == "Иванова Анна"
    assert first.email == "anna@example.ru"
    assert len(first.code) == 12
    services.add_member(actor=actor, registration=registration, name="Петров Пётр")
    with pytest.raises(ValidationError) as bad:
        services.add_member(actor=actor, registration=registration, name="Сидоров", email="not-an-email")
    assert "адрес электронной почты" in str(bad.value)
    with pytest.raises(ValidationError, match="уже в списке"):
        services.add_member(actor=actor, registration=registration, name="иванова анна")
    services.add_member(actor=actor, registration=registration, name="Сидоров Семён")
    with pytest.raises(ValidationError, match="все участники уже названы"):
        services.add_member(actor=actor, registration=registration, name="Четвёртый Лишний")
    assert Member.objects.filter(registration=registration).count() == 3
    # Only the member with an address got a ticket of their own, with its PDF.
    mailed = [m for m in django_mail.outbox if m.to == ["anna@example.ru"]]
    assert len(mailed) == 1
    assert first.code[:4] in mailed[0].body
    assert mailed[0].attachments[0][1][:4] == b"%PDF"
    # No names in the audit log (the purge could not remove them there).
    entries = AuditEntry.objects.filter(action="forum.member.added")
    assert entries.count() == 3
    assert "Иванова" not in str(list(entries.values_list("after", flat=True)))


def test_only_the_delegations_person_names_members(world, forum):
    registration, _ = _delegation(forum, world.kirov_edu)
    with pytest.raises(Exception, match="Участников называют"):
        services.add_member(actor=Actor(user=world.kirov_business), registration=registration, name="Чужой")
    single = sign(forum, "solo@example.ru")
    with pytest.raises(Exception, match="Участников называют"):
        services.add_member(actor=Actor.public(None), registration=single, name="Кто-то")
    assert not Member.objects.exists()


def test_a_members_ticket_checks_in_once(world, forum):
    registration, _ = _delegation(forum, world.kirov_edu)
    member = services.add_member(actor=Actor(user=world.kirov_edu), registration=registration, name="Орлова Ольга")
    staff = Actor(user=world.operator)
    ok = services.check_in(actor=staff, forum=forum, code=services.display_code(member.code).lower())
    assert ok.ok
    assert ok.member == member
    assert ok.name == "Орлова Ольга"
    again = services.check_in(actor=staff, forum=forum, code=member.code)
    assert not again.ok
    assert "Повторный вход" in again.message
    with pytest.raises(ValidationError, match="уже прошёл"):
        services.remove_member(actor=Actor(user=world.kirov_edu), registration=registration, member_id=member.pk)
    codes = {row["code"] for row in selectors.offline_list(forum, plenary(forum).venue)}
    assert member.code in codes


def test_members_page_by_the_link(client, world, forum):
    registration, token = _delegation(forum, world.kirov_edu, size=2)
    url = reverse("forum_members", args=[registration.pk, token])
    assert "Названо 0 из 2" in client.get(url).content.decode()
    page = client.post(url, {"name": "", "email": "x"}).content.decode()
    assert "Укажите фамилию" in page or "Обязательное поле" in page
    assert not Member.objects.exists()
    response = client.post(url, {"name": "Морозов Дмитрий", "position": "Учитель", "organisation": "Школа № 27"})
    assert response.status_code == 302
    member = Member.objects.get()
    assert client.get(reverse("forum_member_ticket", args=[registration.pk, token, member.pk]))["Content-Type"] \
        == "application/pdf"
    assert client.get(reverse("forum_members", args=[registration.pk, "forged"])).status_code == 404
    client.post(reverse("forum_member_remove", args=[registration.pk, token, member.pk]))
    assert not Member.objects.exists()


def test_purge_anonymises_after_the_configured_days_once_and_audited(settings, world, forum):
    settings.FORUM_PURGE_AFTER_DAYS = 30
    person = sign(forum, "anna@example.ru")
    registration, _ = _delegation(forum, world.kirov_edu)
    services.add_member(actor=Actor(user=world.kirov_edu), registration=registration, name="Иванова Анна",
                        email="m@example.ru")
    services.check_in(actor=Actor(user=world.operator), forum=forum, code=person.ticket.code)
    end = forum.ends_on
    assert services.purge_personal_data(actor=Actor.system(), today=end + dt.timedelta(days=30)) == 0
    assert services.purge_personal_data(actor=Actor.system(), today=end + dt.timedelta(days=31)) == 2
    person.refresh_from_db()
    assert person.name == services.UNNAMED
    assert person.email == f"deleted-{person.pk}@forum.invalid"
    assert person.user_id is None
    assert person.answers == {}
    assert person.ticket.checked_in_at is not None
    assert person.status == S.CONFIRMED
    assert not Member.objects.exclude(name=services.UNNAMED).exists()
    assert not Member.objects.exclude(email="").exists()
    assert not Consent.objects.filter(ip__isnull=False).exists()
    assert not Registration.objects.filter(email__endswith="example.ru").exists()
    assert Forum.objects.get().personal_data_purged_at is not None
    entry = AuditEntry.objects.get(action="forum.personal_data.purged")
    assert entry.after["registrations"] == 2
    assert entry.after["after_days"] == 30
    # A second run, the tick or the command change nothing more.
    assert services.purge_personal_data(actor=Actor.system(), today=end + dt.timedelta(days=400)) == 0
    call_command("purge_forum_data", verbosity=0)
    assert AuditEntry.objects.filter(action="forum.personal_data.purged").count() == 1


def test_home_page_shows_the_forum_with_dates_and_free_seats(client, world, forum,
                                                            django_capture_on_commit_callbacks):
    page = client.get("/").content.decode()
    assert "Всемирный день качества" in page
    assert "свободно 20 мест" in page
    assert reverse("forum_detail", args=[forum.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        sign(forum, "anna@example.ru", session=regional_session(forum))
    page = client.get("/").content.decode()  # the visitors' cached page was rebuilt after the commit
    assert "свободно 19 мест" in page
    Forum.objects.update(ends_on=timezone.localdate() - dt.timedelta(days=1),
                         starts_on=timezone.localdate() - dt.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        services.update_forum(actor=Actor(user=world.operator), forum=forum, title=forum.title)
    assert "Программа и регистрация" not in client.get("/").content.decode()  # the season is over
