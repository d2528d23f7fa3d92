from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "qualityweek.quizzes"
    label = "quizzes"
    verbose_name = "Квизы и интеллектуальные игры"
