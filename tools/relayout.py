"""Point the package's imports at the new module paths (issue 14's layout), for merging older branches.

The former flat modules (``pipeline.py``, ``cli/analyze.py``, ...) are aliases: each one's
``sys.modules[__name__] = importlib.import_module("<new>")`` line names its new module, and this tool
reads the mapping from those lines. It rewrites every ``from ... import`` under ``src/inafaceanalyzer``
that targets an alias so that it targets the new module instead (idempotent)::

    python tools/relayout.py

A branch written before the move changed an old flat module: on the merge conflict, put that branch's
version at the new path and keep the alias, then rewrite it, its relative imports read from the old path::

    git show OTHER:src/inafaceanalyzer/pipeline.py > src/inafaceanalyzer/engines/pipeline.py
    git checkout --ours src/inafaceanalyzer/pipeline.py
    python tools/relayout.py --was src/inafaceanalyzer/engines/pipeline.py=inafaceanalyzer.pipeline
"""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
ALIAS = re.compile(r'^\s*sys\.modules\[__name__\] = importlib\.import_module\("([\w.]+)"\)', re.M)


def module_of(path: Path) -> tuple[str, bool]:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path.name == "__init__.py"


def aliases() -> dict[str, str]:
    found = {}
    for path in (SRC / "inafaceanalyzer").rglob("*.py"):
        match = ALIAS.search(path.read_text(encoding="utf-8"))
        if match:
            found[module_of(path)[0]] = match.group(1)
    return found


def relative(target: str, package: list[str]) -> str:
    parts, common = target.split("."), 0
    while common < min(len(package), len(parts)) and package[common] == parts[common]:
        common += 1
    return "." * (len(package) - common + 1) + ".".join(parts[common:])


def rewrite(path: Path, mapping: dict[str, str], was: str | None = None) -> bool:
    """Rewrite ``path``'s imports of an alias; ``was``: the module name its relative imports were written for."""
    name, is_package = module_of(path)
    here = name.split(".") if is_package else name.split(".")[:-1]
    old = (was.split(".") if is_package else was.split(".")[:-1]) if was else here
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.ImportFrom) or not (node.level or (node.module or "").startswith("inafaceanalyzer")):
            continue
        target = ".".join(old[: len(old) - node.level + 1] + [node.module or ""]).rstrip(".") if node.level \
            else node.module or ""
        names = [f"{target}.{a.name}" for a in node.names]
        if any(n in mapping for n in names):  # ``from . import pipeline``: the new module's package
            target = {mapping[n].rpartition(".")[0] if n in mapping else target for n in names}.pop()
        target = mapping.get(target, target)
        new = relative(target, here) if node.level else target
        lines[node.lineno - 1] = re.sub(r"^(\s*from\s+)\S+(\s+import\b)", lambda m, new=new: m.group(1) + new + m.group(2),
                                        lines[node.lineno - 1])
    out = "\n".join(lines)
    if out != text:
        path.write_text(out, encoding="utf-8")
    return out != text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--was", action="append", default=[], metavar="FILE=OLD.MODULE",
                        help="a file now at its new path whose relative imports were written for OLD.MODULE")
    args = parser.parse_args()
    mapping = aliases()
    was = {Path(f).resolve(): m for f, m in (w.split("=", 1) for w in args.was)}
    for path in sorted((SRC / "inafaceanalyzer").rglob("*.py")):
        if module_of(path)[0] not in mapping and rewrite(path, mapping, was.get(path.resolve())):
            print(path.relative_to(SRC))  # noqa: T201 (a tool)


if __name__ == "__main__":
    main()
