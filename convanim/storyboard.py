"""Building blocks that turn engine recordings into timelines, so that scene scripts stay short.

A scene says *what* to show ("sweep this convolution, numbers on"); these functions say *how*:
where the grids sit in the world, which cells are shaded at each kernel placement, which output
cells are done. They read only engine recordings — every number and every cell role in a picture
comes from the computation — and return plain ``convanim.picture`` data.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from convanim import engine
from convanim.picture import Grid, Item, Label, Line, Picture, Point3, Shade, Step, Timeline, View
from convanim.spec import ConvSpec

#: Engine mask value -> the role the theme draws it with.
MASK_ROLES = {engine.INPUT: "input", engine.PADDING: "padding", engine.INSERTED: "inserted"}

#: How long one kernel placement stays on screen when stepping (GIF for slides: ~1.5 per second).
STEP_MS = 650
#: A placement whose numbers (products, sums) are to be read: one per second.
READ_MS = 1000
OBLIQUE = View(kind="oblique", angle_deg=55.0, depth=0.7)


def number(value: float) -> str:
    """A cell value as people write it: integers without '.0', others with two decimals."""
    value = float(value)
    if value == int(value):
        return str(int(value)).replace("-", "−")
    return f"{value:.2f}".replace("-", "−")


def factor(value: float) -> str:
    """A number as the right-hand factor of a product: negatives in brackets, ``8×(−1)``."""
    return f"({number(value)})" if value < 0 else number(value)


def roles_of(mask: np.ndarray) -> tuple[tuple[str, ...], ...]:
    """Cell roles of a 2D engine mask (input, padding, inserted zero)."""
    return tuple(tuple(MASK_ROLES[int(m)] for m in row) for row in mask)


def labels_of(values: np.ndarray, show: np.ndarray | None = None) -> tuple[tuple[str, ...], ...]:
    """Text of every cell of a 2D array; cells where ``show`` is False stay blank."""
    shown = np.ones(values.shape, bool) if show is None else show
    return tuple(
        tuple(number(v) if s else "" for v, s in zip(row, srow)) for row, srow in zip(values, shown)
    )


@dataclass(frozen=True)
class Placement:
    """One kernel placement of a single-channel 2D sweep, in matrix (row, col) coordinates."""

    out: tuple[int, int]
    taps: tuple[tuple[int, int], ...]
    weights: tuple[float, ...]
    inputs: tuple[float, ...]
    value: float
    bias: float

    @property
    def span(self) -> tuple[int, int, int, int]:
        """(row0, col0, row1, col1): the rectangle the kernel's taps cover, end exclusive."""
        rows = [r for r, _ in self.taps]
        cols = [c for _, c in self.taps]
        return min(rows), min(cols), max(rows) + 1, max(cols) + 1

    def products(self) -> str:
        """'1×2 + 0×1 + … = 4' with the engine's own numbers (bias added when there is one)."""
        terms = " + ".join(f"{number(i)}×{factor(w)}" for i, w in zip(self.inputs, self.weights))
        bias = f" + {number(self.bias)}" if self.bias else ""
        return f"{terms}{bias} = {number(self.value)}".replace("+ −", "− ")


def plane(array: np.ndarray, dims: int) -> np.ndarray:
    """The 2D picture of one channel's array: a 1D signal is drawn as a single row."""
    return array[0][None] if dims == 1 else array[0]


def cell_of(index: tuple[int, ...], dims: int) -> tuple[int, int]:
    """(row, col) of a full engine index in the picture of :func:`plane`."""
    return (0, index[-1]) if dims == 1 else (index[-2], index[-1])


def placements(recording: engine.Recording) -> list[Placement]:
    """The placements of a single-channel, unbatched 1D or 2D recording, in narration order."""
    spec = recording.spec
    if spec.dims == 3 or recording.batched or recording.grid.shape[0] != 1:
        raise ValueError("a flat sweep shows one unbatched channel of a 1D or 2D convolution")
    return [placement_of(*event, spec.dims) for event in recording.placements()]


def placement_of(
    placed: engine.KernelPlaced, products: engine.ProductsComputed, total: engine.SumWritten, dims: int
) -> Placement:
    """One engine placement (its three events) as a :class:`Placement` in the picture of :func:`plane`."""
    return Placement(
        out=cell_of(placed.out_index, dims),
        taps=tuple(cell_of(tap.grid_index, dims) for tap in placed.taps),
        weights=products.weights,
        inputs=products.inputs,
        value=total.value,
        bias=total.bias,
    )


