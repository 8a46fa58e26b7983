"""AQMAR as an out-of-domain test set, long training sentences cut for fine-tuning, and the
transformer's precision switch."""

import json
from pathlib import Path

import pytest

from coalition_kg.ner import ModelError, precision_choice
from coalition_kg.training.anercorp import CorpusError, cap_sentences
from coalition_kg.training.aqmar import normalize_tag, read_aqmar

from conftest import run_cli


@pytest.mark.parametrize("raw,tag", [
    ("B-PER", "B-PERS"), ("I-PER", "I-PERS"), ("B-LOC", "B-LOC"), ("I-ORG", "I-ORG"),
    ("B-MIS1", "B-MISC"), ("I-MIS3", "I-MISC"), ("B-MIS", "B-MISC"), ("B-MIS-2", "B-MISC"),
    ("B-MISS1", "B-MISC"), ("B-MIS1`", "B-MISC"), ("I--ORG", "I-ORG"),
    ("O", "O"), ("OO", "O"), ("IO", "O"), ("B-ENGLISH", "O"), ("B-SPANISH", "O"),
])
def test_aqmar_tags_map_onto_anercorp_classes(raw, tag):
    assert normalize_tag(raw) == tag


def _aqmar_dir(tmp_path):
    d = tmp_path / "aqmar"
    d.mkdir()
    (d / "A.txt").write_text("زار O\nباراك B-PER\nأوباما I-PER\nمدينة O\nالقاهرة B-LOC\n. O\n\n"
                             "التقى O\nوفد O\nالأمم B-ORG\nالمتحدة I--ORG\n. O\n", encoding="utf-8")
    (d / "B.txt").write_text("وصل O\nجون B-PER\nكيري I-PER\nإلى O\nبغداد B-LOC\n. OO\n", encoding="utf-8")
    (d / "README.md").write_text("not data")
    return d


def test_aqmar_directory_is_read_sentence_by_sentence(tmp_path):
    sents = read_aqmar(_aqmar_dir(tmp_path))
    assert [len(s) for s in sents] == [6, 5, 6]
    assert sents[1][3] == ("المتحدة", "I-ORG") and sents[2][5] == (".", "O")


def test_eval_ner_on_an_aqmar_directory_scores_the_real_tagger(tmp_path):
    proc = run_cli("eval-ner", "--data", _aqmar_dir(tmp_path), "--json")
    report = json.loads(proc.stdout)
    assert report["test_sentences"] == 3 and report["test_tokens"] == 17
    assert report["split"].startswith("AQMAR") and report["micro_f1_unseen"] is None
    # the shipped tagger finds these well-known names and places (LOC: القاهرة، بغداد)
    assert report["per_type"]["LOC"]["support"] == 2 and report["per_type"]["LOC"]["f1"] > 0
    assert report["per_type"]["PERS"]["support"] == 2
    assert 0 < report["micro_f1"] <= 100


def test_aqmar_lines_of_direction_marks_only_are_dropped_and_bio_repaired(tmp_path):
    d = tmp_path / "marks"
    d.mkdir()
    (d / "C.txt").write_text("زار O\n\u200e O\n\u200f B-PER\nأوباما I-PER\nالقاهرة\u200e B-LOC\n. O\n",
                             encoding="utf-8")
    assert read_aqmar(d) == [[("زار", "O"), ("أوباما", "B-PERS"), ("القاهرة", "B-LOC"), (".", "O")]]


def test_an_empty_token_or_one_of_marks_only_reaches_the_tagger_as_a_placeholder():
    from coalition_kg.ner import Recognizer
    from coalition_kg.text import Sentence, Token, normalize_for_model
    assert normalize_for_model("") == "_" and normalize_for_model("\u200e") == "_"
    assert normalize_for_model("\u0640\u064e") == "_"                  # tatweel and a diacritic
    assert normalize_for_model("بغداد") == "بغداد"
    rec = Recognizer("lexical")
    words = ["وصل", "", "الوزير", "إلى", "بغداد", "."]
    sent = Sentence(0, 0, 0, [Token(w, 0, 0) for w in words])
    tags = rec.tag([sent])[0]           # before: Stanza's "Could not process document"
    assert len(tags) == len(words) and tags[1] == "O" and tags[4] == "B-LOC"


