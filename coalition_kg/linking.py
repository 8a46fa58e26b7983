"""Step 4: typing and linking entity mentions.

Input: an article's sentences and the NER entities.  Output: :class:`Mention` objects, each
tied to a span of the article and to a node key:

* ``country:MA`` — a country (ISO 3166-1 alpha-2), found inside NER LOC spans and by scanning
  the text for country names and nisba adjectives (المغربي → MA);
* ``city:2542997`` — a GeoNames city, inside LOC spans or after "مدينة"/"العاصمة";
* ``place:<key>`` — a LOC the gazetteer does not know: kept as a Place, never guessed;
* ``org:<key>`` — an ORG span (known organizations get a canonical key and English name);
* ``person:<article>#<n>`` — a PERS span, clustered within the article (see :mod:`.persons`).

Nothing here is specific to any article: the data comes from CLDR, ISO 3166 and GeoNames.
"""

from __future__ import annotations

import dataclasses

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import gazetteer
from .frequency import zipf
from .gazetteer import Gazetteer, clitic_variants, key
from .ner import Entity
from .text import Sentence, normalize

# Words that introduce a city name: "مدينة الكويت", "العاصمة الفرنسية باريس", and the dual
# "مدينتي الموصل والرمادي" (the second of the pair is reached by coordination: coordinated_cities)
LOCATIVE_WORDS = {"في", "فى", "الي", "الى", "من"}
CITY_CUES = {"مدينه", "العاصمه", "عاصمه", "مدينتي", "مدينتا"}
# Words that make the next name a region, not a city: "منطقة الساحل", "شمال سيناء"
REGION_WORDS = {"منطقه", "اقليم", "ولايه", "محافظه", "شمال", "جنوب", "شرق", "غرب", "وسط", "شمالي", "جنوبي",
                "شرقي", "غربي", "بمنطقه", "في"} - {"في"}
MIN_CITY_POPULATION = 50_000
# a city the NER model did not tag is still found when it is this large and its name is not an
# ordinary word (data/common_words_ar.txt, derived from ANERcorp by train-ner)
MIN_SCANNED_CITY_POPULATION = 500_000


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    path = Path(__file__).parent / "data" / "common_words_ar.txt"
    if not path.exists():
        return frozenset()
    return frozenset(w for w in path.read_text(encoding="utf-8").split("\n") if w and not w.startswith("#"))


@lru_cache(maxsize=1)
def non_place_heads() -> frozenset[str]:
    """Nouns after which a name is no place: a disease, virus, storm or variant (جائحة كورونا,
    إعصار كاترينا); data/non_place_heads_ar.txt."""
    path = Path(__file__).parent / "data" / "non_place_heads_ar.txt"
    return frozenset(normalize(w) for w in path.read_text(encoding="utf-8").split("\n")
                     if w.strip() and not w.startswith("#"))


def _after_non_place_head(words: list[str], i: int) -> bool:
    return i > 0 and bool(words[i - 1]) and any(v in non_place_heads() for v in clitic_variants(words[i - 1]))


@lru_cache(maxsize=1)
def person_name_words() -> frozenset[str]:
    """Normalized words that name people (data/person_names_ar.txt, derived from ANERcorp's
    training part and ANERGazet_Pers by ``coalition-kg build-lexicons``)."""
    path = Path(__file__).parent / "data" / "person_names_ar.txt"
    if not path.exists():
        return frozenset()
    return frozenset(w for w in path.read_text(encoding="utf-8").split("\n") if w and not w.startswith("#"))


# Closed-class words (prepositions, conjunctions, particles, pronouns, time adverbs): never the
# first word of a name
FUNCTION_WORDS = frozenset(normalize(w) for w in (
    "في من إلى الى على عن مع عند لدى منذ حتى بين خلال بعد قبل أمام ضد نحو عبر حول دون لدى "
    "أن إن أنه إنه قد لقد لم لن ما لا كما ثم أو أم بل لكن حيث إذ إذا كان كانت "
    "الذي التي الذين اللذين اللتين هذا هذه ذلك تلك هؤلاء هو هي هم هما نحن أنا "
    "أمس اليوم غدا الآن حاليا أيضا كذلك جدا فقط ايضا يوم").split())




# A word counts as a word of the language, not a name, when it is frequent in wordfreq's Arabic
# list (Zipf >= ORDINARY_ZIPF) *and* inflects like one: its form with the article (جزيل → الجزيل)
# or a verb ending (أورد → أوردت، أوردوا) is itself frequent (Zipf >= INFLECTED_ZIPF).  Frequent
# names do not inflect (ترامب 4.4 but الترامب 1.3; أوباما 4.5 but الأوباما 0), so a lone
# "ترامب" stays a name while "جزيلا" (3.9; الجزيل 3.0) and "أورد" (3.7) do not.
ORDINARY_ZIPF = 3.0
INFLECTED_ZIPF = 2.4


