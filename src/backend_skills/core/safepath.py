"""Keeping the scored repository off the import path of every process we run.

A repository can hold a ``multiprocessing/`` package, a ``tomllib.py`` or a ``json.py``:
if the folder it is in is on ``sys.path`` when one of our processes imports that name,
the repository's code runs in our process. Three places could put it there:

- ``python -m backend_skills`` puts the working folder first on ``sys.path``
  (``backend_skills/__init__.py`` removes it before importing anything else, see
  :func:`drop_working_folder`);
- a host program calling :func:`backend_skills.score` may have ``''``, the scored folder
  or the working folder inside it on its path: :func:`trusted_import_path` takes them
  off for the duration of the run (checkers import tool plugins lazily);
- ``spawn`` and ``forkserver`` workers (and multiprocessing's resource tracker and fork
  server) start a fresh interpreter with ``-c``, which puts the working folder first,
  then take the parent's ``sys.path`` and re-import its ``__main__``:
  :func:`safe_worker_start` sets ``PYTHONSAFEPATH`` for them and hands each child a
  ``sys.path`` without those entries, and no ``__main__`` to re-import from inside the
  scored folder.

Only ``os`` and ``sys`` are imported here: ``backend_skills/__init__.py`` uses this module
before anything else.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any

#: The folders no child may import from while :func:`safe_worker_start` is active.
_untrusted: tuple[str, ...] | None = None


def _real(path: str) -> str:
    try:
        return os.path.realpath(os.path.abspath(path or os.curdir))
    except (OSError, ValueError):
        return path


def is_within(path: str, folders: Iterable[str]) -> bool:
    """Whether ``path`` (resolved) is one of ``folders`` or inside one of them."""
    real = _real(path)
    for folder in folders:
        if real == folder or real.startswith(folder.rstrip(os.sep) + os.sep):
            return True
    return False


def _unsafe(entry: str, folders: tuple[str, ...]) -> bool:
    """Whether the import path entry ``entry`` reaches into ``folders``.

    ``''`` and relative entries always do (they follow the working folder); so do a
    scored root itself and the working folder when it is inside a root. Deeper absolute
    entries (``root/.venv/.../site-packages``, an editable install's ``root/src``) were
    put there by the user's own installation (``.pth`` files, ``PYTHONPATH``) and stay.
    """
    if not isinstance(entry, str):
        return False
    if entry in ("", os.curdir) or not os.path.isabs(entry):
        return True  # resolved against whatever the working folder is at import time
    real = _real(entry)
    if real in folders:
        return True
    try:
        cwd = _real(os.getcwd())
    except OSError:
        return False
    return real == cwd and is_within(cwd, folders)


def drop_working_folder() -> None:
    """Under ``python -m backend_skills``: take the working folder (``sys.path[0]``) off
    the import path. Called first thing by ``backend_skills/__init__.py``."""
    if sys.flags.safe_path or sys.argv[:1] != ["-m"] or not sys.path:
        return
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = None
    if sys.path[0] in ("", os.curdir, cwd):
        del sys.path[0]


def untrusted_folders(roots: Iterable[os.PathLike[str] | str]) -> tuple[str, ...]:
    """The resolved ``roots``."""
    return tuple(sorted({_real(os.fspath(r)) for r in roots}))


def clean_path(entries: Iterable[Any], folders: tuple[str, ...]) -> list[Any]:
    """``entries`` without those that reach into ``folders`` (see :func:`_unsafe`)."""
    return [e for e in entries if not _unsafe(e, folders)]


@contextlib.contextmanager
def trusted_import_path(roots: Iterable[os.PathLike[str] | str]) -> Iterator[None]:
    """For the duration: ``sys.path`` without the entries that could import from
    ``roots`` (``''``, relative entries, the roots and folders inside them); the entries
    taken off are put back afterwards."""
    folders = untrusted_folders(roots)
    saved = list(sys.path)
    kept = clean_path(saved, folders)
    if len(kept) == len(saved):
        yield
        return
    sys.path[:] = kept
    try:
        yield
    finally:
        added = [e for e in sys.path if e not in kept]  # imported meanwhile: keep them
        sys.path[:] = [*added, *saved]


def _sanitised(data: dict[str, Any], folders: tuple[str, ...]) -> dict[str, Any]:
    """Preparation data of a child process, made safe (see the module docstring)."""
    data = dict(data)
    if "sys_path" in data:
        data["sys_path"] = clean_path(data["sys_path"], folders)
    main = sys.modules.get("__main__")
    main_file = getattr(main, "__file__", None)
    if isinstance(main_file, str) and os.path.isabs(main_file) and is_within(main_file, folders):
        data.pop("init_main_from_name", None)  # no __main__ from the scored folder
        data.pop("init_main_from_path", None)
        data.pop("main_path", None)
    elif "main_path" in data and is_within(str(data["main_path"]), folders):
        data.pop("main_path", None)
    if "dir" in data and is_within(str(data["dir"]), folders):
        data["dir"] = os.path.dirname(os.path.abspath(__file__))  # any trusted folder
    return data


def _install_preparation_hook() -> None:
    """Wrap ``multiprocessing.spawn.get_preparation_data`` (once): while
    :func:`safe_worker_start` is active, children get sanitised preparation data."""
    from multiprocessing import spawn

    current = spawn.get_preparation_data
    if getattr(current, "_backend_skills_safe", False):
        return

    def get_preparation_data(name: str) -> dict[str, Any]:
        data: dict[str, Any] = current(name)
        folders = _untrusted
        return data if folders is None else _sanitised(data, folders)

    get_preparation_data._backend_skills_safe = True  # type: ignore[attr-defined]
    spawn.get_preparation_data = get_preparation_data


@contextlib.contextmanager
def safe_worker_start(roots: Iterable[os.PathLike[str] | str]) -> Iterator[None]:
    """Start child processes inside this block: they never import from ``roots`` (nor
    from the working folder, nor through a relative ``sys.path`` entry)."""
    global _untrusted
    _install_preparation_hook()
    previous_env = os.environ.get("PYTHONSAFEPATH")
    previous = _untrusted
    _untrusted = untrusted_folders(roots)
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        yield
    finally:
        _untrusted = previous
        if previous_env is None:
            os.environ.pop("PYTHONSAFEPATH", None)
        else:
            os.environ["PYTHONSAFEPATH"] = previous_env
