"""Step 5: facts — roles, UN resolutions, coalition membership and meetings with their hosts.

Works on one article at a time: its sentences, the typed place/organization mentions from
:mod:`.linking` and the person mentions (already clustered within the article).  The rules
read Arabic news grammar, not particular articles:

* **roles** — a title in front of a name (وزير الخارجية المغربي ناصر بوريطة، وزير خارجية
  الولايات المتحدة أنتوني بلينكن، المبعوث الخاص للأمم المتحدة غير بيدرسن) or in apposition
  after it (ناصر بوريطة، وزير الخارجية المغربي);
* **resolutions** — قرار مجلس الأمن (الدولي) رقم 2254، القرار 2254، القرارات 2170 و2178;
* **joined the coalition** — countries listed after انضمام / انضمت / الأعضاء الجدد in a sentence
  that mentions the coalition;
* **meetings** — a meeting word (اجتماع، اجتمع، التقى، مؤتمر، قمة) or a hosting expression
  (بدعوة من، استضاف، احتضن، برئاسة، ترأس) with a city or a host; a reception (استقبل X نظيره Y)
  is a bilateral meeting hosted by X.  Hosts are read from the coordinated
  chain after the cue (persons, or countries where no person is named), from the subject of
  "X، الذي استضاف", and "مع نظيره الإيطالي" is resolved to the person holding the same role for
  that country.  Meeting mentions of one article that agree on place, hosts and date are one
  meeting; cross-article merging happens in :mod:`.pipeline`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .dates import ORDINAL_UNITS, PartialDate, article_date, find_dates, relative_date
from .gazetteer import clitic_variants
from .linking import Mention
from .text import Sentence, normalize

# ---------------------------------------------------------------------------------------------
# roles

ROLE_LABELS = {
    "foreign_minister": "foreign minister", "defence_minister": "defence minister",
    "interior_minister": "interior minister", "minister": "minister", "prime_minister": "prime minister",
    "deputy_prime_minister": "deputy prime minister", "deputy_minister": "deputy or assistant minister",
    "president": "president",
    "un_special_envoy": "UN special envoy", "special_envoy": "special envoy",
    "secretary_general": "secretary-general", "ambassador": "ambassador", "king": "king",
    "crown_prince": "crown prince", "emir": "emir", "spokesperson": "spokesperson",
}


@dataclass
class Role:
    role: str                    # key of ROLE_LABELS
    country: str | None          # ISO alpha-2
    org: str | None              # organization key (e.g. un for a UN envoy)
    former: bool
    start: int                   # span of the title in the text
    end: int


def _bare(word: str) -> list[str]:
    return clitic_variants(word)


@lru_cache(maxsize=4096)
def _norm_forms(forms: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalize(f) for f in forms)


def _is(word: str, *forms: str) -> bool:
    """``word`` (normalized) is one of ``forms`` once its clitics are stripped; forms may be
    written in any spelling (they are normalized the same way)."""
    wanted = _norm_forms(forms)
    return any(v in wanted for v in _bare(word))


def _N(words) -> set[str]:
    return {normalize(w) for w in words}


def read_title(words: list[str]) -> tuple[str, bool] | None:
    """Role key for a title phrase (normalized words, role head first), and whether it is 'former'."""
    if not words:
        return None
    former = any(_is(w, "سابق", "السابق", "السابقه") for w in words)
    head, rest = words[0], words[1:]
    nxt = rest[0] if rest else ""
    # "نائب رئيس الوزراء", "النائب الأول لرئيس مجلس الوزراء"
    deputy_rest = rest[1:] if rest and _is(rest[0], "الاول", "الثاني", "الاوله") else rest
    if _is(head, "نائب", "نائبه") and deputy_rest and _is(deputy_rest[0], "رييس", "رييسه") and \
            _prime_minister_rest(deputy_rest[1:]):
        return "deputy_prime_minister", former
    # "نائب وزير الخارجية", "مساعد وزير الخارجية لشؤون …", "وكيل وزارة الخارجية": not the minister
    if _is(head, "نائب", "نائبه", "مساعد", "مساعده", "وكيل", "وكيله") and \
            _is(nxt, "وزير", "وزيره", "وزاره", "لوزير", "لوزيره", "لوزاره"):
        return "deputy_minister", former
    if _is(head, "وزير", "وزيره", "وزيرا", "وزراء"):
        if any(_is(w, "الخارجيه", "خارجيه") for w in rest[:2]):
            return "foreign_minister", former
        if any(_is(w, "الدفاع", "دفاع") for w in rest[:2]):
            return "defence_minister", former
        if any(_is(w, "الداخليه", "داخليه") for w in rest[:2]):
            return "interior_minister", former
        return "minister", former
    if _is(head, "رييس", "رييسه"):
        if _prime_minister_rest(rest):
            return "prime_minister", former
        if _is(nxt, "مجلس", "المجلس", "حزب", "الحزب", "لجنه", "اللجنه", "هييه", "الهييه", "وفد", "الوفد", "جهاز"):
            return None            # رئيس مجلس النواب، رئيس الوفد: heads of bodies, not of a state
        return "president", former
    if _is(head, "الرييس", "الرييسه"):
        return "president", former
    if _is(head, "المبعوث", "مبعوث", "المبعوثه", "مبعوثه"):
        un = any(_is(w, "الاممي", "الامم", "للامم", "الامميه") for w in rest)
        return ("un_special_envoy" if un else "special_envoy"), former
    if _is(head, "الامين", "امين") and _is(nxt, "العام"):
        return "secretary_general", former
    if _is(head, "سفير", "السفير", "سفيره", "السفيره"):
        return "ambassador", former
    if _is(head, "الملك", "ملك"):
        return "king", former
    if _is(head, "ولي") and _is(nxt, "العهد"):
        return "crown_prince", former
    if _is(head, "امير", "الامير") and rest:
        return "emir", former        # أمير قطر / أمير دولة الكويت; "الأمير فيصل" alone is an honorific
    if _is(head, "المتحدث", "المتحدثه", "متحدث"):
        return "spokesperson", former
    return None


def _prime_minister_rest(rest: list[str]) -> bool:
    """The words after رئيس that make a prime minister: الوزراء / الحكومة / مجلس الوزراء."""
    if rest and _is(rest[0], "الوزراء", "الحكومه", "وزراء"):
        return True
    return len(rest) > 1 and _is(rest[0], "مجلس") and _is(rest[1], "الوزراء")


_DEPUTY_WORDS = _N({"نائب", "نائبه", "مساعد", "مساعده", "وكيل", "وكيله"})   # نائب/مساعد/وكيل + وزير
_TITLE_STOP = _N({"اليوم", "امس", "غدا", "الان", "في", "من", "الي", "على", "علي", "عن", "مع", "خلال", "بعد", "قبل",
                   "ان", "إن", "أن", "الذي", "التي", "وفدا", "وفد"})
ROLE_HEADS = _N({"نايب", "نايبه", "مساعد", "مساعده", "وكيل", "وكيله", "النايب", "النايبه", "وزير", "وزيره", "وزيرا", "رييس", "رييسه", "الرييس", "الرييسه", "المبعوث",
              "مبعوث", "المبعوثه", "الامين", "سفير", "السفير", "سفيره", "الملك", "ولي", "امير", "الامير",
              "المتحدث", "المتحدثه"})


def _head_at(word: str) -> bool:
    return any(v in ROLE_HEADS for v in _bare(word))


def roles_before(sentence: Sentence, first_token: int, places: list[Mention], blocked: set[int],
                 window: int = 12) -> list[Role]:
    """Roles from the title right in front of a name (token ``first_token``)."""
    words = [normalize(t.text) for t in sentence.tokens]
    lo = first_token
    while lo > 0 and first_token - lo < window:
        k = lo - 1
        if k in blocked or not words[k] or words[k] in {"قال", "اكد"}:
            break
        lo = k
    heads = [k for k in range(lo, first_token) if _head_at(words[k])]
    if not heads:
        return []
    # the title chain must start at a head: drop anything before the first head
    roles: list[Role] = []
    bounds = heads + [first_token]
    def deputy_of(a: int, b: int) -> bool:
        """رئيس at ``b`` belongs to the deputy title at ``a`` (نائبة رئيس، النائب الأول لرئيس)."""
        return _is(words[a], "نايب", "نايبه") and (b == a + 1 or (b == a + 2 and _is(words[a + 1], "الاول", "الثاني", "الاوله")))

    for n, k in enumerate(heads):
        end = bounds[n + 1]
        # "نائبة رئيس الوزراء": رئيس after نائبة belongs to the same title; so does وزير after
        # نائب/مساعد/وكيل ("مساعد وزير الخارجية")
        if n > 0 and (deputy_of(heads[n - 1], k) or (heads[n - 1] == k - 1 and _is(words[k - 1], *_DEPUTY_WORDS))):
            continue
        phrase_end = end
        if n + 1 < len(heads) and (deputy_of(k, heads[n + 1]) or (heads[n + 1] == k + 1 and _is(words[k], *_DEPUTY_WORDS))):
            phrase_end = bounds[n + 2] if n + 2 < len(bounds) else first_token
        parsed = read_title(words[k:phrase_end])
        if not parsed:
            continue
        role, former = parsed
        country = None
        for m in places:
            if m.kind == "Country" and k < m.first_token < phrase_end:
                country = m.attrs["place"].code
                break
        org = "un" if role == "un_special_envoy" else None
        roles.append(Role(role, country, org, former, sentence.tokens[k].start,
                          sentence.tokens[phrase_end - 1].end))
    # a nisba at the end of a chain applies to every title in it (نائبة رئيس الوزراء ووزيرة الخارجية البلجيكية)
    last_country = next((r.country for r in reversed(roles) if r.country), None)
    for r in roles:
        if r.country is None and r.org is None and last_country:
            r.country = last_country
    return roles


def counterpart_before(sentence: Sentence, first_token: int, places: list[Mention]) -> tuple[str, int, int] | None:
    """"نظيره الأردني أيمن الصفدي": the country of a counterpart named right before a name, with
    the span of "نظيره الأردني".  The role itself is the one of the person the counterpart is
    of, which only the article knows (see :func:`coalition_kg.pipeline.extract_article`)."""
    words = [normalize(t.text) for t in sentence.tokens]
    for k in range(max(0, first_token - 3), first_token):
        if any(v in _COUNTERPART for v in _bare(words[k])):
            nis = next((m for m in places if m.kind == "Country" and k < m.first_token and m.last_token == first_token), None)
            if nis is not None:
                return nis.attrs["place"].code, sentence.tokens[k].start, nis.end
    return None


def roles_after(sentence: Sentence, last_token: int, places: list[Mention],
                names: set[int] = frozenset()) -> list[Role]:
    """Apposition: "ناصر بوريطة، وزير الخارجية المغربي،".  A title that runs into another
    name (token in ``names``) is that name's ("التقى بلينكن رئيس مجلس الوزراء القطري الشيخ محمد")."""
    words = [normalize(t.text) for t in sentence.tokens]
    k = last_token
    if k < len(words) and sentence.tokens[k].text in {"،", ","}:
        k += 1
    if k >= len(words) or not _head_at(words[k]):
        return []
    end = k + 1
    while end < len(words) and end - k < 8 and sentence.tokens[end].text not in {"،", ",", ".", ":"} \
            and end not in names and words[end] not in _TITLE_STOP:
        end += 1         # (a time word or a preposition ends the title: "… ووزير الخارجية اليوم وفدا أمريكيا")
    if end in names:
        return []
    # "آل ثاني رئيس مجلس الوزراء ووزير الخارجية", "ولي العهد رئيس مجلس الوزراء": titles chained
    # (by و or side by side), each read on its own
    starts = [k] + [x for x in range(k + 1, end) if (words[x].startswith("و") and words[x][1:] in ROLE_HEADS)
                    or (words[x] in ROLE_HEADS and words[x] not in {"نايب", "مساعد", "وكيل"}
                        and words[x - 1] not in _DEPUTY_WORDS)]
    bounds = starts + [end]
    roles = []
    for a, b in zip(bounds, bounds[1:]):
        head = words[a][1:] if a != k and words[a] not in ROLE_HEADS else words[a]   # ووزير → وزير
        part = [head] + words[a + 1:b]
        parsed = read_title(part)
        if not parsed:
            continue
        role, former = parsed
        country = next((m.attrs["place"].code for m in places if m.kind == "Country" and a <= m.first_token < b
                        and m.first_token > k), None)
        roles.append(Role(role, country, "un" if role == "un_special_envoy" else None, former,
                          sentence.tokens[a].start, sentence.tokens[b - 1].end))
    last_country = next((r.country for r in reversed(roles) if r.country), None)
    for r in roles:
        if r.country is None and r.org is None and last_country:
            r.country = last_country
    return roles


