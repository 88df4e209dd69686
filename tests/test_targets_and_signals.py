"""Output paths that are not ours to replace, and renders ended by a signal (issue 10).

Each test pins one defect a hostile user found (special files replaced, lookalike user files
deleted, temporaries left by SIGTERM/SIGHUP and never removed, over-long temporary names, a linked
frames folder, concurrent writers of one folder, ``-o -``) and failed before the fix; two also pin
a decision (symbolic links), and one is an expected failure until a file outside the writers
changes (a trailing slash). The signal tests run the real ``convanim`` script and signal it
mid-render.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from convanim.cli import main
from convanim.writers import open_writer
from convanim.signals import Interrupted, signals_deferred, signals_interrupt

CONVANIM = Path(sys.executable).with_name("convanim")
#: A render that takes tens of seconds here, so it is surely still writing when signalled.
SLOW = ["render", "basics", "--size", "1080p", "--fps", "30"]
#: A signalled render ends within this many seconds (it only has to clean up).
CLEANUP_S = 60


def tiny_frame(value: int) -> Image.Image:
    """A 4x4 palette frame of one colour (``value`` 0..2), so writers are fast and tellable."""
    image = Image.fromarray(np.full((4, 4), value, dtype=np.uint8))
    image.putpalette(bytes([250, 250, 250, 30, 30, 30, 0, 114, 178]))
    return image


def write_frames(path: Path, format: str, value: int = 1) -> None:
    with open_writer(path, format) as writer:
        for _ in range(2):
            writer.write(tiny_frame(value), 100)


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def wait_for(condition: Callable[[], bool], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (Linux /proc), children before their children."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def ended(pid: int) -> bool:
    """The process is gone (or a zombie: it has exited and only waits to be reaped)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def is_ffmpeg(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "comm").read_text().startswith("ffmpeg")
    except OSError:
        return False


def kill_left_over(pids: list[int]) -> None:
    """SIGKILL what this test started and is still running (only when an assertion failed)."""
    for pid in pids:
        if not ended(pid):
            os.kill(pid, signal.SIGKILL)


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
needs_root = pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="mknod needs root")


# --- 1. special files ------------------------------------------------------------------------


def make_fifo(path: Path) -> None:
    os.mkfifo(path)


def make_socket(path: Path) -> None:
    # bind() takes at most ~107 bytes of path, so bind the short name inside the folder.
    cwd = Path.cwd()
    os.chdir(path.parent)
    try:
        socket.socket(socket.AF_UNIX).bind(path.name)
    finally:
        os.chdir(cwd)


def make_device(path: Path) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # like /dev/null
    except PermissionError:
        pytest.skip("this container may not create device nodes")


def link_to(make: Callable[[Path], None]) -> Callable[[Path], None]:
    def make_link(path: Path) -> None:
        make(path.with_name("real"))
        path.symlink_to(path.with_name("real"))

    return make_link


SPECIAL = {
    "fifo": make_fifo,
    "socket": make_socket,
    "device": pytest.param(make_device, marks=needs_root),
    "link to a fifo": link_to(make_fifo),
    "link to a device": pytest.param(link_to(make_device), marks=needs_root),
}


@pytest.mark.parametrize("make", SPECIAL.values(), ids=SPECIAL.keys())
@pytest.mark.parametrize("name", ["out.gif", "frames"])
def test_special_files_are_refused_before_rendering(
    tmp_path: Path, make: Callable[[Path], None], name: str
) -> None:
    path = tmp_path / name
    make(path)
    before = {p.name: p.lstat() for p in tmp_path.iterdir()}
    with pytest.raises(OSError, match=r"^path: ") as refused:
        open_writer(path, "gif" if name.endswith(".gif") else "png")
    assert "\n" not in str(refused.value)
    after = {p.name: p.lstat() for p in tmp_path.iterdir()}
    assert {n: (s.st_mode, s.st_ino) for n, s in after.items()} == {
        n: (s.st_mode, s.st_ino) for n, s in before.items()
    }


@needs_proc
def test_a_link_to_standard_output_is_refused_and_nothing_printed(tmp_path: Path) -> None:
    (tmp_path / "out.gif").symlink_to("/proc/self/fd/1")
    process = subprocess.run(
        [str(CONVANIM), "render", "basics", "-o", "out.gif"], cwd=tmp_path, capture_output=True, timeout=300
    )
    assert process.returncode == 2
    assert process.stdout == b""
    assert re.fullmatch(rb"convanim: error: path: [^\n]*\n", process.stderr), process.stderr
    assert (tmp_path / "out.gif").is_symlink()


