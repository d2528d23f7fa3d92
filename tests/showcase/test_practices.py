import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qualityweek.activities.models import Activity
from qualityweek.core.audit import Actor
from qualityweek.showcase import services
from qualityweek.showcase.models import BestPractice

from .conftest import STORY

pytestmark = pytest.mark.django_db


def test_nomination_workflow_and_comments_the_organisation_sees(client, world, nominate):
    practice = nominate("changes")
    client.force_login(world.school_rep)
    page = client.get(f"/practices/manage/{practice.pk}/").content.decode()
    assert "Добавьте результаты" in page
    assert "Нужны правки" in page
    response = client.post(f"/practices/manage/{practice.pk}/", {"title": practice.title, "story": STORY + " Ещё.",
                                                                  "results": "Памятка и выставка"})
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.status == "nominated"
    assert practice.results == "Памятка и выставка"
    services.publish(actor=Actor(user=world.editor), practice=practice)
    practice.refresh_from_db()
    assert practice.status == "published"
    assert practice.published_at


def test_only_approved_activities_in_scope_can_be_nominated(world, make_activity):
    submitted = make_activity(status="submitted")
    with pytest.raises(PermissionDenied):
        services.nominate(actor=Actor(user=world.kirov_edu), activity=submitted, title="x", story=STORY)
    approved = make_activity(status="approved")
    for user in (world.moscow_edu, world.school_rep, world.editor):
        with pytest.raises(PermissionDenied):
            services.nominate(actor=Actor(user=user), activity=approved, title="x", story=STORY)
    services.nominate(actor=Actor(user=world.kirov_edu), activity=approved, title="Практика", story=STORY)
    with pytest.raises(ValidationError) as exc:
        services.nominate(actor=Actor(user=world.kirov_edu), activity=approved, title="Ещё", story=STORY)
    assert "уже выдвинуто" in exc.value.messages[0]


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"title": " ", "story": STORY}, "title", "Дайте практике заголовок."),
    ({"title": "Практика", "story": "Коротко."}, "story", "Расскажите о практике подробнее"),
])
def test_bad_nomination_changes_nothing(world, make_activity, data, field, message):
    activity = make_activity(status="approved")
    with pytest.raises(ValidationError) as exc:
        services.nominate(actor=Actor(user=world.kirov_edu), activity=activity, **data)
    assert message in exc.value.message_dict[field][0]
    assert BestPractice.objects.count() == 0


def test_editors_must_explain_a_refusal(world, nominate):
    practice = nominate()
    for action in (services.reject, services.request_changes):
        with pytest.raises(ValidationError) as exc:
            action(actor=Actor(user=world.editor), practice=practice, comment="  ")
        assert "Напишите комментарий" in exc.value.messages[0]
    with pytest.raises(PermissionDenied):
        services.publish(actor=Actor(user=world.kirov_edu), practice=practice)


def public_surfaces(client) -> str:
    client.logout()
    pages = ["/practices/", "/practices/feed/", "/sitemap-practices.xml", "/practices/?q=дегустацией"]
    return "".join(client.get(url).content.decode() for url in pages)


def test_only_published_visible_practices_reach_the_public(client, world, nominate):
    published = nominate("published", title="Опубликованная практика")
    rejected = nominate("rejected", title="Отклонённая практика")
    pending = nominate("nominated", title="Практика на рассмотрении")
    changes = nominate("changes", title="Практика на доработке")
    everything = public_surfaces(client)
    assert "Опубликованная практика" in everything
    assert f"/practices/{published.pk}/" in everything
    for hidden in (rejected, pending, changes):
        assert hidden.title not in everything
        assert f"/practices/{hidden.pk}/" not in everything
        assert client.get(f"/practices/{hidden.pk}/").status_code == 404
    # A coordinator hiding the activity takes its practice off every public surface too.
    Activity.objects.filter(pk=published.activity_id).update(is_hidden=True)
    from qualityweek.core.public_cache import bump

    bump("practices")
    assert "Опубликованная практика" not in public_surfaces(client)
    assert client.get(f"/practices/{published.pk}/").status_code == 404


def test_search_is_case_insensitive_in_russian(client, world, nominate):
    nominate("published", title="Урок качества с ДЕГУСТАЦИЕЙ молока")
    for q in ["дегустацией", "ДЕГУСТАЦИЕЙ", "урок молока"]:
        assert "с ДЕГУСТАЦИЕЙ молока" in client.get("/practices/", {"q": q}).content.decode(), q
    assert "0 практик" in " ".join(client.get("/practices/", {"q": "космос"}).content.decode().split()).replace(
        "<strong>", "").replace("</strong>", "")


def test_published_page_appears_in_the_campaign_archive(client, world, nominate):
    practice = nominate("published", title="Практика для архива")
    html = client.get(f"/campaigns/{practice.activity.campaign.year}/").content.decode()
    assert "Практика для архива" in html


def test_problem_reports_reach_the_editors(client, world, nominate):
    practice = nominate("published")
    response = client.post(f"/report-problem/practice/{practice.pk}/", {"message": "На фото чужая школа",
                                                                         "contact": ""})
    assert response.status_code == 302
    assert client.post(f"/report-problem/practice/{practice.pk}/", {"message": "!"}).status_code == 200
    bot = client.post(f"/report-problem/practice/{practice.pk}/", {"message": "spam spam", "website": "x"})
    assert bot.status_code == 302
    client.force_login(world.editor)
    page = client.get("/practices/manage/").content.decode()
    assert page.count("На фото чужая школа") == 1
    assert "spam spam" not in page
