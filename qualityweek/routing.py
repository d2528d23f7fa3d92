"""WebSocket routes of every app, gathered for the ASGI router (like urls.py for HTTP)."""

from django.urls import path

from qualityweek.core.consumers import HealthConsumer
from qualityweek.quizzes import routing as quizzes_routing

websocket_urlpatterns = [
    path("ws/health/", HealthConsumer.as_asgi(), name="ws_health"),
    *quizzes_routing.websocket_urlpatterns,
]
