"""Writers, checked by reading every file back (Pillow for images, ffmpeg for video)."""

from __future__ import annotations

import subprocess

import importlib.util
import struct
from collections.abc import Iterator
from pathlib import Path

import imageio_ffmpeg  # type: ignore[import-untyped]
import numpy as np
import pytest
from PIL import Image, ImageSequence

from convanim.renderer import render_frames
from convanim.writers import FORMATS, atomic_target, open_writer
from convanim.writers import gif as gif_writer
from convanim.writers import mp4

#: Background (index 0), a dark line, a blue square: the three colours of the test frames.
PALETTE = bytes([250, 250, 250, 30, 30, 30, 0, 114, 178])
RGB = np.frombuffer(PALETTE, dtype=np.uint8).reshape(-1, 3)
SIZE = (48, 32)
SIDE_PX = 8
ANIMATED = ("gif", "apng", "webp")
SUFFIX = {"gif": ".gif", "apng": ".apng", "webp": ".webp", "mp4": ".mp4", "png": ""}
#: The formats that take palette frames (the vector ones are tested in test_vector.py).
RASTER = sorted(name for name, writer in FORMATS.items() if not writer.info.vector)


def square_frame(position: int, size: tuple[int, int] = SIZE) -> Image.Image:
    """A P frame: a line across the bottom and a square ``position`` steps from the left."""
    width, height = size
    indices = np.zeros((height, width), dtype=np.uint8)
    indices[height - 2, :] = 1
    left = (position * 3) % (width - SIDE_PX)
    indices[4 : 4 + SIDE_PX, left : left + SIDE_PX] = 2
    image = Image.fromarray(indices)
    image.putpalette(PALETTE)
    return image


def held_sequence() -> list[tuple[Image.Image, int]]:
    """Five positions with varied durations; position 2 is written twice (a hold)."""
    return [
        (square_frame(p), d) for p, d in [(0, 100), (1, 250), (2, 120), (2, 300), (3, 80), (4, 500)]
    ]


def merged(sequence: list[tuple[Image.Image, int]]) -> list[tuple[np.ndarray, int]]:
    """What a player should show: consecutive identical frames joined, their durations summed."""
    shown: list[tuple[np.ndarray, int]] = []
    for frame, duration_ms in sequence:
        indices = np.asarray(frame)
        if shown and np.array_equal(shown[-1][0], indices):
            shown[-1] = (indices, shown[-1][1] + duration_ms)
        else:
            shown.append((indices, duration_ms))
    return shown


def write(path: Path, sequence: list[tuple[Image.Image, int]], **options: object) -> list[Path]:
    with open_writer(path, **options) as writer:  # type: ignore[arg-type]
        for frame, duration_ms in sequence:
            writer.write(frame, duration_ms)
    return writer.written


def read_back(path: Path) -> Iterator[tuple[np.ndarray, int]]:
    """Each displayed frame as composited RGB, with its duration in ms, as Pillow plays it."""
    with Image.open(path) as image:
        for frame in ImageSequence.Iterator(image):
            frame.load()
            yield np.asarray(frame.convert("RGB")), round(frame.info["duration"])


def loop_info(path: Path) -> int | None:
    with Image.open(path) as image:
        return image.info.get("loop")


@pytest.mark.parametrize("name", ANIMATED)
def test_animation_reads_back_frame_by_frame(tmp_path: Path, name: str) -> None:
    sequence = held_sequence()
    path = tmp_path / f"anim{SUFFIX[name]}"
    assert write(path, sequence) == [path]
    expected = merged(sequence)
    got = list(read_back(path))
    assert len(got) == len(expected)  # the held frame became one longer frame
    for (rgb, duration_ms), (indices, expected_ms) in zip(got, expected, strict=True):
        assert rgb.shape == (SIZE[1], SIZE[0], 3)
        np.testing.assert_array_equal(rgb, RGB[indices])
        assert duration_ms == expected_ms
    assert loop_info(path) == 0


