"""The renderer: projection and fitting, exact palette, roles and themes, frames, golden looks.

Golden frames live in tests/golden/; after an intended change of look, regenerate them with
``CONVANIM_REGEN_GOLDEN=1 pytest tests/test_render.py`` and look at the new PNGs before committing.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from convanim.picture import ROLES, Grid, Label, Line, Picture, Shade, Step, Timeline, View
from convanim.renderer import THEMES, Canvas, render_frames, render_still, resolve_size, theme_palette
from convanim.renderer import geometry
from convanim.renderer.compose import Renderer
from convanim.renderer.raster import Target
from convanim.renderer.project import PRESETS, fit, project
from convanim.renderer.theme import palette_colours, theme_colours, to_indices
from convanim.picture.timeline import expand, total_ms

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
_spec = importlib.util.spec_from_file_location("render_sample", HERE / "render_sample.py")
assert _spec and _spec.loader
sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sample)

CELL_ROLES = [r for r in ROLES if r not in ("line", "text", "muted", "clear")]


# -- projection and fitting ---------------------------------------------------------------------


def test_projection() -> None:
    assert project(View(), (2.0, 3.0, 7.0)) == (2.0, 3.0)
    view = View(kind="oblique", angle_deg=30.0, depth=0.5)
    x, y = project(view, (1.0, 2.0, 4.0))
    assert x == pytest.approx(1.0 + 4 * 0.5 * math.cos(math.pi / 6))
    assert y == pytest.approx(2.0 - 4 * 0.5 * math.sin(math.pi / 6))


def test_sizes() -> None:
    readme_w = PRESETS["readme"][0]
    assert resolve_size("readme").width_px == readme_w and resolve_size("readme").height_px is None
    assert (resolve_size("720p").width_px, resolve_size("720p").height_px) == PRESETS["720p"]
    half = resolve_size("1080p", scale=0.5)
    assert (half.width_px, half.height_px) == (PRESETS["1080p"][0] // 2, PRESETS["1080p"][1] // 2)
    assert (resolve_size("321x243").width_px, resolve_size("321x243").height_px) == (321, 243)
    even = resolve_size((321, 243), even=True)
    assert (even.width_px % 2, even.height_px % 2) == (0, 0) and even.width_px >= 321
    for bad in ("huge", "0x5", (3,), (0, 4), "12"):
        with pytest.raises(ValueError, match="size"):
            resolve_size(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scale"):
        resolve_size("readme", scale=0)


def _figure_px(canvas: Canvas, timeline: Timeline) -> tuple[float, float, float, float]:
    items = [i for p in (timeline.background, *(s.overlay for s in timeline.steps)) for i in p.items]
    grids = [item for item in items if isinstance(item, Grid)]
    pts = [canvas.to_px(pt) for grid in grids for pt in grid.quad(0, 0, *grid.shape)]
    return min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts)


@pytest.mark.parametrize("size", ["readme", "720p", "1080p", "400x900"])
def test_fit_keeps_figure_inside_and_centred(size: str) -> None:
    timeline = sample.reference()
    spec = resolve_size(size)
    canvas = fit(spec, timeline.view, [timeline.background, *(s.overlay for s in timeline.steps)])
    x0, y0, x1, y1 = _figure_px(canvas, timeline)
    assert canvas.width_px == spec.width_px and canvas.height_px == (spec.height_px or canvas.height_px)
    assert canvas.margin_px - 1e-6 <= x0 and x1 <= canvas.width_px - canvas.margin_px + 1e-6
    assert canvas.title_y + canvas.title_px / 2 < y0 and y1 < canvas.caption_top
    assert x0 == pytest.approx(canvas.width_px - x1, abs=1.0)  # centred across
    # Down the canvas, title + figure + caption sit in the middle: equal empty bands above and below.
    pixels = np.asarray(render_still(timeline, size=size).convert("L"))
    used = np.flatnonzero((pixels != pixels[0, 0]).any(axis=1))
    above, below = used[0], canvas.height_px - 1 - used[-1]
    assert below > 0 and abs(above - below) <= canvas.title_px / 2 + 2


def test_readme_height_follows_figure() -> None:
    flat, oblique = sample.reference(numbers=True), sample.reference()
    heights = [next(render_frames(t))[0].height for t in (flat, oblique)]
    assert all(h > 0 for h in heights) and heights[0] != heights[1]


# -- palette ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(THEMES))
def test_palette_maps_theme_colours_exactly(name: str) -> None:
    theme = THEMES[name]
    palette = theme_palette(name)
    assert len(palette) == 768
    assert tuple(palette[:3]) == theme.background
    exact = np.array(theme_colours(theme), dtype=np.uint8)
    indices = to_indices(exact[None], theme)[0]
    table = np.frombuffer(palette, dtype=np.uint8).reshape(-1, 3)
    assert (table[indices] == exact).all()


@pytest.mark.parametrize("name", list(THEMES))
def test_palette_entries_map_to_themselves_or_a_twin(name: str) -> None:
    """Anti-aliasing blends in the palette are reachable: each maps to itself or an entry that is
    indistinguishable from it (within about one 4-level bin of the lookup table)."""
    theme = THEMES[name]
    colours = np.array(palette_colours(theme), dtype=np.uint8)
    got = colours[to_indices(colours[None], theme)[0]]
    assert (np.abs(got.astype(int) - colours).max(axis=1) <= 5).all()


# -- roles and themes ---------------------------------------------------------------------------


def _role_board() -> Picture:
    grid = Grid((0.0, 0.0, 0.0), (tuple(CELL_ROLES),), (tuple("7" for _ in CELL_ROLES),))
    roles = ("line", "text", "muted")
    lines = tuple(Line(((i, 2.0, 0.0), (i + 0.8, 2.6, 0.0)), role=r) for i, r in enumerate(roles))
    return Picture(items=(grid, *lines, Label((5.0, 3.5, 0.0), "muted text", role="muted")))


@pytest.mark.parametrize("name", list(THEMES))
def test_every_role_renders(name: str) -> None:
    theme = THEMES[name]
    assert set(theme.roles) == set(ROLES)
    image = np.asarray(render_still(_role_board(), theme=name, size="900x200"))
    present = {tuple(c) for c in image.reshape(-1, 3)}
    for role in CELL_ROLES:
        assert theme.style(role).fill in present, role
    for role in ("line", "text", "muted"):
        assert theme.style(role).stroke in present, role


@pytest.mark.parametrize(
    "item",
    [
        Grid((0, 0, 0), (("input", "sparkly"),)),
        Shade(((0, 0, 0), (1, 0, 0), (1, 1, 0)), role="nope"),
        Line(((0, 0, 0), (1, 1, 0)), role="red"),
        Label((0, 0, 0), "x", role="bold"),
    ],
)
def test_unknown_role_is_refused(item: object) -> None:
    with pytest.raises(ValueError, match="role"):
        render_still(Picture(items=(item,)))  # type: ignore[arg-type]


def test_unknown_theme_is_refused() -> None:
    with pytest.raises(ValueError, match="theme"):
        render_still(_role_board(), theme="sepia")


def test_no_matplotlib_on_the_render_path() -> None:
    code = (
        "import sys; from convanim.renderer import render_still; from convanim.picture import *;"
        "grid = Grid((0, 0, 0), (('input',),), (('1',),));"
        "render_still(Picture(items=(grid,), title='t', formula='⌊x⌋'));"
        "assert 'matplotlib' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_figure_renders_without_numpy_ma(tmp_path: Path) -> None:
    """Start-up pays only for what a figure uses: np.unique imports numpy.ma on first use
    (13 ms of a 0.5 s render), and nothing on the way from a scene to its GIF needs it."""
    code = (
        "import sys; from convanim import api;"
        f"api.render('arith-same-padding-no-strides', {str(tmp_path / 'ref.gif')!r});"
        "assert 'numpy.ma' not in sys.modules, 'numpy.ma imported'"
    )
    # Away from the checkout: its convanim/ folder, without the scenes the install maps in, would
    # shadow the installed package.
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)


# -- frames -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(THEMES))
def test_frames_share_the_theme_palette(name: str) -> None:
    timeline = sample.reference(steps=4)
    palette = theme_palette(name)
    frames = list(render_frames(timeline, theme=name, scale=0.5))
    assert len(frames) == len(timeline.steps)
    for image, _ in frames:
        assert image.mode == "P" and bytes(image.getpalette() or []) == palette
        assert image.size == frames[0][0].size
        assert np.asarray(image)[0, 0] == 0  # the page is palette index 0


def test_durations_are_the_step_holds() -> None:
    timeline = sample.reference(steps=3)
    durations = [d for _, d in render_frames(timeline, scale=0.4)]
    assert sum(durations) == total_ms(timeline)
    assert durations[1] == timeline.steps[1].hold_ms


def test_glide_renders_in_between_frames() -> None:
    timeline = sample.reference(steps=3)
    fps = 30
    frames = list(render_frames(timeline, fps=fps, scale=0.4))
    assert len(frames) > len(timeline.steps)
    assert sum(d for _, d in frames) == total_ms(timeline)
    held = [np.asarray(im) for im, d in frames if d > 1000 / fps + 1]
    between = [np.asarray(im) for im, d in frames if d <= 1000 / fps + 1]
    assert len(held) == len(timeline.steps) and between
    assert all(not any((b == h).all() for h in held) for b in between)


def test_frames_are_lazy(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = Renderer.frame
    monkeypatch.setattr(Renderer, "frame", lambda self, overlay: calls.append(1) or original(self, overlay))
    frames = render_frames(sample.reference(steps=200), scale=0.3, fps=30)
    assert not calls
    list(itertools.islice(frames, 2))
    assert len(calls) == 2


@pytest.mark.parametrize("size", ["readme", "333x211"])
def test_even_sizes(size: str) -> None:
    for timeline in (sample.reference(steps=1), sample.stack()):
        image, _ = next(render_frames(timeline, size=size, scale=0.7, even=True))
        assert image.width % 2 == 0 and image.height % 2 == 0


def _full_redraw(renderer: Renderer, overlay: Picture) -> np.ndarray:
    """The frame drawn whole: every overlay item on the background, in order."""
    full = renderer.background.copy()
    target = Target(full)
    for item in overlay.items:
        renderer.painter.draw(target, item, renderer.texts)
    renderer._slots(target, overlay)
    return to_indices(np.asarray(full.reduce(renderer.factor)), renderer.theme)


def _spec_figure(numbers: bool, every_position: bool = False, **spec) -> Timeline:
    from convanim.core.spec import ConvSpec
    from convanim.figures import arithmetic

    values = "numbers" if numbers else "hidden"
    return arithmetic(ConvSpec.create(**spec), values=values, every_position=every_position)


def _heat_figure(side: int, signed: bool) -> Timeline:
    """A heat map of a smooth picture (grey pixels) or of signed noise, swept and sped up."""
    from convanim.core import engine
    from convanim.figures import arithmetic

    rows, cols = np.mgrid[0:side, 0:side]
    picture = (np.sin(rows / 3.0) * np.cos(cols / 5.0) + 1) * 127.5
    image = np.random.default_rng(3).normal(size=(side, side)) if signed else np.rint(picture)
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float)
    return arithmetic(engine.conv2d(image[None], sobel[None, None], padding=1), values="heat")


DIFFED = {
    "reference": lambda: sample.reference(steps=8),
    "numbers": lambda: sample.reference(numbers=True, steps=8),
    "stack": sample.stack,
    # Grids big enough to be layered, oblique and flat, strided, dilated, transposed, channels.
    "oblique 16": lambda: _spec_figure(False, input_size=(16, 16), kernel_size=(3, 3), padding=(1, 1)),
    "numbers 13": lambda: _spec_figure(True, input_size=(13, 13), kernel_size=(3, 3), stride=(2, 2)),
    "dilated": lambda: _spec_figure(False, input_size=(14, 14), kernel_size=(3, 3), dilation=(2, 2)),
    "transposed": lambda: _spec_figure(False, input_size=(7, 7), kernel_size=(3, 3), stride=(2, 2),
                                       transposed=True),
    "channels": lambda: _spec_figure(False, input_size=(12, 12), kernel_size=(3, 3), in_channels=2),
    "sped-up oblique 24": lambda: _spec_figure(False, input_size=(24, 24), kernel_size=(3, 3)),
    "heat pixels 24": lambda: _heat_figure(24, signed=False),
    "heat signed 12": lambda: _heat_figure(12, signed=True),
}


@pytest.mark.parametrize("name", DIFFED)
@pytest.mark.parametrize("fps", [None, 30.0])
def test_frames_drawn_where_they_change_match_full_redraws(name: str, fps: float | None) -> None:
    """Each frame redraws only where it differs from the frame before (item by item, a grid cell
    by cell), and comes out exactly as drawing it whole, stepping and gliding."""
    timeline = DIFFED[name]()
    renderer = Renderer(timeline, THEMES["light"], resolve_size("readme", 0.7))
    for frame in itertools.islice(expand(timeline, fps), 0, 60, 3 if fps else 2):
        assert (np.asarray(renderer.frame(frame.overlay)) == _full_redraw(renderer, frame.overlay)).all()


def test_a_frame_draws_what_changed_not_the_grid() -> None:
    """Once under way, a frame of a 32×32 sweep draws no more cells than one of an 8×8 sweep."""
    def cells_drawn(side: int) -> float:
        timeline = _spec_figure(False, True, input_size=(side, side), kernel_size=(3, 3), padding=(1, 1))
        renderer = Renderer(timeline, THEMES["light"], resolve_size("readme"))
        for step in timeline.steps[:3]:
            renderer.frame(step.overlay)
        calls = []
        original = Target.polygon
        Target.polygon = lambda self, *args, **kwargs: calls.append(1) or original(self, *args, **kwargs)
        try:
            for step in timeline.steps[3:23]:
                renderer.frame(step.overlay)
        finally:
            Target.polygon = original
        return len(calls) / 20

    assert cells_drawn(32) <= max(cells_drawn(8), 10)


def test_overlay_text_slots_replace_the_background_ones() -> None:
    base = Picture(items=(Grid((0, 0, 0), (("input",),)),), title="Before", caption="first caption")
    steps = (Step(Picture()), Step(Picture(title="After", caption="second caption")))
    timeline = Timeline(base, steps)
    same, changed = (np.asarray(render_still(timeline, i)) for i in (0, 1))
    after = Picture(items=base.items, title="After", caption="second caption")
    plain = np.asarray(render_still(Timeline(after, steps[:1])))
    assert (same != changed).any()
    assert (changed == plain).all()


def test_still_checks_its_step_index() -> None:
    with pytest.raises(ValueError, match="step_index"):
        render_still(sample.reference(steps=2), 2)


# -- strokes ------------------------------------------------------------------------------------

# (start, end) in canvas pixels: steep and shallow, both directions, axis-aligned and 45 degrees.
SEGMENTS = [
    ((20.4, 10.2), (61.7, 200.9)),
    ((150.3, 12.6), (118.2, 215.1)),
    ((12.2, 40.7), (220.5, 101.3)),
    ((210.9, 30.1), (14.6, 180.4)),
    ((30.0, 50.5), (200.0, 50.5)),
    ((100.6, 20.0), (100.6, 210.0)),
    ((20.0, 20.0), (200.0, 200.0)),
]


def stroke(p: tuple[float, float], q: tuple[float, float], width: float, guide: bool = False) -> np.ndarray:
    """A black stroke on a white canvas supersampled 3 times: the canvas as 0/1 ink."""
    image = Image.new("RGB", (240, 240), (255, 255, 255))
    Target(image).line([p, q], (0, 0, 0), width, 3, guide)
    return 1 - np.asarray(image)[..., 0] // 255


def across(ink: np.ndarray, p: tuple[float, float], q: tuple[float, float]) -> np.ndarray:
    """Coverage (0..1) of the output pixels, as rows crossing the stroke (columns for a shallow
    one), leaving out the two rows that hold its ends."""
    steep = abs(q[1] - p[1]) >= abs(q[0] - p[0])
    cover = ink.reshape(ink.shape[0] // 3, 3, ink.shape[1] // 3, 3).mean(axis=(1, 3))
    first, last = sorted(int(v // 3) for v in ((p[1], q[1]) if steep else (p[0], q[0])))
    return (cover if steep else cover.T)[first + 1 : last]


def patterns(lines: np.ndarray) -> set[tuple[float, ...]]:
    return {tuple(np.round(line[line > 0], 6).tolist()) for line in lines}


@pytest.mark.parametrize(("p", "q"), SEGMENTS)
@pytest.mark.parametrize("width", [1, 3, 4, 7])
def test_a_stroke_covers_output_pixels_in_whole_sub_rows(
    p: tuple[float, float], q: tuple[float, float], width: int
) -> None:
    """Every sub-row of an output row (column) is inked alike, so blends are multiples of 1/3
    and the rows repeat at most 3 patterns: what makes frames with moving edges cheap."""
    lines = across(stroke(p, q, width), p, q)
    assert lines.sum() > 0
    assert np.allclose(lines * 3, np.round(lines * 3))
    assert len(patterns(lines)) <= 3


@pytest.mark.parametrize(("p", "q"), SEGMENTS)
@pytest.mark.parametrize("width", [1, 3, 4, 7])
def test_a_stroke_lies_on_its_line_with_its_width(
    p: tuple[float, float], q: tuple[float, float], width: int
) -> None:
    """Each canvas row of ink is centred where the true line crosses the middle of its output
    row, and is as long as the stroke is wide along the row, both to half a canvas pixel."""
    steep = abs(q[1] - p[1]) >= abs(q[0] - p[0])
    ink = stroke(p, q, width)
    rows = ink if steep else ink.T
    (a0, b0), (a1, b1) = ((p[1], p[0]), (q[1], q[0])) if steep else (p, q)
    first, last = sorted(int(v // 3) for v in (a0, a1))
    inner = np.arange(3 * (first + 1), 3 * last)  # canvas rows of output rows without an end
    middles = inner // 3 * 3 + 1.0
    true_centres = b0 + (b1 - b0) * (middles - a0) / (a1 - a0)
    counts = rows[inner].sum(axis=1)
    centres = (rows[inner] * np.arange(rows.shape[1])).sum(axis=1) / counts
    assert np.abs(centres - true_centres).max() <= 0.5 + 1e-9
    assert np.abs(counts - width * math.dist(p, q) / abs(a1 - a0)).max() <= 0.5 + 1e-9


@pytest.mark.parametrize(("p", "q"), SEGMENTS[:4])
def test_a_guide_takes_two_row_patterns(p: tuple[float, float], q: tuple[float, float]) -> None:
    """A guide (a thin line moving every frame) is centred on whole or half output pixels."""
    assert len(patterns(across(stroke(p, q, 3, guide=True), p, q))) == 2


def test_a_one_pixel_guide_fills_a_pixel_or_two_thirds_of_two() -> None:
    p, q = SEGMENTS[0]
    two_thirds = round(2 / 3, 6)
    assert patterns(across(stroke(p, q, 3, guide=True), p, q)) == {(1.0,), (two_thirds, two_thirds)}


@pytest.mark.parametrize("guide", [False, True])
@pytest.mark.parametrize("pixel", [1, 2, 3, 4])
def test_a_straight_stroke_is_the_leaning_strokes_arithmetic(pixel: int, guide: bool) -> None:
    """Axis-aligned strokes take a plain-Python path; the numpy path of leaning strokes, given
    the same straight segment, makes the same boxes (at ends on and off pixel borders)."""
    rng = np.random.default_rng(pixel)
    for _ in range(300):
        a0, a1 = sorted(np.round(rng.uniform(0, 900, 2), rng.integers(0, 4)).tolist())
        b = float(np.round(rng.uniform(0, 900), rng.integers(0, 4)))
        width = int(rng.integers(1, 9))
        for steep, (p, q) in ((False, ((a0, b), (a1, b))), (True, ((b, a0), (b, a1)))):
            if a1 == a0:
                continue
            first, last = math.floor(a0 + 0.5), math.floor(a1 + 0.5)
            leaning = geometry._oblique_runs(a0, b, a1, b, first, last, width, pixel, guide, steep)
            assert geometry.stroke_runs(p, q, width, pixel, guide).tolist() == leaning.tolist()


def test_a_stroke_of_no_length_draws_nothing() -> None:
    assert not stroke((50.2, 60.7), (50.2, 60.7), 3).any()


# -- golden frames ------------------------------------------------------------------------------

GOLDEN_CASES = {
    "oblique_light": lambda: render_still(sample.reference(), 7, scale=0.5),
    "numeric_dark": lambda: render_still(sample.reference(numbers=True), 8, theme="dark", scale=0.5),
    "stack_light": lambda: render_still(sample.stack(), 4, scale=0.5),
    "roles_dark": lambda: render_still(sample.every_role(), theme="dark", scale=0.5),
}


@pytest.mark.parametrize("name", list(GOLDEN_CASES))
def test_golden_frames(name: str) -> None:
    image = GOLDEN_CASES[name]()
    path = GOLDEN / f"{name}.png"
    if os.environ.get("CONVANIM_REGEN_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        image.save(path, optimize=True)
        pytest.skip(f"regenerated {path.name}")
    golden = Image.open(path).convert("RGB")
    assert golden.size == image.size
    diff = np.abs(np.asarray(image, dtype=np.int16) - np.asarray(golden, dtype=np.int16)).max(axis=2)
    # Font rasterisers differ a little between builds; a change of look moves far more pixels.
    assert (diff > 48).mean() < 0.003 and diff.mean() < 1.5, f"{name} differs from {path}"


def test_unknown_role_in_a_late_step_is_refused_before_drawing() -> None:
    timeline = sample.reference(steps=3)
    bad = Step(Picture(items=(Shade(((0, 0, 0), (1, 0, 0), (1, 1, 0)), role="glow"),)))
    with pytest.raises(ValueError, match="role"):
        render_frames(Timeline(timeline.background, (*timeline.steps, bad), view=timeline.view))


def test_palette_mapping_does_not_depend_on_what_was_mapped_before() -> None:
    """Bins are resolved on first use; the answer must not depend on which bins came first, or
    a scene's bytes would depend on the scenes a worker process rendered before it."""
    from convanim.renderer.theme import PaletteMap, get_theme

    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    other = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    fresh = PaletteMap(get_theme("light")).indices(image)
    used = PaletteMap(get_theme("light"))
    used.indices(other)
    assert np.array_equal(used.indices(image), fresh)
    assert np.array_equal(used.indices(image[::-1]), fresh[::-1])


