"""The private Pillow calls and their public twins: same pixels and bytes, and the right one chosen.

Each door is run once on its private route and once forced public (``CONVANIM_PILLOW_PUBLIC``),
and a spy on the public API each route would call confirms which route ran, so an equality test
cannot pass by comparing a route with itself. Routes are chosen by Pillow's version (patched
here) and by the private attributes being there (removed here).
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import PIL
import pytest
from PIL import Image, ImageDraw, ImageFile, WebPImagePlugin, features

from convanim import api, pillow_private
from convanim.pillow_private import (
    PUBLIC_ENV,
    TESTED_BEFORE,
    TESTED_FROM,
    WEBP_TESTED_FROM,
    WebpOptions,
    rectangle_filler,
    gif_image_data,
    webp_animation,
)

RELEASE = pillow_private._release(PIL.__version__)
#: Whether this Pillow takes the private routes at all (else there is no private side to compare).
PRIVATE_HERE = TESTED_FROM <= RELEASE < TESTED_BEFORE
WEBP_PRIVATE_HERE = WEBP_TESTED_FROM <= RELEASE < TESTED_BEFORE
needs_private = pytest.mark.skipif(not PRIVATE_HERE, reason=f"Pillow {PIL.__version__}: private routes unused")
needs_private_webp = pytest.mark.skipif(
    not WEBP_PRIVATE_HERE, reason=f"Pillow {PIL.__version__}: the private WebP encoder is not used"
)
needs_webp = pytest.mark.skipif(not features.check("webp"), reason="Pillow without WebP")

WEBP = WebpOptions(lossless=True, quality=80, alpha_quality=100, method=4, kmin=9, kmax=17, background=(0, 0, 0, 0))
OUTSIDE = ["10.4.0", "14.0.0", "14.1.0.dev0", "not a version"]
INSIDE = ["11.0.0", "12.1.1", "13.9.0"]


@pytest.fixture
def public(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PUBLIC_ENV, "1")


@pytest.fixture(autouse=True)
def private_unless_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    """A CONVANIM_PILLOW_PUBLIC left in the caller's environment must not decide these tests."""
    monkeypatch.delenv(PUBLIC_ENV, raising=False)


