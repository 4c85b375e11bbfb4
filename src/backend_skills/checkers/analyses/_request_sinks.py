"""Dangerous sinks in Python calls: which call runs its argument as a shell command, code,
a deserialised object or SQL, and which argument and line that is.

- shell: ``subprocess.*`` with ``shell=True`` (at the ``shell=`` argument's line, bandit's
  B602), ``os.system``, ``os.popen``, ``subprocess.getoutput``/``getstatusoutput``,
  ``asyncio.create_subprocess_shell``;
- code: ``eval``, ``exec``;
- deserialisation: ``pickle``/``marshal``/``dill`` ``load(s)``, ``jsonpickle.decode``,
  ``shelve.open``, ``yaml.unsafe_load``/``full_load``, ``yaml.load`` without a ``Safe``
  loader;
- SQL: a non-literal query passed to ``execute``/``raw``/``read_sql``/``fetch*``...
  (through ``text(...)``), at the line that builds it (bandit's B608, our BSDB001).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping

#: (kind, the argument the sink runs, the line to report); kind None: not a sink.
SinkMatch = tuple[str | None, ast.AST | None, int]
NOT_A_SINK: SinkMatch = (None, None, 0)

_SHELL_CALLS = frozenset({"os.system", "os.popen", "subprocess.getoutput"})
_SHELL_CALLS_2 = frozenset(
    {"subprocess.getstatusoutput", "commands.getoutput", "asyncio.create_subprocess_shell"}
)
_SUBPROCESS = frozenset(
    {"subprocess.run", "subprocess.call", "subprocess.Popen", "subprocess.check_output"}
    | {"subprocess.check_call"}
)
_SQL_SINKS = frozenset(
    {"execute", "executemany", "executescript", "exec_driver_sql", "raw", "read_sql"}
    | {"read_sql_query", "fetch", "fetchrow", "fetchval", "mogrify"}
)
_DESERIALISE = frozenset(
    {"pickle.loads", "pickle.load", "cPickle.loads", "cPickle.load", "_pickle.loads"}
    | {"marshal.loads", "marshal.load", "dill.loads", "dill.load", "jsonpickle.decode"}
    | {"yaml.unsafe_load", "yaml.full_load", "shelve.open"}
)

_SHELL = _SUBPROCESS | _SHELL_CALLS | _SHELL_CALLS_2
#: Sinks known by their qualified name alone, and their kind.
_BY_NAME = {"eval": "code", "exec": "code"} | dict.fromkeys(_DESERIALISE, "deserialisation")


def call_name(node: ast.Call) -> str:
    """The called name: ``f`` for ``f()`` and ``obj.f()``."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def shell_sink(node: ast.Call, qual: str) -> SinkMatch:
    """A command run by a shell: ``subprocess.*`` only with a true ``shell=``."""
    first = node.args[0] if node.args else None
    if qual not in _SUBPROCESS:
        return "shell", first, node.lineno
    shell = next((k for k in node.keywords if k.arg == "shell"), None)
    if shell is None or (isinstance(shell.value, ast.Constant) and not shell.value.value):
        return NOT_A_SINK
    return "shell", first, shell.value.lineno  # bandit's B602 line


def sql_sink(node: ast.Call, lines: Mapping[str, int]) -> SinkMatch:
    """A non-literal query, reported where it is built (``lines``: where each local name
    was last assigned)."""
    first: ast.AST | None = node.args[0] if node.args else None
    if isinstance(first, ast.Call) and call_name(first) == "text" and first.args:
        first = first.args[0]  # execute(text(sql)): the SQL is text()'s argument
    if first is None or isinstance(first, ast.Constant):
        return NOT_A_SINK
    built = getattr(first, "lineno", 0)
    if isinstance(first, ast.Name):
        built = lines.get(first.id, built)
    return "sql", first, built or node.lineno


def yaml_sink(node: ast.Call, qualname: Callable[[ast.AST], str]) -> SinkMatch:
    """``yaml.load`` without a safe loader (``Loader=`` or the second argument)."""
    loader = next((k for k in node.keywords if k.arg == "Loader"), None)
    chosen = loader.value if loader is not None else (node.args[1] if len(node.args) > 1 else None)
    if chosen is not None and "Safe" in qualname(chosen):
        return NOT_A_SINK
    return "deserialisation", node.args[0] if node.args else None, node.lineno


def classify_sink(
    node: ast.Call,
    qual: str,
    qualname: Callable[[ast.AST], str],
    lines: Mapping[str, int],
) -> SinkMatch:
    """What kind of sink the call ``qual(...)`` is, the argument it runs, and the line."""
    first = node.args[0] if node.args else None
    if qual in _SHELL:
        return shell_sink(node, qual)
    kind = _BY_NAME.get(qual)
    if kind is not None:
        return kind, first, node.lineno
    if qual.rsplit(".", 1)[-1] in _SQL_SINKS and "." in qual and first is not None:
        return sql_sink(node, lines)
    if qual == "yaml.load":
        return yaml_sink(node, qualname)
    return NOT_A_SINK
