"""Group commit for the chat sockets of one process.

Every message sent over a socket goes through ``send``. The first waits for nothing: its batch
is written at once. Those that arrive while a batch is being written wait for it to finish and
then go together in the next one, one transaction and a few statements for all of them
(``services.messages_send``). A quiet chat so pays nothing for batching, and a busy one pays
per burst instead of per message, which is what lets one process keep up with many senders.
"""

import asyncio
import weakref
from dataclasses import dataclass, field

from channels.db import database_sync_to_async

from parley.core.realtime import collecting, send_events

from . import services
from .services import Draft, Outcome

# At most this many drafts per transaction, so that one burst does not hold the write lock
# (and the thread every request shares) for long.
BATCH_MAX = 200


@dataclass
class _Queue:
    waiting: list[tuple[Draft, asyncio.Future[Outcome]]] = field(default_factory=list)
    writer: asyncio.Task | None = None


_queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue] = weakref.WeakKeyDictionary()


async def send(draft: Draft) -> Outcome:
    """Queue a draft and wait for its outcome: the message, or why it was refused."""
    loop = asyncio.get_running_loop()
    queue = _queues.setdefault(loop, _Queue())
    outcome: asyncio.Future[Outcome] = loop.create_future()
    queue.waiting.append((draft, outcome))
    if queue.writer is None:
        queue.writer = loop.create_task(_write(queue))
    return await outcome


async def _write(queue: _Queue) -> None:
    """Write batches until nobody waits; events go out after each commit."""
    try:
        while queue.waiting:
            batch, queue.waiting = queue.waiting[:BATCH_MAX], queue.waiting[BATCH_MAX:]
            try:
                outcomes, events = await database_sync_to_async(collecting)(
                    services.messages_send, [draft for draft, _ in batch]
                )
            except Exception as error:  # the database is gone: every sender hears of it
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if not future.done():  # its socket may have closed meanwhile
                    future.set_result(outcome)
            await send_events(events)
    finally:
        queue.writer = None  # an idle queue holds no task, nor through it the loop
