"""The scene API: a scene is a named function that returns a Timeline, registered explicitly.

A scene script (built-in under ``scenes/`` or a user's own file) decorates a function with
``@scene("name", "one-line description")``. Registration is explicit — nothing scans modules for
subclasses — so an imported or generated scene is found the same way as a written one. Scenes never
write files, read options or pick sizes: they return data, and the caller decides how to render it.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from convanim.errors import BadInput, InternalError
from convanim.picture import Timeline
from convanim.words import speaking

SceneBuilder = Callable[[], Timeline]
#: What a scene's own code may raise: every error, and the two exits that are not the user
#: stopping convanim (``sys.exit`` in a scene file, a stray ``GeneratorExit``); Ctrl-C stays Ctrl-C.
_SCENE_FAILURES = (Exception, SystemExit, GeneratorExit)


class SceneError(BadInput):
    """A scene cannot be found, loaded or built; the message names the file and line."""


@dataclass(frozen=True)
class SceneEntry:
    """One registered scene: its name, what it shows, how to build it and where it was written."""

    name: str
    description: str
    build: SceneBuilder
    source: str

    def timeline(self, lang: str = "en") -> Timeline:
        """Build the scene with its words in ``lang``, turning any error inside the scene's code
        into a located SceneError.

        convanim's own broken invariants stay what they are (a bug to report, not the scene's)."""
        try:
            with speaking(lang):
                timeline = self.build()
        except (SceneError, InternalError):
            raise
        except _SCENE_FAILURES as exc:  # a scene bug: report where, not a traceback
            raise SceneError(f"scene {self.name!r} failed: {_located(exc)}") from exc
        if not isinstance(timeline, Timeline):
            raise SceneError(
                f"scene {self.name!r} ({self.source}) returned {type(timeline).__name__}, "
                "expected a convanim Timeline"
            )
        return timeline


class SceneRegistry:
    """Scenes by name, in registration order."""

    def __init__(self) -> None:
        self._entries: dict[str, SceneEntry] = {}

    def add(self, entry: SceneEntry) -> None:
        if entry.name in self._entries:
            raise SceneError(
                f"scene {entry.name!r} is registered twice "
                f"({self._entries[entry.name].source} and {entry.source})"
            )
        self._entries[entry.name] = entry

    def get(self, name: str) -> SceneEntry:
        try:
            return self._entries[name]
        except KeyError:
            close = difflib.get_close_matches(name, self._entries, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; see `convanim list`"
            raise SceneError(f"unknown scene {name!r}{hint}") from None

    def names(self) -> list[str]:
        return list(self._entries)

    def __iter__(self) -> Iterator[SceneEntry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)


_BUILTIN = SceneRegistry()
# Where @scene registers: the built-in registry, or a fresh one while a user file is loading.
_target: SceneRegistry = _BUILTIN


def register(name: str, description: str, build: SceneBuilder) -> SceneBuilder:
    """Register ``build`` under ``name``; for scenes generated from a table of parameters."""
    source = _source_of(build)
    _target.add(SceneEntry(name=name, description=description, build=build, source=source))
    return build


def scene(name: str, description: str) -> Callable[[SceneBuilder], SceneBuilder]:
    """Decorator form of :func:`register` for a hand-written scene function."""

    def decorate(build: SceneBuilder) -> SceneBuilder:
        return register(name, description, build)

    return decorate


def builtin_scenes() -> SceneRegistry:
    """The scenes shipped with convanim (imported on first use: they pull in the engine), described
    in English whichever language a figure is being built in."""
    with speaking("en"):
        importlib.import_module("convanim.scenes")
    return _BUILTIN


def load_scene_file(path: str | Path) -> SceneRegistry:
    """Run a user's scene file and return the scenes it registered (and only those)."""
    global _target
    file = Path(path)
    if file.is_dir():
        raise SceneError(f"scene file {str(file)!r} is a folder, not a Python file")
    if not file.is_file():
        raise SceneError(f"scene file {str(file)!r} does not exist")
    module_name = f"convanim_user_scene_{abs(hash(file.resolve()))}"
    spec = importlib.util.spec_from_file_location(module_name, file)
    if spec is None or spec.loader is None:
        raise SceneError(f"{file}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    found = SceneRegistry()
    previous, _target = _target, found
    try:
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    except SyntaxError as exc:  # a NUL byte is one too, with neither file nor line
        line = f":{exc.lineno}" if exc.lineno else ""
        raise SceneError(f"{exc.filename or file}{line}: syntax error: {exc.msg}") from exc
    except SceneError:
        raise
    except _SCENE_FAILURES as exc:
        raise SceneError(f"{file}: {_located(exc)}") from exc
    finally:
        _target = previous
        sys.modules.pop(module_name, None)
    if not len(found):
        raise SceneError(f"{file}: registers no scene (decorate a function with @scene)")
    return found


def resolve(target: str) -> list[SceneEntry]:
    """Scenes named by a CLI/API target: ``name``, ``file.py`` (all its scenes) or ``file.py:name``."""
    file, _, name = target.partition(":") if ".py" in target else ("", "", target)
    if not file:
        return [builtin_scenes().get(name)]
    found = load_scene_file(file)
    return [found.get(name)] if name else list(found)


def _source_of(build: SceneBuilder) -> str:
    code = getattr(build, "__code__", None) or getattr(getattr(build, "func", None), "__code__", None)
    return f"{code.co_filename}:{code.co_firstlineno}" if code else repr(build)


def _located(exc: BaseException) -> str:
    """'file:line: Type: message' at the innermost frame of scene code (not convanim's library)."""
    frames = traceback.extract_tb(exc.__traceback__)
    library = str(Path(__file__).parent)

    def is_scene_code(filename: str) -> bool:
        return not filename.startswith(library) or Path(filename).parent.name == "scenes"

    user = [f for f in frames if is_scene_code(f.filename)] or frames
    where = f"{user[-1].filename}:{user[-1].lineno}: " if user else ""
    return f"{where}{_described(exc)}"


def _described(exc: BaseException) -> str:
    """'Type: message' (the type alone when there is no message); an exit as the call it was."""
    if isinstance(exc, SystemExit):
        return f"calls sys.exit({exc.code!r}); a scene file defines scenes and must not exit"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
