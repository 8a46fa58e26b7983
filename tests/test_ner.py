"""The real shipped Stanza model, loaded offline; clear errors for missing or corrupt models."""

import json
import shutil
import subprocess
import sys

import pytest

from coalition_kg.ner import PACKAGE_MODEL, ModelError, Recognizer, uses_transformer
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


# --- the transformer tagger (Stanza BiLSTM-CRF over a frozen multilingual-e5-small) ------------

@pytest.fixture(scope="module")
def transformer_recognizer():
    return Recognizer("transformer", precision="fp32")


def test_transformer_tagger_finds_a_person_and_a_place_in_an_invented_sentence(transformer_recognizer):
    from coalition_kg.transformer import default_dir, trimmed_dir
    assert transformer_recognizer.transformer == trimmed_dir(default_dir())    # its vocabulary trimmed
    text = "وصل وزير الخارجية الكندي مارك جولي إلى بغداد صباح الأحد في زيارة رسمية."
    ents = _entities(transformer_recognizer, text)
    assert any(t == "PERS" and "جولي" in s for s, t in ents), ents
    assert ("بغداد", "LOC") in ents


def test_both_taggers_are_shipped_small_and_selectable(monkeypatch):
    from coalition_kg.ner import DEFAULT_MODEL, NAMED_MODELS, model_dir_for
    for d in NAMED_MODELS.values():
        assert sum(p.stat().st_size for p in d.iterdir()) < 25 * 1024 * 1024
    assert model_dir_for(None) == NAMED_MODELS[DEFAULT_MODEL] == NAMED_MODELS["transformer-fast"]
    assert model_dir_for("lexical") == PACKAGE_MODEL
    monkeypatch.setenv("COALITION_KG_NER_MODEL", "lexical")
    rec = Recognizer()
    assert rec.source == str(PACKAGE_MODEL) and rec.transformer is None
    proc = run_cli("ner", SEEDS / "000_6077af6b98776dc7.txt", "--json", "--ner-model", "transformer")
    assert any(e["type"] == "PERS" for e in json.loads(proc.stdout)[0]["entities"])
    assert "Loading weights" not in proc.stderr          # transformers' progress bars stay off


