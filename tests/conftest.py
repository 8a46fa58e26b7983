"""Shared fixtures: the real bundled NER model, the seed articles, a built seeds graph, and a
real Virtuoso server started on loopback with a temporary database."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
CLI = [sys.executable, "-m", "coalition_kg.cli"]


def require(condition: bool, why: str):
    """Skip locally when a system tool is missing; in CI (.ci/run installs it) that is a failure."""
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide this: {why}")
        pytest.skip(why)


@pytest.fixture(scope="session", autouse=True)
def _own_facts_cache(tmp_path_factory):
    """Builds in the tests (and the commands they run) keep their facts in a cache of their own,
    never the user's."""
    old = os.environ.get("COALITION_KG_FACTS")
    os.environ["COALITION_KG_FACTS"] = str(tmp_path_factory.mktemp("facts") / "facts.sqlite")
    yield
    if old is None:
        os.environ.pop("COALITION_KG_FACTS", None)
    else:
        os.environ["COALITION_KG_FACTS"] = old


@pytest.fixture(scope="session")
def recognizer():
    from coalition_kg.ner import Recognizer
    return Recognizer()


@pytest.fixture(scope="session")
def seeds_build(recognizer):
    from coalition_kg.build import run
    return run([str(SEEDS)], recognizer)


@pytest.fixture(scope="session")
def seeds_store(seeds_build, tmp_path_factory):
    from coalition_kg.store import OxigraphStore
    path = tmp_path_factory.mktemp("store") / "oxigraph"
    store = OxigraphStore(path)
    store.replace(seeds_build.dataset)
    return store


def run_cli(*args, check=True, env=None, timeout=600):
    e = dict(os.environ)
    e.update(env or {})
    proc = subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True, cwd=ROOT, env=e,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"coalition-kg {' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


# ---------------------------------------------------------------------------------------------
# Virtuoso

VIRTUOSO_INI = """
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
CheckpointInterval = 60
DirsAllowed = ., {d}
CaseMode = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
MaxClientConnections = 8
ServerThreads = 8

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, deadline: float) -> bool:
    import urllib.request
    from urllib.error import HTTPError, URLError
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2)
            return True
        except HTTPError:
            return True
        except (URLError, ConnectionError, OSError):
            time.sleep(0.5)
    return False


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    exe = shutil.which("virtuoso-t")
    require(exe is not None, "virtuoso-t not installed (Debian package virtuoso-opensource)")
    d = tmp_path_factory.mktemp("virtuoso")
    sql, http = _free_port(), _free_port()
    ini = d / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=d, sql=sql, http=http))
    proc = subprocess.Popen([exe, "+configfile", str(ini), "+foreground"], cwd=d,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http}"
    if not _wait_http(base + "/sparql", time.time() + 120):
        proc.kill()
        log = (d / "virtuoso.log").read_text(errors="replace")[-2000:] if (d / "virtuoso.log").exists() else ""
        pytest.fail(f"Virtuoso did not start:\n{log}")
    info = {"query": base + "/sparql", "update": base + "/sparql-auth", "user": "dba", "password": "dba",
            "base": base, "dir": d, "proc": proc}
    yield info
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
