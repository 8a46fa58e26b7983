"""The cue lexicons of the fact readers, read from ``lexicon/*.txt`` beside this module.

Each file is one class of cue words, one form per line, in any Arabic spelling (forms are
normalized the way article words are: hamza and alif variants, taa marbuta, diacritics); ``#``
starts a comment.  A file whose name ends in ``_verbs`` names verbs by their lemma, one a line —
perfect, imperfect, then nominal forms (``استضاف يستضيف استضافة باستضافة``) — and
:mod:`.morphology` generates every form news writes of them (tenses, persons, the future with
س, object pronouns, و / ف); :func:`verbs` gives each form and which form it is.  A linguist
extends the readers by adding lines here; no code changes.  ``README.md`` in that folder says what each class is for.
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


@lru_cache(maxsize=None)
def verbs(name: str) -> dict[str, str]:
    """Every normalized form of the verbs of lexicon ``name`` (a ``*_verbs`` file) → which form
    it is (:data:`.morphology.PERFECT`, ``IMPERFECT``, ``FUTURE``, ``NOUN``)."""
    from .morphology import verb_forms
    out: dict[str, str] = {}
    for line in _lines(name):
        parts = line.split()
        if len(parts) < 2:
            raise ValueError(f"{DIR / (name + '.txt')}: '{line}': a verb needs its perfect and its imperfect")
        for form, kind in verb_forms(parts[0], parts[1], tuple(parts[2:])).items():
            out.setdefault(form, kind)
    return out


def names() -> list[str]:
    return sorted(p.stem for p in DIR.glob("*.txt"))
