import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry
from qualityweek.directory import services
from qualityweek.directory.models import Invitation, Organisation, Role, RoleAssignment, User
from tests import factories as f

pytestmark = pytest.mark.django_db


def counts():
    return (Organisation.objects.count(), User.objects.count(), Invitation.objects.count(),
            RoleAssignment.objects.count(), AuditEntry.objects.count())


def test_create_organisation_is_audited_with_role_scope_and_ip(world):
    org = services.create_organisation(actor=Actor(user=world.kirov_edu, ip="10.0.0.7"), name="Гимназия № 2",
                                       kind="school", region=f.region("43"), municipality="Киров",
                                       inn="7707083893")
    assert org.sector == "education"
    entry = AuditEntry.objects.get(action="organisation.create")
    assert (entry.actor, entry.role, entry.scope, entry.ip) == (world.kirov_edu, "coordinator",
                                                                "coordinator:43/education", "10.0.0.7")
    assert entry.after["inn"] == "7707083893"
    assert entry.object_id == str(org.pk)
    services.update_organisation(actor=Actor(user=world.kirov_edu), organisation=org, size=640)
    change = AuditEntry.objects.get(action="organisation.update")
    assert change.before == {"size": None}
    assert change.after == {"size": 640}


def test_audit_entries_are_append_only(world):
    services.close_organisation(actor=Actor(user=world.operator), organisation=world.kirov_school)
    entry = AuditEntry.objects.get()
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.update(action="x")


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"inn": "7707083894"}, "inn", "Неверный ИНН: не сходится контрольное число."),
    ({"name": "МБОУ СОШ № 1 г. Кирова"}, "name",
     "Организация с таким названием в этом населённом пункте уже зарегистрирована."),
    ({"name": "  мбоу   «сош» № 1 г. кирова "}, "name",
     "Организация с таким названием в этом населённом пункте уже зарегистрирована."),
    ({"email": "not-an-email"}, "email", "Введите правильный адрес электронной почты."),
])
def test_bad_organisation_input_changes_nothing(world, fields, field, message):
    before = counts()
    data = {"name": "Новая школа", "kind": "school", "region": f.region("43"), "municipality": "Киров"} | fields
    with pytest.raises(ValidationError) as exc:
        services.create_organisation(actor=Actor(user=world.kirov_edu), **data)
    assert message in exc.value.message_dict[field]
    assert counts() == before


def test_duplicate_inn_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.create_organisation(actor=Actor(user=world.operator), name="Другая", kind="school",
                                     region=f.region("77"), inn=world.kirov_school.inn)
    assert exc.value.message_dict["inn"] == ["Организация с таким ИНН уже зарегистрирована."]


def test_coordinator_cannot_create_outside_scope(world):
    with pytest.raises(PermissionDenied):
        services.create_organisation(actor=Actor(user=world.kirov_edu), name="Школа", kind="school",
                                     region=f.region("77"))


def test_unknown_region_code_in_form_gets_russian_message(client, world):
    client.force_login(world.operator)
    before = counts()
    response = client.post("/directory/organisations/new/", {"name": "Школа", "kind": "school", "region": "99999"})
    assert response.status_code == 200
    assert "Выберите корректный вариант" in response.content.decode()
    assert counts() == before
    assert client.get("/directory/regions/00/").status_code == 404


# --- invitations ---------------------------------------------------------------------------------

