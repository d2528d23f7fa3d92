"""The quizzes' WebSocket routes, gathered by qualityweek/routing.py."""

from django.urls import path

from .consumers import QuizConsumer

websocket_urlpatterns: list = [
    path("ws/quiz/", QuizConsumer.as_asgi(), name="ws_quiz"),
]
