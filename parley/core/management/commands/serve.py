"""Run the ASGI server and the job worker together; Ctrl-C stops both."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

# uvicorn's Sans-I/O WebSocket protocol (its default since the older one was deprecated), named
# so that an upgrade of uvicorn does not change it unnoticed; the benchmark runs the same.
WS_PROTOCOL = "websockets-sansio"


class Command(BaseCommand):
    help = "Serve Parley with uvicorn and run the job worker beside it (the embedded default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=1, help="ASGI server processes.")
        parser.add_argument("--no-worker", action="store_true", help="Do not start a job worker.")

    def handle(self, *args: object, **options: object) -> None:
        workers = int(options["workers"])
        if workers > 1 and not settings.REDIS_URL:
            raise CommandError(
                "More than one server process needs REDIS_URL: the in-memory channel layer "
                "lives inside one process, so chat users on different processes would not "
                "hear each other."
            )
        server = [
            sys.executable, "-m", "uvicorn", "parley.asgi:application",
            "--host", str(options["host"]), "--port", str(options["port"]),
            "--lifespan", "off", "--workers", str(workers), "--no-access-log",
            "--ws", WS_PROTOCOL,
        ]  # fmt: skip
        children = [subprocess.Popen(server)]
        if not options["no_worker"]:
            worker = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"]
            children.append(subprocess.Popen(worker))
        self.stdout.write(
            self.style.SUCCESS(
                f"Parley is at http://{options['host']}:{options['port']}/ (Ctrl-C stops)"
            )
        )
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [child.args[2] for child in children if child.returncode not in (0, -2, None)]
        if failed:
            raise CommandError(f"stopped: {failed}")