# ---------------------------------------------------------------------------------------------
# UN resolutions

_RES = re.compile(
    r"(?:ال)?(?:[وبل]|لل)?(?:ال)?قرار(?:ات|ي|ين|ان)?\s+"
    r"(?P<body>(?:الصادر\s+عن\s+)?مجلس\s+الامن(?:\s+الدولي)?(?:\s+(?:التابع\s+)?للامم\s+المتحده)?\s+)?"
    r"(?:(?P<un>الاممي|الامميين|الامميه|الدولي)\s+)?(?:رقم\s+|ذي\s+الرقم\s+|رقمي\s+)?"
    r"(?P<nums>\d{1,4}(?:\s*(?:\(?\s*\d{4}\s*\)?\s*)?(?:و\s*|،\s*|,\s*)\d{3,4})*)")
# inside the numbers: a number right after another one, with no و or comma between, is the year
# of the resolution ("2178 (2014)" normalizes to "2178 2014")
_RES_NUM = re.compile(r"(?P<sep>و|،|,)?\s*(?P<n>\d{1,4})")


@dataclass
class ResolutionMention:
    number: int
    body: str | None      # "UNSC" or None when the text names no body
    sentence: int
    start: int
    end: int


def find_resolutions(text: str, sentences: list[Sentence], article_mentions_unsc: bool) -> list[ResolutionMention]:
    out = []
    for sent in sentences:
        # normalize token by token and remember where each normalized character came from
        pieces, offsets = [], []
        for t in sent.tokens:
            n = normalize(t.text) or t.text
            if pieces:
                pieces.append(" ")
                offsets.append(t.start)
            for ch in n:
                pieces.append(ch)
                offsets.append(t.start)
            offsets[-1] = t.end - 1 if offsets else t.start
        norm = "".join(pieces)
        for m in _RES.finditer(norm):
            after = norm[m.end():m.end() + 12]
            if re.match(r"\s*(?:لسنه|سنه)\s", after) and not (m.group("body") or m.group("un")):
                continue          # "القرار رقم 215 لسنة 2020": a national decree, not the UN's
            # the UN numbers only the Security Council's resolutions as a plain series, so
            # "القرار الأممي 2254" / "القرار الدولي 2254" is the Council's
            body = "UNSC" if (m.group("body") or m.group("un") or article_mentions_unsc) else None
            numbers = []
            for k, x in enumerate(_RES_NUM.finditer(m.group("nums"))):
                if k > 0 and not x.group("sep"):
                    continue      # a year written after the number: "2254 (2015)"
                numbers.append(int(x.group("n")))
            if not m.group("body") and not m.group("un") and any(n < 100 for n in numbers):
                continue          # "القرار 15" with no body named: not a Security Council resolution
            for n in numbers:
                start = offsets[m.start()]
                end = offsets[m.end() - 1] + 1
                out.append(ResolutionMention(n, body, sent.index, start, min(end, sent.end)))
    return out


