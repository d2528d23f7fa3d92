"""A draft (not yet announced) campaign is the operator's secret: its motto never reaches a
coordinator or an organisation through the letter form, a letter or a placeholder."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from qualityweek.campaigns import services as campaign_services
from qualityweek.core.audit import Actor
from qualityweek.core.permissions import can
from qualityweek.outreach import services, tasks
from qualityweek.outreach.models import Dispatch, Letter, Material

SECRET = "Секретный девиз будущего года"


@pytest.fixture
def draft(world):
    return campaign_services.create_campaign(actor=Actor(user=world.operator), year=timezone.localdate().year + 1,
                                             motto=SECRET, phase="draft")


def test_a_coordinators_letter_form_does_not_list_a_draft_campaign(client, world, campaign, draft,
                                                                   kirov_industry_sender):
    client.force_login(world.kirov_business)
    html = client.get(reverse("outreach_letter_create")).content.decode()
    assert f'value="{campaign.pk}"' in html
    assert f'value="{draft.pk}"' not in html
    assert str(draft.year) not in html


def test_the_operators_letter_form_lists_a_draft_campaign(client, world, campaign, draft, operator_sender):
    client.force_login(world.operator)
    html = client.get(reverse("outreach_letter_create")).content.decode()
    assert f'value="{draft.pk}"' in html


def test_a_coordinator_cannot_post_a_draft_campaign(client, world, campaign, draft, kirov_industry_sender):
    client.force_login(world.kirov_business)
    response = client.post(reverse("outreach_letter_create"), {
        "sender": kirov_industry_sender.pk, "campaign": draft.pk, "addressing": "collective",
        "addressee_position": "Руководители организаций", "title": "О девизе",
        "body": "Девиз года: {{девиз}}.", "salutation": "Уважаемые коллеги!"})
    assert response.status_code == 200
    assert SECRET not in response.content.decode()
    assert "campaign" in response.context["form"].errors
    assert not Letter.objects.exists()


def test_the_service_refuses_a_coordinator_a_draft_campaign_whose_motto_it_would_fill(world, draft,
                                                                                      kirov_industry_sender):
    with pytest.raises(ValidationError) as exc:
        services.create_letter(actor=Actor(user=world.kirov_business), sender=kirov_industry_sender,
                               campaign=draft, addressee_position="Руководители организаций", title="О девизе",
                               body="Девиз года: {{девиз}}.", salutation="Уважаемые коллеги!")
    assert "campaign" in exc.value.message_dict
    assert not Letter.objects.exists()


def test_a_letter_of_a_draft_campaign_is_not_sent_outside_the_operator(world, authorities, draft, make_letter,
                                                                       kirov_industry_sender, client):
    letter = make_letter("business", campaign=draft)
    with pytest.raises(ValidationError) as exc:
        tasks.start_dispatch(actor=Actor(user=world.operator), letter=letter,
                             audience=Dispatch.Audience.INDUSTRY_AUTHORITIES)
    assert "объяв" in " ".join(exc.value.messages)
    assert not letter.deliveries.exists()
    # So the Kirov coordinator never receives it, cannot open it and cannot cascade it.
    client.force_login(world.kirov_business)
    assert client.get(reverse("outreach_letter_detail", args=[letter.pk])).status_code == 404
    assert SECRET not in client.get(reverse("outreach_letters")).content.decode()


def test_materials_do_not_offer_a_draft_campaigns_year(client, world, campaign, draft):
    html = client.get(reverse("outreach_materials")).content.decode()
    assert f'value="{draft.year}"' not in html
    assert f'value="{campaign.year}"' in html


def test_a_published_material_of_a_draft_campaign_stays_with_the_operator(client, world, campaign, draft):
    hidden = Material.objects.create(campaign=draft, kind="presentation", title="Презентация с секретным девизом",
                                     url="https://example.ru/banner", is_published=True)
    shown = Material.objects.create(campaign=campaign, kind="presentation", title="Презентация года",
                                    url="https://example.ru/banner-2", is_published=True)
    for user in (None, world.kirov_edu, world.school_rep):
        client.logout()
        if user is not None:
            client.force_login(user)
        html = client.get(reverse("outreach_materials")).content.decode()
        assert shown.title in html
        assert hidden.title not in html
        assert client.get(reverse("outreach_material_download", args=[hidden.pk])).status_code == 404
        if user is not None:
            assert not can(user, "view", hidden)
            assert can(user, "view", shown)
    assert can(world.operator, "view", hidden)


def test_the_authenticity_page_of_a_draft_campaigns_letter_does_not_show_it(client, world, draft, make_letter):
    letter = make_letter("business", campaign=draft, body="Девиз года: {{девиз}}.")
    assert letter.verify_token
    response = client.get(reverse("outreach_letter_check", args=[letter.verify_token]))
    assert response.status_code == 404
    assert SECRET not in response.content.decode()
