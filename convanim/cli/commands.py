"""render, all, custom and info: each parses its options and makes one call into convanim.api.

Option lists shared by several commands are declared once (``render_options``, ``spec_options``)
so that the same flag means the same thing everywhere and the pyproject defaults apply alike.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from convanim import api
from convanim.checks import is_whole
from convanim.checks import check_text
from convanim.errors import BadInput
from convanim.words import LANGUAGES
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


def _pixel_ranges() -> Iterable[str]:
    from convanim.values.images import PIXEL_RANGES

    return PIXEL_RANGES


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


class BiasValues(click.ParamType):
    """``--bias`` alone (a seeded bias, counted and drawn) or its values: ``--bias 1`` for every
    output channel, ``--bias=1,-1`` one each (``=`` lets a value start with a minus).

    Converts to True (seeded) or a tuple of numbers; pyproject.toml may say ``bias = true`` (or
    false), a number or a list of numbers.
    """

    name = "[V[,V...]]"
    config_expected = 'true, a number, a list of numbers or a string such as "1,-1"'

    def config_accepts(self, value: Any) -> bool:
        numbers = value if isinstance(value, list) else [value]
        return isinstance(value, (bool, str)) or (
            bool(numbers) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers))

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, (bool, tuple)):
            return value or None  # false in pyproject.toml: no bias
        if value == SEEDED:
            return True
        if isinstance(value, (list, int, float)):
            return tuple(float(v) for v in (value if isinstance(value, list) else [value]))
        from convanim.values.sources import read_bias

        try:
            return tuple(read_bias(str(value)).tolist())
        except BadInput as exc:
            self.fail(str(exc).removeprefix("--bias: "), param, ctx)


#: What ``--bias`` given alone stands for: a bias of seeded values.
SEEDED = "seeded"


class ValuesCommand(click.Command):
    """A command whose ``--bias`` takes a value starting with a minus: ``--bias -1``, ``--bias=-1,2``.

    ``--bias`` may also stand alone, and click then reads a next word starting with ``-`` as an
    option, even after ``=``; a space before the value keeps it a value (``read_bias`` strips it).
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        joined: list[str] = []
        for arg in args:
            if joined and joined[-1] == "--bias" and re.match(r"[-−]?[0-9.]", arg):
                joined[-1] = f"--bias= {arg}"
            elif arg.startswith("--bias=-"):
                joined.append(f"--bias= {arg.removeprefix('--bias=')}")
            else:
                joined.append(arg)
        return super().parse_args(ctx, joined)


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


class StepWord(click.ParamType):
    """A step of a figure: its number from 0, ``first`` or ``last`` (``--step``); with
    ``many``, a list of them (``--steps 0,4,last``)."""

    def __init__(self, many: bool = False) -> None:
        self.many = many
        self.name = "N[,N...]" if many else "N|first|last"
        self.config_expected = ('a list of steps such as [0, 4, "last"] or a string such as "0,4,last"' if many
                                else 'a step number from 0, "first" or "last"')

    def config_accepts(self, value: Any) -> bool:
        """A step as TOML has it (a whole number from 0, "first", "last"); with ``many``, a list
        of them or a string such as "0,4,last"."""
        if self.many:
            return isinstance(value, str) or (isinstance(value, list) and bool(value) and all(map(_step, value)))
        return _step(value)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, (int, tuple)) and not isinstance(value, bool):
            return value
        words = value if isinstance(value, list) else str(value).split(",") if self.many else [value]
        steps: list[int | str] = []
        for word in words:
            text = str(word).strip()
            if text in ("first", "last"):
                steps.append(text)
            elif text.isdigit():
                steps.append(int(text))
            else:
                self.fail(f"{word!r} is not a step number from 0, 'first' or 'last'", param, ctx)
        return tuple(steps) if self.many else steps[0]


def _step(value: Any) -> bool:
    return (is_whole(value) and value >= 0) or value in ("first", "last")


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
        else "File format (default: the suffix of -o, else gif); png and svg write a folder of frames (one "
        "picture with --step or --strip), pdf a page a step, html a page to step through and hover."
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
                "--lang",
                type=click.Choice(LANGUAGES),
                default=defaults["lang"],
                show_default=True,
                help="Language of the figures' titles, captions and labels: en, or zh (Chinese; needs a CJK font: "
                "Debian's fonts-noto-cjk, or pip install 'convanim[zh]'). Formulas stay as they are.",
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