# ---------------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------------
# meetings

_MEETING_NOUNS = _N({"اجتماع", "الاجتماع", "اجتماعا", "اجتماعه", "اجتماعها", "اجتماعهم", "لقاء", "اللقاء",
                  "مؤتمر", "المؤتمر", "مؤتمرا", "قمه", "القمه", "اجتماعات", "الاجتماعات", "اجتماعاته"})
_PLURAL_NOUNS = _N({"اجتماعات", "الاجتماعات", "اجتماعاته"})
_MEETING_VERB_PREFIXES = tuple(_N(("اجتمع", "يجتمع", "تجتمع", "سيجتمع", "التقي", "التقوا", "يلتقي", "التقت")))
_HOST_VERB_PREFIXES = tuple(_N(("استضاف", "يستضيف", "تستضيف", "سيستضيف", "ستستضيف", "استضافه", "باستضافه",
                       "احتضن", "يحتضن", "تحتضن", "ستحتضن", "سيحتضن", "باحتضان",
                       "ترءس", "ترأس", "يترأس", "تترأس", "يتراس", "تتراس", "تراس", "براسه", "برياسه", "برئاسه")))
# "استقبل وزير الخارجية المغربي ناصر بوريطة نظيره الأمريكي": a reception is a (bilateral)
# meeting hosted by the one who receives
_PART_NOUNS = _N({"بمشاركه", "بحضور", "وبمشاركه", "وبحضور"})     # not "لمشاركة التحالف في المستقبل"
_PART_WORDS = ("شارك", "شاركت", "شاركوا", "يشارك", "تشارك", "يشاركون", "سيشارك", "ستشارك",
               "حضر", "حضرت", "حضره", "حضرها", "حضرته", "حضروا", "يحضر", "تحضر", "يحضره")
