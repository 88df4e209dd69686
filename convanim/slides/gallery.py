"""A gallery of every built-in figure: GIFs, their interactive pages, an ``index.html`` page
and a README table snippet.

The GIFs and pages are rendered in parallel by :func:`convanim.api.render_all` and stay as files
(a README links to the GIFs, the index to both); the index refers to them by relative path and
inlines only the small poster stills its pause control needs, so the folder can be published as
it is.
"""

from __future__ import annotations

import os
import posixpath
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from convanim import api
from convanim.checks import check_whole
from convanim.registry import builtin_scenes
from convanim.slides import Figure, figure_of, write_text
from convanim.checks import printable
from convanim.slides.html import data_uri, escaped, figure_markup, page

INDEX_NAME = "index.html"
TABLE_NAME = "gallery.md"

GALLERY_STYLE = """
header{display:flex;gap:1em;align-items:center;justify-content:space-between;padding:1em 2em}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(22em,1fr));gap:2em;padding:0 2em 2em}
article h2{font-size:1.1em;margin:0 0 .4em}
article h2 a{font-size:.8em;font-weight:normal;margin-left:.6em;color:inherit}
article figcaption{font-size:.85em;opacity:.8}
"""

GALLERY_SCRIPT = """
const toggle = document.getElementById('toggle');
let playing = !reduceMotion;
function show() { setMotion(document, playing); labelToggle(toggle, playing); }
function togglePlay() { playing = !playing; show(); }
toggle.addEventListener('click', togglePlay);
document.addEventListener('keydown', (event) => {
  if ((event.key === 'p' || event.key === 'P') && !event.ctrlKey && !event.metaKey && !event.altKey) {
    togglePlay();
  }
});
show();
"""


def write_gallery(
    out_dir: str | Path = "output",
    *,
    names: Sequence[str] | None = None,
    columns: int = 3,
    jobs: int | None = None,
    progress: api.Progress | None = None,
    readme: str | Path | None = None,
    **options: Any,
) -> Path:
    """Render the built-in scenes (or ``names``) as GIFs into ``out_dir`` with the gallery files.

    Writes ``NAME.html`` (each figure's interactive page), ``index.html`` (every figure under its
    scene name, linking its page; the GIF shows its own title and caption) and ``gallery.md`` (a
    Markdown table of ``columns`` figures per row, linking the GIFs beside it).
    ``jobs`` and ``progress`` are :func:`convanim.api.render_all`'s, ``options`` its
    render options. With ``readme``, the table (and the figures' total size) also replaces what
    stands between the README's gallery markers, its links relative to the README's folder.
    Every link is relative, so the files can move with their folder. Returns ``index.html``.
    """
    check_whole("columns", columns, 1)
    if readme is not None:
        readme_parts(Path(readme))  # a README without markers fails before any rendering
    out = Path(out_dir)
    results = _rendered(api.render_all(out, format="gif", jobs=jobs, progress=progress, names=names, **options))
    pages = _rendered(api.render_all(out, format="html", jobs=jobs, names=names, **options))
    registry = builtin_scenes()
    with tempfile.TemporaryDirectory(prefix="convanim-gallery-") as posters:
        entries = {result.name: registry.get(result.name) for result in results}
        figures = [
            figure_of(result.name, entries[result.name].timeline(options.get("lang", "en")), result.path,
                      Path(posters) / f"{result.name}.png", entries[result.name].description)
            for result in results
            if result.path is not None
        ]
        index = out / INDEX_NAME
        write_text(index, index_html(figures, {page.name: page.path.name for page in pages if page.path}))
    write_text(out / TABLE_NAME, markdown_table(figures, "", columns))
    if readme is not None:
        total = sum(figure.media.stat().st_size for figure in figures)
        before, after = readme_parts(Path(readme))
        table = markdown_table(figures, link_from(Path(readme).parent, out), columns)
        summary = f"{len(figures)} figures, {total / 1e6:.1f} MB of GIFs in all."
        write_text(Path(readme), f"{before}{README_MARKERS[0]}\n{summary}\n\n{table}\n{README_MARKERS[1]}{after}")
    return index


