"""Step 6: RDF with provenance.

Provenance model (chosen over RDF-star because Virtuoso and rdflib's SPARQL do not both speak
it): **one named graph per article** (``…/id/graph/ARTICLE``) holding every triple that article
supports, and, for each extracted fact, a ``ckg:Evidence`` node — a plain ``rdf:Statement``
reification with PROV-O — giving the article, the sentence, the character span and quote, the
extractor (``prov:wasGeneratedBy``) and a confidence.  Every entity mention is a ``ckg:Mention``
with its exact surface form and offsets.  So "where does this come from?" is one SPARQL query
(``queries/provenance.rq``) whether the graph sits in Oxigraph, rdflib or Virtuoso.

Build-level decisions (one person across articles, one meeting reported twice) are written into
each article graph that reports the entity, so that every article graph is self-contained and
loading an article again replaces exactly its own graph.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from functools import lru_cache

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib import namespace as _ns

from . import gazetteer
from .extract import ROLE_LABELS, Role
from .linking import organizations
from .noise import clean_label
from .pipeline import GOVERNMENT_ROLES, ArticleResult, Meeting, Resolved
from .reader import shown

class CachedNamespace(Namespace):
    """A Namespace whose terms are made once: rdflib's makes and validates a new URIRef at every
    ``NS.term`` access, which was a good part of writing an article graph."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        term = self.term(name)
        self.__dict__[name] = term
        return term


CKG = CachedNamespace("https://w3id.org/coalition-kg/ontology#")
ID = Namespace("https://w3id.org/coalition-kg/id/")
GEONAMES = "https://sws.geonames.org/{}/"
WIKIDATA = "http://www.wikidata.org/entity/{}"
SCHEMA = CachedNamespace("https://schema.org/")
DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD = (CachedNamespace(str(n)) for n in (
    _ns.DCTERMS, _ns.OWL, _ns.PROV, _ns.RDF, _ns.RDFS, _ns.SKOS, _ns.XSD))


# ---------------------------------------------------------------------------------------------
# N-Triples terms: the article graphs are written as N-Triples text, each term made as its text
# at once (making rdflib terms, then their text, was most of the cost of writing a graph)

class _NTNamespace:
    """The IRIs of a namespace as N-Triples terms (``<…>``), each attribute made once."""

    def __init__(self, base):
        self._base = str(base)

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        term = self[name]
        self.__dict__[name] = term
        return term

    def __getitem__(self, local: str) -> str:
        return f"<{self._base}{local}>"


_CKG, _ID, _DCTERMS, _OWL, _PROV, _RDF, _RDFS, _SCHEMA, _SKOS = (_NTNamespace(n) for n in (
    CKG, ID, DCTERMS, OWL, PROV, RDF, RDFS, SCHEMA, SKOS))
_XSD_BOOLEAN, _XSD_INTEGER = (f"^^<{XSD}{t}>" for t in ("boolean", "integer"))


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(value, lang: str | None = None) -> str:
    """The N-Triples literal rdflib writes for ``Literal(value, lang=lang)`` (``value`` a str,
    bool or int): backslash, double quote and line breaks escaped."""
    if isinstance(value, str):
        if "\\" in value or '"' in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        return f'"{value}"@{lang}' if lang else f'"{value}"'
    if isinstance(value, bool):
        return f'"{"true" if value else "false"}"{_XSD_BOOLEAN}'
    if isinstance(value, int):
        return f'"{value}"{_XSD_INTEGER}'
    raise TypeError(f"no N-Triples literal for {value!r}")


@lru_cache(maxsize=4096)
def _decimal(text: str) -> str:
    """``Literal(Decimal(text), datatype=XSD.decimal)`` in N-Triples (rdflib's lexical form)."""
    return Literal(Decimal(text), datatype=XSD.decimal).n3()


def _date(iso: str) -> str:
    return date_literal(iso).n3()


def _lexical(term: str) -> str:
    """``str()`` of the rdflib term an N-Triples term stands for: an IRI, or a literal's lexical form."""
    if term[0] == "<":
        return term[1:-1]
    body = term[1:term.rindex('"')]
    if "\\" in body:
        body = re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), body)
    return body