class Ground:
    """A matrix laid on a horizontal plane, row 0 at the back (as read from above at an angle).

    The world's ground plane puts grid row 0 nearest the viewer; a matrix reads top row first, so
    this maps matrix rows onto flipped grid rows once, here, for every oblique figure.
    """

    def __init__(self, origin: Point3, rows: int, cols: int) -> None:
        self.rows, self.cols = rows, cols
        self._frame = Grid(origin=origin, roles=((),), plane="ground")

    def grid(self, roles: Sequence[Sequence[str]], labels: Sequence[Sequence[str]] = ()) -> Grid:
        flip = lambda m: tuple(tuple(row) for row in reversed(m))  # noqa: E731
        return Grid(self._frame.origin, flip(roles), flip(labels) if labels else (), plane="ground")

    def quad(self, row0: float, col0: float, row1: float, col1: float) -> tuple[Point3, ...]:
        return self._frame.quad(self.rows - row1, col0, self.rows - row0, col1)

    def point(self, row: float, col: float) -> Point3:
        return self._frame.point(self.rows - row, col)


class Flat:
    """A matrix facing the viewer: matrix rows are grid rows."""

    def __init__(self, origin: Point3, rows: int, cols: int) -> None:
        self.rows, self.cols = rows, cols
        self._frame = Grid(origin=origin, roles=((),), plane="front")

    def grid(self, roles: Sequence[Sequence[str]], labels: Sequence[Sequence[str]] = ()) -> Grid:
        return Grid(self._frame.origin, tuple(map(tuple, roles)), tuple(map(tuple, labels)))

    def quad(self, row0: float, col0: float, row1: float, col1: float) -> tuple[Point3, ...]:
        return self._frame.quad(row0, col0, row1, col1)

    def point(self, row: float, col: float) -> Point3:
        return self._frame.point(row, col)


Surface = Ground | Flat


def weight_labels(surface: Surface, place: Placement) -> list[Label]:
    """The kernel's weights as small subscripts in the corner of the cells its taps cover."""
    return [
        Label(surface.point(r + 0.93, c + 0.93), number(w), size="tiny", role="muted", anchor="rd")
        for (r, c), w in zip(place.taps, place.weights)
    ]


def heading(surface: Surface, text: str) -> Label:
    """A small muted name centred above a surface ("input 5×5")."""
    return Label(surface.point(-0.45, surface.cols / 2), text, size="small", role="muted")


def kernel_shades(surface: Surface, place: Placement) -> list[Shade | Line]:
    """The kernel's shadow: one shade over a dense window, one per tap (and the span outlined,
    dashed) when dilation leaves skipped cells between taps."""
    row0, col0, row1, col1 = place.span
    if len(place.taps) == (row1 - row0) * (col1 - col0):
        return [Shade(surface.quad(row0, col0, row1, col1))]
    taps: list[Shade | Line] = [Shade(surface.quad(r, c, r + 1, c + 1)) for r, c in place.taps]
    corners = surface.quad(row0, col0, row1, col1)
    return [*taps, Line(corners + corners[:1], role="line", dashed=True)]


def output_grid(
    surface: Surface, values: np.ndarray, done: int, *, numbers: bool, order: Sequence[tuple[int, int]]
) -> Grid:
    """The output with the first ``done`` cells of ``order`` computed and the next one active."""
    active = order[done] if done < len(order) else None
    return filled_grid(surface, values, order[:done], active, numbers=numbers)


def filled_grid(surface: Surface, values: np.ndarray, filled: Collection[tuple[int, int]],
                active: tuple[int, int] | None = None, *, role: str = "done", numbers: bool = True) -> Grid:
    """A result grid: ``filled`` cells in ``role`` with their numbers, ``active`` highlighted with
    its number, the rest not yet computed. ``role`` lets a partial result wear its channel's colour;
    without ``numbers`` the cells are only coloured."""
    roles = np.full(values.shape, "output", dtype=object)
    shown = np.zeros(values.shape, bool)
    for r, c in filled:
        roles[r, c], shown[r, c] = role, True
    if active is not None:
        roles[active], shown[active] = "active", True
    return surface.grid(roles.tolist(), labels_of(values, shown) if numbers else ())


