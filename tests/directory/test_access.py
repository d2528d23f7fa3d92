import pytest

from qualityweek.core.permissions import can
from qualityweek.directory.models import Organisation
from tests import factories as f

pytestmark = pytest.mark.django_db


def visible(user):
    return set(Organisation.objects.visible_to(user).values_list("pk", flat=True))


def test_scopes(world):
    w = world
    f.organisation("43", name="Детский сад № 5", kind="kindergarten")
    everyone = set(Organisation.objects.values_list("pk", flat=True))
    kirov_education = set(
        Organisation.objects.filter(region__code="43", sector="education").values_list("pk", flat=True))
    assert visible(w.operator) == everyone
    assert visible(w.editor) == everyone
    assert visible(w.kirov_edu) == kirov_education
    assert visible(w.kirov_business) == {w.kirov_company.pk}
    assert visible(w.moscow_edu) == {w.moscow_school.pk}
    assert visible(w.school_rep) == {w.kirov_school.pk}
    assert visible(w.teacher) == {w.kirov_school.pk}
    assert visible(f.user()) == set()


def test_can_agrees_with_visible_to(world):
    w = world
    orgs = list(Organisation.objects.all())
    for user in (w.operator, w.editor, w.kirov_edu, w.kirov_business, w.moscow_edu, w.school_rep, w.teacher):
        allowed = {o.pk for o in orgs if can(user, "view", o)}
        assert allowed == visible(user), user.email


def test_change_and_approve_rules(world):
    w = world
    assert can(w.school_rep, "change", w.kirov_school)
    assert not can(w.teacher, "change", w.kirov_school)
    assert not can(w.school_rep, "approve", w.kirov_school)
    assert can(w.kirov_edu, "approve", w.kirov_school)
    assert not can(w.kirov_edu, "approve", w.moscow_school)
    assert not can(w.kirov_edu, "approve", w.kirov_company)
    assert not can(w.editor, "approve", w.kirov_school)
    assert can(w.operator, "approve", w.moscow_school)


def test_coordinator_gets_404_for_a_foreign_organisation(client, world):
    client.force_login(world.kirov_edu)
    assert client.get(f"/directory/organisations/{world.kirov_school.pk}/").status_code == 200
    assert client.get(f"/directory/organisations/{world.moscow_school.pk}/").status_code == 404
    assert client.get(f"/directory/organisations/{world.kirov_company.pk}/").status_code == 404
    assert client.get(f"/directory/organisations/{world.moscow_school.pk}/edit/").status_code == 404
    assert client.post(f"/directory/organisations/{world.moscow_school.pk}/close/").status_code == 404
    assert client.get("/directory/regions/77/").status_code == 404
    assert client.get("/directory/regions/43/").status_code == 200


def test_coordinator_list_shows_only_own_region_and_sector(client, world):
    client.force_login(world.kirov_edu)
    html = client.get("/directory/organisations/?region=77").content.decode()
    assert world.kirov_school.name not in html  # the filter is applied inside the scope
    assert world.moscow_school.name not in html
    html = client.get("/directory/organisations/").content.decode()
    assert world.kirov_school.name in html
    assert world.moscow_school.name not in html
    assert "Вятский хлебокомбинат" not in html


def test_organisation_list_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    for i in range(60):
        f.organisation("43", name=f"Лицей № {i + 100}")
    client.force_login(world.operator)
    with django_assert_max_num_queries(10):
        assert client.get("/directory/organisations/").status_code == 200


def test_one_organisations_person_lands_on_its_page_not_a_list_of_one(client, world, make_activity):
    for person in (world.school_rep, world.teacher):
        client.force_login(person)
        response = client.get("/directory/organisations/")
        assert response.status_code == 302
        assert response["Location"] == f"/directory/organisations/{world.kirov_school.pk}/"
    # Their activity list has no coordinator filters and no organisation column.
    make_activity(status="submitted")
    client.force_login(world.school_rep)
    html = client.get("/activities/").content.decode()
    assert 'id="f-kind"' not in html
    assert 'id="f-mun"' not in html
    assert '<th scope="col">Организация</th>' not in html
    client.force_login(world.kirov_edu)
    html = client.get("/activities/").content.decode()
    assert 'id="f-kind"' in html
    assert '<th scope="col">Организация</th>' in html