def test_an_image_maps_to_the_indices_of_its_pixels() -> None:
    """A region is mapped from Pillow's own words (R, G, B and a spare byte): the same indices
    as its unpacked pixels, whatever the colours and the shape, and the same as the nearest
    palette colour found the slow way."""
    from convanim.renderer.theme import PaletteMap, get_theme

    theme = get_theme("dark")
    rng = np.random.default_rng(5)
    pixels = rng.integers(0, 256, size=(37, 23, 3), dtype=np.uint8)
    image = Image.fromarray(pixels)
    assert np.array_equal(PaletteMap(theme).image_indices(image), PaletteMap(theme).indices(pixels))
    palette = 2 * np.array(palette_colours(theme), dtype=np.int64)
    bins = (pixels.reshape(-1, 3).astype(np.int64) >> 2) * 8 + 3  # twice each bin's centre
    nearest = (((bins[:, None, :] - palette[None]) ** 2) @ np.array([2, 4, 3])).argmin(axis=1)
    owned = {tuple(np.array(c) >> 2) for c in theme_colours(theme)}  # exact colours own their bins
    plain = [tuple(p >> 2) not in owned for p in pixels.reshape(-1, 3)]
    assert np.array_equal(to_indices(image, theme).reshape(-1)[plain], nearest[plain])


def test_recent_keeps_the_most_recently_used_and_makes_only_what_it_lacks() -> None:
    from convanim.renderer.recent import Recent

    made: list[int] = []

    def make(key: int) -> int:
        made.append(key)
        return key * 10

    kept: Recent[int] = Recent(3)
    for key in (1, 2, 3, 1, 4, 1, 5):  # 1 stays in use; 2, then 3, are the oldest when full
        assert kept.get(key, lambda key=key: make(key)) == key * 10
    assert made == [1, 2, 3, 4, 5]
    for key in (1, 4, 5):  # still kept: nothing made
        kept.get(key, lambda key=key: make(key))
    assert made == [1, 2, 3, 4, 5]
    kept.get(2, lambda: make(2))  # dropped before: made again, and 1, the oldest now, goes
    kept.get(1, lambda: make(1))
    assert made == [1, 2, 3, 4, 5, 2, 1]
    assert kept.put(7, 70) == 70 and kept.get(7, lambda: make(7)) == 70
