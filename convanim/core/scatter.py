"""The scatter view of a transposed convolution: every input cell stamps value × kernel onto the output.

The engine draws a transposed convolution as a direct one over a zero-inserted grid; textbooks
explain it the other way, which is PyTorch's definition: input cell ``i`` adds ``x[i]·w[t]`` to
output cell ``i·s − p + t·d`` for every kernel tap ``t``, and overlapping stamps add up.
:func:`scatter` computes that sum on its own, on a canvas wide enough for every stamp (the output
before ``padding`` crops it, ``output_padding`` more cells on the far side), checks that it equals
the recorded ``conv_transpose*d`` output, and narrates it stamp by stamp, each cell with its running sum.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from convanim.core.events import BiasAdded, ScatterEvent, StampCell, StampPlaced
from convanim.core.recording import Recording
from convanim.core.spec import ConvSpec
from convanim.errors import InternalError

__all__ = ["ScatterRecording", "scatter"]


@dataclass(frozen=True, eq=False)
class ScatterRecording:
    """A recorded transposed convolution (``transposed``) computed again as stamps. Arrays are read-only.

    ``canvas`` has the input's batch layout, the output channels and :func:`canvas_size`; it
    holds the sum of all stamps before the crop and the bias. Output cell ``o`` is canvas cell
    ``o + padding`` per dim. ``output`` is the stamps' own result, equal to ``transposed.output``.
    """

    transposed: Recording
    output: np.ndarray
    canvas: np.ndarray

    @property
    def spec(self) -> ConvSpec:
        """The transposed convolution's spec."""
        return self.transposed.spec

    @property
    def crop(self) -> tuple[int, ...]:
        """How many canvas cells the padding crops before the output starts, per dim."""
        return tuple(p for p, _ in self.spec.padding_pairs)

    @property
    def overlaps(self) -> np.ndarray:
        """How many stamp cells land on each output cell (per spatial cell, for one channel pair):
        uneven when the kernel is not a multiple of the stride, the transposed convolution's checkerboard."""
        counts = np.zeros(canvas_size(self.spec), dtype=np.int64)
        for tap in np.ndindex(*self.spec.kernel_size):
            counts[_stamp_cells(self.spec, tap)] += 1
        return counts[_output_cells(self.spec)]

    @property
    def events(self) -> Iterator[ScatterEvent]:
        """A new lazy iterator: per sample and output channel, each stamp placed then summed, then the bias."""
        return _narrate(self)


def canvas_size(spec: ConvSpec) -> tuple[int, ...]:
    """Every stamp's span, (i − 1)s + d(k − 1) + 1, and output_padding's cells past the crop, per dim."""
    return tuple(
        (i - 1) * s + d * (k - 1) + 1 + max(0, a - p)
        for i, s, d, k, a, (p, _) in zip(spec.input_size, spec.stride, spec.dilation, spec.kernel_size,
                                         spec.output_padding, spec.padding_pairs)
    )


def scatter(recording: Recording) -> ScatterRecording:
    """The scatter view of a recorded transposed convolution, checked to give its output."""
    spec = recording.spec
    if not spec.transposed:
        raise ValueError("scatter needs the recording of a transposed convolution (got a direct one)")
    x = recording.input if recording.batched else recording.input[None]
    canvas = _canvas(spec, x, recording.weight)
    output = canvas[(Ellipsis,) + _output_cells(spec)].copy()
    if recording.bias is not None:
        output += recording.bias.reshape(1, -1, *(1,) * spec.dims)
    if not recording.batched:
        canvas, output = canvas[0], output[0]
    if not np.allclose(output, recording.output, rtol=1e-9, atol=1e-9):
        raise InternalError("the scatter view of a transposed convolution does not sum to its output")
    for array in (canvas, output):
        array.setflags(write=False)
    return ScatterRecording(transposed=recording, output=output, canvas=canvas)