@lru_cache(maxsize=65536)
def is_ordinary(token: str) -> bool:
    """A word of the language rather than a name: in ANERcorp's ordinary words, or frequent and
    inflecting in wordfreq's Arabic word list (Wikipedia, news, subtitles, web)."""
    if is_common(token):
        return True
    w = "".join(ch for ch in token if ch.isalpha())
    if len(w) > 3 and w.endswith("ى") and zipf(w) < ORDINARY_ZIPF and is_ordinary(w[:-1] + "ي"):
        return True           # final ي written ى, as many outlets do (مجانى، الدولى): the same word
    if len(w) < 2 or zipf(w) < ORDINARY_ZIPF:
        return False
    if w.startswith("ال"):
        # an adjective with the article whose feminine form is as common (الختامي/الختامية);
        # family names with ال rarely have one (الصفدي/الصفدية); and a feminine noun with the
        # article whose masculine form is as common (الكاتبة/الكاتب، السفيرة/السفير) — family
        # names of that shape have none (الطراونة/الطراون، المعايطة/المعايط)
        return len(w) > 4 and (zipf(w + "ة") >= ORDINARY_ZIPF
                               or w.endswith("ة") and zipf(w[:-1]) >= ORDINARY_ZIPF)
    for suffix in ("هما", "هم", "ها", "ه"):
        # a noun with a possessive pronoun: بيانه → بيان (البيان)
        stem = w[:-len(suffix)]
        if w.endswith(suffix) and len(stem) >= 3 and zipf(stem) >= ORDINARY_ZIPF \
                and zipf("ال" + stem) >= ORDINARY_ZIPF:
            return True
    base = w[:-1] if w.endswith("ا") and len(w) > 3 else w          # accusative ending: جزيلا → جزيل
    stems = [base] + ([base[1:]] if base[0] in "وفبلك" and len(base) > 3 else [])   # بإيجاز → إيجاز
    # imperfect verbs: يستقبل ~ تستقبل / يستقبلون
    verb_forms = [p + w[1:] for p in "يتن" if w[0] in "يتن" and p != w[0] and len(w) > 3]
    return any(max(zipf("ال" + x), zipf(x + "ت"),
                   zipf(x + "وا")) >= INFLECTED_ZIPF for x in stems) or \
        any(zipf(v) >= INFLECTED_ZIPF for v in verb_forms)


def name_like(token: str) -> bool:
    """A token that can carry a person's name: a known person-name word, or no ordinary word."""
    w = normalize(token)
    return bool(w) and (w in person_name_words() or not is_ordinary(token))


# Title words that NER sometimes includes at the start of a PERS span
TITLE_WORDS = {"نظيره", "نظيرته", "نظيرها", "نظيريه", "نظراءه", "نظرائه", "نظراءهم", "نظرائهم", "نظراؤه", "صديقي", "زميلي", "الوزير", "الوزيره", "السيد", "السيده", "الرئيس", "الرئيسه", "الدكتور", "د", "الملك",
               "الامير", "الشيخ", "السفير", "المبعوث", "الجنرال", "اللواء", "العميد", "وزير", "الاستاذ"}
# words of a title or a kinship the tagger sometimes takes into a name: dropped from its start
# ("ولي العهد السعودي", "نجله هانتر بايدن", "صاحب السمو الملكي الأمير محمد")
LEADING_NON_NAME = TITLE_WORDS | {normalize(w) for w in (
    "ولي العهد رئيس رئيسة مجلس الوزراء وزيرة الخارجية الدفاع الداخلية نائب نائبة مساعد "
    "نجل نجله نجلها شقيق شقيقه شقيقها شقيقة شقيقته زوجة زوجته زوجها عقيلة حرم "
    "صاحب السمو الملكي سمو معالي سعادة فخامة جلالة دولة").split()}
# a title after a name inside the tagger's span ("محمد بن سلمان ولي العهد"): the name ends there
TRAILING_TITLE_HEADS = {normalize(w) for w in "ولي وزير وزيرة رئيس رئيسة نائب نائبة سفير سفيرة مساعد".split()}


@dataclass(slots=True)      # thousands per build stay in memory: no __dict__ each
class Mention:
    node: str            # node key: country:MA, city:123, place:..., org:..., person:...
    kind: str            # Country, City, Place, Organization, Person
    text: str            # surface form in the article
    start: int
    end: int
    sentence: int
    first_token: int
    last_token: int      # exclusive
    source: str          # ner, gazetteer, nisba, cue
    confidence: float
    nisba: bool = False  # an adjective (المغربي), not a name of the country
    attrs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OrgEntry:
    key: str
    name_en: str
    name_ar: str
    wikidata: str | None