def test_aqmar_files_split_into_training_and_held_back_quarters(tmp_path):
    from coalition_kg.training.aqmar import split_files
    d = tmp_path / "eight"
    d.mkdir()
    for k in range(8):
        (d / f"F{k}.txt").write_text(f"كلمة{k} O\n", encoding="utf-8")
    (d / "README.md").write_text("not data")
    train, held = split_files(d)
    assert [f.name for f in held] == ["F3.txt", "F7.txt"]              # every fourth, in name order
    assert not set(train) & set(held) and len(train) + len(held) == 8
    assert read_aqmar(d, ["F3.txt"]) == [[("كلمة3", "O")]]
    with pytest.raises(CorpusError, match="AQMAR file F9.txt is missing"):
        read_aqmar(d, ["F9.txt"])


def test_eval_ner_scores_a_model_trained_on_aqmar_on_the_held_back_files_only(tmp_path):
    import shutil

    from coalition_kg.ner import NAMED_MODELS
    d = _aqmar_dir(tmp_path)
    for k in range(2):                                                  # four files: D.txt held back
        shutil.copy(d / "A.txt", d / f"{'CD'[k]}.txt")
    model = tmp_path / "model"
    shutil.copytree(NAMED_MODELS["lexical"], model)
    info = json.loads((model / "training.json").read_text(encoding="utf-8"))
    info["aqmar"] = {"dir": str(d), "train_files": ["A.txt", "B.txt", "C.txt"], "held_out_files": ["D.txt"]}
    (model / "training.json").write_text(json.dumps(info), encoding="utf-8")
    held = json.loads(run_cli("eval-ner", "--data", d, "--ner-model", model, "--json").stdout)
    assert held["split"].startswith("AQMAR, held-back files (1") and held["test_sentences"] == 2
    every = json.loads(run_cli("eval-ner", "--data", d, "--ner-model", model, "--aqmar-part", "all",
                               "--json").stdout)
    assert every["test_sentences"] == 7 and every["split"].startswith("AQMAR, all of it")
    # the shipped tagger was not trained on AQMAR: all of it by default, the held-back part on request
    assert json.loads(run_cli("eval-ner", "--data", d, "--json").stdout)["test_sentences"] == 7
    assert json.loads(run_cli("eval-ner", "--data", d, "--aqmar-part", "held-out",
                              "--json").stdout)["test_sentences"] == 2


def test_long_training_sentences_are_cut_outside_entities():
    sent = [(f"w{i}", "O") for i in range(9)] + [("a", "B-ORG"), ("b", "I-ORG"), ("c", "I-ORG")] + \
        [(f"v{i}", "O") for i in range(8)]
    pieces = cap_sentences([sent], max_words=10)
    assert [t for p in pieces for t in p] == sent                  # nothing lost, order kept
    assert all(len(p) <= 10 for p in pieces)
    assert pieces[0][-1] == ("w8", "O") and pieces[1][0] == ("a", "B-ORG")   # not inside the ORG
    assert cap_sentences([sent[:5]], max_words=10) == [sent[:5]]


def test_precision_switch(monkeypatch):
    import coalition_kg.transformer as tf
    monkeypatch.delenv("COALITION_KG_NER_PRECISION", raising=False)
    monkeypatch.delenv("COALITION_KG_NER_INT8", raising=False)
    for native in (True, False):        # int8 whatever the CPU (faster than native bf16 too)
        monkeypatch.setattr(tf, "native_bf16", lambda: native)
        assert precision_choice() == "int8" and precision_choice("auto") == "int8"
    assert precision_choice("bf16") == "bf16"                   # asked for, given
    assert precision_choice("fp32") == "fp32" and precision_choice(quantize=True) == "int8"
    monkeypatch.setenv("COALITION_KG_NER_INT8", "1")
    assert precision_choice() == "int8"
    monkeypatch.setenv("COALITION_KG_NER_PRECISION", "fp16")
    with pytest.raises(ModelError,
                       match="COALITION_KG_NER_PRECISION='fp16': expected one of auto, bf16, fp32, int8"):
        precision_choice()


def test_native_bf16_reads_the_cpu_flags():
    import coalition_kg.transformer as tf
    flags = next((line for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("flags")), "")
    assert tf.native_bf16() == ("amx_bf16" in flags.split() or "avx512_bf16" in flags.split())


