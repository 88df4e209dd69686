"""The progress line of ``convanim all`` on a terminal, and the summary that replaces it.

The line is redrawn in place and cut to the terminal's width (read at every update, so a resized
window is followed): a line as wide as the terminal or wider would wrap, and every redraw would
then leave a line behind. Scene names are the part that shrinks, since the count says how far
along the work is.
"""

from __future__ import annotations

import os
import time
from typing import TextIO

#: The bar's widest; it gives way to the scene name on a narrow terminal, and goes below the least.
BAR_MAX, BAR_MIN = 30, 6
#: What the bar leaves the scene name before it shrinks itself.
NAME_ROOM = 16
#: Marks a cut name; plain ASCII, as a terminal's encoding may be.
_CUT = "..."
#: Back to the start of the line, and erase to its end: the redraw leaves nothing of the last.
_REDRAW = "\r\x1b[K"


def fit_line(done: int, total: int, name: str, columns: int) -> str:
    """``rendering 12/31 [#####-----] name``, at most ``columns - 1`` characters.

    One column is kept free: a terminal wraps the cursor, not the text, after the last column.
    """
    width = max(1, columns - 1)
    count = f"rendering {done:>{len(str(total))}}/{total} "
    bar_width = min(BAR_MAX, width - len(count) - NAME_ROOM) - 2
    if bar_width >= BAR_MIN:
        filled = done * bar_width // max(total, 1)
        count += f"[{'#' * filled}{'-' * (bar_width - filled)}] "
    line = count + name
    if len(line) <= width:
        return line
    return line[: width - len(_CUT)] + _CUT if width > len(_CUT) else line[:width]


def terminal_columns(stream: TextIO) -> int:
    """The width of the terminal ``stream`` writes to (80 if it cannot tell)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (OSError, ValueError):
        return 80


class ProgressLine:
    """One line on a terminal showing how many scenes are done and the last one finished."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.done = 0
        self.started = time.monotonic()
        self._draw("")

    def advance(self, name: str) -> None:
        """One more scene finished (rendered or failed): redraw the line."""
        self.done += 1
        self._draw(name)

    def finish(self, summary: str) -> None:
        """Replace the line with ``summary``, which stays on screen."""
        self.stream.write(f"{_REDRAW}{summary}\n")
        self.stream.flush()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def _draw(self, name: str) -> None:
        line = fit_line(self.done, self.total, name, terminal_columns(self.stream))
        self.stream.write(f"{_REDRAW}{line}")
        self.stream.flush()


def summary(written: int, failed: list[str], where: str, seconds: float) -> str:
    """``31 figures written to output in 12.3 s`` and, when some failed, which (their reasons
    follow as error lines)."""
    text = f"{written} figure{'s' if written != 1 else ''} written to {where} in {seconds:.1f} s"
    if failed:
        text += f"; {len(failed)} failed: {', '.join(failed)}"
    return text
