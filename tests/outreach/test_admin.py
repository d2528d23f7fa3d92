"""The admin writes letters through the services: a registered letter is frozen there too."""

from __future__ import annotations

from django.forms.models import model_to_dict

from qualityweek.core.models import AuditEntry
from qualityweek.outreach.models import Letter


def _url(letter: Letter) -> str:
    return f"/admin/outreach/letter/{letter.pk}/change/"


def _post_data(letter: Letter, **changes) -> dict:
    data = {k: ("" if v is None else v) for k, v in model_to_dict(letter).items()}
    data["with_qr"] = "on" if letter.with_qr else ""
    return data | changes


def test_the_admin_does_not_accept_a_text_change_of_a_registered_letter(client, world, make_letter):
    letter = make_letter()
    client.force_login(world.operator)
    page = client.get(_url(letter))
    assert page.status_code == 200
    assert 'name="body"' not in page.content.decode()  # shown read-only, not as a field
    response = client.post(_url(letter), _post_data(letter, body="Совсем другой текст письма."))
    assert response.status_code == 403
    letter.refresh_from_db()
    assert letter.body != "Совсем другой текст письма."
    assert letter.is_registered


def test_the_admin_edits_a_draft_through_the_service(client, world, make_letter):
    draft = make_letter(register=False)
    client.force_login(world.operator)
    page = client.get(_url(draft))
    assert 'name="body"' in page.content.decode()
    data = {k: v for k, v in _post_data(draft, title="Новый заголовок").items()
            if k not in {"sender", "campaign", "template", "parent", "status", "register", "number", "reg_number",
                         "reg_date", "verify_token", "created_by"}}
    data["_save"] = "Сохранить"
    response = client.post(_url(draft), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.title == "Новый заголовок"
    assert not draft.is_registered


def test_the_admin_saves_a_template_through_the_service(client, world, templates):
    template = templates["education"]
    client.force_login(world.operator)
    url = f"/admin/outreach/lettertemplate/{template.pk}/change/"
    data = {k: ("" if v is None else v) for k, v in model_to_dict(template).items()}
    data |= {"is_active": "on", "title": "Новый заголовок шаблона", "_save": "Сохранить"}
    assert client.post(url, data).status_code == 302
    template.refresh_from_db()
    assert template.title == "Новый заголовок шаблона"
    assert AuditEntry.objects.filter(action="template.update", object_id=str(template.pk)).exists()
    # A broken placeholder is the service's error, shown on the page; nothing is saved.
    response = client.post(url, data | {"body": "Текст {{нет_такого}}"}, follow=True)
    assert response.status_code == 200
    template.refresh_from_db()
    assert "нет_такого" not in template.body
