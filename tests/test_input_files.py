"""Input files through the CLI: article ids unique by construction, file names that are not
UTF-8, and files that must not be read (too large, FIFOs, devices) refused with one line."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess

from conftest import CLI, ROOT, SEED_FILES, run_cli

LEX = ("--ner-model", "lexical", "--workers", "1", "-q", "--json")


def _errors(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("coalition-kg: error:")]


def test_a_file_named_like_a_generated_id_gets_an_id_of_its_own(tmp_path):
    texts = [f.read_bytes() for f in SEED_FILES[:3]]
    for d in ("d1", "d2", "d3"):
        (tmp_path / d).mkdir()
    (tmp_path / "d1" / "x.txt").write_bytes(texts[0])
    (tmp_path / "d2" / "x.txt").write_bytes(texts[1])
    generated = f"x-{hashlib.sha256(texts[1]).hexdigest()[:10]}"     # what d2/x.txt is called
    (tmp_path / "d3" / f"{generated}.txt").write_bytes(texts[2])
    proc = run_cli("build", tmp_path / "d1", tmp_path / "d2", tmp_path / "d3", "--out", tmp_path / "o",
                   "--store", tmp_path / "store", *LEX)
    summary = json.loads(proc.stdout)
    assert summary["articles"] == 3 and summary["store_articles"] == 3       # three articles, three graphs
    from coalition_kg.store import OxigraphStore
    st = OxigraphStore(tmp_path / "store", read_only=True)
    ids = {str(r["id"]) for r in st.query("PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?id WHERE { "
                                          "GRAPH ?g { ?a a <https://w3id.org/coalition-kg/ontology#Article> ; "
                                          "dcterms:identifier ?id } }").rows}
    st.close()
    assert len(ids) == 3 and generated in ids


def test_a_file_name_that_is_not_utf8_is_read_and_named_with_its_bytes_escaped(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    bad = os.path.join(os.fsencode(d), b"bad\xff\xfename.txt")
    with open(bad, "wb") as fh:
        fh.write(SEED_FILES[0].read_bytes())
    (d / "good.txt").write_bytes(SEED_FILES[1].read_bytes())
    with open(os.path.join(os.fsencode(d), b"empty\xff.txt"), "wb") as fh:
        fh.write(b"\n")
    proc = run_cli("build", d, "--out", tmp_path / "o", "--store", tmp_path / "store", *LEX)
    summary = json.loads(proc.stdout)
    assert summary["articles"] == 2 and summary["store_articles"] == 2          # the batch is not lost
    errs = _errors(proc.stderr)
    assert len(errs) == 1 and "empty\\xff.txt: empty article" in errs[0], proc.stderr
    nt = (tmp_path / "o" / "graph.ttl").read_text(encoding="utf-8")
    assert "bad\\\\xff\\\\xfename.txt" in nt or "bad\\xff\\xfename.txt" in nt


def _ner(*args, limit_mb=None, timeout=120):
    def limits():
        if limit_mb:
            resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))
    return subprocess.run(CLI + ["ner", *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, preexec_fn=limits)


def test_files_that_must_not_be_read_are_refused_with_one_line(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    for path, why in ((fifo, "named pipe"), ("/dev/zero", "device")):
        proc = _ner(path, timeout=60)                    # a FIFO with no writer never hangs the reader
        errs = _errors(proc.stderr)
        assert proc.returncode == 1 and len(errs) == 1 and why in errs[0] and "Traceback" not in proc.stderr
    # a 2 GB (sparse) file is refused by its size, never read: under a 1.5 GB address-space limit
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(2 << 30)
    proc = _ner(big, limit_mb=1536)
    errs = _errors(proc.stderr)
    assert proc.returncode == 1 and len(errs) == 1 and "too large (2147483648 bytes" in errs[0], proc.stderr
    assert "MemoryError" not in proc.stderr


def test_a_large_file_in_a_directory_is_skipped_by_its_size(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_bytes(SEED_FILES[0].read_bytes())
    with open(d / "big.txt", "wb") as fh:
        fh.truncate(2 << 30)
    os.mkfifo(d / "pipe.txt")
    proc = run_cli("build", d, "--out", tmp_path / "o", "--no-store", *LEX, timeout=300)
    assert json.loads(proc.stdout)["articles"] == 1
    errs = _errors(proc.stderr)
    assert len(errs) == 2 and "big.txt: too large" in errs[0] and "pipe.txt: a named pipe" in errs[1], proc.stderr
