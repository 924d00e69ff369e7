#!/usr/bin/env python3
"""Build ``weights/faceres-deep-int8.onnx``: the shipped fp32 faceres-deep quantized to int8.

Reproduce the shipped file (the project's virtualenv plus ``pip install '.[quantize]'``,
i.e. the ``onnx`` package; ``../shared`` present for the calibration faces)::

    python tools/quantize_faceres.py -o src/inafaceanalyzer/weights/faceres-deep-int8.onnx --check

Steps:

1. the fp32 file the package ships (``weights/faceres-deep.onnx``, sha256 checked);
2. its batch normalisations folded into the convolutions (ONNX Runtime's basic
   graph optimisations, written back as a standard ONNX file: the depthwise
   convolutions are followed by a separate Mul and Add, which quantized apart
   from the convolution lose most of its precision);
3. calibration faces: YuNet and dlib's aligner (the package's own) on the
   sample media whose licences allow it (``../shared/media``: the Creative
   Commons photos of ``images/``, the CC-BY 4.0 Intel GIFs and the
   Pexels-licensed clip of ``videos/``, at 5 frames per second); no UTKFace
   face (non-commercial terms, and the set the result is checked on);
4. ONNX Runtime's static quantization, QDQ format: weights int8 per output
   channel, activations uint8 per tensor (min-max ranges over the calibration
   faces). Left in fp32: the three small dense heads (``feats``,
   ``gender_pred``, ``age_pred``), the pooled descriptor and the output
   softmax and sigmoid (quantized, the 100 age probabilities were rounded to
   steps of 1/255 and every age came out younger), and the convolutions of
   ``FP32_CONVS`` (none; with the ReLU6 feeding each, see ``fp32_nodes``);
5. bias correction (``correct_biases``): each convolution's fp32 bias minus the
   mean shift its int8 weights' rounding causes on the calibration faces, then
   step 4 again. Inputs and outputs are unchanged (``input``; ``male``,
   ``age``, ``descriptor``).

``--check`` then runs both files on the calibration faces and, when present,
on the UTKFace dev faces, and prints the largest and mean differences
(probability of male and gender flips, expected age, cosine of the descriptors).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from inafaceanalyzer.classification.alignment import FaceAligner  # noqa: E402
from inafaceanalyzer.classifiers.faceres import AGES, CHIP, network_input  # noqa: E402
from inafaceanalyzer.detection import WholeFrameDetector, YuNetDetector  # noqa: E402
from inafaceanalyzer.media.images import load_image  # noqa: E402
from inafaceanalyzer.media.video import VideoReader  # noqa: E402
from inafaceanalyzer.models import FACERES  # noqa: E402

CALIBRATION_PHOTOS = ("1328360239_e56cc26d26_o.jpg", "1546923312_7cc94957e8_o.jpg", "800px-India_(236650352).jpg",
                      "Europa21_-_2.jpg", "dknuth.jpg")  # media/images: Creative Commons (SOURCES.md)
CALIBRATION_VIDEOS = ("pexels-ron-lach-7817602.mp4",  # Pexels licence
                      "intel-head-pose-face-detection-female-and-male.gif",  # CC-BY 4.0, Intel sample videos
                      "intel-face-demographics-walking-and-pause.gif", "intel-classroom.gif")
CALIBRATION_FPS = 5.0
FP32_HEADS = ("feats/Relu/MatMulAddFusion", "gender_pred/BiasAdd/MatMulAddFusion", "age_pred/BiasAdd/MatMulAddFusion",
              # the pooled descriptor and the output probabilities: quantized, the 100 age probabilities
              # were rounded to steps of 1/255 (the small ones to 0), which made every expected age younger
              "global_pooling/Mean", "global_pooling/Mean_Squeeze__58", "age_pred/Softmax", "gender_pred/Sigmoid")
# Convolutions to leave in fp32: none once the biases are corrected (benchmarks/faceres_int8_scan.py measures
# leaving some out; the first convolution and depthwise 1 and 7 brought the flips from 11 to about 2 for 1.2x the time).
FP32_CONVS: tuple[str, ...] = ()
BATCH = 8


def calibration_chips(media: Path) -> np.ndarray:
    """faceres chips of every face YuNet finds in the calibration media, ``[N, 224, 224, 3]`` RGB uint8."""
    detector, aligner = YuNetDetector(), FaceAligner((CHIP,))
    chips: list[np.ndarray] = []

    def add(image: np.ndarray) -> None:
        chips.extend(aligner.chips(image, detector.landmark_box(d.bbox))[CHIP] for d in detector(image))

    for name in CALIBRATION_PHOTOS:
        add(load_image(str(media / "images" / name)))
    for name in CALIBRATION_VIDEOS:
        with VideoReader(str(media / "videos" / name)) as reader:
            for frame in reader.frames(fps=CALIBRATION_FPS):
                add(frame.image)
    return np.stack(chips)


def dev_chips(dataset: Path, limit: int) -> np.ndarray:
    """faceres chips of the first ``limit`` UTKFace dev faces (the evaluation's ``--faces cropped``)."""
    import pandas as pd

    box, aligner = WholeFrameDetector(), FaceAligner((CHIP,))
    chips = []
    for path in pd.read_csv(dataset / "labels.csv").path[:limit]:
        image = load_image(str(dataset / path))
        chips.append(aligner.chips(image, box.landmark_box(box(image)[0].bbox))[CHIP])
    return np.stack(chips)


def fold_batch_norms(src: Path, dst: Path) -> None:
    """ONNX Runtime's basic optimisations (constant folding, Conv+Mul+Add fusion), saved as ONNX."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = str(dst)
    ort.InferenceSession(str(src), options, providers=["CPUExecutionProvider"])


def fp32_nodes(model: Path, convs: tuple[str, ...] = FP32_CONVS) -> list[str]:
    """The nodes left in fp32: the heads, ``convs``, and the ReLU6 (Clip) feeding each of ``convs``.

    Left quantized, that Clip would hand the convolution a dequantized input, and ONNX Runtime's
    WeightBiasQuantization graph optimisation (1.2x, on by default) would then quantize the
    convolution's fp32 weights itself, per tensor: far worse than the int8 per channel it replaced.
    """
    import onnx

    graph = onnx.load(str(model)).graph
    producer = {name: node for node in graph.node for name in node.output}
    nodes = list(FP32_HEADS)
    for node in graph.node:
        if node.name in convs:
            before = producer.get(node.input[0])
            nodes += [node.name] + ([before.name] if before is not None and before.op_type == "Clip" else [])
    return nodes


def input_means(model: Path, tensors: list[str], chips: np.ndarray) -> dict[str, np.ndarray]:
    """Mean of each of ``tensors`` (``[N, C, H, W]``) per channel over the calibration chips, in fp32."""
    import onnx
    import onnxruntime as ort

    proto = onnx.load(str(model))
    proto.graph.output.extend(onnx.helper.make_tensor_value_info(t, onnx.TensorProto.FLOAT, None) for t in tensors)
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    sums: dict[str, np.ndarray] = {}
    counts: dict[str, int] = {}
    for i in range(0, len(chips), BATCH):
        outs = session.run(tensors, {"input": network_input(chips[i:i + BATCH])})
        for t, out in zip(tensors, outs, strict=True):
            sums[t] = sums.get(t, 0) + out.astype(np.float64).sum(axis=(0, 2, 3))
            counts[t] = counts.get(t, 0) + out.shape[0] * out.shape[2] * out.shape[3]
    return {t: sums[t] / counts[t] for t in tensors}


def correct_biases(inferred: Path, int8: Path, chips: np.ndarray, dst: Path) -> None:
    """``inferred`` with each quantized convolution's bias corrected for its weights' rounding.

    The rounding error of the int8 weights, ``dW``, shifts each output channel's mean by
    ``dW . E[input]``; subtracting that shift (measured with the calibration faces' mean input
    per channel) from the fp32 bias removes it (Nagel et al. 2019, "Data-free quantization",
    empirical bias correction). ``int8`` is a first quantization of ``inferred``, whose weights
    the second one, from ``dst``, reproduces: they depend on the weights only.
    """
    import onnx
    from onnx import numpy_helper

    model, quantized = onnx.load(str(inferred)), onnx.load(str(int8))
    weights = {t.name: t for t in model.graph.initializer}
    q_values = {t.name: numpy_helper.to_array(t) for t in quantized.graph.initializer}
    q_producer = {name: node for node in quantized.graph.node for name in node.output}
    q_convs = {node.name: node for node in quantized.graph.node if node.op_type == "Conv"}
    convs = [node for node in model.graph.node if node.op_type == "Conv" and node.name in q_convs
             and q_producer.get(q_convs[node.name].input[1], onnx.NodeProto()).op_type == "DequantizeLinear"]
    means = input_means(inferred, [node.input[0] for node in convs], chips)
    for node in convs:
        dq = q_producer[q_convs[node.name].input[1]]
        shape = (-1, 1, 1, 1)
        scale, zero = (np.reshape(q_values[name], shape) for name in dq.input[1:3])
        w = numpy_helper.to_array(weights[node.input[1]])
        error = (q_values[dq.input[0]].astype(np.float64) - zero) * scale - w  # [O, I/groups, kh, kw]
        mean = means[node.input[0]]
        if error.shape[1] == 1 and len(mean) == error.shape[0] > 1:  # depthwise: output c reads input c
            shift = error.sum(axis=(1, 2, 3)) * mean
        else:
            shift = np.einsum("oikl,i->o", error, mean)
        bias = weights[node.input[2]]
        bias.CopyFrom(numpy_helper.from_array((numpy_helper.to_array(bias) - shift).astype(np.float32), bias.name))
    onnx.save(model, str(dst))


def quantize(fp32: Path, out: Path, chips: np.ndarray, convs: tuple[str, ...] = FP32_CONVS) -> None:
    """Fold, quantize, correct the biases and quantize again ``fp32`` into ``out`` (QDQ); ``convs``
    and the heads left in fp32."""
    from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.batches: Iterator[np.ndarray] = (chips[i:i + BATCH] for i in range(0, len(chips), BATCH))

        def get_next(self) -> dict | None:
            batch = next(self.batches, None)
            return None if batch is None else {"input": network_input(batch)}

    def static(src: Path, dst: Path) -> None:
        quantize_static(str(src), str(dst), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax, nodes_to_exclude=fp32_nodes(src, convs))

    with tempfile.TemporaryDirectory() as tmp:
        folded, inferred = Path(tmp) / "folded.onnx", Path(tmp) / "inferred.onnx"
        first, corrected = Path(tmp) / "first.onnx", Path(tmp) / "corrected.onnx"
        fold_batch_norms(fp32, folded)
        quant_pre_process(str(folded), str(inferred), skip_optimization=True, skip_symbolic_shape=True)
        static(inferred, first)
        correct_biases(inferred, first, chips, corrected)
        partial = out.with_suffix(".part.onnx")
        static(corrected, partial)
        partial.replace(out)


def run(path: Path, chips: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    outs = [session.run(["male", "age", "descriptor"], {"input": network_input(chips[i:i + 32])})
            for i in range(0, len(chips), 32)]
    male, age, descriptor = (np.concatenate([o[k] for o in outs]) for k in range(3))
    return male[:, 0], age @ AGES, descriptor


def compare(fp32: Path, int8: Path, chips: np.ndarray, what: str) -> None:
    (m0, a0, d0), (m1, a1, d1) = run(fp32, chips), run(int8, chips)
    cosine = (d0 * d1).sum(1) / np.linalg.norm(d0, axis=1) / np.linalg.norm(d1, axis=1)
    flips = int(((m0 > 0.5) != (m1 > 0.5)).sum())
    print(f"{what}: {len(chips)} faces; p(male) largest difference {np.abs(m1 - m0).max():.3f} "
          f"(mean {np.abs(m1 - m0).mean():.4f}, {flips} gender flips); expected age largest difference "
          f"{np.abs(a1 - a0).max():.2f} years (mean {np.abs(a1 - a0).mean():.2f}, signed {(a1 - a0).mean():+.2f}); "
          f"descriptor cosine "
          f"min {cosine.min():.3f}, mean {cosine.mean():.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="the shared data folder")
    ap.add_argument("--check", action="store_true", help="compare with the fp32 file (see above)")
    ap.add_argument("--dev_limit", type=int, default=2000, help="UTKFace dev faces for --check")
    args = ap.parse_args()
    fp32 = FACERES.path()
    chips = calibration_chips(args.shared / "media")
    quantize(fp32, args.output, chips)
    print(f"{args.output}: sha256 {hashlib.sha256(args.output.read_bytes()).hexdigest()} "
          f"({args.output.stat().st_size} bytes; {len(chips)} calibration faces)")
    if args.check:
        compare(fp32, args.output, chips, "calibration faces")
        dataset = args.shared / "datasets" / "utkface-dev"
        if (dataset / "labels.csv").is_file():
            compare(fp32, args.output, dev_chips(dataset, args.dev_limit), "UTKFace dev faces (held out)")


if __name__ == "__main__":
    main()
