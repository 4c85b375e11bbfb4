"""sqlfluff for untrusted repositories: which configuration it may use, bounded Jinja.

The scored repository writes sqlfluff's configuration (``.sqlfluff``, ``setup.cfg``,
``tox.ini``, ``pep8.ini``, ``[tool.sqlfluff]`` in ``pyproject.toml``, per folder) and
inline ``-- sqlfluff:`` comments in every SQL file. sqlfluff trusts both: a
``library_path`` imports Python, ``loader_search_path`` lets ``{% include %}`` read any
file, ``templater = python|dbt`` runs code, a ``*_regex`` option backtracks, and
``large_file_skip_byte_limit = 0`` or ``max_parse_nodes = 0`` lift its resource caps.

So every configuration source, inline comments included, goes through one allowlist
(:func:`filter_config`): rule selection and rule options (``*_regex`` excepted), the
dialect, layout and indentation, capitalisation policies, ``max_line_length``, the
templater when it is ``raw``, ``jinja`` or ``placeholder``, Jinja context values and
delimiters. Everything else is dropped and named in the report's notes.

Jinja is rendered by :class:`BoundedJinjaTemplater`: sqlfluff's Jinja templater with
no library, no loader and no macro paths whatever the configuration, dbt's builtins
always on, in a sandbox that counts every operation and every character it creates
(:class:`Budget`). A template over the budget fails to render and the file is
reported *not analysed* with the reason, never clean.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

#: Largest string, list or mapping one template operation may produce (characters/items).
MAX_VALUE = 200_000
#: Largest integer argument of a call or filter inside a template.
MAX_INT_ARG = MAX_VALUE
#: Largest integer a template may compute, in bits.
MAX_INT_BITS = 4_096
#: Largest ``range()`` inside a template.
MAX_RANGE = 10_000
#: Operations (calls, filters, operators, attribute reads, range items) per SQL file.
MAX_OPERATIONS = 1_000_000
#: Characters created (values and output) per SQL file: about 100 MB at worst.
MAX_CHARACTERS = 25_000_000
#: Largest configuration value (a Jinja context value, a rule option) in characters.
MAX_CONFIG_VALUE = 10_000

BUDGET_MARK = "over the limits for untrusted templates"

#: Templaters that run nothing from the scored repository (inside the bounded sandbox).
SAFE_TEMPLATERS = frozenset({"raw", "jinja", "placeholder"})

#: ``core`` keys a repository may set.
CORE_KEYS = frozenset(
    {
        "dialect",
        "templater",
        "rules",
        "exclude_rules",
        "warnings",
        "warn_unused_ignores",
        "max_line_length",
        "ignore_templated_areas",
        "disable_noqa",
        "disable_noqa_except",
        "sql_file_exts",
        "encoding",
        "fix_even_unparsable",
        "large_file_skip_byte_limit",  # only lowered: see filter_config
        "template_blocks_indent",
    }
)
#: ``templater:jinja`` keys a repository may set (``context`` and ``macros`` are tables).
JINJA_KEYS = frozenset(
    {
        "variable_start_string",
        "variable_end_string",
        "block_start_string",
        "block_end_string",
        "comment_start_string",
        "comment_end_string",
    }
)
JINJA_TABLES = frozenset({"context", "macros"})
PLACEHOLDER_KEYS = frozenset({"param_style"})
#: Sections whose keys (and sub-tables) are all options of rules or of the layout.
OPEN_SECTIONS = frozenset({"rules", "layout", "indentation"})

_Scalar = str | int | float | bool | None


def _scalar(value: Any, limit: int = MAX_CONFIG_VALUE) -> bool:
    if isinstance(value, str):
        return len(value) <= limit
    if isinstance(value, list):  # sqlfluff keeps comma lists as lists sometimes
        return len(value) <= 1000 and all(_scalar(v, limit) for v in value)
    return value is None or isinstance(value, bool | int | float)


def filter_config(
    config: Mapping[str, Any], byte_limit_cap: int | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The part of a sqlfluff config mapping a repository may set, and the dropped keys.

    ``byte_limit_cap``: ``large_file_skip_byte_limit`` may lower this cap, never raise
    or remove it.
    """
    kept: dict[str, Any] = {}
    dropped: list[str] = []

    def drop(*path: str) -> None:
        dropped.append(":".join(path))

    for section, body in config.items():
        if not isinstance(body, Mapping):
            drop(str(section))
            continue
        if section == "core":
            kept["core"] = _core_section(body, byte_limit_cap, dropped)
        elif section in OPEN_SECTIONS:
            kept[section] = _open_section(body, (section,), dropped)
        elif section == "templater":
            kept[section] = _templater_section(body, dropped)
        else:
            drop(str(section))
    return kept, dropped


