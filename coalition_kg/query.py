"""The SPARQL query library (``queries/*.rq``) and safe parameter binding.

Each query file starts with comment lines: ``# title: …``, free text saying what it answers,
and one ``# param: NAME TYPE — meaning`` line per parameter.  In the query a parameter is an
ordinary variable (``?NAME``); a value given at run time is turned into a typed RDF term
(types: string, integer, decimal, date, iri, ar — an Arabic language-tagged string, country — an
ISO 3166-1 alpha-2 code) and bound by the store's own mechanism (see :mod:`.store`), never pasted
into the text.

Values are taken as people type them: a country as an ISO code in any case or its name in English
or Arabic (``it``, ``Italy``, ``إيطاليا`` → ``"IT"``), an IRI as a prefixed name with the
project's prefixes (``ckg:Person``, ``rdfs:label``, ``id:person/…``).  Query text gets the
project's prefixes declared when it does not declare them itself (:func:`with_prefixes`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from .store import Rows

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"
_PARAM = re.compile(r"^#\s*param:\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>\w+)\s*(?:[—–-]+\s*(?P<doc>.*))?$")
TYPES = {"string", "integer", "decimal", "date", "iri", "ar", "country"}
# the project's prefixes: usable in IRI parameters, and declared for query text that does not declare them
PREFIXES = {
    "ckg": "https://w3id.org/coalition-kg/ontology#",
    "id": "https://w3id.org/coalition-kg/id/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
}


class QueryError(ValueError):
    pass


@dataclass
class Param:
    name: str
    type: str
    doc: str = ""


@dataclass
class LibraryQuery:
    name: str
    path: Path
    text: str
    title: str = ""
    description: str = ""
    params: dict[str, Param] = field(default_factory=dict)

    def bind(self, values: dict[str, str]) -> dict[str, object]:
        out = {}
        for key, raw in values.items():
            if key not in self.params:
                known = ", ".join(self.params) or "none"
                raise QueryError(f"{self.path.name}: unknown parameter {key!r} (declared: {known})")
            out[key] = to_term(raw, self.params[key].type, key)
        return out


def to_term(raw: str, typ: str, name: str = "value"):
    if typ == "country":
        return Literal(country_code(raw, name))
    try:
        if typ == "string":
            return Literal(raw)
        if typ == "ar":
            return Literal(raw, lang="ar")
        if typ == "integer":
            if not re.fullmatch(r"[+-]?[0-9]+", raw):        # no NaN, no Arabic-Indic digits, no 1_000
                raise ValueError(raw)
            return Literal(int(raw), datatype=XSD.integer)
        if typ == "decimal":
            from decimal import Decimal
            if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", raw):   # xsd:decimal: no NaN, Infinity, 1e5
                raise ValueError(raw)
            return Literal(Decimal(raw), datatype=XSD.decimal)
        if typ == "date":
            if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", raw):
                raise ValueError(raw)
            return Literal(raw, datatype={10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}[len(raw)])
        if typ == "iri":
            prefix, _, rest = raw.partition(":")
            if prefix in PREFIXES and not rest.startswith("//"):
                raw = PREFIXES[prefix] + rest
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]+", raw):
                raise ValueError(raw)
            return URIRef(raw)
    except (ValueError, ArithmeticError):
        raise QueryError(f"parameter {name}: {raw!r} is not a valid {typ}") from None
    raise QueryError(f"parameter {name}: unknown type {typ!r}")


def country_code(raw: str, name: str = "country") -> str:
    """The ISO 3166-1 alpha-2 code of a country as people type it: a code in any case (``it``,
    ``ITA``), or a name in English (``Italy``, ``italy``, ``United States``) or Arabic
    (``إيطاليا``, ``الولايات المتحدة``, with or without diacritics or alif variants)."""
    from . import gazetteer
    text = raw.strip()
    gz = gazetteer.load()
    if re.fullmatch(r"[A-Za-z]{2}", text) and text.upper() in gz.countries:
        return text.upper()
    if any("\u0600" <= ch <= "\u06ff" for ch in text):
        k = gazetteer.key(text)
        for cand in [k] + [gazetteer.key(v) for v in gazetteer.clitic_variants(text)]:
            place = gz.country(cand)
            if place is not None:
                return place.code
    else:
        low = " ".join(text.lower().split())
        for code, place in gz.countries.items():
            if place.name_en.lower() == low:
                return code
        try:
            import pycountry
            c = pycountry.countries.lookup(text)
            if c.alpha_2 in gz.countries:
                return c.alpha_2
        except LookupError:
            pass
        try:
            import pycountry
            hits = pycountry.countries.search_fuzzy(text)
            if len(hits) >= 1 and hits[0].alpha_2 in gz.countries and len(text) >= 4:
                return hits[0].alpha_2
        except LookupError:
            pass
    raise QueryError(f"parameter {name}: {raw!r} is not a country I know (give an ISO code such as IT, "
                     f"or a name such as Italy or إيطاليا)")


def with_prefixes(text: str) -> str:
    """``text`` with the project's PREFIX lines added for the prefixes it uses but does not declare."""
    declared = {m.group(1) for m in re.finditer(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*|):", text)}
    used = {p for p in PREFIXES if re.search(rf"(?<![\w<\"'#/:.-]){p}:", text)}
    missing = sorted(used - declared)
    if not missing:
        return text
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in missing) + text


