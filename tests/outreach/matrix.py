"""Role x URL rows for outreach (see tests/test_url_matrix.py).

The operator has written two letters: a draft and № 1-РСК, sent to the Kirov education authority
(so the Kirov education coordinator received it and may cascade it; for the Kirov business
coordinator and for organisations it is foreign: 404). Both Kirov authorities have letterheads."""

from __future__ import annotations

import io

from django.utils import timezone
from PIL import Image

from qualityweek.campaigns.selectors import current_campaign
from qualityweek.core.audit import Actor
from qualityweek.outreach import seed_texts, services
from qualityweek.outreach.models import Delivery, Dispatch, Letter, Material, Request
from tests import factories as f
from tests.matrix import Route, all_, signed_in


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (240, 400), (11, 78, 162)).save(out, "PNG")
    return out.getvalue()


def objects(world) -> dict:
    system = Actor.system()
    campaign = current_campaign()
    operator = services.save_sender(actor=system, **seed_texts.OPERATOR)
    kirov_edu_org = f.organisation("43", kind="authority", sector="government", authority="education",
                                   name="Министерство образования Кировской области")
    f.organisation("43", kind="authority", sector="government", authority="industry",
                                        name="Министерство промышленности Кировской области")
    services.save_sender(actor=system, organisation=kirov_edu_org, name="МИНИСТЕРСТВО ОБРАЗОВАНИЯ",
                         short_name="Минобразования", address="г. Киров", signer_position="Министр",
                         signer_name="О.Н. Лебедева")
    services.save_register(actor=system, sender=operator, year=timezone.localdate().year, pattern="{n}-РСК")
    fields = {"addressee_position": seed_texts.ADDRESSEE_EDUCATION, "title": "О проведении Дня качества",
              "body": "Просим принять участие в Неделе качества {{год}} года."}
    draft = services.create_letter(actor=system, sender=operator, campaign=campaign, **fields)
    letter = services.create_letter(actor=system, sender=operator, campaign=campaign, **fields)
    letter = services.register_letter(actor=system, letter=letter)
    dispatch = Dispatch.objects.create(letter=letter, audience=Dispatch.Audience.EDUCATION_AUTHORITIES, total=1)
    delivery = Delivery(letter=letter, dispatch=dispatch, organisation=kirov_edu_org, email=kirov_edu_org.email,
                        addressee=letter.addressee, salutation=letter.salutation, status=Delivery.Status.SENT,
                        sent_at=timezone.now())
    token = services.new_ack_token(delivery)
    delivery.save()
    link = services.save_material(actor=system, campaign=campaign, kind=Material.Kind.VIDEO, title="Видео",
                                  url="https://rskrf.ru/qualityday/", audiences=["everyone"])
    banner = services.save_material(actor=system, campaign=campaign, kind=Material.Kind.BANNER, title="Баннер",
                                    audiences=["everyone"], upload=("banner.png", _png()))
    request = Request.objects.create(name="Елена", email="elena@example.ru", topic=Request.Topic.MOCKUPS,
                                     message="Пришлите баннер для сайта школы.")
    assert isinstance(letter, Letter)
    return {"letter": letter, "dispatch": dispatch, "draft": draft, "ack_token": token,
            "template": services.save_template(
        actor=system, name="Шаблон", audience="education", title="О проведении", body="Текст {{год}}"),
        "material": link, "banner": banner, "request": request}


def _letter(o: dict) -> dict:
    return {"pk": o["letter"].pk}


def _draft(o: dict) -> dict:
    return {"pk": o["draft"].pk}


# The operator's letter: received by the Kirov education authority, foreign to everybody else in a region.
FOREIGN = {"kirov_business": 404, "school_rep": 404, "teacher": 404}
# The draft nobody outside the operator has seen.
DRAFT_FOREIGN = {**FOREIGN, "kirov_edu": 404}
OPERATOR_ONLY = {"kirov_edu": 403, "kirov_business": 403, "school_rep": 403, "teacher": 403}

