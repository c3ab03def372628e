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

Django also gives each request a worker thread of its own. On SQLite, which takes one writer at
a time, those threads and the chat sockets' database thread queued on the file's lock by
polling it, and under load some requests waited seconds while others kept winning; on
PostgreSQL, 8 to 32 request threads running Python at once left the event loop too little of
the interpreter to relay chat events, which reached sockets seconds late. Every request runs on
the one database thread instead, in the order it came, as the chat sockets' database work does.

That one trip also takes what Django's handler sends to the thread on trips of their own: the
``request_started`` signal before the request, and closing the response (``request_finished``,
which returns the database connection) after it. Two hand-overs each way were a third of an
API read; a response held in memory is closed before its bytes go out, a streamed one after.
"""

from contextlib import closing
from typing import IO, Any

from asgiref.sync import sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix

from .realtime import collecting, send_events


class SyncChainASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # Without a ThreadSensitiveContext, thread-sensitive work goes to the process's one
        # database thread, the same that ``database_sync_to_async`` uses.
        await self.handle(scope, receive, send)

    async def handle(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            body = await self.read_body(receive)
        except RequestAborted:
            return
        with closing(body):
            set_script_prefix(get_script_prefix(scope))
            response, events = await sync_to_async(self._respond, thread_sensitive=True)(
                scope, body
            )
            await send_events(events)
            await self.send_response(response, send)
            if response.streaming:
                await sync_to_async(response.close, thread_sensitive=True)()

    def _respond(self, scope: dict[str, Any], body: IO[bytes]) -> tuple[HttpResponseBase, list]:
        """In the database thread: the request from start to finish, but for a streamed body."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body)
        events: list = []
        if request is not None:
            response, events = collecting(self.get_response, request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            response.close()
        return response, events