def _core_section(
    body: Mapping[str, Any], byte_limit_cap: int | None, dropped: list[str]
) -> dict[str, Any]:
    """The ``[sqlfluff]`` keys a repository may set: no unsafe templater, and a
    ``large_file_skip_byte_limit`` that may only lower ``byte_limit_cap``."""
    core: dict[str, Any] = {}
    for key, value in body.items():
        if key not in CORE_KEYS or not _scalar(value):
            dropped.append(f"core:{key}")
        elif key == "templater" and str(value) not in SAFE_TEMPLATERS:
            dropped.append(f"core:templater={value}")
        elif key == "large_file_skip_byte_limit":
            limit = _lowered_limit(value, byte_limit_cap, dropped)
            if limit is not None:
                core[key] = limit
        else:
            core[key] = value
    return core


def _lowered_limit(value: Any, cap: int | None, dropped: list[str]) -> int | None:
    """A ``large_file_skip_byte_limit`` that is a positive number no larger than ``cap``;
    None (and the setting recorded in ``dropped``) otherwise."""
    key = "large_file_skip_byte_limit"
    try:
        limit = int(value)
    except (TypeError, ValueError):
        dropped.append(f"core:{key}")
        return None
    if limit <= 0 or (cap is not None and limit > cap):
        dropped.append(f"core:{key}={value}")
        return None
    return limit


def _open_section(body: Mapping[str, Any], path: tuple[str, ...], dropped: list[str]) -> Any:
    out: dict[str, Any] = {}
    for key, value in body.items():
        if isinstance(value, Mapping):
            if len(path) < 4:
                out[key] = _open_section(value, (*path, key), dropped)
            else:
                dropped.append(":".join((*path, key)))
        elif key.endswith(("_regex", "_path", "_dir")) or not _scalar(value):
            # A regular expression from the repository runs against every line: a
            # backtracking one is a denial of service. Paths are never read.
            dropped.append(":".join((*path, key)))
        else:
            out[key] = value
    return out