_RECEIVE_PREFIXES = tuple(_N(("استقبل", "يستقبل", "تستقبل", "سيستقبل", "ستستقبل")))
_DELEGATION = _N({"وفد", "وفدا", "الوفد", "وفود", "وفودا"})
_PLANNED = _N({"سيعقد", "ستعقد", "يعتزمون", "يعتزم", "تعتزم", "المقبل", "القادم", "المقبله", "القادمه", "المقرر",
            "سيستضيف", "ستستضيف", "سيجتمع", "عزمهم", "يعقد"})
_ADOPT_PREFIXES = tuple(_N(("تبني", "تبنت", "تبناها", "اعتماد", "اعتمدت", "اعتمدها")))
_MINISTERIAL = _N({"وزراء", "الوزراء", "الوزاري", "الوزاريه", "وزير", "وزيرا"})
_DIRECTORS = _N({"المدراء", "المديرون", "المديرين", "مدراء", "القاده", "قاده"})
_COUNTERPART = _N({"نظيره", "نظيرته", "نظيريه", "نظرايه", "نظيرها", "نظيرهم"})


@dataclass
class MeetingMention:
    sentence: int
    start: int
    end: int
    city: Mention | None = None
    country: str | None = None
    hosts: list[str] = field(default_factory=list)          # person node keys
    host_countries: list[str] = field(default_factory=list)  # governments named as hosts
    host_spans: list[tuple[str, int, int, int]] = field(default_factory=list)  # (node, sentence, start, end)
    # persons and governments that took part ("بمشاركة …", "وحضر الاجتماع …"), hosts aside
    participant_spans: list[tuple[str, int, int, int]] = field(default_factory=list)
    date: PartialDate | None = None
    planned: bool = False
    kind: str | None = None
    definite: bool = False     # "الاجتماع": refers back to a meeting already introduced
    cue: str = ""
    confidence: float = 0.8
    evidence: list[tuple[int, int, int, str]] = field(default_factory=list)  # sentence, start, end, extractor


def _starts(word: str, prefixes: tuple[str, ...]) -> bool:
    return any(v.startswith(prefixes) for v in _bare(word))


def find_meetings(text: str, sentences: list[Sentence], places: list[Mention], persons: list[Mention],
                  person_roles: dict[str, set], art_date: PartialDate | None) -> list[MeetingMention]:
    """Meeting mentions of one article, merged where they describe the same meeting."""
    place_by_sent: dict[int, list[Mention]] = {}
    for m in places:
        place_by_sent.setdefault(m.sentence, []).append(m)
    pers_by_sent: dict[int, list[Mention]] = {}
    for m in persons:
        pers_by_sent.setdefault(m.sentence, []).append(m)
    mentions: list[MeetingMention] = []
    for sent in sentences:
        splaces = sorted(place_by_sent.get(sent.index, []), key=lambda m: m.first_token)
        spers = sorted(pers_by_sent.get(sent.index, []), key=lambda m: m.first_token)
        mentions.extend(_sentence_meetings(sent, splaces, spers, persons, person_roles, art_date))
        mentions.extend(_receptions(sent, splaces, spers, art_date))
    return merge_in_article(mentions)


def _receptions(sent, splaces, spers, art_date) -> list[MeetingMention]:
    """"استقبل X نظيره Y" / "استقبل X وفدا …": a bilateral meeting hosted by X (a person, or a
    country named as the subject).  Without a person or a delegation received it is no meeting
    ("استقبل الأردن لاجئين")."""
    words = [normalize(t.text) for t in sent.tokens]
    out = []
    for k, w in enumerate(words):
        if not _starts(w, _RECEIVE_PREFIXES) or w.startswith("ب"):
            continue
        subject = next((p for p in spers if k < p.first_token <= k + 6), None)
        if subject is None:
            subject = next((c for c in splaces if c.kind == "Country" and not c.nisba and c.first_token == k + 1), None)
        if subject is None or any(k < p.first_token < subject.first_token for p in spers):
            continue
        after = subject.last_token
        received = any(after <= p.first_token <= after + 4 for p in spers if p is not subject) or \
            any(words[x] in _DELEGATION for x in range(after, min(len(words), after + 4)))
        # "استقبل الأمير X ولي العهد رئيس مجلس الوزراء، في الرياض اليوم، وزير الخارجية الأمريكي Y":
        # the subject's own titles, place and time between; the one received is named with a title
        nxt = next((p for p in spers if p.first_token >= after and p is not subject), None)
        if not received and nxt is not None and nxt.first_token - after <= 18 and \
                any(_head_at(words[x]) for x in range(max(after, nxt.first_token - 4), nxt.first_token)) and \
                not any(sent.tokens[x].text in {".", ":", "؟"} for x in range(after, nxt.first_token)):
            received = True
        if not received:
            continue
        mm = MeetingMention(sent.index, sent.tokens[k].start, sent.tokens[k].end, confidence=0.7)
        mm.cue, mm.kind = sent.tokens[k].text, "bilateral"
        city = next((c for c in splaces if c.kind == "City" and c.first_token > k), None)
        if city is not None:
            mm.city, mm.country = city, city.attrs["place"].country
        _add_host(mm, subject.node, sent, subject.start, subject.end)
        dates = [(abs(a - k), d) for d, a, b in find_dates(sent) if d.year or d.month]
        mm.date = min(dates, key=lambda x: x[0])[1].anchored(art_date) if dates else relative_date(sent, art_date)
        mm.planned = w.startswith(("سيستقبل", "ستستقبل"))
        mm.evidence.append((sent.index, mm.start, mm.end, "meeting-rules"))
        out.append(mm)
    return out


