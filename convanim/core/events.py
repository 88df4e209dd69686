"""The facts a recorded convolution reports, in the order a person would narrate them.

Each event is a small immutable record named as a fact that happened. Indices are full indices
into the recording's arrays: into ``.grid`` for cells and taps, into ``.output`` for outputs, and
into ``.direct_weight`` for weights, including the batch and channel axes where those arrays
have them. Values are Python floats, so events print and compare without numpy in the way.
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

    ``mode`` is the padding mode: zeros, or the reflected / replicated / wrapped input values.
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


Event = ZerosInserted | PaddingAdded | KernelPlaced | ProductsComputed | SumWritten
Placement = tuple[KernelPlaced, ProductsComputed, SumWritten]
