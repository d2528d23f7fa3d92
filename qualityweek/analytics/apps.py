from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "qualityweek.analytics"
    label = "analytics"
    verbose_name = "Показатели и открытые данные"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from qualityweek.activities.models import ActivityType
        from qualityweek.directory.models import Region

        from . import rules  # noqa: F401
        from .selectors import forget_reference

        for model in (ActivityType, Region):
            post_save.connect(forget_reference, sender=model, dispatch_uid=f"analytics-forget-{model.__name__}")
            post_delete.connect(forget_reference, sender=model, dispatch_uid=f"analytics-forget-{model.__name__}-del")
