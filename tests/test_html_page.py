"""The interactive page (``-o fig.html``) in headless Chromium: it loads with no error and no
request, its controls and keys step and scrub, and hovering a cell shows the engine's sum.

The expected sums come from ``tests/reference.py`` (convolution by its definition), not from the
page's own data, so a page that carried wrong numbers fails.
"""

from __future__ import annotations

import base64
import json
import re
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import reference
from convanim import api
from convanim.cli import main
from convanim.core.notation import number
from convanim.registry import builtin_scenes
from test_html_browser import TIMEOUT_S, DevTools, browser, open_page  # noqa: F401 (browser: a fixture)

COUNT = "document.querySelector('.cv-count').textContent"
SHOWN = ("[...document.querySelectorAll('svg.cv-figure g.s')]"  # what CSS shows, not the class
         ".flatMap((g, k) => getComputedStyle(g).display === 'none' ? [] : [k])")
PLAYING = "document.querySelector('.cv-play').getAttribute('aria-pressed')"
PANEL = "document.querySelector('.cv-panel .cv-result')?.textContent ?? ''"
MARKS = "[...document.querySelectorAll('.cv-marks polygon')].map((p) => p.getAttribute('class'))"
#: The client position of the centre of a cell of the page's data.
CENTRE = """(async () => {
  const d = await cvData(document.querySelector('.cv-player'));
  const q = d.cells[%s];
  const svg = document.querySelector('svg.cv-figure');
  const p = new DOMPoint((q[0] + q[2] + q[4] + q[6]) / 4, (q[1] + q[3] + q[5] + q[7]) / 4)
    .matrixTransform(svg.getScreenCTM());
  return [p.x, p.y];
})()"""


#: The tab of each session :func:`watched` opened, to close it.
TARGETS: dict[str, str] = {}


def page_data(path: Path) -> dict[str, Any]:
    """The player's data as the page carries it: JSON, zlib-compressed, in base64."""
    text = path.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/octet-stream" class="cv-data">(.*?)</script>', text, re.S)
    assert found
    return json.loads(zlib.decompress(base64.b64decode(found.group(1))))


def ready(browser: DevTools, session: str) -> str:
    """Wait until the page's player has started (it inflates its data first); return the session."""
    deadline = time.monotonic() + TIMEOUT_S
    while not browser.evaluate(session, "Boolean(window.convanimPlayer)"):
        assert time.monotonic() < deadline, "the player did not start"
        time.sleep(0.02)
    return session


def open_player(browser: DevTools, url: str) -> str:
    return ready(browser, open_page(browser, url))


def watched(browser: DevTools, url: str, *, reduced: bool = False) -> str:
    """Open ``url`` with the console, the network and (``reduced``) reduced motion watched from
    before the first byte; return the session."""
    target = browser.call("Target.createTarget", url="about:blank")["targetId"]
    session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    TARGETS[session] = target
    for domain in ("Runtime", "Log", "Network", "Page"):
        browser.call(f"{domain}.enable", session)
    if reduced:
        browser.call("Emulation.setEmulatedMedia", session,
                     features=[{"name": "prefers-reduced-motion", "value": "reduce"}])
    browser.call("Emulation.setDeviceMetricsOverride", session, width=1000, height=900,
                 deviceScaleFactor=1, mobile=False)
    browser.call("Page.navigate", session, url=url)
    loaded = f"location.href === {json.dumps(url)} && document.readyState === 'complete'"
    deadline = time.monotonic() + TIMEOUT_S
    while not browser.evaluate(session, loaded):
        assert time.monotonic() < deadline, "the page did not finish loading"
        time.sleep(0.05)
    return ready(browser, session)


