"""The Python API: a knowledge graph you open, ask and draw in a few lines.

>>> import coalition_kg as ckg
>>> kg = ckg.open()                                  # the store `coalition-kg build` made
>>> rows = kg.query("who_hosted_what", hostCountry="Italy")
>>> rows                                             # a table in a terminal, HTML in Jupyter
>>> df = rows.to_pandas()

:func:`open` opens a store (the default one, found from the working directory up, a directory, or
a SPARQL endpoint); :func:`build` builds one from articles.  Both give a :class:`KnowledgeGraph`,
whose :meth:`~KnowledgeGraph.query` runs a library query (``queries/*.rq``), a ``.rq`` file or
SPARQL text, binds parameters the way people type them (``hostCountry="it"``, ``"Italy"``,
``"إيطاليا"``; ``type="ckg:Person"``) and returns :class:`Results`.  Every library query is also
a method: ``kg.who_hosted_what(hostCountry="IT")``.

The command line (:mod:`coalition_kg.cli`) is a thin layer over these same functions.
"""

from __future__ import annotations

import html as _html
import os
import tempfile
from pathlib import Path

from rdflib import Literal, URIRef

from .store import DEFAULT_STORE, Rows, StoreError

__all__ = ["open", "build", "KnowledgeGraph", "Results", "find_store", "StoreError"]


# ---------------------------------------------------------------------------------------------
# results