ROUTES: dict[str, Route] = {
    "outreach_letters": Route(expect=signed_in(200)),
    "outreach_letter_create": Route(expect=signed_in(200, kirov_business=302, school_rep=403, teacher=403)),
    "outreach_letter_detail": Route(kwargs=_letter, expect=signed_in(200, **FOREIGN)),
    "outreach_letter_edit": Route(kwargs=_draft, expect=signed_in(200, **DRAFT_FOREIGN)),
    "outreach_letter_delete": Route(kwargs=_draft, method="POST", expect=signed_in(302, **DRAFT_FOREIGN)),
    "outreach_letter_register": Route(kwargs=_draft, method="POST", data={"date": timezone.localdate().isoformat()},
                                      expect=signed_in(302, **DRAFT_FOREIGN)),
    "outreach_letter_pdf": Route(kwargs=_letter, expect=signed_in(200, **FOREIGN)),
    "outreach_letter_docx": Route(kwargs=_letter, expect=signed_in(200, **FOREIGN)),
    "outreach_letter_dispatch": Route(kwargs=_letter, expect=signed_in(200, kirov_edu=403, **FOREIGN)),
    "outreach_letter_tracking": Route(kwargs=_letter, expect=signed_in(200, kirov_edu=403, **FOREIGN)),
    "outreach_letter_tracking_table": Route(kwargs=_letter, expect=signed_in(200, kirov_edu=403, **FOREIGN)),
    # The «Рассылка запущена» banner's fragment: whoever may track the letter.
    "outreach_dispatch_status": Route(kwargs=lambda o: {"pk": o["letter"].pk, "dispatch_pk": o["dispatch"].pk},
                                      expect=signed_in(200, kirov_edu=403, **FOREIGN)),
    # Nothing to resume, nobody «unknown»: the message says so (302) to those who may dispatch the letter.
    "outreach_dispatch_resume": Route(kwargs=lambda o: {"pk": o["letter"].pk, "dispatch_pk": o["dispatch"].pk},
                                      method="POST", expect=signed_in(302, kirov_edu=403, **FOREIGN)),
    "outreach_dispatch_unknown": Route(kwargs=lambda o: {"pk": o["letter"].pk, "dispatch_pk": o["dispatch"].pk},
                                       method="POST", data={"decision": "delivered"},
                                       expect=signed_in(302, kirov_edu=403, **FOREIGN)),
    "outreach_letter_render": Route(kwargs=_letter, method="POST", data={"formats": ["pdf"]},
                                    expect=signed_in(302, kirov_edu=403, **FOREIGN)),
    "outreach_letter_cascade": Route(kwargs=_letter, method="POST",
                                     expect=signed_in(403, kirov_edu=302, **FOREIGN)),
    "outreach_letterhead": Route(expect=signed_in(200, school_rep=403, teacher=403)),
    "outreach_registers": Route(expect=signed_in(200, school_rep=403, teacher=403)),
    "outreach_templates": Route(expect=signed_in(200, school_rep=403, teacher=403)),
    "outreach_template_create": Route(expect=signed_in(200, **OPERATOR_ONLY)),
    "outreach_template_edit": Route(kwargs=lambda o: {"pk": o["template"].pk},
                                    expect=signed_in(200, **OPERATOR_ONLY)),
    # Public pages: the QR-code check, the acknowledgement link, the library and the mailbox form.
    "outreach_letter_check": Route(kwargs=lambda o: {"token": o["letter"].verify_token}, expect=all_(200)),
    "outreach_acknowledge": Route(kwargs=lambda o: {"token": o["ack_token"]}, expect=all_(200)),
    "outreach_materials": Route(expect=all_(200)),
    "outreach_material_download": Route(kwargs=lambda o: {"pk": o["material"].pk}, expect=all_(302)),
    "outreach_material_image": Route(kwargs=lambda o: {"pk": o["banner"].pk}, expect=all_(200)),
    "outreach_material_create": Route(expect=signed_in(200, **OPERATOR_ONLY)),
    "outreach_material_edit": Route(kwargs=lambda o: {"pk": o["banner"].pk}, expect=signed_in(200, **OPERATOR_ONLY)),
    "outreach_request_new": Route(expect=all_(200)),
    "outreach_requests": Route(expect=signed_in(200, **OPERATOR_ONLY)),
    "outreach_request_detail": Route(kwargs=lambda o: {"pk": o["request"].pk},
                                     expect=signed_in(200, kirov_edu=404, kirov_business=404, school_rep=404,
                                                      teacher=404)),
    "outreach_request_move": Route(kwargs=lambda o: {"pk": o["request"].pk, "action": "take"}, method="POST",
                                   expect=signed_in(302, kirov_edu=404, kirov_business=404, school_rep=404,
                                                    teacher=404)),
}
