"""Where the command line's values come from: ``--data SRC``, ``--weights SRC``, ``--bias V,...``.

SRC is inline text, a ``.npy`` file, a ``.csv``/``.txt`` file of rows, an image Pillow reads, or
for weights a named kernel (:mod:`convanim.values.kernels`). Inline text and text files share one
grammar, from the outermost separator in:

- ``||`` between the filters of a weight (its output channels),
- ``|`` between channels (an input's channels; a filter's input channels),
- ``/`` between depth slices (3D),
- ``;`` (or a new line, in a file) between rows,
- ``,`` (or spaces) between the numbers of a row.

So ``"0,1;1,0"`` is a 2×2 grid, ``"1,2,3"`` a row (1D, or a 1×3 row in 2D), ``"1,0;0,1 | 0,1;1,0"``
two channels. In a file, ``#`` starts a comment and blank lines are ignored, so ``np.savetxt``'s
files read as they are. A source with fewer spatial dims than the convolution gets leading sizes
of 1 (a row ``-1,0,1`` is a 1×3 kernel in 2D). A ``.npy`` array is taken as PyTorch's (see
:func:`input_array` and :mod:`convanim.values.shapes`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from convanim.core.notation import shape_text
from convanim.errors import BadInput
from convanim.values.images import IMAGE_SUFFIXES, load_image
from convanim.values.kernels import KERNELS, named_kernel
from convanim.values.shapes import MAX_VALUES, as_values

#: The separators of inline text, outermost first, and what each separates (for errors).
SEPARATORS = (("||", "filter"), ("|", "channel"), ("/", "slice"), (";", "row"))
#: The largest text or .npy file read: room for :data:`MAX_VALUES` numbers written out.
MAX_FILE_BYTES = 32 * MAX_VALUES
#: What inline numbers look like when no separator says so: digits and signs, or nan and inf.
_KERNEL_LIKE = re.compile(r"[a-z][a-z0-9-]*")
_NUMBER_LIKE = re.compile(r"[\s\d.eE+\-−/]+|[+\-]?(nan|inf|infinity)", re.IGNORECASE)


@dataclass(frozen=True)
class Source:
    """Values read from one SRC.

    The last ``spatial`` axes of ``array`` are spatial, those before them channels (inline text,
    images, named kernels say which); ``spatial`` is None when the source does not say (a .npy
    array). ``image`` is true for a picture, whose size ``--input`` set.
    """

    array: np.ndarray
    spatial: int | None
    image: bool = False

    @property
    def leading(self) -> int:
        """How many channel axes the source wrote (0 when it does not say)."""
        return 0 if self.spatial is None else self.array.ndim - self.spatial


@contextmanager
def _about(option: str) -> Iterator[None]:
    """Prefix every error in the block with the option it concerns: ``--data: ...``."""
    try:
        yield
    except BadInput as exc:
        raise BadInput(f"{option}: {exc}") from None


def read_data(src: str, *, size: Any = None, channels: int = 1, pixel_range: str | None = None) -> Source:
    """The input values ``--data SRC`` names; an image is resized to ``size`` with ``channels``."""
    with _about("--data"):
        path = _file(src)
        if path is not None and path.suffix.lower() not in (".npy", ".csv", ".txt"):
            array = load_image(path, size, channels, pixel_range or "0..255")
            return Source(array, 2, image=True)
        if pixel_range is not None:
            raise BadInput(f"--pixel-range {pixel_range} is for an image, and {src!r} is not one")
        return _read(src, path)


def read_weights(src: str, *, size: Any = None) -> Source:
    """The weights ``--weights SRC`` names: a named kernel (sized by ``size``) or values."""
    with _about("--weights"):
        if src in KERNELS or (_KERNEL_LIKE.fullmatch(src) and not _NUMBER_LIKE.fullmatch(src)
                              and not Path(src).exists()):
            kernel = named_kernel(src, size)
            return Source(kernel, kernel.ndim)
        return _read(src, _file(src))


def read_bias(text: str) -> np.ndarray:
    """The values of ``--bias V[,V...]``: one for every output channel, or one each."""
    with _about("--bias"):
        source = parse_text(text)
        if source.array.ndim != 1:
            raise BadInput(f"{text!r}: the bias is one value or one per output channel, separated by commas")
        return source.array


def _file(src: str) -> Path | None:
    """The file SRC names, or None for inline text; a file that should exist but does not is an error."""
    path = Path(src)
    if path.is_file():
        return path
    if path.exists():
        raise BadInput(f"{src}: not a file")
    if re.search(r"[,;|]", src) or _NUMBER_LIKE.fullmatch(src):
        return None
    if path.suffix.lower() in (".npy", ".csv", ".txt", *IMAGE_SUFFIXES):
        raise BadInput(f"{src}: no such file")
    raise BadInput(f"{src!r} is neither numbers (such as \"0,1;1,0\") nor a file")


def _read(src: str, path: Path | None) -> Source:
    """Inline text, or the .npy or text file at ``path``."""
    if path is None:
        return parse_text(src)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise BadInput(f"{path}: {path.stat().st_size:,} bytes is more than the {MAX_FILE_BYTES:,} a file of values "
                       "may have")
    if path.suffix.lower() == ".npy":
        return Source(_load_npy(path), None)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not a text file of numbers") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot read it: {exc.strerror or exc}") from None
    lines = (line.split("#", 1)[0] for line in text.splitlines())
    return parse_text(";".join(line for line in lines if line.strip()), str(path))


def _load_npy(path: Path) -> np.ndarray:
    """A .npy array of numbers, never unpickling anything (a .npy file can carry code)."""
    try:
        array = np.load(path, allow_pickle=False)
    except OSError as exc:
        raise BadInput(f"{path}: cannot read it: {exc.strerror or exc}") from None
    except (ValueError, EOFError) as exc:
        raise BadInput(f"{path}: not a .npy array numpy can read without unpickling ({exc})") from None
    if not isinstance(array, np.ndarray):
        raise BadInput(f"{path}: holds several arrays (an .npz archive); save one array with np.save")
    return as_values(str(path), array)


def parse_text(text: str, name: str | None = None) -> Source:
    """Numbers in the inline grammar of this module, as a Source that knows its spatial axes."""
    nested = _nested(name or repr(text), text, 0)
    spatial = 3 if "/" in text else 2 if ";" in text else 1
    leading = 2 if "||" in text else 1 if "|" in text else 0
    keep = [*range(2 - leading, 2), *range(5 - spatial, 5)]
    unused = tuple(axis for axis in range(5) if axis not in keep)
    return Source(nested.squeeze(axis=unused), spatial)


def _nested(name: str, text: str, level: int) -> np.ndarray:
    """The numbers of ``text`` split from separator ``level`` in: always five axes deep."""
    if level == len(SEPARATORS):
        parts: list[Any] = [token for token in re.split(r"[,\s]+", text.strip()) if token]
    else:
        separator, what = SEPARATORS[level]
        parts = [part for part in text.split(separator) if part.strip()]
    if not parts:
        raise BadInput(f"{name}: holds no values")
    if level == len(SEPARATORS):
        return np.array([_number(name, token) for token in parts])
    return _stacked(name, [_nested(name, part, level + 1) for part in parts], what)


def _stacked(name: str, parts: list[np.ndarray], what: str) -> np.ndarray:
    """``parts`` stacked, or a one-line error naming the first that differs in shape (ragged rows)."""
    for index, part in enumerate(parts[1:], 2):
        if part.shape != parts[0].shape:
            first, other = _extent(parts[0]), _extent(part)
            raise BadInput(f"{name}: ragged {what}s: {what} 1 is {first}, {what} {index} is {other}")
    return np.stack(parts)


def _extent(part: np.ndarray) -> str:
    """A part's shape as a person counts it: '3 values' in a row, '2×3' for a slice."""
    sizes = tuple(size for size in part.shape if size != 1) or (1,)
    return f"{sizes[0]} value{'s' * (sizes[0] != 1)}" if len(sizes) == 1 else shape_text(sizes)


