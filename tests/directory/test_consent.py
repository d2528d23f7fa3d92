"""152-FZ: sign-up and invitation acceptance need the separate consent to personal-data processing;
the user row keeps when and which edition was agreed to."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qualityweek.core import legal
from qualityweek.core.audit import Actor
from qualityweek.directory import services
from qualityweek.directory.models import Invitation, Organisation, Role, User

from .. import factories as f
from .test_services import SIGN_UP

REQUIRED = "Без согласия на обработку персональных данных зарегистрироваться нельзя"


def counts() -> tuple[int, int, int]:
    accepted = Invitation.objects.filter(accepted_at__isnull=False).count()
    return User.objects.count(), Organisation.objects.count(), accepted


def test_sign_up_form_offers_an_unticked_consent_linking_both_documents(client, db):
    html = client.get("/accounts/signup/").content.decode()
    box = html[html.index('name="personal_data_consent"') - 200:html.index('name="personal_data_consent"') + 200]
    assert 'type="checkbox"' in box
    assert "checked" not in box
    assert 'href="/personal-data/consent/"' in html
    assert 'href="/privacy/"' in html


@pytest.mark.parametrize("consent", [None, ""])
def test_sign_up_without_consent_creates_nothing(client, world, consent):
    data = SIGN_UP | {"region": f.region("43").pk}
    data.pop("personal_data_consent")
    if consent is not None:
        data["personal_data_consent"] = consent
    before = counts()
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    assert REQUIRED in response.content.decode()
    assert counts() == before
    assert not User.objects.filter(email="lyceum9@example.ru").exists()


def test_sign_up_stores_when_and_which_consent(client, world):
    started = timezone.now()
    response = client.post("/accounts/signup/", SIGN_UP | {"region": f.region("43").pk})
    assert response.status_code == 302
    user = User.objects.get(email="lyceum9@example.ru")
    assert user.personal_data_consent_version == legal.CONSENT_VERSION
    assert started <= user.personal_data_consent_at <= timezone.now()


def _invitation(world) -> str:
    _, token = services.invite(actor=Actor(user=world.kirov_edu), email="teacher5@example.ru",
                               role=Role.TEACHER, organisation=world.kirov_school)
    return token


INVITED = {"last_name": "Петрова", "first_name": "Мария", "patronymic": "", "password1": "Kachestvo-2026!",
           "password2": "Kachestvo-2026!"}


def test_invitation_without_consent_creates_nothing(client, world):
    token = _invitation(world)
    page = client.get(f"/accounts/invitation/{token}/").content.decode()
    assert 'name="personal_data_consent"' in page
    assert 'href="/personal-data/consent/"' in page
    before = counts()
    response = client.post(f"/accounts/invitation/{token}/", INVITED)
    assert response.status_code == 200
    assert REQUIRED in response.content.decode()
    assert counts() == before


def test_invitation_acceptance_stores_the_consent(client, world):
    token = _invitation(world)
    response = client.post(f"/accounts/invitation/{token}/", INVITED | {"personal_data_consent": "on"})
    assert response.status_code == 302
    user = User.objects.get(email="teacher5@example.ru")
    assert user.personal_data_consent_version == legal.CONSENT_VERSION
    assert user.personal_data_consent_at is not None


def test_the_services_refuse_without_consent(world):
    token = _invitation(world)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.accept_invitation(token=token, last_name="Петрова", first_name="Мария", patronymic="",
                                   password="Kachestvo-2026!", personal_data_consent=False)
    assert REQUIRED in exc.value.message_dict["personal_data_consent"][0]
    with pytest.raises(ValidationError):
        services.sign_up_organisation(
            organisation={"name": "МБОУ «Лицей № 9»", "kind": "school", "region": f.region("43"),
                          "municipality": "Слободской"},
            person={"last_name": "Козлова", "first_name": "Анна", "email": "lyceum9@example.ru"},
            password="Kachestvo-2026!", personal_data_consent=False)
    assert counts() == before


def test_legal_pages_name_the_operator_purposes_data_term_and_withdrawal(client, db):
    consent = client.get("/personal-data/consent/").content.decode()
    for text in ["Роскачество", "119071, Россия, г. Москва, ул. Орджоникидзе, д. 12", "Цели обработки",
                 "Перечень персональных данных", "Срок действия и отзыв согласия", "отозвать согласие",
                 legal.CONSENT_VERSION, "152-ФЗ", 'href="/privacy/"']:
        assert text in consent, text
    privacy = client.get("/privacy/").content.decode()
    for text in ["Политика обработки персональных данных", "Роскачество", "Права субъекта персональных данных",
                 "tabolova@roskachestvo.gov.ru", 'href="/personal-data/consent/"']:
        assert text in privacy, text
