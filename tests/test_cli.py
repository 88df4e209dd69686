"""The command line: every command through click's runner; render, all and custom also through a
real subprocess of the installed ``convanim`` script; one-line errors with the right exit status."""

from __future__ import annotations

import fcntl
import inspect
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from PIL import Image

from convanim import __version__, api
from convanim.picture import Timeline
from convanim.cli import main
from convanim.registry import SceneEntry, SceneRegistry, builtin_scenes, load_scene_file
from convanim.core.spec import ConvSpec
from convanim.core.notation import explain

from slides_support import SIZE, scene_file  # noqa: E402  (the tiny scene file the tests share)

CONVANIM = Path(sys.executable).with_name("convanim")
README = Path(__file__).resolve().parents[1] / "README.md"
SMALL = ("--size", SIZE)


def runner() -> CliRunner:
    """A runner keeping stderr apart from stdout (the default from click 8.2 on)."""
    separate = "mix_stderr" in inspect.signature(CliRunner).parameters
    return CliRunner(**({"mix_stderr": False} if separate else {}))


def invoke(*args: str) -> Result:
    return runner().invoke(main, list(args), catch_exceptions=False)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CONVANIM), *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture(autouse=True)
def in_scratch_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test in an empty folder: no pyproject.toml defaults, no stray output/ in the repo."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def scenes(tmp_path: Path) -> Path:
    return scene_file(tmp_path)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.py"
    path.write_text("from convanim.registry import scene\ndef oops(:\n")
    return path


def frame_count(path: Path) -> int:
    with Image.open(path) as image:
        return image.n_frames


def assert_one_line_error(stderr: str, exit_code: int, expected: int, mentions: str) -> None:
    lines = stderr.strip().splitlines()
    assert exit_code == expected, stderr
    assert len(lines) == 1 and lines[0].startswith("convanim: error: "), stderr
    assert "Traceback" not in stderr and mentions in lines[0], stderr


# --- help, version, documentation -------------------------------------------------------------


def test_every_command_and_option_has_help_with_an_example() -> None:
    assert main.help and "Example: convanim" in main.help
    for name, command in main.commands.items():
        assert command.help and f"Example: convanim {name}" in command.help, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts[0]} has no help text"


@pytest.mark.parametrize("name", sorted(main.commands))
def test_help_of_every_command_runs(name: str) -> None:
    result = invoke(name, "--help")
    assert result.exit_code == 0 and f"Example: convanim {name}" in result.stdout


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and __version__ in result.stdout


def test_readme_documents_every_command() -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## Command line\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, "README.md has no '## Command line' section"
    missing = [name for name in main.commands if f"convanim {name}" not in match.group(1)]
    assert not missing, f"README.md '## Command line' does not show: {missing}"


# --- shell completion ----------------------------------------------------------------------------