def spy(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[tuple[Any, ...]]:
    """Record the calls of ``owner.name`` (still calling it); the list of their arguments."""
    calls: list[tuple[Any, ...]] = []
    real = getattr(owner, name)

    def recorded(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, recorded)
    return calls


# -- rectangles -------------------------------------------------------------------------------


def _boxes(seed: int, count: int) -> list[list[int]]:
    """Boxes inside, across and outside a 64x48 image, single pixels and lines among them."""
    rng = np.random.default_rng(seed)
    corners = rng.integers(-12, 76, (count, 2, 2))
    corners[::5, 1] = corners[::5, 0]  # single pixels
    corners[1::7, 1, 0] = corners[1::7, 0, 0]  # one pixel wide
    low, high = corners.min(axis=1), corners.max(axis=1)
    return np.concatenate([low, high], axis=1).tolist()


def _draw_boxes(boxes: list[list[int]]) -> np.ndarray:
    image = Image.new("RGB", (64, 48), (250, 250, 250))
    fill = rectangle_filler(ImageDraw.Draw(image))
    for k in range(0, len(boxes), 25):  # a few colours, one call each, as Target.line does
        fill(((k * 37) % 256, (k * 91) % 256, 40), iter(boxes[k : k + 25]))
    return np.asarray(image)


@needs_private
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rectangles_twins_give_the_same_pixels(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    boxes = _boxes(seed, 300)
    calls = spy(monkeypatch, ImageDraw.ImageDraw, "rectangle")
    private = _draw_boxes(boxes)
    assert calls == []
    monkeypatch.setenv(PUBLIC_ENV, "1")
    public = _draw_boxes(boxes)
    assert len(calls) == len(boxes)
    assert np.array_equal(private, public)
    assert (private != 250).any()  # something was drawn


@pytest.mark.parametrize("version", OUTSIDE)
def test_rectangles_outside_the_tested_releases_take_rectangle(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    monkeypatch.setattr(PIL, "__version__", version)
    calls = spy(monkeypatch, ImageDraw.ImageDraw, "rectangle")
    _draw_boxes(_boxes(0, 30))
    assert len(calls) == 30


@needs_private
@pytest.mark.parametrize("version", INSIDE)
def test_rectangles_inside_the_tested_releases_take_the_core_fill(
    monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    monkeypatch.setattr(PIL, "__version__", version)
    calls = spy(monkeypatch, ImageDraw.ImageDraw, "rectangle")
    _draw_boxes(_boxes(0, 30))
    assert calls == []


@pytest.mark.parametrize("value", ["", "0"])
def test_rectangles_public_env_off_values(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(PUBLIC_ENV, value)
    calls = spy(monkeypatch, ImageDraw.ImageDraw, "rectangle")
    _draw_boxes(_boxes(0, 30))
    assert (calls == []) is PRIVATE_HERE


def test_rectangles_without_the_private_helper_take_rectangle(monkeypatch: pytest.MonkeyPatch) -> None:
    # A Pillow that renamed _getink: its rectangle (stood in for here) must still be used.
    drawn: list[tuple[list[int], object]] = []
    monkeypatch.delattr(ImageDraw.ImageDraw, "_getink")
    monkeypatch.setattr(ImageDraw.ImageDraw, "rectangle", lambda self, xy, fill=None: drawn.append((xy, fill)))
    draw = ImageDraw.Draw(Image.new("RGB", (8, 8)))
    rectangle_filler(draw)((1, 2, 3), [[0, 0, 1, 1], [2, 3, 2, 3]])
    assert drawn == [([0, 0, 1, 1], (1, 2, 3)), ([2, 3, 2, 3], (1, 2, 3))]


# -- GIF image data ---------------------------------------------------------------------------


def _frame(kind: str, shape: tuple[int, int], colours: int, seed: int) -> np.ndarray:
    """Indices below ``colours``: noise, long runs, stripes, or one colour."""
    rng = np.random.default_rng(seed)
    height, width = shape
    if kind == "noise":
        return rng.integers(0, colours, shape, dtype=np.uint8)
    if kind == "runs":
        lengths = rng.integers(1, 400, height * width // 20 + 2)
        values = rng.integers(0, colours, lengths.size, dtype=np.uint8)
        return np.repeat(values, lengths)[: height * width].reshape(shape)
    if kind == "stripes":
        return np.broadcast_to((np.arange(width) // 7 % colours).astype(np.uint8), shape).copy()
    return np.full(shape, colours - 1, dtype=np.uint8)


#: Noise of this size fills the 4096-code table several times at every code size.
FILLS_TABLES = (200, 400)


def _gif_cases() -> Iterator[tuple[str, tuple[int, int], int, int]]:
    """(kind, shape, colours, code_bits): every code size, palettes of 2..256, odd sizes, and
    frames that fill the 4096-code table many times (noise) or between long runs."""
    yield "noise", (1, 1), 2, 2
    yield "noise", (1, 700), 4, 2
    yield "noise", (700, 1), 3, 5
    yield "const", (90, 77), 2, 2
    yield "stripes", (31, 257), 16, 4
    for code_bits in range(2, 9):
        colours = 1 << code_bits
        yield "noise", FILLS_TABLES, colours, code_bits
        yield "runs", (200, 301), max(2, colours - 1), code_bits
        yield "noise", (37, 91), max(2, colours // 2 + 1), 8  # a code size larger than needed
    yield "noise", (4, 20001), 256, 8  # wider than 16,384: Pillow cuts sub-blocks at its buffers


def _decode(data: bytes, shape: tuple[int, int], code_bits: int) -> np.ndarray:
    """Pillow's decoding of image data wrapped in a minimal GIF (a grey global colour table)."""
    height, width = shape
    table = bytes(np.repeat(np.arange(1 << code_bits, dtype=np.uint8), 3))
    header = struct.pack("<6sHHBBB", b"GIF89a", width, height, 0x80 | (code_bits - 1), 0, 0) + table
    descriptor = struct.pack("<cHHHHB", b",", 0, 0, width, height, 0)
    with Image.open(io.BytesIO(header + descriptor + data + b";")) as image:
        return np.asarray(image)


def _gif_both(monkeypatch: pytest.MonkeyPatch, indices: np.ndarray, code_bits: int) -> tuple[bytes, bytes]:
    """(private, public) image data, checking that each came from the route it names."""
    calls = spy(monkeypatch, ImageFile, "_save")
    private = gif_image_data(indices, code_bits)
    assert len(calls) == 1
    monkeypatch.setenv(PUBLIC_ENV, "1")
    public = gif_image_data(indices, code_bits)
    monkeypatch.delenv(PUBLIC_ENV)
    assert len(calls) == 1
    return private, public


@needs_private
@pytest.mark.parametrize(("kind", "shape", "colours", "code_bits"), list(_gif_cases()))
def test_gif_twins_write_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch, kind: str, shape: tuple[int, int], colours: int, code_bits: int
) -> None:
    indices = _frame(kind, shape, colours, seed=code_bits * 1000 + shape[1])
    private, public = _gif_both(monkeypatch, indices, code_bits)
    assert public == private
    assert np.array_equal(_decode(public, shape, code_bits), indices)


@pytest.mark.parametrize("code_bits", range(2, 9))
def test_gif_noise_cases_fill_the_code_table_several_times(code_bits: int) -> None:
    # Guards the cases above: they must reach the table-full clear code, or it goes untested.
    indices = _frame("noise", FILLS_TABLES, 1 << code_bits, seed=0)
    heads = pillow_private._lzw_heads(indices.tobytes(), code_bits)
    assert len(heads) > 3 * pillow_private._heads_per_table(code_bits)


def test_gif_public_twin_decodes_to_its_indices(public: None) -> None:
    # Independent of Pillow's encoder: what the twin writes decodes to the frame (any Pillow).
    for kind, shape, colours, code_bits in _gif_cases():
        indices = _frame(kind, shape, colours, seed=7)
        assert np.array_equal(_decode(gif_image_data(indices, code_bits), shape, code_bits), indices)


@needs_private
def test_gif_twins_write_the_same_file_for_a_scene(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = spy(monkeypatch, pillow_private, "_gif_blocks_python")
    private = api.render("basics", tmp_path / "private.gif").read_bytes()
    assert calls == []
    monkeypatch.setenv(PUBLIC_ENV, "1")
    public = api.render("basics", tmp_path / "public.gif").read_bytes()
    assert calls
    assert public == private


@pytest.mark.parametrize("version", OUTSIDE)
def test_gif_outside_the_tested_releases_takes_the_twin(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    indices = _frame("runs", (40, 50), 5, seed=3)
    monkeypatch.setattr(PIL, "__version__", version)
    calls = spy(monkeypatch, ImageFile, "_save")
    data = gif_image_data(indices, 3)
    assert calls == []
    assert np.array_equal(_decode(data, indices.shape, 3), indices)


@needs_private
@pytest.mark.parametrize("version", INSIDE)
def test_gif_inside_the_tested_releases_takes_pillows_encoder(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    monkeypatch.setattr(PIL, "__version__", version)
    calls = spy(monkeypatch, ImageFile, "_save")
    gif_image_data(_frame("runs", (40, 50), 5, seed=3), 3)
    assert len(calls) == 1


@pytest.mark.parametrize(("owner", "name"), [(ImageFile, "_save"), (ImageFile, "_Tile"), (Image.core, "gif_encoder")])
def test_gif_without_a_private_attribute_takes_the_twin(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> None:
    indices = _frame("noise", (30, 40), 6, seed=4)
    expected = gif_image_data(indices, 3)
    monkeypatch.delattr(owner, name)
    calls = spy(monkeypatch, pillow_private, "_gif_blocks_python")
    assert gif_image_data(indices, 3) == expected
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("indices", "code_bits", "match"),
    [
        (np.zeros((2, 2), np.uint8), 1, "code_bits"),
        (np.zeros((2, 2), np.uint8), 9, "code_bits"),
        (np.full((2, 2), 4, np.uint8), 2, "does not fit"),
        (np.zeros((0, 3), np.uint8), 2, "non-empty"),
        (np.zeros((2, 2), np.int32), 2, "uint8"),
        (np.zeros(4, np.uint8), 2, "2-D"),
    ],
)
def test_gif_refuses_what_gif_cannot_hold(indices: np.ndarray, code_bits: int, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        gif_image_data(indices, code_bits)


# -- animated WebP ----------------------------------------------------------------------------

PALETTE = np.random.default_rng(5).integers(0, 256, (6, 3), dtype=np.uint8)


def _webp_frames(count: int, shape: tuple[int, int] = (23, 37)) -> list[tuple[np.ndarray, int]]:
    """(indices, duration_ms): a noisy ground with a block moving over it, durations uneven."""
    ground = np.random.default_rng(count).integers(0, PALETTE.shape[0], shape, dtype=np.uint8)
    frames = []
    for k in range(count):
        indices = ground.copy()
        indices[k % shape[0] : k % shape[0] + 6, k : k + 9] = k % PALETTE.shape[0]
        frames.append((indices, 40 + 17 * (k % 4)))
    return frames


def _encode_webp(frames: list[tuple[np.ndarray, int]], loop: int = 0) -> bytes:
    height, width = frames[0][0].shape
    animation = webp_animation((width, height), loop, WEBP)
    for indices, duration_ms in frames:
        frame = Image.fromarray(indices)
        frame.putpalette(PALETTE.tobytes())
        animation.add(frame, duration_ms)
    return animation.finish()


def _webp_decoded(data: bytes) -> list[tuple[np.ndarray, int]]:
    """(RGB pixels, duration_ms) of every frame of a WebP file."""
    frames = []
    with Image.open(io.BytesIO(data)) as image:
        for k in range(getattr(image, "n_frames", 1)):
            image.seek(k)
            frames.append((np.asarray(image.convert("RGB")), image.info.get("duration", 0)))
    return frames


def _save_all_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Calls of Pillow's public animated WebP save (as ``Image.save`` finds it)."""
    calls: list[tuple[Any, ...]] = []
    real: Callable[..., None] = Image.SAVE_ALL["WEBP"]

    def recorded(*args: Any) -> None:
        calls.append(args)
        real(*args)

    monkeypatch.setitem(Image.SAVE_ALL, "WEBP", recorded)
    return calls


@needs_webp
@needs_private_webp
@pytest.mark.parametrize(("count", "loop"), [(1, 0), (2, 0), (5, 3), (30, 0)])
def test_webp_twins_write_the_same_bytes(monkeypatch: pytest.MonkeyPatch, count: int, loop: int) -> None:
    frames = _webp_frames(count)  # 30 frames: past the key-frame spacing of 9..17
    calls = _save_all_calls(monkeypatch)
    private = _encode_webp(frames, loop)
    assert calls == []
    monkeypatch.setenv(PUBLIC_ENV, "1")
    public = _encode_webp(frames, loop)
    assert len(calls) == 1
    assert public == private


@needs_webp
def test_webp_public_twin_keeps_every_frame(public: None) -> None:
    frames = _webp_frames(12)
    decoded = _webp_decoded(_encode_webp(frames, loop=2))
    assert [duration for _, duration in decoded] == [duration for _, duration in frames]
    for (indices, _), (pixels, _) in zip(frames, decoded):
        assert np.array_equal(pixels, PALETTE[indices])


@needs_webp
@needs_private_webp
def test_webp_twins_write_the_same_file_for_a_scene(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _save_all_calls(monkeypatch)
    private = api.render("basics", tmp_path / "private.webp").read_bytes()
    assert calls == []
    monkeypatch.setenv(PUBLIC_ENV, "1")
    public = api.render("basics", tmp_path / "public.webp").read_bytes()
    assert len(calls) == 1
    assert public == private


@needs_webp
@pytest.mark.parametrize("version", [*OUTSIDE, "11.1.0"])  # 11.0 and 11.1 take the size as two numbers
def test_webp_outside_the_tested_releases_takes_save_all(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    frames = _webp_frames(3)
    monkeypatch.setattr(PIL, "__version__", version)
    calls = _save_all_calls(monkeypatch)
    decoded = _webp_decoded(_encode_webp(frames))
    assert len(calls) == 1
    assert all(np.array_equal(pixels, PALETTE[indices]) for (indices, _), (pixels, _) in zip(frames, decoded))


@needs_webp
@needs_private_webp
@pytest.mark.parametrize("version", ["11.2.0", "13.9.0"])
def test_webp_inside_the_tested_releases_streams(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    monkeypatch.setattr(PIL, "__version__", version)
    calls = _save_all_calls(monkeypatch)
    _encode_webp(_webp_frames(3))
    assert calls == []


@needs_webp
@needs_private_webp
def test_webp_without_the_private_encoder_takes_save_all(monkeypatch: pytest.MonkeyPatch) -> None:
    # A Pillow whose private module renamed WebPAnimEncoder, while its public save still works:
    # the plugin keeps a copy of the module as it was, the door sees the module without it.
    from PIL import _webp

    frames = _webp_frames(4)
    expected = _encode_webp(frames)
    monkeypatch.setattr(WebPImagePlugin, "_webp", SimpleNamespace(**vars(_webp)))
    monkeypatch.delattr(_webp, "WebPAnimEncoder")
    calls = _save_all_calls(monkeypatch)
    assert _encode_webp(frames) == expected
    assert len(calls) == 1


@needs_webp
@pytest.mark.parametrize("forced", [False, True])
def test_webp_needs_a_frame(monkeypatch: pytest.MonkeyPatch, forced: bool) -> None:
    if forced:
        monkeypatch.setenv(PUBLIC_ENV, "1")
    with pytest.raises(ValueError, match="no frames"):
        webp_animation((4, 4), 0, WEBP).finish()