@pytest.mark.parametrize("name", ANIMATED)
def test_a_second_decoder_sees_the_same_frames(tmp_path: Path, name: str) -> None:
    """ffmpeg's own GIF/APNG/WebP decoders agree, pixel for pixel (not only Pillow's)."""
    sequence = [(square_frame(p), 100) for p in range(6)]
    path = tmp_path / f"anim{SUFFIX[name]}"
    write(path, sequence)
    _, frames = video_frames(path)
    assert len(frames) == len(sequence)
    for got, (frame, _) in zip(frames, sequence, strict=True):
        np.testing.assert_array_equal(got, RGB[np.asarray(frame)])


def gif_blocks(data: bytes) -> dict[str, object]:
    """The parts of a GIF these tests check, walked block by block (independent of Pillow)."""
    assert data[:6] == b"GIF89a"
    table_size = 3 << ((data[10] & 7) + 1)
    blocks: dict[str, object] = {"table": data[13 : 13 + table_size], "netscape": None}
    controls: list[tuple[int, int]] = []
    boxes: list[tuple[tuple[int, int, int, int], int]] = []
    pos = 13 + table_size
    while data[pos] != 0x3B:
        if data[pos] == 0x21:
            label, (pos, subs) = data[pos + 1], sub_blocks(data, pos + 2)
            if label == 0xF9:
                controls.append(((subs[0][0] >> 2) & 7, int.from_bytes(subs[0][1:3], "little")))
            elif label == 0xFF and subs[0] == b"NETSCAPE2.0":
                blocks["netscape"] = int.from_bytes(subs[1][1:3], "little")
        else:
            assert data[pos] == 0x2C
            boxes.append((struct.unpack("<HHHH", data[pos + 1 : pos + 9]), data[pos + 9]))
            pos, _ = sub_blocks(data, pos + 11)  # after the LZW minimum code size
    blocks["controls"], blocks["boxes"] = controls, boxes
    return blocks


def sub_blocks(data: bytes, pos: int) -> tuple[int, list[bytes]]:
    found = []
    while data[pos]:
        found.append(data[pos + 1 : pos + 1 + data[pos]])
        pos += 1 + data[pos]
    return pos + 1, found


def test_gif_shares_the_theme_palette_and_crops_to_changes(tmp_path: Path) -> None:
    sequence = held_sequence()
    path = tmp_path / "anim.gif"
    write(path, sequence)
    blocks = gif_blocks(path.read_bytes())
    table = blocks["table"]
    assert isinstance(table, bytes) and table[: len(PALETTE)] == PALETTE
    boxes = blocks["boxes"]
    assert isinstance(boxes, list) and all(
        flags & 0x80 == 0 for _, flags in boxes
    )  # no local tables
    assert boxes[0][0] == (0, 0, *SIZE)
    shown = merged(sequence)
    for (box, _), (before, _), (after, _) in zip(boxes[1:], shown[:-1], shown[1:], strict=True):
        rows, cols = np.nonzero(before != after)
        assert box == (
            cols.min(),
            rows.min(),
            cols.max() - cols.min() + 1,
            rows.max() - rows.min() + 1,
        )
    controls = blocks["controls"]
    assert isinstance(controls, list) and {disposal for disposal, _ in controls} == {1}


def test_gif_with_a_full_256_colour_palette_round_trips(tmp_path: Path) -> None:
    """No spare palette slot: transparency must use an index the changed pixels do not use,
    and a frame whose changes use every index must still come out right."""
    rng = np.random.default_rng(0)
    palette = rng.integers(0, 256, size=(256, 3), dtype=np.uint8)
    noise = rng.integers(0, 256, size=(SIZE[1], SIZE[0]), dtype=np.uint8)
    sequence = []
    for position in range(4):
        indices = np.asarray(square_frame(position)) * 100 + noise * (position == 3)
        frame = Image.fromarray(indices.astype(np.uint8))
        frame.putpalette(palette.tobytes())
        sequence.append((frame, 100))
    path = tmp_path / "full.gif"
    write(path, sequence)
    for (rgb, _), (frame, _) in zip(read_back(path), sequence, strict=True):
        np.testing.assert_array_equal(rgb, palette[np.asarray(frame)])


