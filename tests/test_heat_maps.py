"""Big grids stay readable: values as colours (grey pixels, a diverging heat scale with its colour
bar), a magnified inset of the current window, and long sweeps that speed up."""

from __future__ import annotations

import numpy as np
import pytest

import reference
from convanim.blocks.phases import FAST_MS, SLOW_POSITIONS, WATCHABLE_MS, WATCHABLE_POSITIONS, paced
from convanim.blocks.scales import MAX_NUMBERED_SIDE, grey_roles, heat_limit, heat_roles, inset, value_roles
from convanim.blocks.windows import sweep_windows
from convanim.core import engine
from convanim.figures import arithmetic
from convanim.picture import GREY_LEVELS, HEAT_LEVELS, SCALES, Grid, Label, Timeline
from convanim.renderer import THEMES, render_still
from convanim.renderer.theme import (
    luminance,
    palette_colours,
    scale_colour,
    theme_colours,
    theme_palette,
    to_indices,
    with_scales,
)

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float)


def _picture(side: int) -> np.ndarray:
    """A smooth 8-bit picture: bright and dark bands, so that edges have both signs."""
    rows, cols = np.mgrid[0:side, 0:side]
    return np.rint((np.sin(rows / 3.0) * np.cos(cols / 4.0) + 1) * 127.5)


def _sobel(side: int) -> engine.Recording:
    return engine.conv2d(_picture(side)[None], SOBEL_X[None, None], padding=1)


def _levels(roles: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda role: int(role[4:]))(roles)


def test_heat_levels_keep_the_sign_and_order_of_the_values() -> None:
    values = np.array([-7.0, -3.5, -0.1, 0.0, 0.1, 2.0, 7.0])
    levels = _levels(heat_roles(values, heat_limit(values)))
    assert list(np.sign(levels)) == [-1, -1, 0, 0, 0, 1, 1]  # a tiny value rounds to zero's level
    assert (np.diff(levels) >= 0).all()
    assert levels[0] == -HEAT_LEVELS and levels[-1] == HEAT_LEVELS
    assert set(heat_roles(np.zeros(4), 0.0)) == {"heat+0"}  # an all-zero result: no division by 0


def test_grey_levels_run_from_black_at_zero_to_white_at_the_top() -> None:
    levels = _levels(grey_roles(np.array([0.0, 51.0, 255.0])))
    assert list(levels) == [0, round(0.2 * (GREY_LEVELS - 1)), GREY_LEVELS - 1]
    assert list(_levels(grey_roles(np.array([0.0, 4.0, 8.0])))) == [0, 16, 31]  # small data: its own top
    assert set(grey_roles(np.zeros(3))) == {"grey0"}


def test_value_roles_pick_grey_for_pixels_heat_for_signed_values_and_leave_padding_clear() -> None:
    mask = np.array([[engine.PADDING, engine.INPUT, engine.INPUT]])
    assert list(value_roles(np.array([[0.0, 3.0, 9.0]]), mask)[0]) == ["clear", "grey10", "grey31"]
    assert value_roles(np.array([[-1.0, 1.0]]))[0, 0].startswith("heat")


@pytest.mark.parametrize("scale", list(SCALES))
def test_scale_lightness_rises_level_by_level_so_the_sign_reads_without_colour(scale: str) -> None:
    lightness = [luminance(scale_colour(role)) for role in SCALES[scale]]
    assert all(b > a for a, b in zip(lightness, lightness[1:]))


@pytest.mark.parametrize("name", list(THEMES))
def test_scales_join_the_palette_only_of_a_figure_that_uses_them(name: str) -> None:
    theme = THEMES[name]
    assert with_scales(theme, ["input", "done"]) is theme
    heat = with_scales(theme, ["input", "heat-3"])
    exact = theme_colours(heat)
    assert exact[: len(theme_colours(theme))] == theme_colours(theme)  # the theme's own keep their indices
    for role in SCALES["heat"]:
        assert scale_colour(role) in exact and heat.shaded(scale_colour(role)) in exact
    assert not set(map(scale_colour, SCALES["grey"])) <= set(palette_colours(heat))
    table = np.frombuffer(theme_palette(heat), dtype=np.uint8).reshape(-1, 3)
    colours = np.array(exact, dtype=np.uint8)
    assert (table[to_indices(colours[None], heat)[0]] == colours).all()


def _grids(timeline: Timeline, step: int) -> list[Grid]:
    return [item for item in timeline.steps[step].overlay.items if isinstance(item, Grid)]


def test_a_heat_map_ends_with_every_output_cell_at_its_level_of_the_reference_output() -> None:
    side = 24
    recording = _sobel(side)
    expected = reference.conv(_picture(side)[None, None], SOBEL_X[None, None], padding=1)[0, 0]
    assert expected.shape == (side, side)
    timeline = arithmetic(recording, values="heat")
    output = next(g for g in _grids(timeline, -1) if g.shape == expected.shape and g.cell < 1)
    roles = np.array(output.roles, dtype=object)
    done = roles != "active"
    assert (roles[done] == heat_roles(expected, np.abs(expected).max())[done]).all()
    assert not output.labels  # colours, no numbers
    bar_numbers = {item.text for item in timeline.background.items if isinstance(item, Label)}
    limit = np.abs(expected).max()
    assert {f"{limit:g}", f"−{limit:g}", "0"} <= bar_numbers


