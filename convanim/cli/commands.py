"""render, all, custom and info: each parses its options and makes one call into convanim.api.

Option lists shared by several commands are declared once (``render_options``, ``spec_options``)
so that the same flag means the same thing everywhere and the pyproject defaults apply alike.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from convanim import api
from convanim.checks import is_whole
from convanim.checks import check_text
from convanim.errors import BadInput
from convanim.cli import fail, main

F = TypeVar("F", bound=Callable[..., Any])


class LazyChoice(click.Choice):
    """A Choice whose names come from a registry imported only when needed.

    The writers and themes pull in numpy and Pillow; loading them on first use keeps
    ``convanim info`` and ``--version`` quick while the registries stay the one source of names.
    """

    def __init__(self, load: Callable[[], Iterable[str]]) -> None:  # no super(): it would load the choices
        self._load = load
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(self._load())


def _formats() -> Iterable[str]:
    from convanim.writers import FORMATS

    return FORMATS


def _themes() -> Iterable[str]:
    from convanim.renderer.theme import THEMES

    return THEMES


class PerDimension(click.ParamType):
    """One integer for every spatial dimension, or one per dimension: ``3`` or ``3,5``.

    ``words`` are accepted as they are (``same``, ``valid`` for padding). Values from
    pyproject.toml may already be an int or a list (a :class:`~convanim.cli.config.ConfigType`).
    """

    name = "N[,N...]"

    def __init__(self, words: tuple[str, ...] = ()) -> None:
        self.words = words
        examples = ", ".join(f'"{example}"' for example in ("3,5", *words))
        self.config_expected = f"a whole number, a list of them or a string ({examples})"

    def config_accepts(self, value: Any) -> bool:
        """Whole numbers as TOML has them (not bools, not 2.5), or text that ``convert`` reads."""
        if isinstance(value, list):
            return bool(value) and all(is_whole(entry) for entry in value)
        return is_whole(value) or isinstance(value, str)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, (int, tuple)) and not isinstance(value, bool):
            return value
        if isinstance(value, list):
            return tuple(value)
        text = str(value).strip()
        if text in self.words:
            return text
        try:
            numbers = tuple(int(part) for part in text.split(","))
        except ValueError:
            allowed = " or ".join(("an integer such as 3", "one per dimension such as 3,5", *self.words))
            self.fail(f"{value!r} is not {allowed}", param, ctx)
        return numbers[0] if len(numbers) == 1 else numbers


class OneLine(click.ParamType):
    """Text on one line, such as a title: refused up front when it holds a control character.

    A newline, an escape or a NUL cannot be laid out in the picture (the renderer fails on it) and
    is invalid in the HTML, XML and LaTeX a title also goes into; it is always a typing mistake.
    """

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return check_text("title", str(value))
        except BadInput as exc:
            self.fail(str(exc).removeprefix("title: "), param, ctx)


def _apply(decorators: list[Callable[[F], F]], command: F) -> F:
    """Apply option decorators so they show in --help in the order listed."""
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _defaults(function: Callable[..., Any]) -> dict[str, Any]:
    """Keyword defaults of an API function, so the CLI shows and uses the library's own."""
    return {name: param.default for name, param in inspect.signature(function).parameters.items()}


RENDER_DEFAULTS = _defaults(api.render)
ALL_DEFAULTS = _defaults(api.render_all)