ROLE_CLASS = {
    "foreign_minister": CKG.ForeignMinister, "defence_minister": CKG.DefenceMinister,
    "interior_minister": CKG.InteriorMinister, "minister": CKG.Minister, "prime_minister": CKG.PrimeMinister,
    "deputy_prime_minister": CKG.DeputyPrimeMinister,
    "deputy_minister": CKG.DeputyMinister, "president": CKG.President,
    "un_special_envoy": CKG.UNSpecialEnvoy, "special_envoy": CKG.SpecialEnvoy,
    "secretary_general": CKG.SecretaryGeneral, "ambassador": CKG.Ambassador, "king": CKG.King,
    "crown_prince": CKG.CrownPrince, "emir": CKG.Emir, "spokesperson": CKG.Spokesperson,
    "military_chief": CKG.MilitaryChief,
}
EXTRACTORS = {
    "ner": "Stanza Arabic NER (ANERcorp-trained) + gazetteer linking",
    "gazetteer": "Gazetteer match (CLDR, ISO 3166, GeoNames)",
    "nisba": "Nisba adjective → country rule",
    "cue": "City cue word (مدينة، العاصمة) + GeoNames",
    "role-rules": "Title-before-name role rules",
    "meeting-rules": "Meeting and hosting-expression rules",
    "resolution-rules": "UN resolution pattern",
    "join-rules": "Coalition membership rules",
    "person-linker": "Person clustering across spelling variants",
    "title-rule": "Name after a title naming a country or organization (وزير الخارجية الأمريكي …)",
    "byline-rule": "Author's name in an article header (كتب: …, or a name closing a short header line)",
    "echo-rule": "A family name standing alone, of a person named in full elsewhere in the article",
}


def bind(g) -> None:
    for prefix, ns in (("ckg", CKG), ("id", ID), ("prov", PROV), ("dcterms", DCTERMS), ("owl", OWL),
                       ("skos", SKOS), ("schema", SCHEMA), ("xsd", XSD)):
        g.bind(prefix, ns)


def graph_iri(article_id: str) -> URIRef:
    return ID[f"graph/{article_id}"]


_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")


def node_iri(key: str) -> URIRef:
    return URIRef(_node_iri(key))


@lru_cache(maxsize=100_000)
def _node_iri(key: str) -> str:
    kind, _, rest = key.partition(":")
    # a surface form (an unknown place or organization: "El Telegramma Del Rif") is no IRI segment
    if kind == "place" or not _SAFE_SEGMENT.fullmatch(rest):
        rest = hashlib.sha1(rest.encode("utf-8")).hexdigest()[:12]
    return f"{ID}{kind}/{rest}"


_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')


def web_iri(url: str | None) -> str | None:
    """An http(s) address as an N-Triples IRI (characters IRIs cannot hold percent-encoded), or
    None for anything else."""
    if not url or not re.match(r"(?i)https?://[^/\s]", url.strip()):
        return None
    safe = _IRI_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), url.strip())
    return f"<{safe}>"


def date_literal(iso: str) -> Literal:
    if len(iso) == 10:
        return Literal(iso, datatype=XSD.date)
    if len(iso) == 7:
        return Literal(iso, datatype=XSD.gYearMonth)
    return Literal(iso, datatype=XSD.gYear)


