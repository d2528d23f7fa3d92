"""Issue #5 «Done when», on the demo data: the operator recreates the letter of seed 000 for the
current campaign and gets DOCX and PDF with its requisites, sends it to all 89 education authorities,
an acknowledgement shows up in the tracking table, and the Kirov industry authority cascades it to
its businesses as in seed 004 (the demo already holds the cascade of the business letter)."""

from __future__ import annotations

import io
import re

import docx
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from qualityweek.directory.models import Organisation, User
from qualityweek.outreach import selectors
from qualityweek.outreach.models import Letter, LetterTemplate, Material, Request, Sender

pytestmark = pytest.mark.django_db
ACK_RE = re.compile(r"http://127\.0\.0\.1:8000(/outreach/ack/[A-Za-z0-9_-]+/)")


def norm(text: str) -> str:
    return re.sub(r"[\s\u00a0\u00ad\-–—]+", "", text)


def test_done_when_on_the_demo(client, smtp, django_capture_on_commit_callbacks):
    call_command("load_demo", seed=7, organisations=400, verbosity=0)
    year = timezone.localdate().year
    assert Material.objects.filter(kind="banner").count() == 3
    assert Request.objects.count() == 3
    # The demo's history: the business letter went to the 89 industry authorities and Kirov cascaded it.
    business = Letter.objects.get(sender__is_operator=True, parent__isnull=True)
    kirov_cascade = Letter.objects.get(parent=business)
    assert kirov_cascade.reg_number == "412-01-08"
    assert kirov_cascade.deliveries.exists()

    operator = User.objects.get(email="operator@demo.qualityweek.ru")
    client.force_login(operator)
    template = LetterTemplate.objects.get(audience="education")
    response = client.post(reverse("outreach_letter_create"), {
        "sender": Sender.objects.get(is_operator=True).pk, "campaign": business.campaign_id,
        "template": template.pk, "addressing": "collective", "with_qr": "on"})
    letter = Letter.objects.exclude(pk__in=[business.pk, kirov_cascade.pk]).get()
    assert response.status_code == 302
    client.post(reverse("outreach_letter_register", args=[letter.pk]), {"date": timezone.localdate().isoformat()})
    letter.refresh_from_db()
    assert letter.reg_number == "2174-РСК"

    pdf = client.get(reverse("outreach_letter_pdf", args=[letter.pk])).content
    docx_bytes = client.get(reverse("outreach_letter_docx", args=[letter.pk])).content
    pdf_text = norm("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    d = docx.Document(io.BytesIO(docx_bytes))
    docx_text = norm("".join([c.text for t in d.tables for c in t._cells] + [p.text for p in d.paragraphs]))
    for requisite in ("РОСКАЧЕСТВО", "119071, Россия, г. Москва, ул. Орджоникидзе, д. 12", "+ 7 (495) 777 43 12",
                      "roskachestvo.gov.ru", f"№ 2174-РСК от «{timezone.localdate():%d}»",
                      "Руководителям органов управления образованием", "О проведении Недели качества и Дня качества",
                      "Уважаемые коллеги!", f"В {year} году Неделя качества приходится на период",
                      f"В срок до 15 декабря {year} года", "tabolova@roskachestvo.gov.ru", "Руководитель",
                      "М.А. Протасов"):
        assert norm(requisite) in pdf_text, requisite
        assert norm(requisite) in docx_text, requisite

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outreach_letter_dispatch", args=[letter.pk]),
                    {"audience": "education_authorities", "confirm": "1"})
        client.post(reverse("outreach_letter_dispatch", args=[letter.pk]),
                    {"audience": "industry_authorities", "confirm": "1"})
    assert letter.deliveries.filter(organisation__authority="education", status="sent").count() == 89
    kirov = Organisation.objects.get(region__code="43", authority="industry")
    mail = next(m for m in smtp.messages if m["To"] == kirov.email)
    client.post(ACK_RE.search(mail.get_body(("plain",)).get_content()).group(1))  # type: ignore[union-attr]
    table = client.get(reverse("outreach_letter_tracking_table", args=[letter.pk])).content.decode()
    assert 'data-testid="count-acknowledged">1<' in table

    client.force_login(User.objects.get(email="kirov.business@demo.qualityweek.ru"))
    client.post(reverse("outreach_letter_cascade", args=[letter.pk]))
    child = Letter.objects.get(parent=letter)
    assert child.salutation == "Уважаемые предприниматели!"
    client.post(reverse("outreach_letter_register", args=[child.pk]), {"date": timezone.localdate().isoformat()})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outreach_letter_dispatch", args=[child.pk]), {"audience": "organisations", "confirm": "1"})
    child.refresh_from_db()
    assert child.reg_number == "413-01-08"
    businesses = Organisation.objects.filter(region__code="43", sector="business", authority="", status="active")
    assert child.deliveries.count() == businesses.count() > 0
    row = next(r for r in selectors.funnel(letter) if r.region.code == "43")
    assert (row.received, row.acknowledged, row.forwarded) == (2, 1, 1)
    assert row.organisations == child.deliveries.filter(status="sent").count()
