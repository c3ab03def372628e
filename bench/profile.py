"""Summarise a py-spy profile (``--format raw`` collapsed stacks) of a server under load.

``python -m bench.profile FILE [N]`` prints the functions that were on the stack in the most
samples (inclusive) and those that were running themselves (self), with their share of all
samples. The server is sampled with ``--gil``: only the thread holding the interpreter lock
counts, so the shares are of the interpreter's time, split between the event loop and the
database thread as they really used it (without it, a thread waiting for the lock looks busy).
"""

import re
import sys
from collections import Counter
from pathlib import Path

LINE = re.compile(r" \(([^)]*?)(?::\d+)?\)$")


def _function(frame: str) -> str:
    """``name (path/to/file.py:12)`` → ``name (to/file.py)``: one entry per function."""
    match = LINE.search(frame)
    if not match:
        return frame
    path = "/".join(match.group(1).split("/")[-2:])
    return f"{frame[: match.start()]} ({path})"


def summarise(path: Path, top: int = 25) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        frames = [_function(f) for f in stack.split(";")]
        total += samples
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    lines = [f"{total} samples", ""]
    for title, counter in (("inclusive", inclusive), ("self", own)):
        lines.append(f"top {top} by {title} share of samples:")
        for frame, samples in counter.most_common(top):
            lines.append(f"  {100 * samples / max(total, 1):5.1f}%  {frame}")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summarise(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 25))
