"""A progress display on standard error for long runs, only in an interactive terminal.

Nothing is shown for the first :data:`DELAY_S` seconds, so a warm or small run prints
nothing; when standard error is not a terminal (CI logs, pipes, tests) nothing is shown
at all. The display is transient: it disappears when the run ends.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import IO, Any

#: Seconds a run must last before the display appears.
DELAY_S = 1.0


def interactive(stream: IO[str] | Any = None) -> bool:
    """Whether ``stream`` (default: standard error) is a terminal that can show progress."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        return False
    return os.environ.get("TERM", "") != "dumb"


class RunProgress:
    """Counts finished files; shows a rich progress bar once the run is slow enough.

    Thread-safe: :meth:`advance` may be called from the pool's result thread.
    """

    def __init__(
        self, enabled: bool, *, delay_s: float = DELAY_S, stream: IO[str] | None = None
    ) -> None:
        self.enabled = enabled
        self._stream = stream
        self.total = 0
        self.done = 0
        self._delay_s = delay_s
        self._started_at = time.monotonic()
        self._lock = threading.Lock()
        self._progress: Any = None
        self._task: Any = None
        self._closed = False

    def add_total(self, count: int) -> None:
        """More work is known."""
        with self._lock:
            self.total += count
            if self._progress is not None:
                self._progress.update(self._task, total=self.total)

    def advance(self, count: int = 1) -> None:
        """``count`` more units are done; shows the display once :data:`DELAY_S` passed."""
        with self._lock:
            self.done += count
            if not self.enabled or self._closed:
                return
            if self._progress is None:
                if time.monotonic() - self._started_at < self._delay_s:
                    return
                started = self._start()
                started.update(self._task, completed=self.done, refresh=True)
                return
            self._progress.update(self._task, completed=self.done)

    def _start(self) -> Any:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        console = (
            Console(stderr=True)
            if self._stream is None
            else Console(file=self._stream, force_terminal=True, width=80)
        )
        self._progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task("analysing files", total=self.total)
        self._progress.start()
        return self._progress

    def close(self) -> None:
        """Remove the display (idempotent)."""
        with self._lock:
            self._closed = True
            if self._progress is not None:
                self._progress.stop()
                self._progress = None
