"""Issue 12's speed targets, as a user meets them: whole commands of a fresh, non-editable install.

Printed, each with PASS or FAIL:

1. ``render image-kernel`` (the built-in photograph figure) in at most 5 s, whole process;
2. ``custom --data PHOTO --input 64 --weights sobel-x --padding 1`` (a 64-pixel photograph, 3,600+
   kernel positions): its time, and how long the GIF plays (a long sweep speeds up: about 20 s at
   most);
3. the same with ``--every-position`` (one frame per position), for the cost of the frames.

    python benchmarks/bench_values.py [--venv DIR]   # DIR: an install to reuse while the sources match
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from PIL import Image, ImageSequence

from bench_scaling import REPEATS, best, main
from fresh import Check

IMAGE_KERNEL_S = 5.0
PLAYS_S = 21.0  # "about 20 s"


def photograph() -> Path:
    """The photograph matplotlib ships, which the built-in figure uses too."""
    found = importlib.util.find_spec("matplotlib")
    assert found is not None and found.submodule_search_locations
    return Path(next(iter(found.submodule_search_locations))) / "mpl-data" / "sample_data" / "grace_hopper.jpg"


def plays_s(gif: Path) -> tuple[int, float]:
    """Frames of a GIF and how long one play of it lasts."""
    with Image.open(gif) as image:
        durations = [frame.info["duration"] for frame in ImageSequence.Iterator(image)]
    return len(durations), sum(durations) / 1000


def timed(label: str, command: list[str], folder: Path, repeats: int) -> tuple[float, float]:
    """Run ``command`` (which writes ``folder/out.gif``), print its figures; (seconds, seconds it plays)."""
    done = best([*command, "-o", "out.gif"], folder, repeats)
    frames, plays = plays_s(folder / "out.gif")
    print(f"{label}: {done.seconds:.2f} s, {done.peak_mb:.0f} MB; {frames} frames, plays {plays:.1f} s")
    return done.seconds, plays


def run(bin_dir: Path, folder: Path) -> list[Check]:
    convanim = str(bin_dir / "convanim")
    seconds, _ = timed("render image-kernel", [convanim, "render", "image-kernel"], folder, REPEATS)
    checks = [Check("render image-kernel", f"{seconds:.2f} s", f"<= {IMAGE_KERNEL_S} s", seconds <= IMAGE_KERNEL_S)]
    photo = [convanim, "custom", "--data", str(photograph()), "--input", "64", "--weights", "sobel-x", "--padding", "1"]
    _, plays = timed("custom photo 64, sobel-x", photo, folder, 1)
    checks.append(Check("custom photo 64 plays", f"{plays:.1f} s", f"<= {PLAYS_S:.0f} s", plays <= PLAYS_S))
    timed("  the same, --every-position", [*photo, "--every-position"], folder, 1)
    return checks


if __name__ == "__main__":
    main(__doc__, run)
