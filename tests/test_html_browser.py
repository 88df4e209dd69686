"""The HTML deck in a real browser: headless Chromium, started here with a fresh profile.

Chromium is driven through the DevTools protocol over ``--remote-debugging-pipe`` (file
descriptors 3 and 4, NUL-separated JSON), which needs no websocket library and no free port.
Skipped only when no Chromium binary exists; CI installs Debian's ``chromium``.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slides_support import Recorder, recorder, scene_file  # noqa: E402,F401

from convanim.slides import make_slides  # noqa: E402

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
)
#: How long one DevTools call may take: generous, since a loaded CI machine can take over 15 s to
#: decode a deck's videos, and a call that answers returns at once anyway.
TIMEOUT_S = 60.0


def chromium() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no chromium binary on PATH (CI installs Debian's chromium)")


class DevTools:
    """A minimal DevTools protocol client over Chromium's debugging pipe."""

    def __init__(self, process: subprocess.Popen[bytes], to_browser: int, from_browser: int) -> None:
        self.process = process
        self.to_browser = to_browser
        self.from_browser = from_browser
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []  # what the browser reported between replies

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its reply (events in between are kept in ``events``)."""
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            reply = self._read(deadline)
            if "method" in reply:
                self.events.append(reply)
            elif reply.get("id") == self.next_id:
                if "error" in reply:
                    raise AssertionError(f"{method} failed: {reply['error']}")
                return reply["result"]

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.from_browser], [], [], max(0.0, remaining))
            if not ready:
                raise AssertionError("chromium did not answer in time")
            chunk = os.read(self.from_browser, 1 << 16)
            if not chunk:
                raise AssertionError("chromium closed the debugging pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def evaluate(self, session: str, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.call(
            "Runtime.evaluate", session, expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def press(self, session: str, key: str, key_code: int) -> None:
        """A real key press, through the browser's input pipeline (not a synthetic DOM event)."""
        for kind in ("keyDown", "keyUp"):
            self.call(
                "Input.dispatchKeyEvent", session,
                type=kind, key=key, code=key, windowsVirtualKeyCode=key_code,
            )


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevTools]:
    """Headless Chromium with a fresh profile, stopped (and waited for) after the test."""
    binary = chromium()
    command_read, command_write = os.pipe()  # we write commands, chromium reads fd 3
    reply_read, reply_write = os.pipe()  # chromium writes replies on fd 4, we read

    def pipes_on_3_and_4() -> None:  # runs in the child between fork and exec
        # Copy both above 4 first, so that placing one cannot overwrite the other.
        high_in = fcntl.fcntl(command_read, fcntl.F_DUPFD, 10)
        high_out = fcntl.fcntl(reply_write, fcntl.F_DUPFD, 10)
        os.dup2(high_in, 3)  # dup2 makes them inheritable, so exec keeps them
        os.dup2(high_out, 4)

    process = subprocess.Popen(
        [binary, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "about:blank"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=False,  # fds 3 and 4 must survive exec; Python's own fds are not inheritable
        preexec_fn=pipes_on_3_and_4,
        start_new_session=True,  # its own process group, so its helpers stop with it
    )
    os.close(command_read)
    os.close(reply_write)
    try:
        yield DevTools(process, command_write, reply_read)
    finally:
        os.close(command_write)
        os.close(reply_read)
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def open_page(browser: DevTools, url: str) -> str:
    """Open ``url`` in a new tab and wait until it has loaded; return the session id."""
    target = browser.call("Target.createTarget", url=url)["targetId"]
    session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    deadline = time.monotonic() + TIMEOUT_S
    loaded = f"location.href === {json.dumps(url)} && document.readyState === 'complete'"
    while not browser.evaluate(session, loaded):
        assert time.monotonic() < deadline, "the page did not finish loading"
        time.sleep(0.05)
    return session


DECODED = """
Promise.all([...document.querySelectorAll('img')].map(
  (img) => img.decode().then(() => img.naturalWidth, () => 0)))
"""
VIDEOS_READY = """
Promise.all([...document.querySelectorAll('video')].map((video) => new Promise((done) => {
  if (video.readyState >= 2) { done(video.videoWidth); return; }
  video.addEventListener('loadeddata', () => done(video.videoWidth), {once: true});
  video.addEventListener('error', () => done(0), {once: true});
  video.load();
})))
"""
# What is really on screen (CSS applied), not just which attributes are set.
SHOWN = "[...document.querySelectorAll('.slide')].map((slide) => slide.checkVisibility())"
GIF_SHOWN = "[...document.querySelectorAll('img.anim')].some((img) => img.checkVisibility())"
STILL_SHOWN = "[...document.querySelectorAll('img.still')].some((img) => img.checkVisibility())"


#: The step each slide's figure player shows (None before its page has loaded).
STEPS = "[...document.querySelectorAll('.slide iframe')].map((f) => f.contentWindow.convanimPlayer?.index ?? null)"
PLAYING = ("[...document.querySelectorAll('.slide iframe')].map((f) => "
           "f.contentDocument.querySelector('.cv-play')?.getAttribute('aria-pressed'))")


def test_deck_steps_its_figures_and_turns_slides_with_the_keys(
    tmp_path: Path, recorder: Recorder, browser: DevTools
) -> None:
    """Each slide holds its figure's interactive page: the arrow keys step through it and turn
    the slide past its last step, the page keys turn slides directly."""
    deck = make_slides([str(scene_file(tmp_path))], tmp_path / "deck.html")
    session = open_page(browser, deck.resolve().as_uri())
    deadline = time.monotonic() + TIMEOUT_S
    while None in browser.evaluate(session, STEPS):  # both pages loaded
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert browser.evaluate(session, SHOWN) == [True, False]
    assert browser.evaluate(session, PLAYING) == ["true", "false"]  # only the slide on screen plays
    count = browser.evaluate(session, "slides[0].querySelector('iframe').contentWindow.convanimPlayer.count")
    browser.evaluate(session, "slides[0].querySelector('iframe').contentWindow.convanimPlayer.go(0)")
    browser.press(session, "ArrowRight", 39)  # a step of the figure, not a slide
    assert browser.evaluate(session, STEPS)[0] == 1
    assert browser.evaluate(session, SHOWN) == [True, False]
    for _ in range(count - 2):
        browser.press(session, "ArrowRight", 39)
    assert browser.evaluate(session, STEPS)[0] == count - 1
    browser.press(session, "ArrowRight", 39)  # past the last step: the next slide
    assert browser.evaluate(session, SHOWN) == [False, True]
    browser.press(session, "PageUp", 33)
    assert browser.evaluate(session, SHOWN) == [True, False]
    browser.press(session, "p", 80)  # pause every figure
    assert browser.evaluate(session, PLAYING) == ["false", "false"]
    label = browser.evaluate(session, "document.getElementById('toggle').getAttribute('aria-label')")
    assert label.startswith("Play")


def test_video_deck_decodes_in_the_browser(
    tmp_path: Path, recorder: Recorder, browser: DevTools
) -> None:
    deck = make_slides([f"{scene_file(tmp_path)}:tiny-one"], tmp_path / "deck.html", video=True)
    session = open_page(browser, deck.resolve().as_uri())
    widths = browser.evaluate(session, VIDEOS_READY)
    assert len(widths) == 1 and widths[0] > 0


def test_gif_deck_still_pauses(tmp_path: Path, recorder: Recorder, browser: DevTools) -> None:
    """A figure without a page (the gallery's) still pauses by giving way to its still."""
    from convanim.slides import render_figures, entries_for
    from convanim.slides.html import write_html

    figures = render_figures(entries_for([str(scene_file(tmp_path))]), tmp_path)
    session = open_page(browser, write_html(figures, tmp_path / "deck.html").resolve().as_uri())
    widths = browser.evaluate(session, DECODED)
    assert len(widths) == 2 * 2 and all(width > 0 for width in widths)  # GIF + still per slide
    assert browser.evaluate(session, GIF_SHOWN) is True
    browser.press(session, "p", 80)
    assert browser.evaluate(session, GIF_SHOWN) is False
    assert browser.evaluate(session, STILL_SHOWN) is True


#: Where each slide's parts are on screen once it is shown, in CSS pixels.
LAYOUT = """
(() => {
  const box = (el) => el.getBoundingClientRect();
  const slide = slides[current], caption = slide.querySelector('figcaption');
  const image = slide.querySelector('figure .anim');
  return {caption: box(caption).bottom, clipped: caption.scrollHeight > caption.clientHeight + 1,
          controls: box(document.querySelector('.controls')).top, image: box(image).height,
          title: box(slide.querySelector('h2')).bottom, imageTop: box(image).top};
})()
"""


def test_every_builtin_caption_is_above_the_controls(tmp_path: Path, recorder: Recorder, browser: DevTools) -> None:
    """Measured in the browser, in three window sizes: each built-in figure's caption, however
    many lines, ends above the slide controls and is not clipped, and the figure keeps a good
    part of the window."""
    from convanim.registry import builtin_scenes

    names = builtin_scenes().names()
    deck = make_slides(names, tmp_path / "deck.html", size="160x120")
    session = open_page(browser, deck.resolve().as_uri())
    for width, height in [(1280, 720), (1024, 768), (1920, 1080)]:
        browser.call("Emulation.setDeviceMetricsOverride", session, width=width, height=height,
                     deviceScaleFactor=1, mobile=False)
        for index, name in enumerate(names):
            shown = browser.evaluate(session, f"go({index}), {LAYOUT}")
            assert shown["caption"] <= shown["controls"] and not shown["clipped"], (name, width, shown)
            assert shown["title"] <= shown["imageTop"], (name, width, shown)
            assert shown["image"] >= 0.4 * height, (name, width, shown)  # the figure fills the slide
