"""The cascade of seed 004: the operator's letter reaches the Kirov industry ministry; its coordinator
makes the ministry's own letter from it (pre-filled), numbers it in the ministry's register and sends
it to the region's businesses; the operator watches the funnel per region."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from qualityweek.core.audit import Actor
from qualityweek.directory.models import Organisation
from qualityweek.outreach import selectors, services, tasks
from qualityweek.outreach.models import Delivery, Dispatch, Letter
from qualityweek.outreach.typography import plain
from tests import factories as f

ACK_RE = re.compile(r"http://127\.0\.0\.1:8000(/outreach/ack/[A-Za-z0-9_-]+/)")


@pytest.fixture
def received(world, authorities, kirov_industry_sender, make_letter, smtp, django_capture_on_commit_callbacks):
    """The operator's business letter, sent to every industry authority; Kirov acknowledged it."""
    services.save_register(actor=Actor(user=world.kirov_business), sender=kirov_industry_sender,
                           year=timezone.localdate().year, pattern="{n}-01-08", next_number=412)
    letter = make_letter("business")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.start_dispatch(actor=Actor(user=world.operator), letter=letter,
                                audience=Dispatch.Audience.INDUSTRY_AUTHORITIES)
    kirov = Organisation.objects.get(region__code="43", authority="industry")
    message = next(m for m in smtp.messages if m["To"] == kirov.email)
    return letter, ACK_RE.search(message.get_body(("plain",)).get_content()).group(1)  # type: ignore[union-attr]


def test_the_kirov_coordinator_cascades_the_letter(client, world, received, smtp, django_capture_on_commit_callbacks):
    parent, ack = received
    client.post(ack)  # the ministry read the letter
    client.force_login(world.kirov_business)
    inbox = client.get(reverse("outreach_letters")).content.decode()
    assert f"№&nbsp;{parent.reg_number}" in inbox
    response = client.post(reverse("outreach_letter_cascade", args=[parent.pk]))
    child = Letter.objects.get(parent=parent)
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach_letter_edit", args=[child.pk])
    # Pre-filled as seed 004: the ministry's letterhead and signatory, its own introduction, then the
    # operator's text; «Уважаемые предприниматели!».
    assert child.sender.organisation.region.code == "43"
    assert child.status == Letter.Status.DRAFT
    # The template's «{{год}}» is filled as the title is produced: lists and headers never show it.
    assert "{{" not in child.title
    assert str(parent.campaign.year) in child.title
    assert "{{" not in client.get(reverse("outreach_letters")).content.decode()
    assert plain(child.addressee) == "Руководителям организаций и индивидуальным предпринимателям"
    assert child.salutation == "Уважаемые предприниматели!"
    assert child.signer_position.startswith("Министр промышленности, предпринимательства и торговли")
    assert child.body.startswith("Ежегодно вторая неделя ноября отмечается как Всемирная неделя качества")
    assert "На основании вышеизложенного {{орган}} предлагает" in child.body
    assert parent.body in child.body
    detail = plain(client.get(reverse("outreach_letter_detail", args=[child.pk])).content.decode())
    assert "министерство промышленности, предпринимательства и торговли Кировской области предлагает" in detail
    # Numbered in the ministry's own register, not the operator's.
    client.post(reverse("outreach_letter_register", args=[child.pk]), {"date": timezone.localdate().isoformat()})
    child.refresh_from_db()
    assert child.reg_number == "412-01-08"
    # Sent to the region's organisations only (the Moscow school is not among them).
    smtp.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outreach_letter_dispatch", args=[child.pk]),
                               {"audience": "organisations", "confirm": "1"})
    assert response.status_code == 302
    assert [m["To"] for m in smtp.messages] == [world.kirov_company.email]
    assert "О проведении Дня качества в" in str(smtp.messages[0]["Subject"])
    # The operator's funnel for Kirov: received → acknowledged → forwarded → organisations acknowledged.
    client.post(ACK_RE.search(smtp.bodies()[0]).group(1))  # type: ignore[union-attr]
    rows = {row.region.code: row for row in selectors.funnel(parent)}
    kirov = rows["43"]
    assert (kirov.received, kirov.acknowledged, kirov.forwarded, kirov.organisations,
            kirov.organisations_acknowledged) == (1, 1, 1, 1, 1)
    assert (rows["77"].received, rows["77"].acknowledged, rows["77"].forwarded) == (1, 0, 0)
    assert len(rows) == 89
    client.force_login(world.operator)
    page = client.get(reverse("outreach_letter_tracking", args=[parent.pk])).content.decode()
    assert "Воронка по регионам" in page
    assert "1 из 1" in page


def test_the_funnel_is_four_queries_whatever_the_number_of_regions(received, django_assert_max_num_queries):
    parent, _ = received
    with django_assert_max_num_queries(4):
        rows = selectors.funnel(parent)
    assert len(rows) == 89


