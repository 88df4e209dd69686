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

from convanim import engine
from convanim.picture import Grid, Item, Label, Point3, Shade
from convanim.storyboard import Flat, labels_of, number, output_grid


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
        raise ArithmeticError("C·x does not give the convolution's output")
    if not np.allclose(matrix.T @ transposed.input.ravel(), transposed.output.ravel()):
        raise ArithmeticError("Cᵀ·y does not give the transposed convolution's output")
    return Unrolled(direct, transposed, matrix, structure)


class Falk:
    """A matrix with the vector it multiplies written above its columns and the product at its right.

    Falk's scheme lines every column up with the entry it multiplies, so a highlighted row shows at
    once which inputs it reads. ``origin`` is the matrix's top-left corner; the vector sits one and
    a half rows above it and the result column one and a half columns right of it.
    """

    def __init__(self, origin: Point3, matrix: np.ndarray, structure: np.ndarray, vector: np.ndarray,
                 result: np.ndarray) -> None:
        rows, cols = matrix.shape
        if vector.shape != (cols,) or result.shape != (rows,) or structure.shape != matrix.shape:
            raise ValueError(f"vector must have {cols} entries and result {rows} for a {rows}×{cols} matrix")
        x, y, z = origin
        self.matrix, self.structure, self.vector, self.result = matrix, structure, vector, result
        self.body = Flat(origin, rows, cols)
        self.top = Flat((x, y - 1.5, z), 1, cols)
        self.right = Flat((x + cols + 1.5, y, z), rows, 1)

    def background(self, name: str, vector_name: str, result_name: str) -> list[Item]:
        """The matrix (structural zeros blank, entries numbered), the vector, the empty result."""
        roles = np.where(self.structure, "matrix_value", "matrix_zero")
        shown = labels_of(self.matrix, self.structure)
        return [
            self.body.grid(roles.tolist(), shown),
            self.top.grid([["input"] * self.body.cols], labels_of(self.vector[None])),
            self.result_grid(0, active=False),
            Label(self.body.point(self.body.rows / 2, -0.6), name, size="large", anchor="rm"),
            Label(self.top.point(-0.45, self.body.cols / 2), vector_name, size="small", role="muted"),
            Label(self.right.point(-0.45, 0.5), result_name, size="small", role="muted"),
            Label(self.body.point(self.body.rows / 2, self.body.cols + 0.75), "=", size="large"),
        ]

    def result_grid(self, done: int, *, active: bool = True) -> Grid:
        """The result column with ``done`` entries computed (and the next one active)."""
        order = [(r, 0) for r in range(self.body.rows)]
        shown = order if active else order[:done]
        return output_grid(self.right, self.result[:, None], done, numbers=True, order=shown)

    def row(self, index: int) -> list[Item]:
        """Row ``index`` highlighted across the matrix, and its result being written."""
        return [Shade(self.body.quad(index, 0, index + 1, self.body.cols), alpha=0.35), self.result_grid(index)]

    def column(self, index: int) -> Shade:
        """Column ``index`` highlighted (in C, the column that is row ``index`` of Cᵀ)."""
        return Shade(self.body.quad(0, index, self.body.rows, index + 1), alpha=0.35)

    def products(self, index: int) -> str:
        """Row ``index`` times the vector over its entries only: '1×3 + 2×3 + … = 78'."""
        entries = zip(self.matrix[index], self.vector, self.structure[index])
        terms = [f"{number(w)}×{number(v)}" for w, v, entry in entries if entry]
        return f"{' + '.join(terms)} = {number(self.result[index])}"


def cell_shades(surface: Flat, flags: np.ndarray) -> list[Shade]:
    """A shade on every cell of ``surface`` whose entry of the C-order flattened ``flags`` is set."""
    return [Shade(surface.quad(r, c, r + 1, c + 1)) for r, c in np.ndindex(surface.rows, surface.cols)
            if flags[r * surface.cols + c]]
