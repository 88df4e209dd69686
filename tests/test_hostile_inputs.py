"""What a hostile (or careless) user can type, write or do, and the one-line error each must get.

Every case here once gave a traceback, a silent wrong result or a broken file: config values of
the wrong type, odd scene files, a closed stdout pipe, control characters in titles, PPTX decks
that differ byte-wise between runs, ffmpeg failing on a full disk, and numbers too big to compute.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import subprocess
import sys
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from PIL import Image

from slides_support import SIZE, scene_file  # noqa: E402  (the tiny scene file the tests share)

from convanim import api
from convanim.cli import main
from convanim.cli.commands import BiasValues, OneLine, PerDimension, StepWord
from convanim.core.notation import explain
from convanim.core.spec import ConvSpec
from convanim.slides import Figure
from convanim.slides.beamer import deck_text, latex_text
from convanim.slides.gallery import index_html, markdown_table
from convanim.slides.html import write_html
from convanim.slides.pptx import write_pptx

CONVANIM = Path(sys.executable).with_name("convanim")


def invoke(*args: str) -> Result:
    """Run the command line in this process, stderr kept apart (the default from click 8.2 on)."""
    separate = "mix_stderr" in inspect.signature(CliRunner).parameters
    runner = CliRunner(**({"mix_stderr": False} if separate else {}))
    return runner.invoke(main, list(args))


def assert_one_line(result: Result | subprocess.CompletedProcess[str], status: int, *mentions: str) -> str:
    """The result is one ``convanim: error:`` line on stderr naming ``mentions``, with ``status``."""
    code = result.exit_code if isinstance(result, Result) else result.returncode
    lines = result.stderr.strip().splitlines()
    assert code == status, (code, result.stderr)
    assert len(lines) == 1 and lines[0].startswith("convanim: error: "), result.stderr
    assert "Traceback" not in result.stderr
    for mention in mentions:
        assert mention in lines[0], result.stderr
    return lines[0]


@pytest.fixture(autouse=True)
def in_scratch_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test in an empty folder: no pyproject.toml but its own, no stray output/."""
    monkeypatch.chdir(tmp_path)


# --- 1. config values of the wrong type ------------------------------------------------------------

#: TOML values each kind of option must refuse. Decided here from the kind, independently of how
#: convanim derives its rule, so a mistake in that derivation shows as a failure.
WRONG_BY_KIND: dict[str, list[Any]] = {
    "flag": [1, "yes", 1.5, [True]],
    "whole number": [1.5, True, "5", [1, 2], {"a": 1}],
    "number": [True, "1.5", [1.0]],
    "text": [5, 1.5, True, ["a"]],
    "per dimension": [1.5, True, [1, 2.5], [True], ["3"]],
    "bias values": [[], [True], ["1"], [1, "x"], {"a": 1}],
    "step": [1.5, True, -1, "middle", [1]],
    "steps": [[], [1.5], ["middle"], [-1], 3, True],
}


def kind_of(param: click.Option) -> str:
    """Which rule the option's TOML value follows, by its click type."""
    if param.is_flag:
        return "flag"
    if isinstance(param.type, PerDimension):
        return "per dimension"
    if isinstance(param.type, BiasValues):
        return "bias values"
    if isinstance(param.type, StepWord):
        return "steps" if param.type.many else "step"
    if isinstance(param.type, click.types.IntParamType):
        return "whole number"
    if isinstance(param.type, click.types.FloatParamType):
        return "number"
    assert isinstance(param.type, (click.types.StringParamType, click.Choice, click.Path, OneLine)), (
        f"{param.opts}: a new kind of option type; add its wrong values to WRONG_BY_KIND"
    )
    return "text"


def config_cases() -> Iterator[Any]:
    """(command, key, wrong value) for every option of every command."""
    for name, command in sorted(main.commands.items()):
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            key = next(opt[2:] for opt in param.opts if opt.startswith("--"))
            for value in WRONG_BY_KIND[kind_of(param)]:
                yield pytest.param(name, key, value, id=f"{name}-{key}={json.dumps(value)}")


