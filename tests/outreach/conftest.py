"""Fixtures for outreach: the regional authorities of all 89 regions, the operator's letterhead and
register, campaigns, and a local SMTP server the e-mail really travels to."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qualityweek.campaigns import services as campaign_services
from qualityweek.core.audit import Actor
from qualityweek.directory.models import Organisation, Region
from qualityweek.directory.validators import make_inn10
from qualityweek.outreach import seed_texts, services
from qualityweek.outreach.models import Contact, Letter
from tests.smtp import SmtpServer

MOTTO = "Россия — страна со Знаком качества"


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                        "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10}}}
        yield server.inbox


@pytest.fixture
def campaign(world):
    year = timezone.localdate().year
    return campaign_services.create_campaign(actor=Actor(user=world.operator), year=year, motto=MOTTO,
                                             phase="announced")


@pytest.fixture
def campaign_2024(world):
    return campaign_services.create_campaign(actor=Actor(user=world.operator), year=2024, motto=MOTTO,
                                             phase="closed")


@pytest.fixture
def authorities(world):
    """Both authorities of every region, with e-mails and heads (as the demo has them)."""
    rows = []
    for i, region in enumerate(Region.objects.order_by("code")):
        slug = region.code
        rows.append(Organisation(
            name=f"Министерство образования {region.name_genitive}", kind="authority", sector="government",
            region=region, municipality=region.city_list[0], inn=make_inn10(f"{500000 + i:09d}"),
            email=f"edu{slug}@authority.example.ru", authority="education"))
        rows.append(Organisation(
            name=("Министерство промышленности, предпринимательства и торговли Кировской области"
                  if region.code == "43" else f"Министерство промышленности и торговли {region.name_genitive}"),
            kind="authority", sector="government", region=region, municipality=region.city_list[0],
            inn=make_inn10(f"{600000 + i:09d}"), email=f"prom{slug}@authority.example.ru", authority="industry"))
    for org in rows:
        org.save()
    return rows


@pytest.fixture
def operator_sender(world):
    return services.save_sender(actor=Actor(user=world.operator), **seed_texts.OPERATOR)


@pytest.fixture
def kirov_industry_sender(world, authorities):
    org = Organisation.objects.get(region__code="43", authority="industry")
    return services.save_sender(actor=Actor(user=world.kirov_business), organisation=org,
                                **seed_texts.KIROV_INDUSTRY)


@pytest.fixture
def templates(world):
    t = seed_texts
    op = Actor(user=world.operator)
    return {
        "education": services.save_template(actor=op, name="Образование", audience="education",
                                            title=t.TITLE_EDUCATION, addressee=t.ADDRESSEE_EDUCATION,
                                            salutation="Уважаемые коллеги!", body=t.TEMPLATE_EDUCATION),
        "business": services.save_template(actor=op, name="Бизнес", audience="business", title=t.TITLE_BUSINESS,
                                           addressee=t.ADDRESSEE_BUSINESS, salutation="Уважаемые коллеги!",
                                           body=t.TEMPLATE_BUSINESS),
        "cascade_business": services.save_template(
            actor=op, name="Каскад бизнес", audience="cascade_business", title=t.TITLE_CASCADE_BUSINESS,
            addressee=t.ADDRESSEE_CASCADE_BUSINESS, salutation="Уважаемые предприниматели!",
            body=t.TEMPLATE_CASCADE_BUSINESS),
    }


@pytest.fixture
def make_letter(world, campaign, operator_sender, templates):
    def make(template: str = "education", *, register: bool = True, date: dt.date | None = None,
             user=None, sender=None, **fields) -> Letter:
        actor = Actor(user=user or world.operator)
        letter = services.create_letter(actor=actor, sender=sender or operator_sender,
                                        campaign=fields.pop("campaign", campaign),
                                        template=templates[template], **fields)
        if register:
            letter = services.register_letter(actor=actor, letter=letter, date=date)
        return letter

    return make


def add_head(org: Organisation, position: str, full_name: str) -> Contact:
    last, first, patronymic = full_name.split()
    return Contact.objects.create(organisation=org, position=position, last_name=last, first_name=first,
                                  patronymic=patronymic)
