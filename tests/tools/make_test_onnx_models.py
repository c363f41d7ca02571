#!/usr/bin/python3
"""Builds small ONNX models with the onnx package (python3-onnx) for tests/unit/test_model_files.cpp.

Usage: make_test_onnx_models.py OUTPUT_DIR
Writes the models into OUTPUT_DIR and prints, as JSON on stdout, what each one holds as onnx itself reports it
(operators, opsets, inputs and outputs, initializer elements and numpy nbytes): the oracle the C++ reader is
checked against. Exits 3 when the onnx package is missing.
"""
import json
import os
import sys

try:
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError as error:  # pragma: no cover - reported to the test, which skips
    print(f"onnx or numpy missing: {error} (apt-get install python3-onnx)", file=sys.stderr)
    sys.exit(3)


def type_name(elem_type):
    return TensorProto.DataType.Name(elem_type).lower()


def value_info(info):
    tensor = info.type.tensor_type
    shape = [d.dim_value if d.HasField("dim_value") else -1 for d in tensor.shape.dim]
    return {"name": info.name, "element_type": type_name(tensor.elem_type), "shape": shape}


def expected(model, initializers, external_bytes=0):
    """What the reader must find. `initializers` are the numpy arrays the graph's initializers were made from."""
    graph = model.graph
    operators = {}
    for node in graph.node:
        key = node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}:{node.op_type}"
        operators[key] = operators.get(key, 0) + 1
    initializer_names = {init.name for init in graph.initializer}
    tensor_types = {}
    for init in graph.initializer:
        name = type_name(init.data_type)
        tensor_types[name] = tensor_types.get(name, 0) + 1
    return {
        "name": graph.name,
        "ir_version": model.ir_version,
        "opsets": {("" if o.domain == "ai.onnx" else o.domain): o.version for o in model.opset_import},
        "operators": operators,
        "inputs": [value_info(i) for i in graph.input if i.name not in initializer_names],
        "outputs": [value_info(o) for o in graph.output],
        "parameter_count": int(sum(array.size for array in initializers)),
        "weight_bytes": int(sum(array.nbytes for array in initializers)),
        "tensor_types": tensor_types,
        "external_data_bytes": int(external_bytes),
    }


def mlp(rng, name):
    """x[batch, 64] -> MatMul -> Add -> Relu -> MatMul -> LayerNormalization (opset 17) -> y[batch, 32]."""
    arrays = {
        "w1": rng.standard_normal((64, 128)).astype(np.float32),
        "b1": rng.standard_normal((128,)).astype(np.float32),
        "w2": rng.standard_normal((128, 32)).astype(np.float32),
        "ln_scale": np.ones((32,), dtype=np.float32),
        "ln_bias": np.zeros((32,), dtype=np.float32),
    }
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["h0"]),
        helper.make_node("Add", ["h0", "b1"], ["h1"]),
        helper.make_node("Relu", ["h1"], ["h2"]),
        helper.make_node("MatMul", ["h2", "w2"], ["h3"]),
        helper.make_node("LayerNormalization", ["h3", "ln_scale", "ln_bias"], ["y"], axis=-1, epsilon=1e-5),
    ]
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 32])],
        [numpy_helper.from_array(array, key) for key, array in arrays.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="ual-tests")
    onnx.checker.check_model(model)
    return model, list(arrays.values())


def contrib(rng):
    """float16 and int64 initializers, a com.microsoft node, an If whose branches are subgraphs, and an initializer
    that is also listed as a graph input (IR < 4 style), which must not count as an input."""
    weight = rng.standard_normal((16, 16)).astype(np.float16)
    shape = np.array([1, 256], dtype=np.int64)
    then_graph = helper.make_graph([helper.make_node("Identity", ["a"], ["then_out"])], "then",
                                   [], [helper.make_tensor_value_info("then_out", TensorProto.FLOAT16, [1, 16])])
    else_graph = helper.make_graph([helper.make_node("Neg", ["a"], ["else_out"])], "else",
                                   [], [helper.make_tensor_value_info("else_out", TensorProto.FLOAT16, [1, 16])])
    nodes = [
        helper.make_node("FusedMatMul", ["x", "weight"], ["a"], domain="com.microsoft", alpha=1.0),
        helper.make_node("If", ["flag"], ["b"], then_branch=then_graph, else_branch=else_graph),
        helper.make_node("Reshape", ["b", "shape"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "contrib_graph",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT16, [1, 16]),
         helper.make_tensor_value_info("flag", TensorProto.BOOL, []),
         helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT16, [1, "n"])],
        [numpy_helper.from_array(weight, "weight"), numpy_helper.from_array(shape, "shape")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.microsoft", 1)])
    return model, [weight, shape]


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    result = {}

    model, arrays = mlp(rng, "mlp_graph")
    onnx.save_model(model, os.path.join(out, "mlp.onnx"))
    result["mlp.onnx"] = expected(model, arrays)

    model, arrays = mlp(rng, "mlp_external")
    # Every initializer in one side file; the .onnx keeps only their names, offsets and lengths.
    onnx.save_model(model, os.path.join(out, "external.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="external.onnx.data", size_threshold=0)
    result["external.onnx"] = expected(model, arrays, external_bytes=sum(a.nbytes for a in arrays))

    model, arrays = contrib(rng)
    onnx.save_model(model, os.path.join(out, "contrib.onnx"))
    result["contrib.onnx"] = expected(model, arrays)

    print(json.dumps(result, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