def parse(path: Path) -> LibraryQuery:
    text = path.read_text(encoding="utf-8")
    q = LibraryQuery(path.stem, path, text)
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = _PARAM.match(line)
        if m:
            if m.group("type") not in TYPES:
                raise QueryError(f"{path}: parameter {m.group('name')} has unknown type {m.group('type')!r}")
            q.params[m.group("name")] = Param(m.group("name"), m.group("type"), (m.group("doc") or "").strip())
        elif line.startswith("# title:"):
            q.title = line.split(":", 1)[1].strip()
        else:
            lines.append(line.lstrip("#").strip())
    q.description = " ".join(x for x in lines if x)
    return q


def library(directory: Path = QUERY_DIR) -> dict[str, LibraryQuery]:
    return {p.stem: parse(p) for p in sorted(directory.glob("*.rq"))}


def resolve_query(name_or_file: str) -> LibraryQuery:
    """A library query by name, a ``.rq`` file, or SPARQL text (anything with a ``{``)."""
    if "{" in name_or_file:
        return LibraryQuery("sparql", Path("query.rq"), name_or_file, title="SPARQL query")
    p = Path(name_or_file)
    if p.suffix == ".rq":
        if not p.is_file():
            raise QueryError(f"{name_or_file}: no such file")
        return parse(p)
    lib = library()
    if name_or_file in lib:
        return lib[name_or_file]
    raise QueryError(f"{name_or_file}: no such query file or library query (library: {', '.join(lib)})")


def _syntax_line(message: str, text: str = "", added: int = 0) -> str:
    """One line that names the problem, from a parser's multi-line complaint (Oxigraph lists
    every character class it expected; rdflib prints the query back)."""
    msg = re.sub(r"^SPARQL syntax error:\s*", "", str(message)).strip()
    where = re.match(r"error at (\d+):(\d+):\s*", msg)
    if where:
        line, col = int(where.group(1)), int(where.group(2))
        msg = msg[where.end():]
        src = text.splitlines()[line - 1] if text and 0 < line <= len(text.splitlines()) else ""
        at = f"line {line - added}, column {col}"
        if "Prefix not found" in msg:
            m = re.search(r"([A-Za-z][\w.-]*)?:\S*$", src[:col - 1])
            name = m.group(1) if m and m.group(1) else ""
            return (f"SPARQL syntax error at {at}: unknown prefix {name + ':' if name else ''} — declare it "
                    f"(PREFIX {name or 'p'}: <…>) or use one of {', '.join(p + ':' for p in PREFIXES)}")
        got = src[col - 1:col + 19].strip() if src else ""
        options = re.findall(r'"([^"]+)"|\b([A-Z]{2,})\b', msg.split("expected one of", 1)[-1])
        options = [a or b for a, b in options][:8]
        said = f"expected one of {' '.join(options)}" if options else msg.splitlines()[0][:120]
        return f"SPARQL syntax error at {at}" + (f" near {got!r}" if got else " (at the end)") + f": {said}"
    first = next((x.strip() for x in msg.splitlines() if x.strip()), msg)
    return f"SPARQL syntax error: {first[:160]}"


