"""Sequences whose elements are made when asked: a long sweep's steps and results.

Why: a 64×64 sweep has 4,096 steps, each with its kernel window, projector lines and output grid,
and 4,096 results spelled out for the interactive page. Held at once they grew a render's memory
with the number of steps (20 MB of the 4,096-step sweep's 135 MB peak). A :class:`Lazy` holds only
how to make element ``k``; every reader (the renderer, the checks, the pages) goes through the
steps one at a time, so at most the last one made stays alive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar, overload

T = TypeVar("T")
U = TypeVar("U")


class Lazy(Sequence[T]):
    """``count`` elements, element ``k`` made by ``make(k)`` each time it is asked (the last one
    made is kept: a renderer looking one step ahead asks for each twice). ``make`` must give equal
    elements for equal ``k``: a step read twice is the same step."""

    __slots__ = ("_count", "_make", "_last")

    def __init__(self, count: int, make: Callable[[int], T]) -> None:
        self._count, self._make = count, make
        self._last: tuple[int, T] | None = None

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...

    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        if isinstance(index, slice):
            return tuple(self[k] for k in range(*index.indices(self._count)))
        k = index + self._count if index < 0 else index
        if not 0 <= k < self._count:
            raise IndexError(f"index {index} out of range for {self._count} elements")
        last = self._last
        if last is None or last[0] != k:
            last = self._last = (k, self._make(k))
        return last[1]

    def __iter__(self) -> Iterator[T]:
        return (self[k] for k in range(self._count))

    def __eq__(self, other: object) -> bool:
        """Equal to any tuple or Lazy of equal elements, as a tuple of them would be."""
        if not isinstance(other, (Lazy, tuple)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Lazy({self._count} elements)"


def mapped(items: Sequence[T], change: Callable[[T], U]) -> Sequence[U]:
    """``change`` applied to every element: lazily to a :class:`Lazy` (it stays as small), else
    as a tuple."""
    if isinstance(items, Lazy):
        return Lazy(len(items), lambda k: change(items[k]))
    return tuple(map(change, items))