def _number(name: str, token: str) -> float:
    """One number, a true minus (as the figures print it) allowed; NaN, infinity and overflow refused."""
    try:
        value = float(token.replace("−", "-"))
    except ValueError:
        raise BadInput(f"{name}: {token!r} is not a number") from None
    if math.isinf(value) and token.lower().lstrip("+-−") not in ("inf", "infinity"):
        raise BadInput(f"{name}: {token} is too large for float64 (at most about 1.8e308)")
    if not math.isfinite(value):
        raise BadInput(f"{name}: {token} is not a finite number; every value must be one")
    return value


def input_array(source: Source, dims: int | None) -> np.ndarray:
    """The input as PyTorch's ``(C, *size)``; a .npy array of one or two dims (or of ``dims``) is
    one channel, a larger one is taken as ``(C, *size)``."""
    if source.spatial is None:
        plain = source.array.ndim <= 2 if dims is None else source.array.ndim == dims
        return source.array[None] if plain else source.array
    if source.leading > 1:
        raise BadInput("--data: '||' separates the filters of a weight; an input has channels (|) only")
    array = _grown("--data", source, dims)
    return array if source.leading else array[None]


def weight_array(source: Source, dims: int | None) -> np.ndarray:
    """The weight as PyTorch's ``(C_out, C_in/groups, *k)``, or a kernel alone ``(*k)``; channels
    written with ``|`` are one filter's."""
    if source.spatial is None:
        return source.array
    array = _grown("--weights", source, dims)
    return array[None] if source.leading == 1 else array


def _grown(option: str, source: Source, dims: int | None) -> np.ndarray:
    """``source.array`` with sizes of 1 put before its spatial axes up to ``dims`` of them."""
    spatial = source.spatial or 0
    wanted = spatial if dims is None else dims
    if wanted < spatial:
        raise BadInput(f"{option}: {spatial}D values do not fit a {wanted}D convolution")
    shape = source.array.shape
    lead = shape[: len(shape) - spatial]
    return source.array.reshape(*lead, *(1,) * (wanted - spatial), *shape[len(shape) - spatial:])


def spatial_rank(*sources: Source | None) -> int | None:
    """The spatial rank the sources that say one imply: the largest (None when none says)."""
    ranks = [source.spatial for source in sources if source is not None and source.spatial is not None]
    return max(ranks) if ranks else None


__all__ = ["Source", "input_array", "parse_text", "read_bias", "read_data", "read_weights",
           "spatial_rank", "weight_array"]
