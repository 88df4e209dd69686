"""The whole pipeline on the reference figure, against the targets of issue 3, with PASS/FAIL.

Reference figure: the real scene ``arith-same-padding-no-strides`` (5x5 input, padding 1, 3x3
kernel, stride 1, 25 kernel positions) at the README size. Printed:

1. per format: ms per frame drawn (``render_frames`` alone), ms per frame encoded (the writer
   alone, fed pre-drawn frames), the whole ``api.render``, and bytes written; every format is
   rendered as ``api.render`` does it (MP4 glides at 30 fps, so it has more frames);
2. ``convanim render ... -o x.gif`` as a separate process, wall time, best of 5;
3. a naive matplotlib baseline of the same figure (FuncAnimation redrawing every artist each
   frame, PillowWriter), in this run, and the speed ratio against ``api.render`` to GIF;
4. 1,000 steps (the scene's 25 cycled) per format, each count in a fresh process so its peak
   resident memory (``getrusage`` maxrss; MP4 adds ffmpeg's as RUSAGE_CHILDREN) is its own.
   Every step is exactly one written frame here: steps held 100 ms, no start or end hold, MP4
   at 10 fps (PNG frames play at 10 fps by default);
5. GIF bytes against conv_arithmetic's ``same_padding_no_strides.gif`` at README size and at
   400x455 (its size is 395x449).

    python benchmarks/bench_pipeline.py [--keep FOLDER]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from itertools import cycle, islice
from pathlib import Path

from PIL import Image

from convanim import api
from convanim.picture import Timeline
from convanim.renderer import render_frames
from convanim.registry import builtin_scenes
from convanim.writers import format_info, open_writer

from fresh import Check, peaks, run_fresh, verdict

SCENE = "arith-same-padding-no-strides"
FORMAT_NAMES = ("gif", "apng", "webp", "mp4", "png")
#: Best of this many runs in-process (MP4 encodes ten times the frames, so fewer runs).
REPEATS = {"mp4": 1}
DEFAULT_REPEATS = 3
CLI_REPEATS = 5
MPL_REPEATS = 2
LONG_STEPS = 1000
#: A frame count past x264's look-ahead queue, where ffmpeg's own peak has levelled off.
PLATEAU_STEPS = 100
MEMORY_HOLD_MS = 100
MEMORY_FPS = 10.0
CONV_ARITHMETIC_BYTES = 276_460
CONV_ARITHMETIC_SIZE = (395, 449)
LARGER_SIZE = (400, 455)
#: Targets of issue 3.
CLI_TARGET_S = 0.4
SPEEDUP_TARGET = 12.0
LONG_TARGET_S = 5.0
MEMORY_RATIO_TARGET = 1.3
BYTES_SHARE_TARGET = 1 / 3


def reference() -> Timeline:
    return builtin_scenes().get(SCENE).timeline()


def best_s(run: Callable[[], object], repeats: int) -> float:
    """Fastest wall time of ``repeats`` calls: the least disturbed by the rest of the machine."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def bytes_of(path: Path) -> int:
    """Size of a file, or of every file in a frames folder."""
    return sum(p.stat().st_size for p in path.iterdir()) if path.is_dir() else path.stat().st_size


def out_path(folder: Path, stem: str, fmt: str) -> Path:
    return folder / (stem if format_info(fmt).folder else f"{stem}.{fmt}")


# -- 1. per format -----------------------------------------------------------------------------


def frame_options(fmt: str) -> tuple[dict[str, object], float | None]:
    """``render_frames`` options and the writer's fps that ``api.render`` uses for ``fmt``."""
    info = format_info(fmt)
    fps, writer_fps = api.frame_rates(info, None)
    return {"fps": fps, "even": info.video}, writer_fps


def drawn(timeline: Timeline, options: dict[str, object]) -> Iterator[tuple[Image.Image, int]]:
    return render_frames(timeline, **options)  # type: ignore[arg-type]


def per_format(fmt: str, folder: Path) -> dict[str, float]:
    """Draw alone, encode alone (frames drawn beforehand), the whole api.render; and bytes."""
    repeats = REPEATS.get(fmt, DEFAULT_REPEATS)
    timeline = reference()
    options, writer_fps = frame_options(fmt)
    frames = list(drawn(timeline, options))
    count = len(frames)

    def draw_all() -> None:
        for _ in drawn(timeline, options):
            pass

    def encode_all() -> None:
        with open_writer(out_path(folder, "encode", fmt), fmt, fps=writer_fps) as writer:
            for frame, duration_ms in frames:
                writer.write(frame, duration_ms)

    draw_s = best_s(draw_all, repeats)
    encode_s = best_s(encode_all, repeats)
    frames.clear()  # free the drawn frames before the whole-render timing
    target = out_path(folder, "render", fmt)
    render_s = best_s(lambda: api.render(SCENE, target, format=fmt), repeats)
    return {
        "frames": count,
        "draw_ms": 1000 * draw_s / count,
        "encode_ms": 1000 * encode_s / count,
        "render_s": render_s,
        "bytes": bytes_of(target),
    }


