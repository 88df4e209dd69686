"""Figures in Chinese: the catalogues agree, every built-in figure says its words in Chinese in
every format, nothing is drawn as a missing glyph, and the language and its font are checked
before any work (a one-line exit 2)."""

from __future__ import annotations

import os
import re
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fontTools.ttLib import TTFont
from PIL import Image

import convanim
from convanim import api, words
from convanim.cli import main
from convanim.errors import BadInput, MissingBackend
from convanim.picture import Box, Grid, Label, Timeline
from convanim.registry import builtin_scenes
from convanim.renderer import fonts
from convanim.slides import make_slides

ROOT = Path(__file__).resolve().parents[1]
CONVANIM = Path(sys.executable).with_name("convanim")
NAMES = builtin_scenes().names()
#: Latin words a Chinese figure keeps: names of layers, people, libraries and kernels, and the
#: notation of formulas (a caption's ``i=5, k=3``, a cell's ``output[0, 1]``, a formula's axes).
KEPT = {"GConv1", "GConv2", "Sobel", "Grace", "Hopper", "matplotlib", "same", "output", "zeros", "reflect",
        "replicate", "circular", "rows", "cols", "depth"}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def texts(timeline: Timeline) -> Iterator[str]:
    """Every text a timeline draws or explains."""
    for picture in (timeline.background, *(step.overlay for step in timeline.steps)):
        yield from (picture.title, picture.caption, picture.formula)
        for item in picture.items:
            if isinstance(item, Label):
                yield item.text
            elif isinstance(item, Box):
                yield item.label
            elif isinstance(item, Grid):
                yield from (text for rows in (item.labels, item.sublabels) for row in rows for text in row)
        for link in picture.links:
            yield from (*link.terms, link.result)


def test_every_language_has_every_text_with_the_same_fields() -> None:
    english = words.catalogue("en")
    for language in words.LANGUAGES:
        other = words.catalogue(language)
        assert other.keys() == english.keys(), language
        for key, text in english.items():
            assert fields(other[key]) == fields(text), f"{language} {key}"


def test_every_text_of_the_catalogue_is_asked_for() -> None:
    """No entry is dead: each key is spelled in the code, or matches a key the code builds."""
    source = "\n".join(path.read_text(encoding="utf-8") for folder in ("convanim", "scenes")
                       for path in (ROOT / folder).rglob("*.py"))
    built = [re.compile(re.sub(r"\\\{[^}]*\\\}", ".+", re.escape(pattern)) + "$")
             for pattern in re.findall(r'say\(f"([^"]+)"', source)]
    unused = [key for key in words.catalogue("en")
              if f'"{key}"' not in source and f"'{key}'" not in source
              and not any(pattern.match(key) for pattern in built)]
    assert not unused


def test_the_language_spoken_is_the_one_set_and_english_otherwise() -> None:
    assert words.say("grid.input") == "input"
    with words.speaking("zh"):
        assert words.say("grid.input_shape", shape="5×5") == "输入 5×5"
    assert words.spoken() == "en"
    with pytest.raises(ValueError, match="lang: expected one of en, zh, got 'fr'"):
        words.speaking("fr").__enter__()


@pytest.mark.parametrize("name", NAMES)
def test_a_chinese_figure_says_its_words_in_chinese_and_draws_every_glyph(name: str) -> None:
    timeline = builtin_scenes().get(name).timeline("zh")
    shown = set(texts(timeline))
    assert fonts.has_cjk(timeline.background.title)
    latin = {word for text in shown for word in re.findall(r"[A-Za-z][A-Za-z0-9]{3,}", text)}
    assert latin <= KEPT, f"{name} still says {sorted(latin - KEPT)}"
    chinese, other = _coverage()
    for text in shown:
        missing = [char for char in text if char not in (chinese if words.is_cjk(char) else other)]
        assert not missing, f"{name}: {text!r} has no glyph for {missing}"


def _coverage() -> tuple[set[str], set[str]]:
    """The characters the CJK face and DejaVu Sans draw."""
    file, index = fonts.cjk_face()
    cjk = TTFont(str(file), fontNumber=index, lazy=True).getBestCmap()
    dejavu = TTFont(str(fonts.font_path()), lazy=True).getBestCmap()
    return {chr(code) for code in cjk}, {chr(code) for code in dejavu} | {"\n"}


def test_english_figures_are_untouched_by_a_chinese_one_built_before() -> None:
    entry = builtin_scenes().get("basics")
    english = entry.timeline()
    entry.timeline("zh")
    assert entry.timeline() == english
    assert english.background.title == "A 3×3 kernel sliding over a padded input"


def test_chinese_wraps_between_characters_and_never_starts_a_line_with_a_comma() -> None:
    text = "每个卷积核切片与各自的通道做卷积，得到三个部分结果，再逐个单元相加"
    lines = fonts.wrap(text, 16, 120)
    assert len(lines) > 2 and "".join(lines) == text
    assert all(fonts.text_width(line, 16) <= 120 for line in lines)
    assert not any(line.startswith("，") for line in lines)
    assert fonts.wrap("hello  world", 16, 1000) == ["hello  world"]  # English as before, spaces kept


