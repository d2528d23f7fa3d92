from django.urls import path

from . import views

urlpatterns: list = [
    path("quizzes/", views.quiz_list, name="quiz_list"),
    path("quizzes/new/", views.quiz_create, name="quiz_create"),
    path("quizzes/import/", views.quiz_import, name="quiz_import"),
    path("quizzes/import/template.xlsx", views.quiz_import_template, name="quiz_import_template"),
    path("quizzes/<int:pk>/", views.quiz_detail, name="quiz_detail"),
    path("quizzes/<int:pk>/export.<str:fmt>", views.quiz_export, name="quiz_export"),
    path("quizzes/<int:pk>/edit/", views.quiz_edit, name="quiz_edit"),
    path("quizzes/<int:pk>/copy/", views.quiz_copy, name="quiz_copy"),
    path("quizzes/<int:pk>/questions/new/", views.quiz_question, name="quiz_question_create"),
    path("quizzes/<int:pk>/questions/<int:question_pk>/", views.quiz_question, name="quiz_question_edit"),
    path("quizzes/<int:pk>/questions/<int:question_pk>/delete/", views.quiz_question_delete,
         name="quiz_question_delete"),
    path("quizzes/<int:pk>/games/", views.quiz_game_create, name="quiz_game_create"),
    path("quizzes/games/<int:pk>/host/", views.quiz_game_host, name="quiz_game_host"),
    path("quizzes/games/<int:pk>/results/", views.quiz_game_results, name="quiz_game_results"),
    path("quizzes/games/<int:pk>/results.<str:fmt>", views.quiz_game_export, name="quiz_game_export"),
    path("quizzes/games/<int:pk>/attach/", views.quiz_game_attach, name="quiz_game_attach"),
    path("quizzes/<int:pk>/questions/<int:question_pk>/image.jpg", views.quiz_question_image,
         name="quiz_question_image"),
    path("quizzes/<int:pk>/homework/", views.quiz_homework_create, name="quiz_homework_create"),
    path("quizzes/games/<int:pk>/close/", views.quiz_game_close, name="quiz_game_close"),
    path("quizzes/games/<int:pk>/images/<int:n>.jpg", views.quiz_game_image, name="quiz_game_image"),
    path("play/", views.quiz_play, name="quiz_play"),
    path("play/hw/<str:code>/", views.quiz_homework_play, name="quiz_homework_play"),
]
