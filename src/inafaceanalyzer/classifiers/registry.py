"""Classifiers by name: ``--classifier NAME`` everywhere chooses from here.

Adding a classifier is one module (a class following
:class:`~inafaceanalyzer.classifiers.base.FaceClassifier`) and one line:
``register("name", MyClassifier)``. A factory is called with
``device`` (``auto``, ``cpu`` or ``cuda``) and the keyword options the
command gives (``age_flip``).
"""

from __future__ import annotations

from collections.abc import Callable

from .base import FaceClassifier

Factory = Callable[..., FaceClassifier]

DEFAULT = "dlib"
# the original inaFaceAnalyzer's classifier names, accepted on the command line
ALIASES = {"DlibGenderAge": "dlib", "Vggface_LSVM_YTF": "dlib", "Resnet50FairFaceGRA": "dlib"}

_FACTORIES: dict[str, Factory] = {}


def register(name: str, factory: Factory) -> None:
    """Make ``factory`` available as ``name`` (``--classifier name``)."""
    _FACTORIES[name] = factory


def names() -> list[str]:
    """The registered classifier names, the default first."""
    return sorted(_FACTORIES, key=lambda n: (n != DEFAULT, n))


def create(name: str = DEFAULT, device: str = "auto", **options) -> FaceClassifier:
    """A new classifier of the registered ``name`` (or an original's alias of it)."""
    key = ALIASES.get(name, name)
    if key not in _FACTORIES:
        raise ValueError(f"unknown classifier {name!r}: choose from {', '.join(names())}")
    return _FACTORIES[key](device=device, **options)