def repaints(seed: int, count: int = 8) -> list[tuple[Image.Image, int]]:
    """Frames of the test palette, each repainting a random share of the last one: changed and
    unchanged pixels of one colour interleave, the hard case for what may go transparent."""
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, 3, size=(SIZE[1], SIZE[0]), dtype=np.uint8)
    frames = []
    for _ in range(count):
        repaint = rng.random(indices.shape) < rng.uniform(0.02, 0.6)
        indices = np.where(repaint, rng.integers(0, 3, size=indices.shape), indices).astype(np.uint8)
        frame = Image.fromarray(indices)
        frame.putpalette(PALETTE)
        frames.append((frame, 100))
    return frames


@pytest.mark.parametrize("seed", range(4))
def test_gif_of_random_repaints_reads_back_exactly_in_two_decoders(tmp_path: Path, seed: int) -> None:
    sequence = repaints(seed)
    path = tmp_path / "repaints.gif"
    write(path, sequence)
    expected = [RGB[indices] for indices, _ in merged(sequence)]
    pillow = [rgb for rgb, _ in read_back(path)]
    _, ffmpeg = video_frames(path)
    for decoded in (pillow, ffmpeg):
        assert len(decoded) == len(expected)
        for got, want in zip(decoded, expected, strict=True):
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("seed", range(50))
def test_extended_runs_show_exactly_the_new_frame(seed: int) -> None:
    """Whichever unchanged pixels stay in their own colour, decoding (transparent = keep what
    was there) gives the new frame, also when the transparent index is an unchanged colour."""
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(1, 30)), int(rng.integers(1, 30)))
    before = rng.integers(0, 6, size=shape, dtype=np.uint8)
    pixels = np.where(rng.random(shape) < rng.random(), rng.integers(0, 4, size=shape), before)
    changed = pixels != before
    transparent = int(np.setdiff1d(np.arange(6), pixels[changed])[0])
    written = gif_writer.extend_runs(pixels.astype(np.uint8), changed, transparent)
    assert written.dtype == np.uint8 and written.shape == shape
    np.testing.assert_array_equal(np.where(written == transparent, before, written), pixels)
    assert (written[changed] == pixels[changed]).all()


