"""ASGI entry point: one process serves HTTP and WebSockets.

WebSockets pass the origin check (``ALLOWED_HOSTS``), then the session and user middleware, then
the routes in ``routing.py``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityweek.settings")
django_asgi_app = get_asgi_application()

# Django must be set up before the consumers (and the models they use) are imported.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from qualityweek.core.metrics import WebSocketMetrics  # noqa: E402
from qualityweek.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter({
    "http": django_asgi_app,
    "websocket": WebSocketMetrics(
        AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))),
})