def test_a_link_to_a_regular_file_is_itself_replaced_and_the_file_kept(tmp_path: Path) -> None:
    """Pins a decision: the link is replaced (what os.replace does); the file it named is not written."""
    (tmp_path / "theirs.gif").write_bytes(b"theirs")
    (tmp_path / "out.gif").symlink_to("theirs.gif")
    write_frames(tmp_path / "out.gif", "gif")
    assert not (tmp_path / "out.gif").is_symlink()
    assert (tmp_path / "out.gif").read_bytes().startswith(b"GIF")
    assert (tmp_path / "theirs.gif").read_bytes() == b"theirs"


# --- 2. lookalike files in a frames folder ---------------------------------------------------


@pytest.mark.parametrize("stranger", ["figs_final_draft.png", "figs_12b.png", "figs_poster_v2.png", "figs_.png"])
def test_a_frames_folder_holding_a_lookalike_of_its_frames_is_refused(tmp_path: Path, stranger: str) -> None:
    figs = tmp_path / "figs"
    write_frames(figs, "png")
    (figs / stranger).write_bytes(b"mine")
    with pytest.raises(OSError, match=rf"^path: .*\({re.escape(stranger)}\)"):
        open_writer(figs, "png")
    assert (figs / stranger).read_bytes() == b"mine"


# --- 3. signals ------------------------------------------------------------------------------


def previous_target(path: Path) -> dict[str, bytes]:
    """Put an old version of ``path`` in place (a file, or a frames folder) and snapshot the folder."""
    if path.suffix:
        path.write_bytes(b"previous")
    else:
        write_frames(path, "png")
    return snapshot(path.parent)


@needs_proc
@pytest.mark.parametrize(
    ("signum", "output"),
    [(signal.SIGTERM, "x.mp4"), (signal.SIGHUP, "frames"), (signal.SIGINT, "x.gif")],
    ids=["TERM-mp4", "HUP-png", "INT-gif"],
)
def test_a_signal_ends_a_render_like_ctrl_c(tmp_path: Path, signum: int, output: str) -> None:
    def writing(helpers: list[int]) -> bool:
        return bool(hidden(tmp_path)) and (not output.endswith(".mp4") or any(map(is_ffmpeg, helpers)))

    signal_while(tmp_path, [*SLOW, "-o", output], output, signum, writing)


def signal_while(
    folder: Path, args: list[str], output: str, signum: int, ready: Callable[[list[int]], bool]
) -> None:
    """Start ``convanim ARGS`` in ``folder`` over an old ``output``, send ``signum`` once
    ``ready(its descendants)``, and check it ended as Ctrl-C ends it: the shell's status for the
    signal, one line, nothing hidden left, the old output untouched, every helper process gone."""
    before = previous_target(folder / output)
    process = subprocess.Popen([str(CONVANIM), *args], cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    helpers: list[int] = []
    try:

        def started() -> bool:
            helpers[:] = descendants(process.pid)
            return ready(helpers)

        wait_for(started)
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=CLEANUP_S)
    finally:
        kill_left_over([process.pid, *helpers])
    assert process.returncode == 128 + signum, stderr
    assert stderr.decode().count("\n") == 1, stderr
    assert hidden(folder) == []
    assert snapshot(folder) == before
    wait_for(lambda: all(map(ended, helpers)), 10)


#: A GIF long enough to be drawn in two halves, by this process and a forked one.
SPLIT = ["custom", "--input", "24", "--kernel", "3", "--padding", "1", "--every-position"]


@needs_proc
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_signal_ends_a_gif_drawn_in_halves_and_both_temporaries_go(tmp_path: Path, signum: int) -> None:
    signal_while(tmp_path, [*SPLIT, "-o", "x.gif"], "x.gif", signum,
                 lambda helpers: len(hidden(tmp_path)) == 2 and bool(helpers))


@needs_proc
def test_sigterm_ends_convanim_all_with_its_workers_and_their_ffmpeg(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [str(CONVANIM), "all", "--out", "out", "--format", "mp4", "--size", "1080p", "-j", "2", "-q"]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tree: list[int] = []
    try:

        def both_writing() -> bool:
            tree[:] = sorted(set(tree) | set(descendants(process.pid)))
            temps = [name for name in hidden(out) if name.endswith(".tmp")] if out.exists() else []
            return len(temps) == 2 and sum(map(is_ffmpeg, tree)) == 2

        wait_for(both_writing)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=CLEANUP_S)
        wait_for(lambda: all(map(ended, tree)), 10)
    finally:
        kill_left_over([process.pid, *tree])
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert hidden(out) == []


def test_a_signal_while_a_temporary_or_ffmpeg_is_being_recorded_waits_for_the_record() -> None:
    """Seen under load: SIGTERM landed while ffmpeg was being started, before the writer had
    recorded it, so it was left running and wrote its file after cleanup had run."""
    reached = False
    with pytest.raises(Interrupted) as stopped, signals_interrupt(), signals_deferred():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.1)  # the handler runs here, and must not raise yet
        reached = True
    assert reached and stopped.value.exit_status == 128 + signal.SIGTERM


