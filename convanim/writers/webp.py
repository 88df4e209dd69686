"""Animated lossless WebP fed to libwebp's animation encoder one frame at a time.

Pillow's ``save_all`` for WebP needs every frame up front, but the encoder underneath takes
frames one by one and keeps only their compressed form, which is small for flat diagrams. So
memory does not hold decoded frames; the assembled file (compressed bytes) is written at close.
That encoder is private Pillow API: ``pillow_private.webp_animation`` uses it where it is known to
work and otherwise falls back to ``save_all`` (same bytes, but then every frame is held until the
end, as a compact palette image).
"""

from __future__ import annotations

import numpy as np
from PIL import Image, features

from convanim.pillow_private import WebpAnimation, WebpOptions, webp_animation
from convanim.writers.base import FormatInfo, HeldFrameWriter
from convanim.writers.formats import register

#: Lossless WebP: "method" is the effort; 4 is far smaller than Pillow's default 0 and still fast.
METHOD = 4
#: In lossless mode "quality" is compression effort too (Pillow's default).
QUALITY = 80
ALPHA_QUALITY = 100
#: Key-frame spacing for lossless animations, as Pillow and gif2webp choose.
KEYFRAME_MIN, KEYFRAME_MAX = 9, 17
#: Canvas background (transparent black, Pillow's default); frames are opaque and cover it.
BACKGROUND_RGBA = (0, 0, 0, 0)
OPTIONS = WebpOptions(
    lossless=True,
    quality=QUALITY,
    alpha_quality=ALPHA_QUALITY,
    method=METHOD,
    kmin=KEYFRAME_MIN,
    kmax=KEYFRAME_MAX,
    background=BACKGROUND_RGBA,
)


@register
class WebpWriter(HeldFrameWriter):
    """Animated lossless WebP; ``loop`` 0 = forever, N = N plays (WebP's loop count)."""

    info = FormatInfo("webp", suffixes=(".webp",), mime_type="image/webp", loops=True, max_loop=0xFFFF,
                      max_frame_ms=0xFFFFFF)  # WebP's loop count is 16 bits, a frame's duration 24

    _animation: WebpAnimation | None = None

    @classmethod
    def missing_backend(cls) -> str | None:
        if not features.check("webp"):
            return "Pillow was built without WebP support"
        return None

    def _start(self) -> None:
        self._animation = webp_animation(self.size, self.loop, OPTIONS)

    def _emit(
        self, indices: np.ndarray, box: tuple[int, int, int, int], start_ms: int, duration_ms: int
    ) -> None:
        # libwebp finds the changed rectangle itself, so the whole frame goes in. Frames are
        # consecutive, so their durations add up to each one's start time.
        assert self._animation is not None
        frame = Image.fromarray(indices)
        frame.putpalette(self.palette)
        self._animation.add(frame, duration_ms)

    def _end(self, end_ms: int) -> None:
        assert self._animation is not None
        self.temp.write_bytes(self._animation.finish())
        self._animation = None

    def _abort(self) -> None:
        self._animation = None
