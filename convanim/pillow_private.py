"""The three private Pillow calls convanim makes, each behind a check, with a public twin.

Private Pillow API may change in any release without notice, so every private call lives here and
nowhere else. Each door uses its private call only on the Pillow releases it was written and
tested against (``TESTED_FROM`` up to, not including, ``TESTED_BEFORE``) and only when the private
attributes it needs exist; otherwise it takes a route through public API (or plain Python) that
gives the same pixels or bytes: a new Pillow makes convanim slower (WebP: hungrier for memory),
never wrong or broken. ``tests/test_pillow_private.py`` holds the twins to that.

- ``rectangle_filler``: many boxes of one colour. Private: Pillow's core fill with the colour
  parsed once. Public: ``ImageDraw.rectangle`` per box (it parses the colour again every time).
- ``gif_image_data``: one GIF frame's LZW-compressed indices with a chosen minimum code size.
  Private: Pillow's C "gif" encoder through ``ImageFile._save``. Public: Pillow's GIF save always
  uses code size 8, so the twin is an LZW encoder here (Python and numpy, far slower) that
  writes the bytes Pillow's encoder writes.
- ``webp_animation``: an animated WebP built frame by frame. Private: ``PIL._webp``'s animation
  encoder, fed each frame as it comes (only compressed frames are kept). Public: ``Image.save``
  with ``save_all``, which needs every frame at once, so the twin keeps the frames it is given
  (compact "P" images, as the writer passes them) in memory until ``finish``.

Forcing the public twins (tests, or a suspect Pillow): set the environment variable
``CONVANIM_PILLOW_PUBLIC`` to anything but "" or "0". It is read at every call, so
``monkeypatch.setenv`` works, and so does ``CONVANIM_PILLOW_PUBLIC=1 convanim all``.

This module sits below both render and writers: it imports numpy and PIL only.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from types import ModuleType
from typing import Any, NamedTuple, Protocol

import numpy as np
import PIL
from PIL import Image, ImageDraw, ImageFile

#: Environment variable that, set to anything but "" or "0", makes every door take its public twin.
PUBLIC_ENV = "CONVANIM_PILLOW_PUBLIC"
#: The Pillow releases (major, minor) the private calls were written and tested against.
TESTED_FROM, TESTED_BEFORE = (11, 0), (14, 0)
#: Pillow 11.0 and 11.1 take the WebP encoder's size as two numbers, not the (width, height) used here.
WEBP_TESTED_FROM = (11, 2)

#: GIF LZW codes are at most 12 bits, so a code table holds 4096 entries.
LZW_CODES = 4096
LZW_MAX_BITS = 12


def _private_ok(tested_from: tuple[int, int], present: bool) -> bool:
    """Whether to take a private route: not forced public, a tested Pillow, attributes present."""
    if os.environ.get(PUBLIC_ENV, "") not in ("", "0"):
        return False
    return present and tested_from <= _release(PIL.__version__) < TESTED_BEFORE


@lru_cache(maxsize=8)
def _release(version: str) -> tuple[int, int]:
    """(major, minor) of a Pillow version string; (0, 0), outside every range, if unreadable."""
    found = re.match(r"(\d+)\.(\d+)", version)
    return (int(found[1]), int(found[2])) if found else (0, 0)


# -- rectangles -------------------------------------------------------------------------------


#: Fills boxes (x0, y0, x1, y1; both corners inclusive, as ``ImageDraw.rectangle``) in one colour.
RectangleFill = Callable[[int | tuple[int, int, int], Iterable[Sequence[int]]], None]


def rectangle_filler(draw: ImageDraw.ImageDraw) -> RectangleFill:
    """A function that fills boxes of one colour on ``draw``, its route chosen once, here.

    Why the private route: ``ImageDraw.rectangle`` parses the colour again for every box, and a
    README frame draws ~1,800 boxes, so that wrapper would double their cost. Why chosen once: a
    frame fills boxes in tens of thousands of calls, and checking the route in each cost 10%.
    """
    core: Any = getattr(draw, "draw", None)  # the C drawing object
    if _private_ok(TESTED_FROM, hasattr(draw, "_getink") and hasattr(core, "draw_rectangle")):
        getink, fill = draw._getink, core.draw_rectangle

        def private(colour: int | tuple[int, int, int], boxes: Iterable[Sequence[int]]) -> None:
            ink = getink(colour)[0]
            for box in boxes:
                fill(box, ink, 1)

        return private

    def public(colour: int | tuple[int, int, int], boxes: Iterable[Sequence[int]]) -> None:
        for box in boxes:
            draw.rectangle(box, fill=colour)

    return public


# -- GIF image data ---------------------------------------------------------------------------


def gif_image_data(indices: np.ndarray, code_bits: int) -> bytes:
    """A GIF frame's table-based image data: the LZW minimum code size byte, the compressed
    ``indices`` (rows in order, not interlaced) in sub-blocks, the block terminator.

    ``code_bits`` (2..8) is the LZW minimum code size; every index must be below 2**code_bits.
    A small palette wants a small one (shorter codes, a smaller file), which Pillow's public
    GIF save does not offer: it always writes 8.
    """
    if indices.ndim != 2 or indices.dtype != np.uint8 or indices.size == 0:
        raise ValueError(f"indices: must be a non-empty 2-D uint8 array, got {indices.dtype} {indices.shape}")
    if not 2 <= code_bits <= 8:
        raise ValueError(f"code_bits: must be 2..8, got {code_bits}")
    if int(indices.max()) >= 1 << code_bits:
        raise ValueError(f"indices: {int(indices.max())} does not fit the code size {code_bits}")
    present = hasattr(ImageFile, "_save") and hasattr(ImageFile, "_Tile") and hasattr(Image.core, "gif_encoder")
    if _private_ok(TESTED_FROM, present):
        blocks = _gif_blocks_pillow(indices, code_bits)
    else:
        blocks = _gif_blocks_python(indices, code_bits)
    return bytes([code_bits]) + blocks + b"\0"


def _gif_blocks_pillow(indices: np.ndarray, code_bits: int) -> bytes:
    """Pillow's C encoder, called as its own GIF plugin calls it, with our code size."""
    image = Image.fromarray(np.ascontiguousarray(indices))
    image.encoderconfig = (code_bits, 0)  # (bits, interlace)
    height, width = indices.shape
    out = io.BytesIO()
    ImageFile._save(image, out, [ImageFile._Tile("gif", (0, 0, width, height), 0, "L")])
    return out.getvalue()


