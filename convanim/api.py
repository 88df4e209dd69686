"""The library API: everything the command line does, callable from Python and notebooks.

``render`` turns one scene (a name, a scene file, a registered entry or a bare Timeline) into one
file; ``custom`` does the same for any convolution described like PyTorch's, ``pool`` for any max
or average pooling; ``render_all``
renders every built-in scene in parallel worker processes. Options are checked before any work
starts, so a bad option costs nothing and leaves nothing on disk; the writers are atomic, so a
failure while rendering leaves nothing partial either.

Errors follow one rule that the command line maps to exit codes: a bad value (option, scene,
spec) is a ``ValueError`` and an output path that cannot be written an ``OSError`` (both exit 2,
checked before rendering); a failure while frames are drawn or encoded is a ``RenderError``
(exit 1).
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from convanim.errors import BadInput, InternalError, RenderError
from convanim.picture import Timeline
from convanim.picture.lazy import mapped
from convanim.registry import SceneEntry, builtin_scenes, resolve
from convanim.checks import check_fps, check_whole
from convanim.words import speaking

if TYPE_CHECKING:
    from concurrent.futures import Future

    from convanim.renderer.project import CanvasSpec
    from convanim.core.pool_recording import PoolRecording
    from convanim.core.pool_spec import PoolSpec
    from convanim.core.recording import Recording
    from convanim.values.shapes import Convolution
    from convanim.writers import FormatInfo

#: A recording: a convolution's or a pooling's (both have an ``output``).
R = TypeVar("R", "Recording", "PoolRecording")


@dataclass(frozen=True)
class RenderOptions:
    """How to render, checked on creation so that a bad option fails before any work.

    ``fps`` None means stepping (one frame per state, held for its duration) except for video
    formats, which glide at their own rate (``FormatInfo.rate_fps``); a given ``fps`` adds
    in-between frames that glide the kernel window, unless ``smooth`` is off. ``hold_ms`` replaces
    every step's hold; ``loop`` is how many times the animation plays, 0 for ever; ``crf`` is MP4's
    H.264 quality (None: the writer's default), refused by formats that have none; ``bare`` draws
    the figure alone, without its title, caption and formula (as decks embed it).

    ``lang`` is the language of the figure's words (``"en"``, ``"zh"``: see :mod:`convanim.words`);
    Chinese needs a CJK font, looked for here so that its absence fails before any work.

    ``step`` draws one step as a still (png, svg or pdf): its index from 0, ``"first"`` or
    ``"last"``. ``strip`` draws a storyboard of several steps in one still: a number of steps
    evenly spaced (first and last among them), or the indices themselves. ``animate`` makes an
    svg one file that plays (``format="animated-svg"``), instead of a folder of frames.
    """

    format: str | None = None
    size: str | tuple[int, int] = "readme"
    scale: float = 1.0
    fps: float | None = None
    theme: str = "light"
    loop: int = 0
    hold_ms: int | None = None
    smooth: bool = True
    crf: int | None = None
    bare: bool = False
    step: int | str | None = None
    strip: int | tuple[int | str, ...] | None = None
    animate: bool = False
    lang: str = "en"

    def __post_init__(self) -> None:
        from convanim.budget import check_canvas
        from convanim.renderer.project import resolve_size
        from convanim.renderer.theme import get_theme
        from convanim.writers import resolve_format

        if self.format is not None:
            resolve_format(Path(), self.format)  # a known format whose backend is present
        get_theme(self.theme)
        _check_lang(self.lang)
        check_canvas(resolve_size(self.size, self.scale))
        if self.fps is not None:
            check_fps(self.fps)
        if self.hold_ms is not None:
            check_whole("hold_ms", self.hold_ms, 1)
        check_whole("loop", self.loop, 0)
        if self.crf is not None:
            check_whole("crf", self.crf, 0, 51)
        for flag in ("bare", "animate"):
            if not isinstance(getattr(self, flag), bool):
                raise BadInput(f"{flag}: expected True or False, got {getattr(self, flag)!r}")
        _check_still(self)

    @property
    def still(self) -> bool:
        """Whether one picture is drawn (a step, or a storyboard) rather than an animation."""
        return self.step is not None or self.strip is not None

    def writer_options(self) -> dict[str, Any]:
        """The options only some formats' writers take, as given (the writer refuses the others)."""
        return {} if self.crf is None else {"crf": self.crf}


def _check_lang(lang: object) -> None:
    """A language figures are written in, with a font that draws it."""
    from convanim.words import check_language

    try:
        check_language(lang)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    if lang == "zh":
        from convanim.renderer.fonts import cjk_face

        cjk_face()


#: The formats that hold one picture: what ``step`` and ``strip`` write.
STILL_FORMATS = ("png", "svg", "pdf")


def _check_still(options: RenderOptions) -> None:
    """Refuse a step or storyboard in a format that holds an animation, and ``animate`` with
    anything but an svg animation; step numbers are checked against the figure later."""
    from convanim.writers import format_info

    if options.step is not None and options.strip is not None:
        raise BadInput("step: a single step and a storyboard (strip) are two pictures; ask for one")
    if options.step is not None:
        _step_word("step", options.step)
    if options.strip is not None:
        if isinstance(options.strip, tuple):
            if not options.strip:
                raise BadInput("strip: name at least one step")
            for step in options.strip:
                _step_word("strip", step)
        else:
            check_whole("strip", options.strip, 1)
    fmt = options.format
    if options.still and fmt is not None and fmt not in STILL_FORMATS:
        what = "step" if options.step is not None else "strip"
        raise BadInput(f"{what}: one picture is written as {', '.join(STILL_FORMATS)}, not {fmt}")
    if options.animate:
        if options.still:
            raise BadInput("animate: a step or a storyboard is one picture; an animated svg plays every step")
        if fmt not in (None, "svg", "animated-svg"):
            raise BadInput(f"animate: only an svg animates (--format svg --animate), not {fmt}")
    if fmt is not None and format_info(fmt).vector and options.fps is not None:
        raise BadInput(f"fps: a {fmt} holds one page a step, not frames at a rate; leave --fps out")


def _step_word(name: str, step: object) -> None:
    """A step given as an index from 0, "first" or "last"."""
    if step in ("first", "last"):
        return
    if isinstance(step, str) or not isinstance(step, int) or isinstance(step, bool) or step < 0:
        raise BadInput(f"{name}: a step is a number from 0, 'first' or 'last', got {step!r}")


def _step_index(name: str, step: int | str, count: int) -> int:
    """The index a step word names in a timeline of ``count`` steps; out of range is refused."""
    if step == "first":
        return 0
    if step == "last":
        return count - 1
    assert isinstance(step, int)
    if step >= count:
        raise BadInput(f"{name}: step {step} does not exist; this figure has steps 0 to {count - 1}")
    return step


@dataclass(frozen=True)
class Result:
    """What became of one scene in ``render_all``: its file, or the reason it failed."""

    name: str
    path: Path | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


Progress = Callable[[Result, int, int], None]


def render(
    target: str | SceneEntry | Timeline,
    out: str | Path | None = None,
    *,
    format: str | None = None,
    size: str | tuple[int, int] = "readme",
    scale: float = 1.0,
    fps: float | None = None,
    theme: str = "light",
    loop: int = 0,
    hold_ms: int | None = None,
    smooth: bool = True,
    crf: int | None = None,
    bare: bool = False,
    step: int | str | None = None,
    strip: int | tuple[int | str, ...] | None = None,
    animate: bool = False,
    lang: str = "en",
    out_dir: str | Path = "output",
    name: str | None = None,
) -> Path:
    """Render one scene to a file and return its path.

    ``target`` is a scene name, ``file.py`` (holding one scene), ``file.py:name``, a SceneEntry
    or a Timeline. The format follows the suffix of ``out`` unless ``format`` is given; without
    ``out`` the file is ``out_dir/NAME.<format>`` (NAME: ``name``, else the scene's name, else
    ``figure`` for a bare Timeline). For ``png`` the path is a folder of frames (see
    :func:`beamer_line`), and for ``svg`` a folder of SVG frames; ``pdf`` is one page a step.
    ``bare`` leaves the title, caption and formula out of the picture. ``step`` and ``strip``
    write one still (png, svg or pdf) and ``animate`` one playing svg; ``lang`` is the language
    of a scene's words, ``"en"`` or ``"zh"`` (see :class:`RenderOptions`). A bare Timeline is drawn
    as it was built. Returns the file or folder written.
    """
    options = RenderOptions(format=format, size=size, scale=scale, fps=fps, theme=theme, loop=loop,
                            hold_ms=hold_ms, smooth=smooth, crf=crf, bare=bare, step=step, strip=strip,
                            animate=animate, lang=lang)
    label, timeline = _timeline_of(target, lang)
    return _render_timeline(timeline, name or label, out, out_dir, options)


def custom(
    spec: Any = None,
    out: str | Path | None = None,
    *,
    input: Any = None,
    weight: Any = None,
    bias: Any = None,
    numbers: bool | None = None,
    every_position: bool = False,
    title: str | None = None,
    out_dir: str | Path = "output",
    torch_script: str | Path | None = None,
    **options: Any,
) -> Path:
    """Render any convolution in the conv_arithmetic style; ``spec`` is a ConvSpec or its kwargs.

    ``input``, ``weight`` and ``bias`` are your own numbers as arrays shaped as PyTorch's
    (``(C, *size)``, ``(C_out, C_in/groups, *k)``, ``(C_out,)``); a weight may also be a kernel
    alone (``(*k)``, used for every channel pair) and a bias one value (for every output channel).
    What is not given is drawn as small seeded integers. Sizes and channel counts missing from
    ``spec`` are read off the arrays (see :func:`record`).
    ``numbers``: True shows every value as a number, False as a heat map when values are given
    (else the plain oblique view), None chooses (numbers where cells are big enough to read).
    ``every_position`` keeps one frame per kernel position in a long sweep. ``torch_script``
    also writes a PyTorch script that checks the figure's numbers. ``options`` are those of
    :func:`render`; without ``out`` the file is ``out_dir/custom.<format>``.
    """
    from convanim.figures import Values, arithmetic
    from convanim.writers import check_target

    checked = RenderOptions(**options)
    recording = record(spec, input=input, weight=weight, bias=bias)
    if torch_script is not None:
        check_target(Path(torch_script))
    values: Values
    if input is None and weight is None:  # seeded values say nothing: show them only when asked
        values = "numbers" if numbers else "hidden"
    else:
        values = "auto" if numbers is None else "numbers" if numbers else "heat"
    with speaking(checked.lang):
        timeline = arithmetic(recording, values=values, title=title, every_position=every_position)
    path = _render_timeline(timeline, "custom", out, out_dir, checked)
    if torch_script is not None:
        _write_torch_script(Path(torch_script), recording)
    return path


def record(spec: Any = None, *, input: Any = None, weight: Any = None, bias: Any = None) -> Recording:
    """The recording :func:`custom` draws (and ``convanim info`` prints): ``spec`` completed from
    the arrays, checked against the budget, then run.

    Sizes and channel counts missing from ``spec`` (a ConvSpec, or a dict of ConvSpec.create's
    keywords) are read off the arrays' shapes; one given as well must agree, or a ValueError names
    both. The spatial rank is ``dims``, else the longest size tuple, else the input's ``ndim - 1``,
    so a batched input needs ``dims``. Values must be finite numbers, and so must the output.
    """
    from convanim.budget import check_spec
    from convanim.core import engine

    conv = _custom_spec(spec, input, weight, bias)
    check_spec(conv.spec)  # before the engine runs: a huge spec would take minutes to record
    return _finite(lambda: engine.run(conv.spec, conv.input, conv.weight, conv.bias))


def pool(
    spec: PoolSpec | dict[str, Any],
    out: str | Path | None = None,
    *,
    input: Any = None,
    every_position: bool = False,
    title: str | None = None,
    out_dir: str | Path = "output",
    **options: Any,
) -> Path:
    """Render any max or average pooling, every number shown; ``spec`` is a PoolSpec or its kwargs
    (``dict(kind="max", input_size=5, kernel_size=3)``).

    A pooling has no weights, so it is its own function beside :func:`custom` rather than a mode
    of it. ``input`` is your own numbers shaped as PyTorch's ``(C, *size)`` (the size and channel
    count missing from ``spec`` are read off it), else small seeded integers. A 1D pooling is drawn
    as one row; of several channels the first is drawn (each is pooled alike); a 3D pooling has no
    figure (``convanim info --pool`` prints its sizes). ``every_position`` keeps one frame per window
    in a long sweep; ``options`` are those of :func:`render`; without ``out`` the file is
    ``out_dir/pool.<format>``.
    """
    from convanim.figures.pooling import pool_sweep

    checked = RenderOptions(**options)
    recording = record_pool(spec, input=input)
    with speaking(checked.lang):
        timeline = pool_sweep(recording, title=title, every_position=every_position)
    return _render_timeline(timeline, "pool", out, out_dir, checked)


def record_pool(spec: PoolSpec | dict[str, Any], *, input: Any = None) -> PoolRecording:
    """The recording :func:`pool` draws (and ``convanim info --pool`` prints): ``spec`` completed
    from the input's shape as :func:`record` does, checked against the budget, then run."""
    from convanim.budget import check_spec
    from convanim.core.pooling import run_pool
    from convanim.values.shapes import complete_pool

    pooling = complete_pool(spec, input)
    check_spec(pooling.spec)
    return _finite(lambda: run_pool(pooling.spec, pooling.input))


def _finite(run: Callable[[], R]) -> R:
    """What ``run`` records, refused in one line when its output overflowed float64."""
    import numpy as np

    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below, in one line
        recording = run()
    if not np.isfinite(recording.output).all():
        raise BadInput("the output is too large for float64 (at most about 1.8e308): use smaller values")
    return recording


def _custom_spec(spec: Any, input: Any, weight: Any, bias: Any) -> Convolution:
    """The convolution ``custom`` renders: the spec as given, or built from kwargs and the arrays'
    shapes, with the arrays as the engine takes them (a kernel alone broadcast to every pair)."""
    from convanim.values.shapes import complete

    return complete(spec, input, weight, bias)


def _write_torch_script(path: Path, recording: Recording) -> None:
    """Write the PyTorch script that checks ``recording``, atomically like every file convanim writes."""
    from convanim.values.torch_script import torch_script
    from convanim.writers import atomic_target

    with atomic_target(path) as temp:
        temp.write_text(torch_script(recording), encoding="utf-8")


def render_all(
    out_dir: str | Path = "output",
    *,
    format: str = "gif",
    jobs: int | None = None,
    progress: Progress | None = None,
    names: Iterable[str] | None = None,
    **options: Any,
) -> list[Result]:
    """Render every built-in scene into ``out_dir``, one worker process per scene.

    ``names`` picks scenes instead: built-in names or any target :func:`render` takes
    (``file.py:name``); each Result carries its target as ``name``.

    A scene that fails is reported in its Result with the reason, and the others still render.
    ``progress(result, done, total)`` is called as each scene finishes. ``options`` are those of
    :func:`render`. Results come back in catalogue order.
    """
    from convanim.writers.staging import check_target

    checked = RenderOptions(format=format, **options)
    chosen = list(builtin_scenes().names() if names is None else names)
    workers = _workers(jobs, len(chosen))
    check_target(Path(out_dir) / ".convanim-probe")
    finished: dict[str, Result] = {}

    def record(result: Result) -> None:
        finished[result.name] = result
        if progress is not None:
            progress(result, len(finished), len(chosen))

    if workers == 1:  # no pool to start: cheaper, and simpler to debug
        for scene_name in chosen:
            record(_render_one(scene_name, Path(out_dir), checked))
    else:
        _render_in_pool(chosen, Path(out_dir), checked, workers, record)
    return [finished[scene_name] for scene_name in chosen]


def beamer_line(folder: str | Path, fps: float | None = None) -> str:
    """A ready-to-paste ``\\animategraphics`` line for a folder written with format ``png``.

    ``fps`` is the one given to :func:`render` (None: the frames folder's own ``rate_fps``); the
    folder holds frames repeated to that constant rate, which is the only rate ``animate`` knows.
    """
    from convanim.writers import format_info

    folder = Path(folder)
    numbered = re.compile(rf"{re.escape(folder.name)}_[0-9]+\.png")  # not figs_12b.png, a file of the user's
    frames = sorted(p for p in folder.glob(f"{glob.escape(folder.name)}_*.png") if numbered.fullmatch(p.name))
    if not frames:
        raise ValueError(f"folder {folder} holds no numbered frames {folder.name}_000.png ...")
    first, last = (frame.stem.rsplit("_", 1)[1] for frame in (frames[0], frames[-1]))
    rate = f"{fps if fps is not None else format_info('png').rate_fps:g}"
    prefix = (folder / f"{folder.name}_").as_posix()
    return f"\\animategraphics[loop,autoplay,controls]{{{rate}}}{{{prefix}}}{{{first}}}{{{last}}}"


def _render_timeline(
    timeline: Timeline, name: str, out: str | Path | None, out_dir: str | Path, options: RenderOptions
) -> Path:
    """Resolve the format and path, open the writer (which checks the path), then stream frames
    (a still, or a vector format's pages, each its own way)."""
    from convanim.picture.timeline import without_text
    from convanim.writers import FORMATS, resolve_format

    fmt = options.format or (None if out is not None else "png" if options.still else "gif")
    if options.animate:
        if out is not None and Path(out).suffix.lower() != ".svg":
            raise BadInput(f"animate: an animated svg is one .svg file, not {Path(out).name}")
        fmt = "animated-svg"
    path = Path(out) if out is not None else Path(out_dir) / f"{name}.{_suffix(fmt)}"
    fmt = resolve_format(path, fmt)
    if options.still or options.animate:
        _check_still(replace(options, format=fmt))  # the format a suffix named
    info = FORMATS[fmt].info
    folder = info.folder and not options.still
    if out is not None and str(out).endswith(("/", os.sep)) and not folder:
        raise BadInput(f"path: {out} ends in a slash, a folder, but {fmt} writes one file; drop the slash")
    if options.hold_ms is not None:
        timeline = _with_hold(timeline, options.hold_ms)
    if options.bare:
        timeline = without_text(timeline)
    render = _render_still if options.still else _render_pages if info.vector else _render_frames
    return render(timeline, path, fmt, options, name)


@contextlib.contextmanager
def _drawing(name: str, target: Path) -> Iterator[None]:
    """Around the drawing and encoding, after every check: what breaks there is a render failure
    (RenderError, exit 1), not a bad option or path of the user's."""
    try:
        yield
    except (ValueError, InternalError):
        raise
    except Exception as exc:
        raise RenderError(f"rendering {name!r} to {target} failed: {_reason(exc)}") from exc


def _suffix(fmt: str | None) -> str:
    """The suffix of a default file name for a format."""
    return "svg" if fmt == "animated-svg" else str(fmt)


def _render_frames(timeline: Timeline, path: Path, fmt: str, options: RenderOptions, name: str) -> Path:
    """A raster animation: frames streamed into the format's writer."""
    from convanim.budget import check_render
    from convanim.halves import draw_in_halves, worth_splitting
    from convanim.picture.timeline import step_durations
    from convanim.renderer import render_frames
    from convanim.renderer.project import resolve_size
    from convanim.renderer.theme import get_theme
    from convanim.writers import FORMATS, FrameWriter, open_writer
    from convanim.writers.gif import GifWriter

    writer_class = FORMATS[fmt]
    info, target = writer_class.info, writer_class.target(path)
    fps, writer_fps = frame_rates(info, options.fps)
    canvas = resolve_size(options.size, options.scale, info.video)
    cost = check_render(timeline, canvas, fps if fps is not None else writer_fps, info)
    # The writer checks the path now, and a bad one is the user's (exit 2), before any drawing.
    writer = open_writer(path, fmt, fps=writer_fps, loop=options.loop, **options.writer_options())
    assert isinstance(writer, FrameWriter)
    with _drawing(name, target), writer:
        # Stepped GIF frames: one per step, held for the step's time.
        if isinstance(writer, GifWriter) and fps is None and worth_splitting(cost.frames):
            draw_in_halves(timeline, writer, target, step_durations(timeline), get_theme(options.theme), canvas)
        else:
            for frame, duration_ms in render_frames(timeline, theme=options.theme, size=options.size,
                                                    scale=options.scale, fps=fps, smooth=options.smooth,
                                                    even=info.video):
                writer.write(frame, duration_ms)
    return target


def _render_pages(timeline: Timeline, path: Path, fmt: str, options: RenderOptions, name: str) -> Path:
    """A vector format: one drawing a step, each held for its step's time. An interactive page of
    more than :data:`PAGE_VECTOR_CELLS` cells in all is drawn as pictures instead (its shapes
    would weigh tens of times its GIF)."""
    from convanim.budget import cells_drawn, check_render
    from convanim.picture.timeline import step_durations
    from convanim.renderer.project import resolve_size
    from convanim.renderer.theme import get_theme
    from convanim.renderer.vector import VectorRenderer
    from convanim.writers import FORMATS, PageWriter, open_writer
    from convanim.writers.html import HtmlFramesWriter

    pictures = fmt == "html" and cells_drawn(timeline) > PAGE_VECTOR_CELLS
    writer_class = HtmlFramesWriter if pictures else FORMATS[fmt]
    canvas = resolve_size(options.size, options.scale)
    check_render(timeline, canvas, None, writer_class.info)
    named = {"title": timeline.background.title or name, "description": timeline.background.caption}
    extra: dict[str, Any] = {key: text for key, text in named.items() if key in writer_class.info.options}
    if pictures:
        return _render_page_frames(timeline, path, canvas, options.theme, name, extra)
    writer = open_writer(path, fmt, loop=options.loop, **options.writer_options(), **extra)
    assert isinstance(writer, PageWriter)
    with _drawing(name, writer_class.target(path)), writer:
        renderer = VectorRenderer(timeline, get_theme(options.theme), canvas)
        for step, duration_ms in zip(timeline.steps, step_durations(timeline)):
            writer.write(renderer.drawing(step.overlay), duration_ms)
    return writer_class.target(path)


#: Above this many cells drawn in all its steps, an interactive page is pictures, not shapes: the
#: reference figure draws about 2,000, a 32×32 sweep about 90,000.
PAGE_VECTOR_CELLS = 40_000


def _render_page_frames(timeline: Timeline, path: Path, canvas: CanvasSpec, theme: str, name: str,
                        extra: dict[str, Any]) -> Path:
    """The interactive page of a big figure: a picture a step, with the same results explained."""
    from convanim.picture.timeline import step_durations
    from convanim.renderer.compose import Renderer
    from convanim.renderer.theme import get_theme
    from convanim.writers.html import HtmlFramesWriter
    from convanim.writers.staging import check_target

    writer = HtmlFramesWriter(path, **extra)
    check_target(path)
    with _drawing(name, path), writer:
        renderer = Renderer(timeline, get_theme(theme), canvas)
        shown = renderer.spots_of(timeline.background)
        for step, duration_ms in zip(timeline.steps, step_durations(timeline)):
            writer.write(renderer.frame(step.overlay), duration_ms)
            writer.explain(shown, renderer.spots_of(step.overlay))
    return path


def _render_still(timeline: Timeline, path: Path, fmt: str, options: RenderOptions, name: str) -> Path:
    """One picture: a step drawn as in the animation (fitted with every step, so it matches the
    animation's frame), or a storyboard of several; a png, an svg or a one-page pdf."""
    from convanim.budget import check_render
    from convanim.renderer.project import resolve_size
    from convanim.renderer.strip import DEFAULT_PANELS, evenly, storyboard, strip_size
    from convanim.writers import FORMATS, check_target

    count = len(timeline.steps)
    canvas = resolve_size(options.size, options.scale)
    if options.step is not None:
        index = _step_index("step", options.step, count)
    else:
        strip = options.strip
        chosen = evenly(min(strip, count), count) if isinstance(strip, int) else [
            _step_index("strip", step, count) for step in (strip or (DEFAULT_PANELS,))]
        timeline, index = storyboard(timeline, chosen), 0
        canvas = strip_size(canvas, len(chosen))
    check_render(timeline, canvas, None, FORMATS[fmt].info)
    check_target(path)
    with _drawing(name, path):
        if fmt == "png":
            _write_png(timeline, index, path, canvas, options.theme)
        else:
            _write_page(timeline, index, path, fmt, canvas, options.theme)
    return path


def _write_png(timeline: Timeline, index: int, path: Path, canvas: CanvasSpec, theme: str) -> None:
    """One step as a palette PNG, written atomically."""
    from convanim.renderer import Renderer
    from convanim.renderer.theme import get_theme
    from convanim.writers import atomic_target

    image = Renderer(timeline, get_theme(theme), canvas).frame(timeline.steps[index].overlay)
    with atomic_target(path) as temp:
        image.save(temp, format="PNG", optimize=True)


def _write_page(timeline: Timeline, index: int, path: Path, fmt: str, canvas: CanvasSpec, theme: str) -> None:
    """One step as an svg file or a one-page pdf, written atomically."""
    from convanim.renderer.theme import get_theme
    from convanim.renderer.vector import VectorRenderer
    from convanim.writers import atomic_target
    from convanim.writers.pdf import PdfWriter
    from convanim.writers.svg import svg_document

    drawing = VectorRenderer(timeline, get_theme(theme), canvas).drawing(timeline.steps[index].overlay)
    if fmt == "svg":
        with atomic_target(path) as temp:
            temp.write_text(svg_document(drawing), encoding="utf-8")
    else:
        with PdfWriter(path) as writer:
            writer.write(drawing, 1)


def frame_rates(info: FormatInfo, fps: float | None) -> tuple[float | None, float | None]:
    """(the rate frames are drawn at, the rate the writer plays them at) for ``fps`` as given.

    Without an fps, video glides at its own rate and a frames folder repeats stepped states to its
    constant rate; the other formats step, each frame keeping its own duration (None, None).
    """
    if fps is not None:
        return fps, fps
    return (info.rate_fps if info.video else None), info.rate_fps


def _timeline_of(target: str | SceneEntry | Timeline, lang: str) -> tuple[str, Timeline]:
    """The name and timeline (its words in ``lang``) of a render target; a file must hold exactly
    one scene here."""
    if isinstance(target, Timeline):
        return "figure", target
    if isinstance(target, SceneEntry):
        return target.name, target.timeline(lang)
    if not isinstance(target, str):
        raise ValueError("target must be a scene name, a .py file, a SceneEntry or a Timeline")
    entries = resolve(target)
    if len(entries) != 1:
        names = ", ".join(entry.name for entry in entries)
        raise ValueError(f"{target} holds {len(entries)} scenes ({names}); name one as {target}:NAME")
    return entries[0].name, entries[0].timeline(lang)


def step_times(timeline: Timeline, hold_ms: int | None = None) -> list[int]:
    """How long each step of ``timeline`` is on screen as :func:`render` plays it with ``hold_ms``
    (the start and end holds on the first and last step)."""
    from convanim.picture.timeline import step_durations

    return step_durations(timeline if hold_ms is None else _with_hold(timeline, hold_ms))


def _with_hold(timeline: Timeline, hold_ms: int) -> Timeline:
    """The timeline with every step held for ``hold_ms`` (start and end holds kept)."""
    return replace(timeline, steps=mapped(timeline.steps, lambda step: replace(step, hold_ms=hold_ms)))


def _render_one(name: str, out_dir: Path, options: RenderOptions) -> Result:
    """Worker body for ``render_all``: never raises, so one scene's failure stays its own."""
    try:
        path = render(name, out_dir=out_dir, **asdict(options))
    except Exception as exc:
        return Result(name, None, _reason(exc))
    return Result(name, path, None)


def _render_in_pool(
    names: list[str], out_dir: Path, options: RenderOptions, workers: int, record: Callable[[Result], None]
) -> None:
    """Render ``names`` in a process pool, recording each result as it completes.

    A stop signal ends the workers as it ends this process: each cleans up its render, then ends
    (``run_interruptible``), so no scene starts after it. Ctrl-C at a terminal reaches them all;
    a signal sent to this process alone (SIGTERM, SIGHUP) is passed on to them as SIGTERM.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from convanim.signals import default_signals, run_interruptible

    import convanim.renderer  # noqa: F401  (imported once here, not in every forked worker)
    import convanim.writers  # noqa: F401

    others = set(multiprocessing.active_children())  # children not ours to signal
    pool = ProcessPoolExecutor(max_workers=workers, initializer=default_signals)
    try:
        futures: dict[Future[Result], str] = {
            pool.submit(run_interruptible, _render_one, name, out_dir, options): name for name in names
        }
        for future in as_completed(futures):
            record(_outcome(future, futures[future]))
    except KeyboardInterrupt:  # Ctrl-C, or a signal the command line made one (Interrupted)
        for worker in set(multiprocessing.active_children()) - others:
            worker.terminate()
        raise
    finally:  # drop what has not started, and wait for the workers to finish or end
        pool.shutdown(wait=True, cancel_futures=True)


def _outcome(future: Future[Result], name: str) -> Result:
    """The worker's Result, or a failed one when the worker process itself died."""
    try:
        return future.result()
    except Exception as exc:  # BrokenProcessPool and the like: the worker never returned
        return Result(name, None, f"worker process failed: {_reason(exc)}")


def _workers(jobs: int | None, count: int) -> int:
    """Worker processes to start: ``jobs`` (default: the cores), never more than scenes."""
    if jobs is None:
        jobs = os.cpu_count() or 1
    check_whole("jobs", jobs, 1)
    return max(1, min(jobs, count))


def _reason(exc: BaseException) -> str:
    """One line saying why: the message, or the exception's type when it has none."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
