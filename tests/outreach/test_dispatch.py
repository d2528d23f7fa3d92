"""Sending a letter over real SMTP (a local aiosmtpd server) to all 89 education authorities, with one
address the server refuses and one authority without an e-mail; tracking per addressee; the
acknowledgement link (works once, cannot be guessed); resending to those who have not acknowledged."""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry, Job
from qualityweek.directory.models import Organisation
from qualityweek.outreach import services, tasks
from qualityweek.outreach.models import Delivery, Dispatch, Letter

from .conftest import add_head

REFUSED = "edu16@authority.example.ru"  # Tatarstan's mailbox is full today
ACK_RE = re.compile(r"http://127\.0\.0\.1:8000(/outreach/ack/([A-Za-z0-9_-]+)/)")


def send(letter: Letter, user, audience: str, capture, **kwargs) -> Dispatch:
    with capture(execute=True):
        return tasks.start_dispatch(actor=Actor(user=user), letter=letter, audience=audience, **kwargs)


@pytest.fixture
def sent(world, authorities, make_letter, smtp, django_capture_on_commit_callbacks):
    """Letter № 2174-РСК sent to every education authority: one refused, one without e-mail."""
    smtp.refuse.add(REFUSED)
    Organisation.objects.filter(region__code="79", authority="education").update(email="")
    letter = make_letter()
    dispatch = send(letter, world.operator, Dispatch.Audience.EDUCATION_AUTHORITIES,
                    django_capture_on_commit_callbacks)
    return letter, dispatch, smtp


def test_send_to_all_89_education_authorities(sent):
    letter, dispatch, smtp = sent
    assert dispatch.total == 89
    statuses = dict(letter.deliveries.values_list("organisation__region__code", "status"))
    assert len(statuses) == 89
    assert statuses["16"] == Delivery.Status.FAILED
    assert statuses["79"] == Delivery.Status.NO_EMAIL
    assert sum(s == Delivery.Status.SENT for s in statuses.values()) == 87
    # What the server accepted is exactly what was marked sent.
    received = sorted(m["To"] for m in smtp.messages)
    assert received == sorted(letter.deliveries.filter(status="sent").values_list("email", flat=True))
    assert REFUSED not in received
    failed = letter.deliveries.get(status=Delivery.Status.FAILED)
    assert "550" in failed.error
    assert "Mailbox unavailable" in failed.error
    assert failed.token_hash == ""
    assert failed.attempts == 1
    job = Job.objects.get(pk=dispatch.job_id)
    assert (job.status, job.done, job.total) == (Job.Status.DONE, 88, 88)
    assert "Отправлено: 87, ошибок: 1" in job.message
    assert AuditEntry.objects.filter(action="letter.dispatch", object_id=str(letter.pk)).count() == 1


