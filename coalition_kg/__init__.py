"""coalition-kg: knowledge graphs of Arabic news about the Global Coalition to Defeat ISIS.

>>> import coalition_kg as ckg
>>> kg = ckg.open()                                   # the store `coalition-kg build` made
>>> kg.query("who_hosted_what", hostCountry="Italy")  # a table; .to_pandas(), .to_networkx()
>>> kg.who_hosted_what(hostCountry="IT")              # every library query is a method
>>> kg.explore()                                      # the interactive explorer

See :mod:`coalition_kg.api`.  The names below are imported on first use, so that ``import
coalition_kg`` stays light for the command line and the worker processes.
"""

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("coalition-kg")
except PackageNotFoundError:      # run from a source tree that was never installed
    __version__ = "0+unknown"

_API = {"open": "api", "build": "api", "find_store": "api", "KnowledgeGraph": "api", "Results": "api",
        "QueryError": "query", "StoreError": "store"}
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        import importlib
        value = getattr(importlib.import_module(f".{_API[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'coalition_kg' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_API))
