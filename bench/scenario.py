"""What the benchmark seeds, the same for Parley and the floor, and how big at a given scale.

At scale 1: 1,000,000 messages over 10,000 conversations of one store (so its seller's Message
Center holds 10,000 conversations), one of them with 10,000 messages (the history read), and
5,000 of those buyers hold idle sockets. Separately, 32 buyer–store pairs with empty
conversations carry the live phases, one pair per concurrent sender.
"""

import json
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

PAIRS = 32
WORDS = [
    *("здравствуйте", "когда", "отправите", "заказ", "посылка", "пришла", "спасибо", "товар"),
    *("размер", "цвет", "доставка", "вернуть", "деньги", "трек", "номер", "магазин"),
    *("продавец", "покупатель", "скидка", "упаковка", "коробка", "качество"),
]


@dataclass(frozen=True)
class Scenario:
    conversations: int
    messages: int
    history: int
    idle_sockets: int
    pairs: int = PAIRS

    @classmethod
    def at(cls, scale: float) -> "Scenario":
        conversations = max(10, int(10_000 * scale))
        history = max(100, int(10_000 * scale))
        return cls(
            conversations=conversations,
            messages=max(history + conversations, int(1_000_000 * scale)),
            history=history,
            idle_sockets=max(10, min(conversations, int(5_000 * scale))),
        )

    def per_conversation(self) -> list[int]:
        """Messages in each seeded conversation: the first holds ``history``, the rest share."""
        rest = self.conversations - 1
        base, extra = divmod(self.messages - self.history, rest)
        return [self.history] + [base + (1 if i < extra else 0) for i in range(rest)]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def body(conversation: int, seq: int) -> str:
    """A short Russian sentence, different enough from one message to the next."""
    n = conversation * 7919 + seq * 104729
    return " ".join(WORDS[(n >> shift) % len(WORDS)] for shift in (0, 3, 6, 9, 12, 15)) + "."


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self.started = self.drawn = time.monotonic()

    def advance(self, count: int) -> None:
        finished = self.done >= self.total
        self.done += count
        moment = time.monotonic()
        if not finished and (moment - self.drawn >= 0.1 or self.done >= self.total):
            self.drawn = moment
            share = self.done / self.total if self.total else 1
            bar = "#" * int(share * 30)
            rate = self.done / max(moment - self.started, 1e-9)
            sys.stderr.write(
                f"\r  {self.label:<18} [{bar:<30}] {self.done:>9,}/{self.total:,} {rate:>9,.0f}/s"
            )
            if self.done >= self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def write_plan(path: str, plan: dict[str, Any]) -> None:
    with open(path, "w") as out:
        json.dump(plan, out)