@lru_cache(maxsize=1)
def organizations() -> dict[str, OrgEntry]:
    """Known organizations: normalized Arabic variant -> entry (data/organizations_ar.tsv)."""
    out: dict[str, OrgEntry] = {}
    path = Path(__file__).parent / "data" / "organizations_ar.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        slug, english, wikidata, *variants = line.split("\t")
        entry = OrgEntry(slug, english, variants[0], wikidata or None)
        for v in variants:
            out[key(v)] = entry
    return out


@lru_cache(maxsize=1)
def _organization_starts() -> dict[str, int]:
    return gazetteer.name_starts(organizations())


@lru_cache(maxsize=1 << 17)   # bounded: asked of every word of every sentence
def _organization_reach(word: str) -> int:
    return gazetteer.reach(_organization_starts(), word)


def _token_keys(sentence: Sentence) -> list[str]:
    return [normalize(t.text) for t in sentence.tokens]


def _span_text(text: str, sentence: Sentence, i: int, j: int) -> tuple[str, int, int]:
    start, end = sentence.tokens[i].start, sentence.tokens[j - 1].end
    return text[start:end], start, end


def find_places(text: str, sentence: Sentence, loc_spans: list[tuple[int, int]], gz: Gazetteer,
                other_spans: list[tuple[int, int]] = (), words: list[str] | None = None) -> list[Mention]:
    """Countries, nisbas and cities in one sentence, longest match first, no overlaps.

    Inside NER LOC spans every gazetteer name is accepted; outside them only unambiguous
    country names and nisbas, and cities introduced by a cue word, are.  ``words``: the
    sentence's normalized tokens, when the caller has them."""
    words = _token_keys(sentence) if words is None else words
    in_loc = [False] * len(words)
    for a, b in loc_spans:
        for k in range(a, b):
            in_loc[k] = True
    in_other = [False] * len(words)       # inside a PERS span: no city guessed by scanning
    for a, b in other_spans:
        for k in range(a, b):
            in_other[k] = True
    taken = [False] * len(words)
    found: list[Mention] = []
    # windows that no gazetteer name can start (most of them) would not match: skipped unread
    longest = [gz.reach_of(w) if w else 0 for w in words]
    openers = [i for i, r in enumerate(longest) if r]
    for n in range(min(gz.max_words, 7), 0, -1):
        for i in openers:
            if longest[i] < n or i + n > len(words) or any(taken[i:i + n]):
                continue
            span_words = words[i:i + n]
            if not all(span_words):
                continue
            inside = all(in_loc[i:i + n])
            if _after_non_place_head(words, i):
                continue          # "جائحة كورونا": a disease named like a town is no place
            prev = words[i - 1] if i > 0 else ""
            cue_nisba = gz.nisba(key(prev)) if i > 1 and _city_cue(words[i - 2]) else None
            cue = _city_cue(prev) or cue_nisba is not None
            # "في المنامة"، "بأربيل"، "لوارسو": a town behind a locative preposition is a safer guess
            # than one anywhere (bigger towns are scanned everywhere)
            locative = prev in LOCATIVE_WORDS or (span_words[0][:1] in "بل" and key(span_words[0][1:]) != "")
            m = _match(span_words, gz, inside, cue, cue_nisba.code if cue_nisba else None,
                       scan_cities=not any(in_other[i:i + n]), locative=locative)
            if m is None:
                continue
            kind, place, is_nisba, source, matched = m
            if kind == "City" and source != "cue" and (prev in REGION_WORDS or place.population < MIN_CITY_POPULATION):
                continue  # "منطقة الساحل" is a region; a small town sharing a name is not a safe guess
            if kind == "City" and source != "cue" and i + n < len(words):
                follower = gz.nisba(key(words[i + n]))
                if follower is not None and follower.code != place.country:
                    continue  # "الجزيرة السورية": a region of another country, not a city elsewhere
            surface, start, end = _span_text(text, sentence, i, i + n)
            conf = 0.95 if inside else (0.9 if kind == "Country" else 0.8)
            node = f"country:{place.code}" if kind == "Country" else f"city:{place.code}"
            attrs = {"place": place}
            if kind == "City":
                attrs["label_ar"] = gz.spelling.get(matched, place.name_ar)
            found.append(Mention(node, kind, surface, start, end, sentence.index, i, i + n, source, conf,
                                 nisba=is_nisba, attrs=attrs))
            for k in range(i, i + n):
                taken[k] = True
    # "مدينة الكويت": a cue word followed by a country name means the city, not the country
    for m in found:
        if m.kind == "Country" and not m.nisba and m.first_token > 0 and _city_cue(words[m.first_token - 1]):
            cap = gz.capitals.get(m.attrs["place"].code)
            if cap is not None:
                m.kind, m.node, m.source = "City", f"city:{cap.code}", "cue"
                m.start = sentence.tokens[m.first_token - 1].start
                m.text = text[m.start:m.end]
                m.first_token -= 1
                m.attrs = {"place": cap, "label_ar": m.text}
    # "تونس العاصمة"، "الكويت العاصمة": a country name followed by "العاصمة" is its capital city
    for m in found:
        t = m.last_token
        if m.kind == "Country" and not m.nisba and t < len(words) and words[t] in {"العاصمه"}:
            cap = gz.capitals.get(m.attrs["place"].code)
            if cap is not None:
                m.kind, m.node, m.source = "City", f"city:{cap.code}", "cue"
                m.end = sentence.tokens[t].end
                m.text = text[m.start:m.end]
                m.last_token = t + 1
                m.attrs = {"place": cap, "label_ar": m.text}
    found.sort(key=lambda m: m.start)
    return found


