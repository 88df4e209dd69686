"""A frozen, validated description of one convolution, which derives every size from its parameters.

Nobody types an output size: the spec computes it (and the padded size, the dilated kernel, the
cost) from the parameters, with PyTorch's rules, so a figure cannot disagree with its own caption.
A bad combination is refused at construction with a ``ValueError`` naming the parameter and the
rule, because a picture of an impossible convolution would teach the wrong thing.

A transposed convolution is drawn as the equivalent direct convolution (Dumoulin & Visin, "A guide
to convolution arithmetic for deep learning", section 4): ``direct_equivalent()`` returns that
spec, with the zeros inserted between inputs recorded in ``insert_zeros`` and the border padding
``d(k-1)-p`` per side (``output_padding`` added on the far side). When ``p > d(k-1)`` that padding
is negative, i.e. the zero-inserted input is cropped; only such derived specs may carry it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from convanim.checks import check_whole, is_whole

#: Padding modes with PyTorch's names (``nn.ConvNd(padding_mode=...)``).
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")

#: Names of the spatial axes, in index order, used to say which dimension a rule or line is about.
AXIS_NAMES = {1: ("length",), 2: ("rows", "cols"), 3: ("depth", "rows", "cols")}

#: The largest size, step, padding or channel count a spec takes. Far beyond any real layer, it
#: keeps every size the engine derives from two of them (a padded input, an output position times
#: a stride) within numpy's 64-bit integers, which would otherwise refuse to index or overflow.
MAX_VALUE = 2**31 - 1

PaddingArg = int | str | tuple[int, ...] | tuple[tuple[int, int], ...]
SizeArg = int | tuple[int, ...]


def implied_dims(*values: object) -> int | None:
    """The spatial rank implied by the arguments: the length of the longest tuple among them."""
    lengths = [len(v) for v in values if isinstance(v, (tuple, list))]
    return max(lengths) if lengths else None


def _broadcast(name: str, value: object, dims: int) -> tuple[int, ...]:
    """An int repeated for every spatial dim, or a tuple checked to have one int per dim."""
    if is_whole(value):
        return (int(value),) * dims
    if isinstance(value, (tuple, list)) and all(is_whole(v) for v in value):
        if len(value) != dims:
            raise ValueError(f"{name} must have {dims} entries, one per spatial dim (got {tuple(value)})")
        return tuple(int(v) for v in value)
    raise ValueError(f"{name} must be an int or a tuple of {dims} ints (got {value!r})")


def _normalise_padding(value: object, dims: int) -> str | tuple[int, ...] | tuple[tuple[int, int], ...]:
    """'same'/'valid', a symmetric tuple per dim, or (before, after) pairs when they differ."""
    if isinstance(value, str):
        if value not in ("same", "valid"):
            raise ValueError(f"padding must be an int, a tuple, 'same' or 'valid' (got {value!r})")
        return value
    if not isinstance(value, (tuple, list)) or not any(isinstance(v, (tuple, list)) for v in value):
        return _broadcast("padding", value, dims)
    if len(value) != dims or not all(isinstance(v, (tuple, list)) and len(v) == 2 for v in value):
        raise ValueError(f"padding pairs must be {dims} (before, after) pairs (got {value!r})")
    pairs = tuple(_broadcast("padding", tuple(v), 2) for v in value)
    if all(before == after for before, after in pairs):
        return tuple(before for before, _ in pairs)
    return tuple((before, after) for before, after in pairs)


def _require(ok: bool, message: str) -> None:
    """Raise the one-line ValueError that names the parameter and the rule when ``ok`` is false."""
    if not ok:
        raise ValueError(message)


class SpatialAxes:
    """The spatial rank and axis names of a spec with an ``input_size`` (a convolution's or a pooling's)."""

    input_size: tuple[int, ...]

    @property
    def dims(self) -> int:
        """The spatial rank: 1, 2 or 3."""
        return len(self.input_size)

    def axis_name(self, axis: int) -> str:
        """"rows", "cols", "depth" or "length": how captions and errors name spatial dim ``axis``."""
        return AXIS_NAMES[self.dims][axis]


@dataclass(frozen=True)
class ConvSpec(SpatialAxes):
    """One convolution (direct or transposed) over 1, 2 or 3 spatial dims, with PyTorch's rules.

    Build it with :meth:`create`, which broadcasts ints to every spatial dim. All tuple fields
    hold one entry per spatial dim, in index order (depth, rows, cols).
    """

    input_size: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: str | tuple[int, ...] | tuple[tuple[int, int], ...]
    dilation: tuple[int, ...]
    groups: int
    in_channels: int
    out_channels: int
    transposed: bool
    output_padding: tuple[int, ...]
    padding_mode: str
    bias: bool
    #: Zeros inserted between neighbouring inputs (per dim). Non-zero only in the direct
    #: equivalent of a strided transposed convolution.
    insert_zeros: tuple[int, ...]
    #: The transposed spec this one is the direct equivalent of (None for an ordinary spec).
    #: Not compared or hashed: a spec is the convolution it describes, wherever it came from.
    derived_from: ConvSpec | None = field(default=None, repr=False, compare=False)

    @classmethod
    def create(
        cls,
        input_size: SizeArg,
        kernel_size: SizeArg,
        *,
        stride: SizeArg = 1,
        padding: PaddingArg = 0,
        dilation: SizeArg = 1,
        groups: int = 1,
        in_channels: int = 1,
        out_channels: int = 1,
        transposed: bool = False,
        output_padding: SizeArg = 0,
        padding_mode: str = "zeros",
        bias: bool = False,
        dims: int | None = None,
    ) -> ConvSpec:
        """A validated spec; ints broadcast to every spatial dim.

        ``dims`` defaults to the length of the longest tuple given, else 2. ``padding`` is an
        int, a tuple per dim, per-dim ``(before, after)`` pairs, ``"same"`` or ``"valid"``.
        """
        inferred = implied_dims(input_size, kernel_size, stride, padding, dilation, output_padding)
        if dims is None:
            dims = inferred if inferred is not None else 2
        _require(is_whole(dims) and 1 <= dims <= 3, f"dims must be 1, 2 or 3 (got {dims!r})")
        return cls(
            input_size=_broadcast("input_size", input_size, dims),
            kernel_size=_broadcast("kernel_size", kernel_size, dims),
            stride=_broadcast("stride", stride, dims),
            padding=_normalise_padding(padding, dims),
            dilation=_broadcast("dilation", dilation, dims),
            groups=groups,
            in_channels=in_channels,
            out_channels=out_channels,
            transposed=transposed,
            output_padding=_broadcast("output_padding", output_padding, dims),
            padding_mode=padding_mode,
            bias=bias,
            insert_zeros=(0,) * dims,
        )

    def __post_init__(self) -> None:
        self._check_shapes()
        self._check_counts()
        self._check_padding()
        self._check_transposed()
        self._check_fits()

    # ----------------------------------------------------------------------------- validation

    def _check_shapes(self) -> None:
        """Every per-dim field is a tuple of ints with one entry per spatial dim."""
        dims = len(self.input_size) if isinstance(self.input_size, tuple) else 0
        _require(1 <= dims <= 3, f"input_size must be a tuple of 1, 2 or 3 sizes (got {self.input_size!r})")
        for name in ("input_size", "kernel_size", "stride", "dilation", "output_padding", "insert_zeros"):
            value = getattr(self, name)
            _require(
                isinstance(value, tuple) and len(value) == dims and all(is_whole(v) for v in value),
                f"{name} must be a tuple of {dims} ints (got {value!r}); use ConvSpec.create to broadcast",
            )
        padding = self.padding
        _require(
            isinstance(padding, str) or (isinstance(padding, tuple) and len(padding) == dims),
            f"padding must be 'same', 'valid' or have {dims} entries (got {padding!r})",
        )

    def _check_counts(self) -> None:
        """Sizes, steps and channel counts are positive, and channels split evenly into groups."""
        for name in ("input_size", "kernel_size", "stride", "dilation"):
            value = getattr(self, name)
            _require(min(value) >= 1, f"{name} must be >= 1 in every dim (got {value})")
            _require(max(value) <= MAX_VALUE, f"{name} must be at most {MAX_VALUE:,} in every dim (got {value})")
        _require(min(self.insert_zeros) >= 0, f"insert_zeros must be >= 0 (got {self.insert_zeros})")
        for name in ("groups", "in_channels", "out_channels"):
            value = getattr(self, name)
            check_whole(name, value, 1, MAX_VALUE)
        for name in ("in_channels", "out_channels"):
            value = getattr(self, name)
            _require(value % self.groups == 0, f"{name} ({value}) must be divisible by groups ({self.groups})")
        _require(isinstance(self.transposed, bool), f"transposed must be a bool (got {self.transposed!r})")
        _require(isinstance(self.bias, bool), f"bias must be a bool (got {self.bias!r})")

    def _check_padding(self) -> None:
        """Padding amounts, their string forms and the padding mode follow PyTorch's rules."""
        _require(
            self.padding_mode in PADDING_MODES,
            f"padding_mode must be one of {', '.join(PADDING_MODES)} (got {self.padding_mode!r})",
        )
        if self.padding == "same":
            _require(
                max(self.stride) == 1,
                f"padding='same' needs stride 1, as PyTorch refuses it otherwise (got stride {self.stride})",
            )
        if isinstance(self.padding, tuple) and self.derived_from is None:
            flat = [v for entry in self.padding for v in (entry if isinstance(entry, tuple) else (entry,))]
            _require(all(is_whole(v) for v in flat), f"padding must hold ints (got {self.padding!r})")
            _require(min(flat) >= 0, f"padding must be >= 0 (got {self.padding})")
            _require(max(flat) <= MAX_VALUE, f"padding must be at most {MAX_VALUE:,} (got {self.padding})")
        for axis, (size, (before, after)) in enumerate(zip(self.input_size, self.padding_pairs)):
            widest = max(before, after)
            if self.padding_mode == "reflect":
                _require(
                    widest < size,
                    f"padding must be smaller than input_size for padding_mode='reflect' "
                    f"(got padding {widest} on input {size} in dim {self.axis_name(axis)})",
                )
            if self.padding_mode == "circular":
                _require(
                    widest <= size,
                    f"padding must not exceed input_size for padding_mode='circular' "
                    f"(got padding {widest} on input {size} in dim {self.axis_name(axis)})",
                )

    def _check_transposed(self) -> None:
        """output_padding and padding forms that only make sense on one side of transposition."""
        _require(min(self.output_padding) >= 0, f"output_padding must be >= 0 (got {self.output_padding})")
        if not self.transposed:
            _require(
                max(self.output_padding) == 0,
                f"output_padding is only for a transposed convolution (got {self.output_padding})",
            )
            return
        _require(
            not isinstance(self.padding, str) and all(is_whole(p) for p in self.padding),
            f"padding must be one int per dim for a transposed convolution (got {self.padding!r})",
        )
        _require(
            self.padding_mode == "zeros",
            f"padding_mode must be 'zeros' for a transposed convolution (got {self.padding_mode!r})",
        )
        for a, s, d in zip(self.output_padding, self.stride, self.dilation):
            _require(
                a < s or a < d,
                f"output_padding must be smaller than stride or dilation "
                f"(got output_padding {a} with stride {s}, dilation {d})",
            )

    def _check_fits(self) -> None:
        """The dilated kernel fits in the padded input and at least one output comes out."""
        if self.transposed:
            for axis, o in enumerate(self.output_size):
                _require(o >= 1, f"output size must be >= 1 (got {o} in dim {self.axis_name(axis)})")
            return
        for axis, (kernel, padded) in enumerate(zip(self.effective_kernel, self.padded_size)):
            _require(
                kernel <= padded,
                f"kernel_size (dilated: {kernel}) must not exceed the padded input ({padded}) "
                f"in dim {self.axis_name(axis)}",
            )

    # ----------------------------------------------------------------------------- sizes

    @property
    def padding_pairs(self) -> tuple[tuple[int, int], ...]:
        """(before, after) border padding per dim; "same" puts the odd cell on the far side as PyTorch.

        For a transposed spec these are its own (symmetric) padding numbers, which *remove*
        cells; the grid the pictures show is padded by ``direct_equivalent().padding_pairs``.
        """
        if self.padding == "valid":
            return ((0, 0),) * self.dims
        if self.padding == "same":
            totals = (d * (k - 1) for d, k in zip(self.dilation, self.kernel_size))
            return tuple((total // 2, total - total // 2) for total in totals)
        assert not isinstance(self.padding, str)  # "same" and "valid" are resolved above
        return tuple(p if isinstance(p, tuple) else (p, p) for p in self.padding)

    @property
    def effective_kernel(self) -> tuple[int, ...]:
        """The span a dilated kernel covers: d(k-1)+1 per dim."""
        return tuple(d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel_size))

    @property
    def padded_size(self) -> tuple[int, ...]:
        """Size of the grid the kernel slides over (for a transposed spec: its direct equivalent's)."""
        if self.transposed:
            return self.direct_equivalent().padded_size
        return tuple(
            (i - 1) * (z + 1) + 1 + before + after
            for i, z, (before, after) in zip(self.input_size, self.insert_zeros, self.padding_pairs)
        )

    @property
    def output_size(self) -> tuple[int, ...]:
        """PyTorch's output size per dim."""
        if self.transposed:
            return tuple(
                s * (i - 1) + a + d * (k - 1) + 1 - 2 * p
                for s, i, a, d, k, (p, _) in zip(
                    self.stride, self.input_size, self.output_padding, self.dilation, self.kernel_size,
                    self.padding_pairs,
                )
            )
        return tuple((n - e) // s + 1 for n, e, s in zip(self.padded_size, self.effective_kernel, self.stride))

    @property
    def macs(self) -> int:
        """Multiply-accumulates for one sample, bias excluded.

        A direct convolution does one per kernel tap, per input channel of its group, per output
        element. A transposed one scatters every input element through every weight of its group
        (as real implementations do), so it is counted over the input; the multiplications by
        inserted zeros its drawn direct equivalent does are not counted.
        """
        kernel = math.prod(self.kernel_size)
        if self.transposed:
            return math.prod(self.input_size) * self.in_channels * (self.out_channels // self.groups) * kernel
        return math.prod(self.output_size) * self.out_channels * (self.in_channels // self.groups) * kernel

    @property
    def params(self) -> int:
        """Learned numbers: the weights plus one bias per output channel when there is a bias."""
        weights = self.in_channels * (self.out_channels // self.groups) * math.prod(self.kernel_size)
        return weights + (self.out_channels if self.bias else 0)

    def direct_equivalent(self) -> ConvSpec:
        """The direct convolution (stride 1, zeros inserted, padding d(k-1)-p) a transposed one equals.

        A direct spec is its own equivalent. The equivalent applies ``direct_weight`` (the kernel
        flipped in space with in/out channels swapped, see ``convanim.core.engine``).
        """
        if not self.transposed:
            return self
        pairs = tuple(
            (d * (k - 1) - p, d * (k - 1) - p + a)
            for d, k, (p, _), a in zip(self.dilation, self.kernel_size, self.padding_pairs, self.output_padding)
        )
        return ConvSpec(
            input_size=self.input_size,
            kernel_size=self.kernel_size,
            stride=(1,) * self.dims,
            padding=_normalise_padding(pairs, self.dims),
            dilation=self.dilation,
            groups=self.groups,
            in_channels=self.in_channels,
            out_channels=self.out_channels,
            transposed=False,
            output_padding=(0,) * self.dims,
            padding_mode="zeros",
            bias=self.bias,
            insert_zeros=tuple(s - 1 for s in self.stride),
            derived_from=self,
        )