def test_extended_runs_make_a_figure_no_larger_than_plain_transparency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("render_sample", Path(__file__).parent / "render_sample.py")
    assert spec and spec.loader
    sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sample)
    frames = list(render_frames(sample.reference(steps=8), scale=0.5))
    extended = tmp_path / "extended.gif"
    write(extended, frames)
    monkeypatch.setattr(
        gif_writer, "extend_runs", lambda pixels, changed, transparent: np.where(changed, pixels, transparent)
    )
    plain = tmp_path / "plain.gif"
    write(plain, frames)
    assert extended.stat().st_size <= plain.stat().st_size
    for (got, _), (want, _) in zip(read_back(extended), read_back(plain), strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("loop", [0, 1, 3])
def test_gif_loop_counts_plays(tmp_path: Path, loop: int) -> None:
    path = tmp_path / "anim.gif"
    write(path, held_sequence(), loop=loop)
    netscape = gif_blocks(path.read_bytes())["netscape"]
    # NETSCAPE stores repeats after the first play (0 = forever); playing once means no block.
    assert netscape == (None if loop == 1 else max(loop - 1, 0))
    assert loop_info(path) == netscape


@pytest.mark.parametrize("name", ["apng", "webp"])
def test_loop_is_stored_as_plays(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"anim{SUFFIX[name]}"
    write(path, held_sequence(), loop=2)
    assert loop_info(path) == 2


def test_gif_durations_are_whole_centiseconds_of_at_least_two(tmp_path: Path) -> None:
    durations_ms = [4, 10, 30, 1000]  # 0 cs, 1 cs (browsers would play 100 ms), 3 cs, 100 cs
    path = tmp_path / "fast.gif"
    write(path, [(square_frame(p), d) for p, d in enumerate(durations_ms)])
    read = [duration for _, duration in read_back(path)]
    assert read == [max(20, 10 * round(d / 10)) for d in durations_ms]


def test_gif_rounding_does_not_drift(tmp_path: Path) -> None:
    frame_ms, count = 33, 30
    path = tmp_path / "video-rate.gif"
    write(path, [(square_frame(p), frame_ms) for p in range(count)])
    read = [duration for _, duration in read_back(path)]
    assert all(d % 10 == 0 for d in read)
    assert abs(sum(read) - frame_ms * count) <= 5


def video_frames(path: Path) -> tuple[dict[str, object], list[np.ndarray]]:
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    width, height = meta["size"]
    return meta, [np.frombuffer(raw, np.uint8).reshape(height, width, 3) for raw in reader]


def test_mp4_pads_odd_sizes_and_repeats_frames_for_their_duration(tmp_path: Path) -> None:
    size, fps = (45, 31), 20
    frame_ms = 1000 // fps
    sequence = [(square_frame(p, size), frame_ms * (1 + p % 3)) for p in range(4)]
    path = tmp_path / "odd.mp4"
    assert write(path, sequence, fps=fps) == [path]
    meta, frames = video_frames(path)
    assert meta["size"] == (size[0] + 1, size[1] + 1)  # padded to even, not rescaled
    assert meta["fps"] == fps
    expected = [RGB[np.asarray(frame)] for frame, d in sequence for _ in range(d // frame_ms)]
    assert len(frames) == len(expected)
    for got, want in zip(frames, expected, strict=True):
        diff = np.abs(got[: size[1], : size[0]].astype(int) - want)
        assert diff.mean() < 6  # H.264 and 4:2:0 chroma are lossy at the edges of colours
        border = np.concatenate([got[:, size[0]], got[size[1], :]])
        assert np.abs(border.astype(int) - RGB[0]).max() < 12  # padding is the background colour


def test_mp4_frames_are_converted_to_yuv_as_ffmpeg_converts_them() -> None:
    """The palette's YUV 4:2:0 (BT.709, limited range) against ffmpeg's own conversion of the
    same RGB: luma within one level everywhere, chroma within two inside areas of one colour
    (swscale's fixed-point chroma rounds its own way; at the edges of colours its filter reaches
    further than a block's mean)."""
    rng = np.random.default_rng(3)
    palette = rng.integers(0, 256, (256, 3), dtype=np.uint8)
    palette[:3] = [(255, 255, 255), (0, 0, 0), (107, 184, 233)]
    indices = np.repeat(np.repeat(rng.integers(0, 256, (6, 8), dtype=np.uint8), 8, 0), 8, 1)
    indices[:8, :8] = 0  # a white block first
    height, width = indices.shape
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
               "-s", f"{width}x{height}", "-i", "-", "-vf", "scale=out_color_matrix=bt709:out_range=tv",
               "-pix_fmt", "yuv420p", "-f", "rawvideo", "-"]
    theirs = np.frombuffer(subprocess.run(command, input=palette[indices].tobytes(), capture_output=True,
                                          check=True).stdout, np.uint8).astype(int)
    ours = np.frombuffer(mp4.Yuv420(palette.tobytes()).planes(indices), np.uint8).astype(int)
    pixels = width * height
    assert len(ours) == len(theirs) == pixels * 3 // 2
    assert np.abs(ours[:pixels] - theirs[:pixels]).max() <= 1
    chroma = np.abs(ours[pixels:] - theirs[pixels:]).reshape(2, height // 2, width // 2)
    inside = chroma[:, np.arange(height // 2) % 4 % 3 != 0][:, :, (np.arange(width // 2) % 4 % 3 != 0)]
    assert inside.max() <= 2
    assert ours[:3].tolist() == [235, 235, 235] and ours[pixels] == 128  # white: top luma, no chroma


def test_yuv_of_a_frame_that_changed_in_places_is_that_of_the_frame_alone() -> None:
    """Frame after frame only the changed 2x2 blocks are converted again: in bands at several
    heights, at odd rows and columns, at the edges, and not at all; each result equals a fresh
    conversion of that frame."""
    rng = np.random.default_rng(5)
    palette = rng.integers(0, 256, 768, dtype=np.uint8).tobytes()
    kept = mp4.Yuv420(palette)
    frame = rng.integers(0, 256, (40, 60), dtype=np.uint8)
    for _ in range(200):
        frame = frame.copy()
        for _ in range(rng.integers(0, 4)):  # 0..3 rectangles, possibly none
            y, x, h, w = rng.integers(0, 40), rng.integers(0, 60), rng.integers(1, 9), rng.integers(1, 15)
            frame[y: y + h, x: x + w] = rng.integers(0, 256)
        assert bytes(kept.planes(frame)) == bytes(mp4.Yuv420(palette).planes(frame))
    other = rng.integers(0, 256, (20, 30), dtype=np.uint8)  # another size: converted whole
    assert bytes(kept.planes(other)) == bytes(mp4.Yuv420(palette).planes(other))


def test_mp4_read_back_counts_frames_and_refuses_what_is_no_video(tmp_path: Path) -> None:
    from convanim.errors import RenderError

    written = write(tmp_path / "ok.mp4", held_sequence())
    assert mp4._count_frames(written[0]) == imageio_ffmpeg.count_frames_and_secs(str(written[0]))[0]
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"\0" * 4096)
    with pytest.raises(RenderError, match="cannot read the video back"):
        mp4._count_frames(garbage)


def test_mp4_that_does_not_decode_fully_fails_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mp4, "_count_frames", lambda path: 1)
    with pytest.raises(RuntimeError, match="expected"):
        write(tmp_path / "bad.mp4", held_sequence())
    assert list(tmp_path.iterdir()) == []


def test_png_frames_folder_is_numbered_with_a_poster(tmp_path: Path) -> None:
    sequence = held_sequence()
    written = write(tmp_path / "conv.png", sequence)
    folder = tmp_path / "conv"
    assert sorted(folder.iterdir()) == sorted(written)
    *frames, poster = written
    assert [p.name for p in frames] == [f"conv_{i:03d}.png" for i in range(len(sequence))]
    assert poster.name == "conv_poster.png"
    for path, (frame, _) in zip([*frames, poster], [*sequence, sequence[-1]], strict=True):
        with Image.open(path) as image:
            assert image.mode == "P"
            assert bytes(image.getpalette() or [])[: len(PALETTE)] == PALETTE
            np.testing.assert_array_equal(np.asarray(image), np.asarray(frame))


def test_png_frames_at_an_fps_repeat_each_frame_for_its_duration(tmp_path: Path) -> None:
    fps, frame_ms = 10, 100
    counts = [1, 3, 12]  # 16 files in all, so numbers keep three digits
    sequence = [(square_frame(p), frame_ms * n) for p, n in enumerate(counts)]
    *frames, _ = write(tmp_path / "held", sequence, fps=fps)
    assert len(frames) == sum(counts)
    firsts = np.cumsum([0, *counts[:-1]])
    for first, (frame, _) in zip(firsts, sequence, strict=True):
        with Image.open(frames[first]) as image:
            np.testing.assert_array_equal(np.asarray(image), np.asarray(frame))


def test_png_frame_numbers_widen_with_the_count(tmp_path: Path) -> None:
    count = 1001
    *frames, _ = write(tmp_path / "long", [(square_frame(0), 10)] * count, format="png")
    assert frames[0].name == "long_0000.png" and frames[-1].name == f"long_{count - 1}.png"


def existing_target(tmp_path: Path, name: str) -> Path:
    """An old file (or folder) where the writer will write, with known content."""
    path = tmp_path / f"anim{SUFFIX[name]}"
    target = FORMATS[name].target(path)
    if FORMATS[name].info.folder:
        target.mkdir()
        (target / "anim_000.png").write_bytes(b"old")
    else:
        target.write_bytes(b"old")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("name", RASTER)
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_failure_mid_write_keeps_the_old_file_and_leaves_no_temp(
    tmp_path: Path, name: str, error: type[BaseException]
) -> None:
    path = existing_target(tmp_path, name)
    before = snapshot(tmp_path)
    with pytest.raises(error), open_writer(path) as writer:
        for frame, duration_ms in held_sequence()[:3]:
            writer.write(frame, duration_ms)
        raise error("stop")
    assert snapshot(tmp_path) == before
    assert [p.name for p in tmp_path.iterdir()] == [FORMATS[name].target(path).name]


@pytest.mark.parametrize("name", RASTER)
def test_success_replaces_the_old_file(tmp_path: Path, name: str) -> None:
    path = existing_target(tmp_path, name)
    written = write(path, held_sequence())
    assert all(p.exists() for p in written)
    assert b"old" not in snapshot(tmp_path).values()
    assert len(list(tmp_path.iterdir())) == 1


@pytest.mark.parametrize("name", RASTER)
def test_same_frames_give_byte_identical_files(tmp_path: Path, name: str) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    for folder in (first, second):
        write(folder / f"anim{SUFFIX[name]}", held_sequence(), format=name)
    assert snapshot(first) == snapshot(second)


def test_unknown_suffix_or_format_lists_the_formats(tmp_path: Path) -> None:
    for call in (
        lambda: open_writer(tmp_path / "a.avi"),
        lambda: open_writer(tmp_path / "a", "avi"),
    ):
        with pytest.raises(ValueError, match=r"gif.*mp4|mp4.*gif"):
            call()


def test_missing_ffmpeg_is_an_error_not_another_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(tmp_path / "no-ffmpeg"))
    with pytest.raises(ValueError, match="format: mp4"):
        open_writer(tmp_path / "a.mp4")


def test_missing_folders_are_created(tmp_path: Path) -> None:
    open_writer(tmp_path / "figs" / "deep" / "a.gif")
    assert (tmp_path / "figs" / "deep").is_dir()


def test_unwritable_folder_is_a_one_line_error() -> None:
    with pytest.raises(OSError, match="cannot write") as caught:
        open_writer("/proc/convanim/a.gif")
    assert "\n" not in str(caught.value)


def test_a_folder_with_other_files_is_never_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "figs"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(OSError, match=r"holds other files \(notes\.txt\)"):
        open_writer(folder, "png")
    assert (folder / "notes.txt").read_text() == "mine"


def test_a_folder_of_its_own_frames_is_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "figs"
    folder.mkdir()
    (folder / "figs_000.png").write_bytes(b"old")
    with open_writer(folder, "png") as writer:
        writer.write(square_frame(0), 100)
    assert (folder / "figs_000.png").read_bytes() != b"old"


@pytest.mark.parametrize(
    ("frame", "duration_ms", "message"),
    [
        (square_frame(0).convert("RGB"), 100, "mode"),
        (square_frame(0, (SIZE[0] + 2, SIZE[1])), 100, "size"),
        (square_frame(0), 0, "duration_ms"),
    ],
)
def test_frames_breaking_the_contract_are_refused(
    tmp_path: Path, frame: Image.Image, duration_ms: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message), open_writer(tmp_path / "a.gif") as writer:
        writer.write(square_frame(0), 100)
        writer.write(frame, duration_ms)
    assert list(tmp_path.iterdir()) == []


def test_a_changed_palette_is_refused(tmp_path: Path) -> None:
    other = square_frame(1)
    other.putpalette(PALETTE[::-1])
    with pytest.raises(ValueError, match="palette"), open_writer(tmp_path / "a.webp") as writer:
        writer.write(square_frame(0), 100)
        writer.write(other, 100)


def test_no_frames_is_an_error_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no frames"), open_writer(tmp_path / "a.apng"):
        pass
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("options", [{"loop": -1}, {"fps": 0}, {"crf": 52}])
def test_bad_options_are_refused(tmp_path: Path, options: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=next(iter(options))):
        open_writer(tmp_path / "a.mp4", **options)  # type: ignore[arg-type]


def test_atomic_target_renames_on_success_and_cleans_up_on_error(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    with atomic_target(target) as temp:
        assert temp.parent == tmp_path and temp.name.startswith(".")
        temp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    with pytest.raises(KeyboardInterrupt), atomic_target(target) as temp:
        temp.write_bytes(b"partial")
        raise KeyboardInterrupt
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    assert target.read_bytes() == b"new"
