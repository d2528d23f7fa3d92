"""Plain factory functions for tests: explicit, no magic, each returns a saved object."""

from __future__ import annotations

import itertools

from qualityweek.directory.models import Organisation, Region, Role, RoleAssignment, User
from qualityweek.directory.validators import make_inn10

PASSWORD = "Kachestvo-2026!"
_seq = itertools.count(1)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def organisation(code: str = "43", kind: str = Organisation.Kind.SCHOOL, sector: str = "education",
                 **fields) -> Organisation:
    n = next(_seq)
    reg = region(code)
    defaults = {"name": f"Школа № {n}", "municipality": reg.city_list[0], "inn": make_inn10(f"{n:09d}"),
                "size": 500, "email": f"org{n}@example.ru"}
    return Organisation.objects.create(kind=kind, sector=sector, region=reg, **(defaults | fields))


def user(role: str | None = None, *, region_code: str = "", sector: str = "", org: Organisation | None = None,
         event_id: int | None = None, contest_id: int | None = None, contest_round: str = "", **fields) -> User:
    n = next(_seq)
    u = User.objects.create_user(email=fields.pop("email", f"user{n}@example.ru"), password=PASSWORD,
                                 last_name=fields.pop("last_name", "Иванов"),
                                 first_name=fields.pop("first_name", "Иван"), **fields)
    if role:
        RoleAssignment.objects.create(user=u, role=role, region=region(region_code) if region_code else None,
                                      sector=sector, organisation=org, event_id=event_id, contest_id=contest_id,
                                      contest_round=contest_round)
        if role == Role.OPERATOR_ADMIN:
            u.is_staff = u.is_superuser = True
            u.save()
    return u
