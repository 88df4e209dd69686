"""A frozen, validated description of one max or average pooling, beside ``ConvSpec``.

As for a convolution, nobody types an output size: the spec derives it with PyTorch's rule,
``⌊(i + 2p − d(k−1) − 1)/s⌋ + 1``, or with ``ceil_mode`` the ceiling, less one when that last
window would start in the right padding (PyTorch requires every window to start inside the input
or the left padding). A combination PyTorch refuses is refused at construction with a one-line
``ValueError`` naming the parameter and the rule, so no figure shows a pooling that cannot run.
"""

from __future__ import annotations

from dataclasses import dataclass

from convanim.checks import check_whole, is_whole
from convanim.core.spec import MAX_VALUE, SizeArg, SpatialAxes, _broadcast, _require, implied_dims

#: The two poolings, by the names of ``torch.nn.functional``'s ``max_pool*d`` and ``avg_pool*d``.
POOL_KINDS = ("max", "avg")


@dataclass(frozen=True)
class PoolSpec(SpatialAxes):
    """One max or average pooling over 1, 2 or 3 spatial dims, with PyTorch's rules.

    Build it with :meth:`create`, which broadcasts ints to every spatial dim and makes the stride
    default to the kernel size, as PyTorch does. ``dilation`` and ``return_indices`` are for max
    pooling only, ``count_include_pad`` and ``divisor_override`` for average pooling only.
    """

    kind: str
    input_size: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    ceil_mode: bool
    count_include_pad: bool
    divisor_override: int | None
    return_indices: bool
    channels: int

    @classmethod
    def create(
        cls,
        kind: str,
        input_size: SizeArg,
        kernel_size: SizeArg,
        *,
        stride: SizeArg | None = None,
        padding: SizeArg = 0,
        dilation: SizeArg = 1,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
        return_indices: bool = False,
        channels: int = 1,
        dims: int | None = None,
    ) -> PoolSpec:
        """A validated spec; ints broadcast to every spatial dim and ``stride`` defaults to ``kernel_size``.

        ``dims`` defaults to the length of the longest tuple given, else 2.
        """
        inferred = implied_dims(input_size, kernel_size, stride, padding, dilation)
        if dims is None:
            dims = inferred if inferred is not None else 2
        _require(is_whole(dims) and 1 <= dims <= 3, f"dims must be 1, 2 or 3 (got {dims!r})")
        kernel = _broadcast("kernel_size", kernel_size, dims)
        return cls(
            kind=kind,
            input_size=_broadcast("input_size", input_size, dims),
            kernel_size=kernel,
            stride=kernel if stride is None else _broadcast("stride", stride, dims),
            padding=_broadcast("padding", padding, dims),
            dilation=_broadcast("dilation", dilation, dims),
            ceil_mode=ceil_mode,
            count_include_pad=count_include_pad,
            divisor_override=divisor_override,
            return_indices=return_indices,
            channels=channels,
        )

    def __post_init__(self) -> None:
        self._check_options()
        self._check_sizes()
        self._check_padding()
        self._check_fits()

    # ----------------------------------------------------------------------------- validation

    def _check_options(self) -> None:
        """The kind is known, flags are bools, and each option belongs to the kind it is given to."""
        _require(self.kind in POOL_KINDS, f"kind must be one of {', '.join(POOL_KINDS)} (got {self.kind!r})")
        for name in ("ceil_mode", "count_include_pad", "return_indices"):
            value = getattr(self, name)
            _require(isinstance(value, bool), f"{name} must be a bool (got {value!r})")
        check_whole("channels", self.channels, 1, MAX_VALUE)
        divisor = self.divisor_override
        _require(divisor is None or (is_whole(divisor) and divisor != 0),
                 f"divisor_override must be a non-zero int or None, as PyTorch requires (got {divisor!r})")
        foreign = {"max": {"count_include_pad": not self.count_include_pad, "divisor_override": divisor is not None},
                   "avg": {"dilation": _is_tuple_above_one(self.dilation), "return_indices": self.return_indices}}
        for name, given in foreign[self.kind].items():
            other = "average" if self.kind == "max" else "max"
            _require(not given, f"{name} is only for {other} pooling, as in PyTorch (got {getattr(self, name)!r})")

    def _check_sizes(self) -> None:
        """Every per-dim field has one int per spatial dim; sizes and steps are positive, as PyTorch asks."""
        dims = len(self.input_size) if isinstance(self.input_size, tuple) else 0
        _require(1 <= dims <= 3, f"input_size must be a tuple of 1, 2 or 3 sizes (got {self.input_size!r})")
        for name in ("input_size", "kernel_size", "stride", "padding", "dilation"):
            value = getattr(self, name)
            _require(
                isinstance(value, tuple) and len(value) == dims and all(is_whole(v) for v in value),
                f"{name} must be a tuple of {dims} ints (got {value!r}); use PoolSpec.create to broadcast",
            )
            low = 0 if name == "padding" else 1
            _require(min(value) >= low, f"{name} must be >= {low} in every dim (got {value})")
            _require(max(value) <= MAX_VALUE, f"{name} must be at most {MAX_VALUE:,} in every dim (got {value})")

    def _check_padding(self) -> None:
        """PyTorch's rule: padding at most half the (undilated) kernel, so every window holds an input cell."""
        for axis, (p, k) in enumerate(zip(self.padding, self.kernel_size)):
            _require(p <= k // 2, f"padding must be at most half of kernel_size, as PyTorch requires "
                                  f"(got padding {p} with kernel_size {k} in dim {self.axis_name(axis)})")

    def _check_fits(self) -> None:
        """At least one window per dim: PyTorch refuses an output size below 1."""
        for axis, o in enumerate(self.output_size):
            _require(o >= 1, f"kernel_size (dilated: {self.effective_kernel[axis]}) is too large for the padded "
                             f"input ({self.padded_size[axis]}) in dim {self.axis_name(axis)}: output size {o}")

    # ----------------------------------------------------------------------------- sizes

    @property
    def effective_kernel(self) -> tuple[int, ...]:
        """The span a dilated window covers: d(k−1)+1 per dim."""
        return tuple(d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel_size))

    @property
    def padded_size(self) -> tuple[int, ...]:
        """The input with its padding on both sides: i + 2p per dim."""
        return tuple(i + 2 * p for i, p in zip(self.input_size, self.padding))

    @property
    def windows_before_rule(self) -> tuple[int, ...]:
        """Windows per dim by the floor (or, with ``ceil_mode``, ceiling) formula alone."""
        return tuple(
            (-((e - n) // s) if self.ceil_mode else (n - e) // s) + 1
            for n, e, s in zip(self.padded_size, self.effective_kernel, self.stride)
        )

    @property
    def dropped_last_window(self) -> tuple[bool, ...]:
        """Per dim, whether ceil mode's last window would start in the right padding, so PyTorch drops it."""
        return tuple(
            self.ceil_mode and (o - 1) * s >= i + p
            for o, s, i, p in zip(self.windows_before_rule, self.stride, self.input_size, self.padding)
        )

    @property
    def output_size(self) -> tuple[int, ...]:
        """PyTorch's output size per dim."""
        return tuple(o - dropped for o, dropped in zip(self.windows_before_rule, self.dropped_last_window))

    @property
    def grid_size(self) -> tuple[int, ...]:
        """The cells the windows cover: the padded input, longer where ceil mode's last window overhangs it."""
        return tuple(
            max(n, (o - 1) * s + e)
            for n, o, s, e in zip(self.padded_size, self.output_size, self.stride, self.effective_kernel)
        )


def _is_tuple_above_one(values: object) -> bool:
    """Whether a per-dim field holds a value above 1 (a dilation given to average pooling)."""
    return isinstance(values, tuple) and any(is_whole(v) and v > 1 for v in values)
