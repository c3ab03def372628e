"""Group commit for the sends of one process: the chat sockets' and the API's.

Every message sent over a socket, and every plain message sent through the API with a token
(``http_send``), goes through ``send``. The first waits for nothing: its batch is written at
once. Those that arrive while a batch is being written wait for it to finish and then go
together in the next one, one transaction and a few statements for all of them
(``services.messages_send``). A quiet chat so pays nothing for batching, and a busy one pays
per burst instead of per message, which is what lets one process keep up with many senders.
"""

from parley.core.batching import Batched

from . import services
from .services import Draft, Outcome

# At most this many drafts per transaction, so that one burst does not hold the write lock
# (and the thread every request shares) for long.
BATCH_MAX = 200

send: Batched[Draft, Outcome] = Batched(services.messages_send, limit=BATCH_MAX)
"""``await send(draft)``: the message and whether it is new, or why it was refused."""
