"""A self-contained HTML slide deck, and the figure markup it shares with the gallery page.

Everything is in the one file (media as ``data:`` URIs, each figure's interactive page inline
in its frame's ``srcdoc``, inline style and script), so the deck works offline, from a USB stick
or as an e-mail attachment. The arrow keys step through a figure's page and turn the slide past
its first or last step; the page keys (and up, down) turn slides directly. Animations that start by themselves
and loop need a way to stop them (WCAG 2.2.2), so every page has a pause control: a GIF cannot be
paused, so pausing swaps it for its poster still; a video is paused. Pages start paused when the
reader asked the system for reduced motion.
"""

from __future__ import annotations

import base64
import html
import mimetypes
from collections.abc import Sequence
from pathlib import Path

from convanim.checks import printable
from convanim.slides import Figure, write_text

STYLE = """
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font:18px/1.4 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
button{font:inherit;padding:.3em .8em;border-radius:.4em;border:1px solid currentColor;
 background:transparent;color:inherit;cursor:pointer}
:focus-visible{outline:3px solid #0072B2;outline-offset:2px}
figure{margin:0;text-align:center}
figure img,figure video{max-width:100%;height:auto}
figure iframe{border:0;width:100%;display:block}
figcaption{white-space:pre-line;margin-top:.5em}
"""

#: A slide is exactly the window above the controls: its title and caption take the height their
#: lines need, and the figure shrinks to the rest (min-height:0 lets a flex item shrink below its
#: image's own height), so no caption runs under the controls however many lines it has.
DECK_STYLE = """
.slide{height:calc(100vh - 3.5em);display:flex;flex-direction:column;align-items:center;
 padding:1em 2em;overflow:hidden}
.slide h2{margin:0 0 .5em;flex:none}
.slide figure{width:100%;flex:1;min-height:0;display:flex;flex-direction:column}
.slide figure img,.slide figure video,.slide figure iframe{width:100%;flex:1;min-height:0;object-fit:contain}
.slide figcaption{flex:none}
.controls{position:fixed;bottom:0;left:0;right:0;height:3.5em;display:flex;gap:1em;
 align-items:center;justify-content:center;background:var(--bg)}
"""

#: Shows or stops the motion of every figure inside ``root``; used by the deck and the gallery.
MOTION_SCRIPT = """
const reduceMotion = matchMedia('(prefers-reduced-motion: reduce)').matches;
function setMotion(root, on) {
  for (const figure of root.querySelectorAll('figure')) {
    const anim = figure.querySelector('.anim'), still = figure.querySelector('.still');
    if (anim.tagName === 'IFRAME') {
      const player = playerIn(anim);
      if (player) { if (on) player.play(); else player.stop(); }
    } else if (anim.tagName === 'VIDEO') {
      if (on) { anim.play().catch(() => {}); } else { anim.pause(); }
    } else {
      anim.hidden = !on;
      still.hidden = on;
    }
  }
}
function playerIn(frame) {  // the figure player of an interactive page, once it has loaded
  return frame.contentWindow && frame.contentWindow.convanimPlayer;
}
function labelToggle(button, playing) {
  button.textContent = playing ? 'Pause' : 'Play';
  button.setAttribute('aria-label', playing ? 'Pause animation (P)' : 'Play animation (P)');
}
"""

DECK_SCRIPT = """
const slides = [...document.querySelectorAll('.slide')];
const toggle = document.getElementById('toggle'), count = document.getElementById('count');
let current = 0, playing = !reduceMotion;
function show() {
  slides.forEach((slide, i) => {
    slide.hidden = i !== current;
    setMotion(slide, playing && i === current);
  });
  count.textContent = (current + 1) + ' / ' + slides.length;
  labelToggle(toggle, playing);
}
function go(index) {
  current = Math.max(0, Math.min(slides.length - 1, index));
  show();
}
function togglePlay() { playing = !playing; show(); }
// A figure's page steps with the arrow keys and turns the slide past its first or last step,
// whether the keys reach the deck or (after a click in it) the page itself.
for (const [index, slide] of slides.entries()) {
  const frame = slide.querySelector('iframe');
  if (!frame) continue;
  frame.addEventListener('load', () => {  // the page's player may start before or after this
    frame.contentWindow.convanimEdge = (by) => go(current + by);
    frame.contentWindow.convanimReady = () => setMotion(slide, playing && index === current);
    setMotion(slide, playing && index === current);
  });
}
function stepOrTurn(by) {
  const frame = slides[current].querySelector('iframe'), player = frame && playerIn(frame);
  if (player && player.index + by >= 0 && player.index + by < player.count) player.step(by);
  else go(current + by);
}
document.getElementById('prev').addEventListener('click', () => go(current - 1));
document.getElementById('next').addEventListener('click', () => go(current + 1));
toggle.addEventListener('click', togglePlay);
document.getElementById('deck').addEventListener('click', (event) => {
  if (!event.target.closest('a, button, video')) go(current + 1);
});
document.addEventListener('keydown', (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const onControl = event.target.closest && event.target.closest('button, a, video');
  const moves = {ArrowDown: 1, PageDown: 1, ArrowUp: -1, PageUp: -1};
  const steps = {ArrowRight: 1, ArrowLeft: -1};
  if (event.key in steps) stepOrTurn(steps[event.key]);
  else if (event.key in moves) go(current + moves[event.key]);
  else if (event.key === ' ' && !onControl) go(current + (event.shiftKey ? -1 : 1));
  else if (event.key === 'Home') go(0);
  else if (event.key === 'End') go(slides.length - 1);
  else if (event.key === 'p' || event.key === 'P') togglePlay();
  else return;
  event.preventDefault();
});
show();
"""


