"""The real shipped Stanza model, loaded offline; clear errors for missing or corrupt models."""

import json
import shutil

import pytest

from coalition_kg.ner import PACKAGE_MODEL, ModelError, Recognizer
from coalition_kg.text import split_sentences

from conftest import SEEDS, run_cli


def _entities(rec, text):
    return [(e.text, e.type) for e in rec(text, split_sentences(text))]


def test_shipped_model_is_small_and_complete():
    files = {p.name: p.stat().st_size for p in PACKAGE_MODEL.iterdir()}
    assert {"ner.pt", "resources.json"} <= set(files)
    assert "pretrain.pt" in files or "pretrain.pt.xz" in files
    assert sum(files.values()) < 25 * 1024 * 1024


def test_finds_people_and_places_in_a_seed_sentence(recognizer):
    text = ("اجتمع وزراء التحالف الدولي لهزيمة داعش مرة أخرى في مراكش ، بالمغرب ، بدعوة من وزير الخارجية "
            "المغربي ناصر بوريطة ووزير الخارجية الأمريكي أنتوني ج بلينكين.")
    ents = _entities(recognizer, text)
    assert ("ناصر بوريطة", "PERS") in ents
    assert ("مراكش", "LOC") in ents


def test_entity_offsets_point_into_the_article(recognizer):
    text = (SEEDS / "002_ca989a71598abdfa.txt").read_text(encoding="utf-8")
    ents = recognizer(text, split_sentences(text))
    assert len(ents) > 20
    for e in ents:
        assert text[e.start:e.end] == e.text
    assert {"PERS", "LOC", "ORG"} <= {e.type for e in ents}


def test_missing_model_file_gives_a_clear_error(tmp_path):
    d = tmp_path / "model"
    shutil.copytree(PACKAGE_MODEL, d)
    (d / "ner.pt").unlink()
    with pytest.raises(ModelError, match="ner.pt: NER model file is missing"):
        Recognizer(d)


def test_corrupt_model_file_gives_a_clear_error(tmp_path):
    d = tmp_path / "model"
    shutil.copytree(PACKAGE_MODEL, d)
    (d / "ner.pt").write_bytes(b"this is not a torch checkpoint")
    with pytest.raises(ModelError, match="corrupt"):
        Recognizer(d)
    # a truncated zip archive passes the magic check and must still fail clearly
    data = (PACKAGE_MODEL / "ner.pt").read_bytes()
    (d / "ner.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="ner.pt|cannot load"):
        Recognizer(d)


def test_cli_ner_prints_entities_offline(tmp_path):
    # no network: proxies pointing nowhere make any download attempt fail loudly
    env = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    proc = run_cli("ner", SEEDS / "000_6077af6b98776dc7.txt", "--json", env=env)
    out = json.loads(proc.stdout)
    ents = out[0]["entities"]
    assert any(e["type"] == "PERS" and "بوريطة" in e["text"] for e in ents)
    text = (SEEDS / "000_6077af6b98776dc7.txt").read_text(encoding="utf-8")
    assert all(text[e["start"]:e["end"]] == e["text"] for e in ents)


def test_cli_ner_reports_a_bad_file_in_one_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    proc = run_cli("ner", bad, check=False)
    assert proc.returncode == 1
    assert str(bad) in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_stanza_official_layout_is_loaded_offline(tmp_path, monkeypatch):
    """A Stanza resources directory (the layout stanza.download() writes) is used as is, through
    --stanza-dir / COALITION_KG_STANZA_DIR; here it is assembled from the bundled model files."""
    from coalition_kg.ner import _pretrain_path
    root = tmp_path / "stanza_resources"
    deps = []
    sources = {"ner.pt": PACKAGE_MODEL / "ner.pt", "pretrain.pt": _pretrain_path(PACKAGE_MODEL),
               "charlm_forward.pt": PACKAGE_MODEL / "charlm_forward.pt",
               "charlm_backward.pt": PACKAGE_MODEL / "charlm_backward.pt"}
    for proc, name in (("ner", "ner.pt"), ("pretrain", "pretrain.pt"), ("forward_charlm", "charlm_forward.pt"),
                       ("backward_charlm", "charlm_backward.pt")):
        if sources[name].exists():
            (root / "ar" / proc).mkdir(parents=True)
            shutil.copy(sources[name], root / "ar" / proc / "anercorp.pt")
            if proc != "ner":
                deps.append({"model": proc, "package": "anercorp"})
    res = {"ar": {"lang_name": "Arabic", "default_processors": {"tokenize": "anercorp", "ner": "anercorp"},
                  "packages": {"default": {"tokenize": "anercorp", "ner": "anercorp"}},
                  "tokenize": {"anercorp": {}}, "ner": {"anercorp": {"dependencies": deps}},
                  **{d["model"]: {"anercorp": {}} for d in deps}}}
    (root / "resources.json").write_text(json.dumps(res))
    monkeypatch.setenv("COALITION_KG_STANZA_DIR", str(root))
    rec = Recognizer()
    assert rec.source.startswith("stanza-official:")
    ents = _entities(rec, "استقبل وزير الخارجية المغربي ناصر بوريطة نظيره في مراكش.")
    assert ("ناصر بوريطة", "PERS") in ents and ("مراكش", "LOC") in ents
    with pytest.raises(ModelError, match="not a Stanza resources directory"):
        Recognizer(stanza_dir=tmp_path)


def test_word_vectors_shipped_xz_compressed_are_unpacked_once_to_the_cache(tmp_path, monkeypatch):
    import lzma
    from coalition_kg.text import split_sentences
    d = tmp_path / "model"
    shutil.copytree(PACKAGE_MODEL, d)
    src = d / "pretrain.pt.xz" if (d / "pretrain.pt.xz").exists() else d / "pretrain.pt"
    if src.name == "pretrain.pt":
        (d / "pretrain.pt.xz").write_bytes(lzma.compress(src.read_bytes()))
        src.unlink()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    text = "استقبل وزير الخارجية المغربي ناصر بوريطة في مراكش نظيره الأمريكي أنتوني بلينكن."
    sents = split_sentences(text)
    tags = Recognizer(d).tag(sents)
    assert len(list((tmp_path / "cache" / "coalition-kg").glob("pretrain-*.pt"))) == 1
    assert Recognizer(d).tag(sents) == tags == Recognizer().tag(sents)
    # a damaged archive: one clear error, nothing half-written left in the cache
    (d / "pretrain.pt.xz").write_bytes((d / "pretrain.pt.xz").read_bytes()[:1000])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache2"))
    with pytest.raises(ModelError, match="pretrain.pt.xz: word-vector file is corrupt"):
        Recognizer(d)
    assert not list((tmp_path / "cache2" / "coalition-kg").glob("*"))