class Results:
    """The answer of a SELECT query: rows of RDF terms, with ways to read them.

    * ``len(r)``, ``r[i]`` (a dict variable → rdflib term or None), iteration over the rows;
    * ``print(r)`` / ``str(r)``: the table the command line prints (labels instead of IRIs, in
      ``lang``); ``_repr_html_``: the same table as HTML, which Jupyter shows;
    * :meth:`to_pandas`, :meth:`to_networkx`, :meth:`to_dicts`, :meth:`to_csv`, :meth:`to_json`.

    ``hint`` says, for an empty answer, which parameter matched nothing (or is empty).
    ASK answers have ``boolean``; CONSTRUCT / DESCRIBE answers have ``graph`` (an rdflib Graph).
    """

    def __init__(self, rows: Rows, title: str = "", target=None, lang: str = "ar", hint: str = ""):
        self.raw = rows
        self.title = title
        self.lang = lang
        self.hint = hint
        self._target = target
        self._labels: dict[str, str] | None = None

    # -- the rows ---------------------------------------------------------------------------------
    @property
    def variables(self) -> list[str]:
        return list(self.raw.variables)

    @property
    def rows(self) -> list[dict]:
        return self.raw.rows

    @property
    def boolean(self) -> bool | None:
        return self.raw.boolean

    @property
    def graph(self):
        return self.raw.graph

    def __len__(self) -> int:
        return len(self.raw.rows)

    def __iter__(self):
        return iter(self.raw.rows)

    def __getitem__(self, i):
        return self.raw.rows[i]

    def __bool__(self) -> bool:
        return bool(self.raw.boolean) if self.raw.boolean is not None else bool(self.raw.rows or self.raw.graph)

    # -- as a table -------------------------------------------------------------------------------
    def table(self, lang: str | None = None, width: int = 100) -> tuple[list[str], list[list[str]], list[str]]:
        """The readable table: (column titles, rows of strings, columns left out to fit ``width``)."""
        from .tables import readable
        return readable(self.raw, self._target, lang or self.lang, width)

    def to_string(self, lang: str | None = None, width: int | None = None) -> str:
        """The table as the command line prints it, ``width`` columns wide (default: the terminal's)."""
        import io

        from rich.console import Console
        from .tables import print_rows
        if self.raw.boolean is not None:
            return "true" if self.raw.boolean else "false"
        if self.raw.graph is not None:
            return self.raw.graph.serialize(format="turtle")
        buf = io.StringIO()
        width = width or _terminal_width()
        console = Console(file=buf, width=width, force_terminal=False, force_jupyter=False, color_system=None)
        print_rows(self.raw, self.title, self._target, lang or self.lang, console, hint=self.hint)
        return buf.getvalue().rstrip("\n")

    def __str__(self) -> str:
        return self.to_string()

    def __repr__(self) -> str:
        return self.to_string()

    def _repr_html_(self) -> str:
        if self.raw.boolean is not None or self.raw.graph is not None:
            return f"<pre>{_html.escape(self.to_string())}</pre>"
        titles, body, _ = self.table(width=10_000)
        esc = _html.escape
        head = "".join(f"<th>{esc(t)}</th>" for t in titles)
        lines = "".join("<tr>" + "".join(f"<td dir=\"auto\">{esc(v)}</td>" for v in line) + "</tr>" for line in body)
        caption = f"<caption>{esc(self.title)}</caption>" if self.title else ""
        foot = f"{len(self)} rows" + (f" — {esc(self.hint)}" if self.hint else "")
        return (f"<table class=\"coalition-kg\">{caption}<thead><tr>{head}</tr></thead><tbody>{lines}</tbody>"
                f"</table><p>{foot}</p>")

    # -- conversions ------------------------------------------------------------------------------
    def to_dicts(self) -> list[dict]:
        """Rows as dicts of plain Python values (IRIs and strings as str, numbers as numbers,
        dates as ``datetime.date`` or ISO strings for partial dates, unbound as None)."""
        return [{v: _py(r.get(v)) for v in self.variables} for r in self.raw.rows]

    def to_pandas(self, labels: bool = False):
        """A pandas DataFrame, one column per variable.  ``labels=True``: the readable table
        instead (labels in ``lang`` rather than IRIs, the columns the terminal table shows)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_pandas needs pandas: pip install pandas") from None
        if labels:
            titles, body, _ = self.table(width=10_000)
            return pd.DataFrame(body, columns=titles)
        return pd.DataFrame(self.to_dicts(), columns=self.variables)

    def to_networkx(self):
        """The IRIs of each row as a networkx graph: a node per IRI (with its ``label`` in
        ``lang``), an edge from the row's first IRI column to each of its other IRI columns,
        carrying the row's other values.  For who_hosted_what: meeting → host; for cohosts:
        country → country."""
        import networkx as nx
        G = nx.MultiDiGraph()
        iri_vars = [v for v in self.variables if any(isinstance(r.get(v), URIRef) for r in self.raw.rows)]
        labels = self._label_map()
        for r in self.raw.rows:
            iris = [(v, r.get(v)) for v in iri_vars if isinstance(r.get(v), URIRef)]
            for v, iri in iris:
                if str(iri) not in G:
                    G.add_node(str(iri), label=labels.get(str(iri), str(iri).rsplit("/", 1)[-1]), column=v)
            values = {v: _py(r.get(v)) for v in self.variables if v not in iri_vars and r.get(v) is not None}
            if len(iris) >= 2:
                (_, first), rest = iris[0], iris[1:]
                for v, iri in rest:
                    G.add_edge(str(first), str(iri), key=v, relation=v, **values)
        return G

    def to_csv(self) -> str:
        from .query import as_csv
        return as_csv(self.raw)

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON."""
        from .query import as_json
        return as_json(self.raw)

    def _label_map(self) -> dict[str, str]:
        if self._labels is None:
            from .tables import lookup_labels
            iris = {r.get(v) for r in self.raw.rows for v in self.variables if isinstance(r.get(v), URIRef)}
            self._labels = lookup_labels(self._target, iris, self.lang) if (self._target is not None and iris) else {}
        return self._labels


def _py(v):
    if v is None:
        return None
    if isinstance(v, URIRef):
        return str(v)
    if isinstance(v, Literal):
        p = v.toPython()
        return str(v) if isinstance(p, Literal) else p
    return str(v)


def _terminal_width() -> int:
    try:
        return int(os.environ.get("COLUMNS") or os.get_terminal_size().columns)
    except (OSError, ValueError):
        return 100


