"""The Django admin is Russian too: the operator opens its index, every changelist and every add form,
and each page passes the same text check as the role x URL matrix (tests/text_check.py)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.text_check import text_problems

# Codes the admin lists as they are stored: federal districts (CFD …) and ISO 3166-2 region codes (RU-KIR).
CODES = {"CFD", "NWFD", "SFD", "NCFD", "VFD", "UFD", "SIBFD", "FEFD", "IANA"}


@pytest.mark.django_db
def test_every_admin_page_is_russian(client, world):
    client.force_login(world.operator)
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse("admin:app_list", kwargs={"app_label": opts.app_label}))
        if model_admin.has_add_permission(type("R", (), {"user": world.operator})()):
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        first = model._default_manager.first()
        # A user's page shows a fragment of the password hash (random letters).
        if first is not None and opts.model_name != "user":
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
    failures = {}
    for url in dict.fromkeys(urls):
        response = client.get(url)
        assert response.status_code == 200, url
        if problems := text_problems(response.content.decode(), CODES):
            failures[url] = problems
    assert not failures, failures