def escaped(text: str) -> str:
    """``text`` safe in the page's text and in a quoted attribute: printable and HTML-escaped."""
    return html.escape(printable(text), quote=True)


def data_uri(path: Path) -> str:
    """The file as a ``data:`` URI, so the page needs nothing beside itself."""
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def figure_markup(figure: Figure, media_src: str, poster_src: str, *, caption: bool = True) -> str:
    """A <figure> holding the animation (or its interactive page), its still (for pausing) and,
    with ``caption``, its caption (left out where the animation draws its own)."""
    alt = escaped(f"{figure.title}. {figure.caption}")
    if figure.page is not None:
        page = html.escape(figure.page.read_text(encoding="utf-8"), quote=True)
        media = f'<iframe class="anim" title="{alt}" srcdoc="{page}"></iframe>'
    elif figure.is_video:
        media = (
            f'<video class="anim" src="{media_src}" poster="{poster_src}" '
            f'aria-label="{alt}" loop muted playsinline controls></video>'
        )
    else:
        media = (
            f'<img class="anim" src="{media_src}" alt="{alt}">'
            f'<img class="still" src="{poster_src}" alt="{alt}" hidden>'
        )
    below = f"<figcaption>{escaped(figure.caption)}</figcaption>" if caption else ""
    return f"<figure>{media}{below}</figure>"


def page(title: str, body: str, *, style: str, script: str, figure: Figure | None) -> str:
    """A whole HTML document, coloured like ``figure``'s background (or white without one)."""
    background = figure.background if figure else (255, 255, 255)
    text = "#f2f2f2" if figure and figure.dark else "#1a1a1a"
    colours = "--bg:rgb({},{},{});--fg:{}".format(*background, text)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escaped(title)}</title>\n"
        f"<style>:root{{{colours}}}{STYLE}{style}</style>\n</head>\n<body>\n{body}\n"
        f"<script>{MOTION_SCRIPT}{script}</script>\n</body>\n</html>\n"
    )


def _sources(figure: Figure) -> tuple[str, str]:
    """The animation and its still as ``data:`` URIs; none for a figure shown by its page."""
    return ("", "") if figure.page is not None else (data_uri(figure.media), data_uri(figure.poster))


def write_html(figures: Sequence[Figure], out: Path) -> Path:
    """Write the deck, one slide per figure, to ``out`` (atomically) and return it."""
    if not figures:
        raise ValueError("figures: a deck needs at least one figure")
    slides = "\n".join(
        f'<section class="slide" aria-roledescription="slide" '
        f'aria-label="{number} of {len(figures)}: {escaped(figure.title)}">'
        f"<h2>{escaped(figure.title)}</h2>"
        f"{figure_markup(figure, *_sources(figure))}</section>"
        for number, figure in enumerate(figures, start=1)
    )
    body = (
        f'<main id="deck" aria-roledescription="slide deck">\n{slides}\n</main>\n'
        '<nav class="controls" aria-label="Slide controls">'
        '<button id="prev" type="button" aria-label="Previous slide">&larr;</button>'
        '<button id="toggle" type="button">Pause</button>'
        f'<span id="count" aria-live="polite">1 / {len(figures)}</span>'
        '<button id="next" type="button" aria-label="Next slide">&rarr;</button></nav>'
    )
    title = figures[0].title + (f" and {len(figures) - 1} more" if len(figures) > 1 else "")
    document = page(title, body, style=DECK_STYLE, script=DECK_SCRIPT, figure=figures[0])
    return write_text(out, document)