def still_options(command: F) -> F:
    """One picture instead of an animation (a step, a storyboard), or an svg that plays."""
    from convanim.renderer.strip import DEFAULT_PANELS

    return _apply(
        [
            click.option("--step", type=StepWord(), help="Just this step, as one picture (png, svg or pdf): "
                         "its number from 0, first or last."),
            click.option("--strip", is_flag=True, help=f"A storyboard: {DEFAULT_PANELS} steps evenly spaced side "
                         "by side in one picture with step labels (png, svg or pdf), for print and handouts."),
            click.option("--steps", type=StepWord(many=True), help="The storyboard's steps, e.g. 0,4,8 or 0,last "
                         "(implies --strip)."),
            click.option("--panels", type=click.IntRange(min=1), metavar="N",
                         help="The storyboard's number of steps, evenly spaced (implies --strip)."),
            click.option("--animate", is_flag=True, help="With svg: one file that plays every step in a browser, "
                         "instead of a folder of frames."),
        ],
        command,
    )


def _stills(options: dict[str, Any]) -> dict[str, Any]:
    """``--strip``, ``--steps`` and ``--panels`` as the API's one ``strip`` keyword."""
    flag, steps, panels = options.pop("strip"), options.pop("steps"), options.pop("panels")
    if steps is not None and panels is not None:
        fail("--steps: names the storyboard's steps, --panels counts them; give one of the two")
    if steps is not None or panels is not None or flag:
        from convanim.renderer.strip import DEFAULT_PANELS

        options["strip"] = steps if steps is not None else panels or DEFAULT_PANELS
    return options


def spec_options(command: F) -> F:
    """The flags that describe a convolution, named like PyTorch's nn.ConvNd arguments."""
    from convanim.core.pool_spec import POOL_KINDS
    from convanim.core.spec import PADDING_MODES

    per_dim = PerDimension()
    return _apply(
        [
            click.option(
                "--input",
                "input_size",
                type=per_dim,
                help="Input size, e.g. 5 or 5,7 (default: the --data's); for an image, the size to resize "
                "it to: one number is the longer side, keeping the aspect ratio.",
            ),
            click.option(
                "--kernel",
                "kernel_size",
                type=per_dim,
                help="Kernel size, e.g. 3 or 3,5 (default: the --weights'; sizes the box and gaussian kernels).",
            ),
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
            click.option(
                "--bias",
                type=BiasValues(),
                is_flag=False,
                flag_value=SEEDED,
                help="A bias per output channel: alone, seeded values; --bias 1 one value for every output "
                "channel; --bias=1,-1 one each.",
            ),
            click.option(
                "--dims",
                type=click.IntRange(1, 3),
                help="Spatial dimensions (default: from the longest N,N value, else 2).",
            ),
            click.option(
                "--pool",
                type=click.Choice(POOL_KINDS),
                help="A max or average pooling instead of a convolution (no weights; --in-channels is its "
                "channel count).",
            ),
            click.option(
                "--ceil-mode", is_flag=True, default=None, help="Pooling: round the output size up, as ceil_mode."
            ),
            click.option(
                "--count-include-pad/--no-count-include-pad",
                default=None,
                help="Average pooling: divide by the padding cells too, or not (default: they count).",
            ),
            click.option(
                "--divisor-override", type=int, metavar="N", help="Average pooling: divide every sum by N."
            ),
        ],
        command,
    )


#: The flags only a pooling takes, and only a convolution (by keyword), refused with the other.
POOL_ONLY = ("ceil_mode", "count_include_pad", "divisor_override")
CONV_ONLY = ("out_channels", "groups", "transposed", "output_padding", "padding_mode", "bias", "weights",
             "torch_script")


def _refuse(options: dict[str, Any], names: tuple[str, ...], why: str) -> None:
    """Fail on the first of ``names`` given a value in ``options`` (a flag left off is not given)."""
    for name in names:
        if options.get(name) not in (None, False):
            fail(f"--{_flag(name)}: {why}")


def _flag(name: str) -> str:
    """The option a keyword comes from: ``torch_script`` is --torch, the others their own name."""
    return "torch" if name == "torch_script" else name.replace("_", "-")


