"""With DEBUG off (as `make run` serves) a missing page and a server error show the project's own Russian
pages with a way home, not Django's debug pages."""

import pytest
from django.test import Client
from django.urls import include, path

from tests.text_check import text_problems


def boom(request):
    raise RuntimeError("a view failed")


urlpatterns = [path("boom/", boom), path("", include("qualityweek.urls"))]


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]


@pytest.mark.django_db
def test_missing_page_is_the_projects_404(production):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Страница не найдена" in html
    assert 'href="/"' in html
    assert "Page not found" not in html
    assert "URLconf" not in html
    assert not text_problems(html)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_server_error_is_the_projects_500(production, caplog):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Что-то пошло не так" in html
    assert 'href="/"' in html
    assert "Traceback" not in html
    assert "RuntimeError" not in html
    assert not text_problems(html)
