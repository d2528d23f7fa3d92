"""Shared vocabulary of the role x URL matrix. Each app adds its routes in ``tests/<app>/matrix*.py``
with ``ROUTES: dict[str, Route]`` and ``objects(world) -> dict`` for the objects its URLs need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ROLES = ["anonymous", "operator", "editor", "kirov_edu", "kirov_business", "school_rep", "teacher"]
LOGIN = "login"  # anonymous is sent to the login page


@dataclass
class Route:
    kwargs: Callable[[dict], dict] | None = None
    method: str = "GET"
    expect: dict[str, int | str] | None = None
    data: Any = None


def all_(code: int | str) -> dict[str, int | str]:
    return dict.fromkeys(ROLES, code)


def signed_in(code: int, **overrides: int) -> dict[str, int | str]:
    return {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], code), **overrides}
