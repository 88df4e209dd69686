"""Pictures to pixels: render a Timeline into palette frames, or one step into an RGB still.

Frames come out lazily as ("P" image, duration_ms) pairs that all share one palette, the theme's
(index 0 is the page colour), so writers can encode them without quantising and without colour
flicker. Nothing on this path imports matplotlib.
"""

from __future__ import annotations

from collections.abc import Iterator

from PIL import Image

from convanim.picture import Picture, Step, Timeline, View
from convanim.renderer.compose import Renderer
from convanim.renderer.project import Canvas, CanvasSpec, resolve_size
from convanim.renderer.theme import THEMES, Theme, get_theme, theme_palette
from convanim.picture.timeline import expand

__all__ = [
    "THEMES",
    "Canvas",
    "CanvasSpec",
    "Renderer",
    "Theme",
    "render_frames",
    "render_still",
    "resolve_size",
    "theme_palette",
]


def render_frames(
    timeline: Timeline,
    *,
    theme: str | Theme = "light",
    size: str | tuple[int, int] = "readme",
    scale: float = 1.0,
    fps: float | None = None,
    smooth: bool = True,
    even: bool = False,
) -> Iterator[tuple[Image.Image, int]]:
    """(frame, duration_ms) pairs of ``timeline``, one at a time.

    ``fps`` None gives one frame per step, held for the step's time (GIFs for slides). With an
    ``fps``, ``smooth`` and ``timeline.glide``, in-between frames glide the kernel window from one
    step to the next at that rate (video). Arguments are checked and the background drawn now;
    frames are drawn as they are taken.
    """
    frames = expand(timeline, fps, smooth)
    renderer = Renderer(timeline, get_theme(theme), resolve_size(size, scale, even))
    return ((renderer.frame(frame.overlay), frame.duration_ms) for frame in frames)


def render_still(
    picture_or_timeline: Picture | Timeline,
    step_index: int = 0,
    *,
    theme: str | Theme = "light",
    size: str | tuple[int, int] = "readme",
    scale: float = 1.0,
    even: bool = False,
    view: View | None = None,
) -> Image.Image:
    """One step of a timeline (or a lone picture, in ``view``) as an RGB image: posters, tests."""
    if isinstance(picture_or_timeline, Picture):
        timeline = Timeline(background=picture_or_timeline, steps=(Step(Picture()),), view=view or View())
    elif view is not None:
        raise ValueError("view: only a Picture takes a view; a Timeline carries its own")
    else:
        timeline = picture_or_timeline
    renderer = Renderer(timeline, get_theme(theme), resolve_size(size, scale, even))
    if not 0 <= step_index < len(timeline.steps):
        raise ValueError(f"step_index: must be in [0, {len(timeline.steps)}), got {step_index}")
    return renderer.frame(timeline.steps[step_index].overlay).convert("RGB")