def _rendered(results: list[api.Result]) -> list[api.Result]:
    """``results``, once every one of them is a file."""
    failed = [result for result in results if not result.ok]
    if failed:
        reasons = "; ".join(f"{result.name}: {result.error}" for result in failed)
        raise api.RenderError(f"{len(failed)} of {len(results)} figures failed: {reasons}")
    return results


#: ``write_gallery(readme=...)`` puts the table between these two lines of a README.
README_MARKERS = ("<!-- gallery:start -->", "<!-- gallery:end -->")


def readme_parts(readme: Path) -> tuple[str, str]:
    """The README's text before the gallery's start marker and from its end marker on."""
    start, end = README_MARKERS
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"readme: cannot read {readme}: {exc.strerror}") from None
    before, found_start, rest = text.partition(start)
    _, found_end, after = rest.partition(end)
    if not (found_start and found_end):
        raise ValueError(f"readme: {readme} has no {start} ... {end} lines to put the gallery between")
    return before, after


def link_from(folder: Path, target: Path) -> str:
    """``target`` as a link from a file in ``folder``: relative, in URL form ('' for the same
    folder), never an absolute path of this machine that breaks anywhere else."""
    relative = Path(os.path.relpath(target.resolve(), folder.resolve())).as_posix()
    return "" if relative == "." else relative


def index_html(figures: Sequence[Figure], pages: Mapping[str, str] | None = None) -> str:
    """The gallery page: GIFs by relative path, stills inline, one pause control for all, and a
    link to each figure's interactive page (``pages``: scene name -> file name beside the page).

    The GIFs already show their titles and captions, so each heading is the scene's name (what to
    type) and the page repeats no caption under them (it stays the images' alt text).
    """
    def link(name: str) -> str:
        page = (pages or {}).get(name)
        return f' <a href="{escaped(quote(page))}">step through it</a>' if page else ""

    articles = "\n".join(
        f'<article><h2><code>{escaped(figure.name)}</code>{link(figure.name)}</h2>'
        f"{figure_markup(figure, escaped(figure.media.name), data_uri(figure.poster), caption=False)}"
        "</article>"
        for figure in figures
    )
    body = (
        '<header><h1>convanim gallery</h1><button id="toggle" type="button">Pause</button></header>\n'
        f"<main>\n{articles}\n</main>"
    )
    first = figures[0] if figures else None
    return page("convanim gallery", body, style=GALLERY_STYLE, script=GALLERY_SCRIPT, figure=first)


def markdown_table(figures: Sequence[Figure], link_base: str, columns: int) -> str:
    """A Markdown table, ``columns`` figures a row, each image with its scene name under it;
    ``link_base`` is the GIFs' folder relative to the table's file ('' for the same folder)."""
    cells = [f"{_image(figure, link_base)}<br>`{figure.name}`" for figure in figures]
    width = min(columns, max(1, len(cells)))
    rows = [cells[start : start + width] for start in range(0, len(cells), width)]
    lines = ["|" + " |" * width, "|" + ":-:|" * width]
    lines += ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _image(figure: Figure, link_base: str) -> str:
    """The figure as a Markdown image: its title the alt text, its caption the tooltip.

    The link is percent-encoded, so a folder or file name with spaces or parentheses still links.
    """
    link = posixpath.join(link_base, figure.media.name)
    return f'![{_cell(figure.title)}]({quote(link)} "{_cell(figure.caption)}")'


#: Characters with a meaning in an image's alt text, its quoted title or a table cell (brackets
#: and parentheses end the image, < starts HTML, | the next cell, " the title, & an entity, and
#: the rest mark code or emphasis): each is backslash-escaped, which CommonMark reads as itself.
_MARKDOWN_SPECIAL = re.compile(r'([\\`*_\[\]()<>&|"~!])')


def _cell(text: str) -> str:
    """Text on one line, safe inside a Markdown table cell, an image's alt text and a quoted title."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(printable(text).split()))