def _sentence_meetings(sent, splaces, spers, persons, person_roles, art_date) -> list[MeetingMention]:
    """One candidate per meeting word of a sentence; hosting cues attach to the nearest one."""
    words = [normalize(t.text) for t in sent.tokens]
    nouns = [k for k, w in enumerate(words) if any(v in _MEETING_NOUNS for v in _bare(w))]
    verbs = [k for k, w in enumerate(words) if _starts(w, _MEETING_VERB_PREFIXES)]
    invite = [k for k, w in enumerate(words[:-1]) if _is(w, "دعوه", "بدعوه", "مبادره", "بمبادره") and words[k + 1] == "من"]
    # "… الذي دعا إليه وزير الخارجية الأمريكي مايك بومبيو": the one who called the meeting
    invite += [k for k, w in enumerate(words[:-1]) if _is(w, "دعا", "دعت") and words[k + 1] in {"اليه", "اليها", "له", "لها"}]
    hostv = [k for k, w in enumerate(words) if _starts(w, _HOST_VERB_PREFIXES)]
    takes_part = [k for k, w in enumerate(words) if w in _PART_NOUNS or _is(w, *_PART_WORDS)]
    adopt = [k for k, w in enumerate(words) if _starts(w, _ADOPT_PREFIXES)]
    if not (nouns or verbs or invite or hostv or adopt):
        # "كما حضر وزير الشؤون الخارجية الجزائري أحمد عطاف …": a verb of taking part with no
        # meeting word refers back to the meeting the article reports
        out = []
        for k in takes_part:
            if words[k] in _PART_NOUNS:
                continue
            mm = MeetingMention(sent.index, sent.tokens[k].start, sent.tokens[k].end, definite=True, confidence=0.6)
            mm.cue = sent.tokens[k].text
            _take_hosts(mm, sent, k + 1, spers, splaces, persons, person_roles, add=_add_participant)
            if mm.participant_spans:
                mm.evidence.append((sent.index, mm.start, mm.end, "meeting-rules"))
                out.append(mm)
        return out[:1]
    cities = [m for m in splaces if m.kind == "City"]
    dates = [(d, a, b) for d, a, b in find_dates(sent) if d.year or d.month]
    # adjacent meeting words (اجتمع ... الاجتماع) describe one meeting unless a city separates them
    anchors = sorted(set(nouns + verbs))
    candidates: list[tuple[int, float]] = []
    for k in anchors:
        plural = any(v in _PLURAL_NOUNS for v in _bare(words[k]))
        if plural and sum(1 for c in cities if 0 < c.first_token - k <= 12) > 1:
            continue   # "الاجتماعات الثلاثة التي عقدت في بروكسل وروما ومراكش": a list, not one meeting
        candidates.append((k, 0.85))
    for k in adopt:
        # "المبادئ التي تم تبنيها في مدينة الكويت": a document adopted in a city implies a meeting there
        if any(0 < c.first_token - k <= 4 for c in cities):
            candidates.append((k, 0.6))
    if not candidates:
        for k in sorted(invite + hostv):
            candidates.append((k, 0.8))
    if not candidates:
        return []
    candidates.sort()
    out: list[MeetingMention] = []
    for n, (k, conf) in enumerate(candidates):
        nxt = candidates[n + 1][0] if n + 1 < len(candidates) else len(words)
        mm = MeetingMention(sent.index, sent.tokens[k].start, sent.tokens[k].end, confidence=conf)
        mm.cue = sent.tokens[k].text
        # city: the first city after the word (before the next meeting word), else just before it
        after = [c for c in cities if k < c.first_token < max(nxt, k + 3) and c.first_token - k <= 10
                 and _where(words, k, c)]
        before = [c for c in cities if 0 <= k - c.last_token <= 3]
        city = after[0] if after else (before[-1] if before else None)
        if city is not None:
            mm.city, mm.country = city, city.attrs["place"].country
        else:
            # "… أعمال الاجتماع الوزاري للتحالف في الكويت": only the country is named
            # (the first في after the meeting word: "عقد الاجتماع في ظل … في العراق" is no place)
            where = next((c for c in splaces if c.kind == "Country" and not c.nisba
                          and k < c.first_token < max(nxt, k + 3) and c.first_token - k <= 8
                          and words[c.first_token - 1] in {"في", "فى"}
                          and not any(w in _CLAUSE_BREAK or w in {"في", "فى"} for w in words[k + 1:c.first_token - 1])),
                         None)
            if where is not None:
                mm.country = where.attrs["place"].code
        anchor = city.first_token if city is not None else k
        prev = candidates[n - 1][0] if n > 0 else -1
        near = [(abs(a - anchor), d) for d, a, b in dates if prev < a < nxt and min(abs(a - anchor), abs(b - anchor)) <= 20]
        mm.date = min(near, key=lambda x: x[0])[1].anchored(art_date) if near else relative_date(sent, art_date)
        window = words[max(0, k - 5):k + 4]
        mm.planned = (any(w.startswith(("سيعقد", "ستعقد", "سيجتمع", "سيستضيف", "ستستضيف", "سيلتقي")) for w in window)
                      or any(_is(w, "المقبل", "القادم", "المقبله", "القادمه", "المرتقب", "المرتقبه") for w in words[k + 1:k + 4])
                      or any(_is(w, "يعتزم", "يعتزمون", "تعتزم", "عزمهم", "عزمه", "المقرر", "سيعقد", "ستعقد") for w in words[:k]))
        mm.definite = words[k].startswith(("الاجتماع", "اللقاء", "المؤتمر", "القمه"))
        clause = words[max(0, k - 8):nxt]
        if k + 2 < len(words) and words[k + 1] == "مع" and not words[k].startswith("ال") and \
                not any(0 < k - h <= 3 for h in hostv) and (
                any(v in _COUNTERPART for v in _bare(words[k + 2]))
                or any(k + 2 <= p.first_token <= k + 5 for p in spers)):
            mm.kind = "bilateral"       # "عقد X اجتماعا مع نظيره العراقي Y"
        elif any(_is(w, *_DIRECTORS) for w in clause):
            mm.kind = "political directors"
        elif any(_is(w, *_MINISTERIAL) for w in clause):
            mm.kind = "ministerial"
        mm.evidence.append((sent.index, mm.start, mm.end, "meeting-rules"))
        out.append(mm)

    def owner(pos: int) -> MeetingMention:
        """The candidate a hosting cue at ``pos`` belongs to: the last one at or before it, else the first."""
        best = out[0]
        for (k, _), mm in zip(candidates, out):
            if k <= pos:
                best = mm
        return best

    # "احتضنت العاصمة الأمريكية واشنطن، أمس الخميس، اجتماعا": the city hosting is the subject
    # of the hosting verb, a few words before the meeting word
    for k in hostv:
        subj = next((c for c in cities if 0 < c.first_token - k <= 3), None)
        if subj is None:          # "أن روما ستستضيف في 28 يونيو اجتماعا": the city before the verb
            subj = next((c for c in cities if c.last_token == k), None)
        target = next(((n, mm) for (n, _), mm in zip(candidates, out) if 0 < n - k <= 12), None)
        if subj is not None and target is not None and target[1].city is None and subj.last_token <= target[0]:
            target[1].city, target[1].country = subj, subj.attrs["place"].country
    for k in invite:
        _take_hosts(owner(k), sent, k + 2, spers, splaces, persons, person_roles)
    for k in hostv:
        verb = words[k]
        # "استضاف الاجتماع" / "الاجتماع الذي استضافته": the verb must host a meeting, not refugees;
        # a verb carrying the meeting as its object pronoun ("اجتماعا لوزراء … ترأسه وزير …") refers
        # back to a meeting word anywhere earlier in the sentence
        pronoun = verb.endswith(("ه", "ها")) and not verb.startswith(("استضافه", "ب")) and any(n < k for n in nouns)
        # "ترأس وزير الخارجية المغربي ناصر بوريطة بالاشتراك مع نظيره … الاجتماع": a long subject
        # (names or countries) between the verb and the meeting word it governs
        far = next((n for n in nouns if 4 < n - k <= 24), None)
        # ("استضافت دولة الكويت اليوم الأربعاء اجتماع …": a government as that subject)
        far_subject = far is not None and any(k < x.first_token < far for x in list(spers) + [
            c for c in splaces if c.kind == "Country" and not c.nisba and c.first_token <= k + 3]) and \
            not any(w in {"الذي", "التي"} for w in words[k + 1:far])
        if not verb.startswith(("ب", "استضافه")) and not pronoun and not far_subject \
                and not any(0 < n - k <= 4 or 0 < k - n <= 4 for n in nouns):
            continue
        mm = owner(k)
        if verb.startswith(("ب", "استضافه")):
            _take_hosts(mm, sent, k + 1, spers, splaces, persons, person_roles)
            continue
        # "X، الذي استضاف الاجتماع مع نظيره الإيطالي": the subject stands before the relative pronoun
        subject = None
        if k >= 1 and words[k - 1] in {"الذي", "التي", "الذين"}:
            subject = next((p for p in reversed(spers) if p.last_token <= k - 1 and k - 1 - p.last_token <= 1), None)
        if subject is not None:
            _add_host(mm, subject.node, sent, subject.start, subject.end)
            _counterpart(mm, sent, k + 1, words, subject, splaces, persons, person_roles)
            continue
        # the subject follows the verb (استضافت السعودية اجتماعا) and stands before the meeting word
        # it hosts; with the meeting word right after the verb, the subject came first
        # ("أن الكويت ستستضيف مؤتمرا … العراق": Kuwait hosts, Iraq is the topic)
        obj = next((n for n in nouns if n > k), None)
        if obj is not None and obj - k <= 1:
            subj = next((x for x in list(spers) + [c for c in splaces if c.kind == "Country" and not c.nisba]
                         if x.last_token == k), None)
            if subj is None and not words[k].endswith(("ه", "ها")):
                # verb, object, subject: "وترأس الاجتماع الذي عقد في لندن وزير الخارجية البريطاني
                # بوريس جونسون" — a titled person after the meeting phrase, nothing else in between
                later = next((p for p in spers if obj < p.first_token <= obj + 16), None)
                if later is not None and any(_head_at(words[x]) for x in range(max(obj, later.first_token - 4),
                                                                               later.first_token)) and \
                        not any(sent.tokens[x].text in {".", "،", ":", "؟"} or x in takes_part
                                for x in range(obj, later.first_token)):
                    subj = later
            if subj is not None:
                _add_host(mm, subj.node, sent, subj.start, subj.end)
        else:
            _take_hosts(mm, sent, k + 1, spers, splaces, persons, person_roles, stop=obj)
    # "بمشاركة وزراء خارجية الأردن ومصر"، "وشارك في الاجتماع وزير الخارجية العراقي فؤاد حسين"
    for k in takes_part:
        _take_hosts(owner(k), sent, k + 1, spers, splaces, persons, person_roles, add=_add_participant)
    # "عقدت الولايات المتحدة ونيجيريا ... اجتماعا": governments right after عقد, before the meeting noun
    for k, w in enumerate(words):
        if any(v in {"عقدت", "عقد", "عقدا"} for v in _bare(w)) and any(n > k for n in nouns):
            _take_hosts(owner(min(n for n in nouns if n > k)), sent, k + 1, spers, splaces, persons,
                        person_roles, countries_only=True)
    return [mm for mm in out if mm.city or mm.country or mm.hosts or mm.host_countries or mm.date or mm.definite]


