"""Role x URL rows for the operator's personal-data documents (public)."""

from __future__ import annotations

from tests.matrix import Route, all_


def objects(world) -> dict:
    return {}


ROUTES: dict[str, Route] = {
    "privacy": Route(expect=all_(200)),
    "personal_data_consent": Route(expect=all_(200)),
}
