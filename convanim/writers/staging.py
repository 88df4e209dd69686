"""Writing files atomically, refusing targets that are not ours, and cleaning up after signals.

Every file convanim writes (animations, frame folders, decks, pages) is written to a hidden
temporary path beside its target and renamed over it only when complete, so an exception, Ctrl-C,
SIGTERM or SIGHUP (:func:`convanim.signals.signals_interrupt`) leaves the previous file untouched and nothing
partial behind. The target is checked first, so a bad path fails before any work starts. A
temporary's name says which process writes it, so the next write of the same target removes the
temporaries a process killed outright (SIGKILL, a crash, a power cut) had to leave behind.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

#: The longest file name, in bytes, of the file systems in use (ext4, XFS, Btrfs, APFS, NTFS).
NAME_MAX = 255
#: What a temporary adds to its target's name: ``.`` NAME ``.hhhh-PID-rrrrrrrr.tmp`` (PID <= 10 digits).
_TEMP_ADDS = len("..hhhh-0123456789-rrrrrrrr.tmp")
#: A frames folder's own files, after its name: NAME_<digits>.png and NAME_poster.png (writers/pngdir.py),
#: NAME_<digits>.svg (writers/svg.py).
_OWN_FRAME = r"_(?:(?:[0-9]+|poster)\.png|[0-9]+\.svg)"
#: Why renaming a folder over the target fails when something is in the way (not-empty, not-a-folder).
_IN_THE_WAY = {errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR}


def check_target(target: Path, *, folder: bool = False) -> None:
    """Raise a one-line OSError unless ``target`` can be written now and may be replaced.

    Missing parent folders are created (asking for ``figs/a.gif`` means that); a real temporary
    file proves the folder is writable where permission bits do not tell (root, /proc, read-only
    mounts). Only what convanim can replace whole is accepted: nothing, a regular file, a folder of
    its own frames (``folder``), or a symbolic link to one of these. A device, FIFO or socket is
    refused (as root, "writing" ``-o /dev/null`` would replace it with a regular file), and so is a
    folder holding anything but its own frames (``-o .``, ``-o ~/slides``: the user's files).
    """
    if str(target) == "-":
        raise OSError("path: '-' would be a file named '-': convanim does not write to standard output; "
                      "name a file such as conv.gif")
    if folder:
        _check_frame_names_fit(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=target.parent):
            pass
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    _check_replaceable(target, folder)


def _cannot_write(target: Path, exc: OSError) -> OSError:
    """The one-line error for a target the system will not let us write, with its reason."""
    return OSError(f"path: cannot write {target}: {exc.strerror or exc}")


def _check_frame_names_fit(target: Path) -> None:
    """Refuse a frames folder whose longest frame name, NAME_poster.png, exceeds the name limit."""
    poster = f"{target.name}_poster.png"
    if len(os.fsencode(poster)) > NAME_MAX:
        raise OSError(f"path: cannot write {target}: the name is too long for its frames "
                      f"({poster} would be over {NAME_MAX} bytes)")


def _check_replaceable(target: Path, folder: bool) -> None:
    """Refuse what is at ``target`` unless it is ours to replace (see check_target).

    A symbolic link is itself replaced, as ``os.replace`` replaces it: what it points to is never
    written or deleted, so a link planted by someone else cannot aim a write at their choice of
    file. It must still point to the kind we write (or nowhere), or it was surely a mistake.
    """
    try:
        mode = target.stat().st_mode  # through a link: what the user meant to replace
    except FileNotFoundError:
        return  # nothing there, or a dangling link
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    link = target.is_symlink()
    if not (stat.S_ISDIR if folder else stat.S_ISREG)(mode):
        what = f"{'a symbolic link to ' if link else ''}{_kind(mode)}"
        special = not (stat.S_ISDIR(mode) or stat.S_ISREG(mode))
        raise OSError(f"path: cannot write {target}: it is {what}"
                      + ("; convanim replaces only regular files and its own frame folders" if special else ""))
    if folder and not link:
        _check_only_frames(target)


def _check_only_frames(folder: Path) -> None:
    """Refuse a folder holding anything but its own frames: a frames folder is replaced whole."""
    try:
        stranger = _stranger(folder, folder.name)
    except OSError as exc:
        raise _cannot_write(folder, exc) from None
    if stranger is not None:
        raise OSError(
            f"path: will not replace {folder}: it holds other files ({stranger}), "
            f"not only frames {folder.name}_000.png ...; choose a new folder"
        )


def _kind(mode: int) -> str:
    """What a file mode is, in the words of an error message."""
    kinds = [(stat.S_ISDIR, "a folder"), (stat.S_ISREG, "a file"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
             (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")]
    return next((word for test, word in kinds if test(mode)), "a special file")


def _stranger(folder: Path, name: str) -> str | None:
    """The first entry of ``folder`` that is not a frame of frames folder ``name``, or None.

    Exactly NAME_<digits>.png, NAME_poster.png and NAME_<digits>.svg, as regular files: a glob such as NAME_*.png
    would take the user's ``NAME_final_draft.png`` for a frame and delete it with the folder.
    """
    own = re.compile(re.escape(name) + _OWN_FRAME)
    with os.scandir(folder) as entries:
        return next(
            (e.name for e in entries if not (own.fullmatch(e.name) and e.is_file(follow_symlinks=False))), None
        )


def _stem(name: str) -> str:
    """The target's name as its temporaries show it: whole if it fits, else its start and a hash.

    A temporary adds ``_TEMP_ADDS`` bytes to its target's name, so a name near the 255-byte limit
    would make it unwritable. The shortened stem is stable (a hash of the whole name), so the
    temporaries of a long name are still recognised as this target's when stale.
    """
    if len(os.fsencode(name)) <= NAME_MAX - _TEMP_ADDS:
        return name
    return f"{name[:32]}~{hashlib.sha256(os.fsencode(name)).hexdigest()[:16]}"


def _host() -> str:
    """Four hex digits naming this machine, so a temporary names its writer's host, not only its PID."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:4]


def _remove_stale(target: Path) -> None:
    """Delete the temporaries of ``target`` whose writing process no longer exists.

    A temporary is named ``.STEM.HOST-PID-RANDOM.tmp`` (``.old`` for a folder moved aside), so it
    is provably this target's and provably dead when its host is this one and no process has its
    PID. An age limit was the alternative: it would delete a temporary of a render slower than the
    limit and keep a dead one as long as the limit. A name from another host (a shared network
    folder) is never judged, and a reused PID only keeps a stale temporary longer. Best effort:
    a folder that cannot be listed keeps its temporaries, and the write goes on.
    """
    pattern = re.compile(rf"\.{re.escape(_stem(target.name))}\.(?P<host>[0-9a-f]{{4}})-(?P<pid>[0-9]{{1,10}})"
                         r"-[0-9a-f]{8}\.(?:tmp|old)")
    try:
        with os.scandir(target.parent) as entries:
            stale = [Path(e.path) for e in entries
                     if (m := pattern.fullmatch(e.name)) and m["host"] == _host() and not _alive(int(m["pid"]))]
    except OSError:
        return
    for path in stale:
        _remove(path)


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` exists here (ours always does; elsewhere than POSIX: assume so)."""
    if pid == os.getpid() or os.name != "posix":  # on Windows os.kill(pid, 0) would end the process
        return True
    try:
        os.kill(pid, 0)  # signal 0 sends nothing: it only asks whether the process exists
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # it exists, as another user's
        pass
    return True


def _remove(path: Path) -> None:
    """Delete a temporary or moved-aside file, link or folder; already gone is fine."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


class Staging:
    """A hidden temporary file or folder beside ``target`` that replaces it only on ``commit``.

    Beside (same folder) so the final rename is atomic on one file system; hidden so a half-written
    animation never shows up in a file browser or a README preview.
    """

    def __init__(self, target: Path, *, folder: bool = False) -> None:
        self.target = target
        self.folder = folder
        check_target(target, folder=folder)
        _remove_stale(target)
        self.temp = self._fresh_name("tmp")
        try:
            if folder:
                self.temp.mkdir()
            else:
                self.temp.open("xb").close()
        except OSError as exc:
            raise _cannot_write(target, exc) from exc
        self._done = False

    def _fresh_name(self, tag: str) -> Path:
        """An unused hidden name beside the target naming its writer (see _remove_stale); random,
        so parallel writers in one process never collide."""
        writer = f"{_host()}-{os.getpid()}-{secrets.token_hex(4)}"
        return self.target.with_name(f".{_stem(self.target.name)}.{writer}.{tag}")

    def commit(self) -> None:
        """Move the finished temporary into place (replacing an old target only now)."""
        if self._done:
            return
        try:
            if self.folder:
                self._move_folder_in()
            else:
                os.replace(self.temp, self.target)
        except BaseException:
            self.discard()
            raise
        self._done = True

    def _move_folder_in(self) -> None:
        """Rename the staged folder to the target, first moving aside whatever is in the way.

        A folder cannot be renamed over a non-empty one. Writers of one target racing here each
        retry until their own rename succeeds; a rename fails only because another writer's has
        just succeeded, so all of them finish, the last to rename wins, and each deletes what it
        moved aside.
        """
        while True:
            try:
                os.rename(self.temp, self.target)
                return
            except OSError as exc:
                if exc.errno not in _IN_THE_WAY:
                    raise
            self._delete_target()

    def _delete_target(self) -> None:
        """Move the target aside under a hidden name, then delete it if it is still ours to.

        Checked again now, when it can no longer change: the user may have put files into the
        folder while the frames were being drawn. Gone already means another writer moved it.
        """
        old = self._fresh_name("old")
        try:
            os.rename(self.target, old)
        except FileNotFoundError:
            return
        if not old.is_symlink() and (not old.is_dir() or _stranger(old, self.target.name) is not None):
            os.rename(old, self.target)
            raise OSError(f"path: will not replace {self.target}: other files appeared in it while rendering")
        _remove(old)

    def discard(self) -> None:
        """Delete the temporary; the target is left as it was."""
        if self._done:
            return
        self._done = True
        _remove(self.temp)


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
