"""GIF bytes of the reference figure against conv_arithmetic's, and where the bytes go.

Reference figure: the real scene ``arith-same-padding-no-strides`` (5x5 input, padding 1, 3x3
kernel, stride 1, 25 kernel positions). conv_arithmetic's ``same_padding_no_strides.gif`` is
276,460 bytes at 395x449; the target is at most a third of that at the same size or larger,
checked at 400x455 (the README size, 600x555, is printed too). For each size and theme it prints
the file's bytes, what the same frames take with plain transparency (every unchanged pixel
transparent, without ``extend_runs``), and the bytes of every written frame (image descriptor and
LZW data) with its box, so a change that bloats the moving frames shows where.

    python benchmarks/bench_gif_size.py [--sizes 400x455,readme] [--themes light,dark]
"""

from __future__ import annotations

import argparse
import struct
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image

from convanim.renderer import render_frames
from convanim.registry import builtin_scenes
from convanim.writers import gif, open_writer

SCENE = "arith-same-padding-no-strides"
CONV_ARITHMETIC_BYTES = 276_460
CONV_ARITHMETIC_SIZE = (395, 449)
TARGET_BYTES = CONV_ARITHMETIC_BYTES // 3


def write_gif(frames: list[tuple[Image.Image, int]], path: Path) -> int:
    """Bytes of the GIF written from ``frames``."""
    with open_writer(path) as writer:
        for frame, duration_ms in frames:
            writer.write(frame, duration_ms)
    return path.stat().st_size


def plain_transparency(pixels: np.ndarray, changed: np.ndarray, transparent: int) -> np.ndarray:
    """The writer's choice without run extension: every unchanged pixel transparent."""
    return np.where(changed, pixels, transparent).astype(np.uint8)


def image_blocks(data: bytes) -> Iterator[tuple[tuple[int, int, int, int], int]]:
    """(left, top, width, height) and bytes (descriptor to block terminator) of each frame."""
    flags = data[10]
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    while data[pos] != 0x3B:  # trailer
        start = pos
        if data[pos] == 0x21:  # extension: label, then sub-blocks
            pos += 2
        else:  # image descriptor (no local tables here), LZW minimum code size, sub-blocks
            box = struct.unpack("<HHHH", data[pos + 1 : pos + 9])
            pos += 11
        while data[pos]:
            pos += 1 + data[pos]
        pos += 1
        if data[start] == 0x2C:
            yield box, pos - start


def report(size: str, theme: str, folder: Path) -> None:
    frames = list(render_frames(builtin_scenes().get(SCENE).timeline(), theme=theme, size=size))
    width, height = frames[0][0].size
    path = folder / f"{size}-{theme}.gif"
    extended = write_gif(frames, path)
    blocks = list(image_blocks(path.read_bytes()))
    original = gif.extend_runs
    gif.extend_runs = plain_transparency
    try:
        plain = write_gif(frames, folder / "plain.gif")
    finally:
        gif.extend_runs = original
    big_enough = width >= CONV_ARITHMETIC_SIZE[0] and height >= CONV_ARITHMETIC_SIZE[1]
    verdict = ("PASS" if extended <= TARGET_BYTES else "FAIL") if big_enough else "-"
    print(
        f"{width}x{height} {theme:5}  {extended:>9,} bytes = {extended / CONV_ARITHMETIC_BYTES:.2f} "
        f"of conv_arithmetic's  (plain transparency {plain:,}: runs save "
        f"{1 - extended / plain:.1%})  target <= {TARGET_BYTES:,}: {verdict}"
    )
    (_, first), *moving = blocks
    sizes = [bytes_ for _, bytes_ in moving]
    print(
        f"  {len(blocks)} frames: first (whole canvas) {first:,} B; the other {len(moving)}: "
        f"min {min(sizes):,} / median {int(np.median(sizes)):,} / max {max(sizes):,} B"
    )
    for index, ((left, top, w, h), bytes_) in enumerate(blocks):
        print(f"    frame {index:3}: {bytes_:>7,} B  {w}x{h} at ({left}, {top})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="400x455,readme", help="comma-separated canvas sizes")
    parser.add_argument("--themes", default="light,dark", help="comma-separated themes")
    args = parser.parse_args()
    print(
        f"{SCENE}: GIF bytes vs conv_arithmetic's same_padding_no_strides.gif "
        f"({CONV_ARITHMETIC_BYTES:,} bytes at {CONV_ARITHMETIC_SIZE[0]}x{CONV_ARITHMETIC_SIZE[1]})"
    )
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes.split(","):
            for theme in args.themes.split(","):
                report(size, theme, Path(folder))


if __name__ == "__main__":
    main()