_VENUE_VERB_PREFIXES = tuple(_N(("استضاف", "يستضيف", "تستضيف", "سيستضيف", "ستستضيف", "احتضن", "يحتضن", "تحتضن",
                                  "ستحتضن", "سيحتضن", "عقد", "يعقد", "تعقد", "سيعقد", "ستعقد", "انعقد", "ينعقد",
                                  "المنعقد", "سينعقد")))
_LOCATIVE = _N({"في", "فى", "بمدينه", "بالعاصمه", "بمقر", "بقصر", "بفندق"})
_CLAUSE_BREAK = _N({"ان", "إن", "أن", "بان", "قال", "اكد", "وقال", "واكد", "اعلن", "واعلن", "مؤكدا", "مشيرا"})


def _where(words: list[str], k: int, city: Mention) -> bool:
    """A city after the meeting word at ``k`` is where the meeting was: named right after it
    ("مؤتمر لندن"), or behind a locative (في، بمدينة، المنعقد في العاصمة البلجيكية …) with no
    clause in between ("افتتاح الاجتماع إن معركة الموصل والرقة …" is about the battle)."""
    between = words[k + 1:city.first_token]
    if any(w in _CLAUSE_BREAK for w in between):
        return False
    if not between:
        return True
    # "… الذي ستستضيفه العاصمة السعودية الرياض": the city is the host verb's subject
    if any(_starts(w, _VENUE_VERB_PREFIXES) for w in between):
        return True
    return any(w in _LOCATIVE for w in between) or words[city.first_token].startswith("ب") or \
        len(between) <= 2 and all(_is(w, "مدينه", "العاصمه", "المدينه") or w.startswith("ال") for w in between)


