import dataclasses

import pytest

from inafaceanalyzer import models
from inafaceanalyzer.errors import ModelLoadError


def test_every_model_is_in_an_installed_package_with_its_checksum():
    for model in models.REGISTRY.values():
        path = model.path()
        assert path.is_file()
        assert model.package in path.parts or model.package in str(path)
        assert model.licence and model.origin


def test_wrong_checksum_is_refused():
    forged = dataclasses.replace(models.YUNET, sha256="0" * 64)
    with pytest.raises(ModelLoadError, match="sha256"):
        forged.path()


def test_missing_package_is_reported():
    absent = dataclasses.replace(models.YUNET, package="no_such_package_xyz", distribution="no-such")
    with pytest.raises(ModelLoadError, match="not installed"):
        absent.path()


def test_provenance_lists_versions_and_hashes():
    prov = models.provenance()
    assert prov["inaFaceAnalyzer"]
    assert prov["models"]["yunet"]["sha256"] == models.YUNET.sha256
    assert prov["models"]["gender"]["distribution_version"] != "not installed"


def test_cpu_fallback_when_cuda_is_requested_without_it():
    import onnxruntime as ort

    providers = models.available_providers("cuda")
    assert providers[-1] == "CPUExecutionProvider"
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        assert providers == ["CPUExecutionProvider"]
    with pytest.raises(ValueError):
        models.available_providers("tpu")