def test_invitation_round_trip(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inv, token = services.invite(actor=Actor(user=world.kirov_edu), email="Director@School5.ru ",
                                     role=Role.ORG_REP, organisation=world.kirov_school, first_name="Мария")
    assert inv.email == "director@school5.ru"
    assert len(mail.outbox) == 1
    assert f"/accounts/invitation/{token}/" in mail.outbox[0].body
    assert token not in inv.token_hash
    response = client.post(f"/accounts/invitation/{token}/", {
        "last_name": "Петрова", "first_name": "Мария", "patronymic": "Ивановна",
        "password1": "Kachestvo-2026!", "password2": "Kachestvo-2026!", "personal_data_consent": "on"})
    assert response.status_code == 302
    user = User.objects.get(email="director@school5.ru")
    assert user.roles.get().organisation == world.kirov_school
    # The link works once.
    again = client.get(f"/accounts/invitation/{token}/")
    assert again.status_code == 404
    assert "уже принято" in again.content.decode()


@pytest.mark.parametrize(("token", "message"), [
    ("abc", "Ссылка приглашения повреждена"),
    ("*" * 43, "Ссылка приглашения повреждена"),
    ("<script>alert(1)</script>", "Страница не найдена"),
    ("A" * 43, "Приглашение не найдено"),
])
def test_malformed_or_unknown_tokens(client, db, token, message):
    response = client.get(f"/accounts/invitation/{token}/")
    assert response.status_code == 404
    assert message in response.content.decode()


def test_expired_invitation(client, world):
    inv, token = services.invite(actor=Actor(user=world.operator), email="late@example.ru",
                                 role=Role.COORDINATOR, region=f.region("43"), sector="education")
    Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    before = counts()
    response = client.post(f"/accounts/invitation/{token}/", {
        "last_name": "Сидоров", "first_name": "Пётр", "password1": "Kachestvo-2026!",
        "password2": "Kachestvo-2026!", "personal_data_consent": "on"})
    assert response.status_code == 404
    assert "Срок действия приглашения истёк" in response.content.decode()
    assert counts() == before


def test_email_already_registered(world):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.invite(actor=Actor(user=world.kirov_edu), email="SCHOOL@example.ru", role=Role.ORG_REP,
                        organisation=world.kirov_school)
    assert exc.value.message_dict["email"] == ["Пользователь с таким e-mail уже зарегистрирован."]
    assert counts() == before


def test_invitation_scopes(world):
    actor = Actor(user=world.kirov_edu)
    with pytest.raises(PermissionDenied):  # a coordinator does not appoint coordinators
        services.invite(actor=actor, email="a@example.ru", role=Role.COORDINATOR, region=f.region("43"),
                        sector="education")
    with pytest.raises(PermissionDenied):  # nor invite into another region
        services.invite(actor=actor, email="b@example.ru", role=Role.ORG_REP, organisation=world.moscow_school)
    with pytest.raises(PermissionDenied):  # a teacher invites nobody
        services.invite(actor=Actor(user=world.teacher), email="c@example.ru", role=Role.TEACHER,
                        organisation=world.kirov_school)
    inv, _ = services.invite(actor=Actor(user=world.school_rep), email="d@example.ru", role=Role.TEACHER,
                             organisation=world.kirov_school)
    assert inv.role == Role.TEACHER
    with pytest.raises(ValidationError) as exc:
        services.invite(actor=Actor(user=world.operator), email="e@example.ru", role=Role.COORDINATOR)
    assert "укажите регион" in exc.value.messages[0]


def test_invitation_form_shows_errors_by_field(client, world):
    client.force_login(world.kirov_edu)
    before = counts()
    response = client.post("/directory/invitations/", {"email": "school@example.ru", "role": "org_rep",
                                                        "organisation": world.kirov_school.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Пользователь с таким e-mail уже зарегистрирован." in html
    assert 'aria-invalid="true"' in html
    response = client.post("/directory/invitations/", {"email": "new@example.ru", "role": "org_rep",
                                                        "organisation": world.moscow_school.pk})
    assert "Выберите корректный вариант" in response.content.decode()
    assert counts() == before


# --- self sign-up ----------------------------------------------------------------------------------

SIGN_UP = {"name": "МБОУ «Лицей № 9»", "kind": "school", "municipality": "Слободской", "inn": "",
           "size": "420", "website": "", "last_name": "Козлова", "first_name": "Анна", "patronymic": "",
           "position": "Директор", "phone": "", "email": "lyceum9@example.ru",
           "password1": "Kachestvo-2026!", "password2": "Kachestvo-2026!", "personal_data_consent": "on"}


def test_sign_up_waits_for_coordinator_approval(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", SIGN_UP | {"region": f.region("43").pk})
    assert response.status_code == 302
    org = Organisation.objects.get(name="МБОУ «Лицей № 9»")
    assert org.status == "pending"
    assert org.sector == "education"
    assert [m.to for m in mail.outbox] == [["kirov.edu@example.ru"]]
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_organisation(actor=Actor(user=world.kirov_edu), organisation=org)
    org.refresh_from_db()
    assert org.status == "active"
    assert mail.outbox[-1].to == ["lyceum9@example.ru"]
    entry = AuditEntry.objects.get(action="organisation.approve")
    assert entry.before == {"status": "pending"}
    assert entry.after == {"status": "active"}


@pytest.mark.parametrize(("changes", "message"), [
    ({"email": "SCHOOL@example.ru"}, "Пользователь с таким e-mail уже зарегистрирован"),
    ({"inn": "1234567890"}, "Неверный ИНН: не сходится контрольное число."),
    ({"password2": "other"}, "Пароли не совпадают."),
    ({"password1": "12345678", "password2": "12345678"}, "Введённый пароль слишком широко распространён."),
    ({"region": "0"}, "Выберите корректный вариант"),
    ({"name": "МБОУ СОШ № 1 г. Кирова", "municipality": "Киров"}, "уже зарегистрирована"),
])
def test_sign_up_bad_input_changes_nothing(client, world, changes, message):
    before = counts()
    response = client.post("/accounts/signup/", SIGN_UP | {"region": f.region("43").pk} | changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts() == before


def test_rejection_needs_a_reason(world):
    org = f.organisation("43", status="pending")
    with pytest.raises(ValidationError) as exc:
        services.reject_organisation(actor=Actor(user=world.kirov_edu), organisation=org, reason="  ")
    assert "Укажите причину отказа" in exc.value.messages[0]
    services.reject_organisation(actor=Actor(user=world.kirov_edu), organisation=org, reason="Дубликат")
    org.refresh_from_db()
    assert org.status == "rejected"
