"""A budget before work: how big a render will be, estimated from the spec and the options, and
refused with one line when it exceeds a documented limit.

Without it, a mistyped size (``--input 5000,5000``, ``--padding 1000``, ``--size 12000x12000``,
``--hold 100000000`` for video) runs for minutes and takes gigabytes before failing, or never
ends. Every limit here is generous for real use (a 64×64 image, 1080p, several minutes of video);
the README lists them. Each refusal names the limit, the estimate and what to lower.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from convanim.core.notation import shape_text
from convanim.core.pool_spec import PoolSpec
from convanim.core.spec import ConvSpec
from convanim.errors import BadInput
from convanim.picture import Grid, Item, Timeline
from convanim.picture.lazy import Lazy
from convanim.picture.timeline import step_durations
from convanim.renderer.project import MAX_ASPECT, CanvasSpec
from convanim.writers import FormatInfo

#: Kernel positions one figure animates (a 128×128 'same' sweep is 16,384).
MAX_STEPS = 20_000
#: Cells of the grid a figure draws, over the channels drawn (a padded 128×128 image is 16,900).
MAX_GRID_CELLS = 20_000
#: Numbers the engine holds for one recording: the grid over every input channel and the output
#: over every output channel (50 million float64 values are 400 MB; the README's 64→128-channel
#: example holds 0.2 million).
MAX_ENGINE_VALUES = 50_000_000
#: The longest side of a canvas, and the most pixels in one frame (8K UHD, 7680×4320).
MAX_SIDE_PX = 8192
MAX_FRAME_PX = 7680 * 4320
#: The shortest side a canvas may have. Title and caption text never shrink below 11 and 10 px
#: (``renderer.project.slot_sizes``), so their bands alone take some 40 px of a canvas; on a
#: smaller one the figure is a few pixels (a 12×12 GIF was one blur, every frame the same).
MIN_SIDE_PX = 48
#: Frames of one animation (about 55 minutes of 30 fps video).
MAX_FRAMES = 100_000
#: Cells a vector file spells out over all its pages (an SVG cell is some 80 bytes, so about
#: 160 MB of SVG): every page repeats the background's grids, unlike a frame of pixels.
MAX_VECTOR_CELLS = 2_000_000
#: Pixels drawn over the whole animation: about 20,000 frames at 1080p (11 minutes at 30 fps).
MAX_TOTAL_PX = 20_000 * 1920 * 1080
#: Memory the drawing needs at once: the supersampled canvas (up to 3×3 samples, RGBA) and its
#: copies, plus the timeline's cells; well under the 24 GiB of a small machine.
MAX_MEMORY_BYTES = 4 << 30
#: Bytes per supersampled canvas pixel over the buffers the renderer keeps (background, frame,
#: overlay crop, blend), and per cell of a timeline (role and label references, tuples).
_CANVAS_BYTES_PER_PX = 4 * 9 * 4
_TIMELINE_BYTES_PER_CELL = 24


@dataclass(frozen=True)
class Estimate:
    """What a render will cost: frames, pixels per frame, pixels in all, memory at once, and how
    long the longest step stays on screen."""

    frames: int
    frame_px: int
    memory_bytes: int
    longest_ms: int

    @property
    def total_px(self) -> int:
        return self.frames * self.frame_px


def check_spec(spec: ConvSpec | PoolSpec) -> None:
    """Refuse a convolution or pooling whose figure would be too big to build, before the engine runs.

    A figure draws every kernel position as a step and every cell of the grid (padded, zeros
    inserted, or ceil mode's overhang) on each of at most four channels; the engine holds every channel.
    """
    if isinstance(spec, PoolSpec):
        grid, ins, outs, fewer = spec.grid_size, spec.channels, spec.channels, "lower --in-channels"
    else:
        grid, ins, outs = spec.padded_size, spec.in_channels, spec.out_channels
        fewer = "lower --in-channels or --out-channels"
    steps = math.prod(spec.output_size)
    cells = math.prod(grid) * min(ins, 4)
    _refuse_over(f"kernel positions (output {shape_text(spec.output_size)})", steps, MAX_STEPS,
                 "lower --input or --padding, or raise --stride")
    _refuse_over(f"grid cells drawn (grid {shape_text(grid)})", cells, MAX_GRID_CELLS,
                 "lower --input or --padding")
    values = math.prod(grid) * ins + math.prod(spec.output_size) * outs
    _refuse_over(f"values the engine holds ({ins} → {outs} channels)", values, MAX_ENGINE_VALUES, fewer)


def check_canvas(canvas: CanvasSpec) -> None:
    """Refuse a canvas larger than :data:`MAX_SIDE_PX` a side or :data:`MAX_FRAME_PX` in all, or
    smaller than :data:`MIN_SIDE_PX` a side."""
    width, height = canvas.width_px, _height(canvas)
    for side, value in (("width", width), ("height", canvas.height_px)):
        if value is None:  # the height follows the figure
            continue
        _refuse_over(f"canvas {side}", value, MAX_SIDE_PX, "lower --size or --scale")
        if value < MIN_SIDE_PX:
            raise BadInput(f"too small: canvas {side}: {value} px, under the {MIN_SIDE_PX} px a side that the "
                           "title and caption (text of 10 px and more) leave a figure room in; raise --size or --scale")
    _refuse_over("pixels per frame", width * height, MAX_FRAME_PX, "lower --size or --scale")


def estimate(timeline: Timeline, canvas: CanvasSpec, fps: float | None) -> Estimate:
    """Frames, pixels per frame and memory of rendering ``timeline`` on ``canvas`` at ``fps``
    (None: one frame per step). An open-height canvas is counted at its tallest."""
    durations = step_durations(timeline)
    frames = len(durations) if fps is None else sum(max(1, math.ceil(ms * fps / 1000)) for ms in durations)
    frame_px = canvas.width_px * _height(canvas)
    step_cells = [_cells(step.overlay.items) for step in timeline.steps]
    # Steps made as they are drawn (a Lazy) are held one at a time; a tuple's all at once.
    held = max(step_cells) if isinstance(timeline.steps, Lazy) else sum(step_cells)
    cells = held + _cells(timeline.background.items)
    memory = frame_px * _CANVAS_BYTES_PER_PX + cells * _TIMELINE_BYTES_PER_CELL
    return Estimate(frames=frames, frame_px=frame_px, memory_bytes=memory, longest_ms=max(durations))


def check_render(timeline: Timeline, canvas: CanvasSpec, fps: float | None, info: FormatInfo) -> Estimate:
    """Refuse a render over a limit, or a step held longer than one frame of ``info`` can last."""
    cost = estimate(timeline, canvas, fps)
    if info.max_frame_ms is not None and fps is None and cost.longest_ms > info.max_frame_ms:
        raise BadInput(f"too long: a {info.name} frame lasts at most {info.max_frame_ms:,} ms, and a step here "
                       f"lasts {cost.longest_ms:,} ms (the first and last also hold the start and the end); "
                       "lower --hold")
    _refuse_over("frames", cost.frames, MAX_FRAMES, "lower --hold or --fps")
    if info.vector:
        _refuse_over(f"cells drawn in all the pages of a {info.name}", cells_drawn(timeline), MAX_VECTOR_CELLS,
                     "lower --input, or leave out --every-position, or use --step or --strip")
    _refuse_over("pixels drawn in all", cost.total_px, MAX_TOTAL_PX, "lower --size, --hold or --fps")
    _refuse_over("bytes of memory at once", cost.memory_bytes, MAX_MEMORY_BYTES, "lower --size or the input size")
    return cost


def cells_drawn(timeline: Timeline) -> int:
    """Cells drawn in all the steps (the background's again in each): what a vector file spells out."""
    background = _cells(timeline.background.items)
    return sum(background + _cells(step.overlay.items) for step in timeline.steps)


def _height(canvas: CanvasSpec) -> int:
    return canvas.height_px if canvas.height_px is not None else math.ceil(canvas.width_px * MAX_ASPECT)


def _cells(items: tuple[Item, ...]) -> int:
    """Cells of the grids among ``items`` (what a timeline's memory grows with)."""
    return sum(math.prod(item.shape) for item in items if isinstance(item, Grid))


def _refuse_over(what: str, value: int, limit: int, lower: str) -> None:
    """BadInput saying which limit ``value`` exceeds and what to lower, when it does."""
    if value > limit:
        raise BadInput(f"too big: {what}: {value:,}, over the limit of {limit:,}; {lower}")
