"""ASGI entry point: HTTP through Django (the API's plain send on the event loop), WebSocket
through Channels."""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
django.setup(set_prefix=False)

from django.urls import get_resolver  # noqa: E402

from parley.core.handlers import SyncChainASGIHandler  # noqa: E402

django_asgi_app = SyncChainASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from parley.accounts.websocket import websocket_auth  # noqa: E402
from parley.messaging.http_send import SendOnLoop  # noqa: E402
from parley.messaging.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": SendOnLoop(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(websocket_auth(URLRouter(websocket_urlpatterns))),
    }
)


def _settle_garbage_collector() -> None:
    """Keep what start-up loaded out of the garbage collector's work, and collect less often.

    A request allocates thousands of objects, so the default threshold (700) ran a young
    collection at nearly every request, and the older generations, which held every module,
    model and URL pattern, were walked again and again: about 0.7 ms per API read, most of
    it landing in the slowest requests. Frozen objects are never walked; a larger threshold
    makes fewer, equally short, collections."""
    get_resolver().url_patterns  # noqa: B018  (import the URLconf and the API now)
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


GC_YOUNG_THRESHOLD = 10_000
_settle_garbage_collector()
