"""Run the benchmark: seed, start each server, drive the phases, print the table, write JSON.

    .venv/bin/python -m bench.run                  # full size (about 10 minutes on 2 cores)
    .venv/bin/python -m bench.run --scale 0.01     # a quick run (about a minute)

Parley runs embedded (SQLite, in-memory channel layer, one uvicorn process); with
``DATABASE_URL`` and ``REDIS_URL`` set it runs a second time on PostgreSQL + Redis (the database
``parley_bench`` on that server is dropped and created). The floor always runs on SQLite. Each
server is pinned to core 0 and this client to core 1.
"""

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.client import (
    Target,
    close_peers,
    open_many,
    read_phase,
    search_check,
    send_phase,
)
from bench.report import table
from bench.scenario import SEARCH_FORMS, Scenario
from bench.servers import CLIENT_CORE, Server, pin

ROOT = Path(__file__).resolve().parent.parent
READS = 500
IDLE_CONNECT_SECONDS = 150.0
BENCH_DATABASE = "parley_bench"
# The chat socket's per-socket throttle would otherwise cap a closed-loop sender at 20/s.
PARLEY_ENV = {
    "DJANGO_SETTINGS_MODULE": "parley.settings",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
    "SECURE_SSL_REDIRECT": "false",
    "ALLOWED_HOSTS": "127.0.0.1",
    "CHAT_FRAMES_PER_SECOND": "100000",
    "CHAT_FRAME_BURST": "100000",
}


def parley_target(server: Server, root: Path) -> Target:
    live = (root / "parley/messaging/routing.py").exists()
    searchable = (root / "parley/search/api.py").exists()
    return Target(
        name="parley",
        host=server.base,
        ws_path="/ws/chat/" if live else None,
        send_path="/api/v1/conversations/{conversation}/messages",
        history_path="/api/v1/conversations/{conversation}/messages?limit=50",
        center_path="/api/v1/conversations?limit=20",
        subprotocols=("parley.chat.v1",),
        search_path="/api/v1/search/messages?q={query}&limit=20" if searchable else None,
    )


def floor_target(server: Server) -> Target:
    return Target(
        name="floor",
        host=server.base,
        ws_path="/ws",
        send_path="/conversations/{conversation}/messages",
        history_path="/conversations/{conversation}/messages?limit=50",
        center_path="/conversations?limit=20",
    )


def seed(command: list[str], cwd: Path, env: dict[str, str], plan: Path) -> dict[str, Any]:
    started = time.monotonic()
    subprocess.run(command, cwd=cwd, env={**os.environ, **env}, check=True, timeout=900)
    data = json.loads(plan.read_text())
    data["seconds"] = round(time.monotonic() - started, 1)
    return data


PHASES = frozenset({"ws", "http", "history", "center", "search", "idle"})
SENDERS = (1, 8, 32)
CALIBRATION_LOOP = 10_000_000


@dataclass(frozen=True)
class Options:
    work: Path
    parley_root: Path
    scale: float
    messages: int
    seconds: float
    profile: Path | None
    logs: Path
    only_phases: frozenset[str] = PHASES
    senders: tuple[int, ...] = SENDERS

    @property
    def scenario(self) -> Scenario:
        return Scenario.at(self.scale)


async def guarded(name: str, results: dict[str, Any], phase: Awaitable[dict]) -> None:
    """Run one phase; a failure is recorded in its place and the next phases still run."""
    print(f"  {name}", file=sys.stderr, flush=True)
    try:
        results[name] = await phase
    except Exception as failure:  # any failure is a finding, not a crash
        results[name] = {"error": repr(failure)}


