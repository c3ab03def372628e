"""The benchmark harness itself: a tiny run against the floor, and its arithmetic.

No test here asserts a timing; they check that the harness starts and stops its server,
drives every phase, notices nothing lost, and writes the figures it promises.
"""

import json
import subprocess
import sys
from pathlib import Path

from bench.client import percentiles
from bench.report import table
from bench.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent


def test_scenario_holds_the_promised_sizes():
    full = Scenario.at(1)
    assert (full.conversations, full.messages, full.history) == (10_000, 1_000_000, 10_000)
    assert full.idle_sockets == 5_000
    counts = full.per_conversation()
    assert len(counts) == 10_000 and sum(counts) == 1_000_000 and counts[0] == 10_000
    tiny = Scenario.at(0.001)
    assert sum(tiny.per_conversation()) == tiny.messages
    assert tiny.idle_sockets <= tiny.conversations


def test_percentiles_are_nearest_rank_in_milliseconds():
    samples = [i / 1000 for i in range(1, 101)]  # 1 … 100 ms
    assert percentiles(samples) == {"p50": 51.0, "p95": 96.0, "p99": 100.0, "n": 100}
    assert percentiles([])["p99"] is None


def test_a_tiny_run_against_the_floor_measures_every_phase(tmp_path):
    output = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--only", "floor", "--scale", "0.001",
         "--messages", "32", "--json", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(output.read_text())
    floor = report["runs"]["floor"]
    for over in ("ws", "http"):
        for senders in (1, 8, 32):
            phase = floor[f"{over}_send_{senders}"]
            assert phase["messages"] >= senders, phase
            assert phase["lost"] == 0 and phase["out_of_order_receivers"] == 0, phase
            assert phase["errors"] == []
    assert floor["history"]["failures"] == 0 and floor["history"]["ms"]["n"] > 0
    assert floor["center"]["failures"] == 0
    assert floor["idle"]["sockets"] == report["scenario"]["idle_sockets"]
    assert floor["idle"]["delivery"]["lost"] == 0
    assert floor["server_tracebacks"] == 0
    assert report["machine"]["cores"] >= 1 and report["machine"]["versions"]["uvicorn"]
    assert "WS send, 32 sender(s)" in done.stdout
    assert "WS send, 32 sender(s)" in table(report)