def bash_completes(*words: str) -> list[str]:
    """What bash offers for ``convanim WORDS`` through the README's completion script, run for real."""
    script = (
        'eval "$(_CONVANIM_COMPLETE=bash_source convanim)"; COMP_WORDS=(convanim "$@"); '
        'COMP_CWORD=$#; _convanim_completion convanim; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    path = f"{CONVANIM.parent}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(["bash", "-c", script, "bash", *words], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PATH": path})
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


@pytest.mark.parametrize(("command", "typed"), [("render", "arith-padding-s"), ("slides", "dil"), ("render", "")])
def test_bash_completes_scene_names(command: str, typed: str) -> None:
    expected = [name for name in builtin_scenes().names() if name.startswith(typed)]
    assert expected and bash_completes(command, typed) == expected


def test_completion_leaves_paths_to_the_shell() -> None:
    env = {**os.environ, "_CONVANIM_COMPLETE": "bash_complete", "COMP_WORDS": "convanim render ./my", "COMP_CWORD": "2"}
    done = subprocess.run([str(CONVANIM)], capture_output=True, text=True, env=env, timeout=60)
    assert done.stdout.splitlines() == ["file,./my"]  # bash then completes file names itself


# --- list, info ----------------------------------------------------------------------------------


def test_list_names_every_scene() -> None:
    result = invoke("list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == builtin_scenes().names()
    columns = {line.index(entry.description) for line, entry in zip(lines, builtin_scenes())}
    assert len(columns) == 1 and min(columns) > max(map(len, builtin_scenes().names()))  # one column


@pytest.mark.parametrize(
    ("flags", "kwargs"),
    [
        ("--input 5 --kernel 3 --stride 2 --padding 1", dict(input_size=5, kernel_size=3, stride=2, padding=1)),
        ("--input 7 --kernel 3,5 --padding same", dict(input_size=7, kernel_size=(3, 5), padding="same")),
        (
            "--input 4 --kernel 3 --transposed --stride 2 --output-padding 1",
            dict(input_size=4, kernel_size=3, transposed=True, stride=2, output_padding=1),
        ),
        (
            "--input 6 --kernel 3 --in-channels 4 --out-channels 8 --groups 2 --bias --dims 3 "
            "--padding-mode reflect --padding 1 --dilation 2",
            dict(input_size=6, kernel_size=3, in_channels=4, out_channels=8, groups=2, bias=True, dims=3,
                 padding_mode="reflect", padding=1, dilation=2),
        ),
    ],
)
def test_info_prints_the_specs_arithmetic(flags: str, kwargs: dict[str, object]) -> None:
    result = invoke("info", *flags.split())
    assert result.exit_code == 0, result.stderr
    assert result.stdout == explain(ConvSpec.create(**kwargs)) + "\n"  # type: ignore[arg-type]


# --- errors: one line, exit 2, no traceback ------------------------------------------------------

BAD_INPUTS = {
    "unknown scene": (["render", "no-such-scene"], "no-such-scene"),
    "kernel larger than padded input": (["info", "--input", "3", "--kernel", "5"], "kernel"),
    "channels not divisible by groups": (
        ["custom", "--input", "5", "--kernel", "3", "--in-channels", "3", "--groups", "2"], "groups"),
    "fps 0": (["render", "{scenes}:tiny-one", "--fps", "0"], "fps"),
    "negative stride": (["custom", "--input", "5", "--kernel", "3", "--stride", "-1"], "stride"),
    "unwritable output": (["render", "{scenes}:tiny-one", "-o", "/proc/x.gif"], "/proc/x.gif"),
    "unwritable folder for all": (["all", "--out", "/proc/x"], "/proc/x"),
    "output below a file": (["render", "{scenes}:tiny-one", "-o", "{scenes}/x.gif"], "x.gif"),
    "syntax error in scene file": (["render", "{broken}"], "broken.py:2"),
    "unknown theme": (["render", "{scenes}:tiny-one", "--theme", "blue"], "--theme"),
    "bad size": (["render", "{scenes}:tiny-one", "--size", "big"], "size"),
    "unknown suffix": (["render", "{scenes}:tiny-one", "-o", "x.bmp"], "suffix"),
    "negative loop": (["render", "{scenes}:tiny-one", "--loop", "-1"], "loop"),
    "not a number": (["info", "--input", "5", "--kernel", "3,x"], "--kernel"),
    "-o with two scenes": (["render", "{scenes}", "-o", "x.gif"], "-o"),
    "unknown command": (["paint"], "paint"),
    "unknown option": (["render", "--colour"], "--colour"),
    "a value for --bare": (["render", "{scenes}:tiny-one", "--bare=yes"], "--bare"),
    "a bare custom title": (["custom", "--input", "5", "--kernel", "3", "--bare", "--title", "T"], "--title"),
    "too small a canvas": (["render", "{scenes}:tiny-one", "--size", "12x12"], "too small"),
}


def filled(args: list[str], scenes: Path, broken: Path) -> list[str]:
    return [arg.format(scenes=scenes, broken=broken) for arg in args]


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_exit_2(case: str, scenes: Path, broken: Path) -> None:
    args, mentions = BAD_INPUTS[case]
    result = invoke(*filled(args, scenes, broken))
    assert_one_line_error(result.stderr, result.exit_code, 2, mentions)
    assert result.stdout == ""


@pytest.mark.parametrize(
    "case", ["unknown scene", "channels not divisible by groups", "fps 0", "negative stride",
             "unwritable output", "syntax error in scene file"],
)
def test_bad_input_from_the_installed_script(case: str, scenes: Path, broken: Path) -> None:
    args, mentions = BAD_INPUTS[case]
    process = run(*filled(args, scenes, broken))
    assert_one_line_error(process.stderr, process.returncode, 2, mentions)


def test_failure_while_rendering_is_exit_1(tmp_path: Path, scenes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import convanim.renderer

    def broken_frames(*args: object, **kwargs: object) -> object:
        raise RuntimeError("renderer exploded")
        yield  # a generator, like the real one

    monkeypatch.setattr(convanim.renderer, "render_frames", broken_frames)
    out = tmp_path / "out.gif"
    result = invoke("render", f"{scenes}:tiny-one", "-o", str(out))
    assert_one_line_error(result.stderr, result.exit_code, 1, "renderer exploded")
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == [scenes.name]


# --- rendering ------------------------------------------------------------------------------------


def test_render_builtin_scene_through_the_script(tmp_path: Path) -> None:
    out = tmp_path / "basics.gif"
    process = run("render", "basics", "-o", str(out), *SMALL)
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip() == str(out) and process.stderr == ""
    assert frame_count(out) == len(builtin_scenes().get("basics").timeline().steps)


def test_render_a_file_of_scenes_to_the_default_folder(scenes: Path) -> None:
    result = invoke("render", str(scenes), *SMALL)
    assert result.exit_code == 0, result.stderr
    written = [Path(line) for line in result.stdout.splitlines()]
    assert written == [Path("output") / "tiny-one.gif", Path("output") / "tiny-two.gif"]
    assert all(path.is_file() for path in written)


def test_render_png_prints_a_beamer_line(tmp_path: Path, scenes: Path) -> None:
    folder = tmp_path / "frames"
    result = invoke("render", f"{scenes}:tiny-one", "-o", str(folder), "--format", "png", *SMALL)
    assert result.exit_code == 0, result.stderr
    path, line = result.stdout.splitlines()
    assert Path(path) == folder and line == api.beamer_line(folder)
    frames = sorted(folder.glob("frames_[0-9]*.png"))
    assert line.endswith(f"{{{frames[0].stem[-3:]}}}{{{frames[-1].stem[-3:]}}}")


def test_custom_through_the_script(tmp_path: Path) -> None:
    from convanim.figures import arithmetic

    out = tmp_path / "custom.gif"
    process = run("custom", "--input", "5", "--kernel", "3", "--stride", "2", "--padding", "1", "-o", str(out), *SMALL)
    assert process.returncode == 0, process.stderr
    spec = ConvSpec.create(5, 3, stride=2, padding=1)
    assert frame_count(out) == len(arithmetic(spec).steps)


BARE_COMMANDS = {
    "render": (["render", "{scenes}:tiny-one", "-o", "{out}"], lambda scenes, out, **kw: api.render(
        f"{scenes}:tiny-one", out, size=SIZE, **kw)),
    "custom": (["custom", "--input", "4", "--kernel", "3", "-o", "{out}"], lambda scenes, out, **kw: api.custom(
        {"input_size": 4, "kernel_size": 3}, out, size=SIZE, **kw)),
}


@pytest.mark.parametrize("command", sorted(BARE_COMMANDS))
def test_bare_renders_the_figure_alone(tmp_path: Path, scenes: Path, command: str) -> None:
    args, library = BARE_COMMANDS[command]
    out = tmp_path / "cli.gif"
    result = invoke(*(arg.format(scenes=scenes, out=out) for arg in args), "--bare", *SMALL)
    assert result.exit_code == 0, result.stderr
    bare, full = library(scenes, tmp_path / "bare.gif", bare=True), library(scenes, tmp_path / "full.gif")
    assert out.read_bytes() == bare.read_bytes() != full.read_bytes()


def test_all_bare(tmp_path: Path, registry: SceneRegistry) -> None:
    result = invoke("all", "--out", str(tmp_path / "out"), "-j", "1", "--bare", *SMALL)
    assert result.exit_code == 0, result.stderr
    for name in registry.names():
        expected = api.render(registry.get(name), tmp_path / f"{name}.gif", size=SIZE, bare=True)
        assert (tmp_path / "out" / f"{name}.gif").read_bytes() == expected.read_bytes()


def test_custom_title_reaches_the_picture(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[str] = []

    def record(timeline: Timeline, name: str, *args: object) -> Path:
        seen.append(timeline.background.title)
        return tmp_path / "x.gif"

    monkeypatch.setattr(api, "_render_timeline", record)
    assert invoke("custom", "--input", "5", "--kernel", "3", "--title", "Stride two").exit_code == 0
    assert invoke("custom", "--input", "5", "--kernel", "3").exit_code == 0
    assert seen == ["Stride two", "2D convolution"]


@pytest.mark.parametrize("columns", [40, 80, 200])
def test_all_on_a_terminal_keeps_its_progress_on_one_line_then_sums_up(tmp_path: Path, columns: int) -> None:
    out = tmp_path / "all"
    terminal, stderr = pty.openpty()
    fcntl.ioctl(stderr, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    try:
        process = subprocess.run(
            [str(CONVANIM), "all", "--out", str(out), "-j", "2", *SMALL],
            stdout=subprocess.PIPE, stderr=stderr, text=True, timeout=300,
        )
        os.close(stderr)
        shown = read_all(terminal)
    finally:
        os.close(terminal)
    assert process.returncode == 0, shown
    expected = sorted(out / f"{name}.gif" for name in builtin_scenes().names())
    assert sorted(Path(line) for line in process.stdout.splitlines()) == expected  # piped: listed
    assert sorted(out.iterdir()) == expected
    progress, _, rest = shown.rpartition(f"{len(expected)} figures written to {out} in ")
    assert re.fullmatch(r"\d+\.\d s\r\n", rest), shown  # the summary: how many, where, how long
    assert screen_lines(progress, columns) == 1, progress  # every redraw on the one line, never wrapped
    assert f"rendering {len(expected)}/{len(expected)}" in progress


def test_the_progress_line_fits_any_width_and_the_summary_names_failures() -> None:
    from convanim.cli.progress import fit_line, summary

    longest = max(builtin_scenes().names(), key=len)
    for columns in range(1, 201):
        for done in (0, 17, 31):
            assert len(fit_line(done, 31, longest, columns)) <= max(1, columns - 1)
    assert fit_line(31, 31, longest, 200).endswith(longest)  # room enough: the whole name
    text = summary(29, ["a", "b"], "out", 1.25)
    assert text.startswith("29 figures written to out in 1.2") and text.endswith("2 failed: a, b")


def screen_lines(output: str, columns: int) -> int:
    """How many lines of a ``columns``-wide terminal ``output`` reaches, as a terminal wraps: a
    character written after the last column moves to the next line (escape sequences take none)."""
    row, column = 0, 0
    for char in re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", output):
        if char == "\r":
            column = 0
        elif char == "\n":
            row += 1
        elif char.isprintable():
            if column == columns:
                row, column = row + 1, 0
            column += 1
    return row + 1


def read_all(terminal: int) -> str:
    """Everything written to a pseudo-terminal whose other end is closed."""
    chunks = []
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # Linux reports the closed end as EIO
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


@pytest.fixture
def registry(scenes: Path, monkeypatch: pytest.MonkeyPatch) -> SceneRegistry:
    """The built-in scenes replaced by the two small ones of ``scenes`` (render runs in-process)."""
    import convanim.registry

    found = load_scene_file(scenes)
    monkeypatch.setattr(convanim.registry, "builtin_scenes", lambda: found)
    monkeypatch.setattr(api, "builtin_scenes", lambda: found)
    return found


def test_all_without_a_terminal_lists_files_and_shows_no_bar(tmp_path: Path, registry: SceneRegistry) -> None:
    out = tmp_path / "out"
    result = invoke("all", "--out", str(out), "-j", "1", *SMALL)
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.splitlines() == [str(out / f"{name}.gif") for name in registry.names()]


def test_all_reports_a_failing_scene_and_renders_the_rest(tmp_path: Path, registry: SceneRegistry) -> None:
    registry.add(SceneEntry("broken", "raises", lambda: 1 / 0, "test"))  # type: ignore[arg-type,return-value]
    out = tmp_path / "out"
    result = invoke("all", "--out", str(out), "-j", "1", "--quiet", *SMALL)
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("convanim: error: broken: ") and "ZeroDivisionError" in lines[0]
    assert lines[1] == "convanim: error: 1 of 3 scenes failed: broken" and "Traceback" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["tiny-one.gif", "tiny-two.gif"]


# --- defaults from pyproject.toml ------------------------------------------------------------------


@pytest.fixture
def in_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run a command in a fresh working directory holding a given pyproject.toml."""
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)

    def run_with(pyproject: str, *args: str) -> Result:
        (project / "pyproject.toml").write_text(pyproject)
        return invoke(*args)

    return run_with


def test_pyproject_defaults_and_command_line_wins(in_project: Callable[..., Result]) -> None:
    pyproject = '[tool.convanim.info]\ninput = 7\nkernel = "3,5"\n'
    assert in_project(pyproject, "info").stdout == explain(ConvSpec.create(7, (3, 5))) + "\n"
    wins = in_project(pyproject, "info", "--input", "9")
    assert wins.stdout == explain(ConvSpec.create(9, (3, 5))) + "\n"


def test_pyproject_shared_keys_reach_every_command(in_project: Callable[..., Result], scenes: Path) -> None:
    result = in_project("[tool.convanim]\nfps = 0\n", "render", f"{scenes}:tiny-one")
    assert_one_line_error(result.stderr, result.exit_code, 2, "fps")


@pytest.mark.parametrize(
    ("pyproject", "mentions"),
    [
        ("[tool.convanim]\nthme = 'dark'\n", "thme"),
        ("[tool.convanim.paint]\nsize = '720p'\n", "paint"),
        ("[tool.convanim.info]\nfps = 30\n", "fps"),
        ("[tool.convanim.render]\nbare = 'yes'\n", 'bare = "yes": expected true or false'),
        ("[tool.convanim\n", "TOML"),
    ],
)
def test_bad_pyproject_is_one_line_exit_2(in_project: Callable[..., Result], pyproject: str, mentions: str) -> None:
    result = in_project(pyproject, "list")
    assert_one_line_error(result.stderr, result.exit_code, 2, mentions)
