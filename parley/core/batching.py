"""Many callers on the event loop, one trip to the database thread.

A process has one database thread (see ``handlers``), and each trip to it costs a hand-over
both ways on top of the work. ``Batched`` wraps a function that takes a list and answers a
list of the same length: the first call waits for nothing and makes its trip at once; calls
that arrive while a trip is under way wait for it to finish and then go together in the next
one. A quiet process so pays nothing for batching, and a busy one pays per burst instead of
per call. What the function publishes (``realtime.publish_on_commit``) is sent from the loop
after each trip.
"""

import asyncio
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from channels.db import database_sync_to_async

from .realtime import collecting, send_events


@dataclass
class _Queue[T, R]:
    waiting: list[tuple[T, asyncio.Future[R]]] = field(default_factory=list)
    worker: asyncio.Task | None = None


class Batched[T, R]:
    """``await batched(item)``: ``run([item, ...])[i]`` for this item, run with others."""

    def __init__(self, run: Callable[[Sequence[T]], Sequence[R]], limit: int) -> None:
        self.run = run
        self.limit = limit
        self._in_db_thread = database_sync_to_async(collecting)  # built once, used per batch
        # One queue per event loop: tests and servers may run several, one after the other.
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue[T, R]] = (
            weakref.WeakKeyDictionary()
        )

    async def __call__(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:  # ``setdefault`` would make a queue and a weak reference every call
            queue = self._queues[loop] = _Queue()
        result: asyncio.Future[R] = loop.create_future()
        queue.waiting.append((item, result))
        if queue.worker is None:
            queue.worker = loop.create_task(self._drain(queue))
        return await result

    async def _drain(self, queue: _Queue[T, R]) -> None:
        """Run batches of at most ``limit`` until nobody waits."""
        try:
            while queue.waiting:
                batch, queue.waiting = queue.waiting[: self.limit], queue.waiting[self.limit :]
                try:
                    results, events = await self._in_db_thread(
                        self.run, [item for item, _ in batch]
                    )
                except Exception as error:  # the database is gone: every caller hears of it
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                for (_, future), outcome in zip(batch, results, strict=True):
                    if not future.done():  # its caller may have gone meanwhile
                        future.set_result(outcome)
                await send_events(events)
        finally:
            queue.worker = None  # an idle queue holds no task, nor through it the loop