def _gif_blocks_python(indices: np.ndarray, code_bits: int) -> bytes:
    """The bytes of ``_gif_blocks_pillow``, computed here."""
    heads = _lzw_heads(indices.tobytes(), code_bits)
    return _sub_blocks(_pack_codes(heads, code_bits), _pillow_buffer_size(indices.shape[1]))


def _lzw_heads(symbols: bytes, code_bits: int) -> list[int]:
    """Greedy LZW: the code of each longest known string, in order; clear codes left out.

    The table starts again (after a clear code) when a new string finds it full, which happens
    after exactly ``_heads_per_table(code_bits)`` codes, so ``_pack_codes`` can place the clear
    codes and this loop, the slow part, stays small. A string is keyed by its prefix's code and
    last symbol, as in Pillow's encoder.
    """
    first = (1 << code_bits) + 2
    table: dict[int, int] = {}
    heads: list[int] = []
    emit = heads.append
    next_code = first
    head = symbols[0]
    for symbol in symbols[1:]:
        key = head << 8 | symbol
        code = table.get(key)
        if code is not None:
            head = code
            continue
        emit(head)
        if next_code < LZW_CODES:
            table[key] = next_code
            next_code += 1
        else:
            table.clear()
            next_code = first
        head = symbol
    emit(head)
    return heads


def _heads_per_table(code_bits: int) -> int:
    """Codes emitted between two clear codes: one per new entry (2**bits + 2 up to 4095), plus
    the one whose new string finds the table full."""
    return LZW_CODES - ((1 << code_bits) + 2) + 1


def _pack_codes(heads: list[int], code_bits: int) -> bytes:
    """The code stream, least significant bit first: a clear code, the heads with a clear code
    after every full table, the end-of-information code.

    A code is as wide as the largest code in the table when it is written (the end code at
    first, so ``code_bits + 1``; one bit more once entry 2**width exists); a clear code after a
    full table is 12 bits, and the end code is as wide as the last head.
    """
    clear = 1 << code_bits
    per_table = _heads_per_table(code_bits)
    codes = np.asarray(heads, dtype=np.int32)
    entries = np.arange(codes.size) % per_table  # entries added to the table before each code
    largest = clear + 1 + entries  # the largest code in the table then (the end code at first)
    widths = np.frexp(largest.astype(np.float64))[1]  # bit lengths
    clears = np.arange(per_table, codes.size, per_table)
    codes = np.concatenate(([clear], np.insert(codes, clears, clear), [clear + 1])).astype("<u2")
    widths = np.concatenate(([code_bits + 1], np.insert(widths, clears, LZW_MAX_BITS), widths[-1:]))
    bits = np.unpackbits(codes.view(np.uint8).reshape(-1, 2), axis=1, bitorder="little")  # 16 a code
    return np.packbits(bits[np.arange(16) < widths[:, None]], bitorder="little").tobytes()


def _pillow_buffer_size(width: int) -> int:
    """The output buffer ``ImageFile._save`` hands the encoder for an image ``width`` wide."""
    return max(ImageFile.MAXBLOCK, width * 4)


