"""Single-channel sweeps as whole figures: the oblique conv_arithmetic view, and the flat view
with every number shown."""

from __future__ import annotations

from convanim.blocks.cells import labels_of, roles_of
from convanim.blocks.marks import Filling, kernel_shades, output_grid, weight_labels
from convanim.blocks.phases import READ_MS, STEP_MS
from convanim.blocks.surfaces import OBLIQUE, Surface, heading
from convanim.blocks.windows import plane, sweep_windows
from convanim.core import engine
from convanim.core.notation import describe, formula
from convanim.core.spec import ConvSpec
from convanim.picture import Item, Label, Line, Picture, Step, Timeline, View


def _caption(spec: ConvSpec) -> tuple[str, str]:
    return describe(spec), "   ".join(formula(spec))


def oblique(recording: engine.Recording, *, title: str | None = None) -> Timeline:
    """A single-channel 1D or 2D recording as a conv_arithmetic sweep: the input below on the
    ground, the output floating above, projector lines from the kernel window to the output cell."""
    spec = recording.spec
    caption, formula_line = _caption(spec)
    grid_mask = plane(recording.mask, spec.dims)
    rows, cols = grid_mask.shape
    out = plane(recording.output, spec.dims)
    places = sweep_windows(recording)
    lift = 0.3 * rows + 2.0
    below = Surface((0.0, 0.0, 0.0), rows, cols, ground=True)
    out_rows, out_cols = out.shape
    above = Surface(((cols - out_cols) / 2, -lift, (rows - out_rows) / 2), out_rows, out_cols, ground=True)
    order = [p.out for p in places]
    background = Picture(
        items=(below.grid(roles_of(grid_mask)), output_grid(above, out, 0, numbers=False, order=[])),
        title=title or default_title(spec),
        caption=caption,
        formula=formula_line,
    )
    filling = Filling(above, out, order, numbers=False)
    steps = []
    for done, place in enumerate(places):
        window = below.quad(*place.span)
        target = above.quad(*place.out, place.out[0] + 1, place.out[1] + 1)
        projectors = [Line((w, t), role="line", width=0.8) for w, t in zip(window, target)]
        items: list[Item] = [*kernel_shades(below, place), *projectors]
        items.append(filling.step(done))
        steps.append(Step(Picture(items=tuple(items)), hold_ms=STEP_MS))
    return Timeline(background=background, steps=tuple(steps), view=OBLIQUE)


def numeric(recording: engine.Recording, *, title: str | None = None, show_products: bool = True) -> Timeline:
    """A single-channel 2D recording in the flat view, every number shown.

    Input values in the cells, the kernel's weights as subscripts under the window, the output
    filling in as each sum is written, and the products of the current placement spelled out.
    """
    spec = recording.spec
    caption, formula_line = _caption(spec)
    grid, mask = plane(recording.grid, spec.dims), plane(recording.mask, spec.dims)
    out = plane(recording.output, spec.dims)
    places = sweep_windows(recording)
    rows, cols = grid.shape
    left = Surface((0.0, 0.0, 0.0), rows, cols)
    right = Surface((cols + 2.0, (rows - out.shape[0]) / 2, 0.0), *out.shape)
    order = [p.out for p in places]
    background = Picture(
        items=(
            left.grid(roles_of(mask), labels_of(grid)),
            heading(left, "input"),
            heading(right, "output"),
            output_grid(right, out, 0, numbers=True, order=[]),
        ),
        title=title or default_title(spec),
        caption=caption,
        formula=formula_line,
    )
    filling = Filling(right, out, order)
    steps = []
    for done, place in enumerate(places):
        items = [*kernel_shades(left, place), *weight_labels(left, place), filling.step(done)]
        if show_products:
            below = left.point(rows + 0.9, (cols + 2.0 + out.shape[1]) / 2)
            items.append(Label(below, place.products(), size="small"))
        steps.append(Step(Picture(items=tuple(items)), hold_ms=READ_MS))
    return Timeline(background=background, steps=tuple(steps), view=View())


def default_title(spec: ConvSpec) -> str:
    """'2D transposed convolution': the kind; the caption carries the parameters."""
    kind = "transposed convolution" if spec.transposed else "convolution"
    return f"{spec.dims}D {kind}"
