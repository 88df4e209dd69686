"""A convolution completed from the arrays it runs on: nobody types what the data already says.

Sizes and channel counts missing from the spec's keyword arguments are read off the arrays'
shapes (PyTorch's: input ``(C, *size)`` or ``(N, C, *size)``, weight ``(C_out, C_in/groups, *k)``,
transposed ``(C_in, C_out/groups, *k)``, bias ``(C_out,)``); one given as well that disagrees is
a one-line error naming both. Two shorthands PyTorch does not have: a weight that is only a kernel
(``(*k)``) is used for every (output, input) channel pair, and a bias of one value for every
output channel.

The spatial rank is the ``dims`` given, else the longest size tuple given, else the input's
(``ndim - 1``: an unbatched input), else the weight's (``ndim - 2`` for three or more axes: a
PyTorch weight; fewer: a kernel). So a batched input, or a 3-D kernel on its own, needs ``dims``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from convanim.checks import check_whole
from convanim.core.engine import weight_shape
from convanim.core.notation import shape_text
from convanim.core.pool_spec import PoolSpec
from convanim.core.spec import ConvSpec, implied_dims
from convanim.errors import BadInput

#: The most numbers one source of values may hold: far more than a figure draws (the budget allows
#: 20,000 grid cells), little enough that reading it never takes long or much memory.
MAX_VALUES = 1_000_000


@dataclass(frozen=True)
class Convolution:
    """A complete spec and the arrays to run it on, in the shapes the engine takes (None: seeded)."""

    spec: ConvSpec
    input: np.ndarray | None = None
    weight: np.ndarray | None = None
    bias: np.ndarray | None = None


@dataclass(frozen=True)
class Pooling:
    """A complete pooling spec and the input to run it on (None: seeded)."""

    spec: PoolSpec
    input: np.ndarray | None = None


def as_values(name: str, value: Any) -> np.ndarray:
    """``value`` as a float64 array of finite numbers, or a one-line BadInput saying what is wrong.

    Refused: no values, text or other non-numbers, NaN, infinity, and a value beyond float64's
    range (``10**400``), which would otherwise become infinity unnoticed.
    """
    try:
        array = np.asarray(value)
        if array.dtype.kind not in "biufO":
            raise TypeError(array.dtype)
        with np.errstate(over="raise"):
            floats = array.astype(np.float64)
    except (OverflowError, FloatingPointError):
        raise BadInput(f"{name}: a value is too large for float64 (at most about 1.8e308)") from None
    except (TypeError, ValueError):
        raise BadInput(f"{name}: not an array of numbers") from None
    check_count(name, floats.size)
    if floats.size == 0:
        raise BadInput(f"{name}: holds no values")
    bad = np.argwhere(~np.isfinite(floats))
    if len(bad):
        where = tuple(int(index) for index in bad[0])
        kind = "NaN" if np.isnan(floats[where]) else "infinity"
        raise BadInput(f"{name}: {kind} at index {where}; every value must be a finite number")
    return floats


def check_count(name: str, count: int) -> None:
    """Refuse more than :data:`MAX_VALUES` numbers before they are read or made."""
    if count > MAX_VALUES:
        raise BadInput(f"{name}: {count:,} values is more than the {MAX_VALUES:,} one source may hold; use fewer")


def complete(spec: ConvSpec | Mapping[str, Any] | None, input: Any = None, weight: Any = None,
             bias: Any = None) -> Convolution:
    """The convolution ``spec`` (a ConvSpec, or ConvSpec.create's keywords) describes on these arrays.

    Keywords missing are read off the arrays; a ConvSpec is taken as it is (the engine checks the
    arrays against it). A kernel-only weight and a one-value bias are broadcast.
    """
    x, w, b = (None if value is None else as_values(name, value)
               for name, value in (("input", input), ("weight", weight), ("bias", bias)))
    if isinstance(spec, ConvSpec):
        full = spec
    elif spec is None or isinstance(spec, Mapping):
        full = ConvSpec.create(**_read_off(dict(spec or {}), x, w, b))
    else:
        raise BadInput(f"spec must be a ConvSpec or a dict of its fields, got {type(spec).__name__}")
    return Convolution(full, x, _full_weight(full, w), _full_bias(full, b))


def complete_pool(spec: PoolSpec | Mapping[str, Any], input: Any = None) -> Pooling:
    """The pooling ``spec`` (a PoolSpec, or PoolSpec.create's keywords) describes on this input.

    As for a convolution, the input size and channel count missing from the keywords are read off
    the input's shape (``(C, *size)`` or ``(N, C, *size)``), and one given as well must agree.
    """
    x = None if input is None else as_values("input", input)
    if isinstance(spec, PoolSpec):
        return Pooling(spec, x)
    if not isinstance(spec, Mapping):
        raise BadInput(f"spec must be a PoolSpec or a dict of its fields, got {type(spec).__name__}")
    kwargs = dict(spec)
    if "kernel_size" not in kwargs:
        raise BadInput("kernel_size missing: a pooling's window size is given (--kernel), never read off values")
    readings: list[tuple[str, Any, str]] = []
    if x is not None:
        dims = kwargs.get("dims") or implied_dims(*kwargs.values()) or x.ndim - 1
        _check_rank("input", x, dims, (dims + 1, dims + 2), "(C, *size) or (N, C, *size)", "pooling")
        where = f"the input's shape {x.shape}"
        readings += [("input_size", x.shape[-dims:], where), ("channels", x.shape[-dims - 1], where)]
        kwargs.setdefault("dims", dims)
    return Pooling(PoolSpec.create(**_merged(kwargs, readings)), x)


def _read_off(kwargs: dict[str, Any], x: np.ndarray | None, w: np.ndarray | None,
              b: np.ndarray | None) -> dict[str, Any]:
    """``kwargs`` with the sizes and channel counts the arrays give added (checked when both say)."""
    dims = kwargs.get("dims") or implied_dims(*kwargs.values())
    readings: list[tuple[str, Any, str]] = []
    if x is not None:
        dims = dims or x.ndim - 1
        _check_rank("input", x, dims, (dims + 1, dims + 2), "(C, *size) or (N, C, *size)")
        where = f"the input's shape {x.shape}"
        readings += [("input_size", x.shape[-dims:], where), ("in_channels", x.shape[-dims - 1], where)]
    if w is not None:
        dims = dims or (w.ndim - 2 if w.ndim >= 3 else w.ndim)
        _check_rank("weight", w, dims, (dims, dims + 2), "a kernel (*k) or (out, in/groups, *k)")
        readings += _weight_readings(w, dims, kwargs)
    if b is not None:
        if b.ndim > 1:
            raise BadInput(f"bias has shape {b.shape}: it is one value, or one per output channel")
        if kwargs.get("bias") is False:
            raise BadInput("bias is False, but bias values were given")
        kwargs["bias"] = True
        if b.size > 1:
            readings.append(("out_channels", b.size, f"the {b.size} bias values"))
    if dims:
        kwargs.setdefault("dims", dims)
    return _merged(kwargs, readings)


def _check_rank(name: str, array: np.ndarray, dims: int, ranks: tuple[int, ...], forms: str,
                kind: str = "convolution") -> None:
    if array.ndim not in ranks or not 1 <= dims <= 3:
        raise BadInput(f"{name} has shape {array.shape}: a {dims}D {kind} takes {forms}")


def _weight_readings(w: np.ndarray, dims: int, kwargs: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    """What a weight's shape says: its kernel size, and for a full weight a channel count."""
    where = f"the weight's shape {w.shape}"
    readings: list[tuple[str, Any, str]] = [("kernel_size", w.shape[-dims:], where)]
    if w.ndim == dims:
        return readings
    if kwargs.get("transposed"):
        groups = check_whole("groups", kwargs.get("groups", 1), 1)
        return [*readings, ("in_channels", w.shape[0], where), ("out_channels", w.shape[1] * groups, where)]
    return [*readings, ("out_channels", w.shape[0], where)]


def _merged(kwargs: dict[str, Any], readings: list[tuple[str, Any, str]]) -> dict[str, Any]:
    """``kwargs`` completed by ``readings`` (name, value, where it was read); any disagreement is
    one line naming both sides."""
    said: dict[str, tuple[Any, str]] = {}
    for name, value, where in readings:
        if name in kwargs and not _same(kwargs[name], value):
            raise BadInput(f"{name}: {_shown(kwargs[name])} given, but {_shown(value)} from {where}")
        if name in said and said[name][0] != value:
            first, before = said[name]
            raise BadInput(f"{name}: {_shown(first)} from {before}, but {_shown(value)} from {where}")
        said.setdefault(name, (value, where))
    missing = [name for name in ("input_size", "kernel_size") if name not in kwargs and name not in said]
    if missing:
        raise BadInput(f"{' and '.join(missing)} missing: give the size (--input, --kernel) or the values "
                       "to read it from (--data, --weights)")
    return {**kwargs, **{name: value for name, (value, _) in said.items() if name not in kwargs}}


def _same(given: Any, read: Any) -> bool:
    """Whether a size or count given agrees with one read off an array (an int stands for every dim)."""
    if isinstance(read, tuple) and not isinstance(given, (tuple, list)):
        return all(given == size for size in read)
    return tuple(given) == read if isinstance(read, tuple) else bool(given == read)


def _shown(value: Any) -> str:
    return shape_text(tuple(value)) if isinstance(value, (tuple, list)) else str(value)


def _full_weight(spec: ConvSpec, w: np.ndarray | None) -> np.ndarray | None:
    """The weight as the engine takes it: a kernel alone is used for every channel pair."""
    if w is None:
        return None
    expected = weight_shape(spec)
    if w.ndim == spec.dims and w.shape == spec.kernel_size:
        return np.broadcast_to(w, expected).copy()
    if w.shape != expected:
        pairs = "(C_in, C_out/groups, *k)" if spec.transposed else "(C_out, C_in/groups, *k)"
        raise BadInput(
            f"weight has shape {w.shape}; with in_channels {spec.in_channels}, out_channels {spec.out_channels} "
            f"and groups {spec.groups} it must be {expected} {pairs}, or the kernel {spec.kernel_size} alone"
        )
    return w


def _full_bias(spec: ConvSpec, b: np.ndarray | None) -> np.ndarray | None:
    """The bias as the engine takes it: one value stands for every output channel."""
    if b is None:
        return None
    if b.size == 1:
        return np.full(spec.out_channels, float(b.reshape(-1)[0]))
    if b.shape != (spec.out_channels,):
        raise BadInput(f"bias has {b.size} values; it takes 1 (for every output channel) or {spec.out_channels}")
    return b