def _city_cue(word: str) -> bool:
    """A city cue, bare or behind a clitic: "مدينة", "بمدينة", "والعاصمة"."""
    return bool(word) and any(v in CITY_CUES for v in clitic_variants(word))


def _match(words: list[str], gz: Gazetteer, inside_loc: bool, city_cue: bool, prefer: str | None = None,
           scan_cities: bool = True, locative: bool = False):
    """(kind, place, is_nisba, source, key) for a run of normalized words, or None.

    After a city cue ("العاصمة الأردنية عمان") a city wins over a country of the same name, and a
    city of the country the cue names wins over namesakes elsewhere."""
    city_keys = set(gz.city_readings(words))
    for k in gz.readings(words):
        if k in gz.ambiguous and not inside_loc and not city_cue:
            return None
        if k not in city_keys:
            country = gz.country(k)
            nis = gz.nisba(k) if country is None else None
            if country is not None:
                return "Country", country, False, "ner" if inside_loc else "gazetteer", k
            if nis is not None:
                return "Country", nis, True, "nisba", k
            continue
        if city_cue:
            city = gz.city(k, prefer_country=prefer)
            if city is not None and (prefer is None or city.country == prefer or gz.country(k) is None):
                return "City", city, False, "cue", k
        country = gz.country(k)
        if country is not None:
            return "Country", country, False, "ner" if inside_loc else "gazetteer", k
        nis = gz.nisba(k)
        if nis is not None:
            return "Country", nis, True, "nisba", k
        city = gz.city(k)
        if city is not None and (inside_loc or city_cue):
            return "City", city, False, "ner" if inside_loc else "cue", k
        if city is not None and scan_cities and locative and city.population >= MIN_CITY_POPULATION \
                and k not in common_words() and k not in gz.ambiguous and not any(w in common_words() for w in words):
            return "City", city, False, "locative", k
        if city is not None and scan_cities and city.population >= MIN_SCANNED_CITY_POPULATION \
                and k not in common_words() and k not in gz.ambiguous and not any(w in common_words() for w in words) \
                and not _accusative_of_word(words):
            return "City", city, False, "gazetteer", k
    return None


def _accusative_of_word(words: list[str]) -> bool:
    """"اجتماعا وزاريا": a word with the accusative ending ا of an ordinary word (وزاري) is that
    word, not a clitic و before a city (زاريا)."""
    if len(words) != 1 or not words[0].endswith("ا") or len(words[0]) < 4:
        return False
    return is_ordinary(words[0][:-1])


def extend_initials(toks, j: int, taken: set[int]) -> int:
    """End of a name that stops at token ``j``, extended over a middle initial: a name does not
    end in an initial, and "أنتوني ج. بلينكن" / "أنتوني ج بلينكين" go on to the family name.
    A lone و without a dot is the conjunction, not an initial."""
    def initial(k):
        if k >= len(toks) or len(toks[k].text) != 1 or not toks[k].text.isalpha():
            return 0
        if k + 1 < len(toks) and toks[k + 1].text == ".":
            return 2
        return 0 if toks[k].text == "و" else 1

    if j > 0 and len(toks[j - 1].text) == 1 and toks[j - 1].text.isalpha():
        k = j + 1 if j < len(toks) and toks[j].text == "." else j     # the span ended on the initial
    else:
        step = initial(j)
        if not step:
            return j
        k = j + step
    if k < len(toks) and toks[k].text.isalpha() and len(toks[k].text) > 1 and k not in taken:
        return k + 1
    return j