class _ArticleGraph:
    """Writes one article's named graph (its triples as N-Triples terms)."""

    def __init__(self, res: ArticleResult, resolved: Resolved):
        self.res = res
        self.resolved = resolved
        self.aid = res.article.id
        self.g = _Triples()
        self.article = _ID[f"article/{self.aid}"]
        self.described: set[str] = set()
        self.gz = gazetteer.load()

    # -- helpers --------------------------------------------------------------------------------
    def sentence_iri(self, n: int) -> str:
        return _ID[f"article/{self.aid}/sentence/{n}"]

    def evidence(self, s, p, o, sentence: int, start: int, end: int, extractor: str, confidence: float,
                 cue: str | None = None) -> str:
        h = hashlib.sha1(f"{_lexical(s)}|{_lexical(p)}|{_lexical(o)}|{start}|{end}".encode("utf-8")).hexdigest()[:16]
        ev = _ID[f"article/{self.aid}/evidence/{h}"]
        g = self.g
        g.add((ev, _RDF.type, _CKG.Evidence))
        g.add((ev, _RDF.subject, s))
        g.add((ev, _RDF.predicate, p))
        g.add((ev, _RDF.object, o))
        g.add((ev, _PROV.wasDerivedFrom, self.article))
        g.add((ev, _CKG.inSentence, self.sentence_iri(sentence)))
        g.add((ev, _CKG.charStart, _lit(start)))
        g.add((ev, _CKG.charEnd, _lit(end)))
        g.add((ev, _CKG.quote, _lit(self.res.article.text[start:end], "ar")))
        g.add((ev, _PROV.wasGeneratedBy, _ID[f"extractor/{extractor}"]))
        g.add((ev, _CKG.confidence, _decimal(str(round(min(max(confidence, 0.0), 1.0), 3)))))
        if cue:
            g.add((ev, _CKG.cue, _lit(cue)))
        return ev

    def fact(self, s, p, o, sentence, start, end, extractor, confidence, cue: str | None = None) -> str:
        self.g.add((s, p, o))
        return self.evidence(s, p, o, sentence, start, end, extractor, confidence, cue)

    # -- entity descriptions ----------------------------------------------------------------------
    def describe(self, key: str, surface: str | None = None) -> str:
        iri = _iri(_node_iri(key))
        if key in self.described:
            return iri
        self.described.add(key)
        g = self.g
        kind, _, rest = key.partition(":")
        if kind == "country":
            place = self.gz.countries[rest]
            g.add((iri, _RDF.type, _CKG.Country))
            g.add((iri, _RDFS.label, _lit(place.name_ar, "ar")))
            g.add((iri, _RDFS.label, _lit(place.name_en, "en")))
            g.add((iri, _CKG.isoCode, _lit(rest)))
            if place.geonames_id:
                g.add((iri, _CKG.geonamesId, _lit(int(place.geonames_id))))
                g.add((iri, _OWL.sameAs, _iri(GEONAMES.format(place.geonames_id))))
        elif kind == "city":
            place = self.gz.cities_by_code(rest)
            g.add((iri, _RDF.type, _CKG.City))
            g.add((iri, _RDFS.label, _lit(self._city_label(key, place), "ar")))
            g.add((iri, _RDFS.label, _lit(place.name_en, "en")))
            g.add((iri, _CKG.geonamesId, _lit(int(place.geonames_id))))
            g.add((iri, _OWL.sameAs, _iri(GEONAMES.format(place.geonames_id))))
            if place.lat is not None:
                g.add((iri, _SCHEMA.latitude, _decimal(str(place.lat))))
                g.add((iri, _SCHEMA.longitude, _decimal(str(place.lon))))
            if place.country in self.gz.countries:
                g.add((iri, _CKG.countryOf, self.describe(f"country:{place.country}")))
        elif kind == "place":
            g.add((iri, _RDF.type, _CKG.Place))
            g.add((iri, _RDFS.label, _lit(clean_label(surface) if surface else rest, "ar")))
        elif kind == "org":
            entry = next((e for e in organizations().values() if e.key == rest), None)
            g.add((iri, _RDF.type, _CKG.Organization))
            if entry:
                g.add((iri, _RDFS.label, _lit(entry.name_ar, "ar")))
                g.add((iri, _RDFS.label, _lit(entry.name_en, "en")))
                if entry.wikidata:
                    g.add((iri, _OWL.sameAs, _iri(WIKIDATA.format(entry.wikidata))))
            else:
                g.add((iri, _RDFS.label, _lit(clean_label(surface) if surface else rest, "ar")))
        elif kind == "person":
            info = self.resolved.persons[key]
            g.add((iri, _RDF.type, _CKG.Person))
            g.add((iri, _RDFS.label, _lit(info["label"], "ar")))
            en = self.english(key)
            g.add((iri, _RDFS.label, _lit(en.name, "en")))
            g.add((iri, _CKG.englishLabelSource, _lit(en.source)))
            if en.wikidata:
                g.add((iri, _OWL.sameAs, _iri(WIKIDATA.format(en.wikidata))))
            for s in info["surfaces"]:
                if s != info["label"]:
                    g.add((iri, _SKOS.altLabel, _lit(s, "ar")))
        return iri

    def english(self, key: str):
        """A person's English name (:mod:`.english`): the established spelling, else a transliteration."""
        from .english import english_name
        info = self.resolved.persons[key]
        return english_name(info["label"], info.get("surfaces", ()), _role_country(info))

    def _host_label(self, key: str, lang: str) -> str:
        if key.startswith("country:"):
            place = self.gz.countries.get(key.split(":", 1)[1])
            return (place.name_en if lang == "en" else place.name_ar) if place else key.split(":", 1)[1]
        info = self.resolved.persons.get(key)
        if info is None:
            return key.split(":", 1)[-1]
        return self.english(key).name if lang == "en" else info["label"]

    def _meeting_labels(self, meeting: Meeting, city_place) -> tuple[str, str]:
        """A label that tells meetings apart: kind, then the city (else who hosted it), then the
        date or "undated" — "Ministerial meeting in Rome, 2021-06-28", "Meeting hosted by
        Antony Blinken and Sophie Wilmès, undated"."""
        kinds = {"ministerial": ("Ministerial meeting", "اجتماع وزاري"),
                 "political directors": ("Political directors' meeting", "اجتماع المديرين السياسيين"),
                 "bilateral": ("Bilateral meeting", "لقاء ثنائي")}
        en, ar = kinds.get(meeting.kind or "", ("Meeting", "اجتماع"))
        date = meeting.date.iso() if meeting.date and meeting.date.iso() else None
        if city_place:
            en += f" in {city_place.name_en}"
            ar += f" في {self._city_label(meeting.city, city_place)}"
        else:
            hosts = list(dict.fromkeys(meeting.hosts)) or [f"country:{c}" for c in meeting.host_countries]
            if hosts:
                names_en = [self._host_label(h, "en") for h in hosts[:3]]
                names_ar = [self._host_label(h, "ar") for h in hosts[:3]]
                en += " hosted by " + (" and ".join(names_en) if len(names_en) < 3 else
                                        ", ".join(names_en[:-1]) + " and " + names_en[-1])
                ar += " استضافه " + " و".join(names_ar)
            elif meeting.country and meeting.country in self.gz.countries:
                en += f" in {self.gz.countries[meeting.country].name_en}"
                ar += f" في {self.gz.countries[meeting.country].name_ar}"
        en += f", {date}" if date else ", undated"
        ar += f"، {date}" if date else "، دون تاريخ"
        return en, ar

    def _city_label(self, key: str, place) -> str:
        # the city's Arabic label is the commonest spelling that articles used, else GeoNames'
        return self.resolved.city_labels.get(key) or place.name_ar

    # -- the article ----------------------------------------------------------------------------
    def write(self) -> None:
        res, g, art = self.res, self.g, self.article
        g.add((art, _RDF.type, _CKG.Article))
        g.add((art, _RDFS.label, _lit(res.article.title, "ar")))
        g.add((art, _DCTERMS.identifier, _lit(self.aid)))
        a = res.article
        g.add((art, _DCTERMS.source, _lit(shown(a.path.name) + (f", {a.position}" if a.position else ""))))
        g.add((art, _CKG.sha256, _lit(a.sha256)))
        g.add((art, _DCTERMS.language, _lit(a.language or "ar")))
        # what the input said about the article (a record of a JSON Lines, HTML or WARC input)
        if a.headline:
            g.add((art, _DCTERMS.title, _lit(a.headline, a.language or "ar")))
        if a.issued:
            g.add((art, _DCTERMS.issued, _date(a.issued)))
        if a.publisher:
            g.add((art, _DCTERMS.publisher, _lit(a.publisher)))
        url = web_iri(a.url)
        if url:
            g.add((art, _SCHEMA.url, url))
        if a.captured and _DATETIME.fullmatch(a.captured):
            g.add((art, _CKG.capturedAt, f'"{a.captured}"^^<{XSD}dateTime>'))
        if res.date and res.date.iso():
            g.add((art, _DCTERMS.date, _date(res.date.iso())))
        for s in res.sentences:
            si = self.sentence_iri(s.index)
            g.add((si, _RDF.type, _CKG.Sentence))
            g.add((si, _CKG.inArticle, art))
            g.add((si, _CKG.sentenceIndex, _lit(s.index)))
            g.add((si, _CKG.charStart, _lit(s.start)))
            g.add((si, _CKG.charEnd, _lit(s.end)))
            g.add((si, _RDF.value, _lit(res.article.text[s.start:s.end], "ar")))
        self._mentions()
        self._roles()
        self._resolutions()
        self._joins()
        self._meetings()

    def _mention(self, key: str, m, ner_type: str) -> None:
        ent = self.describe(key, m.text)
        mi = _ID[f"article/{self.aid}/mention/{m.start}-{m.end}"]
        g = self.g
        g.add((mi, _RDF.type, _CKG.Mention))
        g.add((mi, _CKG.inArticle, self.article))
        g.add((mi, _CKG.inSentence, self.sentence_iri(m.sentence)))
        g.add((mi, _CKG.charStart, _lit(m.start)))
        g.add((mi, _CKG.charEnd, _lit(m.end)))
        g.add((mi, _CKG.anchorOf, _lit(m.text, "ar")))
        g.add((mi, _CKG.refersTo, ent))
        g.add((mi, _CKG.nerType, _lit(ner_type)))
        g.add((mi, _PROV.wasGeneratedBy, _ID[f"extractor/{m.source}"]))
        g.add((self.article, _CKG.mentions, ent))

    def _mentions(self) -> None:
        for m in self.res.mentions:
            self._mention(m.node, m, m.source if m.source != "ner" else {"Country": "LOC", "City": "LOC",
                                                                            "Place": "LOC"}.get(m.kind, "ORG"))
        for m in self.res.person_mentions:
            self._mention(self.resolved.person_of[m.node], m, "PERS")

    def _roles(self) -> None:
        for cid, role, sentence in self.res.roles:
            pkey = self.resolved.person_of[cid]
            person = self.describe(pkey)
            if role.country is None and role.org is None and role.role in GOVERNMENT_ROLES:
                # the country the person's other government offices name, when there is one
                # (see pipeline.resolve): "وزير الخارجية" here, "رئيس مجلس الوزراء القطري" elsewhere
                known = {c for r, c in self.resolved.persons.get(pkey, {}).get("roles", [])
                         if r == role.role and c}
                if len(known) == 1:
                    role = Role(role.role, known.pop(), None, role.former, role.start, role.end)
            pos = _ID[f"position/{pkey.split(':', 1)[1]}-{role.role}-{role.country or role.org or 'x'}"
                      + ("-former" if role.former else "")]
            role_class = _iri(ROLE_CLASS[role.role])
            g = self.g
            g.add((pos, _RDF.type, _CKG.Position))
            g.add((pos, _CKG.holder, person))
            g.add((pos, _CKG.roleType, role_class))
            g.add((role_class, _RDF.type, _CKG.RoleType))
            g.add((role_class, _RDFS.label, _lit(ROLE_LABELS[role.role], "en")))
            g.add((pos, _RDFS.label, _lit(ROLE_LABELS[role.role], "en")))
            if role.country:
                g.add((pos, _CKG.ofCountry, self.describe(f"country:{role.country}")))
            if role.org:
                g.add((pos, _CKG.ofOrganization, self.describe(f"org:{role.org}")))
            g.add((pos, _CKG.former, _lit(role.former)))
            self.fact(person, _CKG.holdsPosition, pos, sentence, role.start, role.end, "role-rules", 0.8)

    def _resolutions(self) -> None:
        for r in self.res.resolutions:
            body_key = r.body
            body = (body_key or "un").lower()
            iri = _ID[f"resolution/{body}-{r.number}"]
            g = self.g
            g.add((iri, _RDF.type, _CKG.UNResolution))
            g.add((iri, _CKG.resolutionNumber, _lit(r.number)))
            if body_key == "UNSC":
                g.add((iri, _CKG.adoptedBy, self.describe("org:unsc")))
                g.add((iri, _RDFS.label, _lit(f"قرار مجلس الأمن الدولي رقم {r.number}", "ar")))
                g.add((iri, _RDFS.label, _lit(f"UN Security Council resolution {r.number}", "en")))
            else:
                g.add((iri, _RDFS.label, _lit(f"القرار {r.number}", "ar")))
                g.add((iri, _RDFS.label, _lit(f"UN resolution {r.number}", "en")))
            self.fact(self.article, _CKG.cites, iri, r.sentence, r.start, r.end, "resolution-rules", 0.9)

    def _joins(self) -> None:
        coalition = self.describe("org:global-coalition")
        for j in self.res.joins:
            country = self.describe(f"country:{j.country}")
            ev = self.fact(country, _CKG.joined, coalition, j.sentence, min(j.cue_start, j.start),
                           max(j.cue_end, j.end), "join-rules", 0.8)
            if j.member_number is not None:
                self.g.add((ev, _CKG.memberNumber, _lit(j.member_number)))

    def _meetings(self) -> None:
        for meeting, mm in self.resolved.meetings_of.get(self.aid, []):
            self._meeting(meeting, mm)

    def _meeting(self, meeting: Meeting, mm) -> None:
        g = self.g
        iri = _iri(_node_iri(meeting.id))
        city_place = self.gz.cities_by_code(meeting.city.split(":", 1)[1]) if meeting.city else None
        g.add((iri, _RDF.type, _CKG.Meeting))
        label_en, label_ar = self._meeting_labels(meeting, city_place)
        g.add((iri, _RDFS.label, _lit(label_en, "en")))
        g.add((iri, _RDFS.label, _lit(label_ar, "ar")))
        g.add((iri, _CKG.planned, _lit(meeting.planned)))
        g.add((iri, _CKG.status, _lit(getattr(meeting, "status", None) or mm.status)))
        if mm.venue:
            g.add((iri, _CKG.venue, _lit(mm.venue, "ar")))
        if meeting.kind:
            g.add((iri, _CKG.meetingKind, _lit(meeting.kind)))
        if meeting.date and meeting.date.iso():
            g.add((iri, _CKG.date, _date(meeting.date.iso())))
        if meeting.city:
            city = self.describe(meeting.city)
            g.add((iri, _CKG.inCity, city))
        if meeting.country:
            g.add((iri, _CKG.inCountry, self.describe(f"country:{meeting.country}")))
        self.fact(self.article, _CKG.reports, iri, mm.sentence, mm.start, mm.end, "meeting-rules", mm.confidence,
                  f"meeting trigger «{mm.cue}» ({mm.status})")
        if mm.city is not None:
            key = ("city", mm.city.node)
            self.evidence(iri, _CKG.inCity, _iri(_node_iri(mm.city.node)), mm.city.sentence, mm.city.start,
                          mm.city.end, "meeting-rules", mm.slot_confidence.get(key, mm.confidence),
                          mm.slot_cues.get(key))
        if meeting.date and meeting.date.iso() and mm.date is not None and mm.date.iso() == meeting.date.iso():
            self.evidence(iri, _CKG.date, _date(meeting.date.iso()), mm.sentence, mm.start, mm.end,
                          "meeting-rules", mm.confidence * (1.0 if mm.date.explicit else 0.75),
                          "date in the trigger's sentence" if mm.date.explicit else "date relative to the dateline")
        # a government is a host only where no report of the meeting names a person hosting for it
        # (one article: "بدعوة من السعودية", another: "برئاسة وزير الخارجية السعودي …")
        represented = {c for h in meeting.hosts for r, c in self.resolved.persons.get(h, {}).get("roles", [])
                       if c and r not in ("un_special_envoy", "special_envoy", "secretary_general")}
        for node, sentence, start, end in mm.host_spans:
            key = self.resolved.person_of.get(node, node)
            host = self.describe(key)
            conf = mm.slot_confidence.get(("host", node), mm.confidence)
            cue = mm.slot_cues.get(("host", node)) or f"host of «{mm.cue}»"
            if key.startswith("country:"):
                self.fact(iri, _CKG.hostCountry, host, sentence, start, end, "meeting-rules", conf, cue)
                if key.split(":", 1)[1] in represented:
                    continue
            self.fact(iri, _CKG.hasHost, host, sentence, start, end, "meeting-rules", conf, cue)
            if not key.startswith("country:"):
                for role, country in self.resolved.persons.get(key, {}).get("roles", []):
                    if country:
                        self.fact(iri, _CKG.hostCountry, self.describe(f"country:{country}"), sentence, start, end,
                                  "meeting-rules", conf * 0.9, "the host's office (" + cue + ")")
        self.participants(iri, meeting, mm)


    def participants(self, iri, meeting, mm) -> None:
        """Who took part besides the hosts: the persons named, and the governments named or
        represented by them (ckg:participant, each with its evidence)."""
        hosts = set(meeting.hosts) | {f"country:{c}" for c in meeting.host_countries}
        for node, sentence, start, end in mm.participant_spans:
            key = self.resolved.person_of.get(node, node)
            if key in hosts:
                continue
            self.fact(iri, _CKG.participant, self.describe(key), sentence, start, end, "meeting-rules",
                      mm.confidence * 0.9)
            if not key.startswith("country:"):
                for role, country in self.resolved.persons.get(key, {}).get("roles", []):
                    if country and f"country:{country}" not in hosts:
                        self.fact(iri, _CKG.participant, self.describe(f"country:{country}"), sentence, start, end,
                                  "meeting-rules", mm.confidence * 0.8)


