"""How fast the renderer draws: start-up, background, and milliseconds per frame.

Reference figure (issue 3): 5x5 input, padding 1, 3x3 kernel, stride 1, 25 steps, README size,
oblique view; also the flat view with numbers, the 16:9 presets and 30 fps glide. Frames are
drawn and mapped to the palette, not encoded (the writers' benchmark times encoding).

    python benchmarks/bench_render.py
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("render_sample", ROOT / "tests" / "render_sample.py")
assert _spec and _spec.loader
sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sample)

from convanim.renderer import render_frames  # noqa: E402


def import_ms() -> float:
    """Milliseconds to import the renderer in a fresh interpreter (matplotlib must stay out)."""
    code = (
        "import time, sys; t = time.perf_counter(); import convanim.renderer;"
        "print((time.perf_counter() - t) * 1000); assert 'matplotlib' not in sys.modules"
    )
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(result.stdout)


def measure(label: str, timeline: object, repeat: int = 3, **options: object) -> None:
    """Best of ``repeat`` runs: set-up (fit + background) and per-frame drawing time."""
    best_setup, best_frame, count, size = float("inf"), float("inf"), 0, (0, 0)
    for _ in range(repeat):
        start = time.perf_counter()
        frames = render_frames(timeline, **options)  # type: ignore[arg-type]
        ready = time.perf_counter()
        count = 0
        for image, _ in frames:
            count += 1
            size = image.size
        done = time.perf_counter()
        best_setup = min(best_setup, (ready - start) * 1000)
        best_frame = min(best_frame, (done - ready) * 1000 / count)
    shape = f"{size[0]}x{size[1]}"
    print(f"{label:<34} {shape:>9} {count:>5} frames  set-up {best_setup:6.1f} ms  {best_frame:6.2f} ms/frame")


def main() -> None:
    print(f"import convanim.renderer: {import_ms():.0f} ms (fresh interpreter)")
    first = time.perf_counter()
    next(iter(render_frames(sample.reference())))
    print(f"first frame, cold (fonts, palette table): {(time.perf_counter() - first) * 1000:.0f} ms")
    oblique, numeric = sample.reference(), sample.reference(numbers=True)
    measure("oblique, light, readme", oblique)
    measure("oblique, dark, readme", oblique, theme="dark")
    measure("numbers, light, readme", numeric)
    measure("oblique, light, 720p", oblique, size="720p")
    measure("oblique, light, 1080p", oblique, size="1080p", repeat=1)
    measure("oblique, readme, 30 fps glide", oblique, fps=30, repeat=1)
    measure("boxes (channel stack), readme", sample.stack())
    measure("oblique, readme, 1000 steps", sample.reference(steps=1000), repeat=1)


if __name__ == "__main__":
    main()