def toml(value: Any) -> str:
    """``value`` as TOML (JSON's scalars and arrays are TOML's; a dict becomes an inline table)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {toml(item)}" for key, item in value.items()) + "}"
    return json.dumps(value)


@pytest.mark.parametrize(("command", "key", "value"), list(config_cases()))
def test_wrong_typed_config_value_is_one_line_naming_key_value_and_type(
    tmp_path: Path, command: str, key: str, value: Any
) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.convanim.{command}]\n{key} = {toml(value)}\n")
    line = assert_one_line(invoke(command, "--help"), 2)
    assert line.startswith(f"convanim: error: pyproject.toml: [tool.convanim.{command}] {key} = "), line
    assert ": expected " in line, line


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("hold = [1, 2]", "hold = [1, 2]: expected a whole number"),
        ("bias = [true]", 'bias = [true]: expected true, a number, a list of numbers or a string such as "1,-1"'),
        ("output = 5", "output = 5: expected a"),
        ("hold = 1.5", "hold = 1.5: expected a whole number"),
        ("dims = 2.9", "dims = 2.9: expected a whole number"),
        ("hold = true", "hold = true: expected a whole number"),
        ("scale = true", "scale = true: expected a number"),
    ],
)
def test_the_reported_config_values_are_refused_not_truncated(tmp_path: Path, setting: str, expected: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.convanim]\n{setting}\n")
    assert_one_line(invoke("info", "--input", "5", "--kernel", "3"), 2, f"pyproject.toml: [tool.convanim] {expected}")


def test_right_typed_config_values_still_work(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.convanim]\nscale = 2\nhold = 400\nsmooth = false\n"
        '[tool.convanim.info]\ninput = [5, 7]\nkernel = 3\npadding = "same"\nbias = true\ndims = 2\n'
    )
    result = invoke("info")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == explain(ConvSpec.create((5, 7), 3, padding="same", bias=True)) + "\n"


# --- 2. scene files --------------------------------------------------------------------------------


def scene_failure(tmp_path: Path, name: str, text: str | bytes) -> str:
    """Render the scene file ``name`` holding ``text``; return its one error line (exit 2)."""
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return assert_one_line(invoke("render", str(path), "-o", str(tmp_path / "x.gif")), 2, name)


def test_scene_file_with_a_nul_byte_names_the_file(tmp_path: Path) -> None:
    line = scene_failure(tmp_path, "nul.py", b"x = 1\x00\n")
    assert "None" not in line and "null" in line, line


def test_a_folder_named_like_a_scene_file_is_not_said_to_be_missing(tmp_path: Path) -> None:
    (tmp_path / "adir.py").mkdir()
    line = assert_one_line(invoke("render", "adir.py"), 2, "adir.py")
    assert "does not exist" not in line and "folder" in line, line


BUILD = "from convanim.registry import scene\n\n@scene('bad', 'a scene that stops')\ndef bad():\n    {}\n"


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("import sys\nsys.exit(7)\n", ("exit.py:2:", "sys.exit(7)")),
        ("import sys\n" + BUILD.format("sys.exit(7)"), ("exit.py:6:", "sys.exit(7)")),
        ("raise GeneratorExit\n", ("exit.py:1:", "GeneratorExit")),
        (BUILD.format("raise GeneratorExit"), ("exit.py:5:", "GeneratorExit")),
    ],
    ids=["exit-on-load", "exit-in-scene", "generator-exit-on-load", "generator-exit-in-scene"],
)
def test_a_scene_file_that_exits_is_a_located_one_line_error(
    tmp_path: Path, text: str, mentions: tuple[str, ...]
) -> None:
    line = scene_failure(tmp_path, "exit.py", text)
    assert all(mention in line for mention in mentions), line


# --- 3. a closed stdout pipe -----------------------------------------------------------------------


def into_gone_head(*args: str) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run ``convanim ARGS | head -1`` where head has already printed its line and gone.

    head is given a first line of its own and waited for, so that convanim's first write
    deterministically meets a pipe with no reader (as it does once head has exited).
    """
    read, write = os.pipe()
    head = subprocess.Popen(["head", "-1"], stdin=read, stdout=subprocess.PIPE, text=True)
    os.close(read)
    os.write(write, b"before convanim\n")
    shown, _ = head.communicate(timeout=30)
    try:
        result = subprocess.run([str(CONVANIM), *args], stdout=write, stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(write)
    return result, shown


@pytest.mark.skipif(shutil.which("head") is None, reason="needs head(1)")
@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["info", "--input", "5", "--kernel", "3"],
        ["render", "basics", "-o", "basics.gif", "--size", SIZE],
        ["all", "--out", "all", "--format", "png", "--size", "64x48", "-j", "2"],
    ],
    ids=["list", "info", "render", "all"],
)
def test_output_into_a_closed_pipe_ends_quietly(args: list[str]) -> None:
    result, shown = into_gone_head(*args)
    assert shown == "before convanim\n"
    assert result.stderr == "" and result.returncode in (0, 141), (result.returncode, result.stderr)


