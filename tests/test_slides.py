"""Decks and the gallery, read back: PPTX with python-pptx, HTML with html.parser, Beamer's .tex.

Every expectation comes from what was rendered (the recorder keeps each rendered file's bytes)
or from the scene's own timeline, never from numbers typed here.
"""

from __future__ import annotations

import base64
import io
import re
import sys
from dataclasses import replace
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from PIL import Image, ImageSequence

from slides_support import CAPTION, SIZE, TITLE, Recorder, recorder, scene_file  # noqa: E402,F401

from convanim import api  # noqa: E402
from convanim.cli import main  # noqa: E402
from convanim.registry import builtin_scenes, resolve  # noqa: E402
from convanim.errors import MissingBackend  # noqa: E402
from convanim.picture.timeline import without_text  # noqa: E402
from convanim.slides import caption_of, make_slides  # noqa: E402
from convanim.slides.beamer import latex_text  # noqa: E402
from convanim.slides.pptx import SLIDE_WIDTH_EMU, TITLE_POINTS, title_points  # noqa: E402
from convanim.slides.gallery import INDEX_NAME, TABLE_NAME, write_gallery  # noqa: E402

import pptx  # noqa: E402  (the 'slides' extra; the tests need it installed)
from pptx.enum.shapes import MSO_SHAPE_TYPE  # noqa: E402


def timelines(scenes: Path) -> list[Any]:
    return [entry.timeline() for entry in resolve(str(scenes))]


# --- PPTX ---------------------------------------------------------------------------------


