"""The library API: rendering targets to files, option checks, atomic failures, render_all."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageSequence

from convanim import api
from convanim.picture import Timeline
from convanim.registry import load_scene_file
from convanim.writers import format_info

from slides_support import SIZE, scene_file  # noqa: E402  (the tiny scene file the tests share)

BROKEN = '\n@scene("broken", "raises")\ndef broken():\n    return 1 / 0\n'


@pytest.fixture
def scenes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared two-scene file, kept out of ``tmp_path`` so tests can check that stays empty."""
    return scene_file(tmp_path_factory.mktemp("scenes"))


@pytest.fixture
def timeline(scenes: Path) -> Timeline:
    """A three-step sweep of a small grid: quick to render."""
    return load_scene_file(scenes).get("tiny-two").timeline()


def gif_durations(path: Path) -> list[int]:
    with Image.open(path) as image:
        return [frame.info["duration"] for frame in ImageSequence.Iterator(image)]


def expected_step_ms(timeline: Timeline) -> list[int]:
    """Each step's time on screen, from the timeline's own numbers."""
    durations = [step.hold_ms for step in timeline.steps]
    durations[0] += timeline.hold_start_ms
    durations[-1] += timeline.hold_end_ms
    return durations


def test_timeline_steps_one_frame_per_step(tmp_path: Path, timeline: Timeline) -> None:
    path = api.render(timeline, tmp_path / "tiny.gif", size=SIZE)
    assert path == tmp_path / "tiny.gif"
    assert gif_durations(path) == pytest.approx(expected_step_ms(timeline), abs=10)


def test_hold_overrides_every_step(tmp_path: Path, timeline: Timeline) -> None:
    path = api.render(timeline, tmp_path / "held.gif", size=SIZE, hold_ms=700)
    held = replace(timeline, steps=tuple(replace(step, hold_ms=700) for step in timeline.steps))
    assert gif_durations(path) == pytest.approx(expected_step_ms(held), abs=10)


def test_fps_adds_in_between_frames_for_gif(tmp_path: Path, timeline: Timeline) -> None:
    stepped = api.render(timeline, tmp_path / "stepped.gif", size=SIZE)
    glided = api.render(timeline, tmp_path / "glided.gif", size=SIZE, fps=25)
    assert len(gif_durations(glided)) > len(gif_durations(stepped))
    assert sum(gif_durations(glided)) == pytest.approx(sum(expected_step_ms(timeline)), abs=20)


def test_default_path_and_format(tmp_path: Path, timeline: Timeline) -> None:
    path = api.render(timeline, out_dir=tmp_path / "figs", name="mine", size=SIZE)
    assert path == tmp_path / "figs" / "mine.gif" and path.is_file()
    webp = api.render(timeline, tmp_path / "a.webp", size=SIZE)
    with Image.open(webp) as image:
        assert image.format == "WEBP"
    forced = api.render(timeline, tmp_path / "b.img", format="apng", size=SIZE)
    with Image.open(forced) as image:
        assert image.format == "PNG" and image.n_frames == len(timeline.steps)


def test_mp4_is_video_rate_and_even_sized(tmp_path: Path, timeline: Timeline) -> None:
    import imageio_ffmpeg

    path = api.render(timeline, tmp_path / "odd.mp4", size="201x151")
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    frames = sum(1 for _ in reader)
    width, height = meta["size"]
    assert width % 2 == 0 and height % 2 == 0
    assert meta["fps"] == pytest.approx(format_info('mp4').rate_fps)
    assert frames == pytest.approx(sum(expected_step_ms(timeline)) * format_info('mp4').rate_fps / 1000, abs=2)


def test_mp4_lasts_as_long_as_the_gif(tmp_path: Path) -> None:
    """The glide takes its frames from each step's hold: the video is the GIF's length, to the
    nearest video frame, however its steps fall on the video's frame clock."""
    import imageio_ffmpeg

    gif = api.render("basics", tmp_path / "a.gif", size=SIZE)
    video = api.render("basics", tmp_path / "a.mp4", size=SIZE)
    reader = imageio_ffmpeg.read_frames(str(video))
    fps = next(reader)["fps"]
    frames = sum(1 for _ in reader)
    assert frames / fps == pytest.approx(sum(gif_durations(gif)) / 1000, abs=0.5 / fps)