def test_a_heat_map_shows_the_input_pixels_and_renders_their_grey_exactly() -> None:
    side = 20
    timeline = arithmetic(_sobel(side), values="heat")
    image = np.asarray(render_still(timeline, 0, size=(1200, 900)))
    picture = _picture(side)
    assert picture.min() == 0
    colours = {tuple(map(int, pixel)) for pixel in image.reshape(-1, 3)}
    assert scale_colour(f"grey{GREY_LEVELS - 1}") in colours and scale_colour("grey0") in colours


@pytest.mark.parametrize("step", [0, 5, -1])
def test_the_inset_shows_the_window_products_and_the_sum_the_output_cell_gets(step: int) -> None:
    recording = engine.conv2d(_picture(9)[None], SOBEL_X[None, None], bias=np.array([2.5]), padding=1)
    place = sweep_windows(recording)[step]
    items = inset((0.0, 0.0, 0.0), 1.0, place, recording.mask[0])
    window, products, total = (item for item in items if isinstance(item, Grid))
    r0, c0, r1, c1 = place.span
    patch = recording.grid[0, r0:r1, c0:c1]
    shown = [float(t.replace("−", "-")) for row in window.labels for t in row]
    assert shown == patch.ravel().tolist()
    weights = [float(t.replace("−", "-")) for row in window.sublabels for t in row]
    assert weights == SOBEL_X.ravel().tolist()
    product_values = np.array([[float(t.replace("−", "-")) for t in row] for row in products.labels])
    assert (product_values == patch * SOBEL_X).all()
    expected = product_values.sum() + 2.5
    assert float(total.labels[0][0].replace("−", "-")) == pytest.approx(expected, abs=0.005)
    assert expected == pytest.approx(recording.output[0][place.out])
    assert any(isinstance(item, Label) and "+ 2.50" in item.text for item in items)  # the bias is said


@pytest.mark.parametrize("count, row", [(101, 10), (1024, 32), (2304, 48), (4096, 64), (65_536, 256), (300, 300)])
def test_a_long_sweep_speeds_up_to_whole_rows_and_plays_in_a_watchable_time(count: int, row: int) -> None:
    steps = paced(count, row, 1000)
    ends = [end for end, _ in steps]
    assert ends == sorted(set(ends)) and ends[-1] == count  # every position reached, in order
    assert ends[:SLOW_POSITIONS] == list(range(1, SLOW_POSITIONS + 1))  # it starts position by position
    assert sum(ms for _, ms in steps) <= WATCHABLE_MS
    unaligned = [i for i, end in enumerate(ends[:-1]) if end % row]
    speeding = unaligned[-1] + 1 if unaligned else 0  # steps until the sweep moves in whole rows
    assert ends[speeding] <= 2 * row  # it reaches whole rows within the first two
    moves = np.diff(ends[SLOW_POSITIONS - 1 : speeding + 1])
    assert len(moves) < 2 or moves.max() > moves[0]  # speeding up on the way
    assert all(ms == FAST_MS for _, ms in steps[speeding + 1 :])


def test_a_short_sweep_or_every_position_keeps_one_step_per_position() -> None:
    assert paced(WATCHABLE_POSITIONS, 10, 650) == [(n, 650) for n in range(1, WATCHABLE_POSITIONS + 1)]
    assert len(paced(4096, 64, 650, every_position=True)) == 4096
    recording = _sobel(40)
    assert len(arithmetic(recording, values="heat", every_position=True).steps) == 40 * 40
    assert len(arithmetic(recording, values="heat").steps) < WATCHABLE_POSITIONS


def test_auto_numbers_small_grids_and_colours_big_ones() -> None:
    small = arithmetic(engine.conv2d(_picture(MAX_NUMBERED_SIDE - 2)[None], SOBEL_X[None, None], padding=1),
                       values="auto")
    big = arithmetic(_sobel(MAX_NUMBERED_SIDE + 1), values="auto")
    assert any(grid.labels for grid in small.background.items if isinstance(grid, Grid))
    input_grid = next(item for item in big.background.items if isinstance(item, Grid))
    assert not input_grid.labels and input_grid.roles[1][1].startswith("grey")


@pytest.mark.parametrize("dims", [2, 3])
def test_big_channel_and_volume_sweeps_speed_up_and_drop_numbers_too_small_to_read(dims: int) -> None:
    side = MAX_NUMBERED_SIDE + 4
    rgb = np.stack([_picture(side)] * 3) if dims == 2 else _picture(side)[None, None].repeat(3, axis=1)
    kernel = SOBEL_X[None, None].repeat(3, axis=1) if dims == 2 else np.ones((1, 1, 2, 3, 3))
    recording = (engine.conv2d if dims == 2 else engine.conv3d)(rgb, kernel)
    timeline = arithmetic(recording, values="auto")
    positions = recording.output[0].size
    assert len(timeline.steps) < (2 if dims == 2 else 1) * WATCHABLE_POSITIONS < positions
    every = arithmetic(recording, values="auto", every_position=True)
    assert len(every.steps) == (2 if dims == 2 else 1) * positions  # 2D: the sweep, then the sums
    last = [grid for grid in _grids(timeline, -1) if grid.shape[-1] > MAX_NUMBERED_SIDE]
    assert last and not any(grid.labels for grid in last)
    if dims == 2:  # the channels show as pixels, the results on the heat scale
        roles = {role for grid in last for line in grid.roles for role in line}
        assert any(role.startswith("grey") for role in roles) and any(role.startswith("heat") for role in roles)