def test_each_message_has_the_pdf_and_its_own_acknowledgement_link(sent):
    letter, _, smtp = sent
    message = smtp.messages[0]
    assert f"№ {letter.reg_number}" in str(message["Subject"])
    attachments = list(message.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    pdf = PdfReader(io.BytesIO(attachments[0].get_content()))
    assert letter.reg_number in pdf.pages[0].extract_text()
    links = [ACK_RE.search(body).group(2) for body in smtp.bodies()]  # type: ignore[union-attr]
    assert len(set(links)) == 87
    assert all(len(token) >= 43 for token in links)  # 256 random bits
    # Only hashes are stored: the database alone does not give anyone a working link.
    stored = set(letter.deliveries.values_list("token_hash", flat=True))
    assert not stored & set(links)


def test_the_tracking_page_shows_failures_and_addressees_without_email(client, world, sent):
    letter, _, _ = sent
    client.force_login(world.operator)
    page = client.get(reverse("outreach_letter_tracking", args=[letter.pk])).content.decode()
    assert "Без e-mail: 1 адресат" in page
    assert "Еврейской автономной области" in page  # the addressee is named, not skipped
    failed = client.get(reverse("outreach_letter_tracking", args=[letter.pk]) + "?status=failed").content.decode()
    assert "Mailbox unavailable" in failed
    assert "Республики Татарстан" in failed
    assert 'data-testid="count-sent">87<' in page


def test_acknowledgement_link_works_once(client, sent):
    letter, _, smtp = sent
    path, token = ACK_RE.search(smtp.bodies()[0]).groups()  # type: ignore[union-attr]
    delivery = letter.deliveries.get(email=smtp.messages[0]["To"])
    page = client.get(path)
    assert page.status_code == 200
    assert "Ознакомлен" in page.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT  # opening the link is not yet acknowledging
    done = client.post(path)
    assert done.status_code == 200
    assert "Спасибо" in done.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.ACKNOWLEDGED
    assert delivery.acknowledged_at is not None
    first = delivery.acknowledged_at
    again = client.post(path)
    assert again.status_code == 410
    assert "уже подтверждено" in again.content.decode()
    delivery.refresh_from_db()
    assert delivery.acknowledged_at == first
    assert AuditEntry.objects.filter(action="delivery.acknowledge").count() == 1
    tracking = services.find_delivery(token)
    assert tracking.pk == delivery.pk


@pytest.mark.parametrize("token", ["", "abc", "x" * 43, "A" * 43, "../../admin/" + "a" * 40, "а" * 43])
def test_a_guessed_or_damaged_link_acknowledges_nothing(client, sent, token):
    letter, _, _ = sent
    response = client.post(f"/outreach/ack/{token}/") if token else client.post("/outreach/ack/%20/")
    assert response.status_code == 404
    assert not letter.deliveries.filter(status=Delivery.Status.ACKNOWLEDGED).exists()


def test_a_damaged_real_link_is_refused(client, sent):
    letter, _, smtp = sent
    path, token = ACK_RE.search(smtp.bodies()[0]).groups()  # type: ignore[union-attr]
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.post(path.replace(token, flipped)).status_code == 404
    assert client.post(path.replace(token, token[:-3])).status_code == 404
    assert not letter.deliveries.filter(status=Delivery.Status.ACKNOWLEDGED).exists()


def test_resend_to_those_who_have_not_acknowledged(client, world, sent, django_capture_on_commit_callbacks):
    letter, _, smtp = sent
    path, _ = ACK_RE.search(smtp.bodies()[0]).groups()  # type: ignore[union-attr]
    client.post(path)
    old_link_of_another = ACK_RE.search(smtp.bodies()[1]).group(1)  # type: ignore[union-attr]
    smtp.refuse.clear()  # Tatarstan's mailbox works again
    smtp.messages.clear()
    again = send(letter, world.operator, Dispatch.Audience.RESEND, django_capture_on_commit_callbacks)
    assert again.total == 88  # everybody but the one who acknowledged
    assert len(smtp.messages) == 87  # 86 sent before + the refused one; still no e-mail for one
    statuses = dict(letter.deliveries.values_list("organisation__region__code", "status"))
    assert statuses["16"] == Delivery.Status.SENT
    assert statuses["79"] == Delivery.Status.NO_EMAIL
    assert list(statuses.values()).count(Delivery.Status.ACKNOWLEDGED) == 1
    # A new message carries a new link; the old one no longer works.
    assert client.post(old_link_of_another).status_code == 404
    # Nobody got the letter twice in one send, and the acknowledged one was not bothered again.
    assert len({m["To"] for m in smtp.messages}) == 87


def test_resend_when_everybody_acknowledged_is_refused(world, authorities, make_letter, smtp,
                                                       django_capture_on_commit_callbacks):
    letter = make_letter()
    kirov = Organisation.objects.get(region__code="43", authority="education")
    send(letter, world.operator, Dispatch.Audience.ORGANISATIONS, django_capture_on_commit_callbacks,
         organisation_ids=[world.kirov_school.pk])
    letter.deliveries.update(status=Delivery.Status.ACKNOWLEDGED, acknowledged_at="2026-11-01T10:00:00Z")
    with pytest.raises(ValidationError) as exc:
        send(letter, world.operator, Dispatch.Audience.RESEND, django_capture_on_commit_callbacks)
    assert "отправлять некому" in exc.value.message_dict["audience"][0]
    assert Dispatch.objects.filter(letter=letter).count() == 1
    assert kirov.letter_deliveries.count() == 0


def test_sending_twice_to_the_same_list_is_refused(sent, world, django_capture_on_commit_callbacks):
    letter, _, smtp = sent
    count = len(smtp.messages)
    with pytest.raises(ValidationError) as exc:
        send(letter, world.operator, Dispatch.Audience.EDUCATION_AUTHORITIES, django_capture_on_commit_callbacks)
    assert "уже направлено" in exc.value.message_dict["audience"][0]
    assert len(smtp.messages) == count
    assert letter.dispatches.count() == 1


def test_a_draft_is_not_sent(world, authorities, make_letter, smtp, django_capture_on_commit_callbacks):
    letter = make_letter(register=False)
    with pytest.raises(PermissionDenied):  # the "dispatch" rule allows registered letters only
        send(letter, world.operator, Dispatch.Audience.EDUCATION_AUTHORITIES, django_capture_on_commit_callbacks)
    assert not Delivery.objects.exists()
    assert smtp.messages == []


def test_personal_letters_name_each_head_in_the_dative(world, authorities, make_letter, smtp,
                                                       django_capture_on_commit_callbacks):
    kirov = Organisation.objects.get(region__code="43", authority="education")
    moscow = Organisation.objects.get(region__code="77", authority="education")
    add_head(kirov, "Министр образования Кировской области", "Шевчук Анна Петровна")
    add_head(moscow, "Руководитель Департамента образования и науки города Москвы", "Дюма Александр Александрович")
    letter = make_letter(addressing=Letter.Addressing.PERSONAL)
    send(letter, world.operator, Dispatch.Audience.EDUCATION_AUTHORITIES, django_capture_on_commit_callbacks)
    by_email = {m["To"]: m for m in smtp.messages}

    def pdf_text(message) -> str:
        attachment = next(message.iter_attachments())
        return " ".join(PdfReader(io.BytesIO(attachment.get_content())).pages[0].extract_text().split())

    kirov_pdf = pdf_text(by_email[kirov.email])
    assert "Министру образования Кировской области" in kirov_pdf
    assert "А. П. Шевчук" in kirov_pdf
    assert "Уважаемая Анна Петровна!" in kirov_pdf
    moscow_pdf = pdf_text(by_email[moscow.email])
    assert "Руководителю Департамента образования и науки города Москвы" in moscow_pdf
    assert "А. А. Дюма" in moscow_pdf
    assert "Уважаемый Александр Александрович!" in moscow_pdf
    # Without a named head the position comes from the authority's name.
    tula = letter.deliveries.get(organisation__region__code="71")
    assert tula.addressee == "Министру образования Тульской области"
    assert tula.salutation == "Уважаемые коллеги!"