def test_only_the_receiving_authoritys_coordinator_may_cascade(client, world, received):
    parent, _ = received
    # The education coordinator's authority did not get this letter: it is not even visible.
    client.force_login(world.kirov_edu)
    assert client.post(reverse("outreach_letter_cascade", args=[parent.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.cascade_letter(actor=Actor(user=world.kirov_edu), parent=parent)
    # The operator writes letters, but does not cascade them to organisations of a region.
    with pytest.raises(PermissionDenied):
        services.cascade_letter(actor=Actor(user=world.operator), parent=parent)
    assert not Letter.objects.filter(parent=parent).exists()


def test_a_coordinator_without_a_letterhead_is_told_to_fill_it(client, world, authorities, make_letter, smtp,
                                                                django_capture_on_commit_callbacks):
    letter = make_letter()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.start_dispatch(actor=Actor(user=world.operator), letter=letter,
                                audience=Dispatch.Audience.EDUCATION_AUTHORITIES)
    client.force_login(world.kirov_edu)
    response = client.post(reverse("outreach_letter_cascade", args=[letter.pk]), follow=True)
    assert "Сначала заполните бланк" in response.content.decode()
    assert not Letter.objects.filter(parent=letter).exists()


def test_the_cascade_goes_to_the_coordinators_organisations_only(world, received, kirov_industry_sender,
                                                                 django_capture_on_commit_callbacks):
    parent, _ = received
    other = f.organisation("43", kind=Organisation.Kind.RETAILER, sector="business", name="ООО «Вятка»", email="")
    f.organisation("77", kind=Organisation.Kind.RETAILER, sector="business", name="ООО «Москва»")
    f.organisation("43", kind=Organisation.Kind.SCHOOL, sector="education", name="Школа Кирова")
    actor = Actor(user=world.kirov_business)
    child = services.register_letter(actor=actor, letter=services.cascade_letter(actor=actor, parent=parent))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.start_dispatch(actor=actor, letter=child, audience=Dispatch.Audience.ORGANISATIONS)
    statuses = {d.organisation.name: d.status for d in child.deliveries.select_related("organisation")}
    assert statuses == {world.kirov_company.name: Delivery.Status.SENT, other.name: Delivery.Status.NO_EMAIL}
    # A coordinator may not mail every authority of the country.
    with pytest.raises(Exception, match="только оператору"):
        tasks.start_dispatch(actor=actor, letter=child, audience=Dispatch.Audience.INDUSTRY_AUTHORITIES)


def test_done_when_seed_000_for_2026_to_89_authorities_and_the_kirov_cascade(
        client, world, authorities, operator_sender, kirov_industry_sender, templates, smtp,
        django_capture_on_commit_callbacks):
    """Issue #5 «Done when», end to end through the pages: the operator recreates the letter of seed 000
    from its template, gets DOCX and PDF, sends it to all 89 education authorities (and to the industry
    authorities), an acknowledgement shows in the tracking table, and the Kirov industry authority
    cascades it to its businesses as in seed 004."""
    from qualityweek.campaigns.selectors import current_campaign

    campaign = current_campaign()
    if campaign is None:
        from qualityweek.campaigns import services as campaign_services

        campaign = campaign_services.create_campaign(actor=Actor(user=world.operator), year=timezone.localdate().year,
                                                     motto="Россия — страна со Знаком качества", phase="announced")
    services.save_register(actor=Actor(user=world.operator), sender=operator_sender, year=timezone.localdate().year,
                           pattern="{n}-РСК", next_number=2174)
    services.save_register(actor=Actor(user=world.kirov_business), sender=kirov_industry_sender,
                           year=timezone.localdate().year, pattern="{n}-01-08", next_number=412)
    client.force_login(world.operator)
    response = client.post(reverse("outreach_letter_create"), {
        "sender": operator_sender.pk, "campaign": campaign.pk, "template": templates["education"].pk,
        "addressing": "collective", "with_qr": "on"})
    letter = Letter.objects.get()
    assert response.status_code == 302
    client.post(reverse("outreach_letter_register", args=[letter.pk]), {"date": timezone.localdate().isoformat()})
    letter.refresh_from_db()
    assert letter.reg_number == "2174-РСК"
    pdf = client.get(reverse("outreach_letter_pdf", args=[letter.pk]))
    docx = client.get(reverse("outreach_letter_docx", args=[letter.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert docx.content.startswith(b"PK")
    assert docx["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''letter-2174-%D0%A0%D0%A1%D0%9A.docx" in docx["Content-Disposition"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outreach_letter_dispatch", args=[letter.pk]),
                    {"audience": "education_authorities", "confirm": "1"})
        client.post(reverse("outreach_letter_dispatch", args=[letter.pk]),
                    {"audience": "industry_authorities", "confirm": "1"})
    assert letter.deliveries.filter(organisation__authority="education", status="sent").count() == 89
    kirov = Organisation.objects.get(region__code="43", authority="industry")
    message = next(m for m in smtp.messages if m["To"] == kirov.email)
    client.post(ACK_RE.search(message.get_body(("plain",)).get_content()).group(1))  # type: ignore[union-attr]
    table = client.get(reverse("outreach_letter_tracking_table", args=[letter.pk])).content.decode()
    assert 'data-testid="count-acknowledged">1<' in table
    client.force_login(world.kirov_business)
    client.post(reverse("outreach_letter_cascade", args=[letter.pk]))
    child = Letter.objects.get(parent=letter)
    client.post(reverse("outreach_letter_register", args=[child.pk]), {"date": timezone.localdate().isoformat()})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outreach_letter_dispatch", args=[child.pk]), {"audience": "organisations", "confirm": "1"})
    child.refresh_from_db()
    assert child.reg_number == "412-01-08"
    assert child.sender == kirov_industry_sender
    assert child.deliveries.get().organisation == world.kirov_company
    funnel = {row.region.code: row for row in selectors.funnel(letter)}
    assert (funnel["43"].received, funnel["43"].acknowledged, funnel["43"].forwarded) == (2, 1, 1)