def person_spans(sentence: Sentence, ents: list[Entity], taken: set[int]) -> list[tuple[int, int]]:
    """Token ranges of the persons in a sentence, repaired from the NER spans.

    Adjacent PERS spans are joined (جان إيف | لو دريان), also across an initial's dot
    (أنتوني ج . بلينكن); leading title words are dropped; tokens already linked as a place or
    organization (``taken``) are trimmed from either end, and a span left empty is dropped."""
    toks = sentence.tokens
    joined: list[list[int]] = []
    last_type = None
    for e in sorted(ents, key=lambda e: e.first_token):
        i, j = e.first_token, e.last_token
        adjacent = bool(joined) and (i == joined[-1][1] or (
            i == joined[-1][1] + 1 and toks[joined[-1][1]].text == "." and len(toks[joined[-1][1] - 1].text) == 1))
        if e.type == "PERS":
            if adjacent and last_type == "PERS":
                joined[-1][1] = j
            else:
                joined.append([i, j])
            last_type = "PERS"
        elif adjacent and last_type == "PERS" and e.type in ("LOC", "ORG", "MISC") \
                and not any(k in taken for k in range(i, j)):
            # a name the tagger split and mistyped (أنتوني ج | بلينكين/LOC): a place or
            # organization that no gazetteer knows does not directly continue a person's name
            joined[-1][1] = j
        else:
            last_type = e.type
    entity_tokens = {k for e in ents for k in range(e.first_token, e.last_token)}
    for span in joined:
        span[1] = extend_initials(toks, span[1], taken)
        # the tagger often stops short of a long foreign name (جينين هينيس | بلاسخارت): up to two
        # rare words (no ordinary word of the language, no other entity) on either side belong to
        # it — when the span is itself a name (two words, or one rare word), not a stray "لي"
        if span[1] - span[0] < 2 and not _rare_name_word(toks[span[0]].text):
            continue
        for _ in range(2):
            k = span[1]
            if k < len(toks) and _rare_name_word(toks[k].text) and k not in taken and k not in entity_tokens:
                span[1] = k + 1
        for _ in range(2):
            k = span[0] - 1
            if k >= 0 and _rare_name_word(toks[k].text) and k not in taken and k not in entity_tokens:
                span[0] = k
    out = []
    for i, j in joined:
        while i < j and (normalize(toks[i].text) in LEADING_NON_NAME or i in taken or not normalize(toks[i].text)):
            i += 1
        cut = next((x for x in range(i + 1, j) if normalize(toks[x].text) in TRAILING_TITLE_HEADS), None)
        if cut is not None:
            j = cut
        while j > i and (j - 1 in taken or not normalize(toks[j - 1].text) or is_common(toks[j - 1].text, clitic=True)):
            j -= 1
        if i < j and not (j - i == 1 and is_common(toks[i].text)):
            out.append((i, j))
    return out


def waw_in_name(token: str) -> bool:
    """A word starting with و that is a name of its own (ويلميس، وليام), not و + a word: the word
    without و is no more frequent than with it (wordfreq), is no ordinary word and no known
    person-name word ("وأنتوني" is "and Anthony")."""
    w = normalize(token)
    if not token.isalpha() or not w.startswith("و") or len(w) < 4:
        return False
    rest = w[1:]
    if rest in person_name_words() or is_ordinary(token[1:]) or is_common(token):
        return False
    return zipf(token[1:]) <= zipf(token)


def _rare_name_word(token: str) -> bool:
    w = normalize(token)
    return (token.isalpha() and len(w) >= 3 and not token.startswith("و") and w not in FUNCTION_WORDS
            and w not in TITLE_WORDS and not is_ordinary(token))


def is_common(token: str, clitic: bool = False) -> bool:
    """An ordinary word: ANERcorp's annotators mostly left it outside entities ("جزيلا", "بانضمام").

    With ``clitic=True``, only a word that carries a proclitic in front of an ordinary word
    ("كإرهابي"): a name may well end in an ordinary word (دي مايو) but not in one with a clitic.
    One-token person spans that are ordinary words are dropped; longer names are kept."""
    w = normalize(token)
    if len(w) <= 1:
        return False
    readings = clitic_variants(w)
    if clitic:
        # (a short remainder is no evidence: كيري is no ك + يري, a name ends in it as often)
        return w[0] in "وفبلك" and w not in common_words() and any(
            r in common_words() and len(r) >= 4 for r in readings[1:])
    return any(r in common_words() for r in readings)


