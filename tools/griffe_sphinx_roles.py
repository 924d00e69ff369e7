"""Griffe extension for the API pages: the docstrings' reST read as Markdown.

The docstrings use reST/Sphinx cross-reference roles (``:class:`~pkg.mod.Name```,
``:func:`name```, ...), which Markdown would show verbatim. This rewrites each one as
inline code: ``Name`` (a leading ``~`` keeps the last component, as Sphinx does), or the
full dotted path. A literal block's ``text::`` marker becomes ``text:`` (a lone ``::`` line
goes), as Sphinx shows it; the indented block after it is already Markdown code.
Registered in ``mkdocs.yml`` (mkdocstrings' python handler, ``extensions``).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

LITERAL = re.compile(r"^(.*?)\s*::[ \t]*$", flags=re.M)
ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|data|attr|exc|obj|const|ref):`(~?)([^`]+)`")


def render_roles(text: str) -> str:
    """``text`` with every Sphinx role replaced by inline Markdown code."""
    def code(match: re.Match[str]) -> str:
        target = match.group(2).strip()
        if "<" in target and target.endswith(">"):  # :ref:`title <target>`
            target = target.split("<", 1)[0].strip()
        return f"`{target.rsplit('.', 1)[-1] if match.group(1) else target}`"

    text = ROLE.sub(code, text)
    return LITERAL.sub(lambda m: "" if not m.group(1).strip() else m.group(1).rstrip() + ":", text)


class SphinxRoles(griffe.Extension):
    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = render_roles(obj.docstring.value)
