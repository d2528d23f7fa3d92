"""The organisation's status table walked state by state: the detail page offers exactly the steps
the table opens, and the services accept exactly those steps (anything else is refused, unchanged)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qualityweek.core.audit import Actor
from qualityweek.core.permissions import actions_for
from qualityweek.directory import rules, services
from qualityweek.directory.models import Organisation

pytestmark = pytest.mark.django_db

STEPS = {
    "activate": lambda actor, org: services.approve_organisation(actor=actor, organisation=org),
    "reject": lambda actor, org: services.reject_organisation(actor=actor, organisation=org, reason="Дубликат"),
    "close": lambda actor, org: services.close_organisation(actor=actor, organisation=org),
    "reopen": lambda actor, org: services.reopen_organisation(actor=actor, organisation=org),
}
BUTTONS = {"activate": "Подтвердить организацию", "reject": "Отклонить заявку", "close": "Отметить как закрытую",
           "reopen": "Вернуть в действующие"}


@pytest.mark.parametrize("status", list(rules.ORGANISATION_ACTIONS))
def test_pages_and_services_follow_the_table(world, client, status):
    org = world.kirov_school
    Organisation.objects.filter(pk=org.pk).update(status=status)
    org.refresh_from_db()
    allowed = rules.ORGANISATION_ACTIONS[status]
    steps = actions_for(world.kirov_edu, org) & set(STEPS)
    assert steps == allowed
    assert actions_for(world.moscow_edu, org) & set(STEPS) == set()
    client.force_login(world.kirov_edu)
    html = client.get(reverse("organisation_detail", args=[org.pk])).content.decode()
    for step, label in BUTTONS.items():
        assert (label in html) == (step in allowed), (status, step)
    for step, call in STEPS.items():
        if step in allowed:
            continue
        with pytest.raises(ValidationError):
            call(Actor(user=world.kirov_edu), org)
        org.refresh_from_db()
        assert org.status == status