def org_key(surface: str) -> tuple[str, OrgEntry | None]:
    words = normalize(surface).split()
    if not words:
        return "", None
    known = organizations()
    for first in clitic_variants(words[0]):
        k = key(" ".join([first] + words[1:]))
        if k in known:
            return known[k].key, known[k]
    # unknown organization: drop و/ب/ل from the first word, keep the article ال
    first = words[0]
    for variant in clitic_variants(first):
        if variant.startswith("ال") or variant == clitic_variants(first)[-1]:
            first = variant
            break
    return key(" ".join([first] + words[1:])), None


def retype_places(sentences: list[Sentence], entities: list[Entity]) -> list[Entity]:
    """The tagger's one-word persons that are towns of the gazetteer: a city's name as the subject
    of a verb ("استضافت براغ أمس …") is often tagged PERS.  A single word that is a city of at least
    :data:`MIN_CITY_POPULATION` (its clitics stripped, as the city is named), not a word of person
    names and not an ordinary word, is re-typed LOC; the linker then reads it as that city."""
    gz = gazetteer.load()
    names = person_name_words()
    by_index = {s.index: s for s in sentences}
    # (a word of a person named in full elsewhere is that person: "جيبو" after "عثمان إلياسو جيبو")
    surnames = {normalize(by_index[e.sentence].tokens[x].text) for e in entities
                if e.type == "PERS" and e.last_token - e.first_token > 1 for x in range(e.first_token, e.last_token)}
    out = []
    for e in entities:
        if e.type == "PERS" and e.last_token - e.first_token == 1:
            w = normalize(by_index[e.sentence].tokens[e.first_token].text)
            if w in surnames:
                out.append(e)
                continue
            city = next((c for k in gz.city_readings([w]) if (c := gz.city(k)) is not None), None)
            if city is not None and city.population >= MIN_CITY_POPULATION and w not in names \
                    and not any(v in names or v in common_words() for v in clitic_variants(w)):
                e = dataclasses.replace(e, type="LOC")
        out.append(e)
    return out


def link(text: str, sentences: list[Sentence], entities: list[Entity]) -> list[Mention]:
    """All typed mentions of places and organizations in an article (persons: :mod:`.persons`)."""
    gz = gazetteer.load()
    by_sentence: dict[int, list[Entity]] = {}
    for e in entities:
        by_sentence.setdefault(e.sentence, []).append(e)
    mentions: list[Mention] = []
    for sent in sentences:
        ents = by_sentence.get(sent.index, [])
        words = _token_keys(sent)
        locs = [(e.first_token, e.last_token) for e in ents if e.type == "LOC"
                and not _after_non_place_head(words, e.first_token)]
        pers = [(e.first_token, e.last_token) for e in ents if e.type == "PERS"]
        places = find_places(text, sent, locs, gz, pers, words)
        places = coordinated_cities(text, sent, places, gz, pers)
        # "فيكتوريا نولاند" tagged LOC: a city name covering part of a LOC span whose other words
        # are rare, unmatched words is a name that shares a word with a city, not that city
        for a, b in locs:
            inner = [m for m in places if m.kind == "City" and a <= m.first_token and m.last_token <= b]
            covered_here = {k for m in places for k in range(m.first_token, m.last_token)}
            if inner and any(k not in covered_here and _rare_name_word(sent.tokens[k].text) for k in range(a, b)):
                places = [m for m in places if m not in inner]
        mentions.extend(places)
        covered = {k for m in places for k in range(m.first_token, m.last_token)}
        known_orgs = organizations()
        for e in ents:
            span = set(range(e.first_token, e.last_token))
            words_e = normalize(e.text).split()
            if e.type == "LOC" and words_e and not span & covered and (e.first_token, e.last_token) in locs:
                # (a span of punctuation alone, which a tagger may call a place, has no words)
                k = key(" ".join(clitic_variants(words_e[0])[-1:] + words_e[1:]))
                if k in known_orgs:   # NER sometimes calls an organization a place
                    entry = known_orgs[k]
                    mentions.append(Mention(f"org:{entry.key}", "Organization", e.text, e.start, e.end, sent.index,
                                            e.first_token, e.last_token, "ner", 0.7, attrs={"org": entry}))
                elif k:
                    mentions.append(Mention(f"place:{k}", "Place", e.text, e.start, e.end, sent.index,
                                            e.first_token, e.last_token, "ner", 0.6, attrs={"label": e.text}))
            elif e.type == "ORG" and not span <= covered:
                k, entry = org_key(e.text)
                if k:
                    mentions.append(Mention(f"org:{k}", "Organization", e.text, e.start, e.end, sent.index,
                                            e.first_token, e.last_token, "ner", 0.85 if entry else 0.7,
                                            attrs={"org": entry, "label": e.text}))
        mentions.extend(_scan_organizations(text, sent, {(m.first_token, m.last_token) for m in mentions
                                                         if m.sentence == sent.index}, words))
    _country_or_capital(mentions, gz)
    _dateline_city(sentences, mentions, gz)
    from .noise import drop_noise      # time words, ordinary words, fragments: no Organization, no Place
    mentions = drop_noise(mentions)
    mentions.sort(key=lambda m: (m.start, -m.end))
    return mentions