def value_options(command: F) -> F:
    """The flags that give a convolution your own numbers (``--bias`` is among the spec's)."""
    return _apply(
        [
            click.option(
                "--data",
                metavar="SRC",
                help='Input values: inline rows such as "0,1;1,0" (| between channels, / between depth '
                "slices), a .npy, .csv or .txt file, or an image (PNG, JPEG, GIF, BMP, WebP; greyscale, "
                "RGB with --in-channels 3).",
            ),
            click.option(
                "--weights",
                metavar="SRC|NAME",
                help="Kernel values: a named kernel (see 'convanim kernels'), inline rows (|| between "
                "filters, | between a filter's channels) or a .npy, .csv or .txt file; a kernel alone "
                "is used for every channel pair.",
            ),
            click.option(
                "--pixel-range",
                type=LazyChoice(_pixel_ranges),
                help="Pixel values of an image given to --data (default: 0..255).",
            ),
        ],
        command,
    )


def _convolution(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Take the spec and value flags out of ``options``: (ConvSpec.create's keywords as given, the
    arrays ``--data``, ``--weights`` and ``--bias`` give, as ``api.record`` takes them).

    What is left are the rendering options; flags not given keep ConvSpec's own defaults, and
    sizes not given are read off the values. A pooling's flags are refused without ``--pool``.
    """
    from convanim.core.spec import ConvSpec, implied_dims
    from convanim.values import sources

    _refuse(options, POOL_ONLY, "only for a pooling: add --pool max or --pool avg")
    for name in POOL_ONLY:
        options.pop(name)
    names = inspect.signature(ConvSpec.create).parameters
    given = {name: options.pop(name) for name in list(options) if name in names}
    kwargs = {name: value for name, value in given.items() if value is not None}
    data, weights, pixel_range = options.pop("data"), options.pop("weights"), options.pop("pixel_range")
    arrays: dict[str, Any] = {}
    if isinstance(kwargs.get("bias"), tuple):
        arrays["bias"] = kwargs.pop("bias")
    read = {
        "data": _data(kwargs, data, pixel_range, kwargs.get("in_channels", 1)),
        "weights": None if weights is None else sources.read_weights(weights, size=kwargs.get("kernel_size")),
    }
    dims = kwargs.get("dims") or implied_dims(*kwargs.values()) or sources.spatial_rank(*read.values())
    if read["data"] is not None:
        arrays["input"] = sources.input_array(read["data"], dims)
    if read["weights"] is not None:
        arrays["weight"] = sources.weight_array(read["weights"], dims)
    return kwargs, arrays


def _pooling(kind: str, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Take a pooling's flags out of ``options``, as ``_convolution`` does: (PoolSpec.create's
    keywords as given, ``--in-channels`` as its ``channels``; the input ``--data`` gives)."""
    from convanim.core.pool_spec import PoolSpec
    from convanim.core.spec import implied_dims
    from convanim.values import sources

    _refuse(options, CONV_ONLY, "not for a pooling (--pool): only a convolution takes it")
    for name in CONV_ONLY:
        options.pop(name, None)
    names = inspect.signature(PoolSpec.create).parameters
    given = {"kind": kind, "channels": options.pop("in_channels"),
             **{name: options.pop(name) for name in list(options) if name in names}}
    kwargs = {name: value for name, value in given.items() if value is not None}
    if isinstance(kwargs.get("padding"), str):
        fail(f"--padding {kwargs['padding']}: for a convolution only; a pooling takes a number per side "
             "(at most half the kernel)")
    read = _data(kwargs, options.pop("data"), options.pop("pixel_range"), kwargs.get("channels", 1))
    if read is None:
        return kwargs, {}
    dims = kwargs.get("dims") or implied_dims(*kwargs.values()) or sources.spatial_rank(read)
    return kwargs, {"input": sources.input_array(read, dims)}


def _data(kwargs: dict[str, Any], data: str | None, pixel_range: str | None, channels: int) -> Any:
    """The ``--data`` source read (None without it), sized by ``--input``; for an image that size was
    the one to resize to, so it leaves ``kwargs``: the image has it now."""
    from convanim.values import sources

    if data is None:
        return None
    read = sources.read_data(data, size=kwargs.get("input_size"), channels=channels, pixel_range=pixel_range)
    if read.image:
        kwargs.pop("input_size", None)
    return read


def _report(path: Path, fps: float | None) -> None:
    """Print what was written; for a folder of frames, also the Beamer line that plays it."""
    click.echo(str(path))
    if path.is_dir() and any(path.glob("*.png")):
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
@still_options
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
    _stills(options)
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
@still_options
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

    results = api.render_all(out_dir, jobs=jobs, progress=progress, **_stills(options))
    failed = [result for result in results if not result.ok]
    if line is not None:
        line.finish(summary(total - len(failed), [result.name for result in failed], str(out_dir), line.seconds))
    for result in failed:
        click.echo(f"convanim: error: {result.name}: {result.error}", err=True)
    if failed:
        fail(f"{len(failed)} of {total} scenes failed: {', '.join(result.name for result in failed)}", 1)


@main.command(cls=ValuesCommand)
@spec_options
@value_options
@OUTPUT
@click.option(
    "--numbers/--no-numbers",
    default=None,
    help="Every value as a number in its cell, or none (default: numbers where the cells are big enough to "
    "read them, else a heat map; without --data or --weights, no values).",
)
@click.option("--every-position", is_flag=True, help="One frame per kernel position, even in a long sweep.")
@click.option(
    "--torch",
    "torch_script",
    type=click.Path(dir_okay=False),
    metavar="FILE.py",
    help="Also write a PyTorch script with these exact numbers that checks the figure's output.",
)
@click.option(
    "--title", type=OneLine(), help="Title above the figure (default: the kind, e.g. '2D transposed convolution')."
)
@render_options()
@still_options
@BARE
def custom(output: str | None, numbers: bool | None, title: str | None, pool: str | None, **options: Any) -> None:
    """Animate any convolution, in the conv_arithmetic style with its caption, or with --pool any
    max or average pooling, every number shown (1D as one row; of several channels, the first).

    Example: convanim custom --input 5 --kernel 3 --stride 2 --padding 1 --title "Stride 2" -o conv.gif
    """
    if title is not None and options["bare"]:
        fail("--title: a --bare figure shows no title; drop one of the two")
    _stills(options)
    if pool is None:
        kwargs, arrays = _convolution(options)
        _report(api.custom(kwargs, output, numbers=numbers, title=title, **arrays, **options), options["fps"])
        return
    if numbers is False:
        fail("--no-numbers: a pooling figure always shows its numbers")
    kwargs, arrays = _pooling(pool, options)
    _report(api.pool(kwargs, output, title=title, **arrays, **options), options["fps"])


@main.command(cls=ValuesCommand)
@spec_options
@value_options
@click.option("--json", "as_json", is_flag=True, help="One JSON object: every size, the formula, the cost, "
              "and the output values when values are given.")
def info(as_json: bool, pool: str | None, **options: Any) -> None:
    """Print a convolution's or (with --pool) a pooling's arithmetic: every size, the formula with its
    numbers, a convolution's cost, and the output values when --data, --weights or --bias values are given.

    Example: convanim info --input 7 --kernel 3 --dilation 2
    """
    import json

    from convanim.core.notation import explain, facts, values_text
    from convanim.values.shapes import complete, complete_pool

    recording: Any
    if pool is None:
        kwargs, arrays = _convolution(options)
        recording = api.record(kwargs, **arrays) if arrays else None
        spec: Any = complete(kwargs).spec if recording is None else recording.spec
    else:
        kwargs, arrays = _pooling(pool, options)
        recording = api.record_pool(kwargs, **arrays) if arrays else None
        spec = complete_pool(kwargs).spec if recording is None else recording.spec
    if as_json:
        extra = {} if recording is None else {"output": recording.output.tolist()}
        click.echo(json.dumps({**facts(spec), **extra}, ensure_ascii=False, allow_nan=False))
        return
    click.echo(explain(spec))
    if recording is not None:
        click.echo(values_text("output", recording.output, ("channel", "depth")))


@main.command()
def kernels() -> None:
    """List the named kernels --weights takes, with their values (box and gaussian at 3×3).

    Example: convanim kernels
    """
    from convanim.core.notation import matrix_text
    from convanim.values.kernels import KERNELS, named_kernel

    for name, kernel in KERNELS.items():
        sized = ", sized by --kernel" if kernel.sized else ""
        click.echo(f"{name}: {kernel.description}{sized}\n{matrix_text(named_kernel(name))}")
