"""Django's ASGI handler with the middleware chain and the view in one trip to a worker thread.

Django's own handler builds an async chain: each sync-only middleware sends the request back
to the event loop (``async_to_sync``), each ``MiddlewareMixin`` in async mode runs its
``process_request`` and ``process_response`` in the worker thread (``sync_to_async``), and the
sync view is another trip. With Parley's middleware that was about seven hand-overs between
the loop and the thread per request, more time than a small API read spends in its view. All
of Parley's views and middleware are sync, so the whole chain runs in the thread at once;
an async view would still work, through ``async_to_sync``. What the request publishes to the
chat sockets is handed back (``realtime.collecting``) and sent from the loop before the
response, rather than each event making its own trip back.
"""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponseBase

from .realtime import collecting, send_events


class SyncChainASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        response, events = await sync_to_async(collecting, thread_sensitive=True)(
            self.get_response, request
        )
        await send_events(events)
        return response