# -- 2. the command line -----------------------------------------------------------------------


def cli_s(folder: Path) -> float:
    """Best wall time of the whole ``convanim render`` process writing the GIF."""
    exe = shutil.which("convanim", path=str(Path(sys.executable).parent)) or "convanim"
    command = [exe, "render", SCENE, "-o", str(folder / "x.gif")]
    return best_s(lambda: subprocess.run(command, check=True, capture_output=True), CLI_REPEATS)


# -- 3. matplotlib baseline --------------------------------------------------------------------

#: Okabe-Ito-like colours for the baseline (padding, input, kernel, pending, done, active).
MPL_COLOURS = {"padding": "#eef0f3", "input": "#6cbbe9", "kernel": "#1f3f66",
               "pending": "#dff1ea", "done": "#74c9ae", "active": "#009e73"}  # fmt: skip
MPL_DPI = 100
#: Shear of the grids, for the oblique look of the reference figure.
MPL_SHEAR_DEG = 35


def matplotlib_baseline(path: Path, size_px: tuple[int, int]) -> float:
    """Seconds to build and save the figure naively: every frame clears the axes and redraws all.

    The figure is the reference one: the 7x7 padded input (padding dashed) sheared into the
    oblique look, a translucent 3x3 kernel window moving over 25 positions, projector lines and
    the 5x5 output filling in above it, with title, caption and formula.
    """
    from matplotlib import pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import Affine2D

    start = time.perf_counter()
    fig = plt.figure(figsize=(size_px[0] / MPL_DPI, size_px[1] / MPL_DPI), dpi=MPL_DPI)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    side, out_side, kernel, out_base = 7, 5, 3, 9

    def sheared(base_y: float) -> Affine2D:
        """Shear about a grid's own lower edge, so each grid leans in place."""
        return Affine2D().translate(0, -base_y).skew_deg(MPL_SHEAR_DEG, 0).translate(0, base_y)

    def cell(x: float, y: float, base_y: float, colour: str, **style: object) -> None:
        patch = Rectangle((x, y), 1, 1, facecolor=colour, edgecolor="#333333", **style)
        patch.set_transform(sheared(base_y) + ax.transData)
        ax.add_patch(patch)

    def draw(step: int) -> None:
        ax.clear()
        ax.set_xlim(-1, 13)
        ax.set_ylim(-2.5, 15.5)
        ax.axis("off")
        row, col = divmod(step, out_side)
        for r in range(side):
            for c in range(side):
                inside = 0 < r < side - 1 and 0 < c < side - 1
                cell(c, side - 1 - r, 0, MPL_COLOURS["input" if inside else "padding"],
                     linestyle="-" if inside else "--")  # fmt: skip
        top = side - row  # the window's upper edge; y grows upwards
        window = Rectangle((col, top - kernel), kernel, kernel, alpha=0.55,
                           facecolor=MPL_COLOURS["kernel"], edgecolor="black", linewidth=2)  # fmt: skip
        window.set_transform(sheared(0) + ax.transData)
        ax.add_patch(window)
        for index in range(out_side * out_side):
            r, c = divmod(index, out_side)
            state = "active" if index == step else "done" if index < step else "pending"
            cell(c + 1, out_base + out_side - 1 - r, out_base, MPL_COLOURS[state])
        out_top = out_base + out_side - row
        corners = [(0, 0), (1, 0), (0, 1), (1, 1)]  # (right?, down?) of each projector line
        below = sheared(0).transform([(col + kernel * dx, top - kernel * dy) for dx, dy in corners])
        above = sheared(out_base).transform([(col + 1 + dx, out_top - dy) for dx, dy in corners])
        for (x0, y0), (x1, y1) in zip(below, above):
            ax.plot([x0, x1], [y0, y1], color="#444444", linewidth=0.8)
        ax.text(0.5, 0.97, "Half (same) padding, no strides", transform=ax.transAxes,
                ha="center", va="top", fontsize=14, fontweight="bold")  # fmt: skip
        ax.text(0.5, 0.06, "i=5, k=3, s=1, p=1 → o=5", transform=ax.transAxes, ha="center")
        ax.text(0.5, 0.02, "o = ⌊(5 + 2·1 − 3)/1⌋ + 1 = 5", transform=ax.transAxes, ha="center")

    animation = FuncAnimation(fig, draw, frames=out_side * out_side, blit=False)
    animation.save(str(path), writer=PillowWriter(fps=1000 / 650))
    plt.close(fig)
    return time.perf_counter() - start