def _in_jupyter() -> bool:
    try:
        from IPython import get_ipython
        ip = get_ipython()
        return ip is not None and "IPKernelApp" in ip.config
    except Exception:
        return False


# ---------------------------------------------------------------------------------------------
# the knowledge graph

class KnowledgeGraph:
    """A knowledge graph in a store: an :class:`~coalition_kg.store.OxigraphStore`, a
    :class:`~coalition_kg.store.RemoteStore` (any SPARQL 1.1 endpoint) or a
    :class:`~coalition_kg.store.MemoryStore`.  Made by :func:`open` or :func:`build`.

    ``lang`` ("ar" or "en") is the language of labels in tables, pictures and the explorer."""

    def __init__(self, store, lang: str = "ar"):
        self.store = store
        self.lang = lang
        self._dataset = None
        self._nx = None

    def __repr__(self) -> str:
        where = getattr(self.store, "path", None) or getattr(self.store, "endpoint", None) or "memory"
        return f"<KnowledgeGraph {where}>"

    # -- questions --------------------------------------------------------------------------------
    def queries(self) -> dict:
        """The library queries: name → :class:`~coalition_kg.query.LibraryQuery` (title,
        description, parameters)."""
        from .query import library
        return library()

    def query(self, query: str, lang: str | None = None, **params) -> Results:
        """Run a library query by name (``"who_hosted_what"``), a ``.rq`` file or SPARQL text,
        with ``params`` bound as RDF terms (never pasted into the text).  Parameters take what
        people type: a country as an ISO code in any case or its name in English or Arabic, an
        IRI as a prefixed name (``ckg:Person``).  The project's prefixes (ckg, id, rdf, rdfs,
        owl, xsd, skos, prov, dcterms, schema) are declared for you."""
        from .query import run_query
        return run_query(self.store, query, {k: str(v) for k, v in params.items()}, lang or self.lang)

    def sparql(self, text: str, **params) -> Results:
        """Run SPARQL text (SELECT, ASK, CONSTRUCT or DESCRIBE)."""
        return self.query(text, **params)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        from .query import library
        lib = library()
        if name not in lib:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r} (library queries: "
                                 f"{', '.join(lib)})")
        q = lib[name]

        def run(lang: str | None = None, **params) -> Results:
            return self.query(name, lang=lang, **params)
        params = "\n".join(f"    {p.name} ({p.type}): {p.doc}" for p in q.params.values())
        run.__name__ = name
        run.__doc__ = f"{q.title}.\n\n{q.description}" + (f"\n\nParameters:\n{params}" if params else "")
        return run

    def __dir__(self):
        from .query import library
        return sorted(set(super().__dir__()) | set(library()))

    # -- the whole graph --------------------------------------------------------------------------
    def dataset(self):
        """The whole graph as an rdflib Dataset (one named graph per article)."""
        if self._dataset is None:
            if hasattr(self.store, "dataset"):
                self._dataset = self.store.dataset()
            elif hasattr(self.store, "graph"):
                from rdflib import Dataset
                ds = Dataset()
                g = ds.graph(URIRef("https://w3id.org/coalition-kg/id/graph/all"))
                for t in self.store.graph:
                    g.add(t)
                self._dataset = ds
            else:
                raise StoreError("this store cannot give its whole graph (a remote endpoint): use queries")
        return self._dataset

    def to_networkx(self):
        """The graph as a networkx MultiDiGraph (see :func:`coalition_kg.graph.to_networkx`)."""
        if self._nx is None:
            from .graph import to_networkx
            self._nx = to_networkx(self.dataset())
        return self._nx

    def analyze(self, lang: str | None = None) -> dict:
        """Hosting counts, co-hosting network, centrality and timeline (``coalition-kg analyze``)."""
        from .analysis import analyze
        return analyze(self.to_networkx(), lang=lang or self.lang)

    def export(self, graphml: str | Path | None = None, gexf: str | Path | None = None) -> dict:
        """Write GraphML and/or GEXF for Gephi, Cytoscape or Neo4j; returns what was written."""
        from .graph import write_gexf, write_graphml
        if not (graphml or gexf):
            raise ValueError("give graphml= and/or gexf=")
        G = self.to_networkx()
        if graphml:
            write_graphml(G, Path(graphml))
        if gexf:
            write_gexf(G, Path(gexf))
        return {"nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
                "graphml": str(graphml) if graphml else None, "gexf": str(gexf) if gexf else None}

    def draw_who_hosted_what(self, lang: str | None = None):
        """The who-hosted-what picture: a matplotlib Figure (and a dict of what it shows)."""
        from .viz import draw_who_hosted_what
        return draw_who_hosted_what(self.to_networkx(), lang=lang or self.lang)

    def draw_timeline(self, lang: str | None = None):
        """The timeline of meetings by host country: a matplotlib Figure (and a dict)."""
        from .viz import draw_timeline
        return draw_timeline(self.to_networkx(), lang=lang or self.lang)

    def pictures(self, out: str | Path, lang: str | None = None) -> dict[str, Path]:
        """Write the pictures (PNG, SVG) and the explorer page into ``out``
        (``coalition-kg viz --out``); returns their paths."""
        from .atomic import check_dir
        from .graph import sentence_texts
        from .viz import write_all
        check_dir(out)
        return write_all(self.to_networkx(), Path(out), sentence_texts(self.dataset()), lang=lang or self.lang)

    def explore(self, path: str | Path | None = None, lang: str | None = None, height: int = 720):
        """The interactive explorer (the layered graph and the timeline; click a node to see its
        facts and the sentences behind them).  In Jupyter it is shown inline; elsewhere the page
        is written (to ``path``, or a temporary file) and opened in the browser.  Returns the
        inline display object in Jupyter, else the page's path."""
        from .graph import sentence_texts
        from .viz import write_html
        if path is None:
            path = Path(tempfile.mkdtemp(prefix="coalition-kg-")) / "graph.html"
        page = write_html(self.to_networkx(), sentence_texts(self.dataset()), Path(path), lang=lang or self.lang)
        if _in_jupyter():
            from IPython.display import HTML
            doc = _html.escape(Path(page).read_text(encoding="utf-8"), quote=True)
            return HTML(f'<iframe srcdoc="{doc}" style="width:100%;height:{int(height)}px;border:0"></iframe>')
        import webbrowser
        webbrowser.open(Path(page).resolve().as_uri())
        return Path(page)

    def close(self) -> None:
        if hasattr(self.store, "close"):
            self.store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---------------------------------------------------------------------------------------------
