from __future__ import annotations

import io
import secrets
import zipfile

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from qualityweek.certificates import services
from qualityweek.certificates.models import Certificate
from qualityweek.certificates.sources import Subject
from qualityweek.core.audit import Actor
from qualityweek.core.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(world, campaign, kirov):
    services.issue(actor=Actor(user=world.kirov_edu), source_code="activities.participation",
                   subject=Subject(subject_id=campaign.pk, region_id=43, sector="education"))
    return Certificate.objects.get(organisation=world.kirov_school)


def test_verification_page_shows_a_valid_certificate_to_anyone(client, issued):
    response = client.get(reverse("certificate_verify", args=[issued.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Действителен" in html
    assert "Отозван" not in html
    assert issued.holder_name.replace("№", "№") in html
    assert issued.number_text in html
    assert "Роскачество" in html
    assert "за участие во Всемирной неделе качества" in html


def test_verification_page_shows_a_revoked_certificate_with_date_and_reason(client, world, issued):
    services.revoke(actor=Actor(user=world.operator), certificate=issued, reason="Отчёт школы признан недостоверным")
    html = client.get(reverse("certificate_verify", args=[issued.public_id])).content.decode()
    assert "Отозван" in html
    assert "Действителен" not in html
    assert "Отчёт школы признан недостоверным" in html
    assert "г." in html.split("Отозван", 2)[2][:60]  # «Отозван 5 декабря 2026 г.»


def test_verification_of_a_reissued_certificate_points_to_the_new_one(client, world, issued):
    new = services.reissue(actor=Actor(user=world.operator), certificate=issued)
    html = client.get(reverse("certificate_verify", args=[issued.public_id])).content.decode()
    assert "Отозван" in html
    assert new.number_text in html
    assert reverse("certificate_verify", args=[new.public_id]) in html


def test_unknown_and_guessed_ids_are_a_russian_404(client, issued):
    response = client.get("/c/nonexistent-id/")
    assert response.status_code == 404
    assert "Сертификат с таким кодом не найден" in response.content.decode()
    # Neighbours of a real id, sequential numbers and fresh random ids find nothing.
    pid = issued.public_id
    guesses = [pid[:-1] + c for c in "AbZ09-_" if pid[:-1] + c != pid]
    guesses += [str(n) for n in range(1, 30)] + [issued.number_text, str(issued.pk)]
    guesses += [secrets.token_urlsafe(12) for _ in range(20)]
    for guess in guesses:
        assert client.get(f"/c/{guess}/").status_code == 404, guess
    assert client.get("/c/" + "A" * 200 + "/").status_code == 404


def test_verification_is_rate_limited_per_address(client, settings, issued):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "certificate_verify_ip": "3/m"}
    url = reverse("certificate_verify", args=[issued.public_id])
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_pdf_download_is_the_certificate(client, world, issued):
    client.force_login(world.school_rep)
    response = client.get(reverse("certificate_pdf", args=[issued.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split())
    assert issued.holder_name in text
    assert issued.number_text in text
    assert services.verify_url(issued) in text


def test_issue_form_starts_a_job_whose_zip_holds_every_school(client, world, campaign, kirov,
                                                               django_capture_on_commit_callbacks):
    client.force_login(world.kirov_edu)
    page = client.get(reverse("certificate_issue")).content.decode()
    assert "Кировская область, образование" in page
    assert "Москва" not in page.split("<footer", 1)[0]  # the footer carries the operator's Moscow address
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certificate_issue"), {
            "what": f"activities.participation|{campaign.pk}",
            "scope": f"region:{kirov['second'].region_id}:education"})
    job = Job.objects.get()
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "done"
    assert job.owner == world.kirov_edu
    with zipfile.ZipFile(settings.MEDIA_ROOT / job.result_file) as z:
        assert len(z.namelist()) == 2
    download = client.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 200


def test_issue_form_refuses_a_scope_not_offered(client, world, campaign, kirov):
    client.force_login(world.kirov_edu)
    response = client.post(reverse("certificate_issue"), {
        "what": f"activities.participation|{campaign.pk}", "scope": "region:77:education"})
    assert response.status_code == 200
    assert "Выберите область из списка." in response.content.decode()
    response = client.post(reverse("certificate_issue"), {"what": "", "scope": ""})
    assert "Выберите, что выдать." in response.content.decode()
    assert not Job.objects.exists()
    assert not Certificate.objects.exists()


def test_revoke_form_needs_a_reason_and_then_revokes(client, world, issued):
    client.force_login(world.operator)
    url = reverse("certificate_revoke", args=[issued.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "Укажите причину отзыва." in response.content.decode()
    response = client.post(url, {"reason": "Ошибка в названии"})
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == "revoked"
    assert issued.revoke_reason == "Ошибка в названии"
    assert client.get(url).status_code == 302  # revoked already: a message on the detail page


def test_list_filters_and_my_certificates(client, world, issued):
    client.force_login(world.kirov_edu)
    html = client.get(reverse("certificate_list"), {"q": "Лицей"}).content.decode()
    assert "Лицей № 21" in html
    assert "СОШ № 1 г. Кирова" not in html
    assert "Найдено: 1 сертификат." in html
    client.force_login(world.teacher)
    html = client.get(reverse("certificate_mine")).content.decode()
    assert issued.number_text in html
    assert "Лицей" not in html


def test_zip_of_the_filtered_list(client, world, issued, django_capture_on_commit_callbacks):
    client.force_login(world.kirov_edu)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certificate_zip"), {"q": "", "kind": "participation", "status": "valid"})
    job = Job.objects.get(kind="certificates.zip")
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    job.refresh_from_db()
    with zipfile.ZipFile(settings.MEDIA_ROOT / job.result_file) as z:
        assert sorted(z.namelist()) == sorted(f"{c.number_text}.pdf" for c in Certificate.objects.all())


def test_a_revoked_certificates_pdf_says_so(client, world, issued):
    services.revoke(actor=Actor(user=world.operator), certificate=issued, reason="Ошибка")
    client.force_login(world.operator)
    response = client.get(reverse("certificate_pdf", args=[issued.pk]))
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "ОТОЗВАН" in text
