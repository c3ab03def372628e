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
# Each entry is one word in the grammatical forms a message may use (a noun's cases and
# numbers, a verb's persons); the forms of an entry share one Snowball stem, so a search for
# any of them finds every message with the entry.
WORDS: list[tuple[str, ...]] = [
    ("здравствуйте",),
    ("когда",),
    ("отправите", "отправили", "отправит"),
    ("заказ", "заказа", "заказу", "заказом", "заказе", "заказы", "заказов", "заказам"),
    ("посылка", "посылки", "посылку", "посылкой", "посылке"),
    ("пришла", "пришли"),
    ("спасибо",),
    ("товар", "товара", "товару", "товаром", "товаре", "товары", "товаров"),
    ("размер", "размера", "размеру", "размером", "размере", "размеры"),
    ("цвет", "цвета", "цвету", "цветом", "цвете"),
    ("доставка", "доставки", "доставку", "доставкой", "доставке"),
    ("вернуть",),
    ("деньги", "деньгами", "деньгам"),
    ("трек", "трека", "треком"),
    ("номер", "номера", "номеру", "номером"),
    ("магазин", "магазина", "магазине", "магазином"),
    ("продавца", "продавцу", "продавцом"),
    ("покупатель", "покупателя", "покупателю", "покупателем"),
    ("скидка", "скидки", "скидку", "скидкой"),
    ("упаковка", "упаковки", "упаковку", "упаковкой", "упаковке"),
    ("коробка", "коробки", "коробку", "коробкой", "коробке"),
    ("качество", "качества", "качеством", "качестве"),
]
# The search phase's query: a common noun in a form the seeded texts rarely use; it must find
# every message holding any form of «заказ» (about a quarter of them).
SEARCH_WORD = "заказов"
SEARCH_FORMS = next(forms for forms in WORDS if SEARCH_WORD in forms)


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


def words(conversation: int, seq: int) -> list[tuple[int, str]]:
    """The entries of ``WORDS`` a seeded message uses, each with the form it takes."""
    n = conversation * 7919 + seq * 104729
    mixed = n * 2654435761 % 2**32
    chosen = []
    for shift in (0, 3, 6, 9, 12, 15):
        entry = (n >> shift) % len(WORDS)
        forms = WORDS[entry]
        chosen.append((entry, forms[(mixed >> shift) % len(forms)]))
    return chosen


def sentence(chosen: list[tuple[int, str]]) -> str:
    return " ".join(form for _, form in chosen) + "."


def body(conversation: int, seq: int) -> str:
    """A short Russian sentence, different enough from one message to the next."""
    return sentence(words(conversation, seq))


def holds_search_word(chosen: list[tuple[int, str]]) -> bool:
    """Whether a message made of ``chosen`` holds some form of the search phase's word."""
    return any(WORDS[entry] is SEARCH_FORMS for entry, _ in chosen)


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
