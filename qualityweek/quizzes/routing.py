"""The quizzes' WebSocket routes, gathered by qualityweek/routing.py."""

websocket_urlpatterns: list = []