def test_png_frames_and_beamer_line(tmp_path: Path, timeline: Timeline) -> None:
    folder = api.render(timeline, tmp_path / "frames.png", size=SIZE)
    assert folder == tmp_path / "frames" and folder.is_dir()
    frames = sorted(folder.glob("frames_[0-9]*.png"))
    assert len(frames) == pytest.approx(sum(expected_step_ms(timeline)) * format_info('png').rate_fps / 1000, abs=1)
    line = api.beamer_line(folder)
    first, last = frames[0].stem.split("_")[-1], frames[-1].stem.split("_")[-1]
    fps = f"{format_info('png').rate_fps:g}"
    prefix = (folder / "frames_").as_posix()
    assert line == f"\\animategraphics[loop,autoplay,controls]{{{fps}}}{{{prefix}}}{{{first}}}{{{last}}}"


def test_frames_never_replace_a_folder_of_other_files(tmp_path: Path, timeline: Timeline) -> None:
    keep = tmp_path / "notes.txt"
    keep.write_text("mine")
    with pytest.raises(OSError, match="other files"):
        api.render(timeline, tmp_path, format="png", size=SIZE)
    assert sorted(tmp_path.iterdir()) == [keep] and keep.read_text() == "mine"
    frames = api.render(timeline, tmp_path / "frames", size=SIZE)
    again = api.render(timeline, frames, size=SIZE, hold_ms=400)  # its own frames: replaced
    assert again == frames and len(list(frames.iterdir())) > 1


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("fps", 0, "fps"),
        ("fps", -5.0, "fps"),
        ("fps", float("nan"), "fps"),
        ("fps", 10_000, "fps"),
        ("theme", "blue", "theme"),
        ("size", "12x", "size"),
        ("size", "huge", "size"),
        ("scale", 0, "scale"),
        ("loop", -1, "loop"),
        ("hold_ms", 0, "hold_ms"),
        ("format", "bmp", "format"),
        ("bare", "yes", "bare"),
    ],
)
def test_bad_options_fail_before_any_work(
    tmp_path: Path, timeline: Timeline, option: str, value: object, named: str
) -> None:
    with pytest.raises(ValueError, match=named):
        api.render(timeline, tmp_path / "x.gif", **{option: value})  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_unknown_suffix_is_refused(tmp_path: Path, timeline: Timeline) -> None:
    with pytest.raises(ValueError, match="suffix"):
        api.render(timeline, tmp_path / "x.bmp")


def unwritable() -> Iterator[Path]:
    yield Path("/proc/x.gif")
    yield Path(__file__) / "x.gif"  # below a regular file


