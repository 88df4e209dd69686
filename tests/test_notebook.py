"""The Jupyter object: the MIME bundle Jupyter displays, save(), and the size warning."""

from __future__ import annotations

import base64
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest

from slides_support import Recorder, recorder, scene_file  # noqa: E402,F401

import convanim  # noqa: E402
from convanim import notebook  # noqa: E402
from convanim.notebook import Animation, show  # noqa: E402
from convanim.core.spec import ConvSpec  # noqa: E402
from convanim.core.notation import describe


def test_gif_displays_as_an_image(tmp_path: Path, recorder: Recorder) -> None:
    animation = show(f"{scene_file(tmp_path)}:tiny-one")
    bundle = animation._repr_mimebundle_()
    assert set(bundle) == {"image/gif", "text/plain"}
    assert base64.b64decode(bundle["image/gif"]) == recorder.of(".gif")[0]
    assert "tiny-one" in bundle["text/plain"]


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_mp4_displays_as_html5_video(tmp_path: Path, recorder: Recorder) -> None:
    bundle = show(f"{scene_file(tmp_path)}:tiny-one", format="mp4")._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    parser = Tags()
    parser.feed(bundle["text/html"])
    [(tag, attrs)] = parser.tags
    assert tag == "video" and "controls" in attrs and "loop" in attrs
    prefix = "data:video/mp4;base64,"
    source = attrs["src"] or ""
    assert source.startswith(prefix)
    assert base64.b64decode(source[len(prefix) :]) == recorder.of(".mp4")[0]


def test_save_writes_the_rendered_bytes(tmp_path: Path, recorder: Recorder) -> None:
    animation = show(f"{scene_file(tmp_path)}:tiny-two")
    saved = animation.save(tmp_path / "out" / "figure.gif")
    assert saved.read_bytes() == recorder.of(".gif")[0] == animation.data
    with pytest.raises(ValueError, match=r"\.gif"):
        animation.save(tmp_path / "figure.mp4")


def test_custom_convolution(recorder: Recorder) -> None:
    spec = ConvSpec.create(4, 3, stride=1)
    animation = show(spec, size="160x120")
    assert animation.format == "gif" and animation.name == describe(spec)
    assert animation.data.startswith(b"GIF8")


def test_warns_above_the_size_limit(
    tmp_path: Path, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = f"{scene_file(tmp_path)}:tiny-one"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        size = len(show(target).data)  # under the real limit: silent
    monkeypatch.setattr(notebook, "WARN_BYTES", size - 1)
    with pytest.warns(UserWarning, match="MB"):
        show(target)


def test_bad_format_is_refused_before_rendering(recorder: Recorder) -> None:
    with pytest.raises(ValueError, match="format"):
        show("basics", format="png")
    with pytest.raises(ValueError, match="format"):
        Animation(b"", "avi")
    assert recorder.calls == []


def test_show_is_public() -> None:
    assert convanim.show is show


def test_interactive_page_displays_in_a_frame_of_its_own(tmp_path: Path, recorder: Recorder) -> None:
    animation = show(f"{scene_file(tmp_path)}:tiny-one", interactive=True)
    assert animation.format == "html"
    bundle = animation._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    parser = Tags()
    parser.feed(bundle["text/html"])
    [(tag, attrs)] = parser.tags
    assert tag == "iframe"
    assert (attrs["srcdoc"] or "").encode("utf-8") == animation.data == recorder.of(".html")[0]
    assert show(f"{scene_file(tmp_path)}:tiny-one", format="html").data == animation.data


@pytest.mark.parametrize("bad", [{"interactive": "yes"}, {"interactive": True, "format": "gif"}])
def test_bad_interactive_is_refused_before_rendering(bad: dict[str, object], recorder: Recorder) -> None:
    with pytest.raises(ValueError, match="interactive"):
        show("basics", **bad)  # type: ignore[arg-type]
    assert recorder.calls == []
