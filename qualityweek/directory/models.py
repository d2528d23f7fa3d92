from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .access import principal
from .roles import NATIONAL_ROLES, ORGANISATION_ROLES, Role
from .validators import validate_inn

__all__ = ["NATIONAL_ROLES", "ORGANISATION_ROLES", "Role"]


class FederalDistrict(models.Model):
    code = models.CharField("код", max_length=8, unique=True)
    name = models.CharField("название", max_length=100)
    short_name = models.CharField("сокращение", max_length=16)

    class Meta:
        verbose_name = "федеральный округ"
        verbose_name_plural = "федеральные округа"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    """A federal subject of the Russian Federation."""

    code = models.CharField("код региона", max_length=2, unique=True)
    name = models.CharField("официальное название", max_length=128, unique=True)
    short_name = models.CharField("краткое название", max_length=64)
    name_genitive = models.CharField("в родительном падеже", max_length=160)
    iso_code = models.CharField("код ISO 3166-2", max_length=8, blank=True)
    district = models.ForeignKey(FederalDistrict, on_delete=models.PROTECT, related_name="regions",
                                 verbose_name="федеральный округ")
    timezone = models.CharField("часовой пояс (IANA)", max_length=64)
    tile_x = models.PositiveSmallIntegerField("столбец на карте")
    tile_y = models.PositiveSmallIntegerField("строка на карте")
    cities = models.CharField("населённые пункты", max_length=500, blank=True)

    class Meta:
        verbose_name = "регион"
        verbose_name_plural = "регионы"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["tile_x", "tile_y"], name="region_unique_tile")]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def end_of_day(self, day: dt.date) -> dt.datetime:
        """The last instant of ``day`` in this region: deadlines end here, not in Moscow."""
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=self.zone) - dt.timedelta(
            microseconds=1
        )

    def today(self) -> dt.date:
        return timezone.now().astimezone(self.zone).date()

    @property
    def city_list(self) -> list[str]:
        return [c for c in self.cities.split(";") if c]


class Sector(models.TextChoices):
    EDUCATION = "education", "Образование"
    BUSINESS = "business", "Бизнес"
    GOVERNMENT = "government", "Органы власти"
    OTHER = "other", "Другое"


# Coordinators work in one of these two sectors (DESIGN: "one region and one sector").
COORDINATED_SECTORS = (Sector.EDUCATION, Sector.BUSINESS)

_QUOTES = str.maketrans("", "", "«»„“”\"'`")


def organisation_key(name: str, municipality: str) -> str:
    """What makes two organisation names the same: case, «ё», quotes and spacing do not count.
    Computed in Python because SQLite's LOWER() ignores Cyrillic."""
    def norm(text: str) -> str:
        return " ".join(text.casefold().replace("ё", "е").translate(_QUOTES).split())

    return f"{norm(name)}|{norm(municipality)}"[:450]


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user) -> OrganisationQuerySet:
        return self.filter(principal(user).organisation_filter())