def _add_host(mm: MeetingMention, node: str, sent: Sentence, start: int, end: int) -> None:
    if node.startswith("country:"):
        code = node.split(":", 1)[1]
        if code not in mm.host_countries:
            mm.host_countries.append(code)
    elif node not in mm.hosts:
        mm.hosts.append(node)
    mm.host_spans.append((node, sent.index, start, end))


def _add_participant(mm: MeetingMention, node: str, sent: Sentence, start: int, end: int) -> None:
    if not any(n == node for n, *_ in mm.participant_spans):
        mm.participant_spans.append((node, sent.index, start, end))


def _take_hosts(mm, sent, start, spers, splaces, persons, person_roles, countries_only=False,
                stop: int | None = None, add=_add_host):
    """Hosts coordinated after a cue (up to token ``stop``): persons, else countries named without a person."""
    names = [p for p in spers if p.first_token >= start]
    countries = [c for c in splaces if c.kind == "Country" and c.first_token >= start]
    words = [normalize(t.text) for t in sent.tokens]
    pos, gap_limit = start, 12
    k = start
    found_any = False
    end = len(words) if stop is None else min(stop, len(words))
    while k < end:
        tok = sent.tokens[k].text
        if tok in {".", ":", "؟", "!", "«", "»", "\"", "“", "”"}:
            break
        if tok in {"،", ","} and found_any:
            # "ترأس X وزير الخارجية السعودي، ووزير الخارجية الأمريكي Y، الاجتماع": a co-host after
            # the comma is a title or a name joined by و, with the name a few words on
            nxt = k + 1
            if countries_only or nxt >= end or not sent.tokens[nxt].text.startswith("و"):
                break
            joined = next((x for x in names if x.first_token == nxt), None)
            if joined is None and words[nxt].startswith("و") and words[nxt][1:] in ROLE_HEADS:
                joined = next((x for x in names if nxt < x.first_token <= nxt + 5
                               and not any(sent.tokens[j].text in {"،", ",", "."} for j in range(nxt, x.first_token))),
                              None)
            if joined is None:
                break
            k = joined.first_token
            continue
        p = next((x for x in names if x.first_token == k), None)
        c = next((x for x in countries if x.first_token == k), None)
        if p is not None and not countries_only:
            add(mm, p.node, sent, p.start, p.end)
            found_any, k, pos = True, p.last_token, p.last_token
            # co-hosts: "… وX", "… بالاشتراك مع X", "… مع نظيره الأمريكي X"
            if k + 1 < len(words) and words[k] == "بالاشتراك" and words[k + 1] == "مع":
                k += 2
                continue
            if k < len(words) and words[k] == "مع" and k + 1 < len(words) and \
                    any(v in _COUNTERPART for v in _bare(words[k + 1])):
                k += 1
                continue
            if k < len(words) and words[k] in ROLE_HEADS:
                # the host's own title after the name ("فيصل بن فرحان وزير الخارجية السعودي"):
                # skip it, so that its nisba is not read as another host
                t = k + 1
                while t < end and t - k <= 6 and sent.tokens[t].text not in {"،", ",", ".", ":"} and \
                        not any(x.first_token == t for x in names):
                    t += 1
                k = pos = t
                continue
            if k < len(words) and not sent.tokens[k].text.startswith("و"):
                break
            continue
        if c is not None:
            # a country inside a title belongs to the person that follows it (وزير خارجية الولايات المتحدة أنتوني)
            nxt_person = next((x for x in names if x.first_token >= c.last_token), None)
            title_ahead = nxt_person is not None and nxt_person.first_token - c.last_token <= 2 and not countries_only
            if not c.nisba and not title_ahead:
                add(mm, c.node, sent, c.start, c.end)
                found_any = True
            elif c.nisba and not title_ahead and not countries_only:
                # "نظيره الإيطالي" or "وزير الخارجية الإيطالي" with no name: the person with that role, else the country
                who = _person_with_role(persons, person_roles, c.attrs["place"].code)
                add(mm, who or c.node, sent, c.start, c.end)
                found_any = True
            k, pos = c.last_token, c.last_token
            # "برئاسة سعودية أمريكية": nisbas side by side are co-hosts
            adjacent_nisba = c.nisba and any(x.first_token == k and x.nisba for x in countries)
            if found_any and k < len(words) and not sent.tokens[k].text.startswith("و") and not title_ahead \
                    and not adjacent_nisba:
                break
            continue
        if k - pos > gap_limit or (countries_only and not found_any and k - start > 1):
            break
        k += 1


