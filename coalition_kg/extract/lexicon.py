"""The cue lexicons of the fact readers, read from ``lexicon/*.txt`` beside this module.

Each file is one class of cue words, one form per line, in any Arabic spelling (forms are
normalized the way article words are: hamza and alif variants, taa marbuta, diacritics); ``#``
starts a comment.  A file whose name ends in ``_prefixes`` lists word beginnings: a word matches
when, with its clitics stripped, it starts with one of them (a verb and its inflections:
``استضاف`` covers استضافت، استضافه).  A linguist extends the readers by adding lines here; no
code changes.  ``README.md`` in that folder says what each class is for.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..text import normalize

DIR = Path(__file__).with_name("lexicon")


def _lines(name: str) -> list[str]:
    path = DIR / f"{name}.txt"
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: cue lexicon missing (the package is incomplete)") from None
    out = []
    for line in raw.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


@lru_cache(maxsize=None)
def words(name: str) -> frozenset[str]:
    """The normalized forms of lexicon ``name``."""
    return frozenset(normalize(w) for w in _lines(name))


@lru_cache(maxsize=None)
def prefixes(name: str) -> tuple[str, ...]:
    """The normalized word beginnings of lexicon ``name`` (a ``*_prefixes`` file), longest first."""
    return tuple(sorted({normalize(w) for w in _lines(name)}, key=len, reverse=True))


def names() -> list[str]:
    return sorted(p.stem for p in DIR.glob("*.txt"))
