#!/usr/bin/python3
"""Writes the ONNX models the ONNX Runtime engine tests run (tests/unit/test_onnxruntime_*.cpp), opset 17.

Usage: /usr/bin/python3 make_onnxruntime_test_models.py OUTPUT_DIR
  mlp.onnx        x[batch,4] -> MatMul+Add -> Relu -> MatMul -> y[batch,3]              (float32)
  attention.onnx  x[batch,6,8] -> single-head self-attention (MatMul, Softmax) + residual -> LayerNormalization
  dtypes.onnx     one input and output per element type: float64 Mul, int32 Add, int64 Neg, float16 Identity and
                  Cast to float32, bool Not, uint8 and int8 Identity
  odd_names.onnx  x[2] -> Identity -> an output named "../logits/0:1" (file-name sanitising in `ual run`)
The weights come from weights() below, which onnxruntime_oracle.py imports to compute the same math in numpy.
Uses Debian's python3-onnx and python3-numpy (the pyenv python3 first on PATH has neither).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
MODEL_DIMENSION = 8
SEQUENCE = 6


def weights():
    """Every initializer, from one seeded generator, so the oracle recomputes exactly these."""
    rng = np.random.default_rng(20240607)
    f32 = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    d = MODEL_DIMENSION
    return {
        "w1": f32(4, 8), "b1": f32(8), "w2": f32(8, 3),
        "wq": f32(d, d) * np.float32(0.5), "wk": f32(d, d) * np.float32(0.5), "wv": f32(d, d) * np.float32(0.5),
        "wo": f32(d, d) * np.float32(0.5),
        "gamma": (np.float32(1.0) + f32(d) * np.float32(0.1)), "beta": f32(d) * np.float32(0.1),
    }


def save(model, path):
    model.opset_import[0].version = OPSET
    model.ir_version = 8  # what onnx 1.12 writes for opset 17; ONNX Runtime 1.29 reads IR 3..11
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)


def make_mlp(w):
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["h0"]),
        helper.make_node("Add", ["h0", "b1"], ["h1"]),
        helper.make_node("Relu", ["h1"], ["h2"]),
        helper.make_node("MatMul", ["h2", "w2"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])],
        [numpy_helper.from_array(w[k], k) for k in ("w1", "b1", "w2")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def make_attention(w):
    d = MODEL_DIMENSION
    scale = np.array(1.0 / np.sqrt(d), dtype=np.float32)
    nodes = [
        helper.make_node("MatMul", ["x", "wq"], ["q"]),
        helper.make_node("MatMul", ["x", "wk"], ["k"]),
        helper.make_node("MatMul", ["x", "wv"], ["v"]),
        helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 2, 1]),
        helper.make_node("MatMul", ["q", "kt"], ["scores_raw"]),
        helper.make_node("Mul", ["scores_raw", "scale"], ["scores"]),
        helper.make_node("Softmax", ["scores"], ["probabilities"], axis=-1),
        helper.make_node("MatMul", ["probabilities", "v"], ["context"]),
        helper.make_node("MatMul", ["context", "wo"], ["projected"]),
        helper.make_node("Add", ["x", "projected"], ["residual"]),
        helper.make_node("LayerNormalization", ["residual", "gamma", "beta"], ["out"], axis=-1, epsilon=1e-5),
    ]
    graph = helper.make_graph(
        nodes, "attention",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", SEQUENCE, d])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["batch", SEQUENCE, d]),
         helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", SEQUENCE, SEQUENCE])],
        [numpy_helper.from_array(w[k], k) for k in ("wq", "wk", "wv", "wo", "gamma", "beta")] +
        [numpy_helper.from_array(scale, "scale")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def make_dtypes():
    def value(name, element_type):
        return helper.make_tensor_value_info(name, element_type, [2, 3])
    nodes = [
        helper.make_node("Mul", ["f64", "two_f64"], ["f64_times_two"]),
        helper.make_node("Add", ["i32", "one_i32"], ["i32_plus_one"]),
        helper.make_node("Neg", ["i64"], ["i64_negated"]),
        helper.make_node("Identity", ["f16"], ["f16_same"]),
        helper.make_node("Cast", ["f16"], ["f16_as_f32"], to=TensorProto.FLOAT),
        helper.make_node("Not", ["flags"], ["flags_negated"]),
        helper.make_node("Identity", ["u8"], ["u8_same"]),
        helper.make_node("Identity", ["i8"], ["i8_same"]),
    ]
    inputs = [value("f64", TensorProto.DOUBLE), value("i32", TensorProto.INT32), value("i64", TensorProto.INT64),
              value("f16", TensorProto.FLOAT16), value("flags", TensorProto.BOOL), value("u8", TensorProto.UINT8),
              value("i8", TensorProto.INT8)]
    outputs = [value("f64_times_two", TensorProto.DOUBLE), value("i32_plus_one", TensorProto.INT32),
               value("i64_negated", TensorProto.INT64), value("f16_same", TensorProto.FLOAT16),
               value("f16_as_f32", TensorProto.FLOAT), value("flags_negated", TensorProto.BOOL),
               value("u8_same", TensorProto.UINT8), value("i8_same", TensorProto.INT8)]
    initializers = [numpy_helper.from_array(np.array(2.0, dtype=np.float64), "two_f64"),
                    numpy_helper.from_array(np.array(1, dtype=np.int32), "one_i32")]
    graph = helper.make_graph(nodes, "dtypes", inputs, outputs, initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def make_odd_names():
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["../logits/0:1"])], "odd_names",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("../logits/0:1", TensorProto.FLOAT, [2])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    output = argv[1]
    os.makedirs(output, exist_ok=True)
    w = weights()
    save(make_mlp(w), os.path.join(output, "mlp.onnx"))
    save(make_attention(w), os.path.join(output, "attention.onnx"))
    save(make_dtypes(), os.path.join(output, "dtypes.onnx"))
    save(make_odd_names(), os.path.join(output, "odd_names.onnx"))
    print(f"wrote mlp.onnx, attention.onnx, dtypes.onnx, odd_names.onnx to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
