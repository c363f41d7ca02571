#!/usr/bin/python3
"""The numpy oracle for the ONNX Runtime engine tests: writes each test model's inputs and the outputs the same math
gives in numpy (float64 accumulation, rounded to the model's type), as .npy files named <model>.<tensor>.npy.

Usage: /usr/bin/python3 onnxruntime_oracle.py OUTPUT_DIR
Inputs:   mlp.x (batch 5), attention.x (batch 2), dtypes.<input>
Expected: mlp.y, attention.out, attention.probabilities, dtypes.<output>
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_onnxruntime_test_models import MODEL_DIMENSION, SEQUENCE, weights  # noqa: E402


def mlp(w, x):
    h = np.maximum(x.astype(np.float64) @ w["w1"] + w["b1"], 0.0)
    return (h @ w["w2"]).astype(np.float32)


def softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def attention(w, x):
    x = x.astype(np.float64)
    q, k, v = x @ w["wq"], x @ w["wk"], x @ w["wv"]
    probabilities = softmax((q @ k.transpose(0, 2, 1)) / np.sqrt(MODEL_DIMENSION))
    residual = x + (probabilities @ v) @ w["wo"]
    mean = residual.mean(axis=-1, keepdims=True)
    variance = ((residual - mean) ** 2).mean(axis=-1, keepdims=True)
    out = (residual - mean) / np.sqrt(variance + 1e-5) * w["gamma"] + w["beta"]
    return out.astype(np.float32), probabilities.astype(np.float32)


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    output = argv[1]
    os.makedirs(output, exist_ok=True)
    rng = np.random.default_rng(7)
    w = weights()
    files = {}

    x = rng.standard_normal((5, 4)).astype(np.float32)
    files["mlp.x"], files["mlp.y"] = x, mlp(w, x)

    x = rng.standard_normal((2, SEQUENCE, MODEL_DIMENSION)).astype(np.float32)
    files["attention.x"] = x
    files["attention.out"], files["attention.probabilities"] = attention(w, x)

    inputs = {
        "f64": rng.standard_normal((2, 3)),
        "i32": rng.integers(-1000, 1000, (2, 3), dtype=np.int32),
        "i64": rng.integers(-(2**40), 2**40, (2, 3), dtype=np.int64),
        "f16": rng.standard_normal((2, 3)).astype(np.float16),
        "flags": rng.integers(0, 2, (2, 3)).astype(np.bool_),
        "u8": rng.integers(0, 256, (2, 3), dtype=np.uint8),
        "i8": rng.integers(-128, 128, (2, 3), dtype=np.int8),
    }
    expected = {
        "f64_times_two": inputs["f64"] * 2.0,
        "i32_plus_one": inputs["i32"] + np.int32(1),
        "i64_negated": -inputs["i64"],
        "f16_same": inputs["f16"],
        "f16_as_f32": inputs["f16"].astype(np.float32),
        "flags_negated": np.logical_not(inputs["flags"]),
        "u8_same": inputs["u8"],
        "i8_same": inputs["i8"],
    }
    for name, array in list(inputs.items()) + list(expected.items()):
        files["dtypes." + name] = array

    for name, array in files.items():
        np.save(os.path.join(output, name + ".npy"), np.ascontiguousarray(array))
    print(f"wrote {len(files)} arrays to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
