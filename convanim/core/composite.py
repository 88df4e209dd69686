"""The composite convolutions of the separable figures, each step a real recording.

A spatially separable, depthwise separable or flattened convolution is a chain of ordinary
convolutions; the figures animate each link, so each link is recorded by the engine and the next
link takes the previous link's output. Where the chain stands in for one bigger convolution, that
convolution is recorded too and checked to give the same numbers, so a figure can never show a
factorisation that does not hold. The multiply-accumulate counts are the figures' captions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convanim.core.engine import Recording, conv2d
from convanim.core.spec import ConvSpec
from convanim.errors import InternalError


@dataclass(frozen=True, eq=False)
class SeparableRecording:
    """A kernel factored as column ⊗ row: the column pass, the row pass over its output, the full kernel."""

    column_pass: Recording
    row_pass: Recording
    full: Recording

    @property
    def full_macs_per_output(self) -> int:
        """Multiplications the full k×k kernel does for one output cell (9 for 3×3)."""
        return int(np.prod(self.full.spec.kernel_size))

    @property
    def separable_macs_per_output(self) -> int:
        """Multiplications the two passes do for one output cell (3 + 3 = 6 for 3×3)."""
        return int(np.prod(self.column_pass.spec.kernel_size) + np.prod(self.row_pass.spec.kernel_size))

    @property
    def full_macs(self) -> int:
        """All multiplications of the full kernel over the input."""
        return self.full.spec.macs

    @property
    def separable_macs(self) -> int:
        """All multiplications of both passes (the column pass has more outputs than the final result)."""
        return self.column_pass.spec.macs + self.row_pass.spec.macs


@dataclass(frozen=True, eq=False)
class DepthwiseSeparableRecording:
    """A depthwise convolution (one k×k kernel per channel) then a pointwise 1×1 across channels."""

    depthwise: Recording
    pointwise: Recording

    @property
    def standard_spec(self) -> ConvSpec:
        """The standard convolution with the same input, kernel and output channels."""
        depthwise = self.depthwise.spec
        return ConvSpec.create(
            depthwise.input_size, depthwise.kernel_size,
            in_channels=depthwise.in_channels, out_channels=self.pointwise.spec.out_channels,
        )

    @property
    def standard_macs(self) -> int:
        return self.standard_spec.macs

    @property
    def separable_macs(self) -> int:
        return self.depthwise.spec.macs + self.pointwise.spec.macs


@dataclass(frozen=True, eq=False)
class FlattenedRecording:
    """A C×k×k filter replaced by three 1D ones: across channels, vertically, horizontally.

    ``full`` is the standard filter they multiply out to (their outer product), recorded too.
    """

    channel_pass: Recording
    vertical_pass: Recording
    horizontal_pass: Recording
    full: Recording

    @property
    def standard_macs(self) -> int:
        return self.full.spec.macs

    @property
    def flattened_macs(self) -> int:
        return self.channel_pass.spec.macs + self.vertical_pass.spec.macs + self.horizontal_pass.spec.macs


def spatial_separable(input2d: Any, column_kernel: Any, row_kernel: Any) -> SeparableRecording:
    """Convolve an (H, W) input with a k×1 column kernel, then a 1×k row kernel, and with their product.

    E.g. ``[1, 2, 1]`` and ``[-1, 0, 1]`` give the Sobel kernel. Recordings are single-channel,
    unbatched: arrays are (1, H, W).
    """
    image = _array("input2d", input2d, 2)[None]
    column = _array("column_kernel", column_kernel, 1)
    row = _array("row_kernel", row_kernel, 1)
    column_pass = conv2d(image, column.reshape(1, 1, -1, 1))
    row_pass = conv2d(column_pass.output, row.reshape(1, 1, 1, -1))
    full = conv2d(image, np.outer(column, row)[None, None])
    _check_same(row_pass, full, "the column and row passes")
    return SeparableRecording(column_pass, row_pass, full)


def depthwise_separable(input: Any, depthwise_weight: Any, pointwise_weight: Any) -> DepthwiseSeparableRecording:
    """A (C, H, W) input through (C, 1, k, k) depthwise kernels, then (N, C, 1, 1) pointwise kernels."""
    image = _array("input", input, 3)
    per_channel = _array("depthwise_weight", depthwise_weight, 4)
    if per_channel.shape[:2] != (image.shape[0], 1):
        raise ValueError(f"depthwise_weight must have shape ({image.shape[0]}, 1, k, k), one kernel per input "
                         f"channel (got {per_channel.shape})")
    depthwise = conv2d(image, per_channel, groups=image.shape[0])
    pointwise = conv2d(depthwise.output, pointwise_weight)
    return DepthwiseSeparableRecording(depthwise, pointwise)


def flattened(input: Any, channel_weight: Any, vertical_weight: Any, horizontal_weight: Any) -> FlattenedRecording:
    """A (C, H, W) input through a 1×1×C filter across channels, then k×1 vertical, then 1×k horizontal.

    The weights are 1D: ``channel_weight`` has C entries, the other two the kernel's lengths.
    """
    image = _array("input", input, 3)
    across = _array("channel_weight", channel_weight, 1)
    vertical = _array("vertical_weight", vertical_weight, 1)
    horizontal = _array("horizontal_weight", horizontal_weight, 1)
    channel_pass = conv2d(image, across.reshape(1, -1, 1, 1))
    vertical_pass = conv2d(channel_pass.output, vertical.reshape(1, 1, -1, 1))
    horizontal_pass = conv2d(vertical_pass.output, horizontal.reshape(1, 1, 1, -1))
    standard = np.einsum("c,r,k->crk", across, vertical, horizontal)[None]
    full = conv2d(image, standard)
    _check_same(horizontal_pass, full, "the three 1D passes")
    return FlattenedRecording(channel_pass, vertical_pass, horizontal_pass, full)


def _array(name: str, value: Any, ndim: int) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dim(s) (got shape {array.shape})")
    return array


def _check_same(chain: Recording, full: Recording, what: str) -> None:
    """Refuse to hand out a factorisation whose result differs from the kernel it stands for."""
    if not np.allclose(chain.output, full.output):
        raise InternalError(f"{what} do not reproduce the full kernel's output")
