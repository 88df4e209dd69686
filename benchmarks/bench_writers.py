"""Writer benchmark: ms per frame encoded, bytes, and peak memory at 25 vs 1,000 frames.

Each (format, frame count) runs in a fresh subprocess so its peak resident memory
(``getrusage`` maxrss, which sees what the C encoders allocate) belongs to that run alone;
``tracemalloc`` adds the Python-side peak. MP4's encoder is the ffmpeg child process, reported
as the children's maxrss. Frames are synthetic 600x400 palette-index pictures in the style of the
figures (a grid of cells and a kernel window gliding over it, every frame different), made on
the fly so the benchmark itself never holds more than one frame.

    python benchmarks/bench_writers.py [--formats gif,webp] [--counts 25,1000]

Target: the 1,000-frame peak within 1.3x the 25-frame peak for every format. ffmpeg's own peak
rises until x264's look-ahead queue is full (about 50 frames) and is flat after that: run with
``--formats mp4 --counts 25,100,1000,3000`` to see the plateau.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageDraw

from fresh import peaks, run_fresh

SIZE = (600, 400)
CELL_PX = 60
GRID = 5
#: Background, grid lines, cell fill, kernel window, output cell (a small theme-like palette).
PALETTE = bytes([255, 255, 255, 40, 40, 40, 86, 180, 233, 230, 159, 0, 0, 158, 115])
PEAK_RATIO_TARGET = 1.3


def background() -> Image.Image:
    """The static part: a 5x5 input grid and a 3x3 output grid, drawn once."""
    image = Image.new("P", SIZE, 0)
    image.putpalette(PALETTE)
    draw = ImageDraw.Draw(image)
    for origin, cells in (((40, 50), GRID), ((400, 110), 3)):
        for row in range(cells):
            for col in range(cells):
                left, top = origin[0] + col * CELL_PX, origin[1] + row * CELL_PX
                draw.rectangle(
                    (left, top, left + CELL_PX, top + CELL_PX), fill=2, outline=1, width=2
                )
    return image


def frames(count: int) -> Iterator[Image.Image]:
    """``count`` frames with the kernel window gliding across the grid (every frame distinct)."""
    base = background()
    travel_px = (GRID - 3) * CELL_PX
    for index in range(count):
        phase = index / max(count - 1, 1)
        position = phase * (travel_px + 1) * (GRID - 2)
        left = 40 + round(position % (travel_px + 1))
        top = 50 + CELL_PX * int(position // (travel_px + 1))
        frame = base.copy()
        draw = ImageDraw.Draw(frame)
        draw.rectangle((left, top, left + 3 * CELL_PX, top + 3 * CELL_PX), outline=3, width=4)
        cell = index % 9
        draw.rectangle(
            (400 + (cell % 3) * CELL_PX + 3, 110 + (cell // 3) * CELL_PX + 3,
             400 + (cell % 3 + 1) * CELL_PX - 3, 110 + (cell // 3 + 1) * CELL_PX - 3),
            fill=4,
        )  # fmt: skip
        yield frame


def run_one(format_name: str, count: int, folder: Path) -> dict[str, float]:
    """Encode ``count`` frames in this process; time only the writer's own calls."""
    from convanim.writers import open_writer

    path = folder / f"bench{'.' + format_name if format_name != 'png' else ''}"
    tracemalloc.start()
    encode_s = 0.0
    writer = open_writer(path, format_name, fps=25)
    with writer:
        for frame in frames(count):
            start = time.perf_counter()
            writer.write(frame, 40)
            encode_s += time.perf_counter() - start
        start = time.perf_counter()
    encode_s += time.perf_counter() - start  # close(): flush, trailer, rename (and MP4 check)
    python_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "ms_per_frame": 1000 * encode_s / count,
        "bytes": sum(p.stat().st_size for p in writer.written),
        "python_peak_mb": python_peak / 2**20,
        **peaks(),
    }


def measure(format_name: str, count: int) -> dict[str, float]:
    """Run one case in a fresh interpreter so peak memory is that case's alone."""
    with tempfile.TemporaryDirectory() as folder:
        return run_fresh(__file__, format_name, str(count), folder)


def table(formats: list[str], counts: list[int]) -> list[str]:
    """One row per format and frame count, then the peak ratio of the largest to the smallest."""
    lines = [
        f"{'format':7}{'frames':>7}{'ms/frame':>10}{'bytes':>12}{'py peak MB':>12}"
        f"{'maxrss MB':>11}{'rss ratio':>11}{'ffmpeg MB':>11}{'ffm ratio':>11}"
    ]
    for format_name in formats:
        results = {count: measure(format_name, count) for count in counts}
        small = results[min(counts)]
        for count, result in results.items():
            ratios = [
                result[key] / small[key] if small[key] else 1.0
                for key in ("maxrss_mb", "child_maxrss_mb")
            ]
            flag = "" if max(ratios) <= PEAK_RATIO_TARGET else "  OVER TARGET"
            lines.append(
                f"{format_name:7}{count:>7}{result['ms_per_frame']:>10.2f}{result['bytes']:>12,}"
                f"{result['python_peak_mb']:>12.2f}{result['maxrss_mb']:>11.1f}{ratios[0]:>11.2f}"
                f"{result['child_maxrss_mb']:>11.1f}{ratios[1]:>11.2f}{flag}"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default="gif,apng,webp,mp4,png")
    parser.add_argument("--counts", default="25,1000")
    parser.add_argument(
        "--child", nargs=3, metavar=("FORMAT", "COUNT", "FOLDER"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        format_name, count, folder = args.child
        print(json.dumps(run_one(format_name, int(count), Path(folder))))
        return
    formats = args.formats.split(",")
    counts = sorted(int(c) for c in args.counts.split(","))
    print(
        f"writers: {SIZE[0]}x{SIZE[1]} palette frames, 40 ms each (25 fps for MP4 and PNG frames)"
    )
    print("\n".join(table(formats, counts)))


if __name__ == "__main__":
    main()