def _caption(spec: ConvSpec) -> tuple[str, str]:
    return spec.describe(), "   ".join(spec.formula())


def arithmetic(spec: ConvSpec, *, numbers: bool = False, title: str | None = None) -> Timeline:
    """Any convolution, transposed or not, as a conv_arithmetic sweep.

    A single-channel 1D or 2D one without numbers: the oblique view (input below on the ground,
    output floating above, projector lines from the kernel window to the output cell); with
    numbers: the flat view of :func:`numeric`. Several channels or groups: output channel 0 as a
    channel stack (``multichannel.channel_sweep``); 3D: a stack of depth slices (``multichannel.volume_sweep``).
    """
    recording = engine.run(spec)
    if spec.dims == 3 or spec.in_channels > 1 or spec.out_channels > 1:
        from convanim import multichannel  # it builds on this module, so it is imported on use

        sweep = multichannel.volume_sweep if spec.dims == 3 else multichannel.channel_sweep
        return sweep(recording, numbers=numbers, title=title or _default_title(spec))
    if numbers:
        return numeric(recording, title=title)
    caption, formula = _caption(spec)
    grid_mask = plane(recording.mask, spec.dims)
    rows, cols = grid_mask.shape
    out = plane(recording.output, spec.dims)
    places = placements(recording)
    lift = 0.3 * rows + 2.0
    below = Ground((0.0, 0.0, 0.0), rows, cols)
    above = Ground(((cols - out.shape[1]) / 2, -lift, (rows - out.shape[0]) / 2), *out.shape)
    order = [p.out for p in places]
    background = Picture(
        items=(below.grid(roles_of(grid_mask)), output_grid(above, out, 0, numbers=False, order=[])),
        title=title or _default_title(spec),
        caption=caption,
        formula=formula,
    )
    steps = []
    for done, place in enumerate(places):
        window = below.quad(*place.span)
        target = above.quad(*place.out, place.out[0] + 1, place.out[1] + 1)
        projectors = [Line((w, t), role="line", width=0.8) for w, t in zip(window, target)]
        items: list[Item] = [*kernel_shades(below, place), *projectors]
        items.append(output_grid(above, out, done, numbers=False, order=order))
        steps.append(Step(Picture(items=tuple(items)), hold_ms=STEP_MS))
    return Timeline(background=background, steps=tuple(steps), view=OBLIQUE)


def numeric(recording: engine.Recording, *, title: str | None = None, show_products: bool = True) -> Timeline:
    """A single-channel 2D recording in the flat view, every number shown.

    Input values in the cells, the kernel's weights as subscripts under the window, the output
    filling in as each sum is written, and the products of the current placement spelled out.
    """
    spec = recording.spec
    caption, formula = _caption(spec)
    grid, mask = plane(recording.grid, spec.dims), plane(recording.mask, spec.dims)
    out = plane(recording.output, spec.dims)
    places = placements(recording)
    rows, cols = grid.shape
    left = Flat((0.0, 0.0, 0.0), rows, cols)
    right = Flat((cols + 2.0, (rows - out.shape[0]) / 2, 0.0), *out.shape)
    order = [p.out for p in places]
    background = Picture(
        items=(
            left.grid(roles_of(mask), labels_of(grid)),
            heading(left, "input"),
            heading(right, "output"),
            output_grid(right, out, 0, numbers=True, order=[]),
        ),
        title=title or _default_title(spec),
        caption=caption,
        formula=formula,
    )
    steps = []
    for done, place in enumerate(places):
        items = [
            *kernel_shades(left, place),
            *weight_labels(left, place),
            output_grid(right, out, done, numbers=True, order=order),
        ]
        if show_products:
            below = left.point(rows + 0.9, (cols + 2.0 + out.shape[1]) / 2)
            items.append(Label(below, place.products(), size="small"))
        steps.append(Step(Picture(items=tuple(items)), hold_ms=READ_MS))
    return Timeline(background=background, steps=tuple(steps), view=View())


def _default_title(spec: ConvSpec) -> str:
    """'2D transposed convolution': the kind; the caption carries the parameters."""
    kind = "transposed convolution" if spec.transposed else "convolution"
    return f"{spec.dims}D {kind}"
