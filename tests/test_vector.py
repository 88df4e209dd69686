"""Vector output: SVG frames, the animated SVG, PDF pages, stills and storyboards.

The pictures are checked in the programs that read them: SVG rasterised by headless Chromium,
PDF by poppler's pdftoppm, each compared with the PNG frame of the same step (the raster renderer
is the reference). Compared in blocks of 4×4 pixels: anti-aliasing and font hinting differ from
one rasteriser to the next by a few levels at every edge, while a shape missing, misplaced or in
another colour changes whole blocks by a hundred levels and more.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from convanim import api
from convanim.cli import main
from convanim.drawing import Drawing, Fill, Text
from convanim.registry import builtin_scenes
from convanim.renderer.strip import columns_for, evenly, storyboard
from convanim.writers import open_writer
from test_html_browser import DevTools, browser, chromium, open_page  # noqa: F401 (browser: a fixture)

#: One scene of every kind, and the step drawn: an oblique sweep, numbers under the kernel's
#: shadow, a volume, groups with hatches, a matrix, a heat map, a phased figure, path counts.
CASES = [("arith-padding-strides", 4), ("computation", 5), ("conv3d", 10), ("shuffled-grouped", "last"),
         ("transposed-matrix", 3), ("image-kernel", 2), ("depthwise-separable", 30), ("receptive-field", "last")]
#: Tolerances on the 4×4-pixel blocks' largest channel difference (0-255), over the image: their
#: mean, their 99th percentile, the largest. Measured worst: 3.0, 34, 65.
MEAN, P99, WORST = 4.5, 45, 95


def pdftoppm() -> str:
    found = shutil.which("pdftoppm")
    if found is None:
        pytest.skip("no pdftoppm (CI installs Debian's poppler-utils)")
    return found


def svg_pixels(svg: Path, size: tuple[int, int], out: Path, budget_ms: int | None = None) -> Image.Image:
    """``svg`` as Chromium shows it in a window of ``size`` (after ``budget_ms`` of its clock)."""
    timing = [] if budget_ms is None else [f"--virtual-time-budget={budget_ms}"]
    subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--force-device-scale-factor=1", f"--window-size={size[0]},{size[1]}", *timing,
                    f"--screenshot={out}", svg.resolve().as_uri()], check=True, capture_output=True, timeout=120)
    return Image.open(out).convert("RGB")


def pdf_pixels(pdf: Path, out: Path, page: int = 1) -> Image.Image:
    """Page ``page`` of ``pdf`` at 72 dpi: one PDF point is one pixel of the figure."""
    subprocess.run([pdftoppm(), "-r", "72", "-png", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(out.with_suffix(""))], check=True, timeout=120)
    return Image.open(out).convert("RGB")


def block_differences(a: Image.Image, b: Image.Image) -> tuple[float, float, float]:
    assert a.size == b.size, (a.size, b.size)
    d = np.abs(np.asarray(a.reduce(4), dtype=int) - np.asarray(b.reduce(4), dtype=int)).max(axis=2)
    return float(d.mean()), float(np.percentile(d, 99)), float(d.max())


def assert_same_picture(reference: Image.Image, other: Image.Image, what: str) -> None:
    mean, p99, worst = block_differences(reference, other)
    assert mean <= MEAN and p99 <= P99 and worst <= WORST, f"{what}: mean {mean:.2f}, p99 {p99:.0f}, max {worst:.0f}"


@pytest.mark.parametrize(("name", "step"), CASES)
def test_svg_and_pdf_are_the_png_frame(tmp_path: Path, name: str, step: int | str) -> None:
    theme = "dark" if name in ("computation", "shuffled-grouped") else "light"
    paths = {fmt: api.render(name, tmp_path / f"{name}.{fmt}", step=step, theme=theme) for fmt in ("png", "svg", "pdf")}
    reference = Image.open(paths["png"]).convert("RGB")
    assert_same_picture(reference, svg_pixels(paths["svg"], reference.size, tmp_path / "svg.png"), f"{name} svg")
    assert_same_picture(reference, pdf_pixels(paths["pdf"], tmp_path / "pdf.png"), f"{name} pdf")


def test_the_comparison_sees_a_wrong_picture(tmp_path: Path) -> None:
    """The tolerance is not so loose that another step, or a frame without its numbers, passes."""
    one = Image.open(api.render("computation", tmp_path / "a.png", step=5)).convert("RGB")
    other = Image.open(api.render("computation", tmp_path / "b.png", step=6)).convert("RGB")
    with pytest.raises(AssertionError):
        assert_same_picture(one, other, "another step")


def test_a_pdf_has_a_page_and_a_svg_folder_a_file_a_step(tmp_path: Path) -> None:
    name = "arith-padding-strides"
    steps = len(builtin_scenes().get(name).timeline().steps)
    pdf = api.render(name, tmp_path / "all.pdf")
    folder = api.render(name, tmp_path / "frames.svg")
    assert folder == tmp_path / "frames" and folder.is_dir()
    assert sorted(p.name for p in folder.iterdir()) == [f"frames_{k:03d}.svg" for k in range(steps)]
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes())) == steps
    reference = Image.open(api.render(name, tmp_path / "s.png", step=6)).convert("RGB")
    assert_same_picture(reference, pdf_pixels(pdf, tmp_path / "p.png", page=7), "page 7")
    assert_same_picture(reference, svg_pixels(folder / "frames_006.svg", reference.size, tmp_path / "v.png"), "svg 6")


SHOWN_AT = """
document.getAnimations().forEach((a) => { a.pause(); a.currentTime = %d; });
[...document.querySelectorAll('g.s')].flatMap((g, i) => getComputedStyle(g).visibility === 'visible' ? [i] : [])
"""


def test_the_animated_svg_shows_each_step_for_its_time(tmp_path: Path, browser: DevTools) -> None:
    """Its clock set to a time within each step (and near both ends of a few), the browser shows
    that step's group and no other; past the end it starts again."""
    name = "basics"
    durations = api.step_times(builtin_scenes().get(name).timeline())
    svg = api.render(name, tmp_path / "a.svg", animate=True)
    session = open_page(browser, svg.resolve().as_uri())
    starts = np.cumsum([0, *durations]).tolist()
    for step in range(len(durations)):
        for at in (starts[step] + 5, (starts[step] + starts[step + 1]) // 2, starts[step + 1] - 5):
            assert browser.evaluate(session, SHOWN_AT % at) == [step], (step, at)
    assert browser.evaluate(session, SHOWN_AT % (starts[-1] + 5)) == [0]  # loops for ever by default
    # The picture each group draws is the step's frame (the frames folder is compared above).
    reference = Image.open(api.render(name, tmp_path / "6.png", step=6)).convert("RGB")
    browser.call("Emulation.setDeviceMetricsOverride", session, width=reference.width, height=reference.height,
                 deviceScaleFactor=1, mobile=False)
    browser.evaluate(session, SHOWN_AT % (starts[6] + 5))
    assert browser.evaluate(session, "document.fonts.ready.then((fonts) => fonts.size)") >= 2  # embedded fonts
    shot = browser.call("Page.captureScreenshot", session, format="png",
                        clip={"x": 0, "y": 0, "width": reference.width, "height": reference.height, "scale": 1})
    import base64
    import io

    shown = Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("RGB")
    assert_same_picture(reference, shown, "step 6")


def test_same_figure_same_bytes_in_another_process(tmp_path: Path) -> None:
    """No clock, no random ids, no set order: a second process with another hash seed writes the
    same files."""
    name = "transposed-strided"
    script = (
        "import sys; from convanim import api; out = sys.argv[1]\n"
        f"api.render('{name}', out + '/f.pdf'); api.render('{name}', out + '/f.svg')\n"
        f"api.render('{name}', out + '/a.svg', animate=True); api.render('{name}', out + '/s.svg', strip=3)\n"
    )
    runs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        out.mkdir()
        # From the scratch folder: in a checkout, ``-c`` would import its sources, not the install.
        subprocess.run([sys.executable, "-c", script, str(out)], check=True, cwd=tmp_path,
                       env={**os.environ, "PYTHONHASHSEED": seed})
        runs.append({str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert runs[0] == runs[1] and len(runs[0]) == 3 + len(builtin_scenes().get(name).timeline().steps)


def test_text_stays_text_in_embedded_fonts(tmp_path: Path) -> None:
    from fontTools.ttLib import TTFont
    import base64
    import io

    timeline = builtin_scenes().get("computation").timeline()
    pdf = api.render("computation", tmp_path / "c.pdf", step=3)
    svg = api.render("computation", tmp_path / "c.svg", step=3)
    if shutil.which("pdftotext"):
        words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert timeline.background.title in " ".join(words.split())
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = [line.split() for line in fonts.splitlines()[2:]]
        assert rows and all(row[-5] == "yes" and row[-4] == "yes" for row in rows), fonts  # embedded, subset
    text = svg.read_text(encoding="utf-8")
    assert f">{timeline.background.title}</text>" in text
    shown = set("".join(re.findall(r">([^<]+)</text>", text)))
    for data in re.findall(r"base64,([A-Za-z0-9+/=]+)", text):
        font = TTFont(io.BytesIO(base64.b64decode(data)))
        assert font.flavor == "woff"
        shown -= {chr(code) for code in font.getBestCmap()}
    assert shown <= {" "} and "url(http" not in text  # every character drawn from an embedded font


# -- stills and storyboards -------------------------------------------------------------------


def test_evenly_spaced_steps_keep_the_first_and_the_last() -> None:
    assert evenly(4, 25) == [0, 8, 16, 24]
    assert evenly(1, 25) == [24] and evenly(9, 3) == [0, 1, 2]
    assert [columns_for(n) for n in (1, 4, 5, 6, 8, 9)] == [1, 4, 3, 3, 4, 3]


def test_a_storyboard_puts_each_step_in_its_own_panel_with_its_label(tmp_path: Path) -> None:
    timeline = builtin_scenes().get("basics").timeline()
    board = storyboard(timeline, [0, 12, 24])
    labels = [item.text for item in board.background.items if getattr(item, "text", "").startswith("step ")]
    assert labels == ["step 0", "step 12", "step 24"] and len(board.steps) == 1
    per_step = len(timeline.background.items) + len(timeline.steps[0].overlay.items)
    assert len(board.background.items) == 3 * per_step + 3
    png = api.render("basics", tmp_path / "b.png", strip=(0, 12, "last"))
    assert Image.open(png).width == 3 * 600  # a README width a panel
    reference = Image.open(png).convert("RGB")
    svg = api.render("basics", tmp_path / "b.svg", strip=(0, 12, "last"))
    assert_same_picture(reference, svg_pixels(svg, reference.size, tmp_path / "bs.png"), "storyboard svg")


BAD = [
    (["render", "basics", "--step", "99", "-o", "x.png"], "step 99 does not exist"),
    (["render", "basics", "--step", "-1", "-o", "x.png"], "not a step number"),
    (["render", "basics", "--step", "middle", "-o", "x.png"], "not a step number"),
    (["render", "basics", "--step", "3", "-o", "x.gif"], "one picture is written as png, svg, pdf, not gif"),
    (["render", "basics", "--strip", "--format", "mp4"], "not mp4"),
    (["render", "basics", "--step", "3", "--strip", "-o", "x.png"], "ask for one"),
    (["render", "basics", "--steps", "0,4", "--panels", "3", "-o", "x.png"], "give one of the two"),
    (["render", "basics", "--steps", "0,30", "-o", "x.png"], "step 30 does not exist"),
    (["render", "basics", "--animate", "-o", "x.gif"], "an animated svg is one .svg file"),
    (["render", "basics", "--animate", "--format", "pdf", "-o", "x.pdf"], "only an svg animates"),
    (["render", "basics", "--animate", "--step", "2", "-o", "x.svg"], "is one picture"),
    (["render", "basics", "--format", "pdf", "--fps", "10", "-o", "x.pdf"], "leave --fps out"),
    (["render", "basics", "--format", "svg", "--crf", "20", "-o", "x.svg"], "crf: only mp4"),
    (["render", "basics", "--format", "svg", "-o", "x.svg/"], None),  # a folder: allowed
    (["custom", "--input", "64", "--kernel", "3", "--every-position", "-o", "x.pdf"], "cells drawn in all the pages"),
    (["slides", "basics", "-o", "d.html", "--frames", "png"], "only a Beamer deck takes --frames"),
    (["slides", "basics", "--format", "beamer", "-o", "deck", "--fps", "2"], "fps: pdf frames"),
]


@pytest.mark.parametrize(("args", "message"), [case for case in BAD if case[1]], ids=lambda v: str(v)[:40])
def test_bad_still_and_vector_options_are_one_line_exit_2_and_write_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args)
    lines = (result.stderr or result.output).strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.output, lines
    assert not list(tmp_path.iterdir())


# -- the page writers' life cycle ---------------------------------------------------------------


def drawing(colour: tuple[int, int, int]) -> Drawing:
    from convanim.renderer.fonts import font_path

    square = Fill((((4.0, 4.0), (20.0, 4.0), (20.0, 20.0), (4.0, 20.0)),), colour)
    return Drawing(48, 32, (255, 255, 255), (square, Text((22.0, 20.0), "Ab", 10.0, (0, 0, 0), str(font_path()))))


@pytest.mark.parametrize(("suffix", "fmt"), [(".pdf", "pdf"), (".svg", "svg"), (".svg", "animated-svg")])
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_page_writer_that_fails_keeps_the_old_file_and_leaves_nothing(
    tmp_path: Path, suffix: str, fmt: str, error: type[BaseException]
) -> None:
    path = tmp_path / f"old{suffix}"
    writer_cls = open_writer(path, fmt).__class__
    target = writer_cls.target(path)
    if writer_cls.info.folder:
        target.mkdir()
        (target / f"{target.name}_000.svg").write_text("old")
    else:
        target.write_text("old")
    with pytest.raises(error), open_writer(path, fmt) as writer:
        writer.write(drawing((0, 114, 178)), 100)
        raise error("stop")
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
    old = target / f"{target.name}_000.svg" if target.is_dir() else target
    assert old.read_text() == "old"
    with open_writer(path, fmt) as writer:
        for colour in ((0, 114, 178), (230, 159, 0)):
            writer.write(drawing(colour), 100)
    texts = {p.read_text(errors="replace") for p in writer.written}
    assert all(p.exists() for p in writer.written) and "old" not in texts


def test_a_svg_folder_is_never_written_over_someone_elses_files(tmp_path: Path) -> None:
    folder = tmp_path / "figs"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(OSError, match="holds other files"):
        api.render("basics", tmp_path / "figs.svg")
    assert (folder / "notes.txt").read_text() == "mine"
