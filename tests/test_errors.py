"""The project's exceptions are all defined in ``errors.py``; their old import paths still work."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import inafaceanalyzer
from inafaceanalyzer import errors

PACKAGE = Path(inafaceanalyzer.__file__).parent
# internal control flow, never seen by a caller: allowed next to the code that raises and catches them
PRIVATE_OK = {"_NotResults", "_Aborted"}


def _exception_classes(path: Path) -> list[str]:
    """Names of the classes in ``path`` that derive from something called *Error/*Exception."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            bases = [ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases]
            if any(b.endswith(("Error", "Exception")) for b in bases):
                found.append(node.name)
    return found


def test_exception_classes_are_defined_in_errors_py():
    elsewhere = {f"{p.relative_to(PACKAGE)}: {name}"
                 for p in PACKAGE.rglob("*.py") if p.name != "errors.py"
                 for name in _exception_classes(p) if name not in PRIVATE_OK}
    assert not elsewhere, f"exception classes outside errors.py: {sorted(elsewhere)}"


@pytest.mark.parametrize("module, name", [
    ("inafaceanalyzer.campaign", "JobListError"),
    ("inafaceanalyzer.campaign.joblist", "JobListError"),
    ("inafaceanalyzer.campaign", "CampaignError"),
    ("inafaceanalyzer.campaign.ray_backend", "CampaignError"),
    ("inafaceanalyzer.report", "ReportError"),
    ("inafaceanalyzer.report.build", "ReportError"),
    ("inafaceanalyzer.report.sidecar", "SidecarError"),
    ("inafaceanalyzer.live.display", "DisplayError"),
])
def test_old_import_paths_are_aliases(module, name):
    assert getattr(importlib.import_module(module), name) is getattr(errors, name)


def test_sidecar_error_is_still_a_value_error():
    assert issubclass(errors.SidecarError, ValueError)
    assert all(issubclass(getattr(errors, n), errors.InaFaceAnalyzerError)
               for n in ("JobListError", "CampaignError", "ReportError", "DisplayError"))


def test_chromium_tooling_is_not_in_the_package():
    assert not (PACKAGE / "report" / "browser.py").exists()