class Organisation(models.Model):
    class Kind(models.TextChoices):
        SCHOOL = "school", "Школа"
        COLLEGE = "college", "Колледж, техникум"
        UNIVERSITY = "university", "Вуз"
        KINDERGARTEN = "kindergarten", "Детский сад"
        SUPPLEMENTARY = "supplementary", "Дополнительное образование"
        MANUFACTURER = "manufacturer", "Производитель"
        RETAILER = "retailer", "Торговля"
        SERVICE = "service", "Сфера услуг"
        AUTHORITY = "authority", "Орган власти"
        OTHER = "other", "Другое"

    class Status(models.TextChoices):
        PENDING = "pending", "Ожидает подтверждения"
        ACTIVE = "active", "Действует"
        CLOSED = "closed", "Закрыта"
        REJECTED = "rejected", "Заявка отклонена"

    class Authority(models.TextChoices):
        NONE = "", "—"
        EDUCATION = "education", "Орган управления образованием"
        INDUSTRY = "industry", "Орган в сфере промышленности и экономики"

    name = models.CharField("название", max_length=300)
    name_key = models.CharField(max_length=450, editable=False)
    kind = models.CharField("тип", max_length=16, choices=Kind.choices)
    sector = models.CharField("сфера", max_length=16, choices=Sector.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="organisations",
                               verbose_name="регион")
    municipality = models.CharField("населённый пункт", max_length=120, blank=True)
    address = models.CharField("адрес", max_length=300, blank=True)
    inn = models.CharField("ИНН", max_length=12, blank=True, validators=[validate_inn])
    size = models.PositiveIntegerField("численность (учащихся или сотрудников)", null=True, blank=True)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("телефон", max_length=64, blank=True)
    website = models.URLField("сайт", blank=True)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    authority = models.CharField("орган власти региона", max_length=16, choices=Authority.choices,
                                 blank=True, default=Authority.NONE)
    created_at = models.DateTimeField("создана", auto_now_add=True)
    updated_at = models.DateTimeField("изменена", auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "организация"
        verbose_name_plural = "организации"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inn"], condition=~Q(inn=""), name="organisation_unique_inn",
                violation_error_message="Организация с таким ИНН уже зарегистрирована.",
            ),
            models.UniqueConstraint(
                fields=["region", "name_key"], name="organisation_unique_name_in_place",
                violation_error_message="Организация с таким названием в этом населённом пункте "
                "уже зарегистрирована.",
            ),
            models.UniqueConstraint(
                fields=["region", "authority"], condition=~Q(authority=""),
                name="organisation_one_authority_per_region",
                violation_error_message="У региона уже есть такой орган власти.",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "sector", "status"]),
            models.Index(fields=["sector", "status"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Keep the derived duplicate key in step with the name (bulk inserts set it themselves).
        self.name_key = organisation_key(self.name, self.municipality)
        super().save(*args, **kwargs)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("E-mail is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in by e-mail; what they may do comes from their role assignments."""

    email = models.EmailField("e-mail", unique=True)
    last_name = models.CharField("фамилия", max_length=80)
    first_name = models.CharField("имя", max_length=80)
    patronymic = models.CharField("отчество", max_length=80, blank=True)
    position = models.CharField("должность", max_length=200, blank=True)
    phone = models.CharField("телефон", max_length=64, blank=True)
    is_active = models.BooleanField("активен", default=True)
    is_staff = models.BooleanField("доступ к администрированию", default=False)
    date_joined = models.DateTimeField("зарегистрирован", default=timezone.now)
    # 152-FZ: when the person consented to personal-data processing and to which edition of the text
    # (core.legal.CONSENT_VERSION); set by sign-up and invitation acceptance (decision 0032).
    personal_data_consent_at = models.DateTimeField("согласие на обработку персональных данных", null=True,
                                                    blank=True, editable=False)
    personal_data_consent_version = models.CharField("редакция согласия", max_length=32, blank=True,
                                                     editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["last_name", "first_name"]

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def short_name(self) -> str:
        """И. И. Иванов — as a letter's signature block writes it."""
        initials = " ".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)
        return f"{initials} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name

    def describe_roles(self) -> tuple[str, str]:
        """(role, scope) as the audit log writes them."""
        return principal(self).describe()


def _scope_constraint() -> Q:
    """Each role has exactly one shape of scope; the database refuses any other combination."""
    only_classic = Q(event_id__isnull=True, contest_id__isnull=True, contest_round="")
    no_event = Q(event_id__isnull=True)
    no_contest = Q(contest_id__isnull=True, contest_round="")
    national = Q(role__in=NATIONAL_ROLES, region__isnull=True, sector="", organisation__isnull=True) & only_classic
    regional = Q(role=Role.COORDINATOR, region__isnull=False, sector__in=COORDINATED_SECTORS,
                 organisation__isnull=True) & only_classic
    local = Q(role__in=ORGANISATION_ROLES, region__isnull=True, sector="", organisation__isnull=False) & only_classic
    # Forum staff work at one event (the forum's own model lives above the directory: an id, not a key).
    event = Q(role=Role.FORUM_STAFF, event_id__isnull=False, region__isnull=True, sector="",
              organisation__isnull=True) & no_contest
    # A juror judges one contest, optionally one round of it and one region's applications.
    jury = Q(role=Role.JUROR, contest_id__isnull=False, sector="", organisation__isnull=True) & no_event
    return national | regional | local | event | jury


class ContestRound(models.TextChoices):
    ANY = "", "все туры"
    REGIONAL = "regional", "региональный тур"
    NATIONAL = "national", "национальный тур"


class Scoped(models.Model):
    """The scope beyond region, sector and organisation that a role assignment and an invitation
    share (each declares its own role, region, sector and organisation columns)."""

    event_id = models.PositiveBigIntegerField("мероприятие форума", null=True, blank=True)
    contest_id = models.PositiveBigIntegerField("конкурс", null=True, blank=True)
    contest_round = models.CharField("тур конкурса", max_length=16, choices=ContestRound.choices, blank=True)

    # Declared by each concrete model.
    region: Any
    sector: str
    organisation: Any
    organisation_id: int | None
    get_sector_display: Any

    class Meta:
        abstract = True

    @property
    def scope_label(self) -> str:
        if self.organisation_id:
            return str(self.organisation)
        if self.event_id:
            return f"мероприятие форума № {self.event_id}"
        if self.contest_id:
            parts = [f"конкурс № {self.contest_id}"]
            if self.contest_round:
                parts.append(self.get_contest_round_display())
            if self.region is not None:
                parts.append(self.region.short_name)
            return ", ".join(parts)
        if self.region is not None:
            return f"{self.region.short_name}, {self.get_sector_display().lower()}"
        return "вся Россия"


class RoleAssignment(Scoped):
    """One scoped role of one person: national, region + sector, one organisation, one forum
    event, or one contest (optionally one round and one region)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles", verbose_name="пользователь")
    role = models.CharField("роль", max_length=32, choices=Role.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name="регион")
    sector = models.CharField("сфера", max_length=16, choices=Sector.choices, blank=True)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="people", verbose_name="организация")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "роль"
        verbose_name_plural = "роли"
        constraints = [models.CheckConstraint(condition=_scope_constraint(), name="role_assignment_scope")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.scope_label}"


class Invitation(Scoped):
    """An invitation to take a scoped role; the token is sent by e-mail and only its hash is stored."""

    email = models.EmailField("e-mail")
    last_name = models.CharField("фамилия", max_length=80, blank=True)
    first_name = models.CharField("имя", max_length=80, blank=True)
    patronymic = models.CharField("отчество", max_length=80, blank=True)
    role = models.CharField("роль", max_length=32, choices=Role.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.CASCADE, verbose_name="регион")
    sector = models.CharField("сфера", max_length=16, choices=Sector.choices, blank=True)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE,
                                     verbose_name="организация")
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="пригласил")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    expires_at = models.DateTimeField("действует до")
    accepted_at = models.DateTimeField("принято", null=True, blank=True)
    revoked_at = models.DateTimeField("отозвано", null=True, blank=True)

    class Meta:
        verbose_name = "приглашение"
        verbose_name_plural = "приглашения"
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=_scope_constraint(), name="invitation_scope")]

    def __str__(self) -> str:
        return f"{self.email}: {self.get_role_display()}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "Принято"
        if self.revoked_at:
            return "Отозвано"
        if self.expires_at <= timezone.now():
            return "Истекло"
        return "Ожидает ответа"

