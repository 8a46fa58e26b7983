"""Joined the coalition: countries listed after انضمام / انضمت / الأعضاء الجدد in a sentence that
speaks of the coalition, with the member number a report gives."""

from __future__ import annotations

from dataclasses import dataclass

from ..dates import ORDINAL_UNITS
from ..linking import Mention
from ..text import Sentence, normalize
from .words import _N, _bare, _chain_after, _chain_before, _is

# joined the coalition

_JOIN = _N({"انضمام", "انضم", "انضمت", "انضموا", "ينضم", "تنضم", "انضمامها", "انضمامهم"})
_NEW_MEMBER = _N({"الجدد", "الجديده", "جديدين", "جديدا", "جديد", "جدد", "جددا", "جديده"})
_MEMBER_WORDS = ("الاعضاء", "اعضاء", "كعضوين", "عضوين", "كعضو", "عضوا", "عضو", "كاعضاء", "اعضاءا")


@dataclass
class JoinMention:
    country: str
    sentence: int
    start: int
    end: int
    cue_start: int
    cue_end: int
    member_number: int | None = None     # "لتصبح العضو الخامس والثمانين" → 85


_ORD_TENS = {"العشرين": 20, "الثلاثين": 30, "الاربعين": 40, "الخمسين": 50, "الستين": 60, "السبعين": 70,
             "الثمانين": 80, "التسعين": 90}


def ordinal_at(words: list[str], i: int) -> tuple[int, int] | None:
    """(number, tokens used) of an ordinal or a number at ``i``: 86, الـ 86, الخامس والثمانين,
    الحادي عشر, الثمانين (feminine forms too)."""
    def unit(w):
        return ORDINAL_UNITS.get(w) or (ORDINAL_UNITS.get(w[:-1]) if w.endswith("ه") else None)
    if i >= len(words):
        return None
    w = words[i]
    if w in {"ال", "الـ", "رقم"} and i + 1 < len(words) and words[i + 1].isdigit():
        return int(words[i + 1]), 2
    if w.startswith("ال") and w[2:].isdigit():
        return int(w[2:]), 1
    if w.isdigit() and len(w) <= 3:
        return int(w), 1
    if w in _ORD_TENS:
        return _ORD_TENS[w], 1
    u = unit(w)
    if u is None:
        return None
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if nxt in {"عشر", "عشره"}:
        return u + 10, 2
    if nxt.startswith("و") and nxt[1:] in _ORD_TENS:
        return u + _ORD_TENS[nxt[1:]], 2
    return u, 1


def _member_numbers(words: list[str], after: int, count: int) -> list[int | None]:
    """Member numbers a few words after ``after`` for ``count`` countries: "… العضو الخامس
    والثمانين", "بوصفها العضو 86", "كعضوين جديدين رقم 82 و83" (in the countries' order)."""
    none = [None] * count
    for k in range(after, min(len(words), after + 6)):
        if words[k] in {".", "،"}:
            return none
        if _is(words[k], "العضو", "عضو", "عضوا", "كعضو", "عضوين", "كعضوين", "الاعضاء", "اعضاء", "كاعضاء"):
            numbers, x = [], k + 1
            while x < len(words) and len(numbers) < count and x - k <= 4 + 2 * count:
                if words[x] in _NEW_MEMBER or words[x] in {"رقم", "رقمي", "و", "،"}:
                    x += 1
                    continue
                w = words[x][1:] if words[x].startswith("و") and len(words[x]) > 1 and numbers else words[x]
                hit = ordinal_at([w] + words[x + 1:], 0)
                if hit is None or not 1 <= hit[0] <= 200:
                    break
                numbers.append(hit[0])
                x += hit[1]
            return numbers if len(numbers) == count else none
    return none


def find_joins(sentences: list[Sentence], places: list[Mention], coalition_sentences: set[int]) -> list[JoinMention]:
    out = []
    by_sent: dict[int, list[Mention]] = {}
    for m in places:
        if m.kind == "Country" and not m.nisba:
            by_sent.setdefault(m.sentence, []).append(m)
    for sent in sentences:
        if sent.index not in coalition_sentences:
            continue
        words = [normalize(t.text) for t in sent.tokens]
        cues = [k for k, w in enumerate(words) if any(v in _JOIN for v in _bare(w))
                or (any(v in _NEW_MEMBER for v in _bare(w)) and k > 0 and _is(words[k - 1], *_MEMBER_WORDS))]
        countries = sorted(by_sent.get(sent.index, []), key=lambda m: m.first_token)
        for cue in cues:
            new_members = not any(v in _JOIN for v in _bare(words[cue]))
            chain = _chain_after(sent, cue + 1, countries, max_gap=6, list_colon=new_members)
            if not chain and new_members:
                # "نرحب بجمهورية أفريقيا الوسطى واليمن بوصفها أعضاء جددا": the list comes first
                chain = _chain_before(sent, cue - 1, countries, max_gap=2)
            if chain and not new_members:
                # "انضمت فرنسا إلى الولايات المتحدة في الدعوة": what is joined must not be a country
                k = chain[-1].last_token
                while k < len(words) and k - chain[-1].last_token <= 2 and words[k] not in {"الي", "لي"}:
                    k += 1
                if k + 1 < len(words) and any(m.first_token == k + 1 for m in countries):
                    chain = []
            numbers = _member_numbers(words, chain[-1].last_token, len(chain)) if chain else []
            for m, number in zip(chain, numbers):
                out.append(JoinMention(m.attrs["place"].code, sent.index, m.start, m.end,
                                       sent.tokens[cue].start, sent.tokens[cue].end, number))
        # "أصبحت موريتانيا العضو الخامس والثمانين في التحالف"
        for m in countries:
            k = m.last_token
            if k < len(words) and _is(words[k], "العضو", "عضوا") and m.first_token > 0 and \
                    any(_is(w, "اصبحت", "اصبح", "لتصبح", "ليصبح", "باتت", "صارت", "تصبح") for w in words[max(0, m.first_token - 2):m.first_token]):
                out.append(JoinMention(m.attrs["place"].code, sent.index, m.start, m.end,
                                       sent.tokens[k].start, sent.tokens[k].end, _member_numbers(words, k, 1)[0]))
    # one fact per country and sentence
    seen, unique = {}, []
    for j in out:
        key = (j.country, j.sentence)
        if key not in seen:
            seen[key] = j
            unique.append(j)
        elif seen[key].member_number is None and j.member_number is not None:
            seen[key].member_number = j.member_number
    return unique


def coalition_sentences(org_mentions: list[Mention], sentences: list[Sentence]) -> set[int]:
    """Sentences that speak of the coalition: a mention of it, or the word التحالف itself."""
    out = {m.sentence for m in org_mentions if m.node == "org:global-coalition"}
    for sent in sentences:
        if any(_is(normalize(t.text), "التحالف", "تحالف") for t in sent.tokens):
            out.add(sent.index)
    return out
