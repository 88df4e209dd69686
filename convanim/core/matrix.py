"""A convolution written as a sparse matrix, read off the engine's tap events.

Where the name "transposed convolution" comes from: flatten the input to a vector x and a
convolution is y = C·x for a sparse matrix C whose row for output o holds the kernel's weights in
the columns of the inputs the kernel covers when computing o. The transposed convolution of the
same kernel is Cᵀ. C is built here from what the engine recorded (C[out, in] = the weight of the
tap that landed on input ``in`` while computing ``out``), and both identities are checked against
the engine's own outputs, so the figure can never show a matrix that does not compute the
convolution it claims to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from convanim.core import engine
from convanim.errors import InternalError


def conv_matrix(recording: engine.Recording) -> tuple[np.ndarray, np.ndarray]:
    """(C, structure): C[out, in] from the taps that landed on input cells, and where C is not a
    structural zero (a weight of 0 on an input still counts as an entry of C).

    Rows and columns are the C-order flattening of the output and the input. Only taps on real
    input cells enter C: padding and inserted zeros multiply nothing but zeros.
    """
    spec = recording.spec
    if spec.in_channels != 1 or spec.out_channels != 1 or recording.batched:
        raise ValueError("recording must be single-channel and unbatched to be written as one matrix")
    if spec.direct_equivalent().padding_mode != "zeros":
        raise ValueError(f"padding_mode must be 'zeros' for a matrix (got {spec.padding_mode!r})")
    mask = recording.mask[0]
    column_of = np.full(mask.shape, -1)
    column_of[mask == engine.INPUT] = np.arange(np.count_nonzero(mask == engine.INPUT))
    inputs = math.prod(spec.input_size)
    if np.count_nonzero(mask == engine.INPUT) != inputs:
        raise ValueError("recording's grid must hold every input cell (a cropped transposed grid has no matrix)")
    matrix = np.zeros((math.prod(spec.output_size), inputs))
    structure = np.zeros(matrix.shape, bool)
    for placed, products, _ in recording.placements():
        row = np.ravel_multi_index(placed.out_index[1:], spec.output_size)
        for tap, weight in zip(placed.taps, products.weights):
            if tap.kind == "input":
                column = column_of[tap.grid_index[1:]]
                matrix[row, column], structure[row, column] = weight, True
    return matrix, structure


@dataclass(frozen=True, eq=False)
class Unrolled:
    """A convolution and the transposed convolution of the same kernel, as C and Cᵀ.

    ``direct`` computes y = C·x; ``transposed`` (same weights) computes Cᵀ·y' for its own input y'.
    """

    direct: engine.Recording
    transposed: engine.Recording
    matrix: np.ndarray
    structure: np.ndarray

    @property
    def x(self) -> np.ndarray:
        """The direct convolution's input, flattened."""
        return self.direct.input.ravel()

    @property
    def y(self) -> np.ndarray:
        """The direct convolution's output, flattened: C·x."""
        return self.direct.output.ravel()

    @property
    def y_in(self) -> np.ndarray:
        """The transposed convolution's input, flattened."""
        return self.transposed.input.ravel()

    @property
    def x_out(self) -> np.ndarray:
        """The transposed convolution's output, flattened: Cᵀ·y_in."""
        return self.transposed.output.ravel()


def unrolled(direct: engine.Recording, transposed: engine.Recording) -> Unrolled:
    """C from ``direct``'s taps, checked to give both recordings' outputs (C·x and Cᵀ·y')."""
    if direct.bias is not None or transposed.bias is not None:
        raise ValueError("direct and transposed must have no bias (a matrix product has none)")
    if not transposed.spec.transposed or direct.spec.transposed:
        raise ValueError("direct must be a direct convolution and transposed a transposed one")
    if not np.array_equal(direct.weight, transposed.weight):
        raise ValueError("transposed must use the same weights as direct (Cᵀ is the same kernel's matrix)")
    matrix, structure = conv_matrix(direct)
    if matrix.shape != (transposed.input.size, transposed.output.size):
        raise ValueError(f"transposed must map {matrix.shape[0]} values to {matrix.shape[1]} (C's shape transposed)")
    if not np.allclose(matrix @ direct.input.ravel(), direct.output.ravel()):
        raise InternalError("C·x does not give the convolution's output")
    if not np.allclose(matrix.T @ transposed.input.ravel(), transposed.output.ravel()):
        raise InternalError("Cᵀ·y does not give the transposed convolution's output")
    return Unrolled(direct, transposed, matrix, structure)
