"""In production (DEBUG=0) operators and coordinators must use a second factor unless told otherwise."""

from tests.test_settings import run_manage

SECRET = "x7!" * 20 + "production-secret-key-for-the-check"
PROD = {"DEBUG": "0", "SECRET_KEY": SECRET, "ALLOWED_HOSTS": "kachestvo.example.ru", "EMAIL_HOST": "smtp.example.ru"}
PRINT = "from django.conf import settings; print(','.join(settings.OTP_REQUIRED_ROLES))"


def test_otp_is_required_for_operators_and_coordinators_in_production(tmp_path):
    result = run_manage("shell", "-v", "0", "-c", PRINT, **PROD, VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "operator,coordinator"


def test_the_policy_can_be_turned_off_explicitly(tmp_path):
    result = run_manage("shell", "-v", "0", "-c", PRINT, **PROD, VAR_DIR=str(tmp_path),
                        OTP_REQUIRED_ROLES="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
