from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "qualityweek.quizzes"
    label = "quizzes"
    verbose_name = "Квизы и интеллектуальные игры"

    def ready(self) -> None:
        from . import rules  # noqa: F401
