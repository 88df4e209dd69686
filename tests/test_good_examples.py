"""Every built-in figure is a good example: no filter all zeros, no output channel constant, no
input constant, in every convolution a scene records.

A filter of zeros or a constant channel is a legitimate computation and a bad picture: a reader
sees a column of zeros and learns nothing. The seeds and values in ``scenes/`` are chosen to pass;
the test watches the engine while each scene is built, so a new scene is checked without being
listed. Recordings that count (every weight 1, every input 0 or 1: the receptive field's paths,
the stamps' overlaps) show counts by design and are left out.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from convanim.core import engine
from convanim.core.recording import Recording
from convanim.core.spec import ConvSpec
from convanim.registry import builtin_scenes


def recordings_of(name: str, monkeypatch: pytest.MonkeyPatch) -> list[Recording]:
    """Every recording the engine makes while scene ``name`` is built."""
    made: list[Recording] = []
    record = engine._record

    def spy(*args: object) -> Recording:
        made.append(record(*args))  # type: ignore[arg-type]
        return made[-1]

    monkeypatch.setattr(engine, "_record", spy)
    builtin_scenes().get(name).timeline()
    return made


def faults(recording: Recording) -> Iterator[str]:
    weight, output, given = (np.asarray(a) for a in (recording.weight, recording.output, recording.input))
    if (weight == 1).all() and np.isin(given, (0, 1)).all():
        return  # a count: paths or overlaps, each cell (or one alone) set to 1
    for o in range(weight.shape[0]):
        if not weight[o].any():
            yield f"filter {o} is all zeros"
    for name, array in (("output", output), ("input", given)):
        for c in range(array.shape[0]):
            if array[c].size > 1 and np.ptp(array[c]) == 0:
                yield f"{name} channel {c} is constant ({array[c].flat[0]:g})"


@pytest.mark.parametrize("name", builtin_scenes().names())
def test_no_filter_of_zeros_and_no_constant_channel(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    found = [f"{r.spec.input_size}: {fault}" for r in recordings_of(name, monkeypatch) for fault in faults(r)]
    assert not found, found


def test_the_check_sees_a_bad_example() -> None:
    spec = ConvSpec.create(4, 1, in_channels=2, out_channels=2)
    weight = np.array([[[[1]], [[0]]], [[[0]], [[0]]]])
    found = list(faults(engine.run(spec, weight=weight)))
    assert "filter 1 is all zeros" in found and "output channel 1 is constant (0)" in found
    assert list(faults(engine.run(spec, input=np.ones((2, 4, 4)), weight=np.ones((2, 2, 1, 1))))) == []  # a count