@pytest.mark.parametrize("path", list(unwritable()), ids=str)
def test_unwritable_output_is_an_os_error(timeline: Timeline, path: Path) -> None:
    with pytest.raises(OSError, match="cannot write"):
        api.render(timeline, path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_is_an_os_error(tmp_path: Path, timeline: Timeline) -> None:
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(OSError, match="cannot write"):
            api.render(timeline, tmp_path / "x.gif")
    finally:
        tmp_path.chmod(0o755)


def test_failure_while_rendering_leaves_old_file(
    tmp_path: Path, timeline: Timeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    import convanim.renderer

    path = tmp_path / "keep.gif"
    path.write_bytes(b"old")
    real = convanim.renderer.render_frames

    def broken(*args: object, **kwargs: object) -> Iterator[tuple[Image.Image, int]]:
        frames = real(*args, **kwargs)
        yield next(frames)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(convanim.renderer, "render_frames", broken)
    with pytest.raises(api.RenderError, match="disk on fire"):
        api.render(timeline, path, size=SIZE)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.gif"]


def test_file_target_with_several_scenes_needs_a_name(tmp_path: Path, scenes: Path) -> None:
    with pytest.raises(ValueError, match="holds 2 scenes"):
        api.render(str(scenes), out_dir=tmp_path)
    path = api.render(f"{scenes}:tiny-two", out_dir=tmp_path, size=SIZE)
    assert path == tmp_path / "tiny-two.gif" and path.is_file()


@pytest.mark.parametrize("jobs", [1, 2])
def test_render_all_reports_a_failure_and_renders_the_rest(tmp_path: Path, scenes: Path, jobs: int) -> None:
    scenes.write_text(scenes.read_text() + BROKEN)
    targets = [f"{scenes}:{name}" for name in ("tiny-one", "broken", "tiny-two")]
    seen: list[tuple[str, int, int]] = []
    out = tmp_path / "out"
    results = api.render_all(
        out,
        jobs=jobs,
        names=targets,
        size=SIZE,
        progress=lambda result, done, total: seen.append((result.name, done, total)),
    )
    assert [r.name for r in results] == targets
    assert sorted(done for _, done, _ in seen) == [1, 2, 3] and {t for _, _, t in seen} == {3}
    failed = [r for r in results if not r.ok]
    assert [r.name for r in failed] == [targets[1]] and "ZeroDivisionError" in (failed[0].error or "")
    assert [r.path for r in results if r.ok] == [out / "tiny-one.gif", out / "tiny-two.gif"]
    assert sorted(p.name for p in out.iterdir()) == ["tiny-one.gif", "tiny-two.gif"]


def test_render_all_checks_options_first(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="fps"):
        api.render_all(tmp_path, fps=0)
    with pytest.raises(ValueError, match="jobs"):
        api.render_all(tmp_path, jobs=0)
    assert list(tmp_path.iterdir()) == []


def test_custom_from_kwargs(tmp_path: Path) -> None:
    from convanim.core.spec import ConvSpec
    from convanim.figures import arithmetic

    kwargs = {"input_size": 4, "kernel_size": 3, "stride": 1}
    path = api.custom(kwargs, out_dir=tmp_path, size=SIZE)
    assert path == tmp_path / "custom.gif"
    steps = len(arithmetic(ConvSpec.create(**kwargs)).steps)
    assert len(gif_durations(path)) == steps
    with pytest.raises(ValueError, match="groups"):
        api.custom({"input_size": 4, "kernel_size": 3, "in_channels": 3, "groups": 2}, tmp_path / "bad.gif")
    assert not (tmp_path / "bad.gif").exists()


def test_no_public_name_of_the_package_is_also_a_module_name() -> None:
    """``convanim.render`` once named both a function and a subpackage: after the subpackage was
    imported, the function was gone. No lazily exported name may be a submodule's name."""
    import importlib.util

    import convanim

    clashes = [name for name in convanim.__all__ if importlib.util.find_spec(f"convanim.{name}") is not None]
    assert clashes == []


#: Each public function once, in a fresh interpreter: ``convanim.NAME(...)`` as a notebook cell
#: would call it (with ``{scenes}`` and ``{out}`` filled in), returning something to check.
PUBLIC_CALLS = {
    "render": 'convanim.render("{scenes}:tiny-one", "{out}/a.gif", size="{size}").stat().st_size > 0',
    "custom": 'convanim.custom({{"input_size": 3, "kernel_size": 2}}, "{out}/b.gif", size="{size}").is_file()',
    "show": 'convanim.show("{scenes}:tiny-two", size="{size}").data[:6] == b"GIF89a"',
    "render_all": 'all(r.ok for r in convanim.render_all("{out}/all", names=["{scenes}:tiny-one"], jobs=1, '
                  'size="{size}"))',
}


@pytest.mark.parametrize("first", list(PUBLIC_CALLS))
def test_the_public_api_in_any_order_in_a_fresh_process(tmp_path: Path, first: str) -> None:
    """Whichever public function a notebook calls first, every one still works after it, twice.

    A fresh interpreter, because what broke ``convanim.render`` was importing a submodule the
    first call pulled in, which this test process has long since imported.
    """
    import subprocess
    import sys

    names = list(PUBLIC_CALLS)
    order = names[names.index(first):] + names[: names.index(first)]
    calls = [PUBLIC_CALLS[name].format(scenes=scene_file(tmp_path), out=tmp_path, size=SIZE) for name in order * 2]
    script = "import convanim\n" + "".join(f"assert {call}, {call!r}\n" for call in calls)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_public_api_can_be_called_again_and_again_in_one_process(tmp_path: Path) -> None:
    import convanim

    scenes = scene_file(tmp_path)
    for _ in range(2):
        for call in (convanim.render, convanim.custom, convanim.show):
            assert callable(call)
        convanim.render(f"{scenes}:tiny-one", tmp_path / "a.gif", size=SIZE)
        convanim.custom({"input_size": 3, "kernel_size": 2}, tmp_path / "b.gif", size=SIZE)
        assert convanim.show(f"{scenes}:tiny-one", size=SIZE).data[:6] == b"GIF89a"
    from convanim.registry import scene

    assert convanim.scene is scene
