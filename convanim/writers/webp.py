"""Animated lossless WebP fed to libwebp's animation encoder one frame at a time.

Pillow's ``save_all`` for WebP needs every frame up front, but the encoder underneath
(``PIL._webp.WebPAnimEncoder``: ``add`` a frame at a timestamp, then ``assemble``) takes frames
one by one and keeps only their compressed form, which is small for flat diagrams. So memory
does not hold decoded frames; the assembled file (compressed bytes) is written at close.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image, features

from convanim.writers.base import FormatInfo, HeldFrameWriter
from convanim.writers.formats import register

#: Lossless WebP: "method" is the effort; 4 is far smaller than Pillow's default 0 and still fast.
METHOD = 4
#: In lossless mode "quality" is compression effort too (Pillow's default).
QUALITY = 80
ALPHA_QUALITY = 100
#: Key-frame spacing for lossless animations, as Pillow and gif2webp choose.
KEYFRAME_MIN, KEYFRAME_MAX = 9, 17
#: ANIM chunk background (transparent black, Pillow's default); frames are opaque and cover it.
BACKGROUND_ARGB = 0


@register
class WebpWriter(HeldFrameWriter):
    """Animated lossless WebP; ``loop`` 0 = forever, N = N plays (WebP's loop count)."""

    info = FormatInfo("webp", suffixes=(".webp",), mime_type="image/webp", loops=True)

    _encoder: Any = None

    @classmethod
    def missing_backend(cls) -> str | None:
        if not features.check("webp"):
            return "Pillow was built without WebP support"
        return None

    def _start(self) -> None:
        from PIL import _webp

        self._encoder = _webp.WebPAnimEncoder(
            self.size, BACKGROUND_ARGB, self.loop, False, KEYFRAME_MIN, KEYFRAME_MAX, False, False
        )  # (size, background, loop, minimize_size, kmin, kmax, allow_mixed, verbose)

    def _emit(
        self, indices: np.ndarray, box: tuple[int, int, int, int], start_ms: int, duration_ms: int
    ) -> None:
        # libwebp finds the changed rectangle itself, so the whole frame goes in.
        rgb = Image.fromarray(self.palette_rgb()[indices])
        self._add(rgb.getim(), start_ms)

    def _add(self, image: object, timestamp_ms: int) -> None:
        self._encoder.add(image, timestamp_ms, True, QUALITY, ALPHA_QUALITY, METHOD)

    def _end(self, end_ms: int) -> None:
        self._add(None, end_ms)  # no image: the end time of the last frame
        data = self._encoder.assemble(b"", b"", b"")  # no ICC profile, EXIF or XMP
        if data is None:
            raise OSError("libwebp could not assemble the animation")
        self.temp.write_bytes(data)
        self._encoder = None

    def _abort(self) -> None:
        self._encoder = None
