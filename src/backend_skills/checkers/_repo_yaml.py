"""YAML and shell text in the repository's configuration files, read safely.

:func:`load_yaml` reads a document with a safe loader that keeps unknown tags as plain
data and bounds the file size; :func:`yaml_strings` collects a document's string values
(alias bombs cost nothing); :func:`commands_in` cuts CI strings into single commands.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from backend_skills.checkers._repo_text import MAX_YAML_BYTES, MAX_YAML_STRINGS
from backend_skills.core.discovery import SourceFile

if TYPE_CHECKING:
    import yaml


@functools.cache
def _tolerant_loader() -> type[yaml.SafeLoader]:
    """A safe loader that reads unknown tags (GitLab's ``!reference``) as plain data.

    Built on first use: PyYAML takes 8 ms to import, which a warm run never needs."""
    import yaml

    class TolerantLoader(yaml.SafeLoader):
        pass

    def plain(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return loader.construct_scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node)
        return None

    TolerantLoader.add_multi_constructor("!", plain)
    return TolerantLoader


def load_yaml(f: SourceFile) -> tuple[Any, str | None]:
    """The YAML document in ``f`` (first one), or None and a one-line reason."""
    if f.size > MAX_YAML_BYTES:
        return None, f"YAML file larger than {MAX_YAML_BYTES} bytes; not parsed"
    import yaml

    try:
        docs = list(yaml.load_all(f.text, Loader=_tolerant_loader()))  # nosec B506 - SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark
        line = min(mark.line + 1, max(f.lines, 1)) if mark is not None else None
        where = f" at line {line}" if line is not None else ""
        return None, f"invalid YAML{where}: {exc.problem or 'parse error'}"
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        return None, f"invalid YAML: {type(exc).__name__}"
    data = next((d for d in docs if d is not None), None)
    return data, None


_LABEL_KEYS = frozenset({"name", "description", "displayname", "title", "label", "summary"})


def yaml_strings(data: Any) -> list[str]:
    """Every string value in a YAML document (not keys, not labels such as ``name``).

    Shared anchors are visited once, so an alias bomb costs nothing.
    """
    out: list[str] = []
    seen: set[int] = set()
    stack: list[Any] = [data]
    while stack and len(out) < MAX_YAML_STRINGS:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict | list):
            if id(item) in seen:
                continue
            seen.add(id(item))
            if isinstance(item, dict):
                for key, value in item.items():
                    if isinstance(key, str) and key.lower() in _LABEL_KEYS:
                        continue
                    stack.append(value)
            else:
                stack.extend(item)
    return out


_INSTALL_STEP = re.compile(
    r"\b(pip3?|pipx|uv\s+pip|uv\s+tool|poetry|pdm|conda|npm|yarn|pnpm|apt(-get)?|brew|gem|go)\s+"
    r"(install|add|get)\b",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\n|&&|\|\||;|\|")


def commands_in(strings: Iterable[str]) -> list[str]:
    """Single commands from CI strings, without package installs (``pip install pytest``
    names pytest but does not run it)."""
    out = []
    for s in strings:
        for command in _SPLIT.split(s):
            command = command.strip()
            if command and not command.startswith("#") and not _INSTALL_STEP.search(command):
                out.append(command)
    return out
