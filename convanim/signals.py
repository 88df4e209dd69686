"""Stop signals as exceptions: SIGTERM and SIGHUP end a render as Ctrl-C does.

A render cleans up after itself on ``KeyboardInterrupt`` (temporaries deleted, ffmpeg ended, the
old file kept); :class:`Interrupted` is one, raised for SIGINT, SIGTERM and SIGHUP alike, so the
same cleanup runs whatever asked the process to stop. Standard library only: the command line
installs these before it knows whether it will render, so they must cost nothing to import.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")

#: The signals that ask a process to stop: Ctrl-C, kill and service managers, a closed terminal.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Interrupted(KeyboardInterrupt):
    """A stop signal raised as an exception, so that every cleanup Ctrl-C runs (the writers'
    ``except BaseException``: temporaries deleted, ffmpeg ended) runs for SIGTERM and SIGHUP too."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)  # as its only argument, so that it pickles
        self.signum = signum

    def __str__(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_status(self) -> int:
        """What a shell reports for a program ended by this signal: 128 + its number."""
        return 128 + self.signum


@dataclass
class _Stop:
    """The stop signal this process acts on (only the first one), and whether it has to wait."""

    received: int | None = None
    pending: int | None = None  # received inside a signals_deferred block, raised at its end
    deferring: int = 0  # how deep the main thread is in signals_deferred blocks


_STOP = _Stop()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """The handler :func:`signals_interrupt` installs: raise the first stop signal, or defer it."""
    if _STOP.received is not None:
        return
    _STOP.received = signum
    if _STOP.deferring:
        _STOP.pending = signum
    else:
        raise Interrupted(signum)


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """Within the block, a stop signal raises :class:`Interrupted` where the main thread is.

    Only the first one raises: a later signal (a second Ctrl-C, a service manager's repeated
    SIGTERM) would cut short the cleanup the first one started, so it is ignored; SIGKILL remains
    for a process that must end at once. The previous handlers come back after the block. Only the
    main thread receives signals, so elsewhere the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _STOP.received = _STOP.pending = None
    previous = {signum: signal.signal(signum, _interrupt) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold a stop signal back until the end of a block that must not be cut in two.

    Such a block makes something that cleanup must know of and records it (a temporary, an ffmpeg
    process): interrupted between the two, the thing is made but unknown, so it is left behind or
    left running. The signal is raised when the block ends, even if the block raised.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _STOP.deferring += 1
    try:
        yield
    finally:
        _STOP.deferring -= 1
        if _STOP.pending is not None and not _STOP.deferring:
            signum, _STOP.pending = _STOP.pending, None
            raise Interrupted(signum)


def default_signals() -> None:
    """Give the stop signals their default action, ending the process at once.

    For a pool worker (its initializer): between tasks it holds nothing to clean up, and a handler
    inherited from its parent would print a traceback from deep inside the pool instead.
    """
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)


def run_interruptible(function: Callable[..., T], *args: Any) -> T:
    """Run ``function(*args)`` as a pool worker's task, ended by a stop signal as by Ctrl-C.

    Once the interrupted task has cleaned up, the worker ends by that same signal instead of
    reporting it and taking the next task: the parent is stopping, and the pool, seeing a worker
    gone, ends the others (with SIGTERM, which they clean up after the same way).
    """
    try:
        with signals_interrupt():
            return function(*args)
    except Interrupted as stop:
        signal.signal(stop.signum, signal.SIG_DFL)
        signal.raise_signal(stop.signum)
        raise