def run_query(target, query: str, params: dict[str, str], lang: str = "ar"):
    """Run a library query, ``.rq`` file or SPARQL text on ``target`` (a store) with ``params``
    bound; returns :class:`coalition_kg.api.Results`.  For an empty answer, ``hint`` names the
    parameter that matched nothing."""
    from .api import Results
    from .store import StoreError, check_query
    q = resolve_query(query)
    if q.name == "sparql" or not q.params:
        bindings = {}
        if params:
            # free text: parameters are its variables; a value is typed by how it looks
            bindings = {k: _guess_term(v, k) for k, v in params.items()}
    else:
        bindings = q.bind(params)
    text = with_prefixes(q.text)
    added = text.count("\n") - q.text.count("\n")      # PREFIX lines put before the user's text
    check_query(text)
    try:
        rows = target.query(text, bindings)
    except StoreError as exc:
        if "syntax error" in str(exc).lower():
            raise QueryError(f"{q.path.name if q.name != 'sparql' else 'query'}: {_syntax_line(exc, text, added)}") from None
        raise
    hint = ""
    if rows.form == "SELECT" and not rows.rows:
        hint = _empty_hint(target, text, bindings, params)
    return Results(rows, q.title or q.name, target, lang, hint)


def _guess_term(raw: str, name: str):
    if re.fullmatch(r"-?\d+", raw):
        return to_term(raw, "integer", name)
    prefix = raw.partition(":")[0]
    if prefix in PREFIXES or re.match(r"https?://", raw):
        return to_term(raw, "iri", name)
    return to_term(raw, "string", name)


def _empty_hint(target, text: str, bindings: dict, raw: dict) -> str:
    """Why an answer is empty: the store is empty, or a parameter matched nothing."""
    if not bindings:
        return "the query matched nothing in this graph"
    if len(bindings) == 1:
        (k, v), = bindings.items()
        nothing = not target.query(text, {}).rows
        if nothing:
            return "the query matches nothing in this graph, whatever the parameters"
        return _no_row(k, raw.get(k, v), v)
    culprits = [k for k, v in bindings.items() if not target.query(text, {k: v}).rows]
    if culprits:
        return "; ".join(_no_row(k, raw.get(k), bindings[k]) for k in culprits)
    return "each parameter matches rows, but no row matches them all: " + ", ".join(
        f"{k} = {raw.get(k)}" for k in bindings)


def _no_row(name: str, raw, term) -> str:
    shown = _n3_short(term)
    same = shown.strip('"') == str(raw)
    return f"no row has {name} = {raw}" + ("" if same else f" (read as {shown})")


def _n3_short(term) -> str:
    s = str(term)
    if isinstance(term, Literal):
        return f'"{s}"' if term.datatype is None else s
    for p, ns in PREFIXES.items():
        if isinstance(term, URIRef) and s.startswith(ns):
            return f"{p}:{s[len(ns):]}"
    return term.n3() if hasattr(term, "n3") else s


def parse_params(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items or []:
        if "=" not in item:
            raise QueryError(f"--param {item!r}: expected key=value")
        k, v = item.split("=", 1)
        out[k.strip()] = v
    return out


# ---------------------------------------------------------------------------------------------
# output

def _cell(v) -> str:
    return "" if v is None else str(v)


def as_csv(rows: Rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(rows.variables)
    for r in rows.rows:
        w.writerow([_cell(r[v]) for v in rows.variables])
    return buf.getvalue()


def as_json(rows: Rows) -> str:
    """SPARQL 1.1 Query Results JSON."""
    def term(v):
        if v is None:
            return None
        if isinstance(v, URIRef):
            return {"type": "uri", "value": str(v)}
        d = {"type": "literal", "value": str(v)}
        if getattr(v, "language", None):
            d["xml:lang"] = v.language
        elif getattr(v, "datatype", None):
            d["datatype"] = str(v.datatype)
        return d
    bindings = [{k: term(v) for k, v in r.items() if v is not None} for r in rows.rows]
    return json.dumps({"head": {"vars": rows.variables}, "results": {"bindings": bindings}}, ensure_ascii=False,
                      indent=1)


def short(v) -> str:
    s = _cell(v)
    for prefix, ns in (("id:", "https://w3id.org/coalition-kg/id/"), ("ckg:", "https://w3id.org/coalition-kg/ontology#")):
        if s.startswith(ns):
            return prefix + s[len(ns):]
    return s