def _templater_section(body: Mapping[str, Any], dropped: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, table in body.items():
        if name not in ("jinja", "placeholder") or not isinstance(table, Mapping):
            dropped.append(f"templater:{name}")
            continue
        mine: dict[str, Any] = {}
        for key, value in table.items():
            if name == "jinja" and key in JINJA_TABLES and isinstance(value, Mapping):
                mine[key] = _jinja_table(value, f"templater:{name}:{key}", dropped)
            elif _templater_value_allowed(name, key, value):
                mine[key] = value
            else:
                dropped.append(f"templater:{name}:{key}")
        out[name] = mine
    return out


def _jinja_table(value: Mapping[str, Any], where: str, dropped: list[str]) -> dict[str, Any]:
    """A table of Jinja values (context, macros...): its scalar values only."""
    values = {
        str(k): v
        for k, v in value.items()
        if not isinstance(v, Mapping) and _scalar(v) and len(str(k)) <= 200
    }
    if len(values) != len(value):
        dropped.append(f"{where} (some values)")
    return values


def _templater_value_allowed(name: str, key: str, value: Any) -> bool:
    """Whether a repository may set ``key`` of the ``name`` templater to ``value``."""
    allowed = JINJA_KEYS if name == "jinja" else PLACEHOLDER_KEYS
    if name == "placeholder" and key not in allowed and not isinstance(value, Mapping):
        # Placeholder values: the parameters substituted for the placeholders.
        return not (key.endswith("_regex") or key == "param_regex" or not _scalar(value))
    return key in allowed and _scalar(value)


# --------------------------------------------------------------------------- bounded Jinja


class Budget:
    """What the templates of one SQL file may still do (reset for every file)."""

    operations = 0
    characters = 0

    @classmethod
    def reset(cls) -> None:
        cls.operations = 0
        cls.characters = 0

    @classmethod
    def tick(cls, n: int = 1) -> None:
        cls.operations += n
        if cls.operations > MAX_OPERATIONS:
            _refuse(f"more than {MAX_OPERATIONS:,} template operations")

    @classmethod
    def made(cls, value: Any) -> Any:
        """Account for a value a template operation created; refuse one too large."""
        size = _size(value)
        if size > MAX_VALUE:
            _refuse(f"a value of more than {MAX_VALUE:,} characters or items")
        cls.characters += size
        if cls.characters > MAX_CHARACTERS:
            _refuse(f"more than {MAX_CHARACTERS:,} characters created")
        return value


def _size(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            _refuse(f"an integer over {MAX_INT_BITS:,} bits")
        return value.bit_length() // 8
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset):
        return len(value)
    return 0


def _refuse(what: str) -> None:
    from jinja2.exceptions import SecurityError

    raise SecurityError(f"template {BUDGET_MARK}: {what}")


def _check_args(args: Iterable[Any]) -> None:
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_INT_ARG:
            _refuse(f"an argument over {MAX_INT_ARG:,}")


#: ``%`` and ``{}`` format specifications with a width of six digits or more, or ``*``.
_WIDE_FORMAT = re.compile(
    r"%[-#0 +]*(?:\d{6,}|\*)|%[-#0 +]*\d*\.(?:\d{6,}|\*)|\{[^{}]*:[^{}]*\d{6}"
)


def _check_format(text: str) -> None:
    if _WIDE_FORMAT.search(text):
        _refuse("a format width of 100,000 characters or more")


def _estimate_str_method(owner: str, name: str, args: tuple[Any, ...]) -> None:
    """Refuse a ``str`` method call whose result would be too large, before it runs."""
    if name == "replace" and len(args) >= 2 and isinstance(args[1], str):
        if len(owner) * (len(args[1]) + 1) + len(args[1]) > MAX_VALUE:
            _refuse(f"str.replace making more than {MAX_VALUE:,} characters")
    elif name == "expandtabs" and args and isinstance(args[0], int):
        if len(owner) * max(args[0], 1) > MAX_VALUE:
            _refuse(f"str.expandtabs making more than {MAX_VALUE:,} characters")
    elif name in ("format", "format_map"):
        _check_format(owner)


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        Budget.tick()
        _check_args(args)
        _check_args(kwargs.values())
        values = [a for a in args if isinstance(a, str)]
        if name == "format" and values:
            _check_format(values[0])
        if name in ("replace", "indent", "center", "wordwrap") and values:
            text = values[0]
            new = values[2] if name == "replace" and len(values) > 2 else ""
            width = next((a for a in args if isinstance(a, int) and not isinstance(a, bool)), 4)
            estimate = len(text) * (len(new) + 1) + (text.count("\n") + 1) * width
            if estimate > MAX_VALUE:
                _refuse(f"filter {name} making more than {MAX_VALUE:,} characters")
        return Budget.made(func(*args, **kwargs))

    return bounded


def _bounded_range(*args: Any) -> range:
    Budget.tick()
    _check_args(args)
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        _refuse(f"a range of more than {MAX_RANGE:,} items")
    Budget.tick(len(rng))
    return rng


@functools.cache
def bounded_environment_class() -> type[Any]:
    """The sandboxed Jinja environment class every template of a scored repository uses."""
    from jinja2.compiler import CodeGenerator, Frame
    from jinja2.nodes import Concat
    from sqlfluff.core.templaters.builtins.dbt import DbtSandboxedEnvironment

    class BoundedCodeGenerator(CodeGenerator):
        """``a ~ b`` through the environment's bounded join."""

        def visit_Concat(self, node: Concat, frame: Frame) -> None:
            self.write("environment.concat((")
            for arg in node.nodes:
                self.write("str(")
                self.visit(arg, frame)
                self.write("), ")
            self.write("))")

    class BoundedEnvironment(DbtSandboxedEnvironment):
        """A sandbox that counts operations and characters (see :class:`Budget`)."""

        code_generator_class = BoundedCodeGenerator
        intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.globals.pop("lipsum", None)
            self.globals["range"] = _bounded_range
            self.filters = {k: _bounded_filter(k, f) for k, f in self.filters.items()}

        @staticmethod
        def concat(parts: Iterable[Any]) -> str:
            out: list[str] = []
            total = 0
            for part in parts:
                total += len(part)
                if total > MAX_VALUE * 5:
                    _refuse(f"output of more than {MAX_VALUE * 5:,} characters")
                out.append(part)
            Budget.tick()
            Budget.characters += total
            if Budget.characters > MAX_CHARACTERS:
                _refuse(f"more than {MAX_CHARACTERS:,} characters created")
            return "".join(out)

        def getattr(self, obj: Any, attribute: str) -> Any:
            Budget.tick()
            return super().getattr(obj, attribute)

        def getitem(self, obj: Any, argument: Any) -> Any:
            Budget.tick()
            return super().getitem(obj, argument)

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            Budget.tick()
            ints = isinstance(left, int) and isinstance(right, int)
            if operator == "**" and ints and abs(left) > 1 and right > 0:
                if left.bit_length() * right > MAX_INT_BITS:
                    _refuse(f"an integer over {MAX_INT_BITS:,} bits")
            elif operator == "*":
                for seq, n in ((left, right), (right, left)):
                    sized = isinstance(seq, str | list | tuple) and isinstance(n, int)
                    if sized and len(seq) * n > MAX_VALUE:
                        _refuse(f"a value of more than {MAX_VALUE:,} characters or items")
                if ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                    _refuse(f"an integer over {MAX_INT_BITS:,} bits")
            elif operator == "%" and isinstance(left, str):
                _check_format(left)
            return Budget.made(super().call_binop(context, operator, left, right))

        def call(
            __self, __context: Any, __obj: Any, /, *args: Any, **kwargs: Any
        ) -> Any:  # jinja's own signature
            Budget.tick()
            _check_args(args)
            _check_args(kwargs.values())
            owner = getattr(__obj, "__self__", None)
            name = getattr(__obj, "__name__", "")
            if name in ("extend", "__iadd__", "__imul__"):
                _refuse(f"{name} in a template")
            if isinstance(owner, str):
                _estimate_str_method(owner, name, args)
                if name == "join" and args:
                    items = list(itertools.islice(iter(args[0]), MAX_VALUE + 1))
                    Budget.tick(len(items))
                    size = sum(len(str(i)) for i in items) + len(owner) * len(items)
                    if size > MAX_VALUE:
                        _refuse(f"str.join making more than {MAX_VALUE:,} characters")
                    args = (items, *args[1:])
            result = super().call(__context, __obj, *args, **kwargs)
            if isinstance(owner, list | dict | set):
                Budget.made(owner)  # a mutated container stays bounded too
            return Budget.made(result)

    return BoundedEnvironment


@functools.cache
def bounded_templater_class() -> type[Any]:
    """sqlfluff's Jinja templater with no library, loader or macro path, bounded."""
    from sqlfluff.core.templaters.jinja import JinjaTemplater

    class BoundedJinjaTemplater(JinjaTemplater):
        def _get_jinja_env(self, config: Any = None) -> Any:
            return bounded_environment_class()(
                keep_trailing_newline=True,
                autoescape=False,
                extensions=["jinja2.ext.do", *self._dbt_extensions()],
                loader=None,
                **self._get_jinja_env_kwargs(config),
            )

        @staticmethod
        def _dbt_extensions() -> list[Any]:
            from sqlfluff.core.templaters.jinja import (
                DBTMaterializationExtension,
                DBTTestExtension,
            )

            return [DBTTestExtension, DBTMaterializationExtension]

        def _apply_dbt_builtins(self, config: Any) -> bool:
            return True

        def _extract_libraries_from_config(self, config: Any) -> dict[str, Any]:
            return {}

        def _get_macros_path(self, config: Any, key: str) -> list[str] | None:
            return None

        def _get_loader_search_path(self, config: Any) -> list[str] | None:
            return None

        def process_with_variants(self, **kwargs: Any) -> Any:
            Budget.reset()
            yield from super().process_with_variants(**kwargs)

    return BoundedJinjaTemplater


# --------------------------------------------------------------------------- config


class InlineNotes:
    """Inline ``-- sqlfluff:`` settings dropped while linting the current file."""

    dropped: list[str] = []  # noqa: RUF012  # one process, one file at a time
    ignore_inline = False


@functools.cache
def safe_config_class() -> type[Any]:
    """A ``FluffConfig`` whose templater is bounded and whose inline settings are filtered."""
    from sqlfluff.core import FluffConfig

    class SafeFluffConfig(FluffConfig):
        def get_templater(self, **kwargs: Any) -> Any:
            cls = self.get_templater_class()
            from sqlfluff.core.templaters.jinja import JinjaTemplater

            if issubclass(cls, JinjaTemplater):
                return bounded_templater_class()(**kwargs)
            return cls(**kwargs)

        def get_templater_class(self) -> Any:
            name = str(self._configs["core"].get("templater") or "jinja")
            if name not in SAFE_TEMPLATERS:
                self._configs["core"]["templater"] = "jinja"
            return super().get_templater_class()

        def process_inline_config(self, config_line: str, fname: str) -> None:
            from sqlfluff.core.helpers.string import split_colon_separated_string

            if InlineNotes.ignore_inline:
                InlineNotes.dropped.append(config_line.strip()[:80])
                return
            body = config_line[2:].strip() if config_line.startswith("--") else config_line
            body = body.removeprefix("sqlfluff:").strip()
            key, value = split_colon_separated_string(body)
            if not key:
                return
            path = ("core", *key) if len(key) == 1 else tuple(key)
            nested: dict[str, Any] = {}
            cursor = nested
            for part in path[:-1]:
                cursor = cursor.setdefault(part, {})
            cursor[path[-1]] = value
            kept, dropped = filter_config(nested, byte_limit_cap=0)
            if dropped or not _has_leaf(kept):
                InlineNotes.dropped.append(":".join(path)[:80])
                return
            if path[:2] == ("core", "templater"):  # the templater is fixed per linter
                InlineNotes.dropped.append(":".join(path)[:80])
                return
            super().process_inline_config(config_line, fname)

    return SafeFluffConfig


def _has_leaf(mapping: Mapping[str, Any]) -> bool:
    return any(
        _has_leaf(value) if isinstance(value, Mapping) else True for value in mapping.values()
    )


#: Largest sqlfluff configuration file read (bytes).
MAX_CONFIG_BYTES = 256 * 1024


class ConfigTextError(ValueError):
    """A sqlfluff configuration file that cannot be read (the message says why)."""


def _pyproject_config(text: str) -> dict[str, Any]:
    """``[tool.sqlfluff]`` of a ``pyproject.toml``, shaped as sqlfluff's own TOML loader
    shapes it (rule records condensed)."""
    import tomllib

    from sqlfluff.core.config.toml import _condense_rule_record, _validate_structure
    from sqlfluff.core.helpers.dict import iter_records_from_nested_dict, records_to_nested_dict

    tool = tomllib.loads(text).get("tool", {})
    section = tool.get("sqlfluff", {}) if isinstance(tool, dict) else {}
    if not isinstance(section, dict):
        raise ConfigTextError("[tool.sqlfluff] is not a table")
    data: dict[str, Any] = dict(_validate_structure(section))
    rules = data.get("rules")
    if isinstance(rules, dict):
        data["rules"] = records_to_nested_dict(
            _condense_rule_record(record) for record in iter_records_from_nested_dict(rules)
        )
    elif rules is not None:
        raise ConfigTextError("[tool.sqlfluff] rules is not a table")
    return data


def load_config_text(name: str, text: str) -> dict[str, Any]:
    """The sqlfluff configuration in one file's ``text``, read without touching the disk.

    sqlfluff's own loaders resolve (glob) every ``*_path`` value against the file
    system; these keys are dropped by :func:`filter_config` anyway, so they are never
    resolved here.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_CONFIG_BYTES:
        raise ConfigTextError(f"larger than {MAX_CONFIG_BYTES // 1024} KB")
    try:
        if name == "pyproject.toml":
            return _pyproject_config(text)
        from sqlfluff.core.config.ini import load_ini_string

        return dict(load_ini_string(text))
    except RecursionError:
        raise ConfigTextError("nested too deeply") from None
    except ConfigTextError:
        raise
    except Exception as exc:  # configparser, tomllib or sqlfluff's own validation
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ConfigTextError(" ".join(first.split())[:160]) from None
