"""The README a new user reads: its gallery shows every built-in figure, and each image exists."""

from __future__ import annotations

import re
from pathlib import Path

from convanim.registry import builtin_scenes

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


def _blocks(section: str, language: str) -> list[str]:
    """The ``language`` code blocks of the README section headed ``section``."""
    body = re.search(rf"^## {re.escape(section)}\n(.*?)(?=^## )", README, re.M | re.S)
    assert body, f"README.md has no section {section!r}"
    return re.findall(rf"```{language}\n(.*?)```", body.group(1), re.S)


def test_the_python_api_example_runs(tmp_path: Path, monkeypatch) -> None:
    """Every call in the README's Python API section, in one process, as a notebook would run it."""
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for code in _blocks("Python API", "python"):
        exec(compile(code, "README.md: Python API", "exec"), namespace)
    written = ("dilated.gif", "strided.mp4", "max.gif", "edges.gif", "check.py")
    assert all((tmp_path / name).stat().st_size > 0 for name in written)


def test_the_scene_examples_render_as_shown(tmp_path: Path, monkeypatch) -> None:
    """Each scene file of 'Writing your own scene' saved under the name it gives itself, the
    section's command run as shown, and every other file rendered by path."""
    from click.testing import CliRunner

    from convanim.cli import main

    monkeypatch.chdir(tmp_path)
    files = []
    for code in _blocks("Writing your own scene", "python"):
        files.append(tmp_path / code.splitlines()[0].removeprefix("# "))
        files[-1].write_text(code, encoding="utf-8")
    (command,) = _blocks("Writing your own scene", "sh")
    runs = [command.split()[1:], *(["render", file.name, "-o", f"{file.stem}.gif"] for file in files
                                   if file.name not in command)]
    for args in runs:
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert (tmp_path / args[-1]).stat().st_size > 0