# --- 4. control characters in titles and captions --------------------------------------------------

CONTROL = "a\x00b\x07c\x1bd\x7fe\x9bf"
LINES = "first\nsecond\tthird"


def controls(text: str, allowed: str) -> set[str]:
    """The control characters in ``text`` other than ``allowed``."""
    return {char for char in text if unicodedata.category(char) == "Cc" and char not in allowed}


@pytest.fixture
def odd_figure(tmp_path: Path) -> Figure:
    """A figure whose title and caption hold control characters, with real media files."""
    media, poster = tmp_path / "odd fig (1).gif", tmp_path / "odd_poster.png"
    Image.new("P", (8, 6)).save(media)
    Image.new("RGB", (8, 6), "white").save(poster)
    return Figure("odd", f"T {CONTROL} ]( <x", f"C {CONTROL} {LINES} [a](b) <img src=x>", media, poster)


def test_html_deck_and_gallery_page_hold_no_raw_control_characters(tmp_path: Path, odd_figure: Figure) -> None:
    deck = write_html([odd_figure], tmp_path / "deck.html").read_text(encoding="utf-8")
    for page in (deck, index_html([odd_figure])):
        assert controls(page, "\n\t") == set()
        assert "<img src=x>" not in page


def test_beamer_text_holds_no_control_characters() -> None:
    tex = deck_text([latex_text(f"T {CONTROL}"), latex_text(f"C {CONTROL} {LINES}")])
    assert controls(tex, "\n\t") == set()
    assert "first\\\\\nsecond" in tex  # line breaks in a caption are kept


def test_pptx_deck_with_control_characters_is_written_and_opens(tmp_path: Path, odd_figure: Figure) -> None:
    import pptx

    deck = pptx.Presentation(str(write_pptx([odd_figure], tmp_path / "deck.pptx")))
    texts = [shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame]
    assert texts and all(controls(text, "\n\t\x0b") == set() for text in texts), texts


def test_markdown_table_escapes_alt_text_and_link_targets(odd_figure: Figure) -> None:
    table = markdown_table([odd_figure], "my figs (new)", 1)
    cell = table.splitlines()[2]
    assert controls(table, "\n") == set()
    assert "\\]\\(" in cell and "\\<x" in cell, cell  # the alt text cannot end the image early
    assert "(my%20figs%20%28new%29/odd%20fig%20%281%29.gif " in cell, cell


def test_markdown_table_parses_to_the_image_and_its_alt_text(odd_figure: Figure) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    parser = markdown_it.MarkdownIt("commonmark").enable("table")
    tokens = parser.parse(markdown_table([odd_figure], "my figs (new)", 1))
    images = [child for token in tokens for child in token.children or () if child.type == "image"]
    assert len(images) == 1
    assert images[0].attrs["src"] == "my%20figs%20%28new%29/odd%20fig%20%281%29.gif"
    assert "".join(text.content for text in images[0].children or ()) == "T abcdef ]( <x"
    assert images[0].attrs["title"] == "C abcdef first second third [a](b) <img src=x>"


@pytest.mark.parametrize(
    ("title", "named"), [("a\nb", "'\\n'"), ("a\x1bb", "'\\x1b'"), ("tab\there", "'\\t'"), ("a\x7f", "'\\x7f'")]
)
def test_a_title_with_a_control_character_is_refused_before_rendering(tmp_path: Path, title: str, named: str) -> None:
    result = invoke("custom", "--input", "3", "--kernel", "2", "--title", title, "-o", str(tmp_path / "t.gif"))
    assert_one_line(result, 2, "--title", named)
    assert not (tmp_path / "t.gif").exists()


def test_a_title_with_a_control_character_in_pyproject_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.convanim.custom]\ntitle = "a\\u0007b"\n')
    assert_one_line(invoke("custom", "--input", "3", "--kernel", "2"), 2, "'\\x07'")


# --- 5. reproducible PPTX --------------------------------------------------------------------------


