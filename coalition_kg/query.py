"""The SPARQL query library (``queries/*.rq``) and safe parameter binding.

Each query file starts with comment lines: ``# title: …``, free text saying what it answers,
and one ``# param: NAME TYPE — meaning`` line per parameter.  In the query a parameter is an
ordinary variable (``?NAME``); a value given at run time is turned into a typed RDF term
(types: string, integer, decimal, date, iri, ar — an Arabic language-tagged string) and bound by
the store's own mechanism (see :mod:`.store`), never pasted into the text.
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
TYPES = {"string", "integer", "decimal", "date", "iri", "ar"}


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
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]+", raw):
                raise ValueError(raw)
            return URIRef(raw)
    except (ValueError, ArithmeticError):
        raise QueryError(f"parameter {name}: {raw!r} is not a valid {typ}") from None
    raise QueryError(f"parameter {name}: unknown type {typ!r}")


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
    p = Path(name_or_file)
    if p.suffix == ".rq" and p.is_file():
        return parse(p)
    lib = library()
    if name_or_file in lib:
        return lib[name_or_file]
    raise QueryError(f"{name_or_file}: no such query file or library query (library: {', '.join(lib)})")


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
