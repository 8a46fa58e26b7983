"""Step 7: where the graph lives — the embedded Oxigraph store, rdflib in memory, or any SPARQL 1.1
server.  All three answer the same library queries with the same rows (tested against Virtuoso).

One module per concern, so each rule has one home and one set of tests:

* :mod:`.sparql` — every value that reaches SPARQL text, escaped or validated;
* :mod:`.generation` — how a new embedded store replaces the old one, and how readers and
  writers agree (the completion mark, the directory swap, the locks);
* :mod:`.oxigraph`, :mod:`.memory`, :mod:`.remote` — the three backends.
"""

from .base import Rows, StoreError
from .generation import MARK, check_store_location
from .memory import MemoryStore
from .oxigraph import (BULK_LINES, DEFAULT_STORE, INCREMENTAL_SHARE, PREFIXES, UNION_FORMATS, OxigraphStore)
from .remote import ENV_ENDPOINT_PASSWORD, ENV_ENDPOINT_USER, RemoteStore, check_endpoint, scrub_url
from .sparql import QUERY_FORMS, check_iri, check_query, query_form, sparql_literal, with_values

__all__ = ["Rows", "StoreError", "MARK", "check_store_location", "MemoryStore", "BULK_LINES", "DEFAULT_STORE",
           "INCREMENTAL_SHARE", "PREFIXES", "UNION_FORMATS", "OxigraphStore", "ENV_ENDPOINT_PASSWORD",
           "ENV_ENDPOINT_USER", "RemoteStore", "check_endpoint", "scrub_url", "QUERY_FORMS", "check_iri",
           "check_query", "query_form", "sparql_literal", "with_values"]
