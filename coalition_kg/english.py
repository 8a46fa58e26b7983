"""English names of persons, for ``rdfs:label …@en``.

1. The established spelling, from a curated list of the officials this news is about
   (``data/persons_en.tsv``: foreign ministers, secretaries of state, envoys, heads of state and
   government of coalition countries and the UN), with the person's Wikidata id where it is
   certain (written as ``owl:sameAs``).  An Arabic label or any spelling the articles used is
   matched after normalization (:func:`coalition_kg.text.normalize`).
2. Otherwise a transliteration — by the ``arabic-name-romanizer`` package (a dictionary of
   attested spellings from Wikidata, then a small character model), or, without it, by the
   letter rules below — marked as a transliteration in the graph
   (``ckg:englishLabelSource "transliteration"``), because it is a guess: ``جون كيري`` comes out
   "John Kiri", which is why the well-known persons are listed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .text import normalize

DATA = Path(__file__).resolve().parent / "data" / "persons_en.tsv"


@dataclass(frozen=True)
class EnglishName:
    name: str
    source: str                 # "curated" or "transliteration"
    wikidata: str | None = None


@lru_cache(maxsize=1)
def curated() -> dict[str, tuple[str, str | None]]:
    """Normalized Arabic spelling → (English name, Wikidata id or None)."""
    out: dict[str, tuple[str, str | None]] = {}
    for n, line in enumerate(DATA.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise ValueError(f"{DATA.name}:{n}: expected 3 tab-separated fields, got {len(parts)}")
        en, qid, spellings = parts
        qid = None if qid.strip() in ("", "-") else qid.strip()
        for ar in spellings.split("|"):
            if ar.strip():
                out[normalize(ar)] = (en.strip(), qid)
    return out


def english_name(label: str, surfaces=(), country: str | None = None) -> EnglishName:
    """The English name of a person whose Arabic label is ``label`` (and who was also written
    ``surfaces``); ``country`` (ISO alpha-2 of the country they represent) guides a transliteration."""
    table = curated()
    for s in (label, *surfaces):
        hit = table.get(normalize(s))
        if hit:
            return EnglishName(hit[0], "curated", hit[1])
    return EnglishName(transliterate(label, country), "transliteration")


# The package ranks the product of every unit's candidates (5 a unit): 5**n spellings for a name
# of n units, which a tagged span of a dozen words (an honorific chain, a tagging error) turns
# into tens of millions of objects.  The best spelling is the product of each unit's best, so
# beyond a few units fewer candidates a unit give the same first answer.
_FULL_UNITS = 4
_MAX_COMBINATIONS = 1024
_LOCK = threading.Lock()


class _UnitCache:
    """The romanizer's character model, decoding each word once per build and always the same way.

    The package decodes the words of one call as one padded batch, and padding changes the best
    spelling of about one word in six (800 ANERcorp name words: 141): a person's English name
    would then depend on the names beside it.  Here words are decoded in batches of one encoded
    length (no padding: the same first answers as one word at a time, all 800), remembered, and
    :func:`prefetch` decodes a whole build's words in a few such batches (8× faster than one
    at a time)."""

    def __init__(self, model):
        self.model = model
        self.uses_roles = getattr(model, "uses_roles", False)
        self.memo: dict[tuple, list] = {}

    def transliterate_units(self, units, country, top_k, roles=None):
        if roles is None or not self.uses_roles:
            roles = [None] * len(units)
        items = list(zip(units, roles))
        todo = sorted({it for it in items if (it, country) not in self.memo}, key=lambda it: (it[0], it[1] or ""))
        try:
            from arabic_name_romanizer.inference import encode_source_ids
            groups: dict[int, list] = {}
            for it in todo:
                groups.setdefault(len(encode_source_ids(self.model.vocab, it[0], country, it[1])), []).append(it)
            for group in groups.values():
                for it, hyps in zip(group, self.model._decode(group, country)):
                    self.memo[(it, country)] = hyps
        except (ImportError, AttributeError):     # another version of the package: a word at a time
            for u, r in todo:
                self.memo[((u, r), country)] = self.model.transliterate_units(
                    [u], country, max(top_k, 8), **({"roles": [r]} if self.uses_roles else {}))[0]
        return [self.memo[(it, country)][:top_k] for it in items]


@lru_cache(maxsize=1)
def _romanizer():
    try:
        from arabic_name_romanizer import Transliterator
    except ImportError:          # the package is optional at run time: the letter rules then
        return None
    romanizer = Transliterator()
    if getattr(romanizer, "model", None) is not None:
        romanizer.model = _UnitCache(romanizer.model)
    return romanizer


def prefetch(names) -> None:
    """Decode at once the words of every ``(label, country)`` of ``names`` that the curated list
    does not give, so that :func:`transliterate` then finds them (a build's persons)."""
    romanizer = _romanizer()
    if romanizer is None:
        return
    by_country: dict[str | None, list[str]] = {}
    table = curated()
    for label, country in names:
        if normalize(label) not in table:
            by_country.setdefault(country, []).append(label)
    with _LOCK:
        romanizer.max_per_unit = 1               # only the words' decoding is wanted here
        for country, labels in by_country.items():
            try:
                romanizer.transliterate_many(sorted(set(labels)), country=country)
            except Exception:                    # an unknown country hint: transliterate says the rest
                continue


def _per_unit(n_units: int) -> int:
    if n_units <= _FULL_UNITS:
        return 5
    return max(1, int(_MAX_COMBINATIONS ** (1 / n_units)))


@lru_cache(maxsize=4096)
def transliterate(text: str, country: str | None = None) -> str:
    """A Latin spelling of an Arabic name (see the module's docstring)."""
    romanizer = _romanizer()
    if romanizer is None:
        return _rules(text)
    with _LOCK:
        romanizer.max_per_unit = _per_unit(len(text.split()))
        try:
            out = romanizer.transliterate(text, country=country) if country else romanizer.transliterate(text)
        except Exception:            # an unknown country hint, or anything the package cannot read
            try:
                out = romanizer.transliterate(text)
            except Exception:
                return _rules(text)
    out = out if isinstance(out, str) else str(out)
    return out.strip() or _rules(text)


_LETTERS = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ء": "", "ؤ": "u", "ئ": "i", "ب": "b", "ت": "t", "ث": "th", "ج": "j",
    "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d",
    "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n",
    "ه": "h", "ة": "a", "و": "w", "ي": "y", "ى": "a", "پ": "p", "چ": "ch", "ڤ": "v", "گ": "g",
}


def _rules(text: str) -> str:
    """Letter-by-letter romanization (the last resort): و and ي between consonants read as long
    vowels, the article ال as "al-"."""
    words = []
    for w in normalize(text).split():
        prefix = ""
        if w.startswith("ال") and len(w) > 3:
            prefix, w = "al-", w[2:]
        out = []
        for i, ch in enumerate(w):
            r = _LETTERS.get(ch, ch)
            if ch in "وي" and 0 < i:
                r = "u" if ch == "و" else "i"
            out.append(r)
        word = "".join(out)
        if w.endswith("ه") and len(w) > 2:          # ة, which normalization writes ه
            word = word[:-1] + "a"
        words.append(prefix + word if prefix else word.capitalize())
    return " ".join(words) if words else text