def render_options(
    *, default_format: str | None = None, with_format: bool = True, size: tuple[str, str] | None = None
) -> Callable[[F], F]:
    """The options every rendering command shares (names match ``api.render``'s keywords).

    ``with_format=False`` leaves out ``--format`` for commands that decide the format themselves;
    ``size`` is a command's own (default, what it means) for ``--size``.
    """
    format_help = (
        f"File format (default: {default_format})."
        if default_format
        else "File format (default: the suffix of -o, else gif); png writes a folder of frames."
    )
    defaults = RENDER_DEFAULTS
    format_option = click.option("--format", type=LazyChoice(_formats), default=default_format, help=format_help)
    return lambda command: _apply(
        [
            *([format_option] if with_format else []),
            click.option(
                "--size",
                default=size[0] if size else defaults["size"],
                show_default=True,
                help="Canvas: readme (about 600 px wide), 720p, 1080p or WIDTHxHEIGHT such as 640x480"
                + (f"; {size[0]}: {size[1]}." if size else "."),
            ),
            click.option(
                "--scale", type=float, default=defaults["scale"], show_default=True, help="Scale factor on the size."
            ),
            click.option(
                "--fps",
                type=float,
                help="Frames per second, adding in-between frames that glide the kernel window "
                "(default: one frame per step; video formats such as mp4 glide at their own rate).",
            ),
            click.option(
                "--theme", type=LazyChoice(_themes), default=defaults["theme"], show_default=True, help="Colour theme."
            ),
            click.option(
                "--loop",
                type=int,
                default=defaults["loop"],
                show_default=True,
                help="Times the animation plays: 0 forever, 1 once (gif, webp, apng).",
            ),
            click.option("--hold", "hold_ms", type=int, metavar="MS", help="Hold every step this many milliseconds."),
            click.option(
                "--crf",
                type=click.IntRange(0, 51),
                help="H.264 quality of mp4 video: 0 lossless to 51 worst, lower is larger; other formats refuse it.",
            ),
            click.option(
                "--smooth/--no-smooth",
                default=defaults["smooth"],
                show_default=True,
                help="Glide the kernel window between steps when there are in-between frames "
                "(with --fps, and for mp4); --no-smooth jumps.",
            ),
        ],
        command,
    )


def spec_options(command: F) -> F:
    """The flags that describe a convolution, named like PyTorch's nn.ConvNd arguments."""
    from convanim.core.spec import PADDING_MODES

    per_dim = PerDimension()
    return _apply(
        [
            click.option("--input", "input_size", type=per_dim, required=True, help="Input size, e.g. 5 or 5,7."),
            click.option("--kernel", "kernel_size", type=per_dim, required=True, help="Kernel size, e.g. 3 or 3,5."),
            click.option("--stride", type=per_dim, help="Stride (default 1)."),
            click.option(
                "--padding",
                type=PerDimension(("same", "valid")),
                help="Padding per side: a number, one per dimension, same or valid (default 0).",
            ),
            click.option("--dilation", type=per_dim, help="Spacing between kernel taps (default 1)."),
            click.option("--in-channels", type=int, help="Input channels (default 1)."),
            click.option("--out-channels", type=int, help="Output channels (default 1)."),
            click.option("--groups", type=int, help="Groups; both channel counts must divide by it (default 1)."),
            click.option("--transposed", is_flag=True, help="A transposed convolution."),
            click.option(
                "--output-padding", type=per_dim, help="Extra size on one side of a transposed output (default 0)."
            ),
            click.option(
                "--padding-mode", type=click.Choice(PADDING_MODES), help="How the border is filled (default zeros)."
            ),
            click.option("--bias", is_flag=True, help="Count a bias per output channel."),
            click.option(
                "--dims",
                type=click.IntRange(1, 3),
                help="Spatial dimensions (default: from the longest N,N value, else 2).",
            ),
        ],
        command,
    )


def _spec(options: dict[str, Any]) -> Any:
    """Take the spec flags (named like ConvSpec.create's parameters) out of ``options``.

    What is left are the rendering options; flags not given keep ConvSpec's own defaults.
    """
    from convanim.core.spec import ConvSpec

    names = inspect.signature(ConvSpec.create).parameters
    given = {name: options.pop(name) for name in list(options) if name in names}
    return ConvSpec.create(**{name: value for name, value in given.items() if value is not None})


def _report(path: Path, fps: float | None) -> None:
    """Print what was written; for a folder of frames, also the Beamer line that plays it."""
    click.echo(str(path))
    if path.is_dir():
        click.echo(api.beamer_line(path, fps))


OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(),  # a str: Path would drop a trailing slash, which says "a folder"
    help="File to write; its suffix picks the format (png or no suffix: a folder of frames). "
    "Default: output/NAME.FORMAT.",
)


#: The figure alone, for commands that write figures (decks and the gallery decide for themselves).
BARE = click.option(
    "--bare", is_flag=True, default=RENDER_DEFAULTS["bare"],
    help="The figure alone: no title, caption or formula drawn in (as decks embed it).",
)


#: Shared by ``all`` and ``gallery``, which render every scene in worker processes.
JOBS = click.option(
    "-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: the number of cores)."
)