# -- 4. 1,000 steps and peak memory, one fresh process per case ---------------------------------


def cycled(timeline: Timeline, steps: int) -> Timeline:
    """The reference steps repeated to ``steps``, without start and end holds."""
    return replace(
        timeline, steps=tuple(islice(cycle(timeline.steps), steps)), hold_start_ms=0, hold_end_ms=0
    )


def child(fmt: str, steps: int, folder: Path) -> dict[str, float]:
    """Render ``steps`` steps to ``fmt`` in this (fresh) process; its time and peak memory."""
    timeline = cycled(reference(), steps)
    fps = MEMORY_FPS if format_info(fmt).video else None
    target = out_path(folder, f"long{steps}", fmt)
    start = time.perf_counter()
    api.render(timeline, target, format=fmt, hold_ms=MEMORY_HOLD_MS, fps=fps)
    render_s = time.perf_counter() - start
    return {
        "render_s": render_s,
        "bytes": bytes_of(target),
        **peaks(),
    }


def in_fresh_process(fmt: str, steps: int, folder: Path) -> dict[str, float]:
    return run_fresh(__file__, fmt, str(steps), str(folder))


# -- report ------------------------------------------------------------------------------------


def report_formats(folder: Path) -> dict[str, dict[str, float]]:
    print(f"{'format':7}{'frames':>7}{'draw ms/f':>11}{'encode ms/f':>13}{'api.render s':>14}"
          f"{'render ms/f':>13}{'bytes':>11}")  # fmt: skip
    results = {fmt: per_format(fmt, folder) for fmt in FORMAT_NAMES}
    for fmt, r in results.items():
        print(f"{fmt:7}{r['frames']:>7}{r['draw_ms']:>11.2f}{r['encode_ms']:>13.2f}{r['render_s']:>14.3f}"
              f"{1000 * r['render_s'] / r['frames']:>13.2f}{r['bytes']:>11,}")  # fmt: skip
    print(f"(frames as api.render makes them: mp4 glides at {format_info('mp4').rate_fps:g} fps; png frames "
          f"repeat at {format_info('png').rate_fps:g} fps, {results['png']['frames']} drawn here)\n")  # fmt: skip
    return results


def report_cli(folder: Path) -> Check:
    seconds = cli_s(folder)
    print(f"convanim render {SCENE} -o x.gif: {seconds:.3f} s wall, best of {CLI_REPEATS}")
    if os.environ.get("PYTHONDONTWRITEBYTECODE") and "site-packages" not in api.__file__:
        # An editable install's sources are never byte-compiled then: every run compiles them
        # again (about 30-40 ms here), which a user's `pip install .` (compiled at install) never pays.
        print("  (PYTHONDONTWRITEBYTECODE is set: sources not in site-packages are compiled on every run)")
    print()
    return Check("CLI 25-frame GIF, whole process", f"{seconds:.3f} s", f"< {CLI_TARGET_S} s", seconds < CLI_TARGET_S)


def report_matplotlib(folder: Path, size: tuple[int, int], gif_s: float) -> Check:
    """The baseline after every convanim measurement, so its import cannot slow them."""
    start = time.perf_counter()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401  (timed with the import)

    import_s = time.perf_counter() - start
    path = folder / "matplotlib.gif"
    mpl_s = min(matplotlib_baseline(path, size) for _ in range(MPL_REPEATS))
    with Image.open(path) as baseline:
        (width, height), count = baseline.size, baseline.n_frames
    ratio = mpl_s / gif_s
    print(f"matplotlib naive (FuncAnimation redrawing all + PillowWriter), {width}x{height}, {count} frames: "
          f"{mpl_s:.3f} s (best of {MPL_REPEATS}), {1000 * mpl_s / count:.0f} ms/frame, "
          f"{path.stat().st_size:,} bytes; import matplotlib.pyplot {import_s:.2f} s, not counted")  # fmt: skip
    print(f"convanim api.render GIF: {gif_s:.3f} s -> convanim is {ratio:.1f}x faster\n")
    return Check("in-process 25-frame GIF vs matplotlib", f"{ratio:.1f}x faster", f">= {SPEEDUP_TARGET:g}x",
                 ratio >= SPEEDUP_TARGET)  # fmt: skip


