"""The error kinds and their exit statuses, the one validator per option, and the format records.

Each kind of failure exits with its own status whatever raises it: bad input 2 (before any
work), a rendering failure 1, a broken invariant 1 with "a bug" in its one line.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from convanim import api
from convanim.checks import MAX_FPS, check_fps, check_whole, is_whole
from convanim.cli import main
from convanim.core import composite
from convanim.errors import BadInput, InternalError, MissingBackend, RenderError
from convanim.notebook import Animation
from convanim.writers import FORMATS, format_info, format_of, open_writer

from slides_support import SIZE, scene_file  # noqa: E402


# -- validators ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, -1, MAX_FPS + 1, math.inf, math.nan, True, "30", None, 1e308])
def test_check_fps_refuses(value: object) -> None:
    with pytest.raises(BadInput, match=r"^fps must be a number of frames per second in \(0, 240\]"):
        check_fps(value)


@pytest.mark.parametrize("value", [1, 29.97, np.float32(12.5), MAX_FPS, np.int64(30)])
def test_check_fps_accepts(value: object) -> None:
    assert check_fps(value) == pytest.approx(float(value))  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [-1, 1.5, True, "3", None, 52])
def test_check_whole_refuses(value: object) -> None:
    with pytest.raises(BadInput, match="^crf must be a whole number from 0 to 51, got"):
        check_whole("crf", value, 0, 51)


def test_check_whole_accepts_numpy_integers_but_not_bools() -> None:
    assert check_whole("loop", np.int64(3), 0) == 3 and isinstance(check_whole("loop", np.int64(3), 0), int)
    assert is_whole(np.uint8(2)) and not is_whole(False) and not is_whole(2.0)


@pytest.mark.parametrize("make", [
    lambda: api.RenderOptions(fps=0),
    lambda: open_writer("a.gif", fps=-1),
    lambda: api.render("basics", "a.gif", fps=MAX_FPS * 2),
])
def test_every_layer_refuses_a_bad_fps_with_the_same_rule(make: object, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BadInput, match=r"fps must be a number of frames per second in \(0, 240\]"):
        make()  # type: ignore[operator]
    assert list(tmp_path.iterdir()) == []


# -- error kinds -----------------------------------------------------------------------------------


def test_error_kinds_carry_their_exit_status() -> None:
    assert BadInput("x").exit_status == 2 and MissingBackend("x").exit_status == 2
    assert RenderError("x").exit_status == 1 and InternalError("x").exit_status == 1
    assert isinstance(BadInput("x"), ValueError) and isinstance(MissingBackend("x"), ImportError)
    assert not isinstance(InternalError("x"), ValueError)
    assert "a bug in convanim" in str(InternalError("sums differ"))


def test_a_broken_invariant_is_reported_as_a_bug_not_as_bad_input(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A factorisation that does not reproduce its kernel is convanim's fault: exit 1, 'a bug'."""
    monkeypatch.setattr(composite.np, "allclose", lambda *args, **kwargs: False)
    scenes = tmp_path / "broken_invariant.py"
    scenes.write_text(
        "from convanim.core import composite\n"
        "from convanim.registry import scene\n"
        "@scene('factored', 'a factorisation')\n"
        "def factored():\n"
        "    composite.spatial_separable([[1, 2], [3, 4]], [1, 1], [1, -1])\n"
    )
    result = CliRunner().invoke(main, ["render", str(scenes), "-o", str(tmp_path / "x.gif")])
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1, result.stderr
    assert len(lines) == 1 and "internal error (a bug in convanim" in lines[0], result.stderr
    assert "bad input" not in lines[0] and not (tmp_path / "x.gif").exists()


# -- format records ------------------------------------------------------------------------------


def test_every_format_declares_its_record_and_the_registry_reads_it() -> None:
    for name, writer in FORMATS.items():
        info = writer.info
        assert info.name == name and info is format_info(name)
        for suffix in info.suffixes:
            assert format_of(Path(f"figure{suffix}")) is info
        assert (info.mime_type is None) == info.folder
        assert set(info.options) <= set(writer.__init__.__code__.co_varnames)
    assert format_info("mp4").video and format_info("mp4").options == ("crf",)
    assert format_info("png").folder and not format_info("png").loops
    assert format_of(Path("figure.avi")) is None


def test_the_notebook_shows_what_the_records_say(tmp_path: Path) -> None:
    for name, writer in FORMATS.items():
        if name == "svg":  # a frames folder on disk; inline, the name of the SVG that plays (below)
            continue
        if writer.info.folder or writer.info.mime_type == "application/pdf" or name == "animated-svg":
            with pytest.raises(BadInput, match="format must be one of"):
                Animation(b"", name)
        else:
            assert Animation(b"", name).mime_type == writer.info.mime_type
    assert Animation(b"", "svg").mime_type == "image/svg+xml"  # in a notebook, the SVG that plays


# -- the MP4 quality option ------------------------------------------------------------------------


def test_crf_reaches_the_mp4_encoder_from_the_command_line(tmp_path: Path) -> None:
    scenes = scene_file(tmp_path)
    sizes = {}
    for crf in ("0", "45"):
        out = tmp_path / f"crf{crf}.mp4"
        result = CliRunner().invoke(main, ["render", f"{scenes}:tiny-one", "--size", SIZE, "--crf", crf, "-o",
                                           str(out)])
        assert result.exit_code == 0, result.stderr
        sizes[crf] = out.stat().st_size
    assert sizes["0"] > 2 * sizes["45"]  # lossless is far larger than a coarse quantiser


@pytest.mark.parametrize("args, mentions", [
    (["--crf", "20", "-o", "x.gif"], "crf: only mp4 takes it, not gif"),
    (["--crf", "52", "-o", "x.mp4"], "--crf"),
    (["--crf", "high", "-o", "x.mp4"], "--crf"),
])
def test_bad_crf_is_one_line_and_exit_2_before_rendering(args: list[str], mentions: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    scenes = scene_file(tmp_path)
    result = CliRunner().invoke(main, ["render", f"{scenes}:tiny-one", "--size", SIZE, *args])
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1 and mentions in lines[0], result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [scenes.name]