def problems(browser: DevTools, session: str, url: str) -> list[str]:
    """Console errors, uncaught exceptions and requests for anything but the page itself."""
    found = []
    for event in browser.events:
        if event.get("sessionId") != session:
            continue
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown":
            found.append(f"exception: {params['exceptionDetails'].get('text')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
            found.append(f"console {params['type']}: {params.get('args')}")
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            found.append(f"log: {params['entry'].get('text')}")
        elif method == "Network.requestWillBeSent":
            asked = params["request"]["url"]
            if asked != url and not asked.startswith("data:"):
                found.append(f"request: {asked}")
    return found


def hover(browser: DevTools, session: str, cell: int) -> None:
    x, y = browser.evaluate(session, CENTRE % cell)
    browser.call("Input.dispatchMouseEvent", session, type="mouseMoved", x=x, y=y)


def click(browser: DevTools, session: str, selector: str, fraction: float = 0.5) -> None:
    """A real click at ``fraction`` of the width of the element ``selector``, mid-height."""
    box = browser.evaluate(session, f"(() => {{const r = document.querySelector('{selector}')"
                                    ".getBoundingClientRect(); return [r.left, r.top, r.width, r.height];})()")
    x, y = box[0] + fraction * box[2], box[1] + box[3] / 2
    for kind in ("mousePressed", "mouseReleased"):
        browser.call("Input.dispatchMouseEvent", session, type=kind, x=x, y=y, button="left", clickCount=1)


@pytest.fixture(scope="module")
def reference_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return api.render("arith-same-padding-no-strides", tmp_path_factory.mktemp("page") / "ref.html")


def test_the_page_loads_alone_and_plays(reference_page: Path, browser: DevTools) -> None:
    url = reference_page.resolve().as_uri()
    session = watched(browser, url)
    assert browser.evaluate(session, PLAYING) == "true"  # it plays unless the reader asked otherwise
    assert browser.evaluate(session, "document.fonts.ready.then((f) => f.size)") >= 1  # embedded fonts
    assert problems(browser, session, url) == []
    text = reference_page.read_text(encoding="utf-8")
    assert not re.search(r'(src|href)="(?!data:|#)', text)  # nothing outside the file


def test_reduced_motion_starts_paused(reference_page: Path, browser: DevTools) -> None:
    session = watched(browser, reference_page.resolve().as_uri(), reduced=True)
    assert browser.evaluate(session, PLAYING) == "false"
    assert browser.evaluate(session, SHOWN) == [0]


def test_buttons_slider_and_keys_step(reference_page: Path, browser: DevTools) -> None:
    session = open_player(browser, reference_page.resolve().as_uri())
    steps = len(page_data(reference_page)["ms"])
    browser.evaluate(session, "convanimPlayer.stop()")
    browser.evaluate(session, "convanimPlayer.go(0)")
    click(browser, session, ".cv-next")
    assert browser.evaluate(session, COUNT) == f"Step 2 / {steps}"
    assert browser.evaluate(session, SHOWN) == [1]
    click(browser, session, ".cv-prev")
    assert browser.evaluate(session, SHOWN) == [0]
    click(browser, session, ".cv-slider", 0.75)  # scrubbing
    middle = browser.evaluate(session, SHOWN)[0]
    assert steps // 2 < middle < steps - 1
    assert browser.evaluate(session, COUNT) == f"Step {middle + 1} / {steps}"
    browser.evaluate(session, "document.activeElement.blur()")
    browser.press(session, "End", 35)
    assert browser.evaluate(session, SHOWN) == [steps - 1]
    browser.press(session, "Home", 36)
    assert browser.evaluate(session, SHOWN) == [0]
    browser.press(session, "ArrowRight", 39)
    browser.press(session, "ArrowRight", 39)
    assert browser.evaluate(session, SHOWN) == [2]
    browser.press(session, "ArrowLeft", 37)
    assert browser.evaluate(session, SHOWN) == [1]
    browser.press(session, " ", 32)
    assert browser.evaluate(session, PLAYING) == "true"
    browser.press(session, " ", 32)
    assert browser.evaluate(session, PLAYING) == "false"
    labels = browser.evaluate(session, "[...document.querySelectorAll('.cv-controls button, .cv-controls input,"
                                       " .cv-controls select')].map((e) => e.getAttribute('aria-label')"
                                       " || e.closest('label')?.textContent || '')")
    assert len(labels) == 5 and all(label.strip() for label in labels)  # every control is named


CASES = {
    "2d": ({"input_size": (5, 5), "kernel_size": 3, "padding": 1, "bias": True}, (1, 5, 5), (1, 1, 3, 3)),
    "multi": ({"input_size": (4, 4), "kernel_size": 3, "in_channels": 3, "bias": True}, (3, 4, 4), (1, 3, 3, 3)),
    "3d": ({"input_size": (3, 4, 4), "kernel_size": 2, "stride": 1}, (1, 3, 4, 4), (1, 1, 2, 2, 2)),
    "strided": ({"input_size": (6, 6), "kernel_size": 3, "stride": 2, "padding": 1}, (1, 6, 6), (1, 1, 3, 3)),
    # More cells than a page draws as shapes: its steps are pictures, its cells explained alike.
    "big": ({"input_size": (24, 24), "kernel_size": 3, "padding": 1}, (1, 24, 24), (1, 1, 3, 3)),
}


@pytest.mark.parametrize("case", CASES)
def test_hovering_an_output_cell_shows_the_engine_sum(case: str, tmp_path: Path, browser: DevTools) -> None:
    spec, x_shape, w_shape = CASES[case]
    rng = np.random.default_rng(7)
    x = rng.integers(-3, 4, x_shape).astype(float)
    w = rng.integers(-2, 3, w_shape).astype(float)
    b = np.array([1.0]) if spec.get("bias") else None
    page = api.custom(spec, tmp_path / f"{case}.html", input=x, weight=w, bias=b)
    expected = reference.conv(x[None], w, b, stride=spec.get("stride", 1), padding=spec.get("padding", 0))[0]
    data = page_data(page)
    assert ("<image " in page.read_text(encoding="utf-8")) == (case == "big")
    session = open_player(browser, page.resolve().as_uri())
    browser.evaluate(session, "convanimPlayer.stop()")
    outputs = [link for link in data["links"] if link["r"].startswith("output[")]
    assert len(outputs) == expected.size  # every output cell can be explained
    for link in outputs[:: max(1, len(outputs) // 6)]:
        hover(browser, session, link["o"])
        shown = browser.evaluate(session, PANEL)
        index = tuple(int(k) for k in re.match(r"output\[([\d, ]+)\]", shown).group(1).split(", "))
        assert shown.endswith(f"= {number(expected[index])}"), (shown, expected[index])
        assert float(link["v"]) == pytest.approx(expected[index])
        marks = browser.evaluate(session, MARKS)
        assert marks.count("cv-made") == 1 and marks.count("cv-read") == len(link["i"]) > 0
    # An input cell: the outputs it feeds are marked.
    read = data["links"][0]["i"][0]
    hover(browser, session, read)
    fed = [link for link in data["links"] if read in link["i"]]
    assert browser.evaluate(session, MARKS).count("cv-fed") == len(fed)


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_hovering_a_pooled_cell_shows_its_maximum_or_mean(kind: str, tmp_path: Path, browser: DevTools) -> None:
    x = np.random.default_rng(3).integers(0, 9, (1, 5, 5)).astype(float)
    page = api.pool({"kind": kind, "kernel_size": 3, "stride": 2, "padding": 1}, tmp_path / "pool.html", input=x)
    if kind == "max":
        pooled = reference.max_pool(x[None], (3, 3), (2, 2), (1, 1))[0][0]  # (values, indices)
    else:
        pooled = reference.avg_pool(x[None], (3, 3), (2, 2), (1, 1))[0]
    session = open_player(browser, page.resolve().as_uri())
    browser.evaluate(session, "convanimPlayer.stop()")
    links = page_data(page)["links"]
    assert len(links) == pooled.size
    for link in links:
        hover(browser, session, link["o"])
        shown = browser.evaluate(session, PANEL)
        index = tuple(int(k) for k in re.match(r"output\[([\d, ]+)\]", shown).group(1).split(", "))
        assert shown.endswith(f"= {number(pooled[index])}"), (shown, pooled[index])
        assert browser.evaluate(session, MARKS).count("cv-read") == 9


def test_every_builtin_scene_page_loads(tmp_path: Path, browser: DevTools) -> None:
    """Every built-in figure as a page, at a small size: loads, no error, no request, a step
    shown; and each page is a file of its own (no two share a player's state)."""
    names = builtin_scenes().names()
    result = CliRunner().invoke(main, ["all", "--out", str(tmp_path), "--format", "html", "--size", "480x270",
                                       "--quiet", "-j", "2"])
    assert result.exit_code == 0, result.output
    for name in names:
        page = tmp_path / f"{name}.html"
        url = page.resolve().as_uri()
        session = watched(browser, url)
        assert len(browser.evaluate(session, SHOWN)) == 1, name  # one step on screen, whichever
        assert problems(browser, session, url) == [], name
        results = page_data(page)["links"]
        browser.evaluate(session, "convanimPlayer.stop()")
        for link in (results[0], results[-1]):  # the cell under the pointer is its own
            hover(browser, session, link["o"])
            assert browser.evaluate(session, PANEL) == link["r"], name
        browser.call("Target.closeTarget", targetId=TARGETS.pop(session))


def test_the_notebook_frame_plays_the_page(tmp_path: Path, browser: DevTools) -> None:
    """What Jupyter shows for ``show(name, interactive=True)``: the page runs inside its frame."""
    from convanim.notebook import show

    markup = show("basics", interactive=True)._repr_mimebundle_()["text/html"]
    cell = tmp_path / "cell.html"
    cell.write_text(f"<!DOCTYPE html><html><body>{markup}</body></html>", encoding="utf-8")
    session = open_page(browser, cell.resolve().as_uri())
    player = "document.querySelector('iframe').contentWindow.convanimPlayer"
    deadline = time.monotonic() + TIMEOUT_S
    while not browser.evaluate(session, f"Boolean({player})"):
        assert time.monotonic() < deadline, "the page in the frame did not start"
        time.sleep(0.05)
    assert browser.evaluate(session, f"{player}.count") == len(builtin_scenes().get("basics").timeline().steps)
    inner = browser.evaluate(session, "document.querySelector('iframe').contentDocument.querySelector('main')"
                                      ".getBoundingClientRect().height")
    frame = browser.evaluate(session, "document.querySelector('iframe').getBoundingClientRect().height")
    assert inner <= frame + 1  # the frame is tall enough for the figure, its controls and its panel


@pytest.mark.parametrize("flags, says", [
    (["--step", "2"], "step"), (["--strip"], "strip"), (["--animate"], "animate"), (["--crf", "20"], "crf"),
    (["--size", "0x0"], "size"), (["--theme", "sepia"], "theme"),
])
@pytest.mark.parametrize("command", [["render", "basics"], ["custom", "--input", "5", "--kernel", "3"]])
def test_a_page_with_options_it_cannot_take_is_refused_before_anything_is_written(
        command: list[str], flags: list[str], says: str, tmp_path: Path) -> None:
    out = tmp_path / "fig.html"
    result = CliRunner().invoke(main, [*command, "-o", str(out), *flags])
    assert result.exit_code == 2, result.output
    assert says in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_page_cannot_be_written_over_a_folder(tmp_path: Path) -> None:
    (tmp_path / "fig.html").mkdir()
    result = CliRunner().invoke(main, ["render", "basics", "-o", str(tmp_path / "fig.html")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert list((tmp_path / "fig.html").iterdir()) == []
