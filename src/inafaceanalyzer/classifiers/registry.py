"""Classifiers by name: ``--classifier NAME`` everywhere chooses from here.

Adding a classifier is one module (a class following
:class:`~inafaceanalyzer.classifiers.base.FaceClassifier`) and one line:
``register("name", MyClassifier)``. A factory is called with
``device`` (``auto``, ``cpu`` or ``cuda``) and the keyword options the
command gives (``age_flip``).
"""

from __future__ import annotations

from collections.abc import Callable

from ..registry import Registry
from .base import FaceClassifier

Factory = Callable[..., FaceClassifier]

# The default: the classifier whose tables are best with no age x gender group worse than dlib's
# beyond noise, within the cost rule (docs/classifiers.md, "Choosing the default"). The original
# inaFaceAnalyzer's classifier names are accepted on the command line as aliases.
REGISTRY: Registry[Factory] = Registry(
    "classifier", "ensemble_int8", {"DlibGenderAge": "dlib", "Vggface_LSVM_YTF": "dlib", "Resnet50FairFaceGRA": "dlib"})
DEFAULT = REGISTRY.default
ALIASES = REGISTRY.aliases
register = REGISTRY.register
names = REGISTRY.names


def create(name: str = DEFAULT, device: str = "auto", **options) -> FaceClassifier:
    """A new classifier of the registered ``name`` (or an original's alias of it)."""
    return REGISTRY.factory(name)(device=device, **options)