def coordinated_cities(text: str, sentence: Sentence, places: list[Mention], gz: Gazetteer,
                       other_spans: list[tuple[int, int]] = ()) -> list[Mention]:
    """Cities joined by و to a city already found are cities too: "محيط الموصل والرمادي والرقة",
    "مدينتي الموصل والرمادي".  A conjunct (one to three words, right after a city and starting
    with و, or right before a city that starts with و) is taken when it reads as a gazetteer city
    of at least MIN_CITY_POPULATION people and as no country or nisba; a name that is also an
    ordinary word (data/common_words_ar.txt) must be as large as a city found by scanning.
    Tokens of other mentions or of person spans are never taken."""
    words = _token_keys(sentence)
    taken = [False] * len(words)
    for m in places:
        for k in range(m.first_token, m.last_token):
            taken[k] = True
    for a, b in other_spans:
        for k in range(a, b):
            taken[k] = True

    def city_at(i: int, j: int):
        if i < 0 or j > len(words) or i >= j or any(taken[i:j]) or not all(words[i:j]):
            return None
        city_keys = set(gz.city_readings(words[i:j]))
        for k in gz.readings(words[i:j]):
            if gz.country(k) is not None or gz.nisba(k) is not None:
                return None
            city = gz.city(k) if k in city_keys else None
            if city is None or city.population < MIN_CITY_POPULATION:
                continue
            if (k in common_words() or any(w in common_words() for w in words[i:j])) \
                    and city.population < MIN_SCANNED_CITY_POPULATION:
                continue
            return city, k
        return None

    out = list(places)
    queue = [m for m in places if m.kind == "City"]
    while queue:
        m = queue.pop()
        spans = []
        right = m.last_token
        if right < len(words) and words[right].startswith("و"):
            spans += [(right, right + n) for n in (3, 2, 1)]
        if words[m.first_token].startswith("و"):
            spans += [(m.first_token - n, m.first_token) for n in (3, 2, 1)]
        for i, j in spans:
            found = city_at(i, j)
            if found is None:
                continue
            city, matched = found
            surface, start, end = _span_text(text, sentence, i, j)
            new = Mention(f"city:{city.code}", "City", surface, start, end, sentence.index, i, j, "coordination",
                          0.75, attrs={"place": city, "label_ar": gz.spelling.get(matched, city.name_ar)})
            out.append(new)
            queue.append(new)
            for k in range(i, j):
                taken[k] = True
            break
    out.sort(key=lambda m: m.start)
    return out


DATELINE_MARKS = {"-", "–", "—", "/", "(", ":"}


def dateline_follows(sent: Sentence, t: int) -> bool:
    """Token ``t`` continues a dateline after its city: a dash or an agency in brackets
    ("الكويت - كونا -"، "عمان (بترا)") or "في" + a day number ("أبوظبي في ١٢ يونيو / وام /")."""
    toks = sent.tokens
    if t >= len(toks) or t == 0:
        return False
    if toks[t].text in DATELINE_MARKS:
        return True
    return normalize(toks[t].text) in {"في", "فى"} and t + 1 < len(toks) and toks[t + 1].text.isdigit()


