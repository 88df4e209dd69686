"""Single-channel sweeps as whole figures: the oblique conv_arithmetic view, and the flat view
with every number shown."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import TypeVar

import numpy as np

from convanim.blocks.cells import MASK_ROLES, labels_of, roles_of
from convanim.blocks.marks import Filling, kernel_shades, output_grid, sweep_link, tap_shades, weight_labels
from convanim.blocks.phases import READ_MS, STEP_MS, paced
from convanim.blocks.scales import colour_bar, heat_limit, heat_roles, inset, outline, value_roles
from convanim.blocks.surfaces import OBLIQUE, Surface, beside, heading
from convanim.blocks.windows import plane, sweep_windows
from convanim.core import engine
from convanim.core.notation import describe, formula
from convanim.core.spec import ConvSpec
from convanim.picture import Item, Label, Line, Picture, Step, Timeline, View
from convanim.picture.lazy import Lazy
from convanim.words import in_language_now, say, text_units


T = TypeVar("T")


def _caption(spec: ConvSpec) -> tuple[str, str]:
    return describe(spec), "   ".join(formula(spec))


def oblique(recording: engine.Recording, *, title: str | None = None, every_position: bool = False) -> Timeline:
    """A single-channel 1D or 2D recording as a conv_arithmetic sweep: the input below on the
    ground, the output floating above, projector lines from the kernel window to the output cell.
    A long sweep speeds up unless ``every_position`` (:func:`~convanim.blocks.phases.paced`)."""
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
        items=(below.grid(roles_of(grid_mask)), output_grid(above, out, 0, numbers=False, order=[]),
               *oblique_names(below, above),
               *legend(below, mask_roles(grid_mask), dilated=skips_cells(spec.dilation))),
        title=title or default_title(spec),
        caption=caption,
        formula=formula_line,
        links=lazy(len(places), lambda k: sweep_link(below, above, places[k])),
    )
    filling = Filling(above, out, order, numbers=False)

    def items(end: int) -> list[Item]:
        place = places[end - 1]
        window = below.quad(*place.span)
        target = above.quad(*place.out, place.out[0] + 1, place.out[1] + 1)
        projectors = [Line((w, t), role="line", width=0.8) for w, t in zip(window, target)]
        return [*kernel_shades(below, place), *projectors, filling.step(end - 1)]

    steps = sweep_steps(paced(len(places), out_cols, STEP_MS, every_position=every_position), items, background)
    return Timeline(background=background, steps=steps, view=OBLIQUE)


def sweep_steps(paced_ends: Sequence[tuple[int, int]], items: Callable[[int], Sequence[Item]],
                background: Picture) -> Lazy[Step]:
    """A sweep's steps, made as they are drawn: one for each (positions done, hold) of
    ``paced_ends``, showing ``items(done)`` and the result of the last position done, one of the
    ``background``'s links (a 4,096-step sweep held at once took more memory than its drawing)."""
    links = background.links

    def step(k: int) -> Step:
        end, hold_ms = paced_ends[k]
        return Step(Picture(items=tuple(items(end)), links=Lazy(1, lambda _: links[end - 1])), hold_ms=hold_ms)

    return lazy(len(paced_ends), step)


def lazy(count: int, make: Callable[[int], T]) -> Lazy[T]:
    """A :class:`Lazy` of ``count`` elements made by ``make`` in the language spoken now."""
    return Lazy(count, in_language_now(make))


