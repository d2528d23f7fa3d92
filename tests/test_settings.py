"""Production settings pass Django's deployment checks; the dev default key is refused there."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}} | env
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_passes_with_production_variables(tmp_path):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="0",
                        SECRET_KEY="x7!" * 20 + "production-secret-key-for-the-check",
                        ALLOWED_HOSTS="kachestvo.example.ru", EMAIL_HOST="smtp.example.ru",
                        VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_refuses_file_mail_in_production(tmp_path):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="0",
                        SECRET_KEY="x7!" * 20 + "production-secret-key-for-the-check",
                        ALLOWED_HOSTS="kachestvo.example.ru", EMAIL_HOST="", VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "mail.E001" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage("check", DEBUG="0", SECRET_KEY="", VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_foreign_host_header_is_a_400_not_a_500(client, db):
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "Некорректный запрос" in response.content.decode()


def test_an_unknown_action_in_an_organisation_url_is_a_404(client, world):
    client.force_login(world.operator)
    assert client.post(f"/directory/organisations/{world.kirov_school.pk}/bogus/").status_code == 404
    assert client.get(f"/directory/organisations/{world.kirov_school.pk}/bogus/").status_code in (404, 405)
