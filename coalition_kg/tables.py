"""Query results as a table a person can read in a terminal (``query --format table``).

The CSV and JSON outputs keep every column and every IRI; the table is for reading:

* an IRI column is shown as the label of what it names (an article by its id) (``--lang ar|en``, falling back to the
  other language, then to the IRI's last segment), looked up in the same store in one query;
* when a query has both an IRI column and its name (``host`` / ``hostName``, ``country`` /
  ``countryName`` / ``countryNameEn``) one column is shown, named after the thing, in the chosen
  language;
* an IRI column whose entity is already shown by a code column (``country`` next to
  ``countryCode``) is left out;
* a ``…CountryCode`` column is shown inside the column it qualifies (``host`` + ``hostCountryCode``
  → "Antony Blinken (US)"; ``city`` + ``countryCode`` → "Rome (IT)"), so a person is always
  shown with the country they represent;
* the first column (what each row is about: the meeting of who_hosted_what) is never left out;
* if the columns still do not fit the terminal, identifier columns (GeoNames IDs, character
  offsets, remaining IRIs) are left out first — the footer says which — and long values wrap at
  word boundaries (Arabic stays in logical order: the terminal shapes and orders it).
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef

CKG = "https://w3id.org/coalition-kg/ontology#"
ID = "https://w3id.org/coalition-kg/id/"
ARTICLE = ID + "article/"          # articles are shown by their id, not their (long) title
_NAME_SUFFIXES = ("NameEn", "Name", "Label", "NameAr")
_IRI_OK = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]+")
# columns left out first when the table is too wide (matched on the lower-cased column name)
_DROP_FIRST = (re.compile(r"geonames|^start$|^end$|sentenceindex|extractor|confidence|^cue$|^status$|^articleurl$"
                          r"|^title$"),)


def _is_arabic(s: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in s)


def lookup_labels(target, iris, lang: str = "ar") -> dict[str, str]:
    """IRI → its label in ``lang`` (else the other language, else any label), one query per 200
    IRIs.  IRIs are validated before they reach the query text."""
    iris = sorted({str(i) for i in iris if _IRI_OK.fullmatch(str(i)) and not str(i).startswith(ARTICLE)})
    out: dict[str, dict[str, str]] = {}
    for k in range(0, len(iris), 200):
        chunk = iris[k:k + 200]
        text = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                "SELECT ?s ?label WHERE { VALUES ?s { " + " ".join(f"<{i}>" for i in chunk) + " } "
                "?s rdfs:label ?label . }")
        for r in target.query(text).rows:
            lab = r.get("label")
            if isinstance(lab, Literal):
                out.setdefault(str(r["s"]), {})[lab.language or ""] = str(lab)
    other = "en" if lang == "ar" else "ar"
    return {s: d.get(lang) or d.get(other) or next(iter(d.values())) for s, d in out.items() if d}


def _title(var: str) -> str:
    base = var
    for suf in _NAME_SUFFIXES:
        if var.endswith(suf) and len(var) > len(suf):
            base = var[: -len(suf)]
            break
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", base).lower()
    return words


def _local(iri: str) -> str:
    s = str(iri)
    for prefix, ns in (("", CKG), ("", ID)):
        if s.startswith(ns):
            return s[len(ns):]
    return s.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def plan_columns(rows, lang: str = "ar") -> list[dict]:
    """Which columns to show and how: a list of {title, source, kind} with kind ``iri`` (show the
    label of the IRI in ``source``), ``name`` (a name column; ``iri`` gives the IRI to relabel it
    in ``lang``) or ``value``."""
    vs = list(rows.variables)
    iri_cols = {v for v in vs if rows.rows and all(r.get(v) is None or isinstance(r.get(v), URIRef) for r in rows.rows)
                and any(isinstance(r.get(v), URIRef) for r in rows.rows)}
    names = {}
    for v in vs:
        for suf in _NAME_SUFFIXES:
            if v.endswith(suf) and len(v) > len(suf):
                names.setdefault(v[: -len(suf)], []).append((suf, v))
    stems = {}                    # IRI column for a name stem: host -> host, cityNode -> city, countryNode -> country
    for v in iri_cols:
        stems[v] = v
        if v.endswith("Node"):
            stems[v[:-4]] = v
    plan, used = [], set()
    for v in vs:
        if v in used:
            continue
        stem = next((s for s, iv in stems.items() if iv == v and s in names), None)
        if v in iri_cols and stem:                     # IRI + names: one column, in the chosen language
            cand = dict(names[stem])
            pick = cand.get("NameEn") if lang == "en" else (cand.get("Name") or cand.get("NameAr"))
            pick = pick or next(iter(cand.values()))
            plan.append({"title": _title(pick), "source": pick, "kind": "name", "iri": v, "vars": [v] + list(cand.values())})
            used.update([v] + list(cand.values()))
            continue
        base = next((s for s in names if any(x == v for _, x in names[s])), None)
        if base is not None and base in stems:
            continue                                   # shown with its IRI column
        if base is not None and len(names[base]) > 1:  # name columns without an IRI: pick by language
            cand = dict(names[base])
            pick = cand.get("NameEn") if lang == "en" else (cand.get("Name") or cand.get("NameAr"))
            pick = pick or v
            plan.append({"title": _title(pick), "source": pick, "kind": "value", "vars": list(cand.values())})
            used.update(cand.values())
            continue
        if v in iri_cols:
            code = next((c for c in vs if c.startswith(v.removesuffix("Node")) and c.endswith("Code")), None)
            if code and code != v:
                used.add(v)
                continue                               # the country's code is shown instead
            plan.append({"title": _title(v), "source": v, "kind": "iri", "vars": [v]})
        else:
            plan.append({"title": _title(v), "source": v, "kind": "value", "vars": [v]})
        used.add(v)
    if rows.rows:
        # a column no row fills (an outlet or a URL the inputs never gave) takes no room
        plan = [c for c in plan if any(r.get(x) is not None for r in rows.rows for x in c["vars"])]
    return plan


def merge_codes(rows, plan) -> list[dict]:
    """Fold ``XCountryCode`` / ``countryCode`` columns into the column they qualify (see the
    module's docstring): such a column gets ``code`` (the code's variable) and the code column goes."""
    vs = set(rows.variables)
    out = list(plan)
    for col in list(out):
        src = col["source"]
        if not src.endswith("CountryCode") and src != "countryCode":
            continue
        stem = src[: -len("CountryCode")]
        if stem:
            target = next((c for c in out if c is not col and stem in (c.get("iri"), c["source"])
                           or c is not col and c["source"].startswith(stem) and c["kind"] in ("name", "iri")), None)
        else:      # a place's own countryCode: with its city, when the row has one
            target = next((c for c in out if c is not col and (c.get("iri") == "city" or c["source"] in
                                                                ("city", "cityName", "cityNameEn"))), None)
        if target is not None and "code" not in target and src in vs:
            target["code"] = src
            out.remove(col)
    return out


def table_rows(rows, plan, labels: dict[str, str]) -> list[list[str]]:
    out = []
    for r in rows.rows:
        line = []
        for col in plan:
            if col["kind"] == "name":
                iri = r.get(col["iri"])
                v = labels.get(str(iri)) if iri is not None else None
                v = v or r.get(col["source"]) or (_local(iri) if iri is not None else None)
            elif col["kind"] == "iri":
                iri = r.get(col["source"])
                v = (labels.get(str(iri)) or _local(iri)) if iri is not None else None
            else:
                v = r.get(col["source"])
                if isinstance(v, URIRef):
                    v = _local(v)
            text = "" if v is None else str(v)
            code = r.get(col["code"]) if col.get("code") else None
            if code is not None and str(code) and str(code) != text:
                text = f"{text} ({code})" if text else str(code)
            line.append(text)
        out.append(line)
    return out


def _redundant(plan, body) -> list[int]:
    """Columns whose every value is already written in the first column's label (the city and
    the date of who_hosted_what are in its meeting label): left out first when space is short."""
    out = []
    for i in range(1, len(plan)):
        vals = [(line[i].split(" (")[0], line[0]) for line in body if line[i]]
        if vals and all(v and v in first for v, first in vals):
            out.append(i)
    return out


def fit(plan, body, width: int):
    """Leave out columns until the table fits ``width`` without squeezing: first those that
    repeat the first column's label, then identifier columns, then IRI columns; the first column
    (what a row is about) stays.  Returns (plan, body, titles left out)."""
    def need(p, b):
        ws = []
        for i, col in enumerate(p):
            longest = max([len(line[i]) for line in b] + [len(col["title"])])
            ws.append(min(max(longest, 6), 36))
        return sum(ws) + 3 * len(p) + 1
    dropped = []
    order = (_redundant(plan, body)
             + [i for i, c in enumerate(plan) if any(rx.search(c["source"].lower()) for rx in _DROP_FIRST)]
             + [i for i, c in enumerate(plan) if c["kind"] == "iri"])
    order = [i for i in order if i != 0]         # the first column says what the row is about
    keep = list(range(len(plan)))
    for i in order:
        if need([plan[k] for k in keep], [[line[k] for k in keep] for line in body]) <= width or len(keep) <= 2:
            break
        if i in keep:
            keep.remove(i)
            dropped.append(plan[i]["title"])
    return [plan[k] for k in keep], [[line[k] for k in keep] for line in body], dropped


def readable(rows, target=None, lang: str = "ar", width: int = 80):
    """The table a person reads: (column titles, rows of strings, titles left out to fit ``width``)."""
    plan, body, dropped = _readable(rows, target, lang, width)
    return [c["title"] for c in plan], body, dropped


def _readable(rows, target, lang, width):
    plan = merge_codes(rows, plan_columns(rows, lang))
    iris = {r.get(v) for r in rows.rows for c in plan if c["kind"] in ("iri", "name")
            for v in [c.get("iri", c["source"])] if isinstance(r.get(v), URIRef)}
    labels = lookup_labels(target, iris, lang) if (target is not None and iris) else {}
    body = table_rows(rows, plan, labels)
    return fit(plan, body, width)


def render(rows, title: str, target=None, lang: str = "ar", width: int = 80, hint: str = ""):
    """A rich Table of ``rows`` for a terminal ``width`` columns wide, plus a footer line (for no
    rows: no table, and the footer says why when ``hint`` knows)."""
    from rich import box
    from rich.table import Table

    if not rows.rows:
        return None, "0 rows" + (f": {hint}" if hint else "")
    plan, body, dropped = _readable(rows, target, lang, width)
    t = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_lines=False, expand=False)
    for i, col in enumerate(plan):
        vals = [line[i] for line in body if line[i]]
        arabic = vals and sum(_is_arabic(v) for v in vals) > len(vals) / 2
        t.add_column(col["title"], justify="right" if arabic else "left", overflow="fold")
    for line in body:
        t.add_row(*line)
    footer = f"{len(rows.rows)} rows"
    if dropped:
        footer += f" (not shown to fit {width} columns: {', '.join(dropped)}; --format csv or json has everything)"
    return t, footer


def print_rows(rows, title: str, target, lang: str, console, hint: str = "") -> None:
    t, footer = render(rows, title, target, lang, width=console.width, hint=hint)
    if t is not None:
        console.print(t)
    console.print(footer, soft_wrap=False)
