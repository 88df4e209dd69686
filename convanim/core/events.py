"""The facts a recorded convolution reports, in the order a person would narrate them.

Each event is a small immutable record named as a fact that happened. Indices are full indices
into the recording's arrays: into ``.grid`` for cells and taps, into ``.output`` for outputs, and
into ``.direct_weight`` for weights, including the batch and channel axes where those arrays
have them. Values are Python floats, so events print and compare without numpy in the way.

A pooling (``convanim.core.pooling``) reports its own facts in the same style: window placed, values
read, then the maximum found or the mean written. A pixel shuffle reports which cell moved where,
and the scatter view of a transposed convolution (``convanim.core.scatter``) each stamp placed.
"""

from __future__ import annotations

from dataclasses import dataclass

Index = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ZerosInserted:
    """A transposed convolution's grid got zeros between its inputs (one per stride step minus one)."""

    cells: tuple[Index, ...]


@dataclass(frozen=True, slots=True)
class PaddingAdded:
    """Border cells were added around the input, with the values the padding mode gives them.

    ``mode`` is the padding mode: zeros, or the reflected / replicated / wrapped input values; a
    pooling's padding is "zeros" (average) or "-inf" (max), values that never count.
    """

    cells: tuple[Index, ...]
    values: tuple[float, ...]
    mode: str


@dataclass(frozen=True, slots=True)
class Tap:
    """One kernel weight over one grid cell; ``kind`` is "input", "padding" or "inserted"."""

    grid_index: Index
    weight_index: Index
    kind: str


@dataclass(frozen=True, slots=True)
class KernelPlaced:
    """The kernel was placed to compute ``out_index``; ``group`` is the channel group it belongs to."""

    out_index: Index
    group: int
    taps: tuple[Tap, ...]


@dataclass(frozen=True, slots=True)
class ProductsComputed:
    """Each tap's input value times its weight, in the order of the placement's taps."""

    out_index: Index
    inputs: tuple[float, ...]
    weights: tuple[float, ...]
    products: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class SumWritten:
    """The products plus ``bias`` were summed into the output cell: ``value`` includes the bias."""

    out_index: Index
    value: float
    bias: float


@dataclass(frozen=True, slots=True)
class WindowCell:
    """One cell a pooling window covers; ``kind`` is "input", "padding" or "beyond" (past the padding,
    where ceil mode's last window overhangs)."""

    grid_index: Index
    kind: str


@dataclass(frozen=True, slots=True)
class WindowPlaced:
    """The pooling window was placed to compute ``out_index``, over ``cells`` in kernel (C) order."""

    out_index: Index
    cells: tuple[WindowCell, ...]


@dataclass(frozen=True, slots=True)
class ValuesRead:
    """The values of the window's cells, in its cells' order: padding and beyond cells read −inf for
    max pooling and 0 for average pooling, so they never win a maximum nor add to a sum."""

    out_index: Index
    values: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class MaximumFound:
    """The window's maximum was written to ``out_index``.

    ``grid_index`` is the winning cell (the first of equal maxima, or the last NaN, as PyTorch), or
    None when no input cell beat −inf; ``index`` is PyTorch's ``return_indices`` value, the flat
    index into the input's spatial dims.
    """

    out_index: Index
    value: float
    grid_index: Index | None
    index: int


@dataclass(frozen=True, slots=True)
class MeanWritten:
    """``total`` over ``divisor`` was written to ``out_index``: the divisor counts every cell of the
    padded input (``count_include_pad``), only the input cells, or is ``divisor_override``."""

    out_index: Index
    total: float
    divisor: int
    value: float


@dataclass(frozen=True, slots=True)
class CellMoved:
    """A pixel (un)shuffle moved the value at ``input_index`` to ``output_index``."""

    input_index: Index
    output_index: Index
    value: float


@dataclass(frozen=True, slots=True)
class StampCell:
    """One cell of an input cell's stamp: where it lands on the canvas and on the output (None where
    the padding crops it away), the kernel weight it used, value × weight, and ``total``, the running
    sum of that canvas cell once this stamp is added (overlapping stamps add up)."""

    canvas_index: Index
    output_index: Index | None
    weight_index: Index
    product: float
    total: float


@dataclass(frozen=True, slots=True)
class StampPlaced:
    """Input cell ``input_index``, holding ``value``, stamped value × kernel onto one output channel."""

    input_index: Index
    value: float
    cells: tuple[StampCell, ...]


@dataclass(frozen=True, slots=True)
class BiasAdded:
    """Once every stamp was summed, the bias was added to each output cell of ``channel_index``
    (the batch index, when there is one, and the output channel)."""

    channel_index: Index
    bias: float


Event = ZerosInserted | PaddingAdded | KernelPlaced | ProductsComputed | SumWritten
Placement = tuple[KernelPlaced, ProductsComputed, SumWritten]
PoolEvent = PaddingAdded | WindowPlaced | ValuesRead | MaximumFound | MeanWritten
PoolPlacement = tuple[WindowPlaced, ValuesRead, MaximumFound | MeanWritten]
ScatterEvent = StampPlaced | BiasAdded