# opening and building

def find_store(start: str | Path | None = None) -> Path:
    """The default store: ``$COALITION_KG_STORE``, else ``.coalition-kg/store`` in the working
    directory or the nearest parent that has one (so a notebook in ``notebooks/`` finds the
    store the quick start built at the top of the project)."""
    env = os.environ.get("COALITION_KG_STORE")
    if env:
        return Path(env)
    here = Path(start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / DEFAULT_STORE).is_dir():
            return d / DEFAULT_STORE
    return DEFAULT_STORE


def open(path: str | Path | None = None, *, endpoint: str | None = None, user: str | None = None,
         password: str | None = None, timeout: int = 60, lang: str = "ar") -> KnowledgeGraph:
    """Open a knowledge graph.

    * ``ckg.open()``: the store ``coalition-kg build`` made (see :func:`find_store`);
    * ``ckg.open("path/to/store")``: that Oxigraph store directory (opened read-only);
    * ``ckg.open(endpoint="http://host/sparql")``: a SPARQL 1.1 server.

    Raises :class:`StoreError` with one line saying what to do when there is no store."""
    if endpoint:
        from .store import RemoteStore
        return KnowledgeGraph(RemoteStore(endpoint, None, user, password, timeout=timeout), lang)
    from .store import OxigraphStore
    return KnowledgeGraph(OxigraphStore(Path(path) if path else find_store(), read_only=True), lang)