def complete_targets(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Tab completion of a scene target: the built-in names that start with what was typed, and
    files too (the shell lists them) when it looks like a path or no built-in name fits.

    The file entry comes first: bash's completion script clears the names before it otherwise.
    """
    from click.shell_completion import CompletionItem

    from convanim.registry import builtin_scenes

    names = [CompletionItem(name) for name in builtin_scenes().names() if name.startswith(incomplete)]
    looks_like_path = any(mark in incomplete for mark in "./~")
    return [CompletionItem(incomplete, type="file"), *names] if looks_like_path or not names else names


#: The scenes a rendering command takes: built-in names or scene files, completed by the shell.
TARGETS = click.argument(
    "targets", nargs=-1, required=True, metavar="NAME|FILE.py[:NAME]...", shell_complete=complete_targets
)


@main.command()
@TARGETS
@OUTPUT
@render_options()
@BARE
def render(targets: tuple[str, ...], output: str | None, **options: Any) -> None:
    """Render built-in scenes or scenes from your own files.

    A FILE.py renders every scene it registers; FILE.py:NAME just one.

    Example: convanim render basics dilated --format mp4 --size 720p
    """
    from convanim.registry import resolve

    entries = [entry for target in targets for entry in resolve(target)]
    if output is not None and len(entries) > 1:
        names = ", ".join(entry.name for entry in entries)
        fail(f"-o names one output but {len(entries)} scenes were given ({names}); leave -o out")
    for entry in entries:
        _report(api.render(entry, output, **options), options["fps"])


@main.command("all")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=ALL_DEFAULTS["out_dir"],
    show_default=True,
    help="Folder to write every scene into, as NAME.FORMAT.",
)
@JOBS
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no list of written files.")
@render_options(default_format=ALL_DEFAULTS["format"])
@BARE
def render_all(out_dir: Path, jobs: int | None, quiet: bool, **options: Any) -> None:
    """Render every built-in scene, in parallel; a failing scene does not stop the others.

    Example: convanim all --out output --format gif -j 4
    """
    from convanim.cli.progress import ProgressLine, summary
    from convanim.registry import builtin_scenes

    total = len(builtin_scenes())
    # On a terminal a progress line and a summary stand in for the list of files; piped, stdout
    # gets one path a line.
    line = ProgressLine(total, sys.stderr) if not quiet and sys.stderr.isatty() else None
    list_paths = not quiet and not (line is not None and sys.stdout.isatty())

    def progress(result: api.Result, done: int, count: int) -> None:
        if line is not None:
            line.advance(result.name)
        if result.ok and list_paths:
            click.echo(str(result.path))

    results = api.render_all(out_dir, jobs=jobs, progress=progress, **options)
    failed = [result for result in results if not result.ok]
    if line is not None:
        line.finish(summary(total - len(failed), [result.name for result in failed], str(out_dir), line.seconds))
    for result in failed:
        click.echo(f"convanim: error: {result.name}: {result.error}", err=True)
    if failed:
        fail(f"{len(failed)} of {total} scenes failed: {', '.join(result.name for result in failed)}", 1)


@main.command()
@spec_options
@OUTPUT
@click.option("--numbers", is_flag=True, help="Show values in the cells.")
@click.option(
    "--title", type=OneLine(), help="Title above the figure (default: the kind, e.g. '2D transposed convolution')."
)
@render_options()
@BARE
def custom(output: str | None, numbers: bool, title: str | None, **options: Any) -> None:
    """Animate any convolution, in the conv_arithmetic style with its caption.

    Example: convanim custom --input 5 --kernel 3 --stride 2 --padding 1 --title "Stride 2" -o conv.gif
    """
    if title is not None and options["bare"]:
        fail("--title: a --bare figure shows no title; drop one of the two")
    spec = _spec(options)
    _report(api.custom(spec, output, numbers=numbers, title=title, **options), options["fps"])


@main.command()
@spec_options
def info(**values: Any) -> None:
    """Print a convolution's arithmetic: every size, the formula with its numbers, the cost.

    Example: convanim info --input 7 --kernel 3 --dilation 2
    """
    from convanim.core.notation import explain

    click.echo(explain(_spec(values)))
