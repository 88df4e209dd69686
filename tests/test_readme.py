"""The README a new user reads: its gallery shows every built-in figure, and each image exists."""

from __future__ import annotations

import re
from pathlib import Path

from convanim.scene import builtin_scenes

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _gallery() -> str:
    match = re.search(r"<!-- gallery:start -->(.*?)<!-- gallery:end -->", README, re.S)
    assert match, "README.md has no gallery markers"
    return match.group(1)


def test_gallery_lists_every_scene() -> None:
    gallery = _gallery()
    missing = [name for name in builtin_scenes().names() if f"`{name}`" not in gallery]
    assert not missing, f"README gallery is missing: {missing}"


def test_gallery_images_are_committed() -> None:
    images = re.findall(r"\]\((output/[^)\s]+\.gif)[\s)]", _gallery())
    assert images, "the gallery shows no image"
    absent = [image for image in images if not (ROOT / image).is_file()]
    assert not absent, f"README gallery links to missing files: {absent}"


def test_quick_start_has_the_two_commands() -> None:
    quick = re.search(r"^## Quick start\n(.*?)(?=^## )", README, re.M | re.S)
    assert quick, "README.md has no quick start"
    commands = re.findall(r"```sh\n(.*?)\n```", quick.group(1), re.S)
    assert commands == ["pip install . && convanim all --out output", "pip install '.[test]' && pytest"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci.splitlines(), ".ci/run must run the README's test command verbatim"