def _canvas(spec: ConvSpec, x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The batched sum of all stamps: for every kernel tap, each group's inputs times that tap, strided."""
    groups = spec.groups
    in_per_group, out_per_group = spec.in_channels // groups, spec.out_channels // groups
    grouped_x = x.reshape(x.shape[0], groups, in_per_group, *spec.input_size)
    grouped_w = weight.reshape(groups, in_per_group, out_per_group, *spec.kernel_size)
    canvas = np.zeros((x.shape[0], groups, out_per_group, *canvas_size(spec)))
    channels = (slice(None),) * 3
    for tap in np.ndindex(*spec.kernel_size):
        canvas[channels + _stamp_cells(spec, tap)] += np.einsum("ngc...,gco->ngo...", grouped_x,
                                                                 grouped_w[channels + tap])
    return canvas.reshape(x.shape[0], spec.out_channels, *canvas.shape[3:])


def _stamp_cells(spec: ConvSpec, tap: tuple[int, ...]) -> tuple[slice, ...]:
    """The canvas cells kernel tap ``tap`` of every input cell's stamp lands on: t·d + i·s."""
    return tuple(slice(t * d, t * d + s * (i - 1) + 1, s)
                 for t, d, s, i in zip(tap, spec.dilation, spec.stride, spec.input_size))


def _output_cells(spec: ConvSpec) -> tuple[slice, ...]:
    """The canvas cells the output keeps once the padding has cropped p cells from the near side."""
    return tuple(slice(p, p + o) for (p, _), o in zip(spec.padding_pairs, spec.output_size))


def _narrate(recording: ScatterRecording) -> Iterator[ScatterEvent]:
    """Per sample and output channel, its stamps, then its bias when there is one."""
    transposed = recording.transposed
    batches = transposed.input.shape[0] if transposed.batched else 1
    for n in range(batches):
        prefix = (n,) if transposed.batched else ()
        for out_channel in range(transposed.spec.out_channels):
            yield from _channel_stamps(transposed, prefix, out_channel)
            if transposed.bias is not None:
                yield BiasAdded((*prefix, out_channel), float(transposed.bias[out_channel]))


def _channel_stamps(transposed: Recording, prefix: tuple[int, ...], out_channel: int) -> Iterator[StampPlaced]:
    """The stamps onto one output channel (the group's input channels, input cells in C order), each
    cell with the running sum of its canvas cell once the stamp is added."""
    spec = transposed.spec
    in_per_group, out_per_group = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    group, local = divmod(out_channel, out_per_group)
    taps = np.array(list(np.ndindex(*spec.kernel_size)), dtype=np.int64).reshape(-1, spec.dims)
    running = np.zeros(canvas_size(spec))
    for in_channel in range(group * in_per_group, (group + 1) * in_per_group):
        kernel = transposed.weight[in_channel, local].reshape(-1)
        weights = [(in_channel, local, *tap) for tap in taps.tolist()]
        for position in np.ndindex(*spec.input_size):
            input_index = (*prefix, in_channel, *position)
            value = float(transposed.input[input_index])
            spots = np.array(position) * np.array(spec.stride) + taps * np.array(spec.dilation)
            where = tuple(spots.T)
            products = value * kernel
            running[where] += products  # a stamp's cells are distinct: one per kernel tap
            canvas_cells = [(*prefix, out_channel, *spot) for spot in spots.tolist()]
            kept = [_output_index(spec, cell) for cell in canvas_cells]
            cells = map(StampCell, canvas_cells, kept, weights, products.tolist(), running[where].tolist())
            yield StampPlaced(input_index, value, tuple(cells))


def _output_index(spec: ConvSpec, cell: tuple[int, ...]) -> tuple[int, ...] | None:
    """The output index of a canvas cell, or None where the padding crops it away."""
    spatial = [c - p for c, (p, _) in zip(cell[-spec.dims:], spec.padding_pairs)]
    if all(0 <= q < o for q, o in zip(spatial, spec.output_size)):
        return (*cell[:-spec.dims], *spatial)
    return None
