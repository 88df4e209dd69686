"""The scene registry: explicit registration, user files by path, located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from convanim.picture import Picture, Step, Timeline
from convanim.registry import SceneError, load_scene_file, resolve

USER_SCENE = """
from convanim.picture import Picture, Step, Timeline
from convanim.registry import scene

@scene("mine", "a user's own scene")
def mine():
    return Timeline(background=Picture(title="mine"), steps=(Step(Picture()),))
"""


def test_user_file_registers_only_its_scenes(tmp_path: Path) -> None:
    path = tmp_path / "my_scene.py"
    path.write_text(USER_SCENE)
    found = load_scene_file(path)
    assert found.names() == ["mine"]
    timeline = found.get("mine").timeline()
    assert isinstance(timeline, Timeline) and timeline.background == Picture(title="mine")
    assert [e.name for e in resolve(f"{path}:mine")] == ["mine"]
    assert [e.name for e in resolve(str(path))] == ["mine"]


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text("x = 1\ndef oops(:\n")
    with pytest.raises(SceneError, match=r"broken\.py:2: syntax error"):
        load_scene_file(path)


def test_error_while_building_names_scene_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.py"
    path.write_text(USER_SCENE.replace("return Timeline", "1 / 0\n    return Timeline"))
    entry = load_scene_file(path).get("mine")
    with pytest.raises(SceneError, match=r"bad\.py:7: ZeroDivisionError"):
        entry.timeline()


def test_unknown_name_suggests_close_match(tmp_path: Path) -> None:
    path = tmp_path / "my_scene.py"
    path.write_text(USER_SCENE)
    with pytest.raises(SceneError, match="did you mean mine"):
        resolve(f"{path}:mien")


def test_file_without_scenes_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.py"
    path.write_text("x = 1\n")
    with pytest.raises(SceneError, match="registers no scene"):
        load_scene_file(path)


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.py"
    path.write_text(USER_SCENE + USER_SCENE.replace("def mine", "def mine2"))
    with pytest.raises(SceneError, match="registered twice"):
        load_scene_file(path)


def test_unused_timeline_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wrong.py"
    path.write_text(USER_SCENE.replace("return Timeline(", "return (").replace(
        "background=Picture(title=\"mine\"), steps=(Step(Picture()),)", "1,"))
    with pytest.raises(SceneError, match="expected a convanim Timeline"):
        load_scene_file(path).get("mine").timeline()


def test_step_defaults() -> None:
    assert Step(Picture()).hold_ms > 0
