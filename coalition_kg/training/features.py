"""Transformer features computed once for training a tagger over a *frozen* transformer.

Stanza's NER trainer (``--bert_model DIR`` without ``--bert_finetune``) runs the transformer
again on every batch of every epoch, although a frozen transformer gives the same features each
time.  On one CPU thread that is most of the training time.  Here every training and
development sentence goes through Stanza's own ``extract_bert_embeddings`` once (sorted by
length, so batches carry little padding); the features are stored in float16 in the work
directory (so an interrupted run does not compute them again) and Stanza's tagger reads them
from this table during training.  Inference is unchanged: the shipped tagger runs the
transformer itself.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)


def precompute(model_dir: str | Path, sentences: list[list[str]], out: Path,
               batch_words: int = 1500) -> dict:
    import torch
    from stanza.models.common.bert_embedding import extract_bert_embeddings, load_bert

    if out.is_file():
        try:                     # a cache: tensors only (weights_only), anything else is recomputed
            table = torch.load(out, map_location="cpu", weights_only=True)
        except Exception:        # torch raises many kinds on a damaged or foreign file
            table = {}
        if isinstance(table, dict) and all(tuple(s) in table for s in sentences):
            log.info("transformer features: %d sentences from %s", len(table), out)
            return table
    model, tokenizer = load_bert(str(model_dir), local_files_only=True)
    model.eval()
    unique = sorted({tuple(s) for s in sentences}, key=len)
    table, batch, n, t0 = {}, [], 0, time.time()

    def flush():
        nonlocal batch, n
        if not batch:
            return
        with torch.no_grad():
            feats = extract_bert_embeddings(str(model_dir), tokenizer, model, [list(s) for s in batch], "cpu",
                                            keep_endpoints=False, detach=True, bert_layer_mix=None)
        for s, f in zip(batch, feats):
            table[s] = f.detach().to(torch.float16).clone()
        n += sum(map(len, batch))
        batch = []
        log.info("transformer features: %d words, %.0f words/s", n, n / (time.time() - t0))

    for s in unique:
        if batch and (len(batch) + 1) * len(s) > batch_words:
            flush()
        batch.append(s)
    flush()
    tmp = out.with_suffix(".part")
    torch.save(table, tmp)
    os.replace(tmp, out)
    return table


def install(table: dict) -> None:
    """Make Stanza's NER model read the features of known sentences from ``table``."""
    import torch
    from stanza.models.ner import model as ner_model

    original = getattr(ner_model, "_coalition_kg_original_extract", ner_model.extract_bert_embeddings)
    ner_model._coalition_kg_original_extract = original

    def extract(model_name, tokenizer, model, data, device, keep_endpoints, detach=True,
                bert_layer_mix=None, peft_name=None):
        keys = [tuple(s) for s in data]
        if bert_layer_mix is None and not keep_endpoints and all(k in table for k in keys):
            return [table[k].to(device=device, dtype=torch.float32) for k in keys]
        return original(model_name, tokenizer, model, data, device, keep_endpoints, detach=detach,
                        bert_layer_mix=bert_layer_mix, peft_name=peft_name)

    ner_model.extract_bert_embeddings = extract
