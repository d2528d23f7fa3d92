"""Deterministic demo directory: authorities for all 89 regions, organisations with Russian names,
and demo users for every role. Bulk inserts, so 100,000 organisations load in seconds."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from qualityweek.core.demo import DemoContext

from .models import Invitation, Organisation, Region, Role, RoleAssignment, User, organisation_key
from .validators import make_inn10

DEMO_PASSWORD = "quality2026"  # noqa: S105 - the demo logins are printed for the user on purpose
K = Organisation.Kind

SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
            "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
            "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв",
            "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов"]
MALE_NAMES = [("Александр", "Александрович"), ("Сергей", "Сергеевич"), ("Дмитрий", "Дмитриевич"),
              ("Андрей", "Андреевич"), ("Алексей", "Алексеевич"), ("Иван", "Иванович"),
              ("Михаил", "Михайлович"), ("Николай", "Николаевич"), ("Владимир", "Владимирович")]
FEMALE_NAMES = [("Елена", "Александровна"), ("Ольга", "Сергеевна"), ("Наталья", "Дмитриевна"),
                ("Татьяна", "Андреевна"), ("Ирина", "Алексеевна"), ("Светлана", "Ивановна"),
                ("Мария", "Михайловна"), ("Анна", "Николаевна"), ("Юлия", "Владимировна")]

KINDERGARTEN_NAMES = ["Солнышко", "Радуга", "Колокольчик", "Теремок", "Ромашка", "Золотой ключик", "Берёзка",
                      "Ласточка", "Сказка", "Светлячок"]
SUPPLEMENTARY_NAMES = ["Центр детского творчества", "Дом детского творчества", "Станция юных техников",
                       "Детская школа искусств", "Центр технического творчества «Кванториум»"]
COLLEGE_PROFILES = ["технологический", "педагогический", "политехнический", "медицинский", "аграрный",
                    "строительный", "торгово-экономический", "колледж информационных технологий"]
BUSINESS_WORDS = ["Север", "Волга", "Урал", "Исток", "Заря", "Вектор", "Гарант", "Прогресс", "Надежда", "Сибирь",
                  "Родник", "Мастер", "Стандарт", "Эталон", "Качество", "Альянс", "Меридиан", "Кристалл"]
MANUFACTURER_KINDS = ["хлебозавод", "молочный комбинат", "мебельная фабрика", "машиностроительный завод",
                      "кондитерская фабрика", "швейная фабрика", "мясокомбинат", "завод металлоконструкций",
                      "типография", "пивоваренный завод", "фармацевтическая фабрика", "завод стройматериалов"]
RETAIL_KINDS = ["торговый дом", "сеть магазинов", "универсам", "фермерская лавка", "аптечная сеть"]
SERVICE_KINDS = ["клиника", "автосервис", "туристическое агентство", "сервисный центр", "транспортная компания",
                 "гостиница", "ресторан", "фитнес-клуб"]
LEGAL_FORMS = ["ООО", "АО", "ПАО", "ООО", "ООО"]

# Shares of generated organisations by kind (schools dominate, as in real regions).
KIND_WEIGHTS = [(K.SCHOOL, 40), (K.KINDERGARTEN, 18), (K.COLLEGE, 6), (K.UNIVERSITY, 1), (K.SUPPLEMENTARY, 5),
                (K.MANUFACTURER, 14), (K.RETAILER, 8), (K.SERVICE, 7), (K.OTHER, 1)]
SIZE_RANGES = {K.SCHOOL: (150, 1600), K.KINDERGARTEN: (40, 320), K.COLLEGE: (300, 2500),
               K.UNIVERSITY: (2000, 25000), K.SUPPLEMENTARY: (100, 1500), K.MANUFACTURER: (20, 6000),
               K.RETAILER: (10, 3000), K.SERVICE: (5, 800), K.OTHER: (5, 300)}
SECTOR = {K.SCHOOL: "education", K.KINDERGARTEN: "education", K.COLLEGE: "education", K.UNIVERSITY: "education",
          K.SUPPLEMENTARY: "education", K.MANUFACTURER: "business", K.RETAILER: "business",
          K.SERVICE: "business", K.OTHER: "other"}
# Bigger regions get more organisations (Moscow, Moscow oblast, St Petersburg, Krasnodar, Tatarstan…).
REGION_WEIGHT = {"77": 8, "50": 6, "78": 5, "23": 4, "16": 3, "66": 3, "02": 3, "54": 2, "61": 3, "52": 2, "74": 2,
                 "63": 2, "24": 2, "59": 2, "43": 2}

KIROV_INDUSTRY = {
    "name": "Министерство промышленности, предпринимательства и торговли Кировской области",
    "address": "ул. Карла Либкнехта, 69, г. Киров, 610019", "email": "prom@ako.kirov.ru", "phone": "27-27-23",
}


@dataclass(frozen=True)
class DemoUser:
    email: str
    role: str
    label: str
    last_name: str
    first_name: str
    patronymic: str
    region: str = ""  # region code for coordinators
    sector: str = ""
    organisation: str = ""  # "kirov-school" / "kirov-business" / "kirov-kindergarten"


DEMO_USERS = [
    DemoUser("operator@demo.qualityweek.ru", Role.OPERATOR_ADMIN, "Администратор оператора (Роскачество)",
             "Протасов", "Михаил", "Александрович"),
    DemoUser("editor@demo.qualityweek.ru", Role.OPERATOR_EDITOR, "Редактор оператора",
             "Таболова", "Анна", "Сергеевна"),
    DemoUser("kirov.edu@demo.qualityweek.ru", Role.COORDINATOR, "Координатор: Кировская обл., образование",
             "Лебедева", "Ольга", "Николаевна", region="43", sector="education"),
    DemoUser("kirov.business@demo.qualityweek.ru", Role.COORDINATOR, "Координатор: Кировская обл., бизнес",
             "Семёнов", "Андрей", "Викторович", region="43", sector="business"),
    DemoUser("moscow.edu@demo.qualityweek.ru", Role.COORDINATOR, "Координатор: Москва, образование",
             "Орлова", "Ирина", "Алексеевна", region="77", sector="education"),
    DemoUser("school@demo.qualityweek.ru", Role.ORG_REP, "Представитель школы (Киров)",
             "Кузнецова", "Елена", "Ивановна", organisation="kirov-school"),
    DemoUser("teacher@demo.qualityweek.ru", Role.TEACHER, "Учитель (Киров)",
             "Морозов", "Дмитрий", "Сергеевич", organisation="kirov-school"),
    DemoUser("company@demo.qualityweek.ru", Role.ORG_REP, "Представитель предприятия (Киров)",
             "Волков", "Сергей", "Петрович", organisation="kirov-business"),
]


class DemoDirectory:
    def __init__(self, seed: int, organisations: int) -> None:
        self.rng = random.Random(seed)
        self.target = organisations
        self.used_inns: set[str] = set()
        self.used_names: set[tuple[int, str, str]] = set()

    # --- names ---------------------------------------------------------------------------------
    def inn(self) -> str:
        while True:
            value = make_inn10(f"{self.rng.randint(1, 99):02d}{self.rng.randint(0, 9999999):07d}")
            if value not in self.used_inns:
                self.used_inns.add(value)
                return value

    def person(self) -> tuple[str, str, str]:
        surname = self.rng.choice(SURNAMES)
        if self.rng.random() < 0.6:
            first, patronymic = self.rng.choice(FEMALE_NAMES)
            surname += "а"
        else:
            first, patronymic = self.rng.choice(MALE_NAMES)
        return surname, first, patronymic

    def org_name(self, kind: str, city: str, n: int) -> str:
        rng = self.rng
        if kind == K.SCHOOL:
            form = rng.choice(["МБОУ", "МАОУ", "МКОУ"])
            school = rng.choice(["Средняя общеобразовательная школа № {n}", "Гимназия № {n}", "Лицей № {n}",
                                 "Основная общеобразовательная школа № {n}",
                                 "Средняя школа № {n} с углублённым изучением отдельных предметов"])
            return f"{form} «{school.format(n=n)}» г. {city}"
        if kind == K.KINDERGARTEN:
            return f"МБДОУ «Детский сад № {n} «{rng.choice(KINDERGARTEN_NAMES)}» г. {city}"
        if kind == K.SUPPLEMENTARY:
            return f"МБУ ДО «{rng.choice(SUPPLEMENTARY_NAMES)} № {n}» г. {city}"
        if kind == K.COLLEGE:
            profile = rng.choice(COLLEGE_PROFILES)
            title = profile if profile.startswith("колледж") else f"{profile} колледж"
            return f"ГПОБУ «{title.capitalize()} № {n}» г. {city}"
        if kind == K.UNIVERSITY:
            field = rng.choice(["технологий", "экономики и сервиса", "педагогики"])
            return f"ФГБОУ ВО «Государственный университет {field}», филиал № {n} в г. {city}"
        word = rng.choice(BUSINESS_WORDS)
        if kind == K.MANUFACTURER:
            return f"{rng.choice(LEGAL_FORMS)} «{word}» — {rng.choice(MANUFACTURER_KINDS)} № {n}"
        if kind == K.RETAILER:
            return f"{rng.choice(LEGAL_FORMS)} «{word}-{n}» ({rng.choice(RETAIL_KINDS)})"
        if kind == K.SERVICE:
            return f"{rng.choice(LEGAL_FORMS)} «{word} {n}» ({rng.choice(SERVICE_KINDS)})"
        return f"АНО «{word}-{n}»"

    # --- organisations -------------------------------------------------------------------------
    def authorities(self, regions: list[Region]) -> Iterator[Organisation]:
        for region in regions:
            slug = region.iso_code.lower().replace("ru-", "") or f"r{region.code}"
            yield Organisation(
                name=f"Министерство образования {region.name_genitive}", kind=K.AUTHORITY, sector="government",
                region=region, municipality=region.city_list[0], inn=self.inn(), email=f"edu@{slug}.example.ru",
                authority=Organisation.Authority.EDUCATION, status=Organisation.Status.ACTIVE,
            )
            industry = dict(KIROV_INDUSTRY) if region.code == "43" else {
                "name": f"Министерство промышленности и торговли {region.name_genitive}",
                "email": f"prom@{slug}.example.ru"}
            yield Organisation(
                kind=K.AUTHORITY, sector="government", region=region, municipality=region.city_list[0],
                inn=self.inn(), authority=Organisation.Authority.INDUSTRY, status=Organisation.Status.ACTIVE,
                **industry,
            )

    def organisations(self, regions: list[Region]) -> Iterator[Organisation]:
        weights = [REGION_WEIGHT.get(r.code, 1) for r in regions]
        kinds, kind_weights = zip(*KIND_WEIGHTS, strict=True)
        counters: dict[tuple[int, str, str], int] = {}
        for i in range(self.target):
            region = regions[i % len(regions)] if i < len(regions) * 4 else self.rng.choices(regions, weights)[0]
            kind = kinds[i % len(kinds)] if i < len(regions) * 4 else self.rng.choices(kinds, kind_weights)[0]
            city = self.rng.choice(region.city_list)
            key = (region.pk, city, kind)
            counters[key] = counters.get(key, 0) + 1
            name = self.org_name(kind, city, counters[key])
            low, high = SIZE_RANGES[kind]
            roll = self.rng.random()
            status = (Organisation.Status.PENDING if roll < 0.02 else
                      Organisation.Status.CLOSED if roll < 0.04 else Organisation.Status.ACTIVE)
            yield Organisation(
                name=name, kind=kind, sector=SECTOR[kind], region=region, municipality=city,
                inn=self.inn() if self.rng.random() < 0.9 else "", size=self.rng.randint(low, high),
                email=f"org{i + 1}@demo-org.example.ru", website=f"https://org{i + 1}.example.ru",
                status=status,
            )


def build(ctx: DemoContext) -> dict[str, int]:
    regions = list(Region.objects.order_by("code"))
    if len(regions) != 89:
        raise RuntimeError("Reference regions are missing: run migrations first.")
    gen = DemoDirectory(ctx.seed, ctx.organisations)
    batch: list[Organisation] = []
    created = 0
    total = ctx.organisations + 2 * len(regions)

    def flush() -> None:
        nonlocal created
        for org in batch:
            org.name_key = organisation_key(org.name, org.municipality)
        Organisation.objects.bulk_create(batch, batch_size=2000)
        created += len(batch)
        batch.clear()
        ctx.on_progress(created, total, "Организации")

    for org in (*gen.authorities(regions), *gen.organisations(regions)):
        batch.append(org)
        if len(batch) >= 5000:
            flush()
    flush()
    users = create_demo_users(gen)
    return {"организаций": created, "пользователей": users}


def wipe() -> None:
    Invitation.objects.all().delete()
    User.objects.all().delete()
    Organisation.objects.all().delete()


def create_demo_users(gen: DemoDirectory) -> int:
    """Demo logins for every role; their organisations are named so they are easy to find."""
    kirov = Region.objects.get(code="43")
    anchors = {
        "kirov-school": Organisation.objects.create(
            name="МБОУ «Средняя общеобразовательная школа № 27 с углублённым изучением отдельных предметов» г. Киров",
            kind=K.SCHOOL, sector="education", region=kirov, municipality="Киров", inn=gen.inn(), size=980,
            email="school27@demo-org.example.ru", website="https://school27.example.ru"),
        "kirov-business": Organisation.objects.create(
            name="АО «Вятский хлебокомбинат»", kind=K.MANUFACTURER, sector="business", region=kirov,
            municipality="Киров", inn=gen.inn(), size=640, email="info@vyatka-bread.example.ru",
            website="https://vyatka-bread.example.ru", address="ул. Производственная, 12, г. Киров"),
    }
    password = make_password(DEMO_PASSWORD)
    regions = {r.code: r for r in Region.objects.filter(code__in={u.region for u in DEMO_USERS if u.region})}
    for demo in DEMO_USERS:
        user = User.objects.create(
            email=demo.email, password=password, last_name=demo.last_name, first_name=demo.first_name,
            patronymic=demo.patronymic, position=demo.label,
            is_staff=demo.role == Role.OPERATOR_ADMIN, is_superuser=demo.role == Role.OPERATOR_ADMIN,
        )
        RoleAssignment.objects.create(user=user, role=demo.role, region=regions.get(demo.region),
                                      sector=demo.sector, organisation=anchors.get(demo.organisation))
    return len(DEMO_USERS)
