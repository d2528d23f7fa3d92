"""Where people hesitate over letters: the dispatch asks first (how many, and who has no e-mail), the
list tells sent / failed / acknowledged per letter, the «Рассылка запущена» banner follows the job and
goes away when it ends, and no «{{год}}» reaches a title."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from qualityweek.core.audit import Actor
from qualityweek.directory.models import Organisation
from qualityweek.outreach import services, tasks
from qualityweek.outreach.models import Delivery, Dispatch, Letter


@pytest.fixture
def operator_client(client, world):
    client.force_login(world.operator)
    return client


def test_dispatch_asks_for_confirmation_with_the_count_and_those_without_email(
        operator_client, authorities, make_letter, smtp, django_capture_on_commit_callbacks):
    Organisation.objects.filter(authority="education", region__code__in=["43", "77"]).update(email="")
    letter = make_letter()
    url = reverse("outreach_letter_dispatch", args=[letter.pk])
    page = operator_client.post(url, {"audience": "education_authorities"}).content.decode()
    assert 'data-testid="confirm-total">89<' in page
    assert 'data-testid="confirm-with-email">87<' in page
    assert 'data-testid="confirm-without-count">2<' in page
    assert "Министерство образования Кировской области" in page
    assert "Да, отправить" in page
    assert not Dispatch.objects.exists()
    assert not Delivery.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(url, {"audience": "education_authorities", "confirm": "1"})
    dispatch = Dispatch.objects.get()
    assert response["Location"] == reverse("outreach_letter_tracking", args=[letter.pk]) + f"?started={dispatch.pk}"
    assert len(smtp.messages) == 87
    # A resend (to all who have not acknowledged) asks too, naming those still without an address.
    page = operator_client.post(url, {"audience": "resend"}).content.decode()
    assert 'data-testid="confirm-total">89<' in page
    assert 'data-testid="confirm-without-count">2<' in page
    assert Dispatch.objects.count() == 1


def test_letter_list_shows_sent_failed_and_acknowledged(operator_client, world, authorities, make_letter,
                                                         django_assert_max_num_queries):
    letter = make_letter()
    orgs = list(Organisation.objects.filter(authority="education").order_by("region__code")[:6])
    S = Delivery.Status
    for org, status in zip(orgs, [S.SENT, S.SENT, S.ACKNOWLEDGED, S.FAILED, S.NO_EMAIL, S.QUEUED], strict=True):
        Delivery.objects.create(letter=letter, organisation=org, email=org.email, status=status,
                                acknowledged_at=timezone.now() if status == S.ACKNOWLEDGED else None,
                                error="550 no such user" if status in (S.FAILED, S.NO_EMAIL) else "")
    make_letter(register=False)
    with django_assert_max_num_queries(12):
        page = operator_client.get(reverse("outreach_letters")).content.decode()
    assert 'data-label="Отправлено"><a href="' in page
    row = page[page.index(f"№&nbsp;{letter.reg_number}"):]
    row = row[:row.index("</tr>")]
    assert ">3</a>" in row  # sent, the acknowledged included
    assert "?status=failed\">1</a>" in row
    assert "?status=acknowledged\">1</a>" in row
    assert "не отправлялось" in page  # the draft


def test_banner_polls_while_the_job_runs_and_goes_away_when_it_ends(
        operator_client, world, authorities, make_letter, smtp, django_capture_on_commit_callbacks):
    letter = make_letter()
    # Started but not yet run: the banner polls its status route.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dispatch = tasks.start_dispatch(actor=Actor(user=world.operator), letter=letter,
                                        audience=Dispatch.Audience.EDUCATION_AUTHORITIES)
    status_url = reverse("outreach_dispatch_status", args=[letter.pk, dispatch.pk])
    page = operator_client.get(reverse("outreach_letter_tracking", args=[letter.pk])).content.decode()
    assert "Рассылка запущена" in page
    assert f'hx-get="{status_url}"' in page
    fragment = operator_client.get(status_url).content.decode()
    assert "Рассылка запущена" in fragment
    assert "hx-trigger" in fragment
    # The job ends: the fragment stops polling and says what happened; the page shows no banner.
    for callback in callbacks:
        callback()
    fragment = operator_client.get(status_url).content.decode()
    assert "Рассылка запущена" not in fragment
    assert "hx-trigger" not in fragment
    assert "Рассылка завершена" in fragment
    assert "Отправлено: 89" in fragment
    page = operator_client.get(reverse("outreach_letter_tracking", args=[letter.pk])).content.decode()
    assert "Рассылка запущена" not in page
    assert "Рассылка завершена" not in page
    page = operator_client.get(reverse("outreach_letter_tracking", args=[letter.pk]) + f"?started={dispatch.pk}")
    assert "Рассылка завершена" in page.content.decode()


def test_placeholders_are_filled_in_titles(world, campaign, operator_sender):
    actor = Actor(user=world.operator)
    letter = services.create_letter(actor=actor, sender=operator_sender, campaign=campaign,
                                    addressee_position="Руководители", title="О Неделе качества {{год}} года",
                                    body="Текст.")
    assert letter.title == f"О Неделе качества {campaign.year} года"
    letter = services.update_letter(actor=actor, letter=letter, title="День качества {{ год }}")
    assert letter.title == f"День качества {campaign.year}"
    assert Letter.objects.filter(title__contains="{{").count() == 0
