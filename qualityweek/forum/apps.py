from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "qualityweek.forum"
    label = "forum"
    verbose_name = "Форум «Всемирный день качества»"

    def ready(self) -> None:
        from qualityweek.certificates.sources import Source, register

        from . import rules, selectors  # noqa: F401  (registers the rules for can())

        register(Source(code="forum.attendance", kind="forum_attendance",
                        label="Участники форума (отмеченные на входе или онлайн)",
                        holders=selectors.attendance_holders, subjects=selectors.attendance_subjects))
