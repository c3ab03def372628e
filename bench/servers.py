"""Start and stop the servers under test: a uvicorn process pinned to one core, on a free port."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

START_TIMEOUT = 60.0
# Parley's and the floor's WebSocket implementation: the one `manage.py serve` runs.
WS_PROTOCOL = "websockets-sansio"
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The cores this process may use, read before the load client pins itself to one of them: a
# command started afterwards inherits the client's single core unless told otherwise.
CORES = sorted(os.sched_getaffinity(0))
# The server gets the first core and the load client the second, when there are two.
SERVER_CORE = CORES[0]
CLIENT_CORE = CORES[1] if len(CORES) > 1 else CORES[0]


def pin(core: int) -> list[str]:
    """The ``taskset`` prefix that pins a command to ``core``, when the machine has two cores
    to keep apart and ``taskset``."""
    if len(CORES) > 1 and core in CORES and os.path.exists("/usr/bin/taskset"):
        return ["taskset", "-c", str(core)]
    return []


@dataclass
class Server:
    """One uvicorn process; ``stop`` is idempotent and always reaps it."""

    name: str
    app: str
    cwd: Path
    env: dict[str, str]
    core: int = SERVER_CORE
    port: int = field(default_factory=free_port)
    log: Path | None = None
    process: subprocess.Popen | None = None
    profiler: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            *pin(self.core), sys.executable, "-m", "uvicorn", self.app,
            "--host", "127.0.0.1", "--port", str(self.port), "--lifespan", "off",
            "--log-level", "warning", "--no-access-log", "--loop", "uvloop", "--http", "httptools",
            "--ws", WS_PROTOCOL, "--ws-per-message-deflate", "false",
        ]  # fmt: skip
        output = open(self.log, "wb") if self.log else None  # noqa: SIM115 (closed by the child)
        self.process = subprocess.Popen(
            command, cwd=self.cwd, env={**os.environ, **self.env}, stdout=output, stderr=output
        )
        if output:
            output.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode} at start")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not listen within {START_TIMEOUT:.0f} s")

    def rss_bytes(self) -> int:
        """Resident memory of the server (the uvicorn process itself, not ``taskset``)."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        """CPU time the server has used so far, user and system (``/proc/<pid>/stat``)."""
        assert self.process is not None
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        # Fields after the command name, which is in parentheses and may hold spaces.
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def profile(self, output: Path) -> None:
        """Sample the server with py-spy until it stops (collapsed stacks, see bench.profile)."""
        assert self.process is not None
        self.profiler = subprocess.Popen(
            [shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy"), "record",
             "--pid", str(self.process.pid), "--rate", "200", "--nonblocking", "--gil",
             "--format", "raw", "--output", str(output)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def log_errors(self) -> int:
        """How many tracebacks the server wrote to its log."""
        return self.log.read_text(errors="replace").count("Traceback") if self.log else 0

    def stop(self) -> None:
        if self.profiler is not None and self.profiler.poll() is None:
            self.profiler.send_signal(signal.SIGINT)
            try:
                self.profiler.wait(STOP_TIMEOUT * 3)
            except subprocess.TimeoutExpired:
                self.profiler.kill()
                self.profiler.wait(STOP_TIMEOUT)
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT)
