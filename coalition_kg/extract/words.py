"""Word tests shared by the fact readers: a normalized word against forms written in any
spelling, with its clitics stripped, and chains of coordinated mentions."""

from __future__ import annotations

from functools import lru_cache

from ..gazetteer import _clitic_variants
from ..linking import Mention
from ..text import Sentence, normalize


def _bare(word: str) -> tuple[str, ...]:
    # the memoized tuple itself, not a fresh list: the readers call this for every word of every
    # sentence, several times, and only ever iterate over it
    return _clitic_variants(word)


@lru_cache(maxsize=4096)
def _norm_forms(forms: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalize(f) for f in forms)


@lru_cache(maxsize=1 << 16)     # asked of every word of a sentence, with the same few form lists
def _is(word: str, *forms: str) -> bool:
    """``word`` (normalized) is one of ``forms`` once its clitics are stripped; forms may be
    written in any spelling (they are normalized the same way)."""
    wanted = _norm_forms(forms)
    return any(v in wanted for v in _bare(word))


def _N(words) -> set[str]:
    return {normalize(w) for w in words}



@lru_cache(maxsize=1 << 16)     # asked of every word, with each of a few prefix lexicons
def _starts(word: str, prefixes: tuple[str, ...]) -> bool:
    return any(v.startswith(prefixes) for v in _bare(word))


def _chain_before(sent: Sentence, end: int, mentions: list[Mention], max_gap: int) -> list[Mention]:
    """Mentions coordinated one after another and ending at most ``max_gap`` tokens before
    token ``end`` (no punctuation in that gap), in text order."""
    chain: list[Mention] = []
    pos = end
    for m in sorted(mentions, key=lambda m: -m.first_token):
        if m.last_token > pos:
            continue
        if not chain:
            if pos - m.last_token > max_gap or any(not sent.tokens[k].text.isalpha() for k in range(m.last_token, pos)):
                break
        else:
            between = [sent.tokens[k].text for k in range(m.last_token, pos)]
            if len(between) > 1 or (between and between[0] not in {"و", "،", ","}):
                break
            if not between and not sent.tokens[pos].text.startswith("و"):
                break
        chain.append(m)
        pos = m.first_token
    return chain[::-1]


def _chain_after(sent: Sentence, start: int, mentions: list[Mention], max_gap: int,
                 list_colon: bool = False) -> list[Mention]:
    """Mentions coordinated one after another from token ``start``: up to ``max_gap`` tokens
    may come before the first (across a colon that introduces a list when ``list_colon``); after
    that each must follow the last directly or after و/،."""
    chain: list[Mention] = []
    pos = start
    for m in mentions:
        if m.first_token < start:
            continue
        gap = m.first_token - pos
        if not chain:
            stops = {".", "؟"} if list_colon else {".", ":", "؟"}
            if gap > max_gap or any(sent.tokens[k].text in stops for k in range(pos, m.first_token)):
                break
        else:
            between = [sent.tokens[k].text for k in range(pos, m.first_token)]
            if len(between) > 1 or (between and between[0] not in {"و", "،", ","}):
                break
            if not between and not sent.tokens[m.first_token].text.startswith("و"):
                break
        chain.append(m)
        pos = m.last_token
    return chain
