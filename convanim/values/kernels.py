"""Named image kernels, with the values the image-processing literature gives them.

A teacher types ``--weights sobel-x`` rather than nine numbers. Two kernels take a size (a blur of
any width): ``box``, the mean of the window, and ``gaussian``, the binomial approximation of a
Gaussian (rows of Pascal's triangle, normalised). The others are fixed 3×3 kernels; asking for
another size is refused rather than silently ignored.

Every kernel is applied as PyTorch applies a weight: as a cross-correlation, not flipped. So
``sobel-x`` is positive where the image gets brighter to the right (a vertical edge, dark to
light), ``sobel-y`` where it gets brighter downwards.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from convanim.checks import check_whole
from convanim.core.notation import shape_text
from convanim.errors import BadInput

#: The size a sized kernel has when none is given.
DEFAULT_SIZE = 3
#: The widest sized kernel per dim: more than any figure draws (the budget allows a grid of 20,000
#: cells), and binomial weights that still fit in a float64.
MAX_SIZE = 256


@dataclass(frozen=True)
class Kernel:
    """A named kernel: what it does, and how to make it (``sized`` ones take a size per dim)."""

    description: str
    make: Callable[[tuple[int, ...]], np.ndarray]
    sized: bool = False


def _fixed(rows: list[list[int]]) -> Callable[[tuple[int, ...]], np.ndarray]:
    """A maker that always returns ``rows`` (the size was checked against them before)."""
    return lambda size: np.array(rows, dtype=np.float64)


def _box(size: tuple[int, ...]) -> np.ndarray:
    """Every tap 1/n: the mean of the n cells under the window."""
    return np.full(size, 1.0 / math.prod(size))


def _gaussian(size: tuple[int, ...]) -> np.ndarray:
    """The outer product of binomial rows (1 2 1, 1 4 6 4 1, ...), summing to 1."""
    rows = [np.array([math.comb(k - 1, j) for j in range(k)], dtype=np.float64) for k in size]
    kernel = rows[0]
    for row in rows[1:]:
        kernel = np.multiply.outer(kernel, row)
    return kernel / kernel.sum()


KERNELS: dict[str, Kernel] = {
    "identity": Kernel("the input unchanged", _fixed([[0, 0, 0], [0, 1, 0], [0, 0, 0]])),
    "box": Kernel("box blur: the mean of the window", _box, sized=True),
    "gaussian": Kernel("Gaussian blur (binomial weights)", _gaussian, sized=True),
    "sharpen": Kernel("sharpen: the centre against its four neighbours", _fixed([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])),
    "sobel-x": Kernel("Sobel: brighter to the right (vertical edges)", _fixed([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])),
    "sobel-y": Kernel("Sobel: brighter downwards (horizontal edges)", _fixed([[-1, -2, -1], [0, 0, 0], [1, 2, 1]])),
    "laplacian": Kernel("Laplacian: edges in every direction", _fixed([[0, 1, 0], [1, -4, 1], [0, 1, 0]])),
    "emboss": Kernel("emboss: light from the top left", _fixed([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])),
    "outline": Kernel("outline: the centre against all eight neighbours",
                      _fixed([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])),
}


def named_kernel(name: str, size: int | tuple[int, ...] | None = None) -> np.ndarray:
    """The kernel called ``name`` as a float64 array, e.g. ``named_kernel("sobel-x")`` (3×3).

    ``size`` (an int for a square, or one size per dim) sizes ``box`` and ``gaussian`` (default
    3×3); a fixed kernel takes only its own size. A BadInput names the known kernels or both sizes.
    """
    kernel = KERNELS.get(name)
    if kernel is None:
        raise BadInput(f"unknown kernel {name!r}; known: {', '.join(KERNELS)}")
    if kernel.sized:
        return kernel.make(_sizes(name, DEFAULT_SIZE if size is None else size))
    fixed = kernel.make(())
    if size is not None and _sizes(name, size) != fixed.shape:
        raise BadInput(f"kernel {name!r} is a fixed {shape_text(fixed.shape)} kernel; the size "
                       f"{shape_text(_sizes(name, size))} disagrees (only box and gaussian take a size)")
    return fixed


def _sizes(name: str, size: int | tuple[int, ...]) -> tuple[int, ...]:
    """``size`` as one whole number >= 1 per dim (an int is a square)."""
    sizes = (size, size) if isinstance(size, (int, np.integer)) else tuple(size)
    return tuple(check_whole(f"kernel {name!r}: size", entry, 1, MAX_SIZE) for entry in sizes)
