"""onnxruntime int8 backend of tools/teacher.py (`--backend onnx-int8`).

The Hugging Face model is exported once with torch.onnx.export (TorchScript exporter; inputs input_ids,
attention_mask and token_type_ids when the model takes them; dynamic batch and sequence axes; output
last_hidden_state), then quantised with onnxruntime.quantization.quantize_dynamic (int8 weights, signed and per
output channel; activations quantised to uint8 at run time). Both files are cached under out/teacher-onnx/KEY/,
KEY a hash of the model directory, its files' sizes and mtimes, the quantisation options and the versions of torch,
transformers, onnx and onnxruntime, so any change rebuilds them. The caller pools and normalises the hidden states.
"""
import hashlib
import importlib.metadata
import json
import os
import shutil
import sys
import tempfile
import time

import numpy as np

from lexel_tools import ROOT

CACHE_ROOT = os.path.join(ROOT, "out", "teacher-onnx")
OPSET = 17
# Chosen on paragraphs-en rows 60000..60999 vs torch fp32, 1 thread, AVX2: pair-cosine Spearman 0.9908, 1.5x the
# rows/s. reduce_range=True: 0.9905, no faster; per-tensor: 0.946; also quantising Gather (the embeddings): 0.9906;
# onnxruntime.transformers' BERT fusions first (fused Attention): 0.9909-0.9926 but slower.
QUANT_OPTIONS = {"per_channel": True, "reduce_range": False, "weight_type": "QInt8", "op_types": ["MatMul"]}


def _cache_key(model_dir, quant):
    files = {}
    for name in sorted(os.listdir(model_dir)):
        path = os.path.join(model_dir, name)
        if os.path.isfile(path):
            st = os.stat(path)
            files[name] = [st.st_size, st.st_mtime_ns]
    versions = {p: importlib.metadata.version(p) for p in ("torch", "transformers", "onnx", "onnxruntime")}
    key = {"model_dir": os.path.realpath(model_dir), "files": files, "versions": versions, "opset": OPSET,
           "quant": quant}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16], key


def _export(model_dir, path):
    import inspect
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(model_dir, local_files_only=True, attn_implementation="eager").float().eval()
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids")
             if n in inspect.signature(model.forward).parameters]

    class Wrapper(torch.nn.Module):  # positional inputs by name, one output
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, *inputs):
            return self.model(**dict(zip(names, inputs))).last_hidden_state

    ids = torch.tensor([[101, 7592, 2088, 1010, 2088, 102], [101, 7592, 102, 0, 0, 0]])
    sample = {"input_ids": ids, "attention_mask": (ids != 0).long(), "token_type_ids": torch.zeros_like(ids)}
    axes = {n: {0: "batch", 1: "sequence"} for n in names + ["last_hidden_state"]}
    with torch.inference_mode():
        torch.onnx.export(Wrapper(), tuple(sample[n] for n in names), path, input_names=names,
                          output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=OPSET,
                          dynamo=False, do_constant_folding=True)


def _quantise(src, dst, quant):
    from onnxruntime.quantization import QuantType, quantize_dynamic
    quantize_dynamic(src, dst, per_channel=quant["per_channel"], reduce_range=quant["reduce_range"],
                     weight_type=getattr(QuantType, quant["weight_type"]), op_types_to_quantize=quant["op_types"])


def quantised_model(model_dir, quant=None):
    """Path of the cached int8 model of model_dir, building it (fp32 export, then quantisation) when absent."""
    quant = dict(QUANT_OPTIONS if quant is None else quant)
    digest, key = _cache_key(model_dir, quant)
    cache = os.path.join(CACHE_ROOT, digest)
    path = os.path.join(cache, "model.int8.onnx")
    if os.path.exists(path):
        return path
    os.makedirs(CACHE_ROOT, exist_ok=True)
    t0 = time.time()
    print(f"building {os.path.relpath(path, ROOT)} (export + quantisation, once)", file=sys.stderr, flush=True)
    tmp = tempfile.mkdtemp(prefix=digest + ".tmp-", dir=CACHE_ROOT)
    try:
        _export(model_dir, os.path.join(tmp, "model.fp32.onnx"))
        _quantise(os.path.join(tmp, "model.fp32.onnx"), os.path.join(tmp, "model.int8.onnx"), quant)
        with open(os.path.join(tmp, "key.json"), "w") as f:
            json.dump(key, f, indent=1, sort_keys=True)
        os.rename(tmp, cache)            # another process may have won the race: keep its copy
    except OSError:
        if not os.path.exists(path):
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"built in {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
    return path


class OnnxEncoder:
    """last_hidden_state of int64 (batch, sequence) input_ids and attention_mask, as float32 numpy."""

    def __init__(self, model_dir, threads, quant=None, path=None):
        import onnxruntime as ort
        self.path = path or quantised_model(model_dir, quant)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(self.path, options, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]

    def __call__(self, ids, mask):
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return self.session.run(["last_hidden_state"], {n: feed[n] for n in self.inputs})[0]
