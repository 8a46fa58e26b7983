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

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib import namespace as _ns

from . import gazetteer
from .extract import ROLE_LABELS, Role
from .linking import organizations
from .pipeline import GOVERNMENT_ROLES, ArticleResult, Meeting, Resolved

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
    kind, _, rest = key.partition(":")
    # a surface form (an unknown place or organization: "El Telegramma Del Rif") is no IRI segment
    if kind == "place" or not _SAFE_SEGMENT.fullmatch(rest):
        rest = hashlib.sha1(rest.encode("utf-8")).hexdigest()[:12]
    return ID[f"{kind}/{rest}"]


def date_literal(iso: str) -> Literal:
    if len(iso) == 10:
        return Literal(iso, datatype=XSD.date)
    if len(iso) == 7:
        return Literal(iso, datatype=XSD.gYearMonth)
    return Literal(iso, datatype=XSD.gYear)


class _ArticleGraph:
    """Writes one article's named graph."""

    def __init__(self, res: ArticleResult, resolved: Resolved):
        self.res = res
        self.resolved = resolved
        self.aid = res.article.id
        self.g = _Triples()
        self.article = ID[f"article/{self.aid}"]
        self.described: set[str] = set()
        self.gz = gazetteer.load()

    # -- helpers --------------------------------------------------------------------------------
    def sentence_iri(self, n: int) -> URIRef:
        return ID[f"article/{self.aid}/sentence/{n}"]

    def evidence(self, s, p, o, sentence: int, start: int, end: int, extractor: str, confidence: float,
                 cue: str | None = None) -> URIRef:
        h = hashlib.sha1(f"{s}|{p}|{o}|{start}|{end}".encode("utf-8")).hexdigest()[:16]
        ev = ID[f"article/{self.aid}/evidence/{h}"]
        g = self.g
        g.add((ev, RDF.type, CKG.Evidence))
        g.add((ev, RDF.subject, s))
        g.add((ev, RDF.predicate, p))
        g.add((ev, RDF.object, o))
        g.add((ev, PROV.wasDerivedFrom, self.article))
        g.add((ev, CKG.inSentence, self.sentence_iri(sentence)))
        g.add((ev, CKG.charStart, Literal(start)))
        g.add((ev, CKG.charEnd, Literal(end)))
        g.add((ev, CKG.quote, Literal(self.res.article.text[start:end], lang="ar")))
        g.add((ev, PROV.wasGeneratedBy, ID[f"extractor/{extractor}"]))
        g.add((ev, CKG.confidence, Literal(Decimal(str(round(min(max(confidence, 0.0), 1.0), 3))),
                                           datatype=XSD.decimal)))
        if cue:
            g.add((ev, CKG.cue, Literal(cue)))
        return ev

    def fact(self, s, p, o, sentence, start, end, extractor, confidence, cue: str | None = None) -> URIRef:
        self.g.add((s, p, o))
        return self.evidence(s, p, o, sentence, start, end, extractor, confidence, cue)

    # -- entity descriptions ----------------------------------------------------------------------
    def describe(self, key: str, surface: str | None = None) -> URIRef:
        iri = node_iri(key)
        if key in self.described:
            return iri
        self.described.add(key)
        g = self.g
        kind, _, rest = key.partition(":")
        if kind == "country":
            place = self.gz.countries[rest]
            g.add((iri, RDF.type, CKG.Country))
            g.add((iri, RDFS.label, Literal(place.name_ar, lang="ar")))
            g.add((iri, RDFS.label, Literal(place.name_en, lang="en")))
            g.add((iri, CKG.isoCode, Literal(rest)))
            if place.geonames_id:
                g.add((iri, CKG.geonamesId, Literal(int(place.geonames_id))))
                g.add((iri, OWL.sameAs, URIRef(GEONAMES.format(place.geonames_id))))
        elif kind == "city":
            place = self.gz.cities_by_code(rest)
            g.add((iri, RDF.type, CKG.City))
            g.add((iri, RDFS.label, Literal(self._city_label(key, place), lang="ar")))
            g.add((iri, RDFS.label, Literal(place.name_en, lang="en")))
            g.add((iri, CKG.geonamesId, Literal(int(place.geonames_id))))
            g.add((iri, OWL.sameAs, URIRef(GEONAMES.format(place.geonames_id))))
            if place.lat is not None:
                g.add((iri, SCHEMA.latitude, Literal(Decimal(str(place.lat)), datatype=XSD.decimal)))
                g.add((iri, SCHEMA.longitude, Literal(Decimal(str(place.lon)), datatype=XSD.decimal)))
            if place.country in self.gz.countries:
                g.add((iri, CKG.countryOf, self.describe(f"country:{place.country}")))
        elif kind == "place":
            g.add((iri, RDF.type, CKG.Place))
            g.add((iri, RDFS.label, Literal(surface or rest, lang="ar")))
        elif kind == "org":
            entry = next((e for e in organizations().values() if e.key == rest), None)
            g.add((iri, RDF.type, CKG.Organization))
            if entry:
                g.add((iri, RDFS.label, Literal(entry.name_ar, lang="ar")))
                g.add((iri, RDFS.label, Literal(entry.name_en, lang="en")))
                if entry.wikidata:
                    g.add((iri, OWL.sameAs, URIRef(WIKIDATA.format(entry.wikidata))))
            else:
                g.add((iri, RDFS.label, Literal(surface or rest, lang="ar")))
        elif kind == "person":
            info = self.resolved.persons[key]
            g.add((iri, RDF.type, CKG.Person))
            g.add((iri, RDFS.label, Literal(info["label"], lang="ar")))
            for s in info["surfaces"]:
                if s != info["label"]:
                    g.add((iri, SKOS.altLabel, Literal(s, lang="ar")))
        return iri

    def _city_label(self, key: str, place) -> str:
        # the city's Arabic label is the commonest spelling that articles used, else GeoNames'
        return self.resolved.city_labels.get(key) or place.name_ar

    # -- the article ----------------------------------------------------------------------------
    def write(self) -> None:
        res, g, art = self.res, self.g, self.article
        g.add((art, RDF.type, CKG.Article))
        g.add((art, RDFS.label, Literal(res.article.title, lang="ar")))
        g.add((art, DCTERMS.identifier, Literal(self.aid)))
        g.add((art, DCTERMS.source, Literal(res.article.path.name)))
        g.add((art, CKG.sha256, Literal(res.article.sha256)))
        g.add((art, DCTERMS.language, Literal("ar")))
        if res.date and res.date.iso():
            g.add((art, DCTERMS.date, date_literal(res.date.iso())))
        for s in res.sentences:
            si = self.sentence_iri(s.index)
            g.add((si, RDF.type, CKG.Sentence))
            g.add((si, CKG.inArticle, art))
            g.add((si, CKG.sentenceIndex, Literal(s.index)))
            g.add((si, CKG.charStart, Literal(s.start)))
            g.add((si, CKG.charEnd, Literal(s.end)))
            g.add((si, RDF.value, Literal(res.article.text[s.start:s.end], lang="ar")))
        self._mentions()
        self._roles()
        self._resolutions()
        self._joins()
        self._meetings()

    def _mention(self, key: str, m, ner_type: str) -> None:
        ent = self.describe(key, m.text)
        mi = ID[f"article/{self.aid}/mention/{m.start}-{m.end}"]
        g = self.g
        g.add((mi, RDF.type, CKG.Mention))
        g.add((mi, CKG.inArticle, self.article))
        g.add((mi, CKG.inSentence, self.sentence_iri(m.sentence)))
        g.add((mi, CKG.charStart, Literal(m.start)))
        g.add((mi, CKG.charEnd, Literal(m.end)))
        g.add((mi, CKG.anchorOf, Literal(m.text, lang="ar")))
        g.add((mi, CKG.refersTo, ent))
        g.add((mi, CKG.nerType, Literal(ner_type)))
        g.add((mi, PROV.wasGeneratedBy, ID[f"extractor/{m.source}"]))
        g.add((self.article, CKG.mentions, ent))

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
            pos = ID[f"position/{pkey.split(':', 1)[1]}-{role.role}-{role.country or role.org or 'x'}"
                     + ("-former" if role.former else "")]
            g = self.g
            g.add((pos, RDF.type, CKG.Position))
            g.add((pos, CKG.holder, person))
            g.add((pos, CKG.roleType, ROLE_CLASS[role.role]))
            g.add((ROLE_CLASS[role.role], RDF.type, CKG.RoleType))
            g.add((ROLE_CLASS[role.role], RDFS.label, Literal(ROLE_LABELS[role.role], lang="en")))
            g.add((pos, RDFS.label, Literal(ROLE_LABELS[role.role], lang="en")))
            if role.country:
                g.add((pos, CKG.ofCountry, self.describe(f"country:{role.country}")))
            if role.org:
                g.add((pos, CKG.ofOrganization, self.describe(f"org:{role.org}")))
            g.add((pos, CKG.former, Literal(role.former)))
            self.fact(person, CKG.holdsPosition, pos, sentence, role.start, role.end, "role-rules", 0.8)

    def _resolutions(self) -> None:
        for r in self.res.resolutions:
            body_key = r.body
            body = (body_key or "un").lower()
            iri = ID[f"resolution/{body}-{r.number}"]
            g = self.g
            g.add((iri, RDF.type, CKG.UNResolution))
            g.add((iri, CKG.resolutionNumber, Literal(r.number)))
            if body_key == "UNSC":
                g.add((iri, CKG.adoptedBy, self.describe("org:unsc")))
                g.add((iri, RDFS.label, Literal(f"قرار مجلس الأمن الدولي رقم {r.number}", lang="ar")))
                g.add((iri, RDFS.label, Literal(f"UN Security Council resolution {r.number}", lang="en")))
            else:
                g.add((iri, RDFS.label, Literal(f"القرار {r.number}", lang="ar")))
                g.add((iri, RDFS.label, Literal(f"UN resolution {r.number}", lang="en")))
            self.fact(self.article, CKG.cites, iri, r.sentence, r.start, r.end, "resolution-rules", 0.9)

    def _joins(self) -> None:
        coalition = self.describe("org:global-coalition")
        for j in self.res.joins:
            country = self.describe(f"country:{j.country}")
            ev = self.fact(country, CKG.joined, coalition, j.sentence, min(j.cue_start, j.start),
                           max(j.cue_end, j.end), "join-rules", 0.8)
            if j.member_number is not None:
                self.g.add((ev, CKG.memberNumber, Literal(j.member_number)))

    def _meetings(self) -> None:
        for meeting, mm in self.resolved.meetings_of.get(self.aid, []):
            self._meeting(meeting, mm)

    def _meeting(self, meeting: Meeting, mm) -> None:
        g = self.g
        iri = node_iri(meeting.id)
        city_place = self.gz.cities_by_code(meeting.city.split(":", 1)[1]) if meeting.city else None
        g.add((iri, RDF.type, CKG.Meeting))
        label_en = "Meeting" + (f" in {city_place.name_en}" if city_place else "") + \
                   (f", {meeting.date.iso()}" if meeting.date and meeting.date.iso() else "")
        label_ar = "اجتماع" + (f" {self._city_label(meeting.city, city_place)}" if city_place else "") + \
                   (f" {meeting.date.iso()}" if meeting.date and meeting.date.iso() else "")
        g.add((iri, RDFS.label, Literal(label_en, lang="en")))
        g.add((iri, RDFS.label, Literal(label_ar, lang="ar")))
        g.add((iri, CKG.planned, Literal(meeting.planned)))
        g.add((iri, CKG.status, Literal(getattr(meeting, "status", None) or mm.status)))
        if mm.venue:
            g.add((iri, CKG.venue, Literal(mm.venue, lang="ar")))
        if meeting.kind:
            g.add((iri, CKG.meetingKind, Literal(meeting.kind)))
        if meeting.date and meeting.date.iso():
            g.add((iri, CKG.date, date_literal(meeting.date.iso())))
        if meeting.city:
            city = self.describe(meeting.city)
            g.add((iri, CKG.inCity, city))
        if meeting.country:
            g.add((iri, CKG.inCountry, self.describe(f"country:{meeting.country}")))
        self.fact(self.article, CKG.reports, iri, mm.sentence, mm.start, mm.end, "meeting-rules", mm.confidence,
                  f"meeting trigger «{mm.cue}» ({mm.status})")
        if mm.city is not None:
            key = ("city", mm.city.node)
            self.evidence(iri, CKG.inCity, node_iri(mm.city.node), mm.city.sentence, mm.city.start, mm.city.end,
                          "meeting-rules", mm.slot_confidence.get(key, mm.confidence), mm.slot_cues.get(key))
        if meeting.date and meeting.date.iso() and mm.date is not None and mm.date.iso() == meeting.date.iso():
            self.evidence(iri, CKG.date, date_literal(meeting.date.iso()), mm.sentence, mm.start, mm.end,
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
                self.fact(iri, CKG.hostCountry, host, sentence, start, end, "meeting-rules", conf, cue)
                if key.split(":", 1)[1] in represented:
                    continue
            self.fact(iri, CKG.hasHost, host, sentence, start, end, "meeting-rules", conf, cue)
            if not key.startswith("country:"):
                for role, country in self.resolved.persons.get(key, {}).get("roles", []):
                    if country:
                        self.fact(iri, CKG.hostCountry, self.describe(f"country:{country}"), sentence, start, end,
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
            self.fact(iri, CKG.participant, self.describe(key), sentence, start, end, "meeting-rules",
                      mm.confidence * 0.9)
            if not key.startswith("country:"):
                for role, country in self.resolved.persons.get(key, {}).get("roles", []):
                    if country and f"country:{country}" not in hosts:
                        self.fact(iri, CKG.participant, self.describe(f"country:{country}"), sentence, start, end,
                                  "meeting-rules", mm.confidence * 0.8)


def extractor_graph(ds: Dataset) -> None:
    g = ds.graph(PROVENANCE_GRAPH)
    for t in extractor_triples():
        g.add(t)


class _Triples(dict):
    """An article graph while it is written: its triples in the order made, each once (a dict
    keeps insertion order; rdflib's in-memory store would cost more than making the terms)."""

    def add(self, triple) -> None:
        self[triple] = None


def article_triples(res: ArticleResult, resolved: Resolved) -> list[tuple]:
    """The triples of one article's named graph (rdflib terms)."""
    writer = _ArticleGraph(res, resolved)
    writer.write()
    return list(writer.g)


def extractor_triples() -> list[tuple]:
    out = []
    for key, label in EXTRACTORS.items():
        iri = ID[f"extractor/{key}"]
        out += [(iri, RDF.type, CKG.Extractor), (iri, RDFS.label, Literal(label, lang="en"))]
    return out


PROVENANCE_GRAPH = ID["graph/provenance"]


def to_dataset(resolved: Resolved) -> Dataset:
    """The whole build as one in-memory rdflib Dataset (for small builds and for Python callers;
    ``coalition-kg build`` streams the article graphs instead, see :mod:`.build`)."""
    ds = Dataset()
    bind(ds)
    extractor_graph(ds)
    for res in resolved.results:
        g = ds.graph(graph_iri(res.article.id))
        g.addN((s, p, o, g) for s, p, o in article_triples(res, resolved))
    return ds


def _term_nt(term, cache: dict) -> str:
    text = cache.get(term)
    if text is None:
        if isinstance(term, URIRef):
            text = f"<{term}>"
        elif isinstance(term, Literal):
            text = term.n3()        # "…"@ar, "…"^^<datatype IRI>; quotes, backslashes, line breaks escaped
        else:
            raise TypeError(f"no blank nodes or variables in article graphs: {term!r}")
        if len(cache) < 200_000:
            cache[term] = text
    return text


def ntriples(triples: list[tuple], cache: dict | None = None) -> list[str]:
    """N-Triples lines (each ending in a line break) for rdflib triples, without rdflib's store."""
    cache = {} if cache is None else cache
    return [f"{_term_nt(s, cache)} {_term_nt(p, cache)} {_term_nt(o, cache)} .\n" for s, p, o in triples]


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