def build(paths, store: str | Path | None = None, *, out: str | Path | None = None, fmt: str = "ttl",
          add: bool = False, workers: int | None = None, ner_model: str | None = None, cache: bool = True,
          progress=None, lang: str = "ar") -> KnowledgeGraph:
    """Build the knowledge graph of articles (files or directories) into a store and open it.

    ``store``: the Oxigraph store directory (default: the default store, as ``coalition-kg
    build``); ``out``: also write the graph file there (``graph.ttl``, or ``fmt``: nt, jsonld,
    trig); ``add``: add these articles to what the store holds; ``cache``: reuse the facts of
    unchanged articles.  The summary of the build is in the result's ``summary`` attribute."""
    kg_store, summary = build_store(paths, store, out=out, fmt=fmt, add=add, workers=workers, ner_model=ner_model,
                                    cache=cache, progress=progress)
    from .store import OxigraphStore
    kg = KnowledgeGraph(OxigraphStore(kg_store, read_only=True), lang)
    kg.summary = summary
    return kg


def build_store(paths, store: str | Path | None = None, *, out: str | Path | None = None, fmt: str = "ttl",
                add: bool = False, workers: int | None = None, ner_model: str | None = None,
                stanza_dir: str | None = None, transformer: str | None = None, scheduler: str | None = None,
                cache: bool = True, progress=None, on_total=None, on_phase=None,
                write_store: bool = True, input_format: str | None = None, fields=None) -> tuple[Path | None, dict]:
    """What :func:`build` and ``coalition-kg build`` do: returns (the store's path, the summary)."""
    from .atomic import check_file
    from .build import FORMATS
    from .build import build as run_build
    from .runner import TaggerSpec
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [str(p) for p in paths]
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt}: choose one of {', '.join(FORMATS)}")
    tmp_out = None
    if out is None:
        tmp_out = tempfile.TemporaryDirectory(prefix="coalition-kg-out-")
        out = tmp_out.name
    check_file(Path(out) / FORMATS[fmt][1])
    st = None
    if write_store:
        from .store import MARK, OxigraphStore, check_store_location
        path = check_store_location(store or find_store())
        if add and (path / MARK).exists():
            OxigraphStore(path, read_only=True).close()    # a damaged store is refused now, not after NER
        st = OxigraphStore(path)
    elif add:
        raise ValueError("add=True adds to the store; it cannot be combined with no store")
    spec = TaggerSpec(ner_model, stanza_dir, transformer)
    facts = _facts_cache(spec) if cache else None
    try:
        summary = run_build(paths, spec, Path(out), fmt, store=st, add=add, workers=workers, scheduler=scheduler,
                            cache=facts, progress=progress, on_total=on_total, on_phase=on_phase,
                            input_format=input_format, fields=fields)
        if facts is not None and getattr(facts, "rejected", None):
            summary["cache_rejected"] = {"path": str(facts.path), "ids": list(facts.rejected)}
    finally:
        if tmp_out is not None:
            tmp_out.cleanup()
    if "output" not in summary:
        errors = summary.get("errors") or []
        raise StoreError("no readable articles among the inputs; nothing written"
                         + (f" ({errors[0]})" if errors else ""))
    if tmp_out is not None:
        summary["output"] = None
    update = summary.get("store_update", {})
    if st is not None:
        info = st.info()
        summary["store"] = str(st.path)
        summary["store_mode"] = "added" if add else "replaced"
        summary["store_articles"] = info.get("articles")
        summary["store_quads"] = info.get("quads")
        summary["store_graphs_changed"] = update.get("changed", 0) + update.get("dropped", 0)
    return (st.path if st is not None else None), summary


def _facts_cache(spec):
    """The facts cache, keyed by the code and by the tagger's files (and transformer)."""
    from .cache import FactsCache, code_version, model_version
    from .ner import precision_choice, tagger_choice
    model_dir, stanza_dir = tagger_choice(spec.model, spec.stanza_dir)
    tagger = model_version(stanza_dir or model_dir)
    transformer = model_version(spec.transformer) if spec.transformer else ""
    return FactsCache(f"{code_version()}-{tagger}-{transformer}-{precision_choice()}")
