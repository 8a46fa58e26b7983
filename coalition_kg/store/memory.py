"""rdflib in memory (used by the benchmark and when no store is wanted)."""

from __future__ import annotations

from rdflib import Dataset, Graph

from .base import Rows, StoreError
from .sparql import check_query, with_values


class MemoryStore:
    def __init__(self, ds: Dataset):
        from ..rdf import union_graph
        self.graph = union_graph(ds)

    def query(self, text: str, bindings: dict[str, object] | None = None) -> Rows:
        form = check_query(text)
        try:
            result = self.graph.query(with_values(text, bindings or {}))
        except StoreError:
            raise
        except Exception as exc:   # pyparsing's ParseException and friends
            raise StoreError(f"SPARQL syntax error: {str(exc).strip()[:300]}") from None
        if result.type == "ASK":
            return Rows([], [], boolean=bool(result.askAnswer), form=form)
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            g = Graph()
            for t in result:
                g.add(t)
            return Rows([], [], graph=g, form=form)
        variables = [str(v) for v in result.vars]
        rows = [{v: row[i] for i, v in enumerate(variables)} for row in result]
        return Rows(variables, rows, form=form)