async def phases(
    target: Target, server: Server, plan: dict[str, Any], options: "Options"
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    limits = {"messages": options.messages, "seconds": options.seconds}
    wanted = options.only_phases
    for over in ("ws", "http"):
        if over not in wanted or (over == "ws" and target.ws_path is None):
            continue
        for senders in options.senders:
            key = f"{over}_send_{senders}"
            phase = send_phase(
                target, plan["pairs"], label=key, senders=senders, over=over,
                cpu=server.cpu_seconds, **limits,
            )  # fmt: skip
            await guarded(key, results, phase)
    history = plan["history"]
    path = target.history_path.format(conversation=history["conversation"])
    reads = {"count": READS, "seconds": options.seconds}
    if "history" in wanted:
        await guarded("history", results, read_phase(target, history["token"], path, **reads))
    center = plan["center"]["token"]
    if "center" in wanted:
        await guarded("center", results, read_phase(target, center, target.center_path, **reads))
    if "search" in wanted and target.search_path is not None and "search" in plan:
        await guarded("search", results, search_phase(target, plan["search"], reads))
    if "idle" in wanted and target.ws_path is not None:
        await guarded("idle", results, idle_phase(target, server, plan, limits))
    return results


async def search_phase(
    target: Target, search: dict[str, Any], reads: dict[str, Any]
) -> dict[str, Any]:
    """The first page of a search for one Russian word by the user who reads every seeded
    message; the first answers are checked (hits found, each holding a form of the word)."""
    path = target.search(search["query"])
    assert path is not None
    check = search_check(SEARCH_FORMS, store=search.get("store"))
    measured = await read_phase(target, search["token"], path, check=check, **reads)
    if search["indexed"] != search["matching"]:
        measured["wrong"] += 1
        measured["problems"].insert(
            0, f"the index finds {search['indexed']:,}; {search['matching']:,} hold the word"
        )
    return {**{k: v for k, v in search.items() if k != "token"}, **measured}


async def idle_phase(
    target: Target, server: Server, plan: dict[str, Any], limits: dict[str, Any]
) -> dict[str, Any]:
    """Hold every idle socket open; memory per socket; one sender's delivery meanwhile."""
    tokens = plan["idle"]
    await asyncio.sleep(1)
    before = server.rss_bytes()
    started = time.monotonic()
    peers, failures = await open_many(target, tokens, batch=50, seconds=IDLE_CONNECT_SECONDS)
    opened = time.monotonic() - started
    await asyncio.sleep(2)
    after = server.rss_bytes()
    try:
        delivery = await send_phase(
            target, plan["pairs"], label="idle", senders=1, over="ws", **limits
        )
    finally:
        await close_peers(peers)
    return {
        "sockets": len(peers),
        "failed_connects": len(failures),
        "first_failures": failures[:3],
        "connect_seconds": round(opened, 2),
        "rss_before_mb": round(before / 2**20, 1),
        "rss_after_mb": round(after / 2**20, 1),
        "kb_per_socket": round((after - before) / max(len(peers), 1) / 1024, 1),
        "delivery": delivery,
    }


def measure(server: Server, target: Target, plan: dict[str, Any], options: Options) -> dict:
    """Start the server, run every phase against it, stop it (also on failure)."""
    # The host's speed drifts within minutes: each server's figures come with a reading of
    # its own core's speed, taken just before.
    loop_ms = python_loop_ms(on_core=server.core)
    server.start()
    if options.profile is not None:
        options.profile.mkdir(parents=True, exist_ok=True)
        server.profile(options.profile / f"{server.name}.txt")
    try:
        results = asyncio.run(phases(target, server, plan, options))
    finally:
        server.stop()
        if server.log is not None and server.log.exists():
            options.logs.mkdir(parents=True, exist_ok=True)
            shutil.copy(server.log, options.logs / server.log.name)
    return {
        "seed_seconds": plan["seconds"],
        "python_loop_ms": loop_ms,
        "server_tracebacks": server.log_errors(),
        **results,
    }


def run_floor(options: Options) -> dict[str, Any]:
    database, plan_file = options.work / "floor.sqlite3", options.work / "floor-plan.json"
    print("Seeding the floor…", file=sys.stderr)
    command = [sys.executable, "-m", "bench.floor_db", str(database), str(options.scale)]
    plan = seed([*command, str(plan_file)], ROOT, {}, plan_file)
    server = Server(
        "floor",
        "bench.floor:app",
        ROOT,
        {"FLOOR_DB": str(database)},
        log=options.work / "floor.log",
    )
    return measure(server, floor_target(server), plan, options)


def run_parley(options: Options, engine: dict[str, str]) -> dict[str, Any]:
    name = "parley_postgres" if engine else "parley"
    root = options.parley_root
    env = {**PARLEY_ENV, "SQLITE_PATH": str(options.work / "parley.sqlite3"), **engine}
    env["PYTHONPATH"] = f"{root}{os.pathsep}{ROOT}"
    plan_file = options.work / f"{name}-plan.json"
    print(f"Migrating and seeding Parley ({engine_name(engine)})…", file=sys.stderr)
    command = [sys.executable, "-m", "bench.seed_parley", str(options.scale), str(plan_file)]
    plan = seed(command, root, env, plan_file)
    server = Server(name, "parley.asgi:application", root, env, log=options.work / f"{name}.log")
    results = measure(server, parley_target(server, root), plan, options)
    return {"engine": engine_name(engine), **results}


def engine_name(engine: dict[str, str]) -> str:
    return "PostgreSQL + Redis" if engine else "SQLite + in-memory layer"


def postgres_engine() -> dict[str, str] | None:
    """Point Parley at a fresh ``parley_bench`` on the given server, or None when not given."""
    database_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not database_url or not redis_url:
        return None
    import psycopg

    parts = urlsplit(database_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    return {
        "DATABASE_URL": urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}")),
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": "parley-bench",
    }


def python_loop_ms(count: int = CALIBRATION_LOOP, on_core: int | None = None) -> float:
    """How long this machine takes, now, for a fixed loop of plain Python (on ``on_core``, or
    the load client's): the same CPU model runs at very different speeds from one day to the
    next on shared hosts, and the absolute figures of two runs compare only alongside this."""
    own = os.sched_getaffinity(0)
    if on_core is not None and pin(on_core):
        os.sched_setaffinity(0, {on_core})
    try:
        started = time.perf_counter()
        total = 0
        for number in range(count):
            total += number
        return round((time.perf_counter() - started) * 1000, 1)
    finally:
        os.sched_setaffinity(0, own)


def machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    versions = {}
    for package in ("Django", "channels", "channels-redis", "uvicorn", "websockets", "psycopg"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    load = os.getloadavg()
    return {
        "python_loop_ms": python_loop_ms(),
        "cores": os.cpu_count(),
        "cpu_model": model,
        "memory_mb": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20,
        "python": platform.python_version(),
        "sqlite": __import__("sqlite3").sqlite_version,
        "kernel": platform.release(),
        "load_average_at_start": [round(x, 2) for x in load],
        "versions": versions,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1,000,000 messages")
    parser.add_argument("--messages", type=int, default=2000, help="messages per send phase")
    parser.add_argument("--seconds", type=float, default=30.0, help="time limit of each phase")
    parser.add_argument(
        "--only",
        choices=("floor", "parley", "postgres"),
        help="measure one server only (postgres: Parley on DATABASE_URL/REDIS_URL)",
    )
    parser.add_argument(
        "--phases",
        default=",".join(sorted(PHASES)),
        help="comma-separated subset of: " + ", ".join(sorted(PHASES)) + " (default: all)",
    )
    parser.add_argument(
        "--senders",
        default=",".join(map(str, SENDERS)),
        help="comma-separated sender counts of the send phases (default: %(default)s); a "
        "single count profiles that load alone",
    )
    parser.add_argument("--parley-root", type=Path, default=ROOT, help="Parley checkout to run")
    parser.add_argument("--json", type=Path, default=ROOT / "bench/out/latest.json")
    parser.add_argument("--profile", type=Path, help="record py-spy profiles of the servers here")
    args = parser.parse_args(argv)
    only_phases = frozenset(args.phases.split(","))
    if not only_phases <= PHASES:
        parser.error(f"unknown phase: {', '.join(sorted(only_phases - PHASES))}")
    if pin(CLIENT_CORE):
        os.sched_setaffinity(0, {CLIENT_CORE})
    work = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    options = Options(
        work,
        args.parley_root.resolve(),
        args.scale,
        args.messages,
        args.seconds,
        args.profile,
        logs=args.json.parent,
        only_phases=only_phases,
        senders=tuple(int(n) for n in args.senders.split(",")),
    )
    started = time.monotonic()
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "scale": args.scale,
        "scenario": options.scenario.as_dict(),
        "messages_per_send_phase": args.messages,
        "machine": machine(),
        "runs": {},
    }
    try:
        if args.only in (None, "floor"):
            report["runs"]["floor"] = run_floor(options)
        if args.only in (None, "parley"):
            report["runs"]["parley"] = run_parley(options, {})
        if args.only in (None, "postgres") and (engine := postgres_engine()) is not None:
            report["runs"]["parley_postgres"] = run_parley(options, engine)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["total_seconds"] = round(time.monotonic() - started, 1)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(table(report))
    print(f"\nJSON: {args.json}")
    return report


if __name__ == "__main__":
    main()
