"""The terminal table: each figure for Parley and the floor, the ratio, and the target."""

from collections.abc import Callable
from typing import Any

Getter = Callable[[dict[str, Any]], float | None]


def _get(*path: str) -> Getter:
    def get(run: dict[str, Any]) -> float | None:
        value: Any = run
        for key in path:
            if not isinstance(value, dict) or value.get(key) is None:
                return None
            value = value[key]
        return value

    return get


def _lost(run: dict[str, Any]) -> float | None:
    counts = [
        phase.get("lost")
        for phase in (*run.values(), run.get("idle", {}).get("delivery") or {})
        if isinstance(phase, dict)
    ]
    counts = [c for c in counts if c is not None]
    return sum(counts) if counts else None


# (label, unit, getter, target)
ROWS: list[tuple[str, str, Getter, str]] = [
    *(
        (f"WS send, {n} sender(s)", "msg/s", _get(f"ws_send_{n}", "throughput"), t)
        for n, t in ((1, ""), (8, ""), (32, ">= 3000, >= 0.25 floor"))
    ),
    *(
        (f"HTTP send, {n} sender(s)", "msg/s", _get(f"http_send_{n}", "throughput"), t)
        for n, t in ((1, ""), (8, ""), (32, ">= 1500"))
    ),
    *(
        (f"Server CPU per message, {over} 32", "ms", _get(f"{key}_send_32", "server_cpu_ms"), "")
        for over, key in (("WS", "ws"), ("HTTP", "http"))
    ),
    *(
        (f"Client CPU per message, {over} 32", "ms", _get(f"{key}_send_32", "client_cpu_ms"), "")
        for over, key in (("WS", "ws"), ("HTTP", "http"))
    ),
    ("Python loop, server core, 10M steps", "ms", _get("python_loop_ms"), ""),
    *(
        (f"WS send→ack, 1 sender {p}", "ms", _get("ws_send_1", "send_ms", p), "")
        for p in ("p50", "p95", "p99")
    ),
    *(
        (f"WS send→ack, 32 senders {p}", "ms", _get("ws_send_32", "send_ms", p), "")
        for p in ("p50", "p99")
    ),
    *(
        (f"HTTP send→201, 1 sender {p}", "ms", _get("http_send_1", "send_ms", p), "")
        for p in ("p50", "p99")
    ),
    *(
        (
            f"Delivery, 1 sender {p}",
            "ms",
            _get("ws_send_1", "delivery_ms", p),
            "<= 10" if p == "p99" else "",
        )
        for p in ("p50", "p95", "p99")
    ),
    *(
        (f"Delivery, 32 senders {p}", "ms", _get("ws_send_32", "delivery_ms", p), "")
        for p in ("p50", "p99")
    ),
    ("History, newest 50 p50", "ms", _get("history", "ms", "p50"), ""),
    ("History, newest 50 p95", "ms", _get("history", "ms", "p95"), "<= 5"),
    ("Message Center page p50", "ms", _get("center", "ms", "p50"), ""),
    ("Message Center page p95", "ms", _get("center", "ms", "p95"), "<= 15"),
    ("Search, a Russian word p50", "ms", _get("search", "ms", "p50"), ""),
    ("Search, a Russian word p95", "ms", _get("search", "ms", "p95"), "<= 50"),
    ("Search hits found wrong", "", _get("search", "wrong"), "0"),
    ("Idle sockets held", "", _get("idle", "sockets"), "5000"),
    ("Memory per idle socket", "KB", _get("idle", "kb_per_socket"), "<= 100"),
    (
        "Delivery with idle sockets p99",
        "ms",
        _get("idle", "delivery", "delivery_ms", "p99"),
        "<= 25",
    ),
    ("Messages lost (all phases)", "", _lost, "0"),
    ("Seeding", "s", _get("seed_seconds"), "minutes"),
]


def _cell(value: float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def _align(row: list[str], widths: list[int]) -> list[str]:
    """The label to the left, the figures to the right."""
    return [
        row[0].ljust(widths[0]),
        *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)),
    ]


def table(report: dict[str, Any]) -> str:
    runs = report["runs"]
    floor = runs.get("floor", {})
    columns = [k for k in ("parley", "parley_postgres") if k in runs]
    head = ["figure", "unit", *columns, "floor", *(f"{c}/floor" for c in columns), "target"]
    lines = [head]
    for label, unit, get, target in ROWS:
        base = get(floor) if floor else None
        values = [get(runs[c]) for c in columns]
        ratios = [
            f"{v / base:.2f}" if v is not None and base not in (None, 0) else "—" for v in values
        ]
        lines.append([label, unit, *map(_cell, values), _cell(base), *ratios, target])
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    rendered = ["  ".join(_align(row, widths)) for row in lines]
    rendered.insert(1, "-" * len(rendered[0]))
    machine = report["machine"]
    title = (
        f"Parley benchmark {report['date']}, scale {report['scale']} "
        f"({report['scenario']['messages']:,} messages), {machine['cores']} cores "
        f"{machine['cpu_model']}, load average at start {machine['load_average_at_start']}"
    )
    if machine.get("python_loop_ms") is not None:  # runs before it was recorded lack it
        title += f", 10M-step Python loop {machine['python_loop_ms']:,.0f} ms"
    return "\n".join([title, *rendered])
