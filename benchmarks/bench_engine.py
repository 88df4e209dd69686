"""How long recording takes, and that streaming events does not grow memory with their count.

Run: ``python benchmarks/bench_engine.py``. Prints the time to record a 2D convolution of a 32×32
input with a 3×3 kernel, 8 → 8 channels (create the recording and consume every event), then the
peak traced memory while streaming the events of a small and a large input.
"""

from __future__ import annotations

import time
import tracemalloc

from convanim.core.engine import run
from convanim.core.spec import ConvSpec
from convanim.core.notation import describe

REPEATS = 5


def record_and_consume(spec: ConvSpec) -> int:
    """Record ``spec`` and drain its events; the event count, so the work cannot be skipped."""
    return sum(1 for _ in run(spec).events)


def time_recording() -> None:
    spec = ConvSpec.create(32, 3, in_channels=8, out_channels=8)
    timings_s = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        count = record_and_consume(spec)
        timings_s.append(time.perf_counter() - start)
    print(f"record + consume {describe(spec)}: {count:,} events, "
          f"best {min(timings_s) * 1000:.0f} ms, worst {max(timings_s) * 1000:.0f} ms over {REPEATS} runs")


def streaming_peak(size: int) -> None:
    """Peak memory traced while streaming, after the recording (its arrays are data, not events) exists."""
    recording = run(ConvSpec.create(size, 3, padding=1))
    arrays_kib = sum(a.nbytes for a in (recording.input, recording.output, recording.grid)) / 1024
    tracemalloc.start()
    count = sum(1 for _ in recording.events)
    peak_kib = tracemalloc.get_traced_memory()[1] / 1024
    tracemalloc.stop()
    print(f"stream {size}×{size}, 3×3, padding 1: {count:>9,} events, peak {peak_kib:7.0f} KiB "
          f"(recording's arrays: {arrays_kib:.0f} KiB)")


if __name__ == "__main__":
    time_recording()
    for side in (32, 128):
        streaming_peak(side)