def test_padded_batches_bound_sentences_and_padded_words():
    from coalition_kg.ner import _padded_batches
    lengths = [3, 50, 4, 120, 5, 6, 40]
    order = sorted(range(len(lengths)), key=lambda k: lengths[k])
    batches = list(_padded_batches(order, lengths, max_sentences=3, max_words=130))
    assert [k for b in batches for k in b] == order                     # every sentence once, in order
    for b in batches:
        assert len(b) <= 3
        assert len(b) == 1 or len(b) * max(lengths[k] for k in b) <= 130
    assert [3] in batches                                               # the 120-word one alone
    assert list(_padded_batches([0], [900], 32, 512)) == [[0]]          # longer than the bound: alone


def test_padded_batches_bound_padded_pieces_too():
    from coalition_kg.ner import _padded_batches
    words = [10, 10, 10, 10, 12, 12]
    pieces = [15, 16, 18, 40, 41, 90]             # words cut into more pieces: the longer batch is paid in pieces
    order = sorted(range(len(words)), key=lambda k: pieces[k])
    batches = list(_padded_batches(order, words, 32, 10_000, pieces, max_pieces=100))
    assert [k for b in batches for k in b] == order
    for b in batches:
        assert len(b) == 1 or len(b) * max(pieces[k] for k in b) <= 100
    assert batches == [[0, 1, 2], [3, 4], [5]]
    # word lengths that are not sorted still bound the padded words by the batch's longest
    batches = list(_padded_batches([0, 1, 2], [5, 30, 5], 32, 60, [10, 11, 12], 10_000))
    assert all(len(b) == 1 or len(b) * max([5, 30, 5][k] for k in b) <= 60 for b in batches)


def test_a_resumed_run_starts_at_the_learning_rate_asked_for(tmp_path):
    """Stanza takes a resumed run's learning rate from the checkpoint's config, not from its
    command line: the resume copy carries the one asked for (and the transformer's path)."""
    import torch

    from coalition_kg.training.train import _resume_copy
    ckpt = tmp_path / "ner.pt"
    torch.save({"config": {"lr": 1e-3, "bert_model": "key:e5"}, "model": {"w": torch.ones(2, dtype=torch.float16)}},
               ckpt)
    out = _resume_copy(ckpt, tmp_path / "resume.pt", tmp_path / "e5", lr=2e-4)
    data = torch.load(out, weights_only=False)
    assert data["config"]["lr"] == 2e-4 and data["config"]["bert_model"] == str(tmp_path / "e5")
    assert data["model"]["w"].dtype == torch.float32
    # without a learning rate the checkpoint's own stays
    data = torch.load(_resume_copy(ckpt, tmp_path / "resume2.pt", tmp_path / "e5"), weights_only=False)
    assert data["config"]["lr"] == 1e-3


def test_a_transformer_named_with_a_layer_count_is_split_back():
    from coalition_kg import transformer as tf
    key = tf.layered_key(tf.MODEL_KEY, 7)
    assert key == tf.MODEL_KEY + "#layers=7"
    assert tf.split_key(key) == (tf.MODEL_KEY, 7)
    assert tf.split_key(tf.MODEL_KEY) == (tf.MODEL_KEY, None)
    assert tf.layered_key("/models/e5", None) == "/models/e5"
    with pytest.raises(tf.TransformerError, match="positive integer"):
        tf.split_key(tf.MODEL_KEY + "#layers=x")
    with pytest.raises(tf.TransformerError, match="positive integer"):
        tf.split_key(tf.MODEL_KEY + "#layers=0")


def test_a_run_over_fewer_layers_starts_from_the_adapters_of_those_layers(tmp_path):
    """Continuing a tagger over the first N layers: the resume copy names the transformer with
    its layer count and keeps only the adapters of layers below N."""
    import torch

    from coalition_kg.training.train import _resume_copy
    lora = {f"base_model.model.encoder.layer.{i}.attention.self.query.lora_A.weight": torch.ones(2, dtype=torch.float16)
            for i in range(12)}
    lora["base_model.model.pooler.dense.lora_A.weight"] = torch.ones(1)
    ckpt = tmp_path / "ner.pt"
    torch.save({"config": {"lr": 1e-3, "bert_model": "key:e5"}, "model": {"w": torch.ones(2)}, "bert_lora": lora}, ckpt)
    data = torch.load(_resume_copy(ckpt, tmp_path / "r.pt", tmp_path / "e5", lr=5e-4, layers=7), weights_only=False)
    assert data["config"]["bert_model"] == f"{tmp_path / 'e5'}#layers=7"
    layers = sorted(int(k.split(".layer.")[1].split(".")[0]) for k in data["bert_lora"] if ".layer." in k)
    assert layers == list(range(7))
    assert "base_model.model.pooler.dense.lora_A.weight" in data["bert_lora"]
    assert all(v.dtype == torch.float32 for v in data["bert_lora"].values())