@lru_cache(maxsize=1)
def news_agencies() -> dict[tuple[str, ...], str]:
    """The credits of national news agencies (``data/news_agencies_ar.tsv``), as normalized word
    tuples, → the agency's country (ISO alpha-2)."""
    path = Path(__file__).parent / "data" / "news_agencies_ar.tsv"
    out: dict[tuple[str, ...], str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or len(parts[0]) != 2:
            raise ValueError(f"{path.name}:{n}: expected a country code and its agency's credits")
        for credit in parts[1].split("|"):
            words = tuple(normalize(w).casefold() for w in credit.replace(".", " ").split())
            if words:
                out[words] = parts[0]
    return out


_CREDIT_MARKS = DATELINE_MARKS | {")", "]", "،", ","}


def dateline_agency(sentences: list[Sentence], publisher: str | None = None) -> str | None:
    """The country of the national news agency a dispatch comes from: credited in its dateline
    between marks ("الدوحة (قنا) -"، "/ وام /"، "- واس -") within its first sentences, or named as
    the publisher of the page or record.  None for any other outlet."""
    agencies = news_agencies()
    if publisher:
        code = agencies.get(tuple(normalize(w).casefold() for w in publisher.replace(".", " ").split()))
        if code:
            return code
    for sent in sentences[:3]:
        toks = sent.tokens
        words = [normalize(t.text) for t in toks]
        for i in range(1, len(words)):
            if toks[i - 1].text not in _CREDIT_MARKS:
                continue
            for credit, code in agencies.items():
                j = i + len(credit)
                if tuple(words[i:j]) == credit and (j == len(words) or toks[j].text in _CREDIT_MARKS):
                    return code
    return None


def _dateline_city(sentences: list[Sentence], mentions: list[Mention], gz: Gazetteer) -> None:
    """A dateline names the city the report comes from ("الكويت - كونا -"): a country name that
    opens the article (its first or second line) and is followed by a dash or an agency in
    brackets means its city of the same name (Kuwait City, Djibouti, Singapore), when the
    gazetteer has one in that country."""
    for sent in sentences[:2]:
        head = [m for m in mentions if m.sentence == sent.index and m.first_token == 0]
        if not head:
            # a town the tagger missed, opening the article as a dateline ("مسقط في ٦ ذي القعدة …
            # /العمانية/"، "أبوظبي - وام"): the gazetteer's city of that name
            if sent.tokens and dateline_follows(sent, 1):
                w = normalize(sent.tokens[0].text)
                city = next((c for k in gz.city_readings([w]) if (c := gz.city(k)) is not None
                             and c.population >= MIN_CITY_POPULATION and gz.country(k) is None), None)
                if city is not None:
                    tok = sent.tokens[0]
                    mentions.append(Mention(f"city:{city.code}", "City", tok.text, tok.start, tok.end, sent.index,
                                            0, 1, "dateline", 0.5, attrs={"place": city, "label_ar": city.name_ar}))
                    return
            continue
        m = head[0]
        if not dateline_follows(sent, m.last_token):
            continue
        if m.kind == "Country" and not m.nisba:
            city = gz.city(key(m.text), prefer_country=m.attrs["place"].code)
            if city is not None and city.country == m.attrs["place"].code:
                m.kind, m.node, m.source, m.confidence = "City", f"city:{city.code}", "dateline", 0.5
                m.attrs = {"place": city, "label_ar": city.name_ar}
        return


def _country_or_capital(mentions: list[Mention], gz: Gazetteer) -> None:
    """A name that is a country and also the capital of another country (عمان: Oman, Amman) is the
    city when the article speaks of that city's country (الأردن، الأردني) and names the other
    country nowhere else."""
    named = {}
    for m in mentions:
        if m.kind == "Country":
            named.setdefault(m.attrs["place"].code, []).append(m)
    for m in mentions:
        if m.kind != "Country" or m.nisba:
            continue
        words = normalize(m.text).split()
        city = next((c for k in gz.readings(words) if (c := gz.city(k)) is not None), None)
        code = m.attrs["place"].code
        if city is None or city.country == code or city.country not in named or \
                gz.capitals.get(city.country) is not city:
            continue                        # (only capitals: لبنان is no town in Tennessee)
        if any(normalize(o.text) != normalize(m.text) for o in named[code]):
            continue                        # "سلطنة عمان" or "العماني" elsewhere: the country is meant
        m.kind, m.node = "City", f"city:{city.code}"
        m.attrs = {"place": city, "label_ar": city.name_ar}


def _scan_organizations(text: str, sentence: Sentence, taken_spans: set[tuple[int, int]],
                        words: list[str] | None = None) -> list[Mention]:
    """Known organizations found by name where the NER model missed them (longest first)."""
    known = organizations()
    words = _token_keys(sentence) if words is None else words
    taken = [False] * len(words)
    for a, b in taken_spans:
        for k in range(a, b):
            taken[k] = True
    out = []
    longest = [_organization_reach(w) if w else 0 for w in words]   # as in find_places
    openers = [i for i, r in enumerate(longest) if r]
    for n in range(8, 0, -1):
        for i in openers:
            if longest[i] < n or i + n > len(words) or any(taken[i:i + n]) or not all(words[i:i + n]):
                continue
            for first in clitic_variants(words[i]):
                k = key(" ".join([first] + words[i + 1:i + n]))
                if k in known:
                    entry = known[k]
                    surface, start, end = _span_text(text, sentence, i, i + n)
                    out.append(Mention(f"org:{entry.key}", "Organization", surface, start, end, sentence.index,
                                       i, i + n, "gazetteer", 0.8, attrs={"org": entry}))
                    for t in range(i, i + n):
                        taken[t] = True
                    break
    return out
