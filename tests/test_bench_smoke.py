"""The benchmark harness itself: a tiny run against the floor, and its arithmetic.

No test here asserts a timing; they check that the harness starts and stops its server,
drives every phase, notices nothing lost, and writes the figures it promises.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.client import percentiles, search_check
from bench.report import table
from bench.scenario import SEARCH_FORMS, SEARCH_WORD, WORDS, Scenario, holds_search_word, words
from bench.servers import CLIENT_CORE, SERVER_CORE, Server, pin
from parley.search.text import query_stems, stem

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


def test_seeded_words_inflect_and_the_search_word_finds_a_share_of_them():
    stems = [{stem(form) for form in forms} for forms in WORDS]
    assert all(len(s) == 1 for s in stems), stems  # a search for one form finds them all
    assert len({next(iter(s)) for s in stems}) == len(WORDS)  # and no other entry
    assert query_stems(SEARCH_WORD) == [stem(SEARCH_FORMS[0])] and len(SEARCH_FORMS) > 4
    scenario = Scenario.at(0.01)
    chosen = [
        words(conversation, seq)
        for conversation, count in enumerate(scenario.per_conversation(), start=1)
        for seq in range(1, count + 1)
    ]
    share = sum(map(holds_search_word, chosen)) / len(chosen)
    assert 0.05 < share < 0.5, share
    used = {form for message in chosen for _, form in message}
    assert set(SEARCH_FORMS) <= used


def test_the_search_check_wants_hits_each_holding_the_word():
    check = search_check(("заказ", "заказов"), store="Магазин")

    def answer(*hits: tuple[str, str]) -> bytes:
        items = [
            {"id": i, "body": b, "highlighted": h, "store": "Магазин"}
            for i, (b, h) in enumerate(hits)
        ]
        return json.dumps({"items": items}).encode()

    right = ("Где заказ?", "Где <mark>заказ</mark>?")
    assert check(answer(right)) == []
    assert check(answer()) == ["no hits"]
    assert len(check(answer(right, ("Где товар?", "Где товар?")))) == 2
    assert len(check(answer(("заказы", "<mark>заказы</mark>")))) == 2


def test_server_cpu_counts_the_servers_own_work():
    """The figure behind "server CPU per message": a child that computes for a while, then
    waits, has used about that long and no more while it waits."""
    burn = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"
    child = subprocess.Popen([sys.executable, "-c", burn + "print('done', flush=True)\n"
                              "time.sleep(30)"], stdout=subprocess.PIPE, text=True)  # fmt: skip
    server = Server("child", "-", ROOT, {}, process=child)
    try:
        assert child.stdout.readline() == "done\n"
        used = server.cpu_seconds()
        tick = 1 / os.sysconf("SC_CLK_TCK")  # the kernel counts a process's time in ticks
        assert 0.3 - 2 * tick <= used < 2
        assert server.cpu_seconds() - used < 0.1  # sleeping costs nothing
    finally:
        child.kill()
        child.wait()


@pytest.mark.skipif(
    len(os.sched_getaffinity(0)) < 2 or shutil.which("taskset") is None,
    reason="needs two cores and taskset",
)
def test_the_server_gets_a_core_of_its_own_after_the_client_took_the_other():
    """The load client pins itself first; a server it starts would inherit that one core and
    share it with the client, unless pinned to its own."""
    own = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {CLIENT_CORE})
    try:
        child = subprocess.run(
            [*pin(SERVER_CORE), sys.executable, "-c",
             "import os; print(sorted(os.sched_getaffinity(0)))"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    finally:
        os.sched_setaffinity(0, own)
    assert SERVER_CORE != CLIENT_CORE
    assert child.stdout.strip() == str([SERVER_CORE]), child.stderr


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
            assert phase["server_cpu_ms"] is None or phase["server_cpu_ms"] > 0
            assert phase["client_cpu_ms"] > 0
    assert floor["python_loop_ms"] > 0
    assert floor["history"]["failures"] == 0 and floor["history"]["ms"]["n"] > 0
    assert floor["center"]["failures"] == 0
    assert floor["idle"]["sockets"] == report["scenario"]["idle_sockets"]
    assert floor["idle"]["delivery"]["lost"] == 0
    assert floor["server_tracebacks"] == 0
    assert report["machine"]["cores"] >= 1 and report["machine"]["versions"]["uvicorn"]
    assert "WS send, 32 sender(s)" in done.stdout
    assert "WS send, 32 sender(s)" in table(report)
    assert "search" not in floor  # the floor has no search: its cell is a dash
    search_row = next(
        line for line in done.stdout.splitlines() if line.startswith("Search, a Russian word p95")
    )
    assert "—" in search_row and "<= 50" in search_row


def test_the_batch_timer_sends_every_message_and_names_the_statements():
    """``bench.batch`` in its own process, as its users run it: it seeds, sends, and reports."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.batch", "--batch", "4", "--batches", "5"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "20 messages in batches of 4" in done.stdout
    assert '5×  INSERT INTO "messaging_message"' in done.stdout
