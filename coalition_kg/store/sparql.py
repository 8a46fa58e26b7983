"""Everything that reaches SPARQL text, validated or escaped here and nowhere else.

Query parameters are never pasted into query text: a ``VALUES`` block of terms is placed at the
top of the query's outermost ``WHERE`` group, so that a value can only ever be one RDF term, with
the same semantics on Oxigraph, rdflib and any remote server (Oxigraph's own ``substitutions``
would need every parameter in the SELECT projection).  Literals are written by
:func:`sparql_literal` (SPARQL 1.1 ECHAR escapes; a ``u`` after a backslash written as
``\\U00000075`` so that engines which expand ``\\uXXXX`` before parsing, as rdflib does, read the
same value) and IRIs are validated (:func:`check_iri`) before they reach any query or update text.
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from .base import StoreError

# ---------------------------------------------------------------------------------------------
# validation and escaping of everything that reaches query text

# RFC 3987: an IRI has a scheme and none of these characters (nor spaces or controls)
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\\x7f-\x9f]*")
_LANG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_ECHAR = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r",
          ord("\t"): "\\t", ord("\b"): "\\b", ord("\f"): "\\f"}
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def check_iri(iri: str, what: str = "IRI") -> str:
    """``iri`` unchanged when it is an absolute IRI that can stand between ``<`` and ``>``."""
    if not isinstance(iri, str) or not _IRI.fullmatch(iri):
        raise StoreError(f"{what} {iri!r} is not a valid absolute IRI (RFC 3987: a scheme, and no spaces, "
                         f"control characters or any of <>\"{{}}|^`\\)")
    return iri


def sparql_literal(term: Literal) -> str:
    """One SPARQL literal for any string: ECHAR escapes for backslash, double quote and the
    control characters (not for ``'``, which rdflib misreads inside double quotes), and a
    ``u``/``U`` right after a backslash written as a code-point escape, so that no engine's ``\\uXXXX`` pre-processing changes it."""
    value = str(term)
    body = value.translate(_ECHAR)
    if "\\" in value:
        body = re.sub(r"(?<=\\\\)([uU])", lambda m: f"\\U{ord(m.group(1)):08X}", body)
    out = f'"{body}"'
    if term.language:
        if not _LANG.fullmatch(term.language):
            raise StoreError(f"not a valid language tag: {term.language!r}")
        return out + "@" + term.language
    if term.datatype is not None and str(term.datatype) != str(XSD.string):
        return out + "^^<" + check_iri(str(term.datatype), "datatype") + ">"
    return out


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT, DESCRIBE — or the first keyword of whatever else ``text`` is."""
    i, n = 0, len(text)
    while i < n:
        m = re.compile(r"\s+|#[^\n]*").match(text, i)
        if m and m.end() > i:
            i = m.end()
            continue
        m = re.compile(r"(?i:BASE)\s*<[^>]*>|(?i:PREFIX)\s*[^\s:]*:\s*<[^>]*>").match(text, i)
        if m:
            i = m.end()
            continue
        break
    m = re.compile(r"[A-Za-z]+").match(text, i)
    return m.group().upper() if m else ""


def check_query(text: str) -> str:
    form = query_form(text)
    if form not in QUERY_FORMS:
        what = f"a SPARQL Update ({form})" if form in _UPDATE_WORDS else "not a SPARQL query"
        raise StoreError(f"refused: this is {what}; `query` runs only SELECT, ASK, CONSTRUCT or DESCRIBE")
    return form


_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def with_values(text: str, bindings: dict[str, object]) -> str:
    """Insert ``VALUES (?a ?b) { (t1 t2) }`` at the start of the outermost WHERE group.

    Literals are written by :func:`sparql_literal` and IRIs validated by :func:`check_iri`:
    whatever the value, it stays one literal or one IRI."""
    if not bindings:
        return text
    for k in bindings:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k):
            raise StoreError(f"not a valid parameter name: {k!r}")
    names = " ".join(f"?{k}" for k in bindings)
    terms = " ".join(_n3(v) for v in bindings.values())
    m = _first_where(text)
    if m is None:
        raise StoreError("cannot bind parameters: the query has no WHERE group")
    return text[:m] + f" VALUES ({names}) {{ ({terms}) }} " + text[m:]


def _n3(term) -> str:
    if isinstance(term, URIRef):
        return f"<{check_iri(str(term))}>"
    if isinstance(term, Literal):
        return sparql_literal(term)
    raise StoreError(f"cannot bind {term!r}")


def _first_where(text: str) -> int | None:
    """Position just after the '{' of the first WHERE outside comments, strings and IRIs."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if ch in "\"'":
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if ch == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]):
            i += re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]).end()
            continue
        m = _WHERE.match(text, i)
        if m:
            return m.end()
        i += 1
    return None


def _n3_any(term) -> str:
    if isinstance(term, (URIRef, Literal)):
        return _n3(term)
    raise StoreError(f"cannot serialize {term!r}")
