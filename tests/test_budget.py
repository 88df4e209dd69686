"""A budget before work: impossible renders are refused in a moment, real ones are not.

Each refused case ran for minutes or took gigabytes before failing (or never ended) before the
budget existed; each must now be one line, exit 2, in well under a second of work, with nothing
written.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from convanim import budget
from convanim.budget import check_render, check_spec, estimate
from convanim.core.spec import ConvSpec
from convanim.picture import Grid, Picture, Step, Timeline
from convanim.renderer.project import resolve_size
from convanim.writers import format_info

CONVANIM = Path(sys.executable).with_name("convanim")

REFUSED = {
    "a 5000×5000 input": (["custom", "--input", "5000,5000", "--kernel", "3"], "kernel positions"),
    "a 200³ volume": (["custom", "--input", "200,200,200", "--kernel", "3"], "kernel positions"),
    "padding 1000": (["custom", "--input", "5", "--kernel", "3", "--padding", "1000"], "kernel positions"),
    "a 2000-wide kernel": (["custom", "--input", "2000", "--kernel", "2000"], "grid cells drawn"),
    "a 100000 input": (["custom", "--input", "100000", "--kernel", "3"], "kernel positions"),
    "2³¹−1 input channels": (["custom", "--input", "5", "--kernel", "3", "--in-channels", "2147483647"],
                             "values the engine holds"),
    "a 12000×12000 canvas": (["render", "basics", "--size", "12000x12000"], "canvas width"),
    "a 100000×100000 canvas": (["render", "basics", "--size", "100000x100000"], "canvas width"),
    "scale 1e6": (["render", "basics", "--scale", "1e6"], "canvas width"),
    "a hold of a day, in video": (["render", "basics", "--hold", "100000000", "-o", "x.mp4"], "frames"),
    "a hold of a day, as frames": (["render", "basics", "--hold", "100000000", "--format", "png"], "frames"),
    "loop 65536 for webp": (["render", "basics", "--loop", "65536", "-o", "x.webp"], "webp plays at most 65,535"),
    "loop 2³² for apng": (["render", "basics", "--loop", "4294967296", "-o", "x.apng"], "apng plays at most"),
    "loop 65537 for gif": (["render", "basics", "--loop", "65537", "-o", "x.gif"], "gif plays at most 65,536"),
    "a 3e9 ms hold in webp": (["render", "basics", "--hold", "3000000000", "-o", "x.webp"], "webp frame lasts"),
    "a 655351 ms hold in gif": (["render", "basics", "--hold", "655351"], "gif frame lasts at most"),
    "a 70 s hold in apng": (["render", "basics", "--hold", "70001", "-o", "x.apng"], "apng frame lasts"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_impossible_work_is_refused_at_once(case: str, tmp_path: Path) -> None:
    args, mentions = REFUSED[case]
    start = time.perf_counter()
    result = subprocess.run([str(CONVANIM), *args], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    seconds = time.perf_counter() - start
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and lines[0].startswith("convanim: error: ") and mentions in lines[0], result.stderr
    assert "Traceback" not in result.stderr and list(tmp_path.iterdir()) == []
    assert seconds < 20, f"{case} took {seconds:.1f} s to refuse"  # a bound, not a benchmark


@pytest.mark.parametrize("spec", [
    ConvSpec.create(64, 3, padding=1),  # a 64×64 image, 'same'
    ConvSpec.create(128, 3, padding=1),  # a 128×128 image
    ConvSpec.create(28, 5, in_channels=3, out_channels=8),  # an RGB digit
    ConvSpec.create(16, 3, dims=3),  # a small volume
    ConvSpec.create(32, 3, in_channels=64, out_channels=128, groups=4),  # the README's info example
])
def test_real_sizes_pass_the_spec_budget(spec: ConvSpec) -> None:
    check_spec(spec)


def _timeline(steps: int, hold_ms: int, cells: int = 8) -> Timeline:
    grid = Grid((0.0, 0.0, 0.0), (("input",) * cells,) * cells)
    return Timeline(background=Picture(items=(grid,)), steps=(Step(Picture(items=(grid,)), hold_ms),) * steps)


def test_minutes_of_1080p_video_and_long_gifs_pass_the_render_budget() -> None:
    five_minutes = _timeline(steps=300, hold_ms=1000)
    cost = check_render(five_minutes, resolve_size("1080p", even=True), 30, format_info("mp4"))
    assert 9000 <= cost.frames <= 9200 and cost.frame_px == 1920 * 1080
    check_render(_timeline(steps=4096, hold_ms=650), resolve_size("readme"), None, format_info("gif"))


def test_the_estimate_counts_frames_pixels_and_memory() -> None:
    timeline = _timeline(steps=10, hold_ms=500, cells=20)
    stepped = estimate(timeline, resolve_size("320x200"), None)
    assert stepped.frames == 10 and stepped.frame_px == 64_000 and stepped.total_px == 640_000
    glided = estimate(timeline, resolve_size("320x200"), 30)
    total_ms = 10 * 500 + timeline.hold_start_ms + timeline.hold_end_ms
    assert glided.frames == pytest.approx(total_ms * 30 / 1000, abs=10)
    open_height = estimate(timeline, resolve_size("readme"), None)
    assert open_height.frame_px == 600 * 960  # counted at its tallest: 1.6 widths
    assert stepped.memory_bytes > 11 * 400 * budget._TIMELINE_BYTES_PER_CELL


@pytest.mark.parametrize("args", [
    ["--size", "12x12"],
    ["--size", f"{budget.MIN_SIDE_PX - 1}x200"],
    ["--size", f"200x{budget.MIN_SIDE_PX - 1}"],
    ["--size", "200x200", "--scale", f"{(budget.MIN_SIDE_PX - 1) / 200}"],
    ["--scale", "0.05"],  # the readme width, 600 px, at 30 px
])
def test_a_canvas_too_small_for_a_figure_is_refused(args: list[str], tmp_path: Path) -> None:
    result = subprocess.run([str(CONVANIM), "render", "basics", *args], capture_output=True, text=True,
                            cwd=tmp_path, timeout=60)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "too small" in lines[0] and f"{budget.MIN_SIDE_PX} px" in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_the_smallest_canvas_still_animates(tmp_path: Path) -> None:
    from PIL import Image

    from convanim import api

    side = budget.MIN_SIDE_PX
    path = api.render("basics", tmp_path / "small.gif", size=(side, side))
    with Image.open(path) as image:
        assert image.size == (side, side)
        assert image.n_frames == len(api.builtin_scenes().get("basics").timeline().steps)  # every step shows


def test_memory_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "MAX_MEMORY_BYTES", 10_000)
    with pytest.raises(ValueError, match="bytes of memory at once"):
        check_render(_timeline(steps=2, hold_ms=500), resolve_size("320x200"), None, format_info("gif"))