def test_pptx_deck_is_byte_identical_between_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pptx

    scenes = scene_file(tmp_path)
    first = invoke("slides", str(scenes), "-o", "one.pptx", "--size", SIZE)
    assert first.exit_code == 0, first.stderr
    later = time.time() + 3 * 86400  # zip dates have a 2-second step: make the second run days later
    monkeypatch.setattr(time, "time", lambda: later)
    second = invoke("slides", str(scenes), "-o", "two.pptx", "--size", SIZE)
    assert second.exit_code == 0, second.stderr
    assert Path("one.pptx").read_bytes() == Path("two.pptx").read_bytes()
    with zipfile.ZipFile("one.pptx") as deck:
        assert {info.date_time for info in deck.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert deck.namelist()[0] == "[Content_Types].xml"
    properties = pptx.Presentation("one.pptx").core_properties
    assert properties.created == properties.modified
    assert len(pptx.Presentation("two.pptx").slides) == 2


# --- 6. ffmpeg failing -----------------------------------------------------------------------------


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A real file system of one 4 KiB page (tmpfs): writing more fails with 'No space left on device'."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root and mount(8)")
    folder = tmp_path / "full"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_mp4_on_a_full_disk_is_one_line_with_the_reason(full_disk: Path) -> None:
    result = subprocess.run(
        [str(CONVANIM), "render", "basics", "-o", str(full_disk / "b.mp4"), "--size", SIZE],
        capture_output=True, text=True, timeout=300,
    )
    line = assert_one_line(result, 1, "No space left on device", "b.mp4")
    assert "FFMPEG" not in line and "-vcodec" not in line, line
    assert list(full_disk.iterdir()) == []


def test_ffmpeg_messages_are_captured_and_its_reason_reported(tmp_path: Path) -> None:
    fake = tmp_path / "ffmpeg"
    noise = "".join(f"echo 'ffmpeg noise line {n}' >&2\n" for n in range(6))
    reason = "echo '[out#0/mp4 @ 0x1] Error: Input/output error' >&2"
    fake.write_text(f"#!/bin/sh\ncat > /dev/null\n{noise}{reason}\nexit 1\n")
    fake.chmod(0o755)
    result = subprocess.run(
        [str(CONVANIM), "render", "basics", "-o", str(tmp_path / "b.mp4"), "--size", SIZE],
        capture_output=True, text=True, timeout=300, env={**os.environ, "IMAGEIO_FFMPEG_EXE": str(fake)},
    )
    line = assert_one_line(result, 1, "Error: Input/output error")
    assert "noise" not in result.stderr and "[out#0" not in line, line
    assert not (tmp_path / "b.mp4").exists()


# --- 7. numbers too big to compute -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["render", "basics", "--scale", "1e308"], "scale"),
        (["render", "basics", "--size", "9" * 400 + "x5"], "size"),
        (["custom", "--input", "5", "--kernel", "3", "--stride", "99999999999999999999"], "stride"),
        (["custom", "--input", "5", "--kernel", "3", "--in-channels", "99999999999999999999"], "in_channels"),
        (["custom", "--input", "100000", "--kernel", "3"], "too big"),
    ],
    ids=["scale", "size", "stride", "in-channels", "input"],
)
def test_numbers_too_big_are_one_line_exit_2(args: list[str], mentions: str) -> None:
    assert_one_line(invoke(*args, "-o", "x.gif"), 2, mentions)


def test_a_huge_value_is_refused_by_the_spec_itself() -> None:
    with pytest.raises(ValueError, match="stride"):
        ConvSpec.create(5, 3, stride=2**64)


def test_running_out_of_memory_is_a_one_line_too_big(monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(*args: Any, **kwargs: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(api, "custom", exhausted)
    assert_one_line(invoke("custom", "--input", "5", "--kernel", "3"), 2, "too big")


@pytest.mark.parametrize("text, where", [("Tit\x1ble", "background.title"), ("a\nb", "background.title"),
                                         ("ok\x00", "background.caption")])
def test_a_scene_files_text_with_control_characters_is_refused_before_rendering(
    text: str, where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A title or caption from a user's scene file cannot be laid out (the renderer failed with
    'raqm_layout() failed', exit 1): one line, exit 2, nothing written."""
    monkeypatch.chdir(tmp_path)
    field = "title" if where.endswith("title") else "caption"
    (tmp_path / "texty.py").write_text(
        "from convanim.picture import Grid, Picture, Step, Timeline\n"
        "from convanim.registry import scene\n"
        "@scene('texty', 'text')\n"
        "def texty():\n"
        "    grid = Grid(origin=(0.0, 0.0, 0.0), roles=(('input',),))\n"
        f"    return Timeline(background=Picture(items=(grid,), {field}={text!r}), steps=(Step(Picture()),))\n"
    )
    result = CliRunner().invoke(main, ["render", "texty.py", "-o", "x.gif"])
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1 and where in lines[0], result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["texty.py"]
