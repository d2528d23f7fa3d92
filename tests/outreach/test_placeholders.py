"""Campaign placeholders: filled from the campaign; an unknown, unfilled or broken one is an error by
field, shown before anything is registered or sent, and the refused write changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qualityweek.campaigns import services as campaign_services
from qualityweek.campaigns.models import Campaign
from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry
from qualityweek.outreach import placeholders, services
from qualityweek.outreach.models import Letter, LetterTemplate
from qualityweek.outreach.typography import plain


def test_values_of_the_2026_campaign(world, operator_sender):
    campaign = campaign_services.create_campaign(actor=Actor(user=world.operator), year=2026,
                                                 motto="Россия — страна со Знаком качества")
    values = {k: plain(v) for k, v in placeholders.values_for(campaign, operator_sender).items()}
    assert values["год"] == "2026"
    assert values["неделя"] == "9-15 ноября"
    assert values["неделя_с_по"] == "с 9 по 15 ноября"
    assert values["день_качества"] == "12 ноября"
    assert values["срок_отчётов"] == "15 декабря 2026 года"
    assert values["девиз"] == "Россия — страна со Знаком качества"
    assert values["почта"] == "tabolova@roskachestvo.gov.ru"
    assert values["сайт"].endswith("/campaigns/2026/")
    assert values["орган"] == "Роскачество"
    text = "В {{год}} году — {{ Неделя }}, отчёт до {{срок_отчетов}}."  # spaces, case and е/ё are forgiven
    placeholders.validate({"body": text}, values)
    assert placeholders.fill(text, values) == "В 2026 году — 9-15 ноября, отчёт до 15 декабря 2026 года."


@pytest.mark.parametrize(("body", "message"), [
    ("Форум пройдёт {{дата_форума}}.", "Неизвестная подстановка «{{дата_форума}}»"),
    ("В {{год}} году {{неделя.", "Незакрытая подстановка"),
    ("В {год}} году.", "Незакрытая подстановка"),
    ("Девиз: {{}}", "Неизвестная подстановка"),
])
def test_unknown_or_broken_placeholders_refuse_the_letter(world, campaign, operator_sender, body, message):
    with pytest.raises(ValidationError) as exc:
        services.create_letter(actor=Actor(user=world.operator), sender=operator_sender, campaign=campaign,
                               title="О проведении Дня качества", body=body,
                               addressee_position="Руководители органов управления образованием")
    assert message in " ".join(exc.value.message_dict["body"])
    assert not Letter.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="letter.").exists()


def test_an_unknown_placeholder_in_the_title_is_reported_on_the_title(world, campaign, operator_sender):
    with pytest.raises(ValidationError) as exc:
        services.create_letter(actor=Actor(user=world.operator), sender=operator_sender, campaign=campaign,
                               title="О проведении Дня качества в {{годы}}", body="Текст.",
                               addressee_position="Руководители органов управления образованием")
    assert set(exc.value.message_dict) == {"title"}


def test_a_value_the_campaign_lacks_is_an_error_before_registration(world, campaign, operator_sender, templates):
    letter = services.create_letter(actor=Actor(user=world.operator), sender=operator_sender, campaign=campaign,
                                    template=templates["education"])
    Campaign.objects.filter(pk=campaign.pk).update(motto="")  # the motto is withdrawn after the draft was made
    letter.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.register_letter(actor=Actor(user=world.operator), letter=letter)
    assert "«{{девиз}}» не заполнена" in " ".join(exc.value.message_dict["body"])
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT
    assert letter.number is None


def test_the_letter_page_lists_the_problems_and_offers_no_registration(client, world, campaign, operator_sender,
                                                                        templates):
    letter = services.create_letter(actor=Actor(user=world.operator), sender=operator_sender, campaign=campaign,
                                    template=templates["education"])
    Campaign.objects.filter(pk=campaign.pk).update(motto="")
    client.force_login(world.operator)
    page = client.get(reverse("outreach_letter_detail", args=[letter.pk])).content.decode()
    assert "Письмо нельзя зарегистрировать и отправить" in page
    assert "не заполнена" in page
    assert reverse("outreach_letter_register", args=[letter.pk]) not in page
    # The files are not produced with a hole in them either.
    response = client.get(reverse("outreach_letter_pdf", args=[letter.pk]))
    assert response.status_code == 302
    response = client.post(reverse("outreach_letter_register", args=[letter.pk]),
                           {"date": campaign.week_start.isoformat()}, follow=True)
    assert "не заполнена" in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT


def test_a_template_with_an_unknown_placeholder_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.save_template(actor=Actor(user=world.operator), name="Новый", audience="education",
                               title="О проведении", body="Срок — {{дедлайн}}.")
    assert "Неизвестная подстановка «{{дедлайн}}»" in exc.value.message_dict["body"][0]
    assert not LetterTemplate.objects.exists()
    # Known placeholders are fine without a campaign: the letter made from it fills them.
    services.save_template(actor=Actor(user=world.operator), name="Новый", audience="education",
                           title="О проведении", body="Срок — {{срок_отчётов}}.")