class _Triples(dict):
    """An article graph while it is written: its triples in the order made, each once (a dict
    keeps insertion order)."""

    def add(self, triple) -> None:
        self[triple] = None


def article_ntriples(res: ArticleResult, resolved: Resolved) -> list[str]:
    """One article's named graph as N-Triples lines (each ending in a line break)."""
    writer = _ArticleGraph(res, resolved)
    writer.write()
    return [f"{s} {p} {o} .\n" for s, p, o in writer.g]


def extractor_ntriples() -> list[str]:
    """The provenance graph (the extractors) as N-Triples lines."""
    out = []
    for key, label in EXTRACTORS.items():
        iri = _ID[f"extractor/{key}"]
        out += [f"{iri} {_RDF.type} {_CKG.Extractor} .\n", f"{iri} {_RDFS.label} {_lit(label, 'en')} .\n"]
    return out


PROVENANCE_GRAPH = ID["graph/provenance"]


def _role_country(info: dict) -> str | None:
    """The country of a person's first role that names one: the hint for their English name."""
    return next((c for _, c in info.get("roles", []) if c), None)


def named_graphs(resolved: Resolved, results: list[ArticleResult] | None = None, provenance: bool = True):
    """``(graph IRI, N-Triples lines)`` for the provenance graph (``provenance``) and the graph
    of every article of ``results`` (default: all of the build's), in that order."""
    from .english import prefetch
    prefetch((info["label"], _role_country(info)) for info in resolved.persons.values())
    if provenance:
        yield str(PROVENANCE_GRAPH), extractor_ntriples()
    for res in resolved.results if results is None else results:
        yield str(graph_iri(res.article.id)), article_ntriples(res, resolved)


def to_dataset(resolved: Resolved) -> Dataset:
    """The whole build as one in-memory rdflib Dataset (for small builds and for Python callers;
    ``coalition-kg build`` streams the article graphs instead, see :mod:`.build`)."""
    ds = Dataset()
    bind(ds)
    for iri, lines in named_graphs(resolved):
        ds.graph(URIRef(iri)).parse(data="".join(lines), format="nt")
    return ds


def union_graph(ds: Dataset) -> Graph:
    g = Graph()
    bind(g)
    for q in ds.quads((None, None, None, None)):
        g.add(q[:3])
    return g


ONTOLOGY_DIR = __import__("pathlib").Path(__file__).resolve().parent.parent / "ontology"


def ontology() -> Graph:
    g = Graph()
    g.parse(ONTOLOGY_DIR / "coalition.ttl", format="turtle")
    return g


def validate(source: Dataset | Graph) -> tuple[bool, str]:
    """SHACL-validate a built graph against ``ontology/shapes.ttl`` (with the ontology's class
    hierarchy); returns (conforms, report text)."""
    import pyshacl

    data = union_graph(source) if isinstance(source, Dataset) else source
    shapes = Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology(), inference="none",
                                         advanced=True, allow_warnings=True)
    return bool(conforms), text
