"""Writing files atomically, and refusing targets that are not ours to replace.

Every file convanim writes (animations, frame folders, decks, pages) is written to a hidden
temporary path beside its target and renamed over it only when complete, so an exception or
Ctrl-C leaves the previous file untouched and nothing partial behind. The target is checked
first, so a bad path fails before any work starts.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def check_target(target: Path, *, folder: bool = False) -> None:
    """Raise a one-line OSError unless ``target`` can be written now and may be replaced.

    Missing parent folders are created (asking for ``figs/a.gif`` means that); a real temporary
    file proves the folder is writable where permission bits do not tell (root, /proc, read-only
    mounts). A frames folder is replaced whole, so an existing folder holding anything but its own
    frames (``-o .``, ``-o ~/slides``) is refused rather than deleted with the user's files.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=target.parent):
            pass
    except OSError as exc:
        raise OSError(f"path: cannot write {target}: {exc.strerror or exc}") from None
    if target.exists() and target.is_dir() != folder:
        kind = "a folder" if target.is_dir() else "a file"
        raise OSError(f"path: cannot write {target}: it is {kind}")
    if folder and target.is_dir():
        own = f"{glob.escape(target.name)}_*.png"
        stranger = next((p for p in target.iterdir() if not (p.is_file() and p.match(own))), None)
        if stranger is not None:
            raise OSError(
                f"path: will not replace {target}: it holds other files ({stranger.name}), "
                f"not only frames {target.name}_000.png ...; choose a new folder"
            )


class Staging:
    """A hidden temporary file or folder beside ``target`` that replaces it only on ``commit``.

    Beside (same folder) so the final rename is atomic on one file system; hidden so a half-written
    animation never shows up in a file browser or a README preview.
    """

    def __init__(self, target: Path, *, folder: bool = False) -> None:
        self.target = target
        self.folder = folder
        check_target(target, folder=folder)
        self.temp = self._fresh_name("tmp")
        try:
            if folder:
                self.temp.mkdir()
            else:
                self.temp.open("xb").close()
        except OSError as exc:
            raise OSError(f"path: cannot write {target}: {exc.strerror}") from exc
        self._done = False

    def _fresh_name(self, tag: str) -> Path:
        """An unused hidden name beside the target (random, so parallel writers never collide)."""
        return self.target.with_name(f".{self.target.name}.{secrets.token_hex(4)}.{tag}")

    def commit(self) -> None:
        """Move the finished temporary into place (replacing an old target only now)."""
        if self._done:
            return
        try:
            if self.folder and self.target.exists():
                self._swap_folder()
            else:
                os.replace(self.temp, self.target)
        except BaseException:
            self.discard()
            raise
        self._done = True

    def _swap_folder(self) -> None:
        """Replace an existing folder: a folder cannot be renamed over a non-empty one."""
        old = self._fresh_name("old")
        os.replace(self.target, old)
        try:
            os.replace(self.temp, self.target)
        except BaseException:
            os.replace(old, self.target)
            raise
        shutil.rmtree(old)

    def discard(self) -> None:
        """Delete the temporary; the target is left as it was."""
        if self._done:
            return
        self._done = True
        if self.folder:
            shutil.rmtree(self.temp, ignore_errors=True)
        else:
            self.temp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_target(path: str | os.PathLike[str], *, folder: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` if the block succeeds.

    On any exception (KeyboardInterrupt included) the temporary is deleted and ``path`` is left as
    it was. ``folder=True`` stages a directory instead of a file.
    """
    staging = Staging(Path(path), folder=folder)
    try:
        yield staging.temp
    except BaseException:
        staging.discard()
        raise
    staging.commit()