def numeric(recording: engine.Recording, *, title: str | None = None, show_products: bool = True,
            every_position: bool = False) -> Timeline:
    """A single-channel 2D recording in the flat view, every number shown.

    Input values in the cells, the kernel's weights as subscripts under the window, the output
    filling in as each sum is written, and the products of the current placement spelled out.
    A long sweep speeds up unless ``every_position``.
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
            heading(left, say("grid.input")),
            heading(right, say("grid.output")),
            output_grid(right, out, 0, numbers=True, order=[]),
            *legend(right, mask_roles(mask), dilated=skips_cells(spec.dilation)),
        ),
        title=title or default_title(spec),
        caption=caption,
        formula=formula_line,
        links=lazy(len(places), lambda k: sweep_link(left, right, places[k], weights=True)),
    )
    filling = Filling(right, out, order)
    below = left.point(rows + 0.9, (cols + 2.0 + out.shape[1]) / 2)

    def items(end: int) -> list[Item]:
        place = places[end - 1]
        products = [Label(below, place.products(), size="small")] if show_products else []
        return [*kernel_shades(left, place), *weight_labels(left, place), filling.step(end - 1), *products]

    steps = sweep_steps(paced(len(places), out.shape[1], READ_MS, every_position=every_position), items, background)
    return Timeline(background=background, steps=steps, view=View())


#: How many inset cells (world units) the longer side of a heat map's input spans: the world unit
#: stays a readable cell, so the inset's numbers and every label keep an ordinary figure's size.
_IMAGE_UNITS = 9.0
#: World units between the input and the output, and between the output and its colour bar.
_HEAT_GAP, _BAR_GAP = 1.2, 0.5


def heat_map(recording: engine.Recording, *, title: str | None = None, every_position: bool = False,
             source: str = "") -> Timeline:
    """A single-channel 1D or 2D recording too big for numbers, its values as colours.

    ``source`` says where the input comes from (a photograph's credit), in small print under it.

    The input as pixels (grey, or on the heat scale when it has negative values) inside a dashed
    outline of its padded border; the output filling in on the diverging heat scale beside its
    labelled colour bar; under both, the current window magnified with its numbers, products and
    sum. A long sweep speeds up unless ``every_position``.
    """
    spec = recording.spec
    caption, formula_line = _caption(spec)
    grid, mask = plane(recording.grid, spec.dims), plane(recording.mask, spec.dims)
    out = plane(recording.output, spec.dims)
    places = sweep_windows(recording)
    pixel = _IMAGE_UNITS / max(grid.shape)
    (rows, cols), (out_rows, out_cols) = grid.shape, out.shape
    left = Surface((0.0, 0.0, 0.0), rows, cols, cell=pixel)
    (width, height), (out_width, out_height) = left.size, (out_cols * pixel, out_rows * pixel)
    right = Surface((width + _HEAT_GAP, (height - out_height) / 2, 0.0), out_rows, out_cols, cell=pixel)
    limit = heat_limit(out)
    bar_at = beside(right, _BAR_GAP)
    top = min(0.0, right.origin[1])
    background = Picture(
        items=(
            left.grid(value_roles(grid, mask).tolist()),
            *outline(left.origin, width, height, dashed=bool((mask != engine.INPUT).any())),
            *above([(left.origin[0], width, say("grid.input")), (right.origin[0], out_width, say("grid.output")),
                    (bar_at[0], 0.5, say("grid.value"))], top),
            *outline(right.origin, out_width, out_height),
            *colour_bar(bar_at, out_height, limit),
            *([Label((0.0, height + 0.25, 0.0), source, size="small", role="muted", anchor="la")] if source else []),
        ),
        title=title or default_title(spec),
        caption=caption,
        formula=formula_line,
        links=lazy(len(places), lambda k: sweep_link(left, right, places[k])),
    )
    order = [p.out for p in places]
    filling = Filling(right, out, order, role=heat_roles(out, limit), numbers=False, pending="clear")
    kernel_cols = places[0].span[3] - places[0].span[1]
    inset_at = ((bar_at[0] + 1.0 - (2 * kernel_cols + 3.4)) / 2, height + (1.4 if source else 1.0), 0.0)

    def items(end: int) -> list[Item]:
        place = places[end - 1]
        return [*kernel_shades(left, place), filling.step(end - 1), *inset(inset_at, 1.0, place, mask)]

    steps = sweep_steps(paced(len(places), out_cols, READ_MS, every_position=every_position), items, background)
    return Timeline(background=background, steps=steps, view=View())


def oblique_names(below: Surface, above: Surface) -> list[Label]:
    """The grids' names, where no projector line can cross them: "input" right of the input
    (every line leaves the input upwards, towards the output), "output" over the output's back
    edge (every line ends on the output)."""
    return [Label(below.point(below.rows / 2, below.cols + 0.35), say("grid.input"), size="small", role="muted",
                  anchor="lm"),
            Label(above.point(-0.25, 0), say("grid.output"), size="small", role="muted", anchor="ls")]


#: The catalogue's name for each cell role a figure's legend explains, in the legend's order:
#: padding, inserted zeros, and (pooling in ceil mode) cells past the padding.
LEGEND_KEYS = {"padding": "legend.padding", "inserted": "legend.inserted", "skipped": "legend.beyond"}
_SWATCH = 0.6  # a legend swatch's cell, in world units


def legend(surface: Surface, roles: Collection[str], *, dilated: bool = False) -> list[Item]:
    """A swatch and a name for each kind of cell among ``roles`` that is not plain input (padding,
    inserted zeros, cells past the padding), and with ``dilated`` a kernel with the cell it skips,
    in a row under ``surface`` (the input, or in the flat view the output, whose grid leaves room
    under it above the products): what the dashed, hatched and unshaded cells are."""
    entries: list[tuple[list[list[str]], tuple[tuple[int, int], ...], str]] = [
        ([[role]], (), say(key)) for role, key in LEGEND_KEYS.items() if role in roles]
    if dilated:
        entries.append(([["input"] * 3], ((0, 0), (0, 2)), say("legend.skipped")))
    items: list[Item] = []
    x = 0.0
    for cells, taps, name in entries:
        width = len(cells[0])
        swatch = Surface(surface.point(surface.rows + 0.8, x), 1, width, ground=surface.ground, cell=_SWATCH)
        items += [swatch.grid(cells), *(tap_shades(swatch, (0, 0, 1, width), taps) if taps else ()),
                  Label(swatch.point(0.5, width + 0.35), name, size="small", role="muted", anchor="lm")]
        x += width * _SWATCH + 0.4 + 0.55 * text_units(name)
    return items


def mask_roles(mask: np.ndarray) -> set[str]:
    """The roles of an engine mask's cells: what a legend may have to explain."""
    return {MASK_ROLES[kind] for kind in set(mask.ravel().tolist())}


def skips_cells(dilation: Sequence[int]) -> bool:
    """Whether a kernel of this dilation skips cells between its taps (a legend then says so)."""
    return any(d > 1 for d in dilation)


def above(names: Sequence[tuple[float, float, str]], top: float) -> list[Label]:
    """Small muted names, each centred over (left x, width), on one line just above ``top``."""
    return [Label((x + width / 2, top - 0.3, 0.0), text, size="small", role="muted", anchor="md")
            for x, width, text in names]


def default_title(spec: ConvSpec) -> str:
    """'2D transposed convolution': the kind; the caption carries the parameters."""
    return say("title.transposed" if spec.transposed else "title.convolution", dims=spec.dims)
