"""Time the send batch in process: what the database thread spends per message, without the
event loop, the sockets or the load client.

    .venv/bin/python -m bench.batch [--batch 16] [--batches 1500]

Seeds a small database (scale 0.01) in a temporary directory, then sends batches of plain
messages from the benchmark's buyers to their stores through ``services.messages_send``, as the
chat sockets' group commit does, and prints the wall time and CPU per message, with the share
of each SQL statement. A figure from here moves with the code alone rather than with the host's
load, which makes it the place to compare two versions of the send path; the full benchmark
says what the whole server does.
"""

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.run import PARLEY_ENV

WARM_UP = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=16, help="messages per batch")
    parser.add_argument("--batches", type=int, default=1500, help="batches timed")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="parley-batch-") as work:
        os.environ.update({**PARLEY_ENV, "SQLITE_PATH": str(Path(work) / "parley.sqlite3")})
        os.environ.pop("DATABASE_URL", None)
        import django

        django.setup()
        from bench.scenario import Scenario
        from bench.seed_parley import seed

        plan = seed(Scenario.at(0.01))
        run = _sender([pair["conversation"] for pair in plan["pairs"]], options.batch)
        for _ in range(WARM_UP):
            run()
        statements = _timed(run, options.batches, options.batch)
    for text, (count, seconds) in sorted(statements.items(), key=lambda item: -item[1][1]):
        per_message = seconds / (options.batches * options.batch) * 1e6
        print(f"  {per_message:7.1f} µs  {count:6,}×  {text}")


def _sender(conversation_ids: list[int], size: int) -> Callable[[], None]:
    """A function that sends one batch of ``size`` messages, each buyer writing in turn."""
    from parley.core.realtime import collecting
    from parley.messaging import services
    from parley.messaging.models import Conversation

    buyers = {c.pk: c.buyer for c in Conversation.objects.filter(pk__in=conversation_ids)}
    sent = 0

    def run() -> None:
        nonlocal sent
        drafts = []
        for _ in range(size):
            conversation = conversation_ids[sent % len(conversation_ids)]
            sent += 1
            text, key = f"Сообщение {sent}", f"batch-{sent}"
            drafts.append(services.Draft(buyers[conversation], conversation, text, client_id=key))
        outcomes, _ = collecting(services.messages_send, drafts)
        refused = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
        if refused:
            sys.exit(f"a message was refused: {refused[0]!r}")

    return run


def _timed(run: Callable[[], None], batches: int, size: int) -> dict[str, list]:
    """Run the batches, print the time per message; return each statement's count and time."""
    from django.db import connection

    statements: dict[str, list] = defaultdict(lambda: [0, 0.0])

    def timing(execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = statements[" ".join(sql.split())[:70]]
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    wall, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(timing):
        for _ in range(batches):
            run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    messages = batches * size
    print(
        f"{messages:,} messages in batches of {size}: {wall / messages * 1e6:.1f} µs a message,"
        f" {cpu / messages * 1e6:.1f} µs of CPU; SQL statements (commit not included):"
    )
    return statements


if __name__ == "__main__":
    main()
