"""Roles: a title in front of a name (وزير الخارجية المغربي ناصر بوريطة، وزير خارجية الولايات
المتحدة أنتوني بلينكن، المبعوث الخاص للأمم المتحدة غير بيدرسن) or in apposition after it (ناصر
بوريطة، وزير الخارجية المغربي); deputies, former holders, chained titles."""

from __future__ import annotations

from functools import lru_cache

from dataclasses import dataclass

from ..linking import Mention
from ..text import Sentence, normalize
from .words import _N, _bare, _is

# roles

ROLE_LABELS = {
    "foreign_minister": "foreign minister", "defence_minister": "defence minister",
    "interior_minister": "interior minister", "minister": "minister", "prime_minister": "prime minister",
    "deputy_prime_minister": "deputy prime minister", "deputy_minister": "deputy or assistant minister",
    "president": "president",
    "un_special_envoy": "UN special envoy", "special_envoy": "special envoy",
    "secretary_general": "secretary-general", "ambassador": "ambassador", "king": "king",
    "crown_prince": "crown prince", "emir": "emir", "spokesperson": "spokesperson",
    "military_chief": "chief of defence or military commander",
}


@dataclass
class Role:
    role: str                    # key of ROLE_LABELS
    country: str | None          # ISO alpha-2
    org: str | None              # organization key (e.g. un for a UN envoy)
    former: bool
    start: int                   # span of the title in the text
    end: int


_COUNTERPART = _N({"نظيره", "نظيرته", "نظيريه", "نظرايه", "نظيرها", "نظيرهم"})




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
    # "رئيس هيئة الأركان المشتركة"، "رئيس أركان الجيش"، "قائد القيادة المركزية الأمريكية"
    if _is(head, "رييس", "رييسه") and (any(_is(w, "الاركان", "اركان") for w in rest[:2])):
        return "military_chief", former
    if _is(head, "قائد", "القائد") and rest and _is(rest[0], "القوات", "قوات", "الجيش", "جيش", "القياده", "قياده",
                                                      "الاركان", "اركان"):
        return "military_chief", former
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
              "المتحدث", "المتحدثه", "قايد", "القايد"})


@lru_cache(maxsize=1 << 16)   # asked of every word before and after every name
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
