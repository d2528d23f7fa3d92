from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "qualityweek.certificates"
    label = "certificates"
    verbose_name = "Сертификаты и дипломы"

    def ready(self) -> None:
        from . import rules  # noqa: F401
