"""Pictures as input values: any image Pillow reads, as a (channels, rows, cols) float64 array.

A photograph is shown as it looks, so the loader undoes what a file format does to it: the EXIF
orientation is applied, transparent pixels are laid over white (as on a page), a palette is looked
up, and 16-bit samples are scaled into the same 0..255 range as 8-bit ones (keeping their
precision). One channel is the greyscale luma (ITU-R 601-2, Pillow's ``L``); three are R, G, B.

A photo has far more pixels than a figure can draw, so an image larger than :data:`MAX_SIDE` on a
side must be given a size to be reduced to; resizing uses Lanczos, which keeps edges sharp
without the aliasing of nearest-neighbour sampling.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from convanim.checks import check_whole
from convanim.errors import BadInput
from convanim.values.shapes import check_count

#: The longest side an image may have without a size to reduce it to.
MAX_SIDE = 256
#: The file suffixes of the formats convanim reads as images (any other file Pillow opens works too).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp")
#: How pixel values are scaled: the factor applied to 0..255.
PIXEL_RANGES = {"0..255": 1.0, "0..1": 1.0 / 255.0}
#: Modes whose samples are wider than 8 bits: read as 16-bit and scaled to 0..255.
_HIGH_DEPTH = ("I", "I;16", "I;16B", "I;16L", "I;16N")
#: The EXIF tag of the orientation a camera recorded.
ORIENTATION = 0x0112


def load_image(path: str | Path, size: int | tuple[int, int] | None = None, channels: int = 1,
               pixel_range: str = "0..255") -> np.ndarray:
    """The image at ``path`` as a float64 array of shape ``(channels, rows, cols)``.

    ``size``: one number is the longer side, the aspect ratio kept; ``(rows, cols)`` is exact;
    None keeps the image's own size (at most :data:`MAX_SIDE` per side). ``channels`` is 1
    (greyscale) or 3 (RGB); ``pixel_range`` "0..255" or "0..1". Every failure is a one-line
    BadInput.
    """
    if channels not in (1, 3):
        raise BadInput(f"an image gives 1 channel (greyscale) or 3 (RGB), not {channels}")
    if pixel_range not in PIXEL_RANGES:
        raise BadInput(f"pixel range must be one of {', '.join(PIXEL_RANGES)}, got {pixel_range!r}")
    with _opened(Path(path)) as image:
        try:
            target = _target_size(Path(path), _upright_size(image), size)
            check_count(str(path), target[0] * target[1] * channels)
            planes = _planes(ImageOps.exif_transpose(image), channels)
            resized = [plane.resize(target, Image.Resampling.LANCZOS) for plane in planes]
        except (OSError, SyntaxError) as exc:  # a truncated or corrupt file fails only once decoded
            raise BadInput(f"{path}: cannot decode the image: {exc}") from None
    return np.stack([np.asarray(plane, dtype=np.float64) for plane in resized]) * PIXEL_RANGES[pixel_range]


def _opened(path: Path) -> Image.Image:
    """The image file opened (pixels not yet decoded), or a one-line BadInput saying why not."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(path)
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except UnidentifiedImageError:
        raise BadInput(f"{path}: not an image Pillow can read (PNG, JPEG, GIF, BMP, WebP), nor .npy, .csv or .txt"
                       ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadInput(f"{path}: too many pixels for an image convanim reads") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot read it: {exc.strerror or exc}") from None


def _upright_size(image: Image.Image) -> tuple[int, int]:
    """(width, height) once the EXIF orientation is applied, known before any pixel is decoded."""
    turned = image.getexif().get(ORIENTATION, 1) in (5, 6, 7, 8)  # the orientations that turn by 90°
    return (image.height, image.width) if turned else image.size


def _target_size(path: Path, own: tuple[int, int], size: int | tuple[int, int] | None) -> tuple[int, int]:
    """(width, height) to resize to, as Pillow takes it."""
    width, height = own
    if size is None:
        if max(width, height) > MAX_SIDE:
            raise BadInput(f"{path} is {width}×{height} pixels (width×height), larger than {MAX_SIDE}×{MAX_SIDE}: "
                           "reduce it with --input (the longer side, e.g. --input 64; size= in Python)")
        return width, height
    if isinstance(size, (int, np.integer)):
        longer = check_whole("image size", size, 1)
        ratio = longer / max(width, height)
        return max(1, math.floor(width * ratio + 0.5)), max(1, math.floor(height * ratio + 0.5))
    sizes = tuple(size)
    if len(sizes) != 2:
        raise BadInput(f"an image is 2D: its size is one number (the longer side) or rows,cols, got {size!r}")
    rows, cols = (check_whole("image size", entry, 1) for entry in sizes)
    return cols, rows


def _planes(image: Image.Image, channels: int) -> list[Image.Image]:
    """The image as ``channels`` planes Pillow can resize: 8-bit, or float for 16-bit samples."""
    if image.mode in _HIGH_DEPTH:
        grey = np.asarray(image, dtype=np.float32) * (255.0 / 65535.0)
        return [Image.fromarray(grey)] * channels  # float32: Pillow's mode F
    if image.mode not in ("L", "RGB") or "transparency" in image.info:
        image = _over_white(image)
    if channels == 1:
        return [image.convert("L")]
    return list(image.convert("RGB").split())


def _over_white(image: Image.Image) -> Image.Image:
    """An image of any other mode (palette, alpha, CMYK, bilevel, ...) as RGB, transparency over white."""
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")
