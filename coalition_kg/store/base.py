"""What every store answers with, and its one error type."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph


class StoreError(RuntimeError):
    pass


@dataclass
class Rows:
    variables: list[str]
    rows: list[dict[str, object]]   # values are rdflib terms (or None when unbound)
    boolean: bool | None = None     # the answer of an ASK query
    graph: Graph | None = None      # the answer of a CONSTRUCT / DESCRIBE query
    form: str = "SELECT"