def test_a_missing_or_corrupt_transformer_is_one_line(tmp_path):
    from coalition_kg.ner import NAMED_MODELS
    proc = run_cli("ner", SEEDS / "000_6077af6b98776dc7.txt", "--ner-model", "transformer",
                   "--transformer", tmp_path / "nowhere", check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"coalition-kg: error: {tmp_path / 'nowhere'}: transformer directory is missing"
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{")
    (broken / "model.safetensors").write_bytes(b"\x00" * 64)
    (broken / "tokenizer.json").write_text("{}")
    with pytest.raises(ModelError, match="config.json: transformer config is corrupt"):
        Recognizer(NAMED_MODELS["transformer"], transformer_dir=broken)


def test_transformer_in_bfloat16_finds_what_float32_finds(transformer_recognizer):
    import torch
    # bfloat16 is never the default (int8 is: faster, and batch-independent), but it is given
    # when asked for
    from coalition_kg.ner import precision_choice
    assert precision_choice() == "int8"
    rec = Recognizer("transformer", precision="bf16")
    assert rec.precision == "bf16"
    bert = rec.pipeline.processors["ner"].trainers[0].model.bert_model
    seen = []
    hook = bert.encoder.layer[0].attention.self.query.register_forward_hook(
        lambda mod, inp, out: seen.append(out.dtype))
    text = ("استقبل رئيس الوزراء العراقي حيدر العبادي في بغداد وزير الدفاع الأسترالي. "
            "وقال الوزير إن التحالف الدولي سيواصل دعم القوات العراقية في الموصل.")
    try:
        bf16 = _entities(rec, text)
    finally:
        hook.remove()
    assert seen and set(seen) == {torch.bfloat16}        # the matrix products ran in bfloat16
    fp32 = _entities(transformer_recognizer, text)
    assert ("بغداد", "LOC") in bf16 and ("الموصل", "LOC") in bf16
    assert bf16 == fp32


def test_int8_keeps_outlier_columns_in_float32():
    """A linear layer fed activations with one huge column: plain dynamic int8 scales the whole
    matrix by it and loses the ordinary columns; the split layer computes that column in float32
    and stays close to the float32 product."""
    import torch
    from coalition_kg.quantize import Int8Linear, int8_linear, outlier_columns
    torch.manual_seed(0)
    lin = torch.nn.Linear(384, 96)
    x = torch.randn(200, 384)
    x[:6, 17] = 60.0                          # a few tokens with a massive value in one dimension
    cols = outlier_columns(x.abs().amax(0))
    assert cols == [17]
    with torch.no_grad():
        exact = lin(x)
        split = Int8Linear(lin, cols)(x)
        plain = int8_linear(lin)(x)           # (quantize_dynamic copies: lin stays float32)
    err = lambda y: float((y - exact).norm() / exact.norm())
    assert err(split) < 0.02 and err(plain) > 4 * err(split)
    assert Int8Linear(lin, cols)(x.reshape(10, 20, 384)).shape == (10, 20, 96)
    # one scale per row: a token's output does not depend on the rest of its batch (PyTorch's
    # per-matrix scale made it depend on it), with or without float32 columns
    with torch.no_grad():
        for layer in (Int8Linear(lin, cols), Int8Linear(lin)):
            assert torch.equal(layer(x)[100:101], layer(x[100:101]))
            assert torch.equal(layer(x)[:6], layer(torch.cat([x[:6], 9 * x[150:]]))[:6])
        assert not torch.equal(int8_linear(lin)(x)[100:101], int8_linear(lin)(x[100:101]))


def test_transformer_in_int8_finds_what_float32_finds(transformer_recognizer):
    """--precision int8 on the real tagger: the outlier columns found on the packaged calibration
    text (multilingual-e5-small has them in its FFN layers), the entities those of float32."""
    from coalition_kg.quantize import Int8Linear
    rec = Recognizer("transformer", precision="int8")
    bert = rec.pipeline.processors["ner"].trainers[0].model.bert_model
    assert rec.int8_layers["split"] > 0 and rec.int8_layers["linear"] >= 60
    assert any(isinstance(m, Int8Linear) for m in bert.modules())
    text = ("استقبل رئيس الوزراء العراقي حيدر العبادي في بغداد وزير الدفاع الأسترالي. "
            "وقال الوزير إن التحالف الدولي سيواصل دعم القوات العراقية في الموصل.")
    int8 = _entities(rec, text)
    assert ("بغداد", "LOC") in int8 and ("الموصل", "LOC") in int8
    assert int8 == _entities(transformer_recognizer, text)


def test_transformer_batches_are_formed_by_length_in_pieces(transformer_recognizer, monkeypatch):
    import coalition_kg.ner as ner
    from coalition_kg.text import split_sentences
    text = (SEEDS / "003_fbb96a10d2146f35.txt").read_text(encoding="utf-8")
    sents = split_sentences(text)
    pieces = transformer_recognizer.piece_lengths(sents)
    tok = transformer_recognizer.pipeline.processors["ner"].trainers[0].model.bert_tokenizer
    assert pieces == [len(tok([t.norm for t in s.tokens], is_split_into_words=True)["input_ids"]) for s in sents]
    assert all(p >= len(s.tokens) + 2 for p, s in zip(pieces, sents))
    assert Recognizer("lexical").piece_lengths(sents) is None
    bert = transformer_recognizer.pipeline.processors["ner"].trainers[0].model.bert_model
    shapes = []
    hook = bert.embeddings.register_forward_hook(lambda mod, inp, out: shapes.append(tuple(out.shape[:2])))
    try:
        by_pieces = transformer_recognizer.tag(sents)
    finally:
        hook.remove()
    assert sum(n for n, _ in shapes) == len(sents)
    assert all(n == 1 or n * length <= ner.BATCH_PIECES for n, length in shapes)
    # batches formed by words only (the former way) tag the same
    monkeypatch.setattr(transformer_recognizer, "piece_lengths", lambda sentences: None)
    assert transformer_recognizer.tag(sents) == by_pieces


def test_lora_merged_and_last_layer_skipped_give_the_same_entities(transformer_recognizer, monkeypatch):
    from peft.tuners.lora import LoraLayer

    import coalition_kg.transformer as tf
    bert = transformer_recognizer.pipeline.processors["ner"].trainers[0].model.bert_model
    assert not any(isinstance(m, LoraLayer) for m in bert.modules())     # adapters folded in
    assert bert.encoder.layer[-1]._coalition_kg_skipped
    text = ("التقى وزير الخارجية النرويجي يوناس غار ستوره في أوسلو نظيره العراقي فؤاد حسين، "
            "وبحثا دعم التحالف الدولي ضد داعش وجهود الأمم المتحدة في سوريا.")
    # the same tagger with its adapters applied at every step and all twelve layers computed
    monkeypatch.setattr(tf, "merge_lora", lambda model: 0)
    monkeypatch.setattr(tf, "skip_last_layer", lambda model: False)
    plain = Recognizer("transformer", precision=transformer_recognizer.precision)
    plain_bert = plain.pipeline.processors["ner"].trainers[0].model.bert_model
    assert any(isinstance(m, LoraLayer) for m in plain_bert.modules())
    found = _entities(transformer_recognizer, text)
    assert found == _entities(plain, text)
    assert ("أوسلو", "LOC") in found


def test_a_tagger_over_the_first_layers_loads_and_runs_only_those(tmp_path, monkeypatch):
    """A checkpoint that names its transformer ``<key>#layers=N`` gets the transformer's first N
    layers (the last of them skipped: the tagger reads layers N-3..N-1), at inference as in
    training (where Stanza loads ``<dir>#layers=N`` through the same truncation)."""
    import torch
    from stanza.models.common import bert_embedding

    import coalition_kg.transformer as tf
    from coalition_kg.ner import NAMED_MODELS
    from coalition_kg.training.train import _truncating_loader

    model = tmp_path / "five"
    shutil.copytree(NAMED_MODELS["transformer"], model)
    data = torch.load(model / "ner.pt", map_location="cpu", weights_only=False)
    base, _ = tf.split_key(data["config"]["bert_model"])
    data["config"]["bert_model"] = tf.layered_key(base, 5)
    torch.save(data, model / "ner.pt")
    rec = Recognizer(model, precision="fp32")
    bert = rec.pipeline.processors["ner"].trainers[0].model.bert_model
    assert len(bert.encoder.layer) == 5 and bert.config.num_hidden_layers == 5
    assert bert.encoder.layer[-1]._coalition_kg_skipped
    layers_run = []
    hooks = [layer.attention.self.query.register_forward_hook(lambda *a, i=i: layers_run.append(i))
             for i, layer in enumerate(bert.encoder.layer)]
    try:
        tags = rec.tag(split_sentences("وصل وزير الخارجية الكندي إلى بغداد صباح الأحد."))
    finally:
        for h in hooks:
            h.remove()
    assert sorted(set(layers_run)) == [0, 1, 2, 3] and len(tags[0]) > 5
    # training: Stanza's loader, given "<dir>#layers=N", loads <dir> and keeps N layers
    monkeypatch.setattr(bert_embedding, "load_bert", bert_embedding.load_bert)
    _truncating_loader()
    loaded, tokenizer = bert_embedding.load_bert(tf.layered_key(str(tf.default_dir()), 4), local_files_only=True)
    assert len(loaded.encoder.layer) == 4 and loaded.encoder.layer[-1]._coalition_kg_skipped
    assert tokenizer is not None


def test_the_fast_tagger_runs_seven_of_eight_layers_and_finds_names():
    """transformer-fast: the shipped tagger over the transformer's first eight layers (the eighth
    skipped), in int8 as in float32 finding the persons and places of an invented report."""
    rec = Recognizer("transformer-fast", precision="fp32")
    bert = rec.pipeline.processors["ner"].trainers[0].model.bert_model
    assert len(bert.encoder.layer) == 8 and bert.encoder.layer[-1]._coalition_kg_skipped
    text = ("استقبل وزير الخارجية الإيطالي أنطونيو تاياني في روما نظيره الأردني أيمن الصفدي، "
            "وبحثا جهود التحالف الدولي ضد داعش في سوريا والعراق.")
    found = _entities(rec, text)
    assert {("أنطونيو تاياني", "PERS"), ("أيمن الصفدي", "PERS"), ("روما", "LOC")} <= set(found)
    assert _entities(Recognizer("transformer-fast", precision="int8"), text) == found


@pytest.fixture(scope="module")
def lexical_recognizer():
    return Recognizer("lexical")


@pytest.mark.parametrize("tagger", ["lexical", "transformer"])
def test_direct_prediction_gives_the_pipelines_tags(tagger, lexical_recognizer, transformer_recognizer):
    """Tags come from the NER processor's models without a Stanza Document (Recognizer._predict);
    the full Stanza pipeline over the same words gives the same tags, seed by seed.  (The
    "lexical" case runs the lexical tagger itself, not the default one, which is a transformer.)"""
    rec = lexical_recognizer if tagger == "lexical" else transformer_recognizer
    assert (rec.transformer is None) == (tagger == "lexical")
    calls = []
    original = rec._predict
    rec._predict = lambda words: calls.append(len(words)) or original(words)
    try:
        for path in sorted(SEEDS.glob("*.txt"))[:3]:
            sents = split_sentences(path.read_text(encoding="utf-8"))
            direct = rec.tag(sents)
            rec._direct = False
            try:
                assert rec.tag(sents) == direct
            finally:
                rec._direct = True
            assert any(t != "O" for ts in direct for t in ts)
    finally:
        del rec._predict
    assert sum(calls) > 0


def test_direct_prediction_falls_back_to_the_pipeline_when_stanza_differs(recognizer, monkeypatch):
    import stanza.models.ner.data as ner_data

    text = "وصل وزير الخارجية الفرنسي إلى بغداد."
    expected = _entities(recognizer, text)
    monkeypatch.setattr(ner_data, "DataLoader", lambda *a, **k: (_ for _ in ()).throw(TypeError("changed")))
    try:
        assert _entities(recognizer, text) == expected and ("بغداد", "LOC") in expected
        assert recognizer._direct is False
    finally:
        recognizer._direct = True


def test_which_taggers_run_a_transformer_is_read_without_torch(tmp_path):
    # a build's main process asks this to choose how to run the tagger; importing torch for it
    # would cost the main process 200 MB of a build's memory
    code = ("import sys; from coalition_kg.ner import NAMED_MODELS, uses_transformer; "
            "print({n: uses_transformer(d) for n, d in sorted(NAMED_MODELS.items())}, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "{'lexical': False, 'transformer': True, 'transformer-fast': True} False"
    (tmp_path / "ner.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ModelError, match="cannot load the NER model"):
        uses_transformer(tmp_path)


def test_the_default_taggers_tags_of_a_sentence_do_not_depend_on_its_batch():
    # int8 with one scale per token, sentences padded to their own bucket of pieces, calibration
    # without dropout: an article gets the same tags alone, inside any chunk, in any process
    from pathlib import Path
    rec = Recognizer()
    assert rec.transformer is not None
    per_article = [split_sentences(p.read_text(encoding="utf-8")) for p in sorted(Path(SEEDS).glob("*.txt"))]
    together = rec.tag([s for ss in per_article for s in ss])
    alone = [t for ss in per_article for t in rec.tag(ss)]
    assert together == alone
    reordered = rec.tag([s for ss in reversed(per_article) for s in ss])
    assert reordered == [t for ss in reversed(per_article) for t in rec.tag(ss)]
    code = ("import sys, json; from pathlib import Path; from coalition_kg.ner import Recognizer; "
            "from coalition_kg.text import split_sentences; import torch; torch.set_num_threads(1); "
            f"print(json.dumps(Recognizer().tag(split_sentences(Path({str(SEEDS / '002_ca989a71598abdfa.txt')!r}).read_text()))))")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(other) == rec.tag(per_article[2])       # another process, one thread
