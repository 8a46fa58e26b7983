"""AQMAR as an out-of-domain test set, long training sentences cut for fine-tuning, and the
transformer's precision switch."""

import json

import pytest

from coalition_kg.ner import ModelError, precision_choice
from coalition_kg.training.anercorp import cap_sentences
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


def test_long_training_sentences_are_cut_outside_entities():
    sent = [(f"w{i}", "O") for i in range(9)] + [("a", "B-ORG"), ("b", "I-ORG"), ("c", "I-ORG")] + \
        [(f"v{i}", "O") for i in range(8)]
    pieces = cap_sentences([sent], max_words=10)
    assert [t for p in pieces for t in p] == sent                  # nothing lost, order kept
    assert all(len(p) <= 10 for p in pieces)
    assert pieces[0][-1] == ("w8", "O") and pieces[1][0] == ("a", "B-ORG")   # not inside the ORG
    assert cap_sentences([sent[:5]], max_words=10) == [sent[:5]]


def test_precision_switch(monkeypatch):
    monkeypatch.delenv("COALITION_KG_NER_PRECISION", raising=False)
    monkeypatch.delenv("COALITION_KG_NER_INT8", raising=False)
    assert precision_choice() == "bf16"
    assert precision_choice("fp32") == "fp32" and precision_choice(quantize=True) == "int8"
    monkeypatch.setenv("COALITION_KG_NER_INT8", "1")
    assert precision_choice() == "int8"
    monkeypatch.setenv("COALITION_KG_NER_PRECISION", "fp16")
    with pytest.raises(ModelError, match="COALITION_KG_NER_PRECISION='fp16': expected one of bf16, fp32, int8"):
        precision_choice()
