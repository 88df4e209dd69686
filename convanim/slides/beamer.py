"""A Beamer deck: per figure a multi-page PDF (or a folder of PNG frames) and a ``.tex`` snippet,
plus ``deck.tex``.

LaTeX cannot show a GIF; the ``animate`` package plays frames instead. By default each figure is
one PDF, a vector page a step, so the deck stays sharp at any zoom and projector; a timeline file
beside it gives every page its own time (the held first and last steps too), as animate reads the
pages of one PDF. ``frames="png"`` renders a folder of PNG frames instead, repeated to one constant
rate (:func:`convanim.api.render` with format ``png``). Every path in the ``.tex`` files is relative
to the output folder, so the folder can be moved or uploaded to an online editor as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from convanim import api
from convanim.picture import Timeline
from convanim.registry import SceneEntry
from convanim.slides import caption_of, slide_options, title_of, write_text
from convanim.checks import printable
from convanim.writers.staging import check_target

DECK_NAME = "deck.tex"
#: animate's own options after the ones every convanim snippet has: fit the room the deck leaves
#: (``\convanimheight``). The last frame, the finished computation, is shown in print and where
#: nothing plays: ``poster={last}`` by number, as ``poster=last`` takes animate a second run.
SIZE_OPTIONS = r"poster={last},width=\linewidth,height=\convanimheight,keepaspectratio"
#: The snippet's height when no deck sets it, as when it is pasted into a frame of one's own.
SNIPPET_HEIGHT = r"0.68\textheight"
#: The frame's height that the figure and its caption leave for the frame title and the skips
#: between them (beamer's default theme; the suite compiles every built-in figure to check it).
TITLE_ROOM = r"3.5\baselineskip"
#: The one command that makes the PDF (LuaLaTeX works too); one run is enough, see deck_text.
COMPILE = "pdflatex -interaction=nonstopmode {deck}"
#: Maths characters the captions use, typeset as maths: text fonts lack most of them.
UNICODE_MATH = {
    "⌊": r"\lfloor",
    "⌋": r"\rfloor",
    "⌈": r"\lceil",
    "⌉": r"\rceil",
    "·": r"\cdot",
    "×": r"\times",
    "−": "-",
    "→": r"\rightarrow",
    "←": r"\leftarrow",
    "≤": r"\leq",
    "≥": r"\geq",
    "≠": r"\neq",
    "≈": r"\approx",
    "∑": r"\sum",
    "ᵀ": r"^{\mathsf{T}}",
    **{chr(0x2080 + digit): f"_{{{digit}}}" for digit in range(10)},
    "²": "^{2}",
    "³": "^{3}",
}
_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\^{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\~{}",
}


#: What each figure of a deck is made of: vector PDF pages, or PNG frames at a constant rate.
FRAME_KINDS = ("pdf", "png")


def write_beamer(
    entries: Sequence[SceneEntry], out_dir: Path, *, deck_name: str = DECK_NAME, frames: str = "pdf",
    **options: Any,
) -> Path:
    """Render each scene into ``out_dir`` with its snippet; return ``out_dir/deck_name``.

    ``frames`` is ``pdf`` (a page a step, each for its own time) or ``png`` (a folder of frames at
    one rate: ``fps``, which pdf pages have no use for). ``options`` are :func:`convanim.api.render`'s.
    """
    if frames not in FRAME_KINDS:
        raise ValueError(f"frames: {frames!r} is not one of {', '.join(FRAME_KINDS)}")
    if frames == "pdf" and options.get("fps") is not None:
        raise ValueError("fps: pdf frames play each step for its own time; --fps sets the rate of --frames png")
    check_target(out_dir / deck_name)  # an unwritable folder fails before any rendering
    slides = []
    for entry in entries:
        timeline = entry.timeline(options.get("lang", "en"))
        caption = caption_of(timeline, entry.description)
        sized = slide_options(options, caption)
        snippet = out_dir / f"{entry.name}.tex"
        if frames == "pdf":
            text = _pdf_snippet(timeline, out_dir, entry.name, sized)
        else:
            folder = api.render(timeline, out_dir / entry.name, format="png", bare=True, **sized)
            (folder / f"{folder.name}_poster.png").unlink()  # for editors; the deck shows its last frame
            text = snippet_text(folder, out_dir, options.get("fps"))
        write_text(snippet, text)
        slides.append(_frame(title_of(entry.name, timeline), caption, snippet.name))
    deck = out_dir / deck_name
    write_text(deck, deck_text(slides))
    return deck


def _pdf_snippet(timeline: Timeline, out_dir: Path, name: str, options: dict[str, Any]) -> str:
    """Render ``NAME.pdf`` (a page a step) and its timeline ``NAME.txt``; the snippet playing them."""
    pdf = api.render(timeline, out_dir / f"{name}.pdf", format="pdf", bare=True, **options)
    durations = api.step_times(timeline, options.get("hold_ms"))
    write_text(out_dir / f"{name}.txt", timeline_text(durations))
    return pdf_snippet_text(pdf.relative_to(out_dir), len(durations))


def timeline_text(durations_ms: Sequence[int]) -> str:
    """An animate timeline: a line a page, ``:RATE:PAGE``, the rate (frames per second) that
    holds that page for its own time."""
    return "".join(f":{1000 / ms:.6g}:{page}\n" for page, ms in enumerate(durations_ms))


def pdf_snippet_text(pdf: Path, pages: int) -> str:
    """The ``\\animategraphics`` line playing every page of ``pdf`` (relative to the deck) along
    the timeline file beside it."""
    stem = pdf.with_suffix("").as_posix()
    options = f"loop,autoplay,controls,timeline={stem}.txt,{SIZE_OPTIONS.format(last=pages - 1)}"
    return (
        f"% {pdf.stem}: needs \\usepackage{{animate}}; the paths are relative to the deck's folder.\n"
        f"\\providecommand{{\\convanimheight}}{{{SNIPPET_HEIGHT}}}%\n"
        f"\\animategraphics[{options}]{{1}}{{{stem}}}{{}}{{}}%\n"
    )


def snippet_text(folder: Path, base: Path, fps: float | None) -> str:
    """The ``\\animategraphics`` line for a frames folder, with paths relative to ``base``."""
    line = api.beamer_line(folder, fps)
    absolute = (folder / f"{folder.name}_").as_posix()
    relative = (folder.relative_to(base) / f"{folder.name}_").as_posix()
    line = line.replace(f"{{{absolute}}}", f"{{{relative}}}", 1)
    first, last = (int(number) for number in re.findall(r"\{([0-9]+)\}", line)[-2:])
    options = SIZE_OPTIONS.format(last=last - first)
    line = line.replace("[loop,autoplay,controls]", f"[loop,autoplay,controls,{options}]", 1)
    return (
        f"% {folder.name}: needs \\usepackage{{animate}}; the frame path is relative to "
        f"the deck's folder.\n\\providecommand{{\\convanimheight}}{{{SNIPPET_HEIGHT}}}%\n{line}%\n"
    )


def compile_command(deck: Path) -> str:
    """How to make the PDF of ``deck``: one pdflatex run in its folder."""
    import shlex

    return f"cd {shlex.quote(str(deck.parent))} && {COMPILE.format(deck=shlex.quote(deck.name))}"


def deck_text(frames: Sequence[str]) -> str:
    """A Beamer document holding the given frames that one pdflatex run makes final.

    A second run was needed for two things, both settled here: LaTeX's last-page hook (which
    animate's layers use) needs the page count of an earlier run, else it adds a blank page, so
    the count is given (one page a frame); and hyperref's bookmarks file, empty in a deck without
    sections, is not written.
    """
    body = "".join(frames)
    declared = "".join(
        f"\\newunicodechar{{{char}}}{{\\ensuremath{{{UNICODE_MATH[char]}}}}}\n"
        for char in sorted(set(body) & UNICODE_MATH.keys())
    )
    return (
        f"% Made by convanim. Compile in this folder, once: {COMPILE.format(deck='deck.tex')}\n"
        "% (or lualatex). Animations play in Acrobat Reader, Okular, PDF-XChange, Foxit and PDF.js.\n"
        "\\documentclass[aspectratio=169,hyperref={bookmarks=false}]{beamer}\n"
        "\\usepackage{iftex}\n"
        "\\usepackage{animate}\n"
        "\\ifPDFTeX\n\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n\\fi\n"
        "\\usepackage{newunicodechar}\n"
        f"{declared}"
        f"\\makeatletter\\gdef\\@abspage@last{{{len(frames)}}}\\makeatother % one page a frame\n"
        "\\newsavebox{\\convanimcaption}\n"
        "\\newcommand{\\convanimheight}{}\n"
        f"\\begin{{document}}\n{body}\\end{{document}}\n"
    )


def latex_text(text: str) -> str:
    """``text`` with LaTeX's special characters escaped and line breaks kept; other control
    characters are dropped, as TeX stops at them ("invalid character")."""
    escaped = "".join(_SPECIALS.get(char, char) for char in printable(text))
    return escaped.replace("\n", "\\\\\n")


def _frame(title: str, caption: str, snippet: str) -> str:
    """A frame whose figure gets the height its caption leaves: TeX sets the caption in a box
    first and measures it, so a caption of four lines shrinks the figure instead of overfilling."""
    return (
        f"\\begin{{frame}}{{{latex_text(title)}}}\n"
        f"  \\sbox{{\\convanimcaption}}{{\\parbox{{\\linewidth}}{{\\centering\\small {latex_text(caption)}\\par}}}}%\n"
        "  \\renewcommand{\\convanimheight}{\\dimexpr\\textheight-\\ht\\convanimcaption-\\dp\\convanimcaption"
        f"-{TITLE_ROOM}\\relax}}%\n"
        "  \\centering\n"
        f"  \\input{{{snippet}}}\n"
        "  \\par\\smallskip\\usebox{\\convanimcaption}\n"
        "\\end{frame}\n"
    )

