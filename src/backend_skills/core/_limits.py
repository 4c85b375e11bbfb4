"""Limits on checker code: time (``SIGALRM``), memory (``RLIMIT_AS``) and Ctrl-C.

:func:`alarm_handler` arms the per-file time limit (:class:`FileTimeout`) in the main
thread; :func:`limit_memory` / :func:`memory_ceiling` cap the address space of a worker
or of checker code run in this process; :func:`interrupt_guard` tells the user's Ctrl-C
from a ``KeyboardInterrupt`` raised by a checker (:func:`raised_by_checker`). The skip
reasons of files that hit a limit are worded here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Final

#: Default memory ceiling of a worker process (bytes of address space).
DEFAULT_MEMORY_LIMIT: Final = 2 * 1024**3
#: Overrides the memory ceiling: a number of MiB, or 0 for none (the user's environment,
#: never the repository's configuration).
MEMORY_LIMIT_ENV: Final = "BACKEND_SKILLS_MAX_MEMORY_MB"


class FileTimeout(BaseException):
    """Raised by the alarm inside ``check_file`` (a BaseException, so that a checker's
    ``except Exception`` does not swallow it)."""


def timeout_reason(seconds: float, checker: str) -> str:
    """The skip reason of a file that ran out of time."""
    return f"exceeded the {seconds:g} s per-file time limit in {checker}"


def memory_reason(limit: int | None, checker: str) -> str:
    """The skip reason of a file whose analysis ran out of memory."""
    if limit is None:
        return f"ran out of memory in {checker} (memory limit)"
    return f"exceeded the {_size(limit)} memory limit of a worker in {checker} (memory limit)"


def _size(count: int) -> str:
    if count % 1024**3 == 0:
        return f"{count // 1024**3} GiB"
    return f"{count / 1024**2:g} MiB"


# ------------------------------------------------------- interrupts and base exceptions

_user_interrupts = 0
"""SIGINT signals delivered to this process while :func:`interrupt_guard` was active."""


def raised_by_checker(exc: BaseException) -> bool:
    """Whether ``exc`` is a checker's failure to report (an ``Exception``, a
    ``SystemExit``, or a ``KeyboardInterrupt`` the checker raised itself) rather than
    something that must stop the run (the user's Ctrl-C, our own time limit)."""
    if isinstance(exc, FileTimeout):
        return False
    if isinstance(exc, KeyboardInterrupt):
        return _user_interrupts == 0
    return isinstance(exc, Exception | SystemExit | GeneratorExit)


@contextlib.contextmanager
def interrupt_guard() -> Iterator[None]:
    """Tell the user's Ctrl-C (a SIGINT delivered to this process) from a
    ``KeyboardInterrupt`` raised by checker code, for :func:`raised_by_checker`."""
    global _user_interrupts
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        global _user_interrupts
        _user_interrupts += 1
        if callable(previous):
            previous(signum, frame)
        elif previous != signal.SIG_IGN:
            raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGINT, on_interrupt)
    except (ValueError, OSError):  # not the main interpreter
        yield
        return
    _user_interrupts = 0
    try:
        yield
    finally:
        with contextlib.suppress(ValueError, OSError):
            signal.signal(signal.SIGINT, previous)
        _user_interrupts = 0


# --------------------------------------------------------------------- memory ceiling


def memory_limit_from_env(default: int | None = DEFAULT_MEMORY_LIMIT) -> int | None:
    """The ceiling from ``BACKEND_SKILLS_MAX_MEMORY_MB`` (0: none), else ``default``."""
    raw = os.environ.get(MEMORY_LIMIT_ENV, "").strip()
    if not raw:
        return default
    try:
        mib = int(raw)
    except ValueError:
        return default
    return None if mib <= 0 else mib * 1024**2


def _address_space() -> int | None:
    """This process's current virtual size in bytes (Linux), else None."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def limit_memory(limit: int | None) -> Callable[[], None]:
    """Limit this process's address space (``RLIMIT_AS``); return what undoes it.

    The ceiling is ``limit`` bytes; a process already larger than half of it at the
    start (a big parent copied by ``fork``) gets its size + half of ``limit``. A limit
    never raises the one already in force. Without ``resource`` (Windows) nothing is
    limited.
    """
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return lambda: None
    if limit is None:
        return lambda: None
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (OSError, ValueError):
        return lambda: None
    current = _address_space() or 0
    ceiling = limit if current < limit // 2 else current + limit // 2
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    if soft != resource.RLIM_INFINITY and soft <= ceiling:
        return lambda: None
    try:
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    except (OSError, ValueError):
        return lambda: None

    def undo() -> None:
        with contextlib.suppress(OSError, ValueError):
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))

    return undo


@contextlib.contextmanager
def memory_ceiling(limit: int | None) -> Iterator[None]:
    """:func:`limit_memory` for the duration of the block (checker code run in this
    process: ``prepare``, ``reduce``, repository checkers)."""
    undo = limit_memory(limit)
    try:
        yield
    finally:
        undo()


# ------------------------------------------------------------------------ time limit


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise FileTimeout


def can_limit_here() -> bool:
    """Whether this thread can arm the SIGALRM time limit."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def alarm_handler() -> Iterator[bool]:
    """Install the alarm handler in this process for the duration (when possible)."""
    if not can_limit_here():
        yield False
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
