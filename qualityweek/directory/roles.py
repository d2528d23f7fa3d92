"""The roles a person may hold; kept apart from the models so the scope code needs no models."""

from django.db import models


class Role(models.TextChoices):
    OPERATOR_ADMIN = "operator_admin", "Администратор оператора"
    OPERATOR_EDITOR = "operator_editor", "Редактор оператора"
    COORDINATOR = "coordinator", "Региональный координатор"
    ORG_REP = "org_rep", "Представитель организации"
    TEACHER = "teacher", "Учитель / ведущий"
    FORUM_STAFF = "forum_staff", "Сотрудник форума"
    JUROR = "juror", "Член жюри"


NATIONAL_ROLES = (Role.OPERATOR_ADMIN, Role.OPERATOR_EDITOR)
ORGANISATION_ROLES = (Role.ORG_REP, Role.TEACHER)