def report_long(folder: Path) -> list[Check]:
    """25 vs 1,000 steps per format (fresh processes); video adds a point where ffmpeg's peak
    has levelled off, to tell a bounded look-ahead buffer from growth with the frame count."""
    print(f"{LONG_STEPS} steps vs 25, fresh process each (steps held {MEMORY_HOLD_MS} ms, no start/end hold, "
          f"mp4 at {MEMORY_FPS:g} fps: one written frame per step); peaks = maxrss in MB")  # fmt: skip
    print(f"{'format':7}{'25: s':>8}{f'{LONG_STEPS}: s':>10}{'25: MB':>9}{f'{LONG_STEPS}: MB':>11}{'ratio':>7}"
          f"{'ffmpeg 25':>11}{f'ffmpeg {LONG_STEPS}':>13}{'ratio':>7}{f'{LONG_STEPS}: bytes':>15}")  # fmt: skip
    checks, plateaus = [], []
    for fmt in FORMAT_NAMES:
        small, large = (in_fresh_process(fmt, steps, folder) for steps in (25, LONG_STEPS))
        rss_ratio = large["maxrss_mb"] / small["maxrss_mb"]
        ffmpeg_cells = f"{'-':>11}{'-':>13}{'-':>7}"
        checks.append(Check(f"peak memory {LONG_STEPS} / 25 frames, {fmt}", f"{rss_ratio:.2f}x",
                            f"<= {MEMORY_RATIO_TARGET}x", rss_ratio <= MEMORY_RATIO_TARGET))  # fmt: skip
        if format_info(fmt).video:
            ff_ratio = large["child_maxrss_mb"] / small["child_maxrss_mb"]
            ffmpeg_cells = f"{small['child_maxrss_mb']:>11.1f}{large['child_maxrss_mb']:>13.1f}{ff_ratio:>7.2f}"
            checks.append(Check(f"peak memory {LONG_STEPS} / 25 frames, {fmt} ffmpeg", f"{ff_ratio:.2f}x",
                                f"<= {MEMORY_RATIO_TARGET}x", ff_ratio <= MEMORY_RATIO_TARGET))  # fmt: skip
            middle = in_fresh_process(fmt, PLATEAU_STEPS, folder)
            plateaus.append(f"  {fmt} ffmpeg at {PLATEAU_STEPS} steps: {middle['child_maxrss_mb']:.1f} MB "
                            f"-> {LONG_STEPS} / {PLATEAU_STEPS} = "
                            f"{large['child_maxrss_mb'] / middle['child_maxrss_mb']:.2f}x")  # fmt: skip
        print(f"{fmt:7}{small['render_s']:>8.2f}{large['render_s']:>10.2f}{small['maxrss_mb']:>9.1f}"
              f"{large['maxrss_mb']:>11.1f}{rss_ratio:>7.2f}{ffmpeg_cells}{large['bytes']:>15,}")  # fmt: skip
        if fmt == "gif":
            checks.append(Check(f"{LONG_STEPS}-frame GIF, api.render", f"{large['render_s']:.2f} s",
                                f"< {LONG_TARGET_S:g} s", large["render_s"] < LONG_TARGET_S))  # fmt: skip
    print("\n".join(plateaus) + "\n")
    return checks


def report_bytes(folder: Path) -> list[Check]:
    limit = round(CONV_ARITHMETIC_BYTES * BYTES_SHARE_TARGET)
    larger = folder / "larger.gif"
    api.render(SCENE, larger, size=LARGER_SIZE)
    ref_w, ref_h = CONV_ARITHMETIC_SIZE
    print(f"GIF bytes vs conv_arithmetic same_padding_no_strides.gif ({CONV_ARITHMETIC_BYTES:,} bytes at "
          f"{ref_w}x{ref_h}; target <= {limit:,})")  # fmt: skip
    checks = []
    for path in (folder / "render.gif", larger):
        with Image.open(path) as gif:
            width, height = gif.size
        size_bytes = path.stat().st_size
        share = size_bytes / CONV_ARITHMETIC_BYTES
        print(f"  {width}x{height}: {size_bytes:>9,} bytes = {share:.2f} of conv_arithmetic's")
        checks.append(Check(f"GIF bytes at {width}x{height}", f"{size_bytes:,} ({share:.2f})",
                            f"<= {limit:,} (1/3)", size_bytes <= limit))  # fmt: skip
    return checks


def run(folder: Path) -> list[Check]:
    size = next(iter(render_frames(reference())))[0].size
    print(f"reference figure: {SCENE}, {size[0]}x{size[1]} (README size)\n")
    results = report_formats(folder)
    checks = [report_cli(folder), report_matplotlib(folder, size, results["gif"]["render_s"])]
    return checks + report_long(folder) + report_bytes(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the files here and keep them (default: a temporary folder)")
    parser.add_argument("--child", nargs=3, metavar=("FORMAT", "STEPS", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        fmt, steps, folder = args.child
        print(json.dumps(child(fmt, int(steps), Path(folder))))
        return
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        checks = run(folder)
    width = max(len(c.name) for c in checks)
    print(f"\n{'target':{width}}  {'measured':>20}  {'target':>16}  result")
    for c in checks:
        print(f"{c.name:{width}}  {c.measured:>20}  {c.target:>16}  {verdict(c.ok)}")
    print(f"\nbenchmark took {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