def test_wikifane_clitics_are_joined_back_onto_their_words():
    from coalition_kg.training.silver import join_clitics
    toks = "و تعتبر مدينة جوبا عاصمة ها و اكبر مدن ها ، ف قال ه . و 2011".split()
    assert join_clitics(toks) == ["وتعتبر", "مدينة", "جوبا", "عاصمتها", "واكبر", "مدنها", "،", "فقاله", ".", "و", "2011"]
    assert join_clitics(["ه", "و"]) == ["ه", "و"]          # nothing to attach to


def test_wikifane_text_is_read_without_its_labels(tmp_path):
    from coalition_kg.training.silver import read_wikifane_text
    f = tmp_path / "wf.txt"
    lines = ["\u200eزار B-Politician", "\u200eو O", "\u200eزير B-Politician", "\u200eبغداد B-Population-Center",
             "\t", "\u200eقال O", "\u200eه O", "\u200e. O"]
    f.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    assert read_wikifane_text(f) == [["زار", "وزير", "بغداد"], ["قاله", "."]]
    with pytest.raises(CorpusError, match="no such file"):
        read_wikifane_text(tmp_path / "missing.txt")


def test_silver_ner_tags_aqmar_training_files_with_the_real_tagger(tmp_path):
    """silver-ner: a teacher tags text whose own labels are never read; AQMAR's held-back quarter
    stays out; train-ner reads the file back (a broken one is one line)."""
    from coalition_kg.training.silver import read_silver
    corpus = tmp_path / "aqmar"
    corpus.mkdir()
    text = {"a.txt": "زار O\nوزير O\nالخارجية O\nالفرنسي O\nبغداد O\nأمس O\n. O\n",
            "b.txt": "وصل B-PER\nالرئيس O\nإلى O\nالقاهرة O\nصباح O\nاليوم O\n. O\n",
            "c.txt": "اجتمع O\nالوزراء O\nفي O\nروما O\nلبحث O\nالتعاون O\n. O\n",
            "d.txt": "تقع O\nمدينة O\nالموصل O\nفي O\nشمال O\nالعراق O\n. O\n"}      # d: held back
    for name, body in text.items():
        (corpus / name).write_text(body, encoding="utf-8")
    out = tmp_path / "silver.json"
    proc = run_cli("silver-ner", "--source", f"aqmar:{corpus}", "--ner-model", "lexical", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    sentences = read_silver(out)
    assert len(sentences) == 3 and not any(tok == "الموصل" for s in sentences for tok, _ in s)
    tags = {tok: tag for s in sentences for tok, tag in s}
    assert tags["بغداد"] == "B-LOC" and tags["القاهرة"] == "B-LOC" and tags["وصل"] == "O"
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(CorpusError, match="bad.json: not a silver file"):
        read_silver(bad)
    proc = run_cli("silver-ner", "--source", "news:/nowhere", "--out", str(tmp_path / "x.json"), check=False)
    assert proc.returncode != 0 and "aqmar:DIR or wikifane:FILE" in proc.stderr


def test_padded_batches_never_mix_piece_buckets():
    # a transformer tagger's batches hold sentences of one bucket (lengths rounded up to a
    # multiple of 8 pieces) only, and are bounded by that padded length
    from coalition_kg.ner import _padded_batches
    pieces = [9, 12, 16, 17, 17, 24, 25, 30]
    order = list(range(len(pieces)))
    assert list(_padded_batches(order, [5] * 8, 32, 10_000, pieces, max_pieces=100, bucket=8)) == [
        [0, 1, 2], [3, 4, 5], [6, 7]]                                 # buckets 16, 24, 32
    batches = list(_padded_batches(order, [5] * 8, 32, 10_000, pieces, max_pieces=40, bucket=8))
    assert batches == [[0, 1], [2], [3], [4], [5], [6], [7]]       # 3 x 16 and 2 x 24 pass 40
    assert all(len({-(-pieces[k] // 8) for k in b}) == 1 for b in batches)