def _person_with_role(persons: list[Mention], person_roles: dict[str, set], country: str,
                      role: str | None = None) -> str | None:
    found = {p.node for p in persons if any(c == country and (role is None or r == role)
                                            for r, c in person_roles.get(p.node, ()))}
    return found.pop() if len(found) == 1 else None


def _counterpart(mm, sent, start, words, subject, splaces, persons, person_roles):
    """"مع نظيره الإيطالي": the person with the subject's role for that country (or the country)."""
    for k in range(start, min(len(words), start + 6)):
        if any(v in _COUNTERPART for v in _bare(words[k])):
            nis = next((c for c in splaces if c.kind == "Country" and c.first_token in (k + 1, k + 2)), None)
            if nis is None:
                return
            code = nis.attrs["place"].code
            subject_roles = {r for r, _ in person_roles.get(subject.node, ())}
            who = None
            for r in subject_roles or {None}:
                who = who or _person_with_role(persons, person_roles, code, r)
            _add_host(mm, who or nis.node, sent, sent.tokens[k].start, nis.end)
            return


def merge_in_article(mentions: list[MeetingMention]) -> list[MeetingMention]:
    """Mentions of one article that describe the same meeting become one.

    The primary meeting is the first past meeting with a city.  A mention without a city
    joins the meeting whose hosts it shares, or the primary one when it only refers back to
    it ("الاجتماع", a date, hosts named in another sentence); a mention with a city joins an
    earlier one in the same city with compatible dates."""
    merged: list[MeetingMention] = []
    for m in mentions:
        target = None
        for t in merged:
            if m.planned != t.planned or (m.kind == "bilateral") != (t.kind == "bilateral"):
                continue
            if not (m.date is None or t.date is None or m.date.compatible(t.date)):
                continue
            if m.city and t.city:
                if m.city.node == t.city.node:
                    target = t
                    break
                continue
            shared = (set(m.hosts) & set(t.hosts)) or (set(m.host_countries) & set(t.host_countries))
            if shared:
                target = t
                break
        if target is None and m.city is None and not m.planned and m.kind != "bilateral":
            primary = next((t for t in merged if t.city and not t.planned and t.kind != "bilateral"), None)
            no_hosts = not m.hosts and not m.host_countries
            if primary and (no_hosts or m.definite or not (primary.hosts or primary.host_countries)) \
                    and (m.date is None or primary.date is None or m.date.compatible(primary.date)):
                target = primary
        if target is None:
            if m.city is None and m.country is None and not m.hosts and not m.host_countries:
                continue  # nothing to say about it yet; may join a later meeting
            merged.append(m)
            continue
        _absorb(target, m)
    # a later city-less, host-less mention may precede the primary: give it a second chance
    for m in mentions:
        if m in merged or m.city or m.hosts or m.host_countries or m.planned or not m.date or m.kind == "bilateral":
            continue
        primary = next((t for t in merged if t.city and not t.planned and t.kind != "bilateral"), None)
        if primary and (primary.date is None or m.date.compatible(primary.date)):
            _absorb(primary, m)
    return merged


def _absorb(target: MeetingMention, m: MeetingMention) -> None:
    if target is m:
        return
    for h in m.hosts:
        if h not in target.hosts:
            target.hosts.append(h)
    for c in m.host_countries:
        if c not in target.host_countries:
            target.host_countries.append(c)
    target.host_spans += m.host_spans
    for span in m.participant_spans:
        if not any(n == span[0] for n, *_ in target.participant_spans):
            target.participant_spans.append(span)
    if target.city is None and m.city is not None:
        target.city, target.country = m.city, m.country
    elif target.country is None and m.country is not None:
        target.country = m.country
    if m.date and (target.date is None or (m.date.explicit and not target.date.explicit)
                   or (m.date.explicit == target.date.explicit and m.date.precision() > target.date.precision())):
        target.date = m.date
    target.kind = target.kind or m.kind
    target.evidence += m.evidence


def coalition_sentences(org_mentions: list[Mention], sentences: list[Sentence]) -> set[int]:
    """Sentences that speak of the coalition: a mention of it, or the word التحالف itself."""
    out = {m.sentence for m in org_mentions if m.node == "org:global-coalition"}
    for sent in sentences:
        if any(_is(normalize(t.text), "التحالف", "تحالف") for t in sent.tokens):
            out.add(sent.index)
    return out


__all__ = ["Role", "roles_before", "roles_after", "find_resolutions", "find_joins", "find_meetings",
           "article_date", "ROLE_LABELS", "coalition_sentences"]
