"""Word frequencies of Arabic (wordfreq's list), without holding wordfreq's table in memory.

``wordfreq.zipf_frequency(w, "ar")`` loads a Python dict of 620,701 Arabic words (about 96 MB)
into every process that asks, and a build's worker processes all ask (the linker's
``is_ordinary``).  Here the same table is written once, at first use, into a MARISA trie in the
cache directory (``$XDG_CACHE_HOME/coalition-kg/wordfreq-ar-<wordfreq version>.marisa``, about
10 MB), and memory-mapped: the pages are shared by all processes that read it.

:func:`zipf` gives exactly what ``wordfreq.zipf_frequency(word, "ar")`` gives: the same
tokenization (wordfreq's own ``lossy_tokenize``), digit handling, combination of several tokens
and rounding; only the table lookup differs (tested against wordfreq on many words).
"""

from __future__ import annotations

import math
import os
import tempfile
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

LANG = "ar"


def _cache_file() -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "coalition-kg"
    return root / f"wordfreq-{LANG}-{version('wordfreq')}.marisa"


def build(path: Path | None = None) -> Path:
    """Write wordfreq's Arabic table (word -> frequency, float64) as a trie, atomically."""
    import marisa_trie
    from wordfreq import get_frequency_dict

    path = path or _cache_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    table = get_frequency_dict(LANG, "best")
    trie = marisa_trie.RecordTrie("<d", ((w, (f,)) for w, f in table.items()))
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    os.close(fd)
    try:
        trie.save(tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


@lru_cache(maxsize=1)
def _trie():
    import marisa_trie

    path = _cache_file()
    if not path.is_file():
        build(path)
    trie = marisa_trie.RecordTrie("<d")
    try:
        trie.mmap(str(path))
    except Exception:          # a damaged cache file (marisa raises several kinds): write it again
        build(path)
        trie = marisa_trie.RecordTrie("<d")
        trie.mmap(str(path))
    return trie


def _frequency(token: str) -> float | None:
    hit = _trie().get(token)
    return hit[0][0] if hit else None


def word_frequency(word: str, minimum: float = 0.0) -> float:
    """``wordfreq.word_frequency(word, "ar", minimum=minimum)``, from the trie."""
    from wordfreq import digit_freq, lossy_tokenize, smash_numbers

    tokens = lossy_tokenize(word, LANG)
    if not tokens:
        return minimum
    one_over_result = 0.0
    for token in tokens:
        smashed = smash_numbers(token)
        freq = _frequency(smashed)
        if freq is None:
            return minimum
        if smashed != token:
            freq *= digit_freq(token)
        one_over_result += 1.0 / freq
    unrounded = max(1.0 / one_over_result, minimum)
    if unrounded == 0.0:
        return 0.0
    leading_zeroes = math.floor(-math.log(unrounded, 10))
    return round(unrounded, leading_zeroes + 3)


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """``wordfreq.zipf_frequency(word, "ar")``: 0 for an unknown word, about 7 for the commonest."""
    from wordfreq import freq_to_zipf, zipf_to_freq

    return round(freq_to_zipf(word_frequency(word, zipf_to_freq(0.0))), 2)