def test_mixed_text_is_measured_as_its_runs_are_drawn() -> None:
    text = "Cᵀ 为 16×4"
    left, top, right, bottom = fonts.text_bbox(text, 24, anchor="mm")
    assert right - left > fonts.text_width("Cᵀ 16×4", 24)  # the Chinese character adds its width
    mask, x, y = fonts.text_mask(text, 24, False, "mm")
    assert (mask.width, mask.height) == (int(right) - int(left), int(bottom) - int(top))
    ink = mask.getbbox()
    assert ink is not None and ink[2] - ink[0] > 0.9 * mask.width


def test_a_chinese_figure_differs_from_the_english_one_only_in_its_words(tmp_path: Path) -> None:
    entry = builtin_scenes().get("basics")
    english, chinese = entry.timeline(), entry.timeline("zh")
    for a, b in zip((english.background, *(s.overlay for s in english.steps)),
                    (chinese.background, *(s.overlay for s in chinese.steps))):
        assert [i for i in a.items if not isinstance(i, Label)] == [i for i in b.items if not isinstance(i, Label)]
    pictures = [Image.open(api.render("basics", tmp_path / f"{lang}.png", step=0, lang=lang))
                for lang in words.LANGUAGES]
    assert pictures[0].tobytes() != pictures[1].tobytes()


def test_the_cli_renders_chinese_and_refuses_another_language(tmp_path: Path) -> None:
    out = tmp_path / "b.gif"
    result = CliRunner().invoke(main, ["render", "basics", "--lang", "zh", "-o", str(out), "--size", "200x150"])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    result = CliRunner().invoke(main, ["custom", "--input", "4", "--kernel", "3", "--lang", "fr", "-o", str(out)])
    assert result.exit_code == 2 and "'fr' is not one of 'en', 'zh'" in result.output


def test_lang_from_pyproject_and_its_bad_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.convanim]\nlang = "zh"\n')
    result = CliRunner().invoke(main, ["render", "basics", "-o", "a.png", "--step", "0", "--size", "300x200"])
    assert result.exit_code == 0, result.output
    (tmp_path / "pyproject.toml").write_text("[tool.convanim]\nlang = 2\n")
    result = CliRunner().invoke(main, ["render", "basics", "-o", "b.png", "--step", "0"])
    assert result.exit_code == 2 and "lang = 2: expected a string, one of en, zh" in result.output
    assert not (tmp_path / "b.png").exists()


@pytest.mark.parametrize("lang", ["fr", 1, None])
def test_the_api_refuses_a_language_it_has_no_words_for(lang: object, tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="lang: expected one of en, zh"):
        api.render("basics", tmp_path / "x.gif", lang=lang)  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir())


def test_without_a_cjk_font_chinese_is_refused_in_one_line_before_any_work(tmp_path: Path) -> None:
    """No fontconfig on the PATH and no mplfonts: exit 2, the install named, nothing written."""
    env = {**os.environ, "PATH": str(tmp_path)}
    out = tmp_path / "x.gif"
    done = subprocess.run([str(CONVANIM), "render", "basics", "--lang", "zh", "-o", str(out)],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"convanim: error: {fonts.CJK_MISSING}"]
    assert list(tmp_path.iterdir()) == []


def test_the_cjk_face_comes_from_mplfonts_when_fontconfig_has_none(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "mplfonts"
    (package / "fonts").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    shipped = package / "fonts" / "NotoSansCJKsc-Regular.otf"
    shipped.write_bytes(b"")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    fonts.cjk_face.cache_clear()
    try:
        assert fonts.cjk_face() == (shipped, 0)
        shipped.unlink()
        fonts.cjk_face.cache_clear()
        with pytest.raises(MissingBackend, match="fonts-noto-cjk"):
            fonts.cjk_face()
    finally:
        fonts.cjk_face.cache_clear()


def test_a_chinese_pdf_embeds_its_face_as_truetype_and_keeps_its_text(tmp_path: Path) -> None:
    pdf = api.render("conv2d-multi", tmp_path / "m.pdf", step=2, lang="zh")
    listed = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"NotoSansCJK\S*\s+CID TrueType", listed.stdout), listed.stdout
    assert "Syntax" not in listed.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "多通道二维卷积" in text and "通道 0" in text
    assert not [p for p in Path(os.environ.get("TMPDIR", "/tmp")).glob("convanim-fonts-*")]


def test_a_chinese_svg_embeds_its_face_cut_from_the_collection(tmp_path: Path) -> None:
    svg = api.render("transposed-matrix", tmp_path / "t.svg", step=3, lang="zh").read_text(encoding="utf-8")
    file, index = fonts.cjk_face()
    family = f"cv-{file.stem}" + (f"-{index}" if index else "")
    assert f"font-family:{family};" in svg and f'font-family="{family}"' in svg
    assert f'font-family="{family.replace("Regular", "Bold")}" font-size="20" fill="#1e252d">转置卷积：<' in svg
    assert re.search(r'font-family="cv-DejaVuSans-Bold"[^>]*>[^<]*Cᵀ', svg)  # the title in runs, ᵀ in DejaVu


def test_show_and_slides_take_the_language(tmp_path: Path) -> None:
    shown = convanim.show("dilated", lang="zh", size="300x200")
    assert shown is not None
    deck = make_slides(["dilated"], tmp_path / "deck.html", lang="zh", size="320x180")
    assert "空洞卷积" in deck.read_text(encoding="utf-8")
