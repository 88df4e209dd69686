"""The building blocks of scenes, in one import: ``from convanim.blocks import Stack, phase, ...``.

A scene says *what* to show; these say *how*: where tensors sit in the world (:mod:`.surfaces`),
which cells a kernel placement covers (:mod:`.windows`, read off engine recordings), what each cell
is and shows (:mod:`.cells`), what is drawn on them (:mod:`.marks`), steps and their timing
(:mod:`.phases`), grouped tensors (:mod:`.groups`), a convolution's matrix (:mod:`.matrix`) and the
sentences figures narrate (:mod:`.text`). Everything returned is plain ``convanim.picture`` data;
every number comes from the engine.
"""

from convanim.blocks.cells import GROUP_ROLES, MASK_ROLES, group_roles, labels_of, roles_of, tinted
from convanim.blocks.groups import (
    blank_grids,
    bracket,
    channel_roles,
    columns,
    drawn,
    filling,
    first_slices,
    gather,
    group_kernels,
    group_windows,
    links,
    shuffle_lines,
    shuffled_roles,
    slice_tags,
    stack_sum_links,
    standard_of,
    value_grids,
)
from convanim.blocks.marks import (
    Filling,
    arrow,
    column,
    filled_grid,
    kernel_shades,
    kernel_through,
    link,
    output_grid,
    row,
    sum_link,
    sweep_link,
    text_lines,
    weight_labels,
)
from convanim.blocks.matrix import Falk, cell_shades
from convanim.blocks.phases import READ_MS, STEP_MS, finished, phase, sweep
from convanim.blocks.surfaces import GAP, OBLIQUE, Stack, Surface, heading, risen, side_by_side, under
from convanim.blocks.text import bracketed, channel_range, indexed, phase_caption, sum_text, versus
from convanim.blocks.windows import (
    MAX_SLICES,
    Channels,
    VolumeWindow,
    Window,
    bias_of,
    channel_parts,
    channel_windows,
    plane,
    spatial_windows,
    sweep_windows,
    volume_windows,
    window_of,
)
from convanim.core.notation import factor, number, shape_text, signed

__all__ = [
    # where tensors sit
    "GAP", "OBLIQUE", "Stack", "Surface", "heading", "risen", "side_by_side", "under",
    # recordings read as kernel windows
    "MAX_SLICES", "Channels", "VolumeWindow", "Window", "bias_of", "channel_parts", "channel_windows", "plane",
    "spatial_windows", "sweep_windows", "volume_windows", "window_of",
    # cells: roles and numbers
    "GROUP_ROLES", "MASK_ROLES", "group_roles", "labels_of", "roles_of", "tinted",
    # what is drawn on surfaces
    "Filling", "arrow", "column", "filled_grid", "kernel_shades", "kernel_through", "link", "output_grid", "row",
    "sum_link", "sweep_link", "text_lines", "weight_labels",
    # steps and timing
    "READ_MS", "STEP_MS", "finished", "phase", "sweep",
    # grouped tensors
    "blank_grids", "bracket", "channel_roles", "columns", "drawn", "filling", "first_slices", "gather",
    "group_kernels", "group_windows", "links", "shuffle_lines", "shuffled_roles", "slice_tags", "stack_sum_links",
    "standard_of", "value_grids",
    # a convolution's matrix
    "Falk", "cell_shades",
    # text
    "bracketed", "channel_range", "factor", "indexed", "number", "phase_caption", "shape_text", "signed", "sum_text",
    "versus",
]
