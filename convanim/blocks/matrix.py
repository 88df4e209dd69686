"""A convolution's matrix drawn in Falk's scheme: C or Cᵀ with the vector it multiplies above it
and the product beside it (the matrix itself comes from :mod:`convanim.core.matrix`)."""

from __future__ import annotations

import numpy as np

from convanim.blocks.cells import labels_of
from convanim.blocks.marks import output_grid
from convanim.blocks.surfaces import Surface
from convanim.blocks.text import indexed
from convanim.core.notation import factor, number
from convanim.picture import Grid, Item, Label, Link, Point3, Shade


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
        self.body = Surface(origin, rows, cols)
        self.top = Surface((x, y - 1.5, z), 1, cols)
        self.right = Surface((x + cols + 1.5, y, z), rows, 1)

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

    def link(self, index: int, name: str) -> Link:
        """What a page says of result entry ``index``: the row's entries times the vector's, over
        the row's entries only (a structural zero multiplies nothing)."""
        used = [int(j) for j in np.flatnonzero(self.structure[index])]
        terms = tuple(f"{number(self.matrix[index, j])} × {factor(self.vector[j])} = "
                      f"{number(self.matrix[index, j] * self.vector[j])}" for j in used)
        value = float(self.result[index])
        return Link(self.right.cell_quad((index, 0)), tuple(self.top.cell_quad((0, j)) for j in used),
                    tuple(self.body.cell_quad((index, j)) for j in used), terms,
                    f"{indexed(name, (index,))} = Σ = {number(value)}", value)

    def products(self, index: int) -> str:
        """Row ``index`` times the vector over its entries only: '1×3 + 2×3 + … = 78'."""
        entries = zip(self.matrix[index], self.vector, self.structure[index])
        terms = [f"{number(w)}×{number(v)}" for w, v, entry in entries if entry]
        return f"{' + '.join(terms)} = {number(self.result[index])}"


def cell_shades(surface: Surface, flags: np.ndarray) -> list[Shade]:
    """A shade on every cell of ``surface`` whose entry of the C-order flattened ``flags`` is set."""
    return [Shade(surface.quad(r, c, r + 1, c + 1)) for r, c in np.ndindex(surface.rows, surface.cols)
            if flags[r * surface.cols + c]]