def test_pptx_one_16_9_slide_per_figure_with_the_rendered_gif(tmp_path: Path, recorder: Recorder) -> None:
    scenes = scene_file(tmp_path)
    deck = make_slides([str(scenes)], tmp_path / "deck.pptx")
    presentation = pptx.Presentation(str(deck))
    assert Fraction(presentation.slide_width, presentation.slide_height) == Fraction(16, 9)
    rendered = recorder.of(".gif")
    expected = timelines(scenes)
    assert len(presentation.slides) == len(expected) == len(rendered)
    for slide, gif, timeline in zip(presentation.slides, rendered, expected):
        pictures = [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        picture = pictures[0]
        assert picture.image.blob == gif  # the bytes as rendered, not re-encoded
        assert slide.shapes.title.text == timeline.background.title
        alt = picture._element.xpath("./*[1]/p:cNvPr")[0].get("descr")
        assert alt.startswith(timeline.background.title)  # read out by screen readers
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        assert caption_of(timeline) in texts
        width_px, height_px = Image.open(io.BytesIO(gif)).size
        assert picture.width / picture.height == pytest.approx(width_px / height_px, rel=1e-3)
        assert picture.left >= 0 and picture.left + picture.width <= presentation.slide_width
        assert picture.top >= 0 and picture.top + picture.height <= presentation.slide_height


def test_pptx_video_embeds_the_rendered_mp4_with_a_poster(tmp_path: Path, recorder: Recorder) -> None:
    scenes = scene_file(tmp_path)
    deck = make_slides([f"{scenes}:tiny-one"], tmp_path / "deck.pptx", video=True)
    slide = pptx.Presentation(str(deck)).slides[0]
    movies = [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.MEDIA]
    assert len(movies) == 1
    # The movie is related twice (as media and as video) to one part: count parts once.
    by_name = {rel.target_part.partname: rel.target_part for rel in slide.part.rels.values()}
    parts = list(by_name.values())
    videos = [part.blob for part in parts if part.content_type == "video/mp4"]
    posters = [part.blob for part in parts if part.content_type == "image/png"]
    assert videos == recorder.of(".mp4")
    assert len(posters) == 1 and Image.open(io.BytesIO(posters[0])).size == movie_size(videos[0])


def test_pptx_video_starts_with_the_slide_and_loops(tmp_path: Path, recorder: Recorder) -> None:
    """Read back from the slide's XML: the main sequence plays the movie as the slide begins (no
    click), and the movie's media node repeats for ever, like the GIF deck."""
    from lxml import etree
    from pptx.oxml.ns import nsmap

    from convanim.picture.timeline import total_ms

    def xp(node: Any, path: str) -> list[Any]:
        return etree.XPath(path, namespaces=nsmap("p"))(node)  # type: ignore[return-value]

    scenes = scene_file(tmp_path)
    deck = make_slides([str(scenes)], tmp_path / "deck.pptx", video=True)
    for slide, timeline in zip(pptx.Presentation(str(deck)).slides, timelines(scenes), strict=True):
        (movie,) = [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.MEDIA]
        element = slide._element
        (timing,) = xp(element, "./p:timing")
        (play,) = xp(timing, ".//p:seq/p:cTn[@nodeType='mainSeq']//p:cmd[@cmd='playFrom(0.0)']")
        assert xp(play, "./p:cBhvr/p:tgtEl/p:spTgt/@spid") == [str(movie.shape_id)]
        effect = xp(play, "ancestor::p:cTn[@presetClass='mediacall']")[0]
        assert effect.get("nodeType") == "afterEffect"  # not clickEffect: no click needed
        starts = [cond.get("delay") for cond in xp(effect, "./p:stCondLst/p:cond")]
        assert starts == ["0"]
        begins = xp(timing, ".//p:cond[@evt='onBegin']/p:tn/@val")
        assert begins == xp(timing, ".//p:cTn[@nodeType='mainSeq']/@id")  # when the slide begins
        length = int(xp(play, "./p:cBhvr/p:cTn/@dur")[0])
        assert abs(length - total_ms(timeline)) <= 1000 / 30  # the video's length, to a frame
        (media,) = xp(timing, ".//p:video/p:cMediaNode")
        assert xp(media, "./p:tgtEl/p:spTgt/@spid") == [str(movie.shape_id)]
        assert xp(media, "./p:cTn/@repeatCount") == ["indefinite"]
        after = [child.tag.rpartition("}")[2] for child in element[element.index(timing) + 1 :]]
        assert after in ([], ["extLst"])  # where the schema puts it


def movie_size(data: bytes) -> tuple[int, int]:
    import imageio.v3 as iio

    return tuple(reversed(iio.imread(data, index=0, extension=".mp4").shape[:2]))  # type: ignore[return-value]


def test_missing_python_pptx_names_the_extra(
    tmp_path: Path, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pptx", None)  # import pptx now raises ImportError
    scenes = scene_file(tmp_path)
    with pytest.raises(MissingBackend, match=r"pip install 'convanim\[slides\]'"):
        make_slides([str(scenes)], tmp_path / "deck.pptx")
    assert recorder.calls == []  # failed before rendering anything
    result = CliRunner().invoke(main, ["slides", str(scenes), "-o", str(tmp_path / "deck.pptx")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "pip install 'convanim[slides]'" in lines[0]  # an installed package
    assert "pip install '.[slides]'" in lines[0]  # a checkout, as the README says
    assert not (tmp_path / "deck.pptx").exists()


def wrapped_height_pt(text: str, points: float, width_pt: float) -> float:
    """The height ``text`` takes at ``points`` when its words wrap in ``width_pt``, measured here
    with Pillow and DejaVu Sans (wider than the deck's Calibri), single-spaced at 1.2."""
    from PIL import ImageFont

    from convanim.renderer.fonts import font_path

    scale = 4  # measure at 4 px a point
    font = ImageFont.truetype(str(font_path()), round(points * scale))
    lines = 0
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            if line and font.getlength(f"{line} {word}") > width_pt * scale:
                lines, line = lines + 1, word
            else:
                line = f"{line} {word}".strip()
        lines += 1
    return lines * points * 1.2


def boxes(slide: Any) -> dict[str, tuple[int, int, int, int]]:
    """(left, top, right, bottom) of the slide's title, caption and picture or movie, in EMU."""
    found = {}
    for shape in slide.shapes:
        kind = ("title" if shape == slide.shapes.title else "media"
                if shape.shape_type in (MSO_SHAPE_TYPE.PICTURE, MSO_SHAPE_TYPE.MEDIA) else "caption")
        found[kind] = (shape.left, shape.top, shape.left + shape.width, shape.top + shape.height)
    return found


def test_every_builtin_caption_fits_its_pptx_slide(tmp_path: Path, recorder: Recorder) -> None:
    """Measured, not by eye: each caption's wrapped lines at the size the slide sets are no taller
    than their box, inside the slide, and the figure sits between the title and the caption."""
    from pptx.util import Emu

    names = builtin_scenes().names()
    deck = pptx.Presentation(str(make_slides(names, tmp_path / "deck.pptx", size="160x120")))
    width, height = deck.slide_width, deck.slide_height
    for name, slide in zip(names, deck.slides, strict=True):
        found = boxes(slide)
        caption = next(shape for shape in slide.shapes if shape.has_text_frame and shape != slide.shapes.title)
        frame = caption.text_frame
        points = frame.paragraphs[0].font.size.pt
        inner_width = Emu(caption.width - frame.margin_left - frame.margin_right).pt
        inner_height = Emu(caption.height - frame.margin_top - frame.margin_bottom).pt
        assert wrapped_height_pt(frame.text, points, inner_width) <= inner_height + 0.5, name
        assert frame.text == caption_of(builtin_scenes().get(name).timeline(), builtin_scenes().get(name).description)
        assert all(left >= 0 and right <= width and top >= 0 and bottom <= height
                   for left, top, right, bottom in found.values()), name
        assert found["title"][3] <= found["media"][1] and found["media"][3] <= found["caption"][1], name


def test_a_tall_figure_fills_its_slide_by_default(tmp_path: Path, recorder: Recorder) -> None:
    """Rendered for the slide's picture area, a tall figure is as tall as the room between the
    title and the caption, where a README-width canvas left it a small strip of the slide."""
    deck = pptx.Presentation(str(make_slides(["depthwise-separable"], tmp_path / "deck.pptx")))
    found = boxes(deck.slides[0])
    room = found["caption"][1] - found["title"][3]
    assert found["media"][3] - found["media"][1] >= 0.98 * room
    assert found["media"][2] - found["media"][0] >= 0.9 * (found["caption"][2] - found["caption"][0])


def test_title_size_shrinks_for_long_titles() -> None:
    width = SLIDE_WIDTH_EMU
    short, long = title_points("Dilated", width), title_points("a long title " * 8, width)
    assert short == max(TITLE_POINTS) and long == min(TITLE_POINTS)
    assert long < title_points("a long title " * 4, width) <= short


# --- HTML ---------------------------------------------------------------------------------


class Page(HTMLParser):
    """Collects elements with their attributes, and the text of titles and captions."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: dict[str, list[str]] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1] in ("h2", "figcaption", "title"):
            self.texts.setdefault(self._open[-1], []).append(data)

    def all(self, tag: str, cls: str | None = None) -> list[dict[str, str]]:
        return [
            attrs
            for name, attrs in self.elements
            if name == tag and (cls is None or cls in attrs.get("class", "").split())
        ]


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def data_bytes(uri: str, mime: str) -> bytes:
    prefix = f"data:{mime};base64,"
    assert uri.startswith(prefix), uri[:40]
    return base64.b64decode(uri[len(prefix) :])


def test_html_deck_inlines_the_rendered_pages_and_needs_no_network(tmp_path: Path, recorder: Recorder) -> None:
    scenes = scene_file(tmp_path)
    deck = make_slides([str(scenes)], tmp_path / "deck.html")
    page = parse(deck)
    expected = timelines(scenes)
    assert len(page.all("section", "slide")) == len(expected)
    frames = [(frame["srcdoc"] or "").encode("utf-8") for frame in page.all("iframe", "anim")]
    assert frames == recorder.of(".html")  # each figure's interactive page, byte for byte
    assert all(call["bare"] for call in recorder.calls if call["format"] == "html")  # the slide has the text
    assert page.texts["h2"] == [timeline.background.title for timeline in expected]
    assert page.texts["figcaption"] == [caption_of(timeline) for timeline in expected]
    links = [value for _, attrs in page.elements for key, value in attrs.items() if key in ("src", "href")]
    assert all(link.startswith("data:") for link in links)
    assert not any(tag == "link" for tag, _ in page.elements)
    buttons = {attrs.get("id") for attrs in page.all("button")}
    assert {"prev", "next", "toggle"} <= buttons  # keyboard-reachable controls, pause included


def test_html_deck_of_gifs_inlines_them_with_their_stills(tmp_path: Path, recorder: Recorder) -> None:
    """Figures without a page (as the gallery has them) are GIFs with the still pausing shows."""
    from convanim.slides import entries_for, render_figures
    from convanim.slides.html import write_html

    page = parse(write_html(render_figures(entries_for([str(scene_file(tmp_path))]), tmp_path), tmp_path / "d.html"))
    animations = [data_bytes(img["src"], "image/gif") for img in page.all("img", "anim")]
    assert animations == recorder.of(".gif")
    stills = [data_bytes(img["src"], "image/png") for img in page.all("img", "still")]
    for still, gif in zip(stills, animations, strict=True):
        assert pixels(still) == last_frame(gif)  # pausing shows the finished state, exactly


def pixels(png: bytes) -> tuple[tuple[int, int], bytes]:
    rgb = Image.open(io.BytesIO(png)).convert("RGB")
    return rgb.size, rgb.tobytes()


def last_frame(gif: bytes) -> tuple[tuple[int, int], bytes]:
    with Image.open(io.BytesIO(gif)) as image:
        frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(image)]
    return frames[-1].size, frames[-1].tobytes()


def test_html_deck_with_video(tmp_path: Path, recorder: Recorder) -> None:
    deck = make_slides([f"{scene_file(tmp_path)}:tiny-two"], tmp_path / "deck.html", video=True)
    videos = parse(deck).all("video", "anim")
    assert [data_bytes(video["src"], "video/mp4") for video in videos] == recorder.of(".mp4")
    assert "loop" in videos[0] and "muted" in videos[0]
    assert Image.open(io.BytesIO(data_bytes(videos[0]["poster"], "image/png"))).size == movie_size(
        recorder.of(".mp4")[0]
    )


def test_frames_carry_no_text_the_slide_carries_it(tmp_path: Path, recorder: Recorder) -> None:
    scenes = scene_file(tmp_path)
    make_slides([f"{scenes}:tiny-one"], tmp_path / "deck.html", size=SIZE)
    timeline = timelines(scenes)[0]
    api.render(timeline, tmp_path / "bare.gif", bare=True)
    api.render(timeline, tmp_path / "full.gif")
    assert recorder.outputs["tiny-one.gif"] == recorder.outputs["bare.gif"]
    assert recorder.outputs["tiny-one.gif"] != recorder.outputs["full.gif"]


def test_a_bare_figure_draws_no_step_caption_either(tmp_path: Path, recorder: Recorder) -> None:
    """A step's own caption (a phase's) replaces the background's on screen: bare, it is gone too,
    so whatever the steps say, the bare frames are the same."""
    timeline = timelines(scene_file(tmp_path))[0]
    told = replace(timeline, steps=tuple(replace(step, overlay=replace(step.overlay, caption=f"phase {index}",
                                                                          formula="o = 2"))
                                         for index, step in enumerate(timeline.steps)))
    for name, variant in (("plain", timeline), ("told", told)):
        api.render(variant, tmp_path / f"{name}.gif", bare=True)
        api.render(variant, tmp_path / f"{name}-full.gif")
    assert recorder.outputs["plain.gif"] == recorder.outputs["told.gif"]
    assert recorder.outputs["plain-full.gif"] != recorder.outputs["told-full.gif"]  # the captions do show
    assert all(not (step.overlay.caption or step.overlay.formula) for step in without_text(told).steps)


# --- Beamer -------------------------------------------------------------------------------

ANIMATE = re.compile(
    r"\\animategraphics\[loop,autoplay,controls[^\]]*\]\{(?P<fps>[^}]+)\}\{(?P<prefix>[^}]+)\}"
    r"\{(?P<first>\d+)\}\{(?P<last>\d+)\}"
)


def test_beamer_snippets_name_frames_that_exist(tmp_path: Path, recorder: Recorder) -> None:
    scenes = scene_file(tmp_path)
    out = tmp_path / "beamer"
    deck = make_slides([str(scenes)], out, format="beamer", frames="png", fps=4)
    text = deck.read_text(encoding="utf-8")
    assert text.startswith("%") and "\\documentclass[aspectratio=169" in text
    assert "\\usepackage{animate}" in text and text.rstrip().endswith("\\end{document}")
    entries = resolve(str(scenes))
    for entry in entries:
        assert f"\\input{{{entry.name}.tex}}" in text
        match = ANIMATE.search((out / f"{entry.name}.tex").read_text(encoding="utf-8"))
        assert match is not None
        assert float(match["fps"]) == 4
        first, last = match["first"], match["last"]
        assert len(first) == len(last)  # animate keeps zero padding only when both match
        numbers = range(int(first), int(last) + 1)
        named = [out / f"{match['prefix']}{number:0{len(first)}d}.png" for number in numbers]
        assert all(path.is_file() for path in named)
        on_disk = sorted((out / entry.name).glob(f"{entry.name}_[0-9]*.png"))
        assert named == on_disk  # every frame, and only frames, in order
    titles = [latex_text(timeline.background.title) for timeline in timelines(scenes)]
    assert all(f"\\begin{{frame}}{{{title}}}" in text for title in titles)
    assert "\\newunicodechar{⌊}" in text  # the caption's maths characters are set up


PDF_ANIMATE = re.compile(
    r"\\animategraphics\[loop,autoplay,controls,timeline=(?P<timeline>[^,]+),poster=(?P<poster>\d+),[^\]]*\]"
    r"\{1\}\{(?P<stem>[^}]+)\}\{\}\{\}"
)


def test_beamer_figures_are_vector_pdfs_played_along_their_timelines(tmp_path: Path) -> None:
    """By default a figure is one PDF, a page a step, and a timeline file whose rates hold each
    page for its step's own time (the held first and last steps too)."""
    scenes = scene_file(tmp_path)
    out = tmp_path / "beamer"
    make_slides([str(scenes)], out, format="beamer", hold_ms=250)
    for entry in resolve(str(scenes)):
        match = PDF_ANIMATE.search((out / f"{entry.name}.tex").read_text(encoding="utf-8"))
        assert match is not None and match["stem"] == entry.name
        pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", (out / f"{entry.name}.pdf").read_bytes()))
        durations = api.step_times(entry.timeline(), 250)
        assert pages == len(durations) == int(match["poster"]) + 1
        lines = (out / match["timeline"]).read_text(encoding="utf-8").splitlines()
        assert [line.split(":")[2] for line in lines] == [str(page) for page in range(pages)]
        assert [round(1000 / float(line.split(":")[1])) for line in lines] == durations
    assert not list(out.rglob("*.png"))


def test_beamer_pdf_frames_take_no_fps(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="fps: pdf frames"):
        make_slides([str(scene_file(tmp_path))], tmp_path / "b", format="beamer", fps=4)
    with pytest.raises(ValueError, match="frames: only a Beamer deck"):
        make_slides([str(scene_file(tmp_path))], tmp_path / "d.html", frames="png")


#: Figures of every kind for the deck of vector pages (every figure's caption is checked with the
#: PNG frames, which are quicker to make: the caption's room does not depend on the frames).
VECTOR_DECK = ("basics", "conv3d", "depthwise-separable", "transposed-matrix", "receptive-field")


@pytest.mark.parametrize("frames", ["pdf", "png"])
def test_beamer_deck_of_every_figure_compiles_cleanly_in_one_pdflatex_run(tmp_path: Path, frames: str) -> None:
    """The command the CLI prints, run once: every built-in figure's frame, caption included,
    fits its page (TeX reports no overfull box), no blank page is added, nothing asks for a
    rerun, and only files the deck uses are left; with PNG frames for every figure, and with
    vector pages for figures of every kind."""
    import shutil
    import subprocess

    if shutil.which("pdflatex") is None:
        pytest.skip("no pdflatex (CI installs Debian's texlive-latex-extra)")
    names = builtin_scenes().names() if frames == "png" else list(VECTOR_DECK)
    out = tmp_path / "talk"
    rate = ["--fps", "1"] if frames == "png" else []
    result = CliRunner().invoke(main, ["slides", *names, "--format", "beamer", "-o", str(out),
                                       "--size", "160x120", "--frames", frames, *rate])
    assert result.exit_code == 0, result.output
    deck_line, command_line = result.output.strip().splitlines()
    command = command_line.partition(": ")[2]
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=240)
    log = (out / "deck.log").read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, log[-3000:]
    assert re.search(rf"Output written on deck\.pdf \({len(names)} pages", log), log[-1000:]  # one per figure
    for complaint in ("Overfull", "Rerun to", "rerunfilecheck Warning", "Temporary extra page", "undefined"):
        assert complaint not in log, complaint
    assert not list(out.rglob("*_poster.png"))  # the deck shows each animation's last frame itself


def test_latex_text_escapes_specials() -> None:
    assert latex_text(TITLE) == r"Tiny \& <odd> | 50\% \{title\}"
    assert latex_text("a_b^c~d#e$f\\g") == r"a\_b\^{}c\~{}d\#e\$f\textbackslash{}g"


def test_beamer_refuses_video(tmp_path: Path, recorder: Recorder) -> None:
    with pytest.raises(ValueError, match="video"):
        make_slides([str(scene_file(tmp_path))], tmp_path / "b", format="beamer", video=True)


# --- Gallery ------------------------------------------------------------------------------


def test_gallery_page_and_readme_table(tmp_path: Path, recorder: Recorder) -> None:
    names = builtin_scenes().names()[:4]
    out = tmp_path / "gallery"
    index = write_gallery(out, names=names, columns=3, jobs=1)
    assert index == out / INDEX_NAME
    page = parse(index)
    sources = [img["src"] for img in page.all("img", "anim")]
    assert sources == [f"{name}.gif" for name in names]
    assert all((out / source).read_bytes() == recorder.outputs[source] for source in sources)
    expected = [builtin_scenes().get(name).timeline() for name in names]
    assert "figcaption" not in page.texts  # the GIF draws its caption: the page does not repeat it
    alts = [img["alt"] for img in page.all("img", "anim")]
    assert all(caption_of(timeline) in alt for alt, timeline in zip(alts, expected, strict=True))
    assert all(img["src"].startswith("data:image/png;base64,") for img in page.all("img", "still"))
    assert page.all("button")  # one pause control for every animation on the page
    links = [a["href"] for a in page.all("a")]
    assert links == [f"{name}.html" for name in names]  # each figure's interactive page, beside it
    assert all((out / link).read_text(encoding="utf-8").startswith("<!DOCTYPE html>") for link in links)
    table = (out / TABLE_NAME).read_text(encoding="utf-8").splitlines()
    rows = [line for line in table[2:] if line.strip()]
    assert len(rows) == -(-len(names) // 3)  # ceil: three figures a row
    assert [Path(link).name for link in markdown_links(out / TABLE_NAME)] == [f"{name}.gif" for name in names]
    assert_links_resolve(out / TABLE_NAME)


def markdown_links(page: Path) -> list[str]:
    """The targets of a Markdown file's images, percent-decoded as a renderer reads them."""
    from urllib.parse import unquote

    return [unquote(link) for link in re.findall(r"\]\(([^ )]+)", page.read_text(encoding="utf-8"))]


def assert_links_resolve(page: Path) -> None:
    """Every link of ``page``, read from its own folder (as GitHub or a viewer reads it), is a
    relative path to a file that exists."""
    links = markdown_links(page)
    assert links and not any(Path(link).is_absolute() for link in links), links
    missing = [link for link in links if not (page.parent / link).is_file()]
    assert missing == [], missing


# --- CLI ----------------------------------------------------------------------------------


def test_cli_slides_writes_the_deck(tmp_path: Path, recorder: Recorder) -> None:
    out = tmp_path / "deck.html"
    result = CliRunner().invoke(main, ["slides", str(scene_file(tmp_path)), "-o", str(out), "--theme", "dark"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out) and out.is_file()
    assert all(call["theme"] == "dark" for call in recorder.calls)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["-o", "deck.key"], "cannot tell the deck format"),
        (["--format", "beamer", "--video", "-o", "dir"], "video"),
        (["--fps", "0", "-o", "deck.html"], "fps"),
        (["-o", "/proc/deck.html"], "cannot write"),
        (["-o", "deck.html", "--format", "pptx"], "is for html, not pptx"),
        (["-o", "deck.pptx", "--format", "beamer"], "is for pptx, not beamer"),
        (["-o", "deck.tex", "--format", "html"], "is for beamer, not html"),
    ],
)
def test_cli_slides_errors_are_one_line_exit_2(
    tmp_path: Path, recorder: Recorder, arguments: list[str], message: str
) -> None:
    arguments = [str(tmp_path / value) if value.startswith(("deck.", "dir")) else value for value in arguments]
    result = CliRunner().invoke(main, ["slides", str(scene_file(tmp_path)), *arguments])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert "Traceback" not in result.output
    assert not any(name.endswith((".gif", ".png")) for name in recorder.outputs)  # failed first
    assert sorted(path.name for path in tmp_path.iterdir()) == ["tiny_scenes.py"]  # and wrote nothing


@pytest.mark.parametrize("format_flag", [["--format", "beamer"], []])
def test_beamer_to_a_tex_file_puts_its_figures_beside_it(
    tmp_path: Path, recorder: Recorder, format_flag: list[str]
) -> None:
    scenes = scene_file(tmp_path)
    deck = tmp_path / "talk" / "lecture.tex"
    result = CliRunner().invoke(main, ["slides", f"{scenes}:tiny-one", "-o", str(deck), *format_flag])
    assert result.exit_code == 0, result.output
    assert deck.is_file() and "\\input{tiny-one.tex}" in deck.read_text(encoding="utf-8")
    assert (deck.parent / "tiny-one.tex").is_file() and (deck.parent / "tiny-one.pdf").is_file()


def test_cli_help(tmp_path: Path) -> None:
    slides_help = CliRunner().invoke(main, ["slides", "--help"]).output
    assert "pptx" in slides_help and "beamer" in slides_help and "--video" in slides_help
    gallery = main.commands["gallery"]
    assert "format" not in {param.name for param in gallery.params}  # always GIF
    assert all(param.help for param in gallery.params if isinstance(param, click.Option))


def test_gallery_goes_between_the_readme_markers(tmp_path: Path, recorder: Recorder) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Mine\n<!-- gallery:start -->\nold\n<!-- gallery:end -->\n## After\n", encoding="utf-8")
    out = tmp_path / "figs"
    write_gallery(out, names=builtin_scenes().names()[:2], jobs=1, size="160x120", readme=readme)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Mine\n<!-- gallery:start -->\n2 figures, ")
    assert text.endswith("<!-- gallery:end -->\n## After\n")
    assert markdown_links(readme) == [f"figs/{link}" for link in markdown_links(out / TABLE_NAME)]
    assert "old" not in text


@pytest.mark.parametrize("out_is_absolute", [True, False])
def test_gallery_links_resolve_from_each_files_own_folder(
    tmp_path: Path, recorder: Recorder, monkeypatch: pytest.MonkeyPatch, out_is_absolute: bool
) -> None:
    """Run from one folder, the figures in a second and the README in a third: each file's links
    are relative to where that file is, never to where the command ran or absolute."""
    for folder in ("run", "docs", "site"):
        (tmp_path / folder).mkdir()
    monkeypatch.chdir(tmp_path / "run")
    readme = tmp_path / "docs" / "README.md"
    readme.write_text("# Mine\n<!-- gallery:start -->\n<!-- gallery:end -->\n", encoding="utf-8")
    out = tmp_path / "site" / "gal" if out_is_absolute else Path("..", "site", "gal")
    result = CliRunner().invoke(main, ["gallery", "--out", str(out), "--readme", "../docs/README.md",
                                       "--size", "160x120", "-j", "2"])
    assert result.exit_code == 0, result.output
    assert_links_resolve(tmp_path / "site" / "gal" / TABLE_NAME)
    assert_links_resolve(readme)
    assert str(tmp_path) not in readme.read_text(encoding="utf-8")  # no path of this machine


def test_a_readme_without_markers_fails_before_rendering(tmp_path: Path, recorder: Recorder) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Mine\n", encoding="utf-8")
    with pytest.raises(ValueError, match="gallery:start"):
        write_gallery(tmp_path / "figs", readme=readme)
    assert not recorder.outputs and readme.read_text(encoding="utf-8") == "# Mine\n"


def test_cli_gallery_shows_every_builtin_scene(tmp_path: Path, recorder: Recorder) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["gallery", "--out", str(out), "--size", "160x120", "-j", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == [str(out / INDEX_NAME), str(out / TABLE_NAME)]
    shown = [img["src"] for img in parse(out / INDEX_NAME).all("img", "anim")]
    assert shown == [f"{name}.gif" for name in builtin_scenes().names()]


def test_a_house_file_format_in_pyproject_does_not_break_slides(
    tmp_path: Path, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("pyproject.toml").write_text('[tool.convanim]\nformat = "webp"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["slides", str(scene_file(tmp_path)), "-o", "deck.html"])
    assert result.exit_code == 0, result.output
    assert recorder.of(".gif")  # the deck's own media format, not the house file format
    Path("pyproject.toml").write_text('[tool.convanim.slides]\nformat = "html"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["slides", str(scene_file(tmp_path)), "-o", "deck"])
    assert result.exit_code == 0, result.output
    assert Path("deck").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
