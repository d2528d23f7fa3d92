from __future__ import annotations

from dataclasses import dataclass

import pytest

from qualityweek.directory.models import Organisation, Role, User

from . import factories as f


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path):
    """Jobs run in-process unless a test asks for the real database worker; files go to a temp dir."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@dataclass
class World:
    """Two regions, two sectors, and a person for every role."""

    kirov_school: Organisation
    kirov_company: Organisation
    moscow_school: Organisation
    operator: User
    editor: User
    kirov_edu: User
    kirov_business: User
    moscow_edu: User
    school_rep: User
    teacher: User
    company_rep: User

    def as_role(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)


@pytest.fixture
def world(db) -> World:
    kirov_school = f.organisation("43", name="МБОУ СОШ № 1 г. Кирова")
    kirov_company = f.organisation("43", kind=Organisation.Kind.MANUFACTURER, sector="business",
                                   name="АО «Вятский хлебокомбинат»")
    moscow_school = f.organisation("77", name="ГБОУ Школа № 1535")
    return World(
        kirov_school=kirov_school, kirov_company=kirov_company, moscow_school=moscow_school,
        operator=f.user(Role.OPERATOR_ADMIN, email="operator@example.ru"),
        editor=f.user(Role.OPERATOR_EDITOR, email="editor@example.ru"),
        kirov_edu=f.user(Role.COORDINATOR, region_code="43", sector="education", email="kirov.edu@example.ru"),
        kirov_business=f.user(Role.COORDINATOR, region_code="43", sector="business", email="kirov.biz@example.ru"),
        moscow_edu=f.user(Role.COORDINATOR, region_code="77", sector="education", email="moscow.edu@example.ru"),
        school_rep=f.user(Role.ORG_REP, org=kirov_school, email="school@example.ru"),
        teacher=f.user(Role.TEACHER, org=kirov_school, email="teacher@example.ru"),
        company_rep=f.user(Role.ORG_REP, org=kirov_company, email="company@example.ru"),
    )
