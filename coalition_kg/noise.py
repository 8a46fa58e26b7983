"""Tagger noise among Organizations and Places: time words, ordinary words, clitic fragments.

A tagger sometimes calls a time word (``اليوم``, "today"; ``القعدة`` of the month ذو القعدة) or an
ordinary word of the language (``فلول``, "remnants"; ``قصر``, "palace") an organization or a place,
and keeps a proclitic on a name (``للتحالف العالمي``, ``والشرق الأوسط``).  :func:`drop_noise`
removes the first two kinds of mention from an article's mentions; :func:`clean_label` gives the
label of a name without its proclitic.  A mention is only dropped when it is one word (after its
proclitic) that is a time word (``data/noise_words_ar.txt``) or an ordinary word (the linker's
``data/common_words_ar.txt``) and neither a known organization nor a place of the gazetteer —
a name of several words is kept.  Measured on the seeds and the development articles: see
``docs/graph.md`` ("Noise among organizations and places").
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .text import normalize

DATA = Path(__file__).resolve().parent / "data" / "noise_words_ar.txt"


@lru_cache(maxsize=1)
def time_words() -> frozenset[str]:
    return frozenset(normalize(line) for line in DATA.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


def _readings(word: str) -> list[str]:
    """The word, and the word without a proclitic و / ف / ب / ل / ك (ل + ال written لل)."""
    out = [word]
    if len(word) > 3 and word.startswith("لل"):
        out.append("ال" + word[2:])
    if len(word) > 3 and word[0] in "وفبلك":
        out.append(word[1:])
        if len(word) > 4 and word[1] in "بلك" and word[0] in "وف":
            out.append(word[2:])
    return out


def noise_reason(surface: str, kind: str) -> str | None:
    """Why a mention of ``kind`` (Organization or Place) with this surface is noise, or None."""
    from . import gazetteer
    from .linking import common_words, organizations
    words = normalize(surface).replace("ـ", "").split()
    if not words:
        return None
    whole = " ".join(words)
    if whole in time_words() or any(" ".join([r] + words[1:]) in time_words() for r in _readings(words[0])):
        return "time word or ordinary noun"
    if len(words) != 1:
        return None
    gz = gazetteer.load()
    known = organizations()
    for r in _readings(words[0]):
        k = gazetteer.key(r)
        if k in known or gz.country(k) or gz.city(k) or gz.nisba(k):
            return None
    if len(words[0]) <= 2 and any("\u0600" <= ch <= "\u06ff" for ch in words[0]):
        return "fragment of two letters"
    if any(r in common_words() or r in time_words() for r in _readings(words[0])):
        return "ordinary word"
    return None


def drop_noise(mentions: list, log: list | None = None) -> list:
    """``mentions`` without the Organizations and Places that are noise (see :func:`noise_reason`);
    what was dropped, and why, is appended to ``log`` as (kind, surface, reason)."""
    out = []
    for m in mentions:
        reason = noise_reason(m.text, m.kind) if m.kind in ("Organization", "Place") and m.source == "ner" else None
        if reason is None:
            out.append(m)
        elif log is not None:
            log.append((m.kind, m.text, reason))
    return out


def clean_label(surface: str) -> str:
    """A name's label without the proclitic the article wrote on it: ``للتحالف العالمي`` →
    ``التحالف العالمي``, ``والشرق الأوسط`` → ``الشرق الأوسط``, ``لـDW`` → ``DW``."""
    s = surface.strip()
    if s.startswith("لـ") or s.startswith("بـ"):
        return s[2:].strip() or s
    first, _, rest = s.partition(" ")
    if len(first) > 3 and first.startswith("لل"):
        first = "ال" + first[2:]
    elif len(first) > 3 and first[0] in "وفبلك" and first[1:].startswith(("ال", "أ", "إ", "آ")):
        first = first[1:]
    return f"{first} {rest}".strip() if rest else first
