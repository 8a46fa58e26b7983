"""No code runs from a file the tool loads: the facts cache, the gazetteer cache and a tagger
directory's checkpoint are read as data only.  Each crafted file below would write a marker file
if it were unpickled; the tests assert the marker is never written and the command still does
its work (a bad cache row is a miss, reported; a bad checkpoint is one error line)."""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import zipfile
import zlib

from conftest import ROOT, SEED_FILES, run_cli

from coalition_kg.ner import NAMED_MODELS


class Payload:
    """Unpickled, runs ``exec`` of code that writes ``marker``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return exec, (f"open({self.marker!r}, 'w').write('ran')",)


def evil_pickle(marker, wrap=lambda p: p) -> bytes:
    return pickle.dumps(wrap(Payload(marker)), protocol=4)


def _rows(db):
    with sqlite3.connect(db) as con:
        return con.execute("SELECT id, result FROM facts").fetchall()


BUILD = ("--no-store", "--json", "-q", "--workers", "1", "--ner-model", "lexical")


def _set_rows(db, blob):
    with sqlite3.connect(db) as con:
        con.execute("UPDATE facts SET result = ?", (blob,))


def test_a_pickle_in_the_facts_cache_is_never_run_and_is_a_reported_miss(tmp_path):
    facts, marker = tmp_path / "facts.sqlite", tmp_path / "MARKER"
    env = {"COALITION_KG_FACTS": str(facts)}
    seed = SEED_FILES[0]
    first = json.loads(run_cli("build", seed, "--out", tmp_path / "o1", *BUILD, env=env).stdout)
    assert first["articles_processed"] == 1
    (aid, good), = _rows(facts)
    for bad in (zlib.compress(evil_pickle(marker), 3),                 # what the old cache unpickled
                evil_pickle(marker),                                     # and uncompressed
                zlib.compress(json.dumps([{"c": "Payload", "v": []}]).encode()),     # an unknown class
                zlib.compress(b"[" * 100000 + b"]" * 100000)):                       # nested past any limit
        _set_rows(facts, bad)
        proc = run_cli("build", seed, "--out", tmp_path / "o2", *BUILD, env=env)
        assert not marker.exists(), "a facts-cache row ran code"
        summary = json.loads(proc.stdout)
        assert summary["articles_processed"] == 1 and summary["articles_reused"] == 0
        assert "facts-cache row(s) did not read back" in proc.stderr and aid in proc.stderr
        assert "Traceback" not in proc.stderr
        assert summary["triples"] == first["triples"]
    # a row of the right shape but a wrong type inside (a string where a sentence index is)
    body = json.loads(zlib.decompress(good))
    body[0][0]["v"][0] = "0"          # sentences[0].index
    _set_rows(facts, zlib.compress(json.dumps(body).encode()))
    proc = run_cli("build", seed, "--out", tmp_path / "o3", *BUILD, env=env)
    assert json.loads(proc.stdout)["articles_reused"] == 0 and "did not read back" in proc.stderr
    # and the rewritten row is good again: reused, silently
    proc = run_cli("build", seed, "--out", tmp_path / "o4", *BUILD, env=env)
    assert json.loads(proc.stdout)["articles_reused"] == 1 and "did not read back" not in proc.stderr


def _gazetteer_probe(cache):
    code = ("from coalition_kg import gazetteer as g; gz = g.load(); "
            "print(len(gz.by_geonames), gz.capitals['FR'].name_en, g._cache_path())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env=dict(os.environ, XDG_CACHE_HOME=str(cache)), check=True).stdout.split()
    return int(out[0]), out[1], out[2]


def test_a_pickle_put_as_the_gazetteer_cache_is_never_run(tmp_path):
    marker = tmp_path / "MARKER"
    n, paris, path = _gazetteer_probe(tmp_path)
    assert paris == "Paris"
    # a pickle in its place (or where the old versions kept it) is not read as one
    stem = os.path.splitext(path)[0]
    for p in (path, stem + ".pickle", stem + ".json"):
        with open(p, "wb") as fh:
            fh.write(evil_pickle(marker))
    n2, paris2, _ = _gazetteer_probe(tmp_path)
    assert not marker.exists(), "the gazetteer cache ran code"
    assert (n2, paris2) == (n, "Paris") and path.endswith(".json")
    with open(path, "rb") as fh:
        assert fh.read(1) == b"{"                  # rebuilt as data
    # a cache of the right shape with a wrong type in a place is rebuilt too
    body = json.loads(open(path, "rb").read())
    body["places"][0][1] = {"c": "Payload"}
    with open(path, "w") as fh:
        json.dump(body, fh)
    assert _gazetteer_probe(tmp_path)[:2] == (n, "Paris")


def _checkpoint(path, payload_bytes):
    """A ``ner.pt`` laid out as torch.save writes it (a zip whose ``archive/data.pkl`` is the
    pickle), with the given pickle as its data."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", payload_bytes)
        z.writestr("archive/version", "3\n")
    path.write_bytes(buf.getvalue())


def test_a_crafted_ner_checkpoint_runs_no_code_before_it_is_refused(tmp_path):
    marker = tmp_path / "MARKER"
    model = tmp_path / "model"
    model.mkdir()
    for f in NAMED_MODELS["lexical"].iterdir():       # a complete tagger directory but for its checkpoint
        if f.name != "ner.pt":
            shutil.copy(f, model / f.name)
    for wrap in (lambda p: {"config": p}, lambda p: {"config": {"bert_model": p}}, lambda p: p):
        _checkpoint(model / "ner.pt", evil_pickle(marker, wrap))
        # two articles in two chunks and two workers: the main process asks whether the tagger is
        # a transformer (to share one process) before any worker loads it
        proc = run_cli("build", *SEED_FILES[:2], "--out", tmp_path / "o", "--no-store", "--no-cache", "-q",
                       "--ner-model", model, "--workers", "2", check=False, env={"COALITION_KG_CHUNK_ARTICLES": "1"})
        assert not marker.exists(), "the checkpoint pre-check ran code"
        assert proc.returncode != 0
        assert "ner.pt" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_the_checkpoint_pre_check_still_tells_the_shipped_taggers_apart():
    from coalition_kg.ner import uses_transformer
    assert uses_transformer(NAMED_MODELS["transformer"]) and uses_transformer(NAMED_MODELS["transformer-fast"])
    assert not uses_transformer(NAMED_MODELS["lexical"])
