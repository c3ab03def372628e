"""Words, stems and highlights, shared by the index, the query and the result page.

Text is cut into words (letters and digits), lower-cased, «ё» read as «е»; a Cyrillic word is
stemmed with Snowball's Russian stemmer, a Latin one with the English stemmer, anything with
digits is kept as it is — the same treatment PostgreSQL's ``russian`` configuration gives, so
both engines find the same messages.
"""

import re
from collections.abc import Iterator
from functools import lru_cache

import Stemmer
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .stopwords import ENGLISH, RUSSIAN

WORD = re.compile(r"[^\W_]+")
CYRILLIC = re.compile(r"[а-я]")
LATIN_ONLY = re.compile(r"^[a-z]+$")
QUERY_MAX_WORDS = 12

_russian = Stemmer.Stemmer("russian")
_english = Stemmer.Stemmer("english")


def normalise(word: str) -> str:
    return word.lower().replace("ё", "е")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The stem of one normalised word."""
    if any(ch.isdigit() for ch in word):
        return word
    if CYRILLIC.search(word):
        return _russian.stemWord(word)
    if LATIN_ONLY.match(word):
        return _english.stemWord(word)
    return word


def is_stopword(word: str) -> bool:
    return word in RUSSIAN if CYRILLIC.search(word) else word in ENGLISH


def words(text: str) -> list[str]:
    """The text's words, normalised. Normalising them joined is one call instead of two a
    word, and the same: a letter never lower-cases to a space."""
    found = WORD.findall(text or "")
    return normalise(" ".join(found)).split(" ") if found else []


def index_stems(text: str) -> str:
    """What the SQLite index stores for a message: its stems, space-separated."""
    return " ".join(map(stem, words(text)))


def query_stems(query: str) -> list[str]:
    """The stems a query asks for (all must occur), without stop words, first ones only."""
    seen: dict[str, None] = {}
    for word in words(query):
        if not is_stopword(word):
            seen.setdefault(stem(word), None)
    return list(seen)[:QUERY_MAX_WORDS]


def query_text(query: str) -> str:
    """The query as plain words, for PostgreSQL's ``plainto_tsquery``."""
    return " ".join(w for w in words(query) if not is_stopword(w))


def _spans(text: str, wanted: set[str]) -> Iterator[tuple[int, int]]:
    for match in WORD.finditer(text):
        if stem(normalise(match.group())) in wanted:
            yield match.start(), match.end()


def highlight(text: str, stems: list[str]) -> SafeString:
    """The text, escaped, with every word whose stem was asked for in ``<mark>``."""
    out, last = [], 0
    for start, end in _spans(text, set(stems)):
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 — every piece is escaped above
