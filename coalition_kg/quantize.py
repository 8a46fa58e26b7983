"""int8 inference for a tagger's transformer, its outlier columns kept in float32.

A transformer's activations have a few huge input dimensions (multilingual-e5-small: one column
of the FFN's input and of its output reaching 20-60 on a few tokens where the other columns stay
under 5).  PyTorch's dynamic int8 quantization scales a whole activation matrix by its largest
value, so those columns leave every other value a handful of levels (ANERcorp dev F1 of the
shipped transformer tagger 78.22 -> 74.18).  Computing just those columns in float32 — the
decomposition of LLM.int8() (Dettmers et al., 2022) — and the rest in int8 keeps the F1.

The outlier columns of each linear layer are found on a short packaged text
(``data/calibration_ar.txt``, invented news sentences) when the tagger loads.  Imported only when
``--precision int8`` is asked for (it imports torch).
"""

from __future__ import annotations

from pathlib import Path

import torch

OUTLIER_RATIO = 4.0    # a column is an outlier when its largest |value| passes 4x the median column's
OUTLIER_MOST = 4       # and at most this many columns of a linear layer are kept in float32
CALIBRATION_TEXT = Path(__file__).parent / "data" / "calibration_ar.txt"


def int8_linear(linear: torch.nn.Linear) -> torch.nn.Module:
    """``linear`` dynamically quantized to int8 the way PyTorch does it (weights per tensor,
    activations per call: one scale for the whole input matrix)."""
    return torch.ao.quantization.quantize_dynamic(torch.nn.Sequential(linear), {torch.nn.Linear},
                                                  dtype=torch.qint8)[0]


class Int8Linear(torch.nn.Module):
    """``linear`` in int8 with **one activation scale per row** (per token), its input columns
    ``cols`` (the outliers) in float32: y = s · int8(x' / s) + x[:, cols] · W[:, cols]ᵀ + b, where
    x' is x with those columns zeroed and s each row's largest |value|.

    PyTorch's dynamic int8 takes one scale (and zero point) from the whole input matrix, so a
    token's result depended on the other sentences of its batch — the same article tagged a little
    differently in another chunk, by another worker, on Dask.  Here every row is divided by its own
    largest magnitude, and one constant row (+1, −1, 0 …) is appended, so every call's range is
    exactly [−1, 1]: the same fixed scale for every batch, each token's output computed from its own
    row only (integer products are exact), and finer steps than one scale for the whole batch."""

    def __init__(self, linear: torch.nn.Linear, cols: list[int] | None = None):
        super().__init__()
        cols = cols or []
        self.register_buffer("cols", torch.tensor(cols, dtype=torch.long))
        self.register_buffer("w_cols", linear.weight.detach()[:, cols].t().contiguous())
        self.register_buffer("bias", None if linear.bias is None else linear.bias.detach().clone())
        rest = torch.nn.Linear(linear.in_features, linear.out_features, bias=False)
        with torch.no_grad():
            rest.weight.copy_(linear.weight)
            rest.weight[:, cols] = 0
        self.rest = int8_linear(rest)
        anchor = torch.zeros(1, linear.in_features)
        anchor[0, 0], anchor[0, 1] = 1.0, -1.0
        self.register_buffer("anchor", anchor)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, x.shape[-1])
        n = flat.shape[0]
        buf = torch.empty((n + 1, flat.shape[1]), dtype=flat.dtype)     # the rows, then the anchor
        body = buf[:n]
        body.copy_(flat)
        if len(self.cols):
            body.index_fill_(1, self.cols, 0.0)
        scale = torch.linalg.vector_norm(body, float("inf"), dim=1, keepdim=True).clamp_min_(1e-12)
        body.div_(scale)
        buf[n] = self.anchor[0]
        y = self.rest(buf)
        y[:n].mul_(scale)
        if len(self.cols):
            # over n + 1 rows too (the anchor's stays zero): a single row took BLAS's vector path
            # on an AVX-512 Xeon, which rounded differently from the matrix path of a batch
            cols = torch.zeros((n + 1, len(self.cols)), dtype=flat.dtype)
            torch.index_select(flat, 1, self.cols, out=cols[:n])
            y.addmm_(cols, self.w_cols)
        y = y[:n]
        if self.bias is not None:
            y.add_(self.bias)
        return y.reshape(*x.shape[:-1], y.shape[-1])


def column_maxima(model: torch.nn.Module, tokenizer, sentences: list[str]) -> dict[str, torch.Tensor]:
    """The largest |value| of every input column of every linear layer of ``model`` over
    ``sentences`` (each run alone: no padding rows)."""
    maxima: dict[str, torch.Tensor] = {}
    hooks = []
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.Linear):
            def hook(mod, args, out, name=name):
                x = args[0].detach().abs().reshape(-1, args[0].shape[-1]).amax(0)
                maxima[name] = torch.maximum(maxima[name], x) if name in maxima else x
            hooks.append(module.register_forward_hook(hook))
    was_training = model.training
    model.eval()          # no dropout: after loading its adapters the model is in training mode
    try:
        with torch.no_grad():
            for text in sentences:
                enc = tokenizer(text, return_tensors="pt", truncation=True, max_length=256)
                model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    return maxima


def outlier_columns(maxima: torch.Tensor, ratio: float = OUTLIER_RATIO, most: int = OUTLIER_MOST) -> list[int]:
    """The input columns whose largest |value| passes ``ratio`` times the median column's (at
    most the ``most`` largest)."""
    median = float(maxima.median())
    top = torch.argsort(maxima, descending=True)[:most]
    return sorted(int(c) for c in top if float(maxima[c]) > ratio * median)


def calibration_sentences() -> list[str]:
    return [line.strip() for line in CALIBRATION_TEXT.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def quantize_int8(model: torch.nn.Module, tokenizer, sentences: list[str] | None = None) -> dict:
    """Make ``model``'s linear layers int8, in place, each one's outlier input columns
    (:func:`outlier_columns` over ``sentences``, default the packaged calibration text) kept in
    float32.  A layer the calibration never ran through (a skipped last layer) stays as it is.
    Returns ``{"linear": layers quantized, "split": those with float32 columns}``."""
    maxima = column_maxima(model, tokenizer, sentences or calibration_sentences())
    done = {"linear": 0, "split": 0}
    for name, module in list(model.named_modules()):
        if not isinstance(module, torch.nn.Linear) or name not in maxima:
            continue
        cols = outlier_columns(maxima[name])
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, Int8Linear(module, cols))
        done["linear"] += 1
        done["split"] += bool(cols)
    return done
