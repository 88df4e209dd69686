"""The article's opening pictures (§1, §2): the sliding window, the arithmetic, an edge filter."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from convanim.words import say
from convanim.core import engine
from convanim.registry import scene
from convanim.core.spec import ConvSpec
from convanim.figures import arithmetic, heat_map, numeric
from convanim.values.images import load_image
from convanim.values.kernels import named_kernel


def _matrix(rows: str) -> np.ndarray:
    """'00110/01110' -> a (1, H, W) single-channel input."""
    return np.array([[int(ch) for ch in row] for row in rows.split("/")], float)[None]


@scene("basics", "3×3 kernel, stride 1, padding 1 on a 5×5 input → 5×5 output")
def basics():
    return arithmetic(ConvSpec.create(5, 3, padding=1), title=say("basics.title"))


@scene("computation", "the arithmetic: element-wise products of window and kernel, summed")
def computation():
    image = _matrix("11100/01110/00111/00110/01100")
    kernel = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], float)[None, None]
    return numeric(engine.conv2d(image, kernel), title=say("computation.title"))


@scene("edge-filter", "a vertical-edge kernel on a 5×5 image, padding 1, numbers shown")
def edge_filter():
    image = _matrix("00110/01110/11111/01110/00110")
    kernel = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], float)[None, None]
    return numeric(engine.conv2d(image, kernel, padding=1), title=say("edge-filter.title"))


@scene("image-kernel", "a Sobel kernel over a photograph's 56×48 pixels, the feature map as a heat map")
def image_kernel():
    photo = load_image(_sample_photograph(), size=56)
    recording = engine.conv2d(photo, named_kernel("sobel-x")[None, None], padding=1)
    return heat_map(recording, title=say("image-kernel.title"),
                    source=say("image-kernel.source"))


def _sample_photograph() -> Path:
    """A photograph an installed dependency ships (matplotlib's sample data), found without importing
    matplotlib, which would cost every command a tenth of a second."""
    found = importlib.util.find_spec("matplotlib")
    assert found is not None and found.submodule_search_locations, "matplotlib is a dependency of convanim"
    return Path(next(iter(found.submodule_search_locations))) / "mpl-data" / "sample_data" / "grace_hopper.jpg"


@scene("conv2d-single", "single-channel 2D convolution: 5×5 input, 3×3 kernel → 3×3, values shown")
def conv2d_single():
    return arithmetic(ConvSpec.create(5, 3), values="numbers", title=say("conv2d-single.title"))