def _sub_blocks(data: bytes, buffer_size: int) -> bytes:
    """``data`` in sub-blocks (a length byte, then at most 255 bytes) as Pillow's encoder cuts it.

    The encoder fills one output buffer at a time and shortens the sub-block that reaches a
    buffer's end. At 65,536 bytes a buffer holds whole sub-blocks, so this shows only in frames
    wider than 16,384 pixels, but it keeps the bytes equal there too.
    """
    out = bytearray()
    room, at = buffer_size, 0
    while at < len(data):
        if room < 2:  # the encoder wants room for a length byte and one data byte
            room = buffer_size
        size = min(255, room - 1, len(data) - at)
        out.append(size)
        out += data[at : at + size]
        room -= size + 1
        at += size
    return bytes(out)


# -- animated WebP ----------------------------------------------------------------------------


class WebpOptions(NamedTuple):
    """libwebp settings for an animation, as Pillow's WebP ``save`` names them.

    ``kmin`` and ``kmax`` bound the key-frame spacing; ``background`` is the RGBA colour of the
    canvas under the frames. Size minimisation and mixed lossy/lossless frames stay off.
    """

    lossless: bool
    quality: float
    alpha_quality: float
    method: int
    kmin: int
    kmax: int
    background: tuple[int, int, int, int]


class WebpAnimation(Protocol):
    """Frames go in one at a time; ``finish`` returns the whole file."""

    def add(self, frame: Image.Image, duration_ms: int) -> None:
        """Append a frame shown for ``duration_ms``."""

    def finish(self) -> bytes:
        """The WebP file of every frame added (at least one)."""


def webp_animation(size: tuple[int, int], loop: int, options: WebpOptions) -> WebpAnimation:
    """An animated WebP of frames of ``size`` = (width, height) that plays ``loop`` times
    (0 = forever). Needs Pillow with WebP support either way."""
    webp = _webp_module()
    if _private_ok(WEBP_TESTED_FROM, hasattr(webp, "WebPAnimEncoder") and hasattr(Image.Image, "getim")):
        assert webp is not None
        return _StreamedWebp(webp, size, loop, options)
    return _HeldWebp(loop, options)


def _webp_module() -> ModuleType | None:
    """Pillow's private WebP module, or None if this Pillow has none."""
    try:
        from PIL import _webp
    except ImportError:
        return None
    return _webp


class _StreamedWebp:
    """libwebp's animation encoder, driven as Pillow's ``save_all`` drives it, frame by frame."""

    def __init__(self, webp: ModuleType, size: tuple[int, int], loop: int, options: WebpOptions) -> None:
        red, green, blue, alpha = options.background
        background = alpha << 24 | red << 16 | green << 8 | blue  # libwebp's packed ARGB
        # (size, background, loop, minimize_size, kmin, kmax, allow_mixed, verbose)
        self._encoder: Any = webp.WebPAnimEncoder(
            size, background, loop, False, options.kmin, options.kmax, False, False
        )
        self._options = options
        self._elapsed_ms = 0
        self._frames = 0

    def add(self, frame: Image.Image, duration_ms: int) -> None:
        self._add(_webp_frame(frame).getim())
        self._elapsed_ms += duration_ms
        self._frames += 1

    def _add(self, image: object) -> None:
        """A frame at the time all frames before it add up to (no image: the end time)."""
        o = self._options
        self._encoder.add(image, self._elapsed_ms, o.lossless, o.quality, o.alpha_quality, o.method)

    def finish(self) -> bytes:
        if not self._frames:
            raise ValueError("webp: no frames were added")
        self._add(None)
        data = self._encoder.assemble(b"", b"", b"")  # no ICC profile, EXIF or XMP
        if data is None:
            raise OSError("libwebp could not assemble the animation")
        return data


def _webp_frame(frame: Image.Image) -> Image.Image:
    """A frame in a mode libwebp takes, converted as Pillow's WebP plugin converts it."""
    if frame.mode in ("RGB", "RGBA", "RGBX"):
        return frame
    return frame.convert("RGBA" if frame.has_transparency_data else "RGB")


class _HeldWebp:
    """Pillow's public ``save_all``: every frame is kept until ``finish`` writes them at once."""

    def __init__(self, loop: int, options: WebpOptions) -> None:
        self._loop, self._options = loop, options
        self._frames: list[Image.Image] = []
        self._durations: list[int] = []

    def add(self, frame: Image.Image, duration_ms: int) -> None:
        self._frames.append(frame)
        self._durations.append(duration_ms)

    def finish(self) -> bytes:
        if not self._frames:
            raise ValueError("webp: no frames were added")
        first, *rest = self._frames
        out = io.BytesIO()
        first.save(
            out,
            "WEBP",
            save_all=True,
            append_images=rest,
            duration=self._durations,
            loop=self._loop,
            minimize_size=False,
            allow_mixed=False,
            **self._options._asdict(),
        )
        return out.getvalue()
