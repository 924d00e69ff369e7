"""Named factories of one kind (classifiers, face detectors), with the original's aliases.

Each extension point keeps one :class:`Registry`; an entry is one line,
``register("name", factory)``, and ``--classifier`` / ``--face_detector``
choose from ``names()`` plus the aliases.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Generic, TypeVar

F = TypeVar("F")


class Registry(Generic[F]):
    """Factories of one ``kind`` by name; ``default`` first in :meth:`names`; ``aliases`` map other names to them."""

    def __init__(self, kind: str, default: str, aliases: Mapping[str, str] | None = None) -> None:
        self.kind = kind
        self.default = default
        self.aliases = dict(aliases or {})
        self._factories: dict[str, F] = {}

    def register(self, name: str, factory: F) -> None:
        """Make ``factory`` available as ``name``."""
        self._factories[name] = factory

    def names(self) -> list[str]:
        """The registered names, the default first."""
        return sorted(self._factories, key=lambda n: (n != self.default, n))

    def canonical(self, name: str) -> str:
        """The registered name ``name`` stands for (itself, or the one an alias maps to)."""
        key = self.aliases.get(name, name)
        if key not in self._factories:
            raise ValueError(f"unknown {self.kind} {name!r}: choose from {', '.join(self.names())}")
        return key

    def factory(self, name: str) -> F:
        """The factory registered as ``name`` (or an alias of it); ``ValueError`` naming the choices otherwise."""
        return self._factories[self.canonical(name)]
