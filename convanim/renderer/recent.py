"""A bounded cache of recent results: what a frame computed that the next frames will ask again.

Why not ``functools.lru_cache``: the keys here are objects that must stay alive while cached
(a grid looked up by identity), or results that belong to one renderer and must go with it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class Recent(Generic[Value]):
    """At most ``size`` results, the least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: dict[Hashable, Value] = {}

    def get(self, key: Hashable, make: Callable[[], Value]) -> Value:
        """The result kept for ``key``, or ``make()`` kept now."""
        found = self._kept.pop(key, _MISSING)
        return self.put(key, make() if found is _MISSING else found)  # type: ignore[arg-type]

    def put(self, key: Hashable, value: Value) -> Value:
        """Keep ``value`` for ``key`` (the most recent now) and return it."""
        self._kept.pop(key, None)
        if len(self._kept) >= self.size:
            del self._kept[next(iter(self._kept))]
        self._kept[key] = value
        return value


def kept_for(cache: Recent[tuple[object, Value]], item: object, make: Callable[[], Value]) -> Value:
    """What ``cache`` keeps for this very ``item`` (looked up by its id, and checked to be the
    same object: an id is reused once its object is gone), or ``make()`` kept now."""
    kept = cache.get(id(item), lambda: (item, make()))
    if kept[0] is not item:
        kept = cache.put(id(item), (item, make()))
    return kept[1]


_MISSING = object()