def test_a_second_signal_does_not_cut_the_cleanup_of_the_first_short() -> None:
    cleaned, before = False, signal.getsignal(signal.SIGTERM)
    with pytest.raises(Interrupted), signals_interrupt():
        try:
            os.kill(os.getpid(), signal.SIGHUP)
            time.sleep(5)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.1)
            cleaned = True
    assert cleaned
    assert signal.getsignal(signal.SIGTERM) == before  # the handlers are put back


HOLDER = """
import sys, time
import numpy as np
from PIL import Image
from convanim.writers import open_writer
from convanim.signals import Interrupted, signals_deferred, signals_interrupt

frame = Image.fromarray(np.zeros((4, 4), dtype=np.uint8))
frame.putpalette(bytes(3))
writers = [open_writer(path, "png" if path.endswith("frames") else "gif") for path in sys.argv[1:]]
for writer in writers:
    writer.write(frame, 100)
print("ready", flush=True)
time.sleep(600)
"""


def test_temps_of_a_killed_writer_are_removed_by_the_next_write_and_live_ones_kept(tmp_path: Path) -> None:
    mine, other = [tmp_path / "x.gif", tmp_path / "frames"], tmp_path / "y.gif"
    (tmp_path / ".x.gif.notes").write_text("a user's file that only looks like ours")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, *map(str, [*mine, other])], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
        live = hidden(tmp_path)
        assert len(live) == 4
        for path in mine:  # beside a live writer: its temporaries are left alone
            write_frames(path, "png" if path.name == "frames" else "gif")
        assert hidden(tmp_path) == live
    finally:
        holder.kill()
        holder.wait()
    for path in mine:  # its writer is dead now: they are stale and removed
        write_frames(path, "png" if path.name == "frames" else "gif")
    others = [name for name in live if name.startswith(".y.gif.")]
    assert hidden(tmp_path) == sorted([".x.gif.notes", *others])


@pytest.mark.parametrize(
    ("name", "format"),
    [("a" * 251 + ".gif", "gif"), ("é" * 125 + ".gif", "gif"), ("f" * 244, "png")],
    ids=["255-bytes", "254-bytes-utf8", "folder-244"],
)
def test_a_name_at_the_file_name_limit_is_written(tmp_path: Path, name: str, format: str) -> None:
    write_frames(tmp_path / name, format)
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_frames_folder_whose_frame_names_cannot_fit_is_refused_before_rendering(tmp_path: Path) -> None:
    with pytest.raises(OSError, match=r"^path: .*too long"):
        open_writer(tmp_path / ("f" * 245), "png")
    assert list(tmp_path.iterdir()) == []


# --- 4. a linked frames folder ---------------------------------------------------------------


def test_a_linked_frames_folder_is_itself_replaced_and_the_folder_kept(tmp_path: Path) -> None:
    """Failed with "Cannot call rmtree on a symbolic link", leaving a hidden link. The decision, as
    for files: the link is replaced by the frames folder; the folder it named is kept as it was."""
    (tmp_path / "theirs").mkdir()
    (tmp_path / "theirs" / "notes.txt").write_text("mine")
    (tmp_path / "figs").symlink_to("theirs", target_is_directory=True)
    write_frames(tmp_path / "figs", "png")
    assert not (tmp_path / "figs").is_symlink()
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == ["figs_000.png", "figs_001.png", "figs_poster.png"]
    assert snapshot(tmp_path / "theirs") == {"notes.txt": b"mine"}
    assert hidden(tmp_path) == []


# --- 5. concurrent writers of one frames folder ----------------------------------------------


def race(folder: Path, writers: int) -> list[BaseException]:
    """``writers`` threads write ``folder`` at once, committing together; what they raised."""
    errors: list[BaseException] = []
    together = threading.Barrier(writers)

    def write(value: int) -> None:
        try:
            writer = open_writer(folder, "png")
            writer.write(tiny_frame(value), 100)
            together.wait()
            writer.close()
        except BaseException as exc:  # collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(value,)) for value in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_writers_of_one_frames_folder_all_succeed_and_one_wins(tmp_path: Path) -> None:
    figs = tmp_path / "figs"
    for _ in range(30):
        assert race(figs, 3) == []
        assert hidden(tmp_path) == []
        frames = [np.asarray(Image.open(p)) for p in sorted(figs.iterdir())]
        assert len(frames) == 2 and np.array_equal(frames[0], frames[1])  # a frame and its poster, of one writer


# --- 6. small ones ---------------------------------------------------------------------------


def test_dash_is_refused_rather_than_made_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OSError, match=r"^path: .*standard output"):
        open_writer(Path("-"), "png")
    assert list(tmp_path.iterdir()) == []


def test_a_trailing_slash_on_a_file_name_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["custom", "--input", "2", "--kernel", "1", "-o", "x.gif/"])
    assert result.exit_code == 2 and "ends in a slash" in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []
